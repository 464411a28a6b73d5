"""bash's completion of names without Typer: the same lines Typer prints, and only for names."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from esra_cli import complete
from tests.test_process import ESRA

TYPER_APP = "import sys; from esra_cli.entry import _run_typer; sys.argv[0] = 'esra'; sys.exit(_run_typer())"
NAMES = [
    "esra person gu",
    "esra person Gu",
    "esra person ",
    "esra person zz",
    "esra region Ba",
    "esra --lang it region ba",
    "esra region --lang it ba",
    "esra members --json e",
    "esra tree a",
    "esra org --as-of 2025 e",
    "esra where tu",
]
OTHERS = [
    "esra pe",  # a command
    "esra person --l",  # an option
    "esra person --lang ",  # an option's value
    "esra person guidesi ",  # a second word
    "esra when ",  # a command without NAME
    "esra person 'gu",  # quoting
    "esra person -- gu",
    "esra add person --id ",
]


def bash_env(line: str, **extra: str) -> dict[str, str]:
    words = line.split()
    current = len(words) if line.endswith(" ") else len(words) - 1
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ESRA_")}
    protocol = {"_ESRA_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(current)}
    return environment | protocol | extra


def completed(line: str, typer_app: bool = False, **extra: str) -> tuple[int, str, str]:
    command = [sys.executable, "-c", TYPER_APP] if typer_app else [ESRA]
    done = subprocess.run(
        command, capture_output=True, text=True, env=bash_env(line, **extra), timeout=60, check=False
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("line", NAMES + OTHERS)
def test_bash_gets_what_typer_would_print(line: str, tmp_path: Path) -> None:
    typer_app = completed(line, typer_app=True, ESRA_CACHE="off")
    assert completed(line, ESRA_CACHE=str(tmp_path)) == typer_app  # the first: looked up
    assert completed(line, ESRA_CACHE=str(tmp_path)) == typer_app  # the same Tab again: kept


@pytest.mark.parametrize(("line", "answered"), [(n, True) for n in NAMES] + [(o, False) for o in OTHERS])
def test_only_names_are_answered_without_typer(
    line: str, answered: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in bash_env(line).items():
        monkeypatch.setenv(key, value)
    with redirect_stdout(io.StringIO()) as out:
        code = complete.run()
    assert (code == 0) is answered
    assert bool(out.getvalue()) is answered


@pytest.mark.parametrize("lang", ["it", "EN", "fr"])
def test_the_language_may_come_from_the_environment(lang: str, tmp_path: Path) -> None:
    line = "esra region ba"
    expected = completed(line, typer_app=True, ESRA_CACHE="off", ESRA_LANG=lang)
    assert completed(line, ESRA_CACHE=str(tmp_path), ESRA_LANG=lang) == expected


def test_a_broken_base_offers_nothing_and_says_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "facts.toml"
    broken.write_text("[[people]\n", encoding="utf-8")
    result = completed("esra person gu", ESRA_FACTS=str(broken))
    assert result == (0, "\n", "")
    assert result == completed("esra person gu", typer_app=True, ESRA_FACTS=str(broken))
