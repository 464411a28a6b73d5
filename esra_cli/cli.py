"""The Typer app: shared options declared once, one short function per command.

Every query command is parse -> load -> query -> render. Expected failures are EsraError
subclasses, which pass through the app to entry.answered, the one place that turns them into
one stderr line and their exit code, for this door and the fast path alike.
"""

from __future__ import annotations

import inspect
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from esra_cli import answers, compiled, dates, facts, locate, query, render, schema
from esra_cli.complete import for_typer
from esra_cli.errors import EXIT_FACTS, EXIT_OK, EsraError, UsageError
from esra_cli.settings import DEFAULT_ALLIANCE, FACTS_ENV, LANG_ENV, LANGS

# Installed help only: a wheel has no README to point at.
EPILOG = (
    "Each command's --help has examples; `esra fields COMMAND` and `esra schema COMMAND` give its "
    "JSON contract. Exit codes: 0 ok, 2 usage, 3 not found, 4 fact base, 5 output, 130 interrupted."
)


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def completion_shell(argv: list[str]) -> str | None:
    """The shell `--show-completion SHELL` names, if argv asks for one. Typer's own option is
    a flag that detects the shell running esra, and prints bash's script for `zsh`."""
    if "--show-completion" not in argv:
        return None
    after = argv[argv.index("--show-completion") + 1 :]
    return after[0] if after and after[0] in SHELLS else None


def completion_script(shell: str) -> str:
    """The completion script of `shell`, as `--show-completion` prints it."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="esra", complete_var="_ESRA_COMPLETE", shell=shell) + "\n"


class OutputFormat(StrEnum):
    """Output formats of the list commands."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    plain = "plain"


# The languages esra answers in (settings.LANGS), as the choices of --lang.
Lang = StrEnum("Lang", [(code, code) for code in LANGS])  # type: ignore[misc]
DEFAULT_LANG = Lang(LANGS[0])


class GraphFormat(StrEnum):
    """Formats of `esra graph`."""

    dot = "dot"
    mermaid = "mermaid"


class ExportFormat(StrEnum):
    """Formats of `esra export`."""

    toml = "toml"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    jsonld = "jsonld"
    sqlite = "sqlite"


@dataclass(frozen=True, slots=True)
class Settings:
    """Options that may come before or after the command name; the later one wins."""

    facts: Path | None = None
    lang: Lang = DEFAULT_LANG


class EsraCommand(TyperCommand):
    """A command whose usage line names a required argument plainly (NAME, not Typer's {NAME})."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces: list[str] = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]


class EsraGroup(TyperGroup):
    """A closed pipe is a reader that left: exit 0 (Click would make it 1). esra's own
    errors pass through, to the one place that maps them to their exit code (entry.dispatch)."""

    # Typed Any: the supertype's Context lives in Typer's private vendored Click.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            silence_stdout()
            raise typer.Exit(EXIT_OK) from None


def silence_stdout() -> None:
    """After a reader closed the pipe, point stdout at /dev/null so the final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno() if sys.stdout is not None else 1)
    except (OSError, ValueError):
        pass  # no real file descriptor (tests, closed stream): nothing left to flush into


def _iso_date(value: str | None) -> str | None:
    if value is not None and not dates.is_valid(value):
        raise typer.BadParameter(f"{value!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return value


FactsOpt = Annotated[
    Path | None,
    typer.Option(
        "--facts",
        metavar="PATH",
        help=f"Fact base to read [env: {FACTS_ENV}].",
        show_default=False,
        readable=False,  # facts.read_bytes judges the file: unreadable is exit 4, not a usage error
    ),
]
LangOpt = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        case_sensitive=False,
        help=f"Answer in English or Italian [env: {LANG_ENV}].",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts (short for --format json).")]
CiteOpt = Annotated[bool, typer.Option("--cite", help="Number the sources and list them under the table.")]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", help="table for people; json, jsonl, csv or plain for tools.")
]
FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="A,B,...",
        help="Keep only these fields (see esra fields COMMAND).",
        show_default=False,
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        callback=_iso_date,
        help=(
            "Judge roles past/current/upcoming on this date, and leave out what began after"
            " it unless announced by then (default: today)."
        ),
        show_default=False,
    ),
]

app = typer.Typer(
    cls=EsraGroup,
    name="esra",
    # Plain Click help: Rich help would import Rich on every --help (see bench/).
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EPILOG,
)


