"""Which lookup answers which query command: the one dispatch the Typer app and the fast path share."""

from __future__ import annotations

from esra_cli.settings import DEFAULT_ALLIANCE

TYPE_CHECKING = False  # the fast path reads QUERIES before it knows a lookup is needed
if TYPE_CHECKING:
    from typing import Any

    from esra_cli.facts import FactBase
    from esra_cli.query import View

# Query commands and their parameters: (positional arguments, options that take a value).
# Every query command also takes --facts and --lang, and the FLAGS. tests/test_fastpath.py
# checks this table against the Typer app.
LISTS = ("--format", "--fields")  # list commands print in any of FORMATS
QUERIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "members": (("alliance",), ("--as-of", *LISTS)),
    "person": (("name",), ("--as-of",)),
    "who": (("text",), ("--as-of", *LISTS)),
    "what": (("text",), ("--as-of", *LISTS)),
    "when": ((), ("--from", "--to", "--as-of", *LISTS)),
    "where": (("place",), ("--as-of", *LISTS)),
    "org": (("name",), ("--as-of",)),
    "region": (("name",), ("--as-of",)),
    "search": (("text",), ("--as-of", *LISTS)),
    "sources": ((), ("--as-of", *LISTS)),
    "disputes": ((), ("--as-of", *LISTS)),
    "tree": (("alliance",), ("--as-of",)),
    "show": (("id",), ("--as-of",)),
}
# The kind of entity each command's NAME argument completes to (shell completion):
# a table of the base, or "alliances", the organizations that members and tree accept.
COMPLETES = {
    "members": "alliances",
    "person": "people",
    "where": "places",
    "org": "organizations",
    "region": "regions",
    "tree": "alliances",
}
FLAGS = ("--json", "--cite")
FORMATS = ("table", "json", "jsonl", "csv", "plain")  # of the list commands; cli.OutputFormat
REQUIRED = {"person": 1, "org": 1, "region": 1, "search": 1, "show": 1}
# Commands whose last argument takes every remaining word (joined by spaces): `search 8 novembre`.
VARIADIC = ("search",)
DATE_OPTIONS = ("--as-of", "--from", "--to")


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
    """Answer one query command; `args` holds its parameters by name (as_of, lo, hi, ...)."""
    from esra_cli import dates, query

    on = dates.as_of(args.get("as_of"))
    match command:
        case "members":
            return query.members(base, args.get("alliance") or DEFAULT_ALLIANCE, lang, on)
        case "person":
            return query.person(base, args["name"], lang, on)
        case "who":
            return query.who(base, args.get("text"), lang, on)
        case "what":
            return query.what(base, args.get("text"), lang, on)
        case "when":
            return query.when(base, args.get("lo"), args.get("hi"), lang, on)
        case "where":
            return query.where(base, args.get("place"), lang, on)
        case "org":
            return query.org(base, args["name"], lang, on)
        case "region":
            return query.region(base, args["name"], lang, on)
        case "search":
            return query.search(base, args["text"], lang, on)
        case "sources":
            return query.sources(base, on)
        case "disputes":
            return query.disputes(base, lang, on)
        case "show":
            return query.show(base, args["id"], lang, on)
        case "tree":
            return query.tree(base, args.get("alliance") or DEFAULT_ALLIANCE, lang, on)
    raise ValueError(f"not a query command: {command}")
