"""The query commands, each written once: name, argument, options, help and examples.

The Typer app builds its query commands from `QUERIES` (cli.py), the fast path parses argv
with it (fastpath.py) and completion reads what each NAME completes to (complete.py), so the
two front doors take the same argv by construction; `answer` is the one dispatch they share.
Read on every call, before anything is known to be needed: plain classes, and nothing imported
but settings.py until an answer needs it.
"""

from __future__ import annotations

from esra_cli.settings import DEFAULT_ALLIANCE

TYPE_CHECKING = False  # typing costs milliseconds to import on the fast path
if TYPE_CHECKING:
    from typing import Any

    from esra_cli.facts import FactBase
    from esra_cli.query import View


class Argument:
    """A query command's one positional argument; `dest` names it in `answer`'s args."""

    __slots__ = ("completes", "default", "dest", "help", "metavar", "required", "variadic")

    def __init__(
        self,
        dest: str,
        metavar: str,
        help: str,
        *,
        required: bool = False,
        default: str | None = None,
        completes: str | None = None,
        variadic: bool = False,
    ) -> None:
        self.dest, self.metavar, self.help = dest, metavar, help
        self.required, self.default, self.variadic = required, default, variadic
        # The kind of entity shell completion offers for it: a table of the base, or
        # "alliances", the organizations that members and tree accept (query.completions).
        self.completes = completes


class DateOption:
    """An option taking an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)."""

    __slots__ = ("dest", "flag", "help")

    def __init__(self, flag: str, dest: str, help: str) -> None:
        self.flag, self.dest, self.help = flag, dest, help


class Command:
    """One query command: what it takes and what its --help says."""

    __slots__ = ("argument", "dates", "examples", "help", "lists", "name", "summary")

    def __init__(
        self,
        name: str,
        summary: str,
        help: str,
        examples: tuple[str, ...],
        argument: Argument | None = None,
        dates: tuple[DateOption, ...] = (),
        lists: bool = False,
    ) -> None:
        self.name, self.summary, self.help, self.examples = name, summary, help, examples
        self.argument = argument
        self.dates = (*dates, AS_OF)  # every query command answers about a day
        self.lists = lists  # a list: printed in any of FORMATS, its fields chosen by --fields

    def valued(self) -> tuple[str, ...]:
        """The options that take a value, besides the GLOBAL ones."""
        return tuple(d.flag for d in self.dates) + (LIST_OPTIONS if self.lists else ())


AS_OF = DateOption(
    "--as-of",
    "as_of",
    "Judge roles past/current/upcoming on this date, and leave out what began after it unless"
    " announced by then (default: today).",
)
GLOBAL = ("--facts", "--lang")  # options every command takes, before or after its name
FLAGS = ("--json", "--cite")  # every query command's flags
LIST_OPTIONS = ("--format", "--fields")
FORMATS = ("table", "json", "jsonl", "csv", "plain")  # of the list commands, table the default


def output_format(as_json: bool, fmt: str | None) -> str:
    """The format an answer is printed in: --json wins over --format, whatever their order."""
    return "json" if as_json else fmt or FORMATS[0]


_ALLIANCE = "Alliance: esra, ara or ecrn."
_WORDS = "Words to filter by."

