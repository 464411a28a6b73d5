"""The compiled base is a compiled form of the fact base, never a second truth: whatever happens
to it, or in its folder, esra answers what the file says."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from esra_cli import compiled, facts
from esra_cli.errors import InvalidFacts
from tests.conftest import AS_OF, ESRA, NOBODY, SHIPPED, call, esra, examples, on_terminal


def fresh(*args: str) -> str:
    """The answer straight from the file, with no compiled base at all."""
    result = call(*args, env={"ESRA_CACHE": "off"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file is past the racy window, as a minute after its last edit."""
    later = time.time() + 60
    monkeypatch.setattr(time, "time", lambda: later)


def databases(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{compiled.PREFIX}*{compiled.SUFFIX}"))


# --- a table answer depends on where it goes, so it is never replayed ------------------------


def test_a_piped_call_then_a_terminal_call_draws_for_the_terminal(cache_dir: Path) -> None:
    for _ in range(2):  # the second piped call reads the compiled base the first wrote
        assert esra("members", "ara", env={"ESRA_CACHE": str(cache_dir)}).returncode == 0
    code, shown, _ = on_terminal("members", "ara", columns=80, env={"ESRA_CACHE": str(cache_dir)})
    assert code == 0
    lines = shown.replace("\r\n", "\n").splitlines()
    assert max(len(line) for line in lines if "\x1b" not in line) <= 80  # drawn for 80 columns
    assert "\x1b[" in shown  # with the terminal's styles


def test_a_coloured_answer_is_not_replayed_into_a_pipe(cache_dir: Path) -> None:
    forced = esra("sources", env={"ESRA_CACHE": str(cache_dir), "FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout  # Rich was told to colour even a pipe
    piped = esra("sources", env={"ESRA_CACHE": str(cache_dir)})
    assert "\x1b" not in piped.stdout
    assert piped.stdout == fresh("sources")


# --- never stale -----------------------------------------------------------------------------


def test_a_same_size_edit_in_the_same_second_is_seen(
    facts_copy: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a file system with one-second timestamps, version B written in the second of
    # version A, at A's size, with A's mtime set back, keeps A's mtime, size and inode.
    # Only the ctime shows the edit: B is answered from the file, never from A's database.
    env = {"ESRA_CACHE": str(cache_dir), "ESRA_FACTS": str(facts_copy)}
    st = facts_copy.stat()
    monkeypatch.setattr(time, "time", lambda: st.st_ctime + compiled.RACY_SECONDS + 1)
    assert call("search", "Gela", "--json", env=env).stdout == "[]\n"
    assert len(databases(cache_dir)) == 1  # A, compiled
    facts_copy.write_bytes(facts_copy.read_bytes().replace(b'party = "Lega"', b'party = "Gela"'))
    os.utime(facts_copy, ns=(st.st_atime_ns, st.st_mtime_ns))
    same = facts_copy.stat()
    assert (same.st_size, same.st_mtime_ns, same.st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)
    monkeypatch.setattr(time, "time", lambda: same.st_ctime + 0.5)  # still the same second
    found = json.loads(call("search", "Gela", "--json", env=env).stdout)
    assert [row["id"] for row in found] == ["guido-guidesi"]
    monkeypatch.setattr(time, "time", lambda: same.st_ctime + compiled.RACY_SECONDS + 1)  # settled
    found = json.loads(call("search", "Gela", "--json", env=env).stdout)
    assert [row["id"] for row in found] == ["guido-guidesi"]
    assert len(databases(cache_dir)) == 1  # B's, which replaced A's


def test_a_racy_file_is_not_compiled(facts_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "Now" is read from the file's own timestamps, not the machine's clock, which the suite
    # also runs under a far-off fake (.ci/run): the test holds the rule, not the clock.
    def changed() -> float:
        st = facts_copy.stat()
        return max(st.st_mtime, st.st_ctime)

    now = changed() + 1
    monkeypatch.setattr(time, "time", lambda: now)
    assert compiled.database_for(str(facts_copy)) is None  # modified a second ago
    os.utime(facts_copy, (now - 60, now - 60))
    assert compiled.database_for(str(facts_copy)) is None  # an mtime set back: the ctime is fresh
    later = changed() + compiled.RACY_SECONDS + 0.1
    monkeypatch.setattr(time, "time", lambda: later)
    assert compiled.database_for(str(facts_copy)) is not None


# --- a damaged database is answered around and rebuilt --------------------------------------


@pytest.mark.parametrize(
    "damage", ["emptied", "truncated", "cut short", "foreign", "another layout", "a folder"]
)
@pytest.mark.usefixtures("settled")
def test_a_damaged_database_still_answers_and_is_rebuilt(cache_dir: Path, damage: str) -> None:
    env = {"ESRA_CACHE": str(cache_dir)}
    expected = fresh("person", "guidesi", "--json")
    assert call("members", "--json", env=env).exit_code == 0  # compiles
    (database,) = databases(cache_dir)
    content = database.read_bytes()
    if damage == "another layout":
        with sqlite3.connect(database) as db:
            db.execute("UPDATE meta SET value = '0' WHERE key = 'layout'")
        db.close()
    elif damage == "a folder":
        database.unlink()
        database.mkdir()
    else:
        damaged = {"emptied": b"", "truncated": content[:7], "foreign": b"\x00garbage" * 100}
        database.write_bytes(damaged.get(damage, content[: len(content) // 3]))
    again = call("person", "guidesi", "--json", env=env)
    assert (again.exit_code, again.stdout, again.stderr) == (0, expected, "")
    if damage != "a folder":  # a folder in its place is bypassed: it cannot be replaced
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        db.close()
    assert call("person", "guidesi", "--json", env=env).stdout == expected


ROW_DAMAGE = {
    "a row cut short": "UPDATE records SET data = substr(data, 1, 40) WHERE id = 'guido-guidesi'",
    "a value changed": "UPDATE records SET data = replace(data, '2024', '2025') WHERE id = 'guido-guidesi'",
    "a referrer dropped": "UPDATE records SET referrers = '[]' WHERE id = 'guido-guidesi'",
    "a row hidden": "DELETE FROM records WHERE id = 'lombardia-baviera-declaration'",
    "a name changed": "UPDATE names SET key = 'guidesx' WHERE key = 'guidesi'",
    "a meta value changed": "UPDATE meta SET value = replace(value, '2026', '2027') WHERE key = 'meta'",
}


@pytest.mark.parametrize("damage", list(ROW_DAMAGE))
@pytest.mark.usefixtures("settled")
def test_a_row_that_does_not_match_its_checksum_is_damage_not_an_answer(cache_dir: Path, damage: str) -> None:
    env = {"ESRA_CACHE": str(cache_dir)}
    expected = fresh("person", "guidesi", "--json")
    assert call("members", "--json", env=env).exit_code == 0  # compiles
    (database,) = databases(cache_dir)
    with sqlite3.connect(database) as db:
        assert db.execute(ROW_DAMAGE[damage]).rowcount == 1
    db.close()
    for _ in range(2):  # answered from the file, then from the rebuilt database
        again = call("person", "guidesi", "--json", env=env)
        assert (again.exit_code, again.stdout, again.stderr) == (0, expected, "")


# --- the cache folder ------------------------------------------------------------------------


@pytest.mark.usefixtures("settled")
def test_eviction_touches_only_files_esra_named(cache_dir: Path, tmp_path: Path) -> None:
    cache_dir.mkdir(mode=0o700)
    long_ago = time.time() - 3600
    theirs = ["mydata.sqlite", "draft.tmp", ".mydata.sqlite.123.tmp", "esra-notes.sqlite"]
    for name in theirs:
        (cache_dir / name).write_bytes(b"the user's own")
        os.utime(cache_dir / name, (long_ago, long_ago))
    base = tmp_path / "facts.toml"
    shutil.copyfile(SHIPPED, base)
    assert call("--facts", str(base), "members", "--json", env={"ESRA_CACHE": str(cache_dir)}).exit_code == 0
    (database,) = [d for d in databases(cache_dir) if d.name != "esra-notes.sqlite"]
    dead = cache_dir / f".{database.name}.4242.tmp"  # a writer that died, long ago
    dead.write_bytes(b"")
    os.utime(dead, (long_ago, long_ago))
    base.write_text(base.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # an edit: a new build
    assert call("--facts", str(base), "members", "--json", env={"ESRA_CACHE": str(cache_dir)}).exit_code == 0
    assert all((cache_dir / name).read_bytes() == b"the user's own" for name in theirs)
    assert not dead.exists() and not database.exists()


@pytest.mark.usefixtures("settled")
def test_two_installs_keep_each_others_databases(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESRA_CACHE", str(cache_dir))
    loaded = facts.load(str(SHIPPED))
    written = []
    for code in ("0.3.0-1-aaaaaaaa", "0.3.0-1-bbbbbbbb", "0.3.0-1-aaaaaaaa"):  # a pip install, a checkout
        monkeypatch.setattr(compiled, "_CODE", [code])
        database = compiled.database_for(str(SHIPPED))
        assert database is not None
        compiled.build(loaded, database)
        written.append(Path(database))
    assert all(database.is_file() for database in written)
    assert len(databases(cache_dir)) == 2


@pytest.mark.usefixtures("settled")
def test_databases_of_deleted_bases_are_evicted_and_the_most_recently_used_kept(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compiled, "KEEP", 4)  # as 16, in a quarter of the builds
    bases = []
    for n in range(compiled.KEEP + 4):
        base = tmp_path / f"facts-{n}.toml"
        shutil.copyfile(SHIPPED, base)
        bases.append(base)
    for base in bases[:3]:
        assert (
            call("--facts", str(base), "members", "--json", env={"ESRA_CACHE": str(cache_dir)}).exit_code == 0
        )
    assert len(databases(cache_dir)) == 3
    for base in bases[:2]:
        base.unlink()
    for base in bases[3:]:
        assert (
            call("--facts", str(base), "members", "--json", env={"ESRA_CACHE": str(cache_dir)}).exit_code == 0
        )
    kept = databases(cache_dir)
    assert len(kept) == compiled.KEEP
    sources = {compiled._source_of(str(database)) for database in kept}
    assert sources == {str(base) for base in bases[-compiled.KEEP :]}  # the most recently used


def test_a_relative_xdg_cache_home_is_ignored(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    env = {"HOME": str(home), "XDG_CACHE_HOME": "relative/cache"}
    result = esra("members", "--json", cwd=work, env=env, without=("XDG_",))
    assert result.returncode == 0
    assert not (work / "relative").exists()
    assert (home / ".cache" / "esra").is_dir()


def test_the_folder_is_made_private_whatever_the_umask(tmp_path: Path) -> None:
    folder = tmp_path / "xdg" / "esra"
    umask = ("bash", "-c", 'umask 000; "$0" members --json >/dev/null')
    result = esra(ESRA, command=umask, env={"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert result.returncode == 0
    assert folder.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("who", ["group-writable", "world-writable", "another user's"])
@pytest.mark.usefixtures("settled")
def test_an_unsafe_folder_is_not_used(cache_dir: Path, tmp_path: Path, who: str) -> None:
    env = {"ESRA_CACHE": str(cache_dir)}
    assert call("members", "--json", env=env).exit_code == 0
    (database,) = databases(cache_dir)
    # Someone else's database under the name esra would read: Catalonia renamed to an escape.
    planted = tmp_path / "planted.toml"
    planted.write_text(
        SHIPPED.read_text(encoding="utf-8").replace('en = "Catalonia"', 'en = "\\u001b]52;c;x\\u0007"')
    )
    database.unlink()
    compiled.write(facts.load(str(planted)), str(database))
    assert "\\u001b]52" in call("members", "--json", env=env).stdout  # read, while the folder is safe
    if who == "another user's":
        if os.geteuid() != 0:
            pytest.skip("only root can give the folder to another user")
        os.chown(cache_dir, NOBODY, NOBODY)
    else:
        cache_dir.chmod(0o770 if who == "group-writable" else 0o777)
    compiled._SAID.clear()
    result = call("members", "--json", env=env)
    assert (result.exit_code, result.stdout) == (0, fresh("members", "--json"))
    assert result.stderr == f"esra: not using the cache folder {cache_dir}: " + (
        "another user owns it\n" if who == "another user's" else "group or others may write to it\n"
    )
    compiled._SAID.clear()
    assert call("members", "--json", env=env | {"ESRA_DEBUG": "0"}).stderr == ""  # said only when asked


def test_no_bytecode_is_written_when_the_user_says_not_to(tmp_path: Path) -> None:
    code = tmp_path / "code"
    shutil.copytree(
        Path(compiled.__file__).parent, code / "esra_cli", ignore=shutil.ignore_patterns("__pycache__")
    )
    environment = {"PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1", "ESRA_CACHE": str(tmp_path / "c")}
    main = (sys.executable, "-c", "from esra_cli.entry import main; main()")
    done = esra("members", "--json", "--facts", str(SHIPPED), command=main, env=environment, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not list(code.rglob("*.pyc"))


class Pristine(tuple[Path, bytes, str]):
    """A database's path, its bytes, and the answer `person guidesi --json` gives from the file."""

    def __repr__(self) -> str:  # not the megabyte of its bytes, in a failing example
        return f"Pristine({self[0].name})"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    """A cache folder holding the shipped base's database, as it was built."""
    folder = tmp_path_factory.mktemp("flips")
    env = {"ESRA_CACHE": str(folder)}
    later = time.time() + 60
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: later)
        assert call("members", "--json", env=env).exit_code == 0
    (database,) = databases(folder)
    # --as-of: a module's fixture is made before the autouse one that pins today.
    return Pristine((database, database.read_bytes(), fresh("person", "guidesi", "--json", "--as-of", AS_OF)))


@settings(max_examples=examples(150), deadline=None)
@given(st.data())
def test_a_single_flipped_bit_anywhere_is_never_a_wrong_answer(
    pristine: Pristine, data: st.DataObject
) -> None:
    database, content, expected = pristine
    bit = data.draw(st.integers(0, len(content) * 8 - 1))
    damaged = bytearray(content)
    damaged[bit // 8] ^= 1 << (bit % 8)
    database.write_bytes(damaged)
    later = time.time() + 60
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: later)
        answer = call(
            "person", "guidesi", "--json", "--as-of", AS_OF, env={"ESRA_CACHE": str(database.parent)}
        )
    assert (answer.exit_code, answer.stdout, answer.stderr) == (0, expected, "")
    for leftover in database.parent.iterdir():  # a rebuilt database, under the same name
        if leftover != database:
            leftover.unlink()


def test_a_lookup_reads_its_records_in_a_handful_of_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    # One query a record was 317 for `members --json` and 259 for `person guidesi` (issue
    # 20): a lookup now reads the records it needs together (CompiledBase.prefetch) and each
    # once (its memo); a filter reads its candidates from the index, never a whole kind.
    # Counted with SQLite's own trace, on a compiled base.
    executed: list[str] = []
    connect = sqlite3.connect

    def traced(database: str, uri: bool = False) -> sqlite3.Connection:  # as compiled.py opens one
        connection = connect(database, uri=uri)
        connection.set_trace_callback(executed.append)
        return connection

    lookups = ((["members", "--json"], 40), (["person", "guidesi", "--json"], 30), (["who", "ara", "--json"], 40),
               (["what", "turin", "--json"], 40))  # fmt: skip
    for args, most in lookups:
        assert call(*args, "--as-of", "2026-11-25").exit_code == 0  # compiled, if need be
        monkeypatch.setattr(sqlite3, "connect", traced)
        executed.clear()
        answer = call(*args, "--as-of", "2026-11-25")
        monkeypatch.setattr(sqlite3, "connect", connect)
        assert answer.exit_code == 0 and json.loads(answer.stdout)
        issued = [sql for sql in executed if not sql.startswith("--")]  # "--": an FTS5 table's own reads
        assert 0 < len(issued) <= most, (args, len(issued))
        assert not any("FROM records WHERE kind" in sql for sql in issued), args  # no kind read whole


# --- an edit is compiled from the last build ---------------------------------------------------

HEADER = re.compile(r"(?m)^\[\[[a-z]+\]\]")  # a record, not a table inside one


def split(text: str) -> tuple[str, list[str]]:
    """The text before the first record, and each record's block."""
    starts = [m.start() for m in HEADER.finditer(text)]
    return text[: starts[0]], [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def edited(text: str, how: str, i: int, j: int) -> str:
    """The text with one curator's edit: a comment, an alias or a title changed, a record
    dropped, moved or copied under a new id."""
    head, blocks = split(text)
    n = i % len(blocks)
    block = blocks[n]
    if how == "comment":
        blocks[n] = block + f"# checked again ({j})\n"
    elif how == "alias":  # a new name: what records linking to it are found by changes
        line = f'aliases = ["Zed Quill {j}"]\n' if "\naliases = [" not in block else None
        blocks[n] = block.replace("\naliases = [", f'\naliases = ["Zed Quill {j}", ', 1) if line is None \
            else block.replace("\n", "\n" + line, 1)  # fmt: skip
    elif how == "retitle":  # a name or a post's title in English
        blocks[n] = block.replace('en = "', f'en = "Quill {j} ', 1)
    elif how == "drop":
        del blocks[n]
    elif how == "move":
        blocks.insert(j % len(blocks), blocks.pop(n))
    else:  # a copy, under a new id, anywhere
        rid = re.search(r'(?m)^id = "([^"]+)"', block)
        assert rid is not None
        copy = block.replace(f'id = "{rid[1]}"', f'id = "{rid[1]}-{j}"', 1)
        blocks.insert(j % (len(blocks) + 1), copy.replace('en = "', f'en = "Copy {j} ', 1))
    return head + "".join(blocks)


def contents(database: Path) -> dict[str, Any]:
    """Every table of a compiled base, in the order readers see it (rowids aside, which a
    patch keeps in file order but need not number as a full build does)."""
    records = "SELECT id, kind, position, name, data, block, crc, referrers, referrers_crc FROM records"
    with contextlib.closing(sqlite3.connect(database)) as db:
        return {
            table: db.execute(sql).fetchall()
            for table, sql in (
                ("meta", "SELECT * FROM meta ORDER BY key"),
                ("records", f"{records} ORDER BY rowid"),
                ("names", "SELECT * FROM names ORDER BY kind, key, rowid"),
                ("search", "SELECT id, crc, words FROM search ORDER BY rowid"),
                (
                    "filters",
                    "SELECT s.id, f.words FROM filters f JOIN search s ON s.rowid = f.rowid ORDER BY f.rowid",
                ),
                (
                    "rowids",
                    "SELECT count(*) FROM records r JOIN search s ON s.rowid = r.rowid AND s.id = r.id",
                ),
                ("found", 'SELECT id FROM search(\'"lomb"* OR "quill"* OR "copy"*\') ORDER BY rowid'),
            )
        }


EDITS = st.lists(
    st.tuples(st.sampled_from(["comment", "alias", "retitle", "drop", "move", "copy"]),
              st.integers(0, 10**6), st.integers(0, 10**6)),
    min_size=1, max_size=3,
)  # fmt: skip


@settings(max_examples=examples(60), deadline=None)
@given(first=EDITS, second=EDITS)
def test_an_edit_patches_the_last_build_into_what_a_full_build_makes(
    tmp_path_factory: pytest.TempPathFactory,
    first: list[tuple[str, int, int]],
    second: list[tuple[str, int, int]],
) -> None:
    # Two rounds of edits, each compiled from the database of the round before (itself
    # perhaps a patch) and compared, table by table, with a build from nothing.
    folder = tmp_path_factory.mktemp("patch")
    path, text = folder / "facts.toml", SHIPPED.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    last = folder / "0.sqlite"
    compiled.write(facts.load(path), str(last))
    for n, edits in enumerate((first, second), 1):
        for edit in edits:
            text = edited(text, *edit)
        path.write_text(text, encoding="utf-8")
        try:
            whole = facts.load(path)
        except InvalidFacts:
            assume(False)  # the edit broke the base: it is refused, never compiled
        previous = compiled.Previous.read(str(last), str(path))
        assert previous is not None
        patched, full = folder / f"{n}.sqlite", folder / f"{n}-full.sqlite"
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(compiled, "_fill", None)  # a patch, not a full build,
            patch.setattr(compiled, "_PATCHED_AT_MOST", 1.0)  # even where a full build is cheaper
            compiled.write(facts.load(path, previous.known), str(patched), previous)
        compiled.write(whole, str(full))
        assert contents(patched) == contents(full)
        last = patched


# Lines a fact base's text may hold, among them what could fool a split at `[[kind]]` headers:
# a header inside a multi-line string or array, a kind defined before its first header, a
# table after a record, a sub-table, spaces and comments around a header, Windows line ends.
LINES = [
    "[[people]]", "[[positions]]", "[[people.alternatives]]", "[[ people ]]", "[[people]] # again",
    "[[people]]\r", "[meta]", "[people]", "[people.x]", 'id = "a"', 'id = "b"', "x = 1", "x = 2",
    "people = 1", 'note = """', "note = '''", '"""', "'''", "a = [", "[[1]],", "]", "# a comment", "",
    'name = { en = "A" }', 'y = "[[people]]"',
]  # fmt: skip
TEXTS = st.lists(st.sampled_from(LINES), max_size=30).map("\n".join)


@settings(max_examples=examples(3000), deadline=None)
@given(first=TEXTS, second=TEXTS, cut=st.integers(0, 30))
def test_a_text_read_a_block_at_a_time_is_what_tomllib_reads_whole(first: str, second: str, cut: int) -> None:
    # `second` is `first` edited, read with what reading `first` learnt: its blocks' records.
    edited = "\n".join([*first.split("\n")[:cut], second, *first.split("\n")[cut:]])
    known: dict[str, str] = {}
    for text in (first, edited):
        try:
            expected: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            expected = InvalidFacts
        lent = dict(known)
        try:
            found: Any
            found, digests = facts.parse_blocks(text, "facts.toml", known)
        except InvalidFacts:
            found, digests = InvalidFacts, None
        assert found == expected
        assert found is InvalidFacts or list(found) == list(expected)  # the same order of kinds
        # What is left of what was lent is the JSON of the blocks the text no longer holds.
        held = {digest for blocks in (digests or {}).values() for digest in blocks}
        assert digests is None or known == {
            digest: data for digest, data in lent.items() if digest not in held
        }
        for kind, blocks in (digests or {}).items():
            known |= {digest: json.dumps(record) for digest, record in zip(blocks, found[kind], strict=True)}


@pytest.mark.usefixtures("settled")
def test_the_first_call_after_an_edit_parses_only_what_changed(
    facts_copy: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"ESRA_CACHE": str(cache_dir), "ESRA_FACTS": str(facts_copy)}
    assert call("search", "Gela", "--json", env=env).stdout == "[]\n"  # compiles
    parsed: list[str] = []
    loads = tomllib.loads

    def counted(text: str) -> dict[str, Any]:
        parsed.append(text)
        return loads(text)

    monkeypatch.setattr(tomllib, "loads", counted)
    facts_copy.write_text(facts_copy.read_text(encoding="utf-8").replace('party = "Lega"', 'party = "Gela"'))
    found = call("search", "Gela", "--json", env=env)
    assert [row["id"] for row in json.loads(found.stdout)] == ["guido-guidesi"]
    # The text before the first record, and the one record edited; its database replaced
    # the last one, and is what the next call reads.
    assert len(parsed) == 2 and 'party = "Gela"' in parsed[1] and parsed[1].count("[[") == 1
    assert len(databases(cache_dir)) == 1
    parsed.clear()
    assert call("search", "Gela", "--json", env=env).stdout == found.stdout
    assert parsed == []
    assert found.stdout == fresh("search", "Gela", "--json", "--facts", str(facts_copy))


class Previous(tuple[Path, bytes, Path, str]):
    """A database of the shipped base, its bytes, a copy of the base edited since, and the
    answer `person guidesi --json` gives from that copy's file."""

    def __repr__(self) -> str:
        return f"Previous({self[0].name})"


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Previous:
    folder = tmp_path_factory.mktemp("previous")
    base = folder / "facts.toml"
    base.write_bytes(SHIPPED.read_bytes())
    env = {"ESRA_CACHE": str(folder / "cache"), "ESRA_FACTS": str(base)}
    later = time.time() + 60
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: later)
        assert call("members", "--json", env=env).exit_code == 0
    (database,) = databases(folder / "cache")
    base.write_text(SHIPPED.read_text(encoding="utf-8").replace('party = "Lega"', 'party = "Gela"'))
    expected = fresh("person", "guidesi", "--json", "--as-of", AS_OF, "--facts", str(base))
    return Previous((database, database.read_bytes(), base, expected))


@settings(max_examples=examples(150), deadline=None)
@given(st.data())
def test_a_flipped_bit_in_the_last_build_is_never_a_wrong_answer_after_an_edit(
    previous: Previous, data: st.DataObject
) -> None:
    # The database an edit is compiled from lends its rows to the new one: each is checked
    # as it is read, so damage there is found there or where the new one is read.
    database, content, base, expected = previous
    for built in databases(database.parent):
        built.unlink()
    bit = data.draw(st.integers(0, len(content) * 8 - 1))
    damaged = bytearray(content)
    damaged[bit // 8] ^= 1 << (bit % 8)
    database.write_bytes(damaged)
    base.write_bytes(base.read_bytes())  # a new ctime: a version never compiled
    later = time.time() + 60
    env = {"ESRA_CACHE": str(database.parent), "ESRA_FACTS": str(base)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: later)
        for _ in range(2):  # compiled from the damaged database, then read from what that made
            answer = call("person", "guidesi", "--json", "--as-of", AS_OF, env=env)
            assert (answer.exit_code, answer.stdout, answer.stderr) == (0, expected, "")


def test_an_edit_of_most_records_is_built_whole(facts_copy: Path, tmp_path: Path) -> None:
    # A patch rewrites a row at several times a full build's cost: past _PATCHED_AT_MOST of
    # the rows, the database is built from nothing (its blocks still taken from the last one).
    last = tmp_path / "last.sqlite"
    compiled.write(facts.load(facts_copy), str(last))
    text = facts_copy.read_text(encoding="utf-8")
    for share, edited in ((0.01, text.replace('party = "Lega"', 'party = "Gela"')),
                          (0.5, text.replace('\nnote = "', '\nnote = "Checked. '))):  # fmt: skip
        facts_copy.write_text(edited, encoding="utf-8")
        previous = compiled.Previous.read(str(last), str(facts_copy))
        assert previous is not None
        patch = compiled._Patch(facts.load(facts_copy, previous.known), previous)
        rewritten = len(patch.rewritten | patch.refiltered) / len(patch.new)
        assert (rewritten < share) if share < 0.1 else (rewritten > compiled._PATCHED_AT_MOST)
        assert (patch.rowids is None) == (share > compiled._PATCHED_AT_MOST)


def test_an_edit_of_a_file_read_whole_is_built_whole(facts_copy: Path, tmp_path: Path) -> None:
    # A header inside a multi-line string: the file is read whole (facts.parse_blocks), its
    # records keep no digests, and the build after the next edit, unable to tell which
    # records changed, makes its database from nothing rather than patch it.
    text = facts_copy.read_text(encoding="utf-8")
    read_whole = text.replace('party = "Lega"', 'party = "Lega"\nnote = """\n[[people]]\n"""')
    facts_copy.write_text(read_whole, encoding="utf-8")
    base = facts.load(facts_copy)
    assert base.digests is None
    last, patched, full = tmp_path / "last.sqlite", tmp_path / "patched.sqlite", tmp_path / "full.sqlite"
    compiled.write(base, str(last))
    facts_copy.write_text(text.replace('name = "Guido Guidesi"', 'name = "Guido Guidesj"'), encoding="utf-8")
    previous = compiled.Previous.read(str(last), str(facts_copy))
    assert previous is not None and previous.known == {}
    edited = facts.load(facts_copy, previous.known)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compiled, "_PATCHED_AT_MOST", 1.0)  # however few records changed
        assert compiled._Patch(edited, previous).rowids is None
        compiled.write(edited, str(patched), previous)
    compiled.write(facts.load(facts_copy), str(full))
    assert contents(patched) == contents(full)
