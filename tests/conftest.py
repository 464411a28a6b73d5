"""Shared fixtures: every test runs the real CLI against an isolated environment."""

from __future__ import annotations

import contextlib
import io
import json
import os
import pty
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from esra_cli import dates
from esra_cli.entry import dispatch

ESRA = shutil.which("esra", path=str(Path(sys.executable).parent)) or "esra"  # the installed command
# What Rich reads from the environment to decide on colours and styles.
RICH_ENV = ("FORCE_COLOR", "NO_COLOR", "TERM", "COLORTERM", "TTY_COMPATIBLE", "TTY_INTERACTIVE")
ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "facts.toml"
# Status (past/current/planned) depends on the day; tests that check it pin this date.
AS_OF = "2026-11-25"
TODAY = dates.first_day(AS_OF)
# Property tests run a tenth of their examples by default, so the README's test command
# stays under a minute; HYPOTHESIS_PROFILE=ci (set by .ci/run) runs the full count.
FULL = os.environ.get("HYPOTHESIS_PROFILE") == "ci"


def pytest_configure(config: pytest.Config) -> None:
    """Byte-compile esra once, as `pip install` does for users.

    An editable install under PYTHONDONTWRITEBYTECODE (set on some CI images) would
    otherwise compile every module in every one of the hundreds of esra processes the
    tests start, doubling each one's start-up. esra itself never writes bytecode the
    user asked it not to (tests/test_cache.py); this is the test harness's own step.
    """
    if not hasattr(config, "workerinput"):  # the controller, before xdist's workers start
        import compileall

        compileall.compile_dir(ROOT / "esra_cli", quiet=1, maxlevels=0)


def examples(full: int) -> int:
    """How many examples a property test runs: `full` in CI, a tenth of it (at least 1) otherwise."""
    return full if FULL else max(1, full // 10)


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the session (per worker), as a user has one: the shipped base is
    compiled once, not once a test. A database is keyed on its fact base's stat and esra's
    code, so tests cannot see each other's; the cache's own tests use folders of their own."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, shared_cache: Path) -> None:
    """No user setting leaks in (esra's, the terminal's, what Rich reads), and no test reads
    the machine's clock: in-process, "today" is AS_OF (`dates.today`, the one place esra reads
    it). A test of another process passes --as-of; .ci/run runs the suite under a far-off
    clock to prove that none forgot."""
    for name in ("ESRA_FACTS", "ESRA_LANG", "ESRA_DEBUG", "ESRA_CACHE", "COLUMNS", "LINES", *RICH_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))
    monkeypatch.setattr(dates, "today", lambda: TODAY)


def child_env(env: Mapping[str, str] | None = None, without: tuple[str, ...] = ()) -> dict[str, str]:
    """The environment of a process a test starts: the test's own (cleaned by `isolated_env`)
    without any ESRA_ variable (the harness's ESRA_REQUIRE_* included) or a name starting with
    one of `without`, plus `env`."""
    dropped = ("ESRA_", *without)
    return {k: v for k, v in os.environ.items() if not k.startswith(dropped)} | dict(env or {})


def esra(
    *args: str,
    env: Mapping[str, str] | None = None,
    command: Sequence[str] = (ESRA,),
    without: tuple[str, ...] = (),
    **options: Any,
) -> subprocess.CompletedProcess[Any]:
    """Run `esra ARGS` as a process of its own (the installed command, or `command`: a shell,
    `python -c ...`), in `child_env(env, without)`; output captured, as text unless
    text=False; `options` go to subprocess.run. The one way the tests start a process that
    runs to its end (servers, signals and ptys start theirs from `child_env` too)."""
    check = options.pop("check", False)
    options = {"capture_output": True, "text": True, "timeout": 60, **options}
    return subprocess.run([*command, *args], check=check, env=child_env(env, without), **options)