@app.callback()
def main(
    ctx: typer.Context,
    facts_path: Annotated[
        Path | None,
        typer.Option(
            "--facts",
            metavar="PATH",
            envvar=FACTS_ENV,
            help="Fact base to read.",
            show_default=False,
            readable=False,  # as in FactsOpt
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="[en|it]",
            callback=_language,
            help=f"Answer in English or Italian.  [env var: {LANG_ENV}; default: {LANGS[0]}]",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", help="Show the version and the fact base's date.")
    ] = False,
) -> None:
    """Who, what, when and where of Lombardy joining the European Semiconductor Regions Alliance.

    \b
    Examples:
      esra members                      ESRA member regions
      esra person guidesi               one person: posts, dates, sources
      esra when --from 2025 --json      the 2025 timeline as JSON
      esra --lang it region baviera     a region, in Italian
    """
    ctx.obj = Settings(facts_path, Lang(lang or LANGS[0]))
    if version:
        render.write_lines([answers.version_line(ctx.obj.facts)])
        raise typer.Exit(EXIT_OK)
    if ctx.invoked_subcommand is None:
        render.write_lines([ctx.get_help()])
        raise typer.Exit(EXIT_OK)


def _language(value: str | None) -> str:
    """--lang, else $ESRA_LANG, else English; a wrong value is blamed on where it was given.

    Not Click's envvar: it names the variable in its message even when the option was typed.
    """
    given = value if value is not None else os.environ.get(LANG_ENV)
    if given is None:
        return LANGS[0]
    if given.lower() not in LANGS:
        where = "'--lang'" if value is not None else f"${LANG_ENV}"
        choices = ", ".join(repr(code) for code in LANGS)
        raise typer.BadParameter(f"{given!r} is not one of {choices}.", param_hint=where)
    return given.lower()


def _completer(command: str) -> Any:
    """The autocompletion callback of a command's NAME: names of the kind it looks up.

    A shell's completion of NAME mostly comes from complete.py, without Typer; this serves
    what it leaves to Typer (see complete.py).
    """
    table = answers.COMPLETES[command]

    def offer(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        root = ctx.find_root().params
        try:
            path = ctx.params.get("facts_path") or root.get("facts_path")
            language = str(ctx.params.get("lang") or root.get("lang") or "en")
            offered = query.completions(compiled.open_base(locate.find(path)), table, incomplete, language)
            return [(value, for_typer(label)) for value, label in offered]
        except EsraError:
            return []  # a broken base: nothing to offer, and no error in the middle of a prompt

    return offer


def settings(ctx: typer.Context, path: Path | None, lang: Lang | None) -> Settings:
    """The group's settings, overridden by options given after the command name."""
    base: Settings = ctx.obj or Settings()
    return Settings(path or base.facts, lang or base.lang)


def load(ctx: typer.Context, path: Path | None) -> facts.FactBase:
    """The validated fact base, from its compiled database when it is current."""
    return compiled.open_base(locate.find(settings(ctx, path, None).facts))


def answer(
    ctx: typer.Context,
    command: str,
    as_json: bool,
    path: Path | None,
    lang: Lang | None,
    fmt: OutputFormat = OutputFormat.table,
    fields: str | None = None,
    cite: bool = False,
    **args: Any,
) -> None:
    """Load, look up, render: the whole body of every query command."""
    chosen = settings(ctx, path, lang)
    base = compiled.open_base(locate.find(chosen.facts))
    answers.answer(command, base, chosen.lang.value, args, "json" if as_json else fmt.value, fields, cite)


@app.command(cls=EsraCommand, short_help="Member regions of an alliance, with their roles today.")
def members(
    ctx: typer.Context,
    alliance: Annotated[
        str,
        typer.Argument(
            metavar="[ALLIANCE]",
            help="Alliance: esra, ara or ecrn.",
            autocompletion=_completer("members"),
        ),
    ] = DEFAULT_ALLIANCE,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = OutputFormat.table,
    fields: FieldsOpt = None,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """Member regions of an alliance (default ESRA): country, since, role today, sources.

    \b
    Examples:
      esra members
      esra members ara --json
    """
    answer(
        ctx,
        "members",
        as_json,
        facts_path,
        lang,
        fmt=fmt,
        fields=fields,
        cite=cite,
        alliance=alliance,
        as_of=as_of,
    )


@app.command(cls=EsraCommand, short_help="One person: posts and roles with dates and status.")
def person(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="Name, surname, first name or id.", autocompletion=_completer("person")
        ),
    ],
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """One person: titles and roles with dates and status, events, sources.

    \b
    Examples:
      esra person guidesi
      esra person tronzano --json
    """
    answer(ctx, "person", as_json, facts_path, lang, cite=cite, name=name, as_of=as_of)


@app.command(cls=EsraCommand, short_help="People and organizations with their roles.")
def who(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(metavar="[QUERY]", help="Words to filter by.")] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = OutputFormat.table,
    fields: FieldsOpt = None,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """People and organizations with their roles.

    \b
    Examples:
      esra who
      esra who ara
    """
    answer(ctx, "who", as_json, facts_path, lang, fmt=fmt, fields=fields, cite=cite, text=text, as_of=as_of)


@app.command(cls=EsraCommand, short_help="Events, agreements, aims and figures, oldest first.")
def what(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(metavar="[QUERY]", help="Words to filter by.")] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = OutputFormat.table,
    fields: FieldsOpt = None,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """What happened or was announced: events, agreements, collaborations, aims.

    \b
    Examples:
      esra what
      esra what baviera
    """
    answer(ctx, "what", as_json, facts_path, lang, fmt=fmt, fields=fields, cite=cite, text=text, as_of=as_of)


@app.command(cls=EsraCommand, short_help="The timeline, each date at its source's precision.")
def when(
    ctx: typer.Context,
    lo: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", callback=_iso_date, help="Keep entries from this date."),
    ] = None,
    hi: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", callback=_iso_date, help="Keep entries up to this date."),
    ] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = OutputFormat.table,
    fields: FieldsOpt = None,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """The timeline, oldest first, each date at its source's precision.

    An entry stays when its period overlaps the range: "2025" is kept by --from 2025-06.
    With --as-of, the timeline as it stood that day.

    \b
    Examples:
      esra when
      esra when --from 2025 --to 2025-06 --json
      esra when --as-of 2024-11-08
    """
    answer(
        ctx, "when", as_json, facts_path, lang, fmt=fmt, fields=fields, cite=cite, lo=lo, hi=hi, as_of=as_of
    )


@app.command(cls=EsraCommand, short_help="Places and what happened there.")
def where(
    ctx: typer.Context,
    place: Annotated[
        str | None,
        typer.Argument(metavar="[PLACE]", help="A city or venue.", autocompletion=_completer("where")),
    ] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = OutputFormat.table,
    fields: FieldsOpt = None,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """Places and what happened there; with PLACE, that place in full.

    \b
    Examples:
      esra where
      esra where turin --json
    """
    answer(
        ctx, "where", as_json, facts_path, lang, fmt=fmt, fields=fields, cite=cite, place=place, as_of=as_of
    )


@app.command(cls=EsraCommand, short_help="One alliance or institution: chairs, people, members.")
def org(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="Name, acronym or id.", autocompletion=_completer("org")),
    ],
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """One alliance or institution: chairs, people in post, members, events.

    \b
    Examples:
      esra org ara
      esra org "european commission" --json
    """
    answer(ctx, "org", as_json, facts_path, lang, cite=cite, name=name, as_of=as_of)


@app.command(cls=EsraCommand, short_help="One region: names, memberships, people, events.")
def region(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="Name in any language, alias or id.", autocompletion=_completer("region")
        ),
    ],
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """One region: names, codes, memberships, people, events.

    \b
    Examples:
      esra region bavaria
      esra region lombardia --json
    """
    answer(ctx, "region", as_json, facts_path, lang, cite=cite, name=name, as_of=as_of)


