"""Shipped help pages: exactly what the Typer app prints, and only where it would print them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from esra_cli import helppages
from tests.conftest import TYPER_APP, heavy_imports, typer_app_answers
from tests.test_process import ESRA


def run(argv: list[str], env: dict[str, str], typer_app: bool = False) -> tuple[int, str, str]:
    """`esra ARGV` (or the bare Typer app) in a subprocess: exit code, stdout, stderr."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ESRA_")} | env
    command = [sys.executable, "-c", TYPER_APP, *argv] if typer_app else [ESRA, *argv]
    done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60, check=False)
    return done.returncode, done.stdout, done.stderr


def test_the_shipped_pages_are_what_the_app_renders() -> None:
    shipped = Path(helppages.PAGES).read_text(encoding="utf-8")
    assert shipped == helppages.build(), "help.txt is stale: run `python -m esra_cli.helppages`"


def test_every_command_has_a_page() -> None:
    pages = Path(helppages.PAGES).read_text(encoding="utf-8").split("\f")[1:]
    titles = [page.split("\n", 1)[0] for page in pages]
    assert titles == [" ".join(["esra", *words]) for words in helppages.commands()]
    assert {"esra", "esra members", "esra add", "esra add person"} <= set(titles)


PAGES = [
    ["--help"],
    ["-h"],
    ["members", "--help"],
    ["when", "-h"],
    ["add", "--help"],
    ["add", "person", "-h"],
]
SHIPPED = [(argv, {"COLUMNS": columns}) for argv in PAGES for columns in ("80", "200")]
OTHERS = [
    (["--help"], {"COLUMNS": "60"}),  # narrower: Click wraps it differently
    (["members", "--help"], {"ESRA_LANG": "fr"}),  # a usage error below the top level
    (["--help"], {"ESRA_LANG": "fr"}),  # but not at the top level: help is eager
    (["members", "--help"], {"ESRA_LANG": "IT"}),
    (["nosuch", "--help"], {}),
    (["add", "nosuch", "--help"], {}),
    (["--lang", "it", "--help"], {}),
    (["members", "--help", "extra"], {}),
    ([], {}),
    ([], {"ESRA_LANG": "fr"}),
    ([], {"COLUMNS": "60"}),
]


@pytest.fixture(scope="module")
def typer_pages() -> list[tuple[int, str, str]]:
    """The Typer app's answers to SHIPPED + OTHERS, from one process."""
    return typer_app_answers(SHIPPED + OTHERS)


def test_one_process_answers_as_a_process_a_call_would(typer_pages: list[tuple[int, str, str]]) -> None:
    for n in (0, len(SHIPPED) + 1, len(SHIPPED) + 8):
        argv, env = (SHIPPED + OTHERS)[n]
        assert typer_pages[n] == run(argv, env, typer_app=True)


@pytest.mark.parametrize("n", range(len(SHIPPED)), ids=lambda n: f"{' '.join(SHIPPED[n][0])} {SHIPPED[n][1]}")
def test_a_help_page_is_what_the_typer_app_prints(n: int, typer_pages: list[tuple[int, str, str]]) -> None:
    shipped = run(*SHIPPED[n])
    assert shipped == typer_pages[n]
    assert shipped[0] == 0 and shipped[1].startswith("Usage: esra")


@pytest.mark.parametrize("n", range(len(OTHERS)), ids=lambda n: f"{' '.join(OTHERS[n][0])} {OTHERS[n][1]}")
def test_other_help_requests_answer_as_the_typer_app_does(
    n: int, typer_pages: list[tuple[int, str, str]]
) -> None:
    assert run(*OTHERS[n]) == typer_pages[len(SHIPPED) + n]


def test_a_narrow_terminal_gets_a_narrower_page() -> None:
    wide, narrow = run(["--help"], {"COLUMNS": "100"}), run(["--help"], {"COLUMNS": "60"})
    first_paragraph = [page.split("\n\n")[1].splitlines() for page in (wide[1], narrow[1])]
    assert len(first_paragraph[0][0]) > 58 >= len(first_paragraph[1][0])


@pytest.mark.parametrize("argv", [["members", "--help"], []], ids=["members --help", "bare"])
def test_help_imports_no_framework(argv: list[str]) -> None:
    result, heavy = heavy_imports(argv, {**os.environ, "COLUMNS": "100"})
    assert result.returncode == 0
    assert result.stdout.startswith(" ".join(["Usage: esra", *argv[:-1]]))
    assert (result.stderr, heavy) == ("", "")
