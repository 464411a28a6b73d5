"""esra's benchmark: wall time as a ratio to `python -c pass`, measured side by side.

    python bench/run.py                  # all rows, bases of 1,000 to 100,000 entities
    python bench/run.py --sizes 1000 --reps 5

These machines are noisy, so every timing alternates with its floor (the same interpreter
running `pass`, or parsing the same TOML with tomllib) and the medians are compared: a
ratio holds where an absolute time does not. Prints a Markdown table on stdout and a
progress bar on stderr. Synthetic bases are kept in bench/out/.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import re
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402 - lives beside this script

from esra_cli import locate  # noqa: E402 - after the path set-up, like synth
from esra_cli.compiled import RACY_SECONDS  # noqa: E402

PYTHON = sys.executable
# The base the installed esra reads, and how long after a change it may be cached.
SHIPPED = Path(locate.find(None))
ESRA = str(Path(PYTHON).parent / "esra")
OUT = HERE / "out"
Row = tuple[str, str, float | None, str]  # call, measured ratio as text, target (None: none), comment


def timed(command: list[str], env: dict[str, str], terminal: bool = False) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run; on a pseudo-terminal of 100 columns if asked."""
    streams: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if terminal:
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        streams = {"stdin": follower, "stdout": follower, "stderr": follower}
        drain = threading.Thread(target=_drain, args=(leader,), daemon=True)
        drain.start()
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, **streams)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if terminal:
        os.close(follower)
        drain.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"benchmark call failed ({proc.returncode}): {' '.join(command)}")
    return elapsed, usage.ru_maxrss


def _drain(fd: int) -> None:
    """Read a pseudo-terminal until its last writer closes it, so that no write blocks."""
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def ratio(
    make: Callable[[int], list[str]], floor: list[str], env: dict[str, str], reps: int,
    before: Callable[[int], None] = lambda _: None,
    settings: Callable[[int], dict[str, str]] = lambda _: {},
    terminal: bool = False,
) -> tuple[float, float]:  # fmt: skip
    """Median of the call over median of the floor, alternating; and the call's median seconds.

    The n-th call runs make(n) after before(n), with settings(n) added to its environment.
    """
    calls, floors = [], []
    for n in range(reps):
        floors.append(timed(floor, env)[0])
        before(n)
        calls.append(timed(make(n), env | settings(n), terminal)[0])
    return statistics.median(calls) / statistics.median(floors), statistics.median(calls)


def settle(path: Path) -> None:
    """Wait until the file's last change (mtime or ctime) is older than the cache's racy
    window, as it is for a user whose next call comes seconds after an edit. (Setting the
    mtime back is no shortcut: it makes the ctime new.)"""
    st = path.stat()
    time.sleep(max(0.0, max(st.st_mtime, st.st_ctime) + RACY_SECONDS + 0.05 - time.time()))


def base_of(entities: int) -> tuple[Path, list[str]]:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"synthetic-{entities}.toml"
    names = synth.build(path, entities)  # cheap next to what it measures; keeps the file honest
    settle(path)
    return path, names


def edit(path: Path, n: int) -> None:
    """A real edit (`edited`), after which the file settles as a curator's edit would."""
    path.write_text(edited(path.read_text(encoding="utf-8"), n), encoding="utf-8")
    settle(path)


def edited(text: str, n: int) -> str:
    """A curator's n-th edit of a synthetic base: a person gets an alias (a new name, by which
    the posts that link to them are found too), a different one each time, all over the file."""
    people = text.count('\nid = "person-')
    k = (n * 7919 + people // 3) % people
    text, count = re.subn(
        rf'(?m)^(id = "person-{k}"\nname = "([^"]*)"\n)', rf'\1aliases = ["\2 {n}"]\n', text
    )
    assert count == 1, f"person-{k} not found"
    return text


def forget(cache: str, path: Path) -> None:
    """Delete every compiled base of `path` (the cache folder holds only esra's files here)."""
    for database in Path(cache).iterdir():
        with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(database)) as db:
            source = db.execute("SELECT value FROM meta WHERE key = 'source'").fetchone()
        if source and source[0] == str(path.resolve()):
            database.unlink()


def dated(call: list[str]) -> Callable[[int], list[str]]:
    """The n-th run of a call asks a new question: a new --as-of date each run."""
    return lambda n: [ESRA, *call, "--as-of", f"{2024 + n // 12 % 3}-{n % 12 + 1:02d}"]


def startup_rows(env: dict[str, str], reps: int) -> list[Row]:
    """The shipped base: lookups, tables, help and memory."""
    floor = [PYTHON, "-c", "pass"]
    settle(SHIPPED)  # a fresh install's copy is as racy as an edit
    timed([ESRA, "members", "--json"], env)  # compile the shipped base
    rows: list[Row] = []
    off = {"ESRA_CACHE": "off"}
    for call, target, note, settings, terminal in (
        (["members", "--json"], 3, "compiled base", {}, False),
        (["members", "--json"], None, "the same, cache off: parse and validate each call", off, False),
        (["person", "guidesi", "--json"], 3, "compiled base", {}, False),
        (["members"], 6, "Rich table, piped", {}, False),
        (["members"], 8, "Rich table on a 100-column terminal (pty)", {}, True),
        (["--help"], 8, "Typer's page on a 100-column terminal (pty)", {}, True),
    ):
        measured, _ = ratio(dated(call) if call[0] != "--help" else lambda _: [ESRA, "--help"],
                            floor, env | settings, reps, terminal=terminal)  # fmt: skip
        shown = " ".join(call) + (" --as-of DATE" if call[0] != "--help" else "")
        rows.append((f"`esra {shown}`", f"{measured:.2f}×", target, note))
    imports = [PYTHON, "-c", "import sqlite3, json"]
    measured, _ = ratio(lambda _: imports, floor, env, reps)
    rows.append(("for comparison: `import sqlite3, json`", f"{measured:.2f}×", None, "no esra"))
    rows += completion_rows(env, reps)
    peaks = [timed([ESRA, "members", "--json"], env | settings)[1] for settings in (off, {})]
    rows.append(("peak memory, shipped base", f"{max(peaks) / 1024:.1f} MiB", 40, "cache on and off"))
    return rows