@app.command(cls=EsraCommand, short_help="Every record in which each word matches.")
def search(
    ctx: typer.Context,
    text: Annotated[
        list[str], typer.Argument(metavar="WORDS...", help="Each word must start a word of the record.")
    ],
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = OutputFormat.table,
    fields: FieldsOpt = None,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """Every record in which each of the WORDS starts a word, in either language.

    \b
    Examples:
      esra search microelettronica
      esra search lobby commission --json
    """
    answer(
        ctx,
        "search",
        as_json,
        facts_path,
        lang,
        fmt=fmt,
        fields=fields,
        cite=cite,
        text=" ".join(text),
        as_of=as_of,
    )


@app.command(cls=EsraCommand, short_help="Every fact sources disagree on, each side sourced.")
def disputes(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = OutputFormat.table,
    fields: FieldsOpt = None,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """Every fact sources disagree on: the preferred value and each other one, with sources.

    \b
    Examples:
      esra disputes
      esra disputes --json
    """
    answer(ctx, "disputes", as_json, facts_path, lang, fmt=fmt, fields=fields, cite=cite, as_of=as_of)


@app.command(cls=EsraCommand, short_help="The source register: publisher, title, date, URL.")
def sources(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = OutputFormat.table,
    fields: FieldsOpt = None,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """The source register: publisher, title, date, URL.

    \b
    Examples:
      esra sources
      esra sources --json
    """
    answer(ctx, "sources", as_json, facts_path, lang, fmt=fmt, fields=fields, cite=cite, as_of=as_of)


@app.command(cls=EsraCommand, short_help="An alliance as a tree: chairs over time, members.")
def tree(
    ctx: typer.Context,
    alliance: Annotated[
        str,
        typer.Argument(
            metavar="[ALLIANCE]",
            help="Alliance: esra, ara or ecrn.",
            autocompletion=_completer("tree"),
        ),
    ] = DEFAULT_ALLIANCE,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """An alliance as a tree: its chairs over time and its members by country.

    \b
    Examples:
      esra tree
      esra tree ara --lang it
    """
    answer(ctx, "tree", as_json, facts_path, lang, cite=cite, alliance=alliance, as_of=as_of)


@app.command(cls=EsraCommand, short_help="One record of any kind in full, with its sources.")
def show(
    ctx: typer.Context,
    rid: Annotated[str, typer.Argument(metavar="ID", help="A record's id, as search and --json give it.")],
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    cite: CiteOpt = False,
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """One record of any kind in full: every field, linked records by name, sources and quotes.

    \b
    Examples:
      esra show lombardia-baviera-declaration
      esra search bavaria intent        (finds the id)
      esra show ansa-2024-11-08 --json
    """
    answer(ctx, "show", as_json, facts_path, lang, cite=cite, id=rid, as_of=as_of)


@app.command(cls=EsraCommand, short_help="The base as a DOT or Mermaid graph.")
def graph(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="[ENTITY]", help="Only this person, organization, region or place and its neighbours."
        ),
    ] = None,
    fmt: Annotated[
        GraphFormat, typer.Option("--format", help="Graphviz DOT or a Mermaid flowchart.")
    ] = "dot",  # type: ignore[assignment]
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """The base as a graph: people -> bodies they serve, regions -> alliances, events -> places.

    \b
    Examples:
      esra graph guidesi | dot -Tsvg > guidesi.svg
      esra graph --format mermaid
    """
    from esra_cli import graph as graphs

    base = load(ctx, facts_path)
    language = settings(ctx, facts_path, lang).lang.value
    around = query.entity(base, name, language) if name else None
    draw = graphs.dot if fmt == GraphFormat.dot else graphs.mermaid
    render.write_text(draw(base, language, around))


@app.command("fields", cls=EsraCommand, short_help="The fields of a command's JSON output.")
def fields_command(
    command: Annotated[str, typer.Argument(metavar="COMMAND", help="A query command, e.g. members.")],
    as_json: JsonOpt = False,
) -> None:
    """The fields of a command's JSON output, for --fields.

    \b
    Examples:
      esra fields members
      esra members --fields id,name,since --format csv
    """
    from esra_cli import views

    if command not in views.VIEWS:
        raise UsageError(f"no command {command!r} with JSON output; try: {', '.join(views.COMMANDS)}")
    names = views.fields(command)
    render.write_json(names) if as_json else render.write_lines(names)


@app.command("schema", cls=EsraCommand, short_help="The JSON Schema of a command's JSON output.")
def schema_command(
    command: Annotated[
        str | None, typer.Argument(metavar="[COMMAND]", help="A query command; all of them when left out.")
    ] = None,
) -> None:
    """The JSON Schema of a command's --json output (draft 2020-12).

    \b
    Examples:
      esra schema members
      esra schema person > person.schema.json
    """
    from esra_cli import views

    if command is not None and command not in views.VIEWS:
        raise UsageError(f"no command {command!r} with JSON output; try: {', '.join(views.COMMANDS)}")
    render.write_json(views.schema(command) if command else {c: views.schema(c) for c in views.VIEWS})


@app.command(cls=EsraCommand, short_help="Validate the fact base (and its quotes).")
def check(
    ctx: typer.Context,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            metavar="FILE",
            exists=True,
            dir_okay=False,
            help="Also check that each quote from the source is in this text.",
        ),
    ] = None,
    source_id: Annotated[
        str | None,
        typer.Option(
            "--source-id", metavar="ID", help="Whose quotes --against checks (default: the announcement)."
        ),
    ] = None,
    as_json: JsonOpt = False,
    facts_path: FactsOpt = None,
) -> None:
    """Validate the whole fact base; with --against, find every quote in its source text.

    Problems are printed one per line (facts.toml:LINE: id: message); the summary goes to
    stderr. Exit 0 when clean, 4 when there are problems.

    \b
    Examples:
      esra check
      esra check --against announcement.it.txt
    """
    path = Path(locate.find(settings(ctx, facts_path, None).facts))
    from esra_cli import check as checking

    found = checking.report(path, against, source_id)
    render.problems(found, path, as_json)
    if found.problems:
        raise typer.Exit(EXIT_FACTS)


@app.command(cls=EsraCommand, short_help="The base as TOML, JSON, CSV, JSON-LD or SQLite.")
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = ExportFormat.toml,
    kind: Annotated[
        str | None, typer.Option("--kind", metavar="KIND", help="Only this kind of record, e.g. person.")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="[FILE]", help="The database to write, for --format sqlite.", show_default=False
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it is a SQLite database already.")
    ] = False,
    facts_path: FactsOpt = None,
) -> None:
    """The whole base, or one kind of record, as TOML, JSON, JSON Lines or CSV; or JSON-LD,
    or a SQLite database.

    JSON-LD uses schema.org terms (Organization, Person, Place, Event, memberOf, startDate)
    for RDF stores and Wikibase. A SQLite database goes to FILE: a table per kind of record,
    linked by foreign keys, a citations table (each value's sources and quotes) and full-text
    search, for sqlite-utils or Datasette, with Datasette's metadata beside it
    (esra.db -> esra.metadata.json). Both are always the whole base. An existing FILE is
    replaced only with --force, and only if it is a SQLite database: never the fact base,
    never another kind of file.

    \b
    Examples:
      esra export --format csv --kind person
      esra export --format jsonl | jq .id
      esra export --format sqlite esra.db && datasette esra.db -m esra.metadata.json
    """
    from esra_cli import export as exporting

    table = schema.table_of(kind)
    if fmt == ExportFormat.sqlite or file is not None:
        path = locate.find(settings(ctx, facts_path, None).facts)
        exporting.database(path, fmt.value, table, file, force=force)
        return
    render.write_text(exporting.export(load(ctx, facts_path), fmt.value, table))


@app.command(cls=EsraCommand, short_help="Browse the base in Datasette on 127.0.0.1.")
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port on 127.0.0.1.")] = 8001,
    facts_path: FactsOpt = None,
) -> None:
    """Browse the fact base in Datasette, on this machine only (127.0.0.1), until Ctrl-C.

    Exports the base as `export --format sqlite` does, to a private temporary folder that is
    removed when the server stops, and runs Datasette on it with its metadata: tables linked
    to each other, a search box, facets. Needs Datasette: pip install "esra[web]".

    \b
    Examples:
      esra serve
      esra serve --port 8080
    """
    from esra_cli import web

    web.serve(locate.find(settings(ctx, facts_path, None).facts), port)


