"""Help and README stay in step with the commands (after sqlite-utils' test_docs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from esra_cli.cli import app
from esra_cli.kinds import KINDS
from tests.conftest import ROOT, Run, esra

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_the_app_has_the_documented_commands() -> None:
    assert set(COMMANDS) >= {
        "members",
        "person",
        "who",
        "what",
        "when",
        "where",
        "org",
        "region",
        "search",
        "sources",
        "check",
        "add",
        "export",
    }


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_an_example(run: Run, command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: esra {command}")
    lines = result.stdout.splitlines()
    assert len(lines[2].strip()) > 20, "a one-line description"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert re.search(rf"`esra {command}\b", README), command


def test_the_readme_quick_start_is_the_two_commands() -> None:
    block = README.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert block.splitlines() == ["pip install . && esra members", 'pip install -e ".[test]" && pytest']


def console_examples() -> list[tuple[list[str], str]]:
    """README transcripts of one plain `esra` call with its whole output (no pipes, no cuts)."""
    found = []
    for block in README.split("```console\n")[1:]:
        body = block.split("```", 1)[0]
        first, _, output = body.partition("\n")
        command = first.removeprefix("$ ")
        if command.startswith("esra ") and "|" not in command and "..." not in output and "$ " not in output:
            found.append((command.split()[1:], output))
    return found


@pytest.mark.parametrize(
    ("args", "output"), console_examples(), ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_readme_transcripts_are_real_output(run: Run, args: list[str], output: str) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert [line.rstrip() for line in result.stdout.rstrip("\n").splitlines()] == output.rstrip(
        "\n"
    ).splitlines()


def test_readme_has_transcripts_to_check() -> None:
    assert len(console_examples()) >= 2


@pytest.mark.parametrize("kind", [k.singular for k in KINDS.values()])
def test_add_help_names_kinds_in_good_english(run: Run, kind: str) -> None:
    page = run("add", kind, "--help").stdout
    assert page.startswith(f"Usage: esra add {kind}")
    assert not re.search(r"\ba [aeiou]", page), page  # "id of a organization"
    assert "people" not in page  # a reference names one person


def test_every_check_rule_is_in_the_readme() -> None:
    from esra_cli.check import RULES

    for rule, meaning in RULES.items():
        assert f"| `{rule}` | {meaning} |" in README, rule


def test_the_readme_layout_table_lists_every_module() -> None:
    table = README.split("Layout of `esra_cli/`", 1)[1].split("\n\n", 2)[1]
    listed = set(re.findall(r"`(\w+)\.py`", table))
    modules = {p.stem for p in (ROOT / "esra_cli").glob("*.py")} - {"__init__", "__main__"}
    assert listed == modules


def test_the_architecture_map_names_every_module() -> None:
    architecture = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    modules = {p.stem for p in (ROOT / "esra_cli").glob("*.py")} - {"__init__", "__main__"}
    assert {m for m in modules if f"`{m}.py`" not in architecture} == set()
    assert {m for m in re.findall(r"`(\w+)\.py`", architecture) if m not in modules} == set()


def piped_examples() -> list[tuple[str, str]]:
    """README transcripts of an `esra` call piped into another tool (head, jq): each `$ `
    line of a console block with the lines up to the next one."""
    found = []
    for block in README.split("```console\n")[1:]:
        body = block.split("```", 1)[0]
        for part in ("\n" + body).split("\n$ ")[1:]:
            command, _, output = part.partition("\n")
            if command.startswith("esra ") and "|" in command:
                found.append((command, output))
    return found


def test_readme_piped_transcripts_are_real_output() -> None:
    """Each piped example, run by bash with the installed esra first on PATH; the jq ones
    too wherever jq is installed (it is on this project's machines and CI)."""
    import os
    import shutil
    import sys

    examples = piped_examples()
    assert len(examples) >= 4
    path = {"PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    checked = 0
    for command, output in examples:
        if "jq" in command and shutil.which("jq", path=path["PATH"]) is None:
            continue
        done = esra(command=("bash", "-c", command), env=path)
        assert done.stdout.rstrip("\n").splitlines() == output.rstrip("\n").splitlines(), command
        checked += 1
    assert checked >= sum("jq" not in command for command, _ in examples) >= 2
