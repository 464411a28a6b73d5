"""The cache is a compiled form of the fact base, never a second truth: whatever happens to
it, or in its folder, esra answers what the file says, as the installed command."""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from esra_cli import cache, facts, index
from tests.conftest import NOBODY, SHIPPED
from tests.test_process import ESRA, on_terminal


def esra(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("ESRA_")} | env
    return subprocess.run([ESRA, *args], capture_output=True, text=True, env=full, timeout=60, check=False)


def fresh(*args: str) -> str:
    return esra(*args, ESRA_CACHE="off").stdout


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def test_a_piped_answer_is_not_replayed_on_a_terminal(cache_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESRA_")}
    env |= {"ESRA_CACHE": str(cache_dir), "COLUMNS": "80", "TERM": "xterm-256color"}
    for _ in range(2):  # the second piped call answers from what the first kept
        assert esra("members", "ara", ESRA_CACHE=str(cache_dir)).returncode == 0
    code, shown, _ = on_terminal([ESRA, "members", "ara"], env)
    assert code == 0
    lines = shown.replace("\r\n", "\n").splitlines()
    assert max(len(line) for line in lines if "\x1b" not in line) <= 80  # drawn for 80 columns
    assert "\x1b[" in shown  # with the terminal's styles


def test_a_coloured_answer_is_not_replayed_into_a_pipe(cache_dir: Path) -> None:
    forced = esra("sources", ESRA_CACHE=str(cache_dir), FORCE_COLOR="1")
    assert "\x1b[" in forced.stdout  # Rich was told to colour even a pipe
    piped = esra("sources", ESRA_CACHE=str(cache_dir))
    assert "\x1b" not in piped.stdout
    assert piped.stdout == fresh("sources")


def entries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]


@pytest.fixture(scope="module")
def large_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A base of several shards, settled past the racy window (so that it is cached)."""
    base = tmp_path_factory.mktemp("large") / "facts.toml"
    base.write_bytes(SHIPPED.read_bytes() + b"\n" + _people(600))
    _wait_for_ctime(base)
    return base


@pytest.mark.parametrize("damage", ["emptied", "truncated", "foreign"])
def test_a_damaged_entry_still_answers_and_is_repaired(
    large_base: Path, cache_dir: Path, damage: str
) -> None:
    base = large_base
    env = {"ESRA_CACHE": str(cache_dir), "ESRA_FACTS": str(base)}
    expected = esra("person", "p599", "--json", ESRA_CACHE="off", ESRA_FACTS=str(base)).stdout
    assert esra("who", "--json", **env).returncode == 0  # writes the entry
    (entry,) = entries(cache_dir)
    for shard in [p for p in entry.iterdir() if p.name.startswith(("records-", "head"))]:
        content = {"emptied": b"", "truncated": shard.read_bytes()[:7], "foreign": b"\x00garbage"}[damage]
        shard.write_bytes(content)
    again = esra("person", "p599", "--json", **env)
    assert (again.returncode, again.stdout, again.stderr) == (0, expected, "")
    repaired = esra("person", "p599", "--json", **env)
    assert (repaired.returncode, repaired.stdout) == (0, expected)
    (entry,) = entries(cache_dir)
    assert marshal.loads((entry / "head").read_bytes())["shards"] > 1


def _people(count: int) -> bytes:
    person = '[[people]]\nid = "p{n}"\nname = "Person {n}"\nsources = ["ansa-2024-11-08"]\nquotes = {{ ansa-2024-11-08 = "Regione Lombardia" }}\n\n'
    return "".join(person.format(n=n) for n in range(count)).encode()


def _wait_for_ctime(path: Path) -> None:
    """Until the file's ctime is out of the racy window, so that it may be cached."""
    time.sleep(max(0.0, path.stat().st_ctime + cache.RACY_SECONDS + 0.05 - time.time()))


def test_two_installs_keep_each_others_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESRA_CACHE", str(tmp_path / "cache"))
    base = tmp_path / "facts.toml"
    shutil.copyfile(SHIPPED, base)
    settled = base.stat().st_ctime + 60
    monkeypatch.setattr(time, "time", lambda: settled)
    loaded = facts.load(str(base))
    written = []
    for code in ("0.2.0-aaaaaaaa", "0.2.0-bbbbbbbb", "0.2.0-aaaaaaaa"):  # a pip install, a checkout
        monkeypatch.setattr(cache, "_CODE", [code])
        entry = cache.entry_for(str(base))
        assert entry is not None
        index.write(entry, loaded)
        written.append(entry)
    assert all(Path(entry).is_dir() for entry in written)


# --- the cache folder -----------------------------------------------------------------------


def test_a_relative_xdg_cache_home_is_ignored(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        [ESRA, "members", "--json"],
        capture_output=True,
        text=True,
        cwd=work,
        env={k: v for k, v in os.environ.items() if not k.startswith(("ESRA_", "XDG_"))}
        | {"HOME": str(home), "XDG_CACHE_HOME": "relative/cache"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert not (work / "relative").exists()
    assert (home / ".cache" / "esra").is_dir()


def test_the_folder_is_made_private_whatever_the_umask(tmp_path: Path) -> None:
    folder = tmp_path / "xdg" / "esra"
    result = subprocess.run(
        ["bash", "-c", 'umask 000; "$0" members --json >/dev/null', ESRA],
        env={k: v for k, v in os.environ.items() if not k.startswith("ESRA_")}
        | {"XDG_CACHE_HOME": str(tmp_path / "xdg")},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert folder.stat().st_mode & 0o777 == 0o700


def _plant(folder: Path) -> None:
    """Replace every kept answer in the cache folder with an escape sequence."""
    for kept in folder.glob("*/answers/*"):
        key, _ = marshal.loads(kept.read_bytes())
        kept.write_bytes(marshal.dumps((key, "\x1b]52;c;cGxhbnRlZA==\x07planted\n")))


@pytest.mark.parametrize("who", ["group-writable", "world-writable", "another user's"])
def test_an_unsafe_folder_is_not_used(cache_dir: Path, who: str) -> None:
    assert esra("members", "--json", ESRA_CACHE=str(cache_dir)).returncode == 0
    assert esra("members", "--json", ESRA_CACHE=str(cache_dir)).returncode == 0  # kept
    _plant(cache_dir)
    if who == "another user's":
        if os.geteuid() != 0:
            pytest.skip("only root can give the folder to another user")
        os.chown(cache_dir, NOBODY, NOBODY)
    else:
        cache_dir.chmod(0o770 if who == "group-writable" else 0o777)
    result = esra("members", "--json", ESRA_CACHE=str(cache_dir), ESRA_DEBUG="1")
    assert result.returncode == 0
    assert result.stdout == fresh("members", "--json")
    assert result.stderr == f"esra: not using the cache folder {cache_dir}: " + (
        "another user owns it\n" if who == "another user's" else "group or others may write to it\n"
    )
    assert esra("members", "--json", ESRA_CACHE=str(cache_dir)).stderr == ""  # said only when asked
