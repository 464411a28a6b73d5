"""Answering query commands without importing Typer, whose import costs more than the answer.

Scripts call esra in loops and shells call it on every Tab, so start-up is the product's
speed. For argv made only of query commands and options this parser fully understands,
the answer comes from the same lookups and renderer as the Typer app. Anything else (help,
usage errors, writes, an unusual spelling) returns None and goes to the Typer app, which
owns every usage message. tests/test_fastpath.py checks both paths give the same answers.
"""

from __future__ import annotations

import os

from esra_cli.answers import DATE_OPTIONS, FORMATS, QUERIES, REQUIRED, VARIADIC
from esra_cli.settings import FACTS_ENV, LANG_ENV, LANGS

GLOBAL_OPTIONS = ("--facts", "--lang")
_ARG_NAMES = {"--as-of": "as_of", "--from": "lo", "--to": "hi"}


class Call:
    """One understood command line."""

    __slots__ = ("args", "cite", "command", "facts", "fields", "format", "lang")

    def __init__(self, facts: str | None, lang: str) -> None:
        self.command = ""
        self.args: dict[str, str | None] = {}
        self.format = "table"
        self.fields: str | None = None
        self.cite = False
        self.facts, self.lang = facts, lang


def parse(argv: list[str]) -> Call | None:
    """The call `argv` makes, or None when the Typer app should handle it."""
    call = Call(facts=os.environ.get(FACTS_ENV), lang=os.environ.get(LANG_ENV, LANGS[0]).lower())
    tokens = iter(argv)
    positionals: list[str] = []
    options_done = False
    for token in tokens:
        if options_done or not token.startswith("-") or token == "-":
            if not call.command:
                if token not in QUERIES:
                    return None
                call.command = token
            else:
                positionals.append(token)
            continue
        if token == "--":
            options_done = True
            continue
        name, equals, value = token.partition("=")
        allowed = GLOBAL_OPTIONS + (QUERIES[call.command][1] if call.command else ())
        if name == "--json" and call.command and not equals:
            call.format = "json"
        elif name == "--cite" and call.command and not equals:
            call.cite = True
        elif name in allowed:
            if not equals:
                value = next(tokens, "")
                if not value or value.startswith("-"):
                    return None
            if not _take(call, name, value):
                return None
        else:
            return None
    names = QUERIES[call.command][0] if call.command else ()
    if call.command in VARIADIC and len(positionals) > len(names):
        positionals = [*positionals[: len(names) - 1], " ".join(positionals[len(names) - 1 :])]
    if not call.command or not REQUIRED.get(call.command, 0) <= len(positionals) <= len(names):
        return None
    if call.facts == "" or call.lang not in LANGS:
        return None
    call.args.update(zip(names, positionals, strict=False))
    return call


def _take(call: Call, name: str, value: str) -> bool:
    """Store one option's value; False when the Typer app must judge it."""
    if name == "--facts":
        call.facts = value
    elif name == "--lang":
        call.lang = value.lower()
    elif name == "--format":
        if value not in FORMATS:
            return False
        if call.format != "json":  # --json wins, as in the Typer app
            call.format = value
    elif name == "--fields":
        call.fields = value
    else:
        from esra_cli import dates

        if name in DATE_OPTIONS and not dates.is_valid(value):
            return False
        call.args[_ARG_NAMES[name]] = value
    return True


def run(argv: list[str]) -> int | None:
    """Answer `argv` and return the exit code, or None to hand it to the Typer app."""
    if argv == ["--version"]:  # two strings: not worth importing Typer for (6.5x -> 2x)
        from esra_cli import answers, render

        render.write_lines([answers.version_line(os.environ.get(FACTS_ENV))])
        return 0
    call = parse(argv)
    if call is None:
        return None
    from esra_cli import answers, compiled, locate

    # An EsraError goes up to entry.dispatch, the one place that maps it to its exit code.
    base = compiled.open_base(locate.find(call.facts))
    answers.answer(call.command, base, call.lang, call.args, call.format, call.fields, call.cite)
    return 0