def on_terminal(*args: str, columns: int = 100, env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    """Run `esra ARGS` with a pseudo-terminal `columns` wide as its stdout, in a child_env
    where nothing but `env` tells Rich how to draw: exit code, what the terminal got, stderr."""
    terminal_env = {"COLUMNS": str(columns), "LINES": "50", "TERM": "xterm-256color", **(env or {})}
    argv = [ESRA, *args]
    env = child_env(terminal_env, without=(*RICH_ENV, "JUPYTER"))
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(argv, stdout=terminal, stderr=subprocess.PIPE, env=env)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    stderr = proc.communicate(timeout=60)[1]
    return proc.wait(), b"".join(chunks).decode("utf-8", "replace"), stderr.decode("utf-8", "replace")


class Result:
    """One in-process call of esra: its exit code, and what it wrote to stdout and stderr."""

    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr


Run = Callable[..., Result]


class _Terminal(io.StringIO):
    """stdout as a terminal says it is one (Rich takes its width from COLUMNS)."""

    def isatty(self) -> bool:
        return True


def call(
    *args: str,
    env: dict[str, str] | None = None,
    terminal: bool = False,
    door: Callable[[list[str]], int] = dispatch,
) -> Result:
    """Invoke esra in-process through its front door (entry.dispatch), as the `esra` command
    does: call("members", "--json") -> Result with stdout and stderr apart. ESRA_DEBUG=1 lets
    an unexpected exception fail the test with its traceback, rather than as exit 1. With
    `terminal`, stdout is a 100-column colour terminal (the real ones: tests with a pty)."""
    settings = {"ESRA_DEBUG": "1", **(env or {})}
    if terminal:
        settings = {"COLUMNS": "100", "TERM": "xterm-256color", **settings}
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    out, err = _Terminal() if terminal else io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = door(list(args))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def run() -> Run:
    """esra in-process, through the front door users take (see `call`)."""
    return call


@pytest.fixture
def data(run: Run) -> Callable[..., Any]:
    """Run a command with --json, assert success, and return the parsed JSON."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
        result = run(*args, "--json", env=env)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        return json.loads(result.stdout)

    return invoke


@pytest.fixture
def facts_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped fact base."""
    target = tmp_path / "facts.toml"
    shutil.copyfile(SHIPPED, target)
    return target


@pytest.fixture
def shipped_text() -> Iterator[str]:
    yield SHIPPED.read_text(encoding="utf-8")


NOBODY = 65534


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A fresh folder that every user can enter, for tests that run esra as `nobody`.

    The checkout and pytest's tmp_path may sit in a private (0700) folder, which `nobody`
    cannot cross: such a test is skipped, with its reason, when no temporary folder is open.
    """
    for parent in dict.fromkeys([tempfile.gettempdir(), "/tmp", "/var/tmp"]):
        folders = [Path(parent), *Path(parent).parents]
        if Path(parent).is_dir() and all(f.stat().st_mode & 0o001 for f in folders):
            folder = Path(tempfile.mkdtemp(prefix="esra-test-", dir=parent))
            folder.chmod(0o755)
            yield folder
            shutil.rmtree(folder, ignore_errors=True)
            return
    pytest.skip("no temporary folder that user nobody can enter")


def as_user_without_privileges(
    *args: str, env: dict[str, str] | None = None, warm_up: tuple[str, ...] = ()
) -> tuple[int, str, str]:
    """Run esra in-process as a user without root's powers: (exit code, stdout, stderr).

    Root reads any file, so permission tests drop to `nobody` in a forked child. The child
    runs the already-imported app rather than a new process, which `nobody` might not be
    allowed to start from a venv inside root's home. Every file the call needs must be in
    an `open_folder`. Where the switch to `nobody` is not allowed, the test is skipped.
    """
    # As root first, in a scratch cache, so every module the call loads lazily is imported
    # (`warm_up` is appended there: `--dry-run` for a call that writes).
    call(*args, *warm_up, env={**(env or {}), "ESRA_CACHE": tempfile.mkdtemp()})
    if os.geteuid() != 0:
        result = call(*args, env=env)
        return result.exit_code, result.stdout, result.stderr
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root, run, report, and leave without pytest's teardown
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        except OSError as err:
            report = json.dumps([None, "", f"cannot run as user nobody: {err}"])
        else:
            try:
                result = call(*args, env=env)
                report = json.dumps([result.exit_code, result.stdout, result.stderr])
            except BaseException as err:
                report = json.dumps([-1, "", repr(err)])
        os.write(write_end, report.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    code, out, errors = json.loads(data)
    if code is None:
        pytest.skip(errors)
    return int(code), str(out), str(errors)


# The Typer app itself, bypassing every shortcut (fast path, shipped help, completion):
# what `esra` would print without them.
TYPER_APP = (
    "import sys; from esra_cli.entry import through_typer; sys.argv[0] = 'esra'; sys.exit(through_typer())"
)


# The Typer app's answers to many calls from one process, not one process a call (each
# imports Typer): each call gets its argv, its environment and streams of its own.
_TYPER_CALLS = """
import contextlib, io, json, os, sys
from esra_cli.entry import through_typer
sys.argv[0] = "esra"
answers, clean = [], dict(os.environ)
for argv, env in json.loads(sys.argv[1]):
    os.environ.clear()
    os.environ.update(clean, **env)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = through_typer(argv)
    answers.append([code, out.getvalue(), err.getvalue()])
sys.__stdout__.write(json.dumps(answers))
"""


def typer_app_answers(calls: list[tuple[list[str], dict[str, str]]]) -> list[tuple[int, str, str]]:
    """What the bare Typer app (no fast path, no shipped page) answers to each (argv, env)."""
    done = esra(json.dumps(calls), command=(sys.executable, "-c", _TYPER_CALLS), timeout=300, check=True)
    return [(int(code), str(out), str(err)) for code, out, err in json.loads(done.stdout)]


def heavy_imports(
    argv: list[str], env: Mapping[str, str], of: tuple[str, ...] = ("rich", "tomli_w", "typer")
) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run `esra ARGV` in a fresh interpreter: the result, and which modules of the packages
    `of` (Rich, tomli-w and Typer) it had imported when it exited (space-separated, '' for none)."""
    probe = f"""
import os, sys
sys.argv = ["esra", *{argv!r}]
real_exit = os._exit
parent = os.getpid()

def report_then_exit(code):
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in {of!r})
    sys.stderr.flush()
    os.write(2, ("\\0" + " ".join(heavy)).encode())  # past esra's stderr, which escapes a NUL
    real_exit(code)

os._exit = report_then_exit
from esra_cli.entry import main
main()
"""
    done = esra(command=(sys.executable, "-c", probe), env=env)
    stderr, reported, heavy = done.stderr.rpartition("\0")
    if not reported:  # it never reached os._exit: stderr says why
        return done, ""
    done.stderr = stderr
    return done, heavy
