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

from esra_cli.facts import FactBase

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from esra_cli.facts import MemoryBase, Record

RECORDS_PER_SHARD = 512


def shard_of(rid: str, shards: int) -> int:
    """Stable across processes (unlike hash())."""
    return zlib.crc32(rid.encode()) % shards


def write(entry: str, base: MemoryBase) -> None:
    """Write an entry beside its final name, then rename it into place; never fail a query."""
    import shutil
    import tempfile

    parent, name = os.path.split(entry)
    try:
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(dir=parent, prefix=f".{name}.")
    except OSError:
        return
    try:
        _write_files(staging, base)
        os.rename(staging, entry)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another process won the race, or no space
        return
    # Older versions of the same file are dead weight now.
    prefix = name.split("-", 1)[0] + "-"
    for old in os.listdir(parent):
        if old.startswith(prefix) and old != name:
            shutil.rmtree(os.path.join(parent, old), ignore_errors=True)


def _write_files(staging: str, base: MemoryBase) -> None:
    from esra_cli.schema import ENTITIES, KINDS

    shards = max(1, len(base.by_id) // RECORDS_PER_SHARD)
    records: list[dict[str, tuple[str, int, Record]]] = [{} for _ in range(shards)]
    back: list[dict[str, list[str]]] = [{} for _ in range(shards)]
    for table in KINDS:
        for position, record in enumerate(base.records(table)):
            records[shard_of(record["id"], shards)][record["id"]] = (table, position, record)
    for rid, ids in base.back_references.items():
        back[shard_of(rid, shards)][rid] = ids
    files: dict[str, Any] = {f"names-{t}": base.name_keys(t) for t in ENTITIES}
    files |= {f"records-{n}": shard for n, shard in enumerate(records)}
    files |= {f"back-{n}": shard for n, shard in enumerate(back)}
    for name, value in files.items():
        with open(os.path.join(staging, name), "wb") as handle:
            marshal.dump(value, handle)
    # Written last: an entry without its head is incomplete and never read.
    with open(os.path.join(staging, "head"), "wb") as handle:
        marshal.dump({"meta": base.meta, "shards": shards}, handle)


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
        self._loaded: dict[str, Any] = {}

    def _file(self, name: str) -> Any:
        if name not in self._loaded:
            self._loaded[name] = _read(self._entry, name)
        return self._loaded[name]

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

    def name_keys(self, table: str) -> dict[str, list[str]]:
        keys: dict[str, list[str]] = self._file(f"names-{table}")
        return keys
