"""A parsed fact base split into marshal shards, and read back one shard at a time.

Records and back-references are hashed into shards by id, each record with its table and
its place in the file; each kind of entity has its name index. Loading a marshal shard
costs a fraction of parsing TOML, and a lookup touches only the shards of the ids it
follows; a listing of one kind reads every shard once.
"""

from __future__ import annotations

import marshal
import os
import zlib

from esra_cli.cache import CORRUPT
from esra_cli.facts import FactBase

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from esra_cli.facts import MemoryBase, Record

RECORDS_PER_SHARD = 256
NAMES_PER_SHARD = 2048  # a table with more names is split by the first two letters of each


def shard_of(rid: str, shards: int) -> int:
    """Stable across processes (unlike hash())."""
    return zlib.crc32(rid.encode()) % shards


def write(entry: str, base: MemoryBase) -> None:
    """Write an entry beside its final name, then rename it into place; never fail a query."""
    parent, name = os.path.split(entry)
    staging = os.path.join(parent, f".{name}.{os.getpid()}.tmp")
    try:
        os.makedirs(staging)
        _write_files(staging, base)
        os.rename(staging, entry)
    except OSError:
        remove_tree(staging)  # another process won the race, the folder is read-only, or full
        return
    # Older versions of the same file written by the same code, and staging folders of
    # writers that died, are dead weight. Entries of other code (another install of esra
    # beside this one) are that code's to replace: deleting them would have each install
    # delete the other's on every edit, under the feet of its readers.
    where, code = name.split("-", 1)[0], name.rsplit("-", 2)[1:]
    for old in os.listdir(parent):
        mine = old.startswith(f"{where}-") and old.rsplit("-", 2)[1:] == code
        if old != name and (mine or old.startswith(f".{where}-")):
            remove_tree(os.path.join(parent, old))


def remove_tree(folder: str) -> None:
    """Delete a cache folder, ignoring what cannot be deleted (shutil costs 2 ms to import)."""
    import contextlib  # only writers get here; readers skip its import

    for here, folders, files in os.walk(folder, topdown=False):
        for item in files:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(here, item))
        for item in folders:
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(here, item))
    with contextlib.suppress(OSError):
        os.rmdir(folder)


def _write_files(staging: str, base: MemoryBase) -> None:
    head, files = _contents(base)
    if head["shards"] == 1:  # a small base: one file to write and to read beats seven
        head["files"] = files
    else:
        for name, value in files.items():
            with open(os.path.join(staging, name), "wb") as handle:
                marshal.dump(value, handle)
    # Written last: an entry without its head is incomplete and never read.
    with open(os.path.join(staging, "head"), "wb") as handle:
        marshal.dump(head, handle)


def _contents(base: MemoryBase) -> tuple[dict[str, Any], dict[str, Any]]:
    """An entry's head and its files (shards by name), as written."""
    from esra_cli.schema import ENTITIES, KINDS

    shards = max(1, len(base.by_id) // RECORDS_PER_SHARD)
    records: list[dict[str, tuple[str, int, Record]]] = [{} for _ in range(shards)]
    back: list[dict[str, list[str]]] = [{} for _ in range(shards)]
    for table in KINDS:
        for position, record in enumerate(base.records(table)):
            records[shard_of(record["id"], shards)][record["id"]] = (table, position, record)
    for rid, ids in base.back_references.items():
        back[shard_of(rid, shards)][rid] = ids
    files: dict[str, Any] = {}
    names: dict[str, dict[str, str]] = {}  # table -> {key prefix: file}
    for table in ENTITIES:
        keys = base.name_keys(table)
        parts: dict[str, dict[str, list[str]]] = {}
        for key, ids in keys.items():
            parts.setdefault(key[:2] if len(keys) > NAMES_PER_SHARD else "", {})[key] = ids
        names[table] = {prefix: f"names-{table}-{n}" for n, prefix in enumerate(parts)}
        files |= {names[table][prefix]: part for prefix, part in parts.items()}
    files |= {f"records-{n}": shard for n, shard in enumerate(records)}
    files |= {f"back-{n}": shard for n, shard in enumerate(back)}
    return {"meta": base.meta, "shards": shards, "names": names}, files


def _read(entry: str, name: str) -> Any:
    with open(os.path.join(entry, name), "rb") as handle:
        return marshal.load(handle)


class IndexedBase(FactBase):
    """A fact base read lazily from a cache entry; each shard is loaded at most once."""

    def __init__(self, path: Any, entry: str) -> None:
        head = _read(entry, "head")
        self.path = path
        self.meta = head["meta"]
        self._entry = entry
        self._shards: int = head["shards"]
        self._names: dict[str, dict[str, str]] = head["names"]
        self._loaded: dict[str, Any] = head.get("files", {})

    def _file(self, name: str) -> Any:
        if name not in self._loaded:
            try:
                self._loaded[name] = _read(self._entry, name)
            except CORRUPT:
                self._repair()
        return self._loaded[name]

    def _repair(self) -> None:
        """A shard is missing, emptied, truncated or foreign: answer from the file itself,
        and drop the entry, so the next call writes a sound one."""
        from esra_cli.facts import load

        base = load(self.path)
        remove_tree(self._entry)
        head, self._loaded = _contents(base)
        self.meta, self._shards, self._names = head["meta"], head["shards"], head["names"]

    def records(self, table: str) -> list[Record]:
        found = []
        for shard in range(self._shards):
            found += [entry for entry in self._file(f"records-{shard}").values() if entry[0] == table]
        return [record for _, _, record in sorted(found, key=lambda entry: entry[1])]

    def find(self, rid: str) -> tuple[str, Record] | None:
        found = self._file(f"records-{shard_of(rid, self._shards)}").get(rid)
        return None if found is None else (found[0], found[2])

    def referrers(self, rid: str) -> list[str]:
        return list(self._file(f"back-{shard_of(rid, self._shards)}").get(rid, []))

    def name_keys(self, table: str, prefix: str | None = None) -> dict[str, list[str]]:
        # A shard holds the names starting with its prefix: load those that may match.
        keys: dict[str, list[str]] = {}
        for start, name in self._names[table].items():
            if prefix is None or prefix.startswith(start) or start.startswith(prefix):
                keys |= self._file(name)
        return keys