class AddGroup(EsraGroup):
    """`esra add KIND`: a kind's command is built only when that kind is asked for.

    The ten commands carry about a hundred flags made from the schema; building them all
    on every call of the Typer app (help, completion) cost a third of the time it takes.
    """

    def list_commands(self, ctx: Any) -> list[str]:
        return [kind.singular for kind in schema.KINDS.values()]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        kind = schema.BY_SINGULAR.get(cmd_name)
        if kind is None:
            return None
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        _add_command(single, kind)
        return typer.main.get_command(single)


add_app = typer.Typer(
    cls=AddGroup,
    rich_markup_mode=None,
    no_args_is_help=True,
    help="Append one record to the fact base, validated first; the file is never rewritten.",
    short_help="Append one validated record to the fact base.",
)
app.add_typer(add_app, name="add")


def _add_command(target: typer.Typer, kind: schema.Kind) -> None:
    from esra_cli import forms, store

    def command(ctx: typer.Context, dry_run: bool, facts_path: Path | None, **values: Any) -> None:
        path = Path(locate.find(settings(ctx, facts_path, None).facts))
        record = forms.record(kind, values)
        if dry_run:
            render.write_text(store.preview(path, kind, record))
        else:
            store.add(path, kind, record)
            render.info(f"added {kind.singular} {record['id']} to {path}")

    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
    dry_run = inspect.Parameter(
        "dry_run",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool, typer.Option("--dry-run", help="Print the block instead of appending it.")
        ],
    )
    facts_param = inspect.Parameter(
        "facts_path", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=FactsOpt
    )
    command.__signature__ = inspect.Signature([context, *forms.parameters(kind), dry_run, facts_param])  # type: ignore[attr-defined]
    example = "--source ID" if kind.table != "sources" else "--publisher NAME"
    command.__doc__ = f"Append one {kind.singular} record: esra add {kind.singular} --id ID {example} ..."
    target.command(kind.singular, cls=EsraCommand)(command)
