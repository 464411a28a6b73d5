"""The compiled fact base: facts.toml as a SQLite database, built once per edit, read by every query.

`facts.toml` stays the one source of truth. The first query after an edit parses and
validates it (an invalid base is refused, never compiled) and writes its compiled form:
the records as JSON, the name index that lookups, suggestions and completion read, and the
references between records. Every later query opens that database read-only and reads only
the rows it needs, so a lookup costs about the same at 100 records and at 100,000.

An edit usually changes a few records of many. The database of the file's last version
(`Previous`) lends the first query after it each unchanged record, so that only the blocks
the edit changed are parsed (the whole file is still validated), and a copy of it is
patched where few rows change (`_Patch`); otherwise the database is built whole.

A database's name is the fact base's real path (hashed), device, inode, size, mtime and
ctime, and a stamp of esra's code: any edit makes a new name, and so does new code. A file
changed in the last RACY_SECONDS (by mtime or by ctime) is answered from the file and not
compiled, because a second edit within the same clock tick could keep its stat (git's
"racily clean" rule). A damaged, truncated or foreign database is answered around and
rebuilt; a missing, read-only or unsafe folder only means answers come from the file.
Every row carries a CRC-32 of its values, checked as it is read: a flipped bit is damage,
never a wrong answer. The folder may be shared with other files: esra names its own
"esra-…" with their layout, and eviction deletes nothing else.

Where: $ESRA_CACHE, else $XDG_CACHE_HOME/esra when that is absolute, else ~/.cache/esra.
Off: ESRA_CACHE=off. `esra export --format sqlite FILE` writes the same database.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
import zlib

from esra_cli import __version__, settings
from esra_cli.facts import FactBase, MemoryBase, load
from esra_cli.kinds import ENTITIES, KINDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

    from esra_cli.facts import Path, Record

# Bump when the tables below change, so that a database of another layout is never misread.
LAYOUT = 6
RACY_SECONDS = 2.0
# Databases kept in the folder: the most recently used, one per version of each fact base.
KEEP = 16
PREFIX = "esra-"
SUFFIX = ".sqlite"

# The last column of each table, crc, is `checksum` of the columns before it (records: of
# those esra reads; `name` is for people browsing the database). A record's row holds the
# ids of the records that refer to it, so that a damaged index cannot hide one: a row found
# is checked whole, and a row that must exist and is not found is damage too. `block` is the
# digest of the record's text in facts.toml (facts.parse_blocks), by which the next compile
# knows the records an edit left alone.
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE records (
    id TEXT NOT NULL, kind TEXT NOT NULL, position INTEGER NOT NULL, name TEXT, data TEXT NOT NULL,
    block TEXT NOT NULL, crc INTEGER NOT NULL, referrers TEXT NOT NULL, referrers_crc INTEGER NOT NULL
);
CREATE TABLE names (kind TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE VIRTUAL TABLE search USING fts5(id UNINDEXED, crc UNINDEXED, words, detail = none, columnsize = 0);
CREATE VIRTUAL TABLE filters USING fts5(words, detail = none, columnsize = 0);
"""
# Made once the rows are in: building an index over sorted input beats updating it per row.
INDEXES = """
CREATE UNIQUE INDEX records_by_id ON records (id);
CREATE INDEX records_by_kind ON records (kind, position);
CREATE INDEX names_by_key ON names (kind, key);
"""
# Durability comes from the fsync before the rename, not from a journal.
_UNJOURNALED = "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
# A record's referrers are read apart, with a checksum of their own: a source that a
# thousand records cite would otherwise make reading it read all of their ids.
_RECORD = "SELECT id, kind, position, data, block, crc FROM records"
_BATCH = 500  # ids a query: well under SQLite's 32,766 parameters

# A record's rowid, the same in `records`, `search` and `filters`, orders it as the file does
# (its kind, then its place: the index's candidates come in file order), with room between
# neighbours, so that `_Patch` can put a new record between two others and leave the rest.
_KIND_SPAN = 1 << 44
_GAP = 1 << 16


def _rowid(number: int, position: int) -> int:
    """The rowid a full build gives the record at `position` of the `number`-th kind."""
    return (number + 1) * _KIND_SPAN + (position + 1) * _GAP


