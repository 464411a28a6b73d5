"""esra's help pages, rendered from the Typer app once and shipped as text (help.txt).

Importing Typer and building its command tree costs about six times a bare interpreter
start, and a help page changes only with esra's code. So `esra ... --help` is answered from
help.txt, one page per command, separated by form feeds, exactly as the app prints it on a
terminal 80 or more columns wide. A narrower terminal, or anything else unusual, goes to the
app. tests/test_help_pages.py fails when a shipped page differs from what the app renders;
`python -m esra_cli.helppages` writes help.txt anew.
"""

from __future__ import annotations

import os

from esra_cli.fastpath import LANGS

TYPE_CHECKING = False  # collections.abc costs a millisecond or two on the path that prints a page
if TYPE_CHECKING:
    from collections.abc import Iterator

PAGES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "help.txt")
HELP_FLAGS = ("--help", "-h")
# Click wraps help at min(terminal columns, 80) - 2: every terminal this wide prints the same page.
WIDTH = 80


def shipped(argv: list[str]) -> str | None:
    """The shipped page for `esra WORDS... --help` (or a bare `esra`), or None when the app must answer."""
    if (argv and argv[-1] not in HELP_FLAGS) or "_ESRA_COMPLETE" in os.environ:
        return None
    words = argv[:-1]
    if any(w.startswith("-") for w in words) or _columns() < WIDTH:
        return None
    # Except for `esra --help`, which is eager, Click first validates the top level's options,
    # and an invalid ESRA_LANG is then a usage error: the app says so.
    if (words or not argv) and os.environ.get("ESRA_LANG", "en").lower() not in (*LANGS, ""):
        return None
    try:
        with open(PAGES, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return None
    start = text.find(f"\f{' '.join(['esra', *words])}\n")
    if start < 0:
        return None  # not a command: the app prints the usage error
    start = text.index("\n", start) + 1
    end = text.find("\f", start)
    return text[start : end if end >= 0 else len(text)]


def _columns() -> int:
    """The terminal's width as Click finds it (shutil.get_terminal_size, without the import)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(1).columns
        except (OSError, ValueError):
            columns = 0
    return columns if columns > 0 else 80


def commands() -> Iterator[list[str]]:
    """Every command path of the app, the top level first: [], ["members"], ["add", "person"], ..."""
    from typer.main import get_command

    from esra_cli import cli

    def walk(command: object, words: list[str]) -> Iterator[list[str]]:
        yield words
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            return
        lister = getattr(command, "list_commands")  # noqa: B009 - a Click group's API, untyped here
        for name in lister(None):
            yield from walk(command.get_command(None, name), [*words, name])  # type: ignore[attr-defined]

    yield from walk(get_command(cli.app), [])


def render(words: list[str]) -> str:
    """The page the Typer app prints for `esra WORDS... --help` on an 80-column terminal."""
    import io
    from contextlib import redirect_stdout

    from esra_cli import cli

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(WIDTH)
    page = io.StringIO()
    try:
        with redirect_stdout(page):
            cli.app([*words, "--help"], prog_name="esra", standalone_mode=False)
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return page.getvalue()


def build() -> str:
    """help.txt's text: each page after a form feed and its command line."""
    return "".join(f"\f{' '.join(['esra', *words])}\n{render(words)}" for words in commands())


if __name__ == "__main__":
    with open(PAGES, "w", encoding="utf-8") as out:
        out.write(build())
