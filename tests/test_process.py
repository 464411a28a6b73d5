"""The installed `esra` command as a real process: pipes, encodings, terminals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ESRA, child_env, esra, on_terminal


def test_the_installed_command_answers_in_json() -> None:
    result = esra("members", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "lombardia" in {row["id"] for row in json.loads(result.stdout)}


def test_python_dash_m_runs_the_same_command() -> None:
    result = esra("person", "guidesi", "--json", command=(sys.executable, "-m", "esra_cli"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == "guido-guidesi"


@pytest.mark.parametrize(
    "args",
    # Help and the completion script are printed by Click and Rich, which make a closed pipe exit 1.
    [["members"], ["what", "--json"], ["when"], ["--help"], ["-h"], ["--show-completion", "bash"]],
    ids=" ".join,
)
def test_a_reader_closing_the_pipe_early_is_success(args: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before esra writes a byte
    try:
        proc = esra(*args, stdout=write_end, stderr=subprocess.PIPE, capture_output=False, text=False)
    finally:
        os.close(write_end)
    assert proc.returncode == 0
    assert proc.stderr == b""


def test_head_in_a_real_shell_pipeline_ends_quietly() -> None:
    script = 'set -o pipefail; "$0" what | head -n 1; "$0" when --json | head -c 1'
    result = esra(ESRA, command=("bash", "-c", script))
    assert result.returncode == 0
    assert result.stderr == ""


def test_an_ascii_stream_gets_escaped_json_and_a_readable_table() -> None:
    env = {"PYTHONIOENCODING": "ascii"}
    raw = esra("region", "baden-wurttemberg", "--json", env=env)
    assert raw.returncode == 0, raw.stderr
    assert raw.stdout.isascii()
    assert json.loads(raw.stdout)["name"] == "Baden-Württemberg"
    table = esra("region", "baden-wurttemberg", env=env)
    assert table.returncode == 0, table.stderr
    assert "Baden-W?rttemberg" in table.stdout


@pytest.mark.parametrize("env", [{"LC_ALL": "C"}, {"TERM": "dumb"}, {"NO_COLOR": "1"}], ids=str)
def test_plain_environments(env: dict[str, str]) -> None:
    result = esra("members", env=env)
    assert result.returncode == 0, result.stderr
    assert "Lombardy" in result.stdout


def test_a_closed_stdout_is_not_a_crash() -> None:
    result = esra(ESRA, command=("bash", "-c", '"$0" members >&-'))
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1)


def run_in_terminal(*args: str, columns: int) -> tuple[int, str]:
    """Run esra as a person at a shell would, on a terminal `columns` wide."""
    code, out, _ = on_terminal(*args, columns=columns)
    assert code == 0
    return code, out


def test_a_narrow_terminal_wraps_cells_instead_of_cutting_them() -> None:
    _, out = run_in_terminal("person", "tronzano", columns=40)
    assert "…" not in out
    plain = out.replace("\r\n", "\n")
    assert "Tronzano" in plain


def test_a_twenty_column_terminal_does_not_crash() -> None:
    code, out = run_in_terminal("members", columns=20)
    assert code == 0
    assert out


@pytest.fixture(scope="module")
def slow_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid base that takes a second or more to parse, so an interrupt lands in the parse."""
    shipped = (Path(__file__).resolve().parent.parent / "facts.toml").read_text(encoding="utf-8")
    person = '\n[[people]]\nid = "p{n}"\nname = "Person {n}"\nsources = ["ansa-2024-11-08"]\nquotes = {{ ansa-2024-11-08 = "Regione Lombardia" }}\n'
    extra = "".join(person.format(n=n) for n in range(60_000))
    path = tmp_path_factory.mktemp("slow") / "facts.toml"
    path.write_text(shipped + extra, encoding="utf-8")
    return path


def wait_for_cpu(pid: int, seconds: float) -> None:
    """Wait until a process has used this much CPU time: a point in its work that does not
    move with the machine's load, as a wall-clock sleep would."""
    ticks = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        user, system = stat.rpartition(")")[2].split()[11:13]  # utime and stime, in ticks
        if (int(user) + int(system)) / ticks >= seconds:
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} used less than {seconds} s of CPU in a minute")


@pytest.mark.parametrize("args", [["members", "--json"], ["check"]], ids=["fast path", "typer app"])
@pytest.mark.parametrize("whole_group", [True, False], ids=["ctrl-c", "kill -INT"])
def test_an_interrupt_ends_quietly_and_leaves_no_process_behind(
    args: list[str], whole_group: bool, slow_base: Path
) -> None:
    # Ctrl-C in a terminal signals the whole process group; `kill -INT` only esra itself.
    env = child_env({"ESRA_CACHE": "off", "ESRA_FACTS": str(slow_base)})
    proc = subprocess.Popen(
        [ESRA, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
        # As from a terminal: pytest may itself run with SIGINT ignored (a background job), and
        # an ignored SIGINT is inherited, and rightly kept by esra.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )
    wait_for_cpu(proc.pid, seconds=0.4)  # past start-up (a tenth of that), inside the parse
    assert proc.poll() is None, "the parse ended before the interrupt: the base is too small"
    if whole_group:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out, err) == (130, b"", b"")
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # no parser child is left in esra's process group
