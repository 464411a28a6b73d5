"""Answering query commands without importing Typer, whose import costs more than the answer.

Scripts call esra in loops and shells call it on every Tab, so start-up is the product's
speed. For argv made only of query commands and options this parser fully understands,
the answer comes from the same lookups and renderer as the Typer app. Anything else (help,
usage errors, writes, an unusual spelling) returns None and goes to the Typer app, which
owns every usage message. tests/test_fastpath.py checks both paths give the same answers.
"""

from __future__ import annotations

import os

from esra_cli.commands import FLAGS, FORMATS, GLOBAL, QUERIES, Command, answer, output_format, version_line
from esra_cli.settings import FACTS_ENV, LANG_ENV, LANGS


class Call:
    """One understood command line."""

    __slots__ = ("args", "as_json", "cite", "command", "facts", "fields", "format", "lang")

    def __init__(self, facts: str | None, lang: str) -> None:
        self.command: Command | None = None
        self.args: dict[str, str] = {}
        self.as_json = False
        self.format: str | None = None  # as --format gave it; output_format decides
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
            if call.command is None:
                if token not in QUERIES:
                    return None
                call.command = QUERIES[token]
            else:
                positionals.append(token)
            continue
        if token == "--":
            options_done = True
            continue
        name, equals, value = token.partition("=")
        command = call.command
        if command is not None and name in FLAGS and not equals:
            call.as_json |= name == "--json"
            call.cite |= name == "--cite"
        elif name in GLOBAL or (command is not None and name in command.valued()):
            if not equals:
                value = next(tokens, "")
                if not value or value.startswith("-"):
                    return None
            if not _take(call, command, name, value):
                return None
        else:
            return None
    if call.command is None or call.facts == "" or call.lang not in LANGS:
        return None
    argument = call.command.argument
    if argument is None:
        return call if not positionals else None
    if argument.variadic and positionals:  # every remaining word, as Typer joins them
        positionals = [" ".join(positionals)]
    if len(positionals) > 1 or (argument.required and not positionals):
        return None
    if positionals:
        call.args[argument.dest] = positionals[0]
    return call


def _take(call: Call, command: Command | None, name: str, value: str) -> bool:
    """Store one option's value (the last one given wins); False when the Typer app must judge it."""
    if name == "--facts":
        call.facts = value
    elif name == "--lang":
        call.lang = value.lower()
    elif name == "--format":
        if value not in FORMATS:
            return False
        call.format = value
    elif name == "--fields":
        call.fields = value
    else:
        from esra_cli import dates

        if command is None or not dates.is_valid(value):
            return False
        call.args[next(d.dest for d in command.dates if d.flag == name)] = value
    return True


def run(argv: list[str]) -> int | None:
    """Answer `argv` and return the exit code, or None to hand it to the Typer app."""
    if argv == ["--version"]:  # two strings: not worth importing Typer for (6.5x -> 2x)
        from esra_cli import render

        render.write_lines([version_line(os.environ.get(FACTS_ENV))])
        return 0
    call = parse(argv)
    if call is None or call.command is None:
        return None
    from esra_cli import compiled, locate

    # An EsraError goes up to entry.dispatch, the one place that maps it to its exit code.
    base = compiled.open_base(locate.find(call.facts))
    fmt = output_format(call.as_json, call.format)
    answer(call.command.name, base, call.lang, call.args, fmt, call.fields, call.cite)
    return 0
