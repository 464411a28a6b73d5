"""The installed command with hostile streams and files: the exit code is the one documented,
whatever happens to stderr; a stdout that refuses the answer is named; special files are refused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ESRA, SHIPPED, esra

BAD_BASE = '[meta]\nannouncement = "x"\nupdated = "2024"\n[[people]]\nid = "p"\n'


def shell(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a bash script with $ESRA set, and the environment cleared of ESRA_ settings."""
    return esra(command=("bash", "-c", script), env={**env, "ESRA": ESRA})


@pytest.fixture
def bad_base(tmp_path: Path) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(BAD_BASE, encoding="utf-8")
    return path


# Each: the arguments, and the exit code they must give whatever stderr is.
CALLS = [
    (["person", "nobodyxyz"], 3),
    (["members", "--facts", "/nonexistent/facts.toml"], 4),
    (["bogus-command"], 2),
    (["members", "--format", "xml"], 2),
    (["when", "--from", "2025-13"], 2),
]


@pytest.mark.parametrize("redirect", ["2>&-", "2>/dev/full"])
@pytest.mark.parametrize(("args", "code"), CALLS, ids=[" ".join(a) for a, _ in CALLS])
def test_the_exit_code_does_not_depend_on_stderr(args: list[str], code: int, redirect: str) -> None:
    result = shell(f'"$ESRA" {" ".join(args)} {redirect}')
    assert result.returncode == code
    assert result.stdout == ""  # a usage error is never printed on stdout instead
    assert result.stderr == ""


def test_check_with_problems_exits_4_with_stderr_closed(bad_base: Path) -> None:
    result = shell(f'"$ESRA" check --facts "{bad_base}" 2>&-')
    assert result.returncode == 4
    assert "missing required field" in result.stdout  # the problems themselves are data


def test_add_with_stderr_closed_exits_0_and_a_retry_is_a_duplicate(tmp_path: Path) -> None:
    base = tmp_path / "facts.toml"
    shutil.copyfile(SHIPPED, base)
    add = f'"$ESRA" add person --id maria-rossi --name "M R" --source ansa-2024-11-08 --quote "ansa-2024-11-08=Regione Lombardia" --facts "{base}"'
    assert shell(f"{add} 2>/dev/full").returncode == 0
    assert 'id = "maria-rossi"' in base.read_text(encoding="utf-8")
    again = shell(add)
    assert again.returncode == 4
    assert "duplicate id" in again.stderr


def test_stderr_on_a_pipe_nobody_reads_keeps_the_not_found_exit() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader of stderr is gone before esra writes its message
    try:
        proc = esra(
            "person", "nobodyxyz", stdout=subprocess.PIPE, stderr=write_end, capture_output=False, text=False
        )
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stdout) == (3, b"")


@pytest.mark.parametrize(
    "args",
    [
        "members",
        "members --json",
        "when --format csv",
        "person guidesi",
        "export",
        "export --format json",
        "graph",
        "sources --cite",
        "--help",
        "--version",
        "fields members",
        "schema members",
        'add person --id a-b --name AB --source ansa-2024-11-08 --quote "ansa-2024-11-08=Regione Lombardia" --dry-run',
    ],
)
def test_a_full_stdout_is_one_line_naming_it_and_exit_5(args: str) -> None:
    result = shell(f'"$ESRA" {args} >/dev/full')
    assert result.returncode == 5, result.stderr
    assert result.stderr == "esra: cannot write output: No space left on device\n"


def test_a_full_stdout_on_typers_own_help_is_named_too() -> None:
    # A terminal narrower than 80 columns gets Typer's own help page, written by Click.
    result = shell('"$ESRA" members --help >/dev/full', COLUMNS="60")
    assert (result.returncode, result.stderr) == (5, "esra: cannot write output: No space left on device\n")


def test_closed_stdin_stdout_and_stderr_leave_the_fact_base_alone(tmp_path: Path) -> None:
    # With fds 0-2 closed, the files esra opens would take their numbers; nothing may reach them.
    base = tmp_path / "facts.toml"
    shutil.copyfile(SHIPPED, base)
    add = f'"$ESRA" add person --id maria-rossi --name "M R" --source ansa-2024-11-08 --quote "ansa-2024-11-08=Regione Lombardia" --facts "{base}"'
    assert shell(f"{add} <&- >&- 2>&-").returncode == 0
    assert shell(f'"$ESRA" check --facts "{base}"').returncode == 0
    assert shell(f'"$ESRA" person nobodyxyz --facts "{base}" <&- >&- 2>&-').returncode == 3
    assert base.read_bytes().startswith(SHIPPED.read_bytes())


# --- special files as the fact base -----------------------------------------------------------


def refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 4, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert words in result.stderr


def test_dev_zero_is_refused_without_reading_it() -> None:
    # Under a 1 GiB address space, reading /dev/zero to the end would be a MemoryError.
    refused(shell('ulimit -v 1048576; ESRA_FACTS=/dev/zero "$ESRA" members'), "is a special file")


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "facts.toml"
    os.mkfifo(fifo)
    refused(shell(f'"$ESRA" members --facts "{fifo}"'), "is a FIFO, not a regular file")
    refused(shell(f'"$ESRA" check --facts "{fifo}"'), "is a FIFO, not a regular file")
    refused(shell(f'"$ESRA" check --against "{fifo}"'), "source text is a FIFO")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    refused(shell(f'"$ESRA" members --facts "{tmp_path}"'), "is a directory, not a regular file")


def test_a_base_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "facts.toml"
    with big.open("wb") as handle:
        handle.truncate(256 * 1024 * 1024 + 1)  # sparse: no disk used
    refused(shell(f'ulimit -v 1048576; "$ESRA" members --facts "{big}"'), "larger than 256 MiB")


def test_a_path_with_a_newline_is_one_escaped_line(tmp_path: Path) -> None:
    result = shell('"$ESRA" members --facts "$P"', P=str(tmp_path / "a\nb\x1b[31m.toml"))
    refused(result, "not found")
    assert "a\\x0ab\\x1b[31m.toml" in result.stderr


# A bug, planted: the lookup itself raises what no one expects, with a two-line message.
BUG = (
    "import sys; import esra_cli.query as q\n"
    "def members(*args): raise ValueError('two\\nlines')\n"
    "q.members = members; sys.argv = ['esra', 'members']\n"
    "from esra_cli.entry import main; main()"
)


def test_an_unexpected_error_is_one_line_and_exit_1_or_a_traceback_when_asked() -> None:
    done = esra(command=(sys.executable, "-c", BUG), env={"ESRA_CACHE": "off"})
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "esra: internal error: ValueError: two\\x0alines (ESRA_DEBUG=1 shows a traceback)\n"
    debug = esra(command=(sys.executable, "-c", BUG), env={"ESRA_CACHE": "off", "ESRA_DEBUG": "1"})
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "ValueError" in debug.stderr
