"""Loading the fact base: TOML in, one validated FactBase out. The only place that parses it."""

from __future__ import annotations

import json
import os
import re
import stat

from esra_cli.errors import InvalidFacts
from esra_cli.i18n import word
from esra_cli.kinds import KINDS
from esra_cli.names import NameIndex, table_name_keys

TYPE_CHECKING = False  # parsing and checking are imported only when a file is read
if TYPE_CHECKING:
    from collections.abc import Iterable
    from os import PathLike
    from typing import Any, TypeAlias

    from esra_cli.check import Problem

    # Plain strings on the fast path (pathlib costs 4 ms to import); Path objects elsewhere.
    Path: TypeAlias = str | PathLike[str]

    Record: TypeAlias = dict[str, Any]
    # Each record's block digest (parse_blocks), by kind in file order; None when unknown.
    Blocks: TypeAlias = dict[str, list[str]] | None


# Far above any real base (the benchmark's 100,000 entities make about 70 MB), and far below
# what would exhaust memory: a larger file is refused before it is read.
MAX_BYTES = 256 * 1024 * 1024


def open_regular(path: Path, what: str = "fact base") -> int:
    """A read-only descriptor of the regular file at `path`, or InvalidFacts saying why not.

    Opened without blocking, so a FIFO is refused rather than waited on; a device such as
    /dev/zero is refused without a byte read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InvalidFacts(f"{what} not found: {path}") from None
    except OSError as err:
        raise InvalidFacts(f"cannot read {what} {path}: {err.strerror or err}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a special file"
        raise InvalidFacts(f"{what} is {kind}, not a regular file: {path}")
    return fd


def read_bytes(path: Path, what: str = "fact base") -> bytes:
    """The contents of a regular file of at most MAX_BYTES, or InvalidFacts saying why not."""
    fd = open_regular(path, what)
    with open(fd, "rb") as handle:
        try:
            data = handle.read(MAX_BYTES + 1)
        except OSError as err:
            raise InvalidFacts(f"cannot read {what} {path}: {err.strerror or err}") from None
    if len(data) > MAX_BYTES:
        raise InvalidFacts(f"{what} is larger than {MAX_BYTES >> 20} MiB: {path}")
    return data


def read_text(path: Path) -> str:
    """The fact base's text, or InvalidFacts naming what is wrong with it."""
    return decoded(read_bytes(path), path)


BOM = b"\xef\xbb\xbf"


def decoded(data: bytes, path: Path) -> str:
    """UTF-8 bytes as text, without the byte order mark a Windows editor may put first."""
    try:
        return data.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InvalidFacts(f"{path}:{line}: not valid UTF-8 (byte {err.start})") from None


# A key of more parts than this is refused before parsing: tomllib's memory grows with the
# square of a dotted key's depth (a.a.a... of 40 KB takes 1.6 GB). esra's deepest key has 3.
MAX_KEY_PARTS = 64
_PART = r"""(?:[A-Za-z0-9_-]++|"[^"\n]*+"|'[^'\n]*+')"""
# The lookbehind starts a match only at the start of a part, so a long word is passed once.
_DEEP_KEY = rf"(?<![A-Za-z0-9_\-]){_PART}(?:[ \t]*+\.[ \t]*+{_PART}){{{MAX_KEY_PARTS}}}"


def parse(text: str, path: Path) -> dict[str, Any]:
    """Parse TOML, turning its errors into one line that names the file, line and column.

    Arrays and inline tables nested too deeply end in RecursionError; a dotted key too deep
    is found before tomllib sees it, since its cost is memory, not recursion.
    """
    import tomllib

    # Only a line with that many dots can hold such a key: splitting and counting costs a
    # millisecond on the shipped base, a regular expression over the whole text three.
    for number, line in enumerate(text.split("\n"), 1):
        if line.count(".") >= MAX_KEY_PARTS and re.search(_DEEP_KEY, line):
            raise InvalidFacts(
                f"{path}: invalid TOML: a dotted key of more than {MAX_KEY_PARTS} parts (at line {number})"
            )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InvalidFacts(f"{path}: invalid TOML: {err}") from None
    except RecursionError:
        raise InvalidFacts(f"{path}: invalid TOML: nested too deeply") from None