QUERIES = {
    c.name: c
    for c in (
        Command(
            "members",
            "Member regions of an alliance, with their roles today.",
            "Member regions of an alliance (default ESRA): country, since, role today, sources.",
            ("esra members", "esra members ara --json"),
            Argument("alliance", "[ALLIANCE]", _ALLIANCE, default=DEFAULT_ALLIANCE, completes="alliances"),
            lists=True,
        ),
        Command(
            "person",
            "One person: posts and roles with dates and status.",
            "One person: titles and roles with dates and status, events, sources.",
            ("esra person guidesi", "esra person tronzano --json"),
            Argument("name", "NAME", "Name, surname, first name or id.", required=True, completes="people"),
        ),
        Command(
            "who",
            "People and organizations with their roles.",
            "People and organizations with their roles.",
            ("esra who", "esra who ara"),
            Argument("text", "[QUERY]", _WORDS),
            lists=True,
        ),
        Command(
            "what",
            "Events, agreements, aims and figures, oldest first.",
            "What happened or was announced: events, agreements, collaborations, aims.",
            ("esra what", "esra what baviera"),
            Argument("text", "[QUERY]", _WORDS),
            lists=True,
        ),
        Command(
            "when",
            "The timeline, each date at its source's precision.",
            "The timeline, oldest first, each date at its source's precision.\n\n"
            'An entry stays when its period overlaps the range: "2025" is kept by --from 2025-06.\n'
            "With --as-of, the timeline as it stood that day.",
            ("esra when", "esra when --from 2025 --to 2025-06 --json", "esra when --as-of 2024-11-08"),
            dates=(
                DateOption("--from", "lo", "Keep entries from this date."),
                DateOption("--to", "hi", "Keep entries up to this date."),
            ),
            lists=True,
        ),
        Command(
            "where",
            "Places and what happened there.",
            "Places and what happened there; with PLACE, that place in full.",
            ("esra where", "esra where turin --json"),
            Argument("place", "[PLACE]", "A city or venue.", completes="places"),
            lists=True,
        ),
        Command(
            "org",
            "One alliance or institution: chairs, people, members.",
            "One alliance or institution: chairs, people in post, members, events.",
            ("esra org ara", 'esra org "european commission" --json'),
            Argument("name", "NAME", "Name, acronym or id.", required=True, completes="organizations"),
        ),
        Command(
            "region",
            "One region: names, memberships, people, events.",
            "One region: names, codes, memberships, people, events.",
            ("esra region bavaria", "esra region lombardia --json"),
            Argument(
                "name", "NAME", "Name in any language, alias or id.", required=True, completes="regions"
            ),
        ),
        Command(
            "search",
            "Every record in which each word matches.",
            "Every record in which each of the WORDS starts a word, in either language.",
            ("esra search microelettronica", "esra search lobby commission --json"),
            # Takes every remaining word, joined by spaces: `esra search 8 novembre`.
            Argument(
                "text", "WORDS...", "Each word must start a word of the record.", required=True, variadic=True
            ),
            lists=True,
        ),
        Command(
            "disputes",
            "Every fact sources disagree on, each side sourced.",
            "Every fact sources disagree on: the preferred value and each other one, with sources.",
            ("esra disputes", "esra disputes --json"),
            lists=True,
        ),
        Command(
            "sources",
            "The source register: publisher, title, date, URL.",
            "The source register: publisher, title, date, URL.",
            ("esra sources", "esra sources --json"),
            lists=True,
        ),
        Command(
            "tree",
            "An alliance as a tree: chairs over time, members.",
            "An alliance as a tree: its chairs over time and its members by country.",
            ("esra tree", "esra tree ara --lang it"),
            Argument("alliance", "[ALLIANCE]", _ALLIANCE, default=DEFAULT_ALLIANCE, completes="alliances"),
        ),
        Command(
            "show",
            "One record of any kind in full, with its sources.",
            "One record of any kind in full: every field, linked records by name, sources and quotes.",
            (
                "esra show lombardia-baviera-declaration",
                "esra search bavaria intent        (finds the id)",
                "esra show ansa-2024-11-08 --json",
            ),
            Argument("id", "ID", "A record's id, as search and --json give it.", required=True),
        ),
    )
}


def version_line(facts: str | None) -> str:
    """What `esra --version` prints: esra's version and its fact base's date, if it can read it."""
    from esra_cli import __version__, compiled, locate
    from esra_cli.errors import EsraError

    try:
        updated = "fact base updated " + str(compiled.open_base(locate.find(facts)).meta["updated"])
    except EsraError:
        updated = "fact base unavailable"
    return f"esra {__version__} ({updated})"


def answer(
    command: str, base: FactBase, lang: str, args: dict[str, Any], fmt: str, fields: str | None, cite: bool
) -> None:
    """Look up and print one query command's answer."""
    from esra_cli import render

    # The numbered sources under a table (--cite, or a narrow terminal) are written from the
    # register, read only when a table numbers its sources.
    register = lambda: {s["id"]: s for s in base.records("sources")}  # noqa: E731
    render.emit(view(command, base, lang, args), render.Output(fmt, lang, fields, cite, register))


def view(command: str, base: FactBase, lang: str, args: dict[str, Any]) -> View:
    """Answer one query command; `args` holds its parameters by `dest` (as_of, lo, hi, ...),
    a missing one as its default."""
    from esra_cli import dates, query

    on = dates.as_of(args.get("as_of"))
    argument = QUERIES[command].argument
    value: Any = args.get(argument.dest) if argument else None
    if not value and argument and argument.default:  # `esra members ""` too: ESRA's members
        value = argument.default
    match command:
        case "members":
            return query.members(base, value, lang, on)
        case "tree":
            return query.tree(base, value, lang, on)
        case "person":
            return query.person(base, value, lang, on)
        case "who":
            return query.who(base, value, lang, on)
        case "what":
            return query.what(base, value, lang, on)
        case "when":
            return query.when(base, args.get("lo"), args.get("hi"), lang, on)
        case "where":
            return query.where(base, value, lang, on)
        case "org":
            return query.org(base, value, lang, on)
        case "region":
            return query.region(base, value, lang, on)
        case "search":
            return query.search(base, value, lang, on)
        case "sources":
            return query.sources(base, on)
        case "disputes":
            return query.disputes(base, lang, on)
        case "show":
            return query.show(base, value, lang, on)
    raise ValueError(f"not a query command: {command}")
