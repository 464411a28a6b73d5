"""Tab completion of names, answered without importing Typer.

Shells run `esra` on every Tab with _ESRA_COMPLETE set (Typer's protocol, installed by
`esra --install-completion`): bash passes COMP_WORDS and COMP_CWORD, zsh and fish the line
up to the cursor in _TYPER_COMPLETE_ARGS. When the word under the cursor is the NAME a
query command takes (`esra person gu<Tab>`), the candidates come from the compiled base like any
lookup, printed as Typer prints them, but with each description as written: Typer renders
zsh's and fish's descriptions through Rich, which reads "[x]" as markup (and fails on "[/]"),
":smile:" as an emoji and wraps long ones. Anything else goes to Typer, which owns the
protocol: commands and options, quoted words; there a description Rich would alter is left
out (`for_typer`). tests/test_complete.py checks both agree where Rich changes nothing.
"""

from __future__ import annotations

import os

from esra_cli.escape import clean
from esra_cli.fastpath import parse

SHELLS = ("complete_bash", "complete_zsh", "complete_fish")
# What Rich, rendering a description for Typer, would read as markup or an emoji code.
_RICH_SYNTAX = ("[", ":")


def run() -> int | None:
    """Print the candidates for the shell asking and return the exit code; None: Typer's turn."""
    shell = os.environ.get("_ESRA_COMPLETE", "")
    words = _words(shell)
    if words is None:
        return None
    args, typed = words
    if typed.startswith("-") or "--" in args:
        return None
    call = parse([*args, typed])
    argument = call.command.argument if call is not None and call.command is not None else None
    # A variadic argument takes every further word; any other, only the word being typed.
    if call is None or argument is None or (call.args.get(argument.dest) != typed and not argument.variadic):
        return None  # not a query command's argument: an option's value, a command, a second word
    # Free words (`what`, `who`, `search`) complete to nothing: not to file names either.
    offered = _candidates(argument.completes, typed, call.facts, call.lang) if argument.completes else []
    if shell == "complete_fish" and os.environ.get("_TYPER_COMPLETE_FISH_ACTION") == "is-args":
        return 0 if offered else 1  # "are there names to offer?" (fish asks before get-args)
    from esra_cli import render

    render.write_answer(_format(shell, offered), table=False)
    return 0


def _words(shell: str) -> tuple[list[str], str] | None:
    """The words before the cursor's (command name dropped) and the word being typed."""
    current: int | None = None
    if shell == "complete_bash":
        line = os.environ.get("COMP_WORDS", "")
        try:
            current = int(os.environ.get("COMP_CWORD", ""))
        except ValueError:
            return None
    elif shell in SHELLS:  # zsh, fish: the line up to the cursor
        line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
    else:
        return None
    if any(ch in line for ch in "\"'\\"):
        return None  # Typer splits quoted words as a shell would; plain words split alike
    words = line.split()
    if current is None:  # the last word is being typed, unless a space ended it
        current = len(words) if line.endswith(" ") or len(words) < 2 else len(words) - 1
    return words[1:current], words[current] if current < len(words) else ""


def _candidates(table: str, typed: str, facts: str | None, lang: str) -> list[tuple[str, str]]:
    """(name, label) pairs for `typed`, from the compiled base like any lookup."""
    from esra_cli import compiled, locate, query
    from esra_cli.errors import EsraError

    try:
        return query.completions(compiled.open_base(locate.find(facts)), table, typed, lang)
    except EsraError:
        return []  # a broken base: nothing to offer, and no error in the middle of a prompt


def for_typer(label: str) -> str:
    """A description for Typer's completion: `label`, or "" where Rich would not print it as is."""
    return label if _plain(label, _rich_width()) else ""


def _plain(label: str, width: int) -> bool:
    """Whether Rich, at `width` columns, would print `label` as it is (see _RICH_SYNTAX)."""
    return (
        label.isprintable()
        and label == label.strip()
        and 2 * len(label) <= width  # unwrapped even if every character were double-width
        and not any(mark in label for mark in _RICH_SYNTAX)
    )


def _rich_width() -> int:
    """The width of Typer's Rich console for completions (rich.console.Console.size); 0: unknown."""
    fixed = os.environ.get("TERMINAL_WIDTH")
    if fixed:
        return int(fixed) if fixed.isdigit() else 0
    width = 0
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
            break
        except (OSError, ValueError):
            pass
    columns = os.environ.get("COLUMNS", "")
    return (int(columns) if columns.isdigit() else width) or 80


def _format(shell: str, offered: list[tuple[str, str]]) -> str:
    """The candidates as Typer's completion classes print them, newline included."""
    if shell == "complete_bash":
        return "".join(f"{value}\n" for value, _ in offered) or "\n"
    if shell == "complete_fish":  # a tab ends the value, a line the candidate: neither in a label
        return "".join(f"{value}\t{clean(label, lines=False)}\n" for value, label in offered) or "\n"
    if not offered:
        return ""  # zsh: no match (Typer would print `_files`: a query never takes a file)

    def escape(text: str) -> str:
        for mark, escaped in (('"', '""'), ("'", "''"), ("$", "\\$"), ("`", "\\`"), (":", "\\\\:")):
            text = text.replace(mark, escaped)
        return text

    pairs = "\n".join(f'"{escape(value)}":"{escape(clean(label, lines=False))}"' for value, label in offered)
    return f"_arguments '*: :(({pairs}))'\n"