def open_base(path: str) -> FactBase:
    """The validated fact base at `path`: its compiled database, built first if need be.

    The database of the file's previous version, where this code compiled one, lends the
    build the records that the edit left alone: their blocks are not parsed again, and
    their rows are copied rather than made (`_Patch`).
    """
    database = database_for(path)
    if database is None:
        return load(path)
    try:
        return CompiledBase(path, database)
    except sqlite3.DatabaseError:
        pass  # none yet, or one that is damaged or foreign: built anew below
    previous = Previous.of(path, database)
    base = load(path, previous.known if previous else None)
    build(base, database, previous)
    return base


def build(base: MemoryBase, target: str, previous: Previous | None = None) -> None:
    """Write `base` as a database at `target`: beside it under a temporary name, fsynced, renamed.

    A cache that cannot be written (full, read-only, removed) only means the next call
    parses the file again; `export` calls `write` directly and reports its errors.
    """
    try:
        write(base, target, previous)
    except (OSError, sqlite3.Error):
        return
    _evict(os.path.dirname(target), os.path.basename(target))


def write(base: MemoryBase, target: str, previous: Previous | None = None) -> None:
    """Write the database (a copy of `previous`'s, patched, where it can be), or raise
    OSError / sqlite3.Error and leave nothing behind."""
    staging = os.path.join(os.path.dirname(target) or ".", f".{os.path.basename(target)}.{os.getpid()}.tmp")
    try:
        if previous is None or not _patched(staging, base, previous):
            connection = sqlite3.connect(staging, isolation_level=None)
            try:
                connection.executescript(_UNJOURNALED + SCHEMA)
                connection.execute("BEGIN")
                _fill(connection, base)
                connection.executescript(INDEXES)  # commits
            finally:
                connection.close()
        fd = os.open(staging, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(staging, target)
    except BaseException:
        try:  # noqa: SIM105 - contextlib costs milliseconds to import
            os.unlink(staging)
        except OSError:
            pass
        raise


def _fill(connection: sqlite3.Connection, base: MemoryBase) -> None:
    from esra_cli.matching import filtered, indexed, namer

    named = namer(base)
    _write_meta(connection, base)
    rows = _Rows(base)
    numbered = [
        (_rowid(number, position), number, table, position, record)
        for number, table in enumerate(KINDS)
        for position, record in enumerate(base.records(table))
    ]
    connection.executemany(_INSERT_RECORD, (rows.record(rowid, t, p, r) for rowid, _, t, p, r in numbered))
    connection.executemany(
        "INSERT INTO names VALUES (?, ?, ?, ?)",
        (
            _sealed(table, key, rid)
            for table in ENTITIES
            for key, ids in base.name_keys(table).items()
            for rid in ids
        ),
    )
    # Every record's own words (matching.searchable), folded as names are, for search; and
    # under the same rowid what the who/what filters match it by besides (matching.filtered).
    # The index finds the records with a word starting with each query word; matching.py ranks.
    posts = {p["id"]: indexed("positions", p, named) for p in base.records("positions")}
    connection.executemany(
        _INSERT_SEARCH,
        (
            (rowid, *_sealed(r["id"]), posts.get(r["id"]) or indexed(t, r, named))
            for rowid, _, t, _, r in numbered
        ),
    )
    also = ((rowid, filtered(t, r, base, posts)) for rowid, _, t, _, r in numbered)
    connection.executemany(_INSERT_FILTERS, (row for row in also if row[1]))


_INSERT_RECORD = (
    "INSERT INTO records (rowid, id, kind, position, name, data, block, crc, referrers, referrers_crc)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_SEARCH = "INSERT INTO search (rowid, id, crc, words) VALUES (?, ?, ?, ?)"
_INSERT_FILTERS = "INSERT INTO filters (rowid, words) VALUES (?, ?)"


class _Rows:
    """A record's row of `records`, as a full build and a patch both write it."""

    def __init__(self, base: MemoryBase) -> None:
        self.base = base
        # Every value is a TOML string, number, boolean, array or table (kinds.py has no dates).
        self.encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
        self.back = base.back_references

    def digest(self, table: str, position: int) -> str:
        """The digest of the record's block, '' when the file was parsed whole."""
        return self.base.digests[table][position] if self.base.digests else ""

    def referrers(self, rid: str) -> str:
        return self.encode(self.back.get(rid, []))

    def record(self, rowid: int, table: str, position: int, record: Record) -> tuple[object, ...]:
        rid, data, block = record["id"], self.encode(record), self.digest(table, position)
        label = _name(record.get(KINDS[table].label))
        referrers = self.referrers(rid)
        crc = checksum(rid, table, position, data, block)
        return rowid, rid, table, position, label, data, block, crc, referrers, checksum(rid, referrers)


def _write_meta(connection: sqlite3.Connection, base: MemoryBase) -> None:
    counts = json.dumps(
        {table: len(base.records(table)) for table in KINDS}
        | {f"names {table}": sum(map(len, base.name_keys(table).values())) for table in ENTITIES}
    )
    meta = {"layout": str(LAYOUT), "meta": json.dumps(base.meta), "counts": counts,
            "source": os.path.realpath(base.path)}  # fmt: skip
    connection.execute("DELETE FROM meta")
    connection.executemany("INSERT INTO meta VALUES (?, ?, ?)", (_sealed(k, v) for k, v in meta.items()))


class Previous:
    """The database of the file's last compile by this code, which lends an edit's build what
    the edit left alone: `rows`, each record's row by id, read whole and checked; `known`, a
    block's digest -> its record as JSON, which facts.parse_blocks empties of the blocks the
    file still holds. What is left is the old JSON of the records that an edit changed or
    removed, all that a patch reads of it: a large base's JSON is not held twice."""

    def __init__(self, database: str, rows: dict[str, _Was], known: dict[str, str]) -> None:
        self.database, self.rows, self.known = database, rows, known

    @classmethod
    def of(cls, path: str, target: str) -> Previous | None:
        """The most recently used database of the file at `path` by this code but `target`,
        or None: none, another file's (the name's hash of the path is only a hash), or damaged."""
        folder, name = os.path.split(target)
        mine = re.fullmatch(_OWN, name)
        ours = [
            (st.st_mtime, other)
            for other, st in _listing(folder)
            if other != name
            and (found := re.fullmatch(_OWN, other)) is not None
            and mine is not None
            and (found["where"], found["code"]) == (mine["where"], mine["code"])
        ]
        return cls.read(os.path.join(folder, max(ours)[1]), path) if ours else None

    @classmethod
    def read(cls, database: str, path: str) -> Previous | None:
        """The database at `database`, if it is an intact one of the file at `path`."""
        try:
            connection = sqlite3.connect(f"file:{_uri_path(database)}?mode=ro&immutable=1", uri=True)
            try:
                found = _previous_rows(connection, os.path.realpath(path))
            finally:
                connection.close()
        except (sqlite3.Error, UnicodeDecodeError):
            return None
        return None if found is None else cls(database, *found)


class _Was:
    """A record's row in the previous database."""

    __slots__ = ("block", "kind", "position", "referrers", "rowid")

    def __init__(self, rowid: int, kind: str, position: int, block: str, referrers: str) -> None:
        self.rowid, self.kind, self.position = rowid, kind, position
        self.block, self.referrers = block, referrers


_PREVIOUS = "SELECT rowid, id, kind, position, data, block, crc, referrers, referrers_crc FROM records"


def _previous_rows(
    connection: sqlite3.Connection, source: str
) -> tuple[dict[str, _Was], dict[str, str]] | None:
    """Every record's row, checked, and each block's JSON (Previous), where the database is of
    this layout and this file."""
    found = _intact(connection.execute("SELECT key, value, crc FROM meta").fetchall())
    meta = dict(row[:2] for row in found or ())
    if meta.get("layout") != str(LAYOUT) or meta.get("source") != source:
        return None
    rows, known = {}, {}
    for rowid, rid, kind, position, data, block, crc, referrers, referrers_crc in connection.execute(
        _PREVIOUS
    ):
        if crc != checksum(rid, kind, position, data, block) or referrers_crc != checksum(rid, referrers):
            return None
        rows[rid] = _Was(rowid, kind, position, block, referrers)
        if block:  # none where the file was parsed whole: its records' JSON cannot be lent
            known[block] = data
    return rows, known


def _patched(staging: str, base: MemoryBase, previous: Previous) -> bool:
    """Whether `staging` now holds `base`, made from a copy of `previous`'s database by
    rewriting only the rows that the edit changed; False, and nothing written, where a full
    build is cheaper (`_Patch.rowids`)."""
    import shutil

    patch = _Patch(base, previous)
    if patch.rowids is None:
        return False
    shutil.copyfile(previous.database, staging)
    connection = sqlite3.connect(staging, isolation_level=None)
    try:
        connection.executescript(_UNJOURNALED)
        connection.execute("BEGIN")
        patch.apply(connection)
        connection.execute("COMMIT")
    finally:
        connection.close()
    return True


# A row rewritten by a patch costs several times what it costs a full build (deleted, then
# inserted into indexes already made). At 10,000 entities a patch rewriting 1% of the rows
# took 0.25 of a full build's write, 10% 0.78, 20% 1.13: beyond 15%, a full build.
_PATCHED_AT_MOST = 0.15


class _Patch:
    """What an edit changes in the previous database, row by row.

    A row depends on more than its record: a record's referrers list the records that link
    to it, its search words the names of the records it links to (matching.indexed), and a
    person's or an organization's filters the words of the posts it holds
    (matching.filtered). So a record's rows are made again when it changed or moved, and
    when what they read of other records did; tests/test_cache.py holds every table of a
    patched database equal to a full build's after random edits.
    """

    def __init__(self, base: MemoryBase, previous: Previous) -> None:
        from esra_cli.matching import HOLDER, names_of

        self.base, self.old = base, previous.rows
        self.rows = rows = _Rows(base)
        self.new = new = {  # id -> (table, position, record)
            record["id"]: (table, position, record)
            for table in KINDS
            for position, record in enumerate(base.records(table))
        }
        old, known = self.old, previous.known  # known: the JSON of the blocks the file no longer holds

        def same(rid: str, table: str, position: int, record: Record) -> bool:
            was, digest = old.get(rid), rows.digest(table, position)
            # A block still in the file was read from the JSON it was compiled to.
            return (
                was is not None
                and was.kind == table
                and ((digest and was.block == digest) or known.get(was.block) == rows.encode(record))
            )

        self.removed = removed = old.keys() - new.keys()
        self.changed = changed = {rid for rid, entry in new.items() if not same(rid, *entry)}
        gone = (changed | removed) & old.keys()
        self.before = before = {
            rid: json.loads(known[old[rid].block]) for rid in gone if old[rid].block in known
        }
        # Without a changed record's old JSON (its file was last parsed whole, facts.parse_blocks)
        # the rows that read it cannot be found: a full build.
        self.rowids = self._placed() if len(before) == len(gone) else None
        rowids = self.rowids or {}
        moved = {rid for rid in new if rid not in old or old[rid].rowid != rowids.get(rid)}
        referred = {rid for rid in new.keys() & old.keys() if old[rid].referrers != rows.referrers(rid)}
        shifted = {  # at another place in its kind, or its block's text edited (a comment)
            rid
            for rid, (table, position, _) in new.items()
            if rid in old and (old[rid].position, old[rid].block) != (position, rows.digest(table, position))
        }
        self.rewritten = changed | moved | referred | shifted
        # A record's search words read the names of the records it links to.
        renamed = removed | {
            rid for rid in changed if rid in before and names_of(before[rid]) != names_of(new[rid][2])
        }
        back = base.back_references
        self.searched = changed | moved | {linker for rid in renamed for linker in back.get(rid, [])}
        # A person's or an organization's filters read the posts it holds, before and after.
        posts = [new[rid][2] for rid in self.searched if new[rid][0] == "positions"]
        posts += [before[rid] for rid in before if old[rid].kind == "positions"]
        holders = {post[field] for post in posts for field in HOLDER.values() if field in post}
        self.refiltered = self.searched | referred | (holders & new.keys())
        if len(self.rewritten | self.refiltered) > _PATCHED_AT_MOST * len(new):
            self.rowids = None

    def _placed(self) -> dict[str, int] | None:
        """Every record's rowid, in file order: its old one where that keeps the order, else
        one between its neighbours'; None when there is no room between them."""
        rowids: dict[str, int] = {}
        for number, table in enumerate(KINDS):
            ids = [record["id"] for record in self.base.records(table)]
            last = (number + 1) * _KIND_SPAN
            for rid in ids:
                was = self.old.get(rid)
                if was is not None and was.kind == table and was.rowid > last:
                    rowids[rid] = last = was.rowid
            start = 0
            while start < len(ids):  # each run of records without one, between two with one
                end = start
                while end < len(ids) and ids[end] not in rowids:
                    end += 1
                if end > start:
                    low = rowids[ids[start - 1]] if start else (number + 1) * _KIND_SPAN
                    high = rowids[ids[end]] if end < len(ids) else (number + 2) * _KIND_SPAN
                    count = end - start + 1
                    # Records appended get the gap a full build leaves; others share the room.
                    step = _GAP if end == len(ids) and low + count * _GAP < high else (high - low) // count
                    if step < 1:
                        return None
                    rowids.update((rid, low + n * step) for n, rid in enumerate(ids[start:end], 1))
                start = end + 1
        return rowids

    def apply(self, connection: sqlite3.Connection) -> None:
        """Delete the rows the edit changed, then write them anew (`_Rows`, as a full build)."""
        from esra_cli.matching import HOLDER, filtered, indexed, namer
        from esra_cli.names import table_name_keys

        base, old, new, before, rowids = self.base, self.old, self.new, self.before, self.rowids or {}
        back = base.back_references
        named = namer(base)
        words = {rid: indexed(new[rid][0], new[rid][2], named) for rid in self.searched}
        held = {  # the words of the posts that the records refiltered hold
            post: words.get(post) or indexed("positions", new[post][2], named)
            for rid in self.refiltered
            if new[rid][0] in HOLDER
            for post in back.get(rid, [])
            if new[post][0] == "positions"
        }
        filters = {rid: filtered(new[rid][0], new[rid][2], base, held) for rid in self.refiltered}
        keys = {  # the name index's keys of each entity changed, before and after
            (table, key)
            for table, record in [(old[rid].kind, before[rid]) for rid in before]
            + [new[rid][::2] for rid in self.changed]
            if table in ENTITIES
            for key in table_name_keys(table, [record])
        }

        def at(ids: set[str]) -> Iterator[tuple[int]]:
            return ((old[rid].rowid,) for rid in ids if rid in old)

        removed = self.removed
        connection.executemany("DELETE FROM records WHERE rowid = ?", at(removed | self.rewritten))
        connection.executemany("DELETE FROM search WHERE rowid = ?", at(removed | self.searched))
        connection.executemany("DELETE FROM filters WHERE rowid = ?", at(removed | self.refiltered))
        connection.executemany("DELETE FROM names WHERE kind = ? AND key = ?", keys)
        rows = (self.rows.record(rowids[rid], *new[rid]) for rid in self.rewritten)
        connection.executemany(_INSERT_RECORD, rows)
        connection.executemany(_INSERT_SEARCH, ((rowids[rid], *_sealed(rid), w) for rid, w in words.items()))
        connection.executemany(_INSERT_FILTERS, ((rowids[rid], w) for rid, w in filters.items() if w))
        connection.executemany(
            "INSERT INTO names VALUES (?, ?, ?, ?)",
            (_sealed(table, key, rid) for table, key in keys for rid in base.name_keys(table).get(key, ())),
        )
        _write_meta(connection, base)


def checksum(*values: object) -> int:
    """The CRC-32 of a row's values: what its crc column holds, and what reading it checks."""
    return zlib.crc32("\x1f".join(map(str, values)).encode("utf-8", "surrogatepass"))


def _sealed(*values: object) -> tuple[object, ...]:
    return (*values, checksum(*values))


def _name(value: Any) -> str | None:
    """A record's name in English, for people browsing the database (Datasette)."""
    return str(value.get("en", "")) if isinstance(value, dict) else None if value is None else str(value)


class CompiledBase(FactBase):
    """A fact base read from its compiled database, one query per question.

    Should a query find the database damaged after all (a page truncated away), the base
    parses the file, answers from it, and rebuilds the database for the next call.
    """

    def __init__(self, path: Path, database: str) -> None:
        self.path = path
        self._database = database
        self._fallback: MemoryBase | None = None
        # immutable: a database is never changed once renamed into place, so SQLite need
        # not lock it or look for a journal. A missing file raises here: nothing to read.
        self._db = sqlite3.connect(f"file:{_uri_path(database)}?mode=ro&immutable=1", uri=True)
        sql = "SELECT key, value, crc FROM meta WHERE key IN ('layout', 'meta', 'counts')"
        try:
            found = dict(row[:2] for row in _intact(self._db.execute(sql).fetchall()) or ())
        except UnicodeDecodeError:
            found = {}
        if found.get("layout") != str(LAYOUT) or len(found) != 3:
            raise sqlite3.DatabaseError(f"not an intact esra database of layout {LAYOUT}: {database}")
        self.meta = json.loads(found["meta"])
        self._counts: dict[str, int] = json.loads(found["counts"])
        # Rows read once per call: an answer names the same region or alliance many times.
        self._read: dict[str, tuple[Any, ...]] = {}
        try:  # noqa: SIM105 - the most recently used databases are the ones eviction keeps
            os.utime(database)
        except OSError:
            pass

    def _rows(self, sql: str, *args: str) -> list[Any] | None:
        """A query's rows, each without its crc, which it ends with and which must match;
        None once the database has failed: from then on the file answers (`_memory`), and
        the database is rebuilt for the next call."""
        if self._fallback is None:
            try:
                rows = _intact(self._db.execute(sql, args).fetchall())
            except (sqlite3.DatabaseError, UnicodeDecodeError):  # a text's bytes damaged too
                rows = None
            if rows is not None:
                return [row[:-1] for row in rows]
            self._damaged()
        return None

    def _memory(self) -> MemoryBase:
        """The base parsed from the file, once the database failed; its database rebuilt."""
        if self._fallback is None:
            self._fallback = load(self.path)
            build(self._fallback, self._database)
        return self._fallback

    def records(self, table: str) -> list[Record]:
        rows = self._rows(f"{_RECORD} WHERE kind = ? ORDER BY position", table)
        # Every row of the kind, in order: an index that hides or adds one is damage.
        expected = [(table, n) for n in range(self._counts[table])]
        if rows is not None and [(row[1], row[2]) for row in rows] != expected:
            self._damaged()
            rows = None
        return self._memory().records(table) if rows is None else [json.loads(row[3]) for row in rows]

    def find(self, rid: str) -> tuple[str, Record] | None:
        row = self._record(rid)
        if row is None:
            return self._memory().find(rid)
        return (row[1], json.loads(row[3])) if row else None

    def _record(self, rid: str) -> tuple[Any, ...] | None:
        """The checked row of `rid`; () when there is none; None once the database failed."""
        if rid in self._read and self._fallback is None:
            return self._read[rid]
        rows = self._rows(f"{_RECORD} WHERE id = ?", rid)
        if rows is not None and any(row[0] != rid for row in rows):  # an index pointing elsewhere
            self._damaged()
            rows = None
        if rows:
            self._read[rid] = rows[0]
        return None if rows is None else rows[0] if rows else ()

    def prefetch(self, ids: Iterable[str]) -> None:
        """Read these records in one query a few hundred, where a lookup would read them one
        by one: `members --json` 317 queries -> 38 (tests/test_cache.py bounds them)."""
        wanted = [rid for rid in dict.fromkeys(ids) if rid not in self._read]
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            marks = ", ".join("?" * len(batch))
            rows = self._rows(f"{_RECORD} WHERE id IN ({marks})", *batch)
            if rows is None:
                return  # the file answers from now on
            # A row that was not asked for is an index pointing elsewhere: damage. One that
            # is missing is left to `_record`, which decides what its absence means.
            if any(row[0] not in batch for row in rows):
                self._damaged()
                return
            self._read.update((row[0], row) for row in rows)

    def _found(self, rid: str) -> tuple[str, Record]:
        # Ids are validated: a reference that does not resolve is a damaged index.
        found = self.find(rid)
        if found is None and self._fallback is None:
            self._damaged()
            found = self._memory().find(rid)
        if found is None:
            raise KeyError(rid)
        return found

    def _damaged(self) -> None:
        """Give up on the database: the file answers from now on, and it is rebuilt."""
        self._memory()

    def referrers(self, rid: str) -> list[str]:
        rows = self._rows("SELECT id, referrers, referrers_crc FROM records WHERE id = ?", rid)
        if rows is not None and [row[0] for row in rows] != [rid]:  # asked only of records that exist
            self._damaged()
            rows = None
        return self._memory().referrers(rid) if rows is None else list(json.loads(rows[0][1]))

    def matching(self, prefixes: list[str], filtering: bool = False) -> list[str] | None:
        if not prefixes:
            return None  # no words: look at every record
        # Folded words are letters and digits only: nothing in them is FTS5 syntax.
        terms = [f'"{prefix}"*' for prefix in prefixes]
        if filtering:  # each word in a record's own row or in its filters' row (same rowid)
            either = "rowid IN (SELECT rowid FROM search(?) UNION SELECT rowid FROM filters(?))"
            sql = f"SELECT id, crc FROM search WHERE {' AND '.join([either] * len(terms))} ORDER BY rowid"
            rows = self._rows(sql, *(term for term in terms for _ in (0, 1)))
        else:
            rows = self._rows("SELECT id, crc FROM search(?) ORDER BY rowid", " AND ".join(terms))
        return None if rows is None else [rid for (rid,) in rows]

    def name_keys(self, table: str, prefix: str | None = None) -> dict[str, list[str]]:
        # Keys from `prefix` up to the last string that starts with it (TEXT compares as
        # UTF-8 bytes, and U+10FFFF encodes above every other character).
        start = prefix or ""
        sql = "SELECT kind, key, id, crc FROM names WHERE kind = ? AND key >= ? AND key < ?"
        rows = self._rows(sql, table, start, start + "\U0010ffff")
        if rows is None:
            return self._memory().name_keys(table, prefix)
        # An index that hides or adds a row is damage: every row must be of the range asked
        # for, and all of them when all are asked for.
        hidden = prefix is None and len(rows) != self._counts[f"names {table}"]
        if hidden or any(kind != table or not key.startswith(start) for kind, key, _ in rows):
            self._damaged()
            return self._memory().name_keys(table, prefix)
        keys: dict[str, list[str]] = {}
        for _, key, rid in rows:
            keys.setdefault(key, []).append(rid)
        return keys


def _intact(rows: list[Any]) -> list[Any] | None:
    """The rows if each one's last value is the checksum of the others, else None (damage)."""
    for row in rows:
        if row[-1] != checksum(*row[:-1]):
            return None
    return rows


def _uri_path(path: str) -> str:
    """A file path as the path of a SQLite URI (urllib.parse costs milliseconds to import)."""
    return path.replace("%", "%25").replace("?", "%3f").replace("#", "%23")


# --- where the databases live ------------------------------------------------------------------


def root() -> str | None:
    """The cache folder, or None when caching is off.

    $ESRA_CACHE, else $XDG_CACHE_HOME/esra where that is an absolute path (the XDG spec
    says to ignore a relative one), else ~/.cache/esra.
    """
    setting = os.environ.get(settings.CACHE_ENV, "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return setting
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(xdg):
        xdg = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "esra")


def usable_root() -> str | None:
    """The cache folder, made if missing (0700); None when off, or when it is not safe to use.

    A database is read as esra's own validated data: a folder that another user owns, or
    that group or others may write to, could hold one planted by someone else, so esra
    answers from the file instead (ESRA_DEBUG=1 says why, once).
    """
    folder = root()
    if folder is None:
        return None
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            os.chmod(folder, 0o700)  # makedirs' mode passes through the umask
            st = os.stat(folder)
        except OSError:
            return None  # read-only or blocked: answers come from the file
    except OSError:
        return None
    if st.st_uid != os.geteuid() or st.st_mode & 0o022:
        if settings.debug() and folder not in _SAID:
            _SAID.add(folder)
            from esra_cli import render  # the one sink for messages, imported on this path only

            why = "another user owns it" if st.st_uid != os.geteuid() else "group or others may write to it"
            render.error(f"not using the cache folder {folder}: {why}")
        return None
    return folder


_SAID: set[str] = set()


def database_for(path: str) -> str | None:
    """The database that would hold this very version of the file, or None (off, unsafe, racy)."""
    folder = usable_root()
    if folder is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    if time.time() - max(st.st_mtime, st.st_ctime) < RACY_SECONDS:
        return None
    where = zlib.crc32(os.path.realpath(path).encode("utf-8", "surrogateescape"))
    stamp = f"{st.st_dev}-{st.st_ino}-{st.st_size}-{st.st_mtime_ns}-{st.st_ctime_ns}"
    return os.path.join(folder, f"{PREFIX}{where:08x}-{stamp}-{code_stamp()}{SUFFIX}")


# What esra names in the cache folder, and nothing else is evicted: a database (PREFIX, the
# fact base's path hash, its stat, esra's version, LAYOUT and code hash) or one being written
# (`write`'s staging name: a dot, the database's name, a process id).
_OWN = r"esra-(?P<where>[0-9a-f]{8})-\d+-\d+-\d+-\d+-\d+-(?P<code>[^/]+-\d+-[0-9a-f]{8})\.sqlite"
_OWN_STAGING = rf"\.{_OWN}\.\d+\.tmp"


_CODE: list[str] = []


def code_stamp() -> str:
    """esra's version and layout, and a hash of its modules' sizes and mtimes.

    A database must not outlive the code that compiled it, even when the version number
    stays (a developer's edit, a reinstall). About 30 stat calls: a tenth of a millisecond.
    """
    if not _CODE:
        package = os.path.dirname(os.path.abspath(__file__))
        with os.scandir(package) as entries:
            stats = [(e.name, e.stat()) for e in entries if e.name.endswith(".py")]
        parts = sorted(f"{name}:{st.st_size}:{st.st_mtime_ns}" for name, st in stats)
        _CODE.append(f"{__version__}-{LAYOUT}-{zlib.crc32(' '.join(parts).encode()):08x}")
    return _CODE[0]


def _evict(folder: str, kept: str) -> None:
    """After a build: drop older versions of the same file compiled by the same code, the
    databases whose fact base is gone, temporary files of writers that died, and all but
    the KEEP most recently used. Databases of other code (a second install of esra) are
    left to that code, so two installs never delete each other's; a file esra did not
    name (see _OWN) is never touched."""
    mine = re.fullmatch(_OWN, kept)
    if mine is None:  # export's target, named by the user: not a cache to tidy
        return
    now = time.time()
    survivors: list[tuple[float, str]] = []
    for name, st in _listing(folder):
        full = os.path.join(folder, name)
        database = re.fullmatch(_OWN, name)
        if database is not None and name != kept:
            same = database["where"] == mine["where"] and database["code"] == mine["code"]
            stale = same or not os.path.exists(_source_of(full))
        else:
            stale = now - st.st_mtime > 600 and re.fullmatch(_OWN_STAGING, name) is not None
        if stale:
            _remove(full)
        elif database is not None:
            survivors.append((st.st_mtime, full))
    for _, full in sorted(survivors, reverse=True)[KEEP:]:
        _remove(full)


def _listing(folder: str) -> Iterator[tuple[str, os.stat_result]]:
    try:
        with os.scandir(folder) as entries:
            found = [(e.name, e.stat()) for e in entries if e.is_file(follow_symlinks=False)]
    except OSError:
        return iter(())
    return iter(found)


def _source_of(database: str) -> str:
    """The fact base a database was compiled from; '' when it cannot be read (then evicted)."""
    try:
        connection = sqlite3.connect(f"file:{_uri_path(database)}?mode=ro&immutable=1", uri=True)
        try:
            found = connection.execute("SELECT value FROM meta WHERE key = 'source'").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return ""
    return str(found[0]) if found else ""


def _remove(path: str) -> None:
    try:  # noqa: SIM105 - contextlib costs milliseconds to import
        os.unlink(path)
    except OSError:
        pass