# A line that opens a record, `[[people]]` (a comment may follow): where a block starts.
_HEADER = r"(?m)^\[\[(" + "|".join(KINDS) + r")\]\][ \t]*(?:#.*)?\r?$"


def parse_blocks(text: str, path: Path, known: dict[str, str] | None = None) -> tuple[dict[str, Any], Blocks]:
    """What `parse(text)` returns, read a record's block at a time; and each record's digest.

    A block runs from a `[[kind]]` header to the next; a record whose block has a digest in
    `known` (the record as JSON, from the last compile) is not parsed again, so that the first
    call after an edit parses only the blocks the edit changed. The entries used are taken
    out of `known`: what is left there is the JSON of the blocks the text no longer holds.
    Blocks parsed apart make what the whole text makes where each parses alone into one
    record of its header's kind and the text before the first defines no kind: a header
    inside a multi-line string or array leaves the block before it unterminated, which does
    not parse. Anything else goes to `parse(text)`, whose result and errors (their line
    numbers) are the authority; its records then have no digests (None).
    """
    return _apart(text, path, {} if known is None else known) or (parse(text, path), None)


def _apart(text: str, path: Path, known: dict[str, str]) -> tuple[dict[str, Any], Blocks] | None:
    import hashlib

    headers = list(re.finditer(_HEADER, text))
    ends = [m.start() for m in headers[1:]] + [len(text)] * bool(headers)
    try:
        raw = parse(text[: headers[0].start()] if headers else text, path)
    except InvalidFacts:
        return None
    digests: dict[str, list[str]] = {}
    for header, end in zip(headers, ends, strict=True):
        kind, block = header[1], text[header.start() : end]
        digest = hashlib.blake2b(block.encode(), digest_size=16).hexdigest()
        data = known.pop(digest, None)
        if data is not None:
            record = json.loads(data)
        else:
            try:
                parsed = parse(block, path)
            except InvalidFacts:
                return None
            if len(parsed) != 1 or len(parsed.get(kind, ())) != 1:
                return None
            record = parsed[kind][0]
        if kind in raw and kind not in digests:  # the text before the first header made it
            return None
        raw.setdefault(kind, []).append(record)
        digests.setdefault(kind, []).append(digest)
    return raw, digests


def validated(raw: dict[str, Any], data: bytes, path: Path) -> MemoryBase:
    """A FactBase from parsed TOML, or InvalidFacts pointing at `esra check`; the file's
    bytes, `data`, give a problem its line."""
    from esra_cli.check import locate, problems

    built: list[MemoryBase] = []

    def keys(table: str) -> dict[str, list[str]]:
        # Asked for only once the structure is sound; the base keeps the index it builds.
        if not built:
            built.append(MemoryBase(path, raw))
        return built[0].name_keys(table)

    found = problems(raw, keys=keys)
    if found:
        locate(found, decoded(data, path))
        first = found[0].format(os.path.basename(path))
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise InvalidFacts(f"invalid fact base {path}: {first}{more}; run 'esra check' for all")
    return built[0] if built else MemoryBase(path, raw)


def diagnose(path: Path) -> tuple[dict[str, Any] | None, str, list[Problem]]:
    """The parsed base (None if it does not parse), its text, and every problem in it.

    A file that cannot be read at all raises InvalidFacts, as for every other command.
    """
    from esra_cli.check import Problem, problems

    text = read_text(path)
    try:
        raw = parse(text, path)
    except InvalidFacts as err:
        where = re.search(r"at line (\d+)", str(err))
        message = str(err).removeprefix(f"{path}: ")
        return None, text, [Problem(message, line=int(where.group(1)) if where else None)]
    return raw, text, problems(raw, text)


def load(path: Path, known: dict[str, str] | None = None) -> MemoryBase:
    """Read, parse and validate the fact base at `path`; `known`: see parse_blocks."""
    data = read_bytes(path)
    text = decoded(data, path)
    raw, digests = parse_blocks(text, path, known)
    del text  # twice its UTF-8 bytes where one character is past Latin-1: gone before validating
    base = validated(raw, data, path)
    base.digests = digests
    return base