def completion_rows(env: dict[str, str], reps: int) -> list[Row]:
    """A shell asking for the names that complete `esra region PREFIX`, as on a Tab."""
    prefixes = [a + b for a in "bcdlmnpst" for b in "aeiou"]

    def bash(n: int) -> dict[str, str]:
        line = f"esra region {prefixes[n % len(prefixes)]}"
        return {"_ESRA_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": "2"}

    measured, _ = ratio(lambda _: [ESRA], [PYTHON, "-c", "pass"], env, reps, settings=bash)
    return [("`esra region PREFIX<Tab>` in bash", f"{measured:.2f}×", None, "a new prefix each call")]


def asking(command: str, words: list[str]) -> Callable[[int], list[str]]:
    """The n-th run of `esra COMMAND WORD --json` asks for the n-th word."""
    return lambda n: [ESRA, command, words[n], "--json"]


def size_rows(size: int, env: dict[str, str], reps: int) -> list[Row]:
    """A synthetic base: lookups in its compiled base, and the first call after an edit."""
    path, names = base_of(size)
    local = env | {"ESRA_FACTS": str(path)}
    floor = [PYTHON, "-c", "pass"]
    timed([ESRA, "person", names[0], "--json"], local)  # the first call compiles the base

    def new_name(n: int) -> list[str]:
        return [ESRA, "person", names[(n * 7919 + 1) % len(names)], "--json"]

    rows: list[Row] = []
    label = f"{size:,} entities"
    measured, _ = ratio(new_name, floor, local, reps)
    rows.append((f"`esra person NAME --json`, {label}, a new name each call", f"{measured:.2f}×", 3, ""))
    measured, _ = ratio(dated(["members", "--json"]), floor, local, reps)
    rows.append((f"`esra members --json --as-of DATE`, {label}", f"{measured:.2f}×", 3, ""))
    words = [names[(n * 104729 + 7) % len(names)] for n in range(reps)]
    measured, _ = ratio(lambda n: [ESRA, "search", words[n], "--json"], floor, local, reps)
    rows.append((f"`esra search WORD --json`, {label}, a new word each call", f"{measured:.2f}×", 3,
                 "FTS5 index"))  # fmt: skip
    for command in ("who", "what"):
        measured, _ = ratio(asking(command, words), floor, local, reps)
        rows.append((f"`esra {command} WORD --json`, {label}, a new word each call", f"{measured:.2f}×", 3,
                     "FTS5 index: a filter reads only its candidates"))  # fmt: skip
    parse = [PYTHON, "-c", f"import tomllib; tomllib.load(open({str(path)!r}, 'rb'))"]
    first = 3 if size >= 100_000 else 5 if size >= 10_000 else reps  # small floors are noisy: more runs
    measured, seconds = ratio(lambda _: [ESRA, "person", names[-1], "--json"], parse, local, first,
                              before=lambda n: edit(path, n))  # fmt: skip
    rows.append((f"first call after an edit, {label} (vs tomllib's parse)", f"{measured:.2f}×", 1.3,
                 f"{seconds:.2f} s: parse and compile what changed, validate all"))  # fmt: skip

    def anew(n: int) -> None:  # another edit, and no database of any version of the file
        edit(path, first + n)
        forget(env["ESRA_CACHE"], path)

    measured, seconds = ratio(
        lambda _: [ESRA, "person", names[-1], "--json"], parse, local, first, before=anew
    )
    rows.append((f"the same with no earlier database, {label} (vs tomllib's parse)", f"{measured:.2f}×", None,
                 f"{seconds:.2f} s: parse, validate, compile all"))  # fmt: skip
    if size >= 100_000:
        edit(path, 2 * first)
        esra_peak = timed([ESRA, "person", names[-1], "--json"], local)[1]
        tomllib_peak = timed(parse, local)[1]
        rows.append((f"peak memory, first call after an edit, {label} (vs tomllib's)",
                     f"{esra_peak / tomllib_peak:.2f}×", 1.5, f"{esra_peak / 1024:.0f} MiB"))  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="entity counts, comma-separated")
    parser.add_argument("--reps", type=int, default=15, help="runs per fast row (slow rows use fewer)")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]

    import compileall

    import esra_cli

    compileall.compile_dir(str(Path(esra_cli.__file__).parent), quiet=1)  # as pip does at install
    cache_dir = tempfile.mkdtemp(prefix="esra-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESRA_")} | {"ESRA_CACHE": cache_dir}
    rows: list[Row] = []
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("shipped base", total=1 + len(sizes))
        rows += startup_rows(env, options.reps)
        for size in sizes:
            progress.update(task, advance=1, description=f"{size:,} entities")
            rows += size_rows(size, env, options.reps)
        progress.update(task, advance=1)

    print("| call | measured | target | note |")
    print("|---|---|---|---|")
    for call, measured, target, note in rows:
        unit = " MiB" if "MiB" in measured else "×"
        goal = "—" if target is None else f"≤ {target:g}{unit}"
        print(f"| {call} | {measured} | {goal} | {note} |")


if __name__ == "__main__":
    main()
