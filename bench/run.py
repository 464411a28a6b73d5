"""esra's benchmark: wall time as a ratio to `python -c pass`, measured side by side.

    python bench/run.py                  # all rows, bases of 100 to 100,000 entities
    python bench/run.py --sizes 100,10000 --reps 5

These machines are noisy, so every timing alternates with its floor (the same interpreter
running `pass`, or parsing the same TOML with tomllib) and the medians are compared: a
ratio holds where an absolute time does not. Prints a Markdown table on stdout and a
progress bar on stderr. Synthetic bases are kept in bench/out/.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402 - lives beside this script

from esra_cli import locate  # noqa: E402 - after the path set-up, like synth
from esra_cli.cache import RACY_SECONDS  # noqa: E402

PYTHON = sys.executable
# The base the installed esra reads, and how long after a change it may be cached.
SHIPPED = Path(locate.find(None))
ESRA = str(Path(PYTHON).parent / "esra")
OUT = HERE / "out"
Row = tuple[str, str, float | None, str]  # call, measured ratio as text, target (None: none), comment


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"benchmark call failed ({proc.returncode}): {' '.join(command)}")
    return elapsed, usage.ru_maxrss


def ratio(
    make: Callable[[int], list[str]], floor: list[str], env: dict[str, str], reps: int,
    before: Callable[[int], None] = lambda _: None,
    settings: Callable[[int], dict[str, str]] = lambda _: {},
) -> tuple[float, float]:  # fmt: skip
    """Median of the call over median of the floor, alternating; and the call's median seconds.

    The n-th call runs make(n) after before(n), with settings(n) added to its environment.
    """
    calls, floors = [], []
    for n in range(reps):
        floors.append(timed(floor, env)[0])
        before(n)
        calls.append(timed(make(n), env | settings(n))[0])
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
    """A real edit: the bytes change, then the file settles as a curator's edit would.

    First the previous call's background cache write is given time to finish, so that it
    does not compete with the runs being timed (it runs on the other core for a user).
    """
    time.sleep(0.2 + path.stat().st_size / 10_000_000)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n# benchmark edit {n} {time.time()}\n")
    settle(path)


def command(call: list[str], n: int) -> list[str]:
    """The n-th run of a call; one ending in --as-of gets a new date each run, so no kept answer."""
    if call[-1] == "--as-of":
        return [ESRA, *call, f"20{10 + n // 12:02d}-{n % 12 + 1:02d}"]
    return [ESRA, *call]


def startup_rows(env: dict[str, str], reps: int) -> list[Row]:
    """The shipped base: repeated calls, help and memory."""
    floor = [PYTHON, "-c", "pass"]
    settle(SHIPPED)  # a fresh install's copy is as racy as an edit
    timed([ESRA, "members", "--json"], env)  # warm the shipped base's cache entry
    rows: list[Row] = []
    for call, target, note, settings in (
        (["members", "--json"], 3, "repeated call: kept answer", {}),
        (["members", "--json", "--as-of"], 3, "new call: index shards, no kept answer", {}),
        (["members"], 6, "Rich table, piped; repeated call: kept answer", {}),
        (["members", "--as-of"], 6, "Rich table, piped; new call: imports Rich", {}),
        (["--help"], 6, "shipped page, cache off", {"ESRA_CACHE": "off", "COLUMNS": "100"}),
        (["--help"], None, "a 60-column terminal: Typer wraps the page", {"COLUMNS": "60"}),
    ):
        measured, _ = ratio(partial(command, call), floor, env | settings, reps)
        shown = " ".join(call).replace("--as-of", "--as-of DATE")
        rows.append((f"`esra {shown}`", f"{measured:.2f}×", target, note))
    rich = [PYTHON, "-c", "from rich.console import Console; from rich.table import Table"]
    measured, _ = ratio(lambda _: rich, floor, env, reps)
    rows.append(("for comparison: importing Rich's console and table", f"{measured:.2f}×", None, "no esra"))
    rows += completion_rows(env, reps)
    peaks = [
        timed([ESRA, "members", "--json"], env | {"ESRA_CACHE": c})[1] for c in ("off", env["ESRA_CACHE"])
    ]
    rows.append(
        ("peak memory, shipped base", f"{max(peaks) / 1024:.1f} MiB", 40, "with and without the cache")
    )
    return rows


def completion_rows(env: dict[str, str], reps: int) -> list[Row]:
    """A shell asking for the names that complete `esra region PREFIX`, as on a Tab."""
    prefixes = [a + b for a in "bcdlmnpst" for b in "aeiou"]

    def bash(prefix: str) -> dict[str, str]:
        return {"_ESRA_COMPLETE": "complete_bash", "COMP_WORDS": f"esra region {prefix}", "COMP_CWORD": "2"}

    def zsh(prefix: str) -> dict[str, str]:
        return {"_ESRA_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": f"esra region {prefix}"}

    rows: list[Row] = []
    for shell, note, settings in (
        ("bash", "a new prefix each call", lambda n: bash(prefixes[n % len(prefixes)])),
        ("bash", "the same prefix again (Tab, Tab)", lambda _: bash("ba")),
        ("zsh", "a new prefix each call; with descriptions", lambda n: zsh(prefixes[-1 - n % len(prefixes)])),
    ):
        measured, _ = ratio(lambda _: [ESRA], [PYTHON, "-c", "pass"], env, reps, settings=settings)
        rows.append((f"`esra region PREFIX<Tab>` in {shell}", f"{measured:.2f}×", None, note))
    return rows


def size_rows(size: int, env: dict[str, str], reps: int) -> list[Row]:
    """A synthetic base: lookups after the first call, and the first call after an edit."""
    path, names = base_of(size)
    slow = max(3, reps // 5) if size >= 10_000 else reps
    local = env | {"ESRA_FACTS": str(path)}
    floor = [PYTHON, "-c", "pass"]
    target = 10 if size >= 100_000 else 5
    timed([ESRA, "person", names[0], "--json"], local)  # the first call builds the entry
    time.sleep(1)  # a large entry is written in the background

    def new_name(n: int) -> list[str]:
        return [ESRA, "person", names[(n * 7919 + 1) % len(names)], "--json"]

    rows: list[Row] = []
    measured, _ = ratio(new_name, floor, local, slow)
    rows.append((f"`esra person NAME --json`, {size:,} entities, a new name each call", f"{measured:.2f}×",
                 target, "index shards"))  # fmt: skip
    measured, _ = ratio(lambda _: [ESRA, "person", names[0], "--json"], floor, local, slow)
    rows.append((f"`esra person NAME --json`, {size:,} entities, same name again", f"{measured:.2f}×",
                 target, "kept answer"))  # fmt: skip
    parse = [PYTHON, "-c", f"import tomllib; tomllib.load(open({str(path)!r}, 'rb'))"]
    first = 3 if size >= 100_000 else 5 if size >= 10_000 else reps  # small floors are noisy: more runs
    measured, seconds = ratio(lambda _: [ESRA, "person", names[-1], "--json"], parse, local, first,
                              before=lambda n: edit(path, n))  # fmt: skip
    rows.append((f"first call after an edit, {size:,} entities (vs tomllib's parse)", f"{measured:.2f}×", 1.2,
                 f"{seconds:.2f} s"))  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,1000,10000,100000", help="entity counts, comma-separated")
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
        unit = " MiB" if "memory" in call else "×"
        goal = "—" if target is None else f"≤ {target:g}{unit}"
        print(f"| {call} | {measured} | {goal} | {note} |")


if __name__ == "__main__":
    main()