class FactBase:
    """A validated fact base. Subclasses supply the primitives; the rest is derived here.

    MemoryBase holds a parsed file; compiled.CompiledBase reads a compiled database, one
    query per question, so a lookup in a large base reads only the rows it needs.
    """

    path: Path
    meta: dict[str, Any]

    def records(self, table: str) -> list[Record]:
        """All records of one kind, in file order."""
        raise NotImplementedError

    def find(self, rid: str) -> tuple[str, Record] | None:
        """The table and record with this id, or None."""
        raise NotImplementedError

    def referrers(self, rid: str) -> list[str]:
        """Ids of the records that refer to `rid` (sources aside), in file order."""
        raise NotImplementedError

    def name_keys(self, table: str, prefix: str | None = None) -> dict[str, list[str]]:
        """Folded name -> ids over one table's entities: at least those starting with `prefix`."""
        raise NotImplementedError

    def matching(self, prefixes: list[str], filtering: bool = False) -> list[str] | None:
        """Ids of the records with a word starting with each of `prefixes` (folded), table by
        table in file order; None when this base keeps no index, and the caller looks at every
        record. Its own words for search; `filtering`, also what who/what match it by."""
        return None

    def get(self, rid: str) -> Record:
        """The record with this id (ids are validated, so a reference always resolves)."""
        return self._found(rid)[1]

    def kind(self, rid: str) -> str:
        """The table the id lives in."""
        return self._found(rid)[0]

    def _found(self, rid: str) -> tuple[str, Record]:
        found = self.find(rid)
        if found is None:
            raise KeyError(rid)
        return found

    def prefetch(self, ids: Iterable[str]) -> None:
        """Read these records now, together, where that is cheaper than one at a time (a
        compiled base); a parsed file has them all already."""

    def label(self, rid: str, lang: str) -> str:
        """The display name of a record in `lang`; a post or membership names both its sides."""
        table, record = self._found(rid)
        if table == "positions":
            body = record.get("organization") or record.get("region")
            post = localized(record["title"], lang) + (f", {self.label(body, lang)}" if body else "")
            return f"{self.label(record['person'], lang)}: {post}"
        if table == "memberships":
            org = self.label(record["organization"], lang)
            return f"{self.label(record['region'], lang)}: {word(record['role'], lang)}, {org}"
        value = record.get(KINDS[table].label, rid)
        return localized(value, lang) if isinstance(value, dict) else str(value)

    def names(self, table: str) -> NameIndex:
        """The name index over one kind of entity."""
        return NameIndex(lambda prefix: self.name_keys(table, prefix))


class MemoryBase(FactBase):
    """A fact base parsed into memory; computes the indexes the cache stores."""

    def __init__(self, path: Path, raw: dict[str, Any]) -> None:
        self.path = path
        self.raw = raw
        self.meta = dict(raw["meta"])
        self.by_id = {r["id"]: (table, r) for table in KINDS for r in raw.get(table, [])}
        self._names: dict[str, dict[str, list[str]]] = {}
        self._back: dict[str, list[str]] | None = None
        self.digests: Blocks = None

    def records(self, table: str) -> list[Record]:
        return list(self.raw.get(table, []))

    def find(self, rid: str) -> tuple[str, Record] | None:
        return self.by_id.get(rid)

    def referrers(self, rid: str) -> list[str]:
        return self.back_references.get(rid, [])

    def name_keys(self, table: str, prefix: str | None = None) -> dict[str, list[str]]:
        if table not in self._names:
            self._names[table] = table_name_keys(table, self.raw.get(table, []))
        return self._names[table]

    @property
    def back_references(self) -> dict[str, list[str]]:
        """For each id, the ids of the records that refer to it, in file order."""
        if self._back is None:
            self._back = self._compute_back_references()
        return self._back

    def _compute_back_references(self) -> dict[str, list[str]]:
        back: dict[str, list[str]] = {}
        fields = {t: [f.name for f in k.references if f.name != "sources"] for t, k in KINDS.items()}
        for rid, (table, record) in self.by_id.items():
            for name in fields[table]:
                value = record.get(name)
                if value is not None:
                    for target in [value] if isinstance(value, str) else value:
                        back.setdefault(target, []).append(rid)
        return back


def localized(value: dict[str, Any], lang: str) -> Any:
    """The `lang` version of a localized field, falling back to English."""
    return value.get(lang, value.get("en"))
