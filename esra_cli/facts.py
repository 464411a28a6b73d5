"""Loading the fact base: TOML in, one validated FactBase out. The only place that parses it."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from esra_cli.check import Problem, problems
from esra_cli.errors import InvalidFacts
from esra_cli.i18n import word
from esra_cli.names import NameIndex, words
from esra_cli.schema import KINDS

Record = dict[str, Any]


def read_text(path: Path) -> str:
    """The file's text, or InvalidFacts naming what is wrong with it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidFacts(f"fact base not found: {path}") from None
    except IsADirectoryError:
        raise InvalidFacts(f"fact base is a directory, not a file: {path}") from None
    except OSError as err:
        raise InvalidFacts(f"cannot read fact base {path}: {err.strerror or err}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InvalidFacts(f"{path}:{line}: not valid UTF-8 (byte {err.start})") from None


def parse(text: str, path: Path) -> dict[str, Any]:
    """Parse TOML, turning its errors into one line that names the file, line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InvalidFacts(f"{path}: invalid TOML: {err}") from None
    except RecursionError:
        raise InvalidFacts(f"{path}: invalid TOML: nested too deeply") from None


def validated(raw: dict[str, Any], text: str, path: Path) -> FactBase:
    """A FactBase from parsed TOML, or InvalidFacts pointing at `esra check`."""
    found = problems(raw, text)
    if found:
        first = found[0].format(path.name)
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise InvalidFacts(f"invalid fact base {path}: {first}{more}; run 'esra check' for all")
    return FactBase(path, raw)


_POSITION = re.compile(r"at line (\d+)")


def diagnose(path: Path) -> tuple[dict[str, Any] | None, str, list[Problem]]:
    """The parsed base (None if it does not parse), its text, and every problem in it.

    A file that cannot be read at all raises InvalidFacts, as for every other command.
    """
    text = read_text(path)
    try:
        raw = parse(text, path)
    except InvalidFacts as err:
        where = _POSITION.search(str(err))
        message = str(err).removeprefix(f"{path}: ")
        return None, text, [Problem(message, line=int(where.group(1)) if where else None)]
    return raw, text, problems(raw, text)


def load(path: Path) -> FactBase:
    """Read, parse and validate the fact base at `path`."""
    text = read_text(path)
    return validated(parse(text, path), text, path)


@dataclass(frozen=True)
class FactBase:
    """A validated fact base: records by kind and by id, and the name index over entities."""

    path: Path
    raw: dict[str, Any]
    by_id: dict[str, tuple[str, Record]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        index = {r["id"]: (table, r) for table in KINDS for r in self.raw.get(table, [])}
        object.__setattr__(self, "by_id", index)

    @property
    def meta(self) -> dict[str, str]:
        """The [meta] table: announcement source id and last update."""
        return dict(self.raw["meta"])

    def records(self, table: str) -> list[Record]:
        """All records of one kind, in file order."""
        return list(self.raw.get(table, []))

    def get(self, rid: str) -> Record:
        """The record with this id (ids are validated, so a reference always resolves)."""
        return self.by_id[rid][1]

    def kind(self, rid: str) -> str:
        """The table the id lives in."""
        return self.by_id[rid][0]

    def label(self, rid: str, lang: str) -> str:
        """The display name of a record in `lang`; a post or membership names both its sides."""
        table, record = self.by_id[rid]
        if table == "positions":
            body = record.get("organization") or record.get("region")
            post = localized(record["title"], lang) + (f", {self.label(body, lang)}" if body else "")
            return f"{self.label(record['person'], lang)}: {post}"
        if table == "memberships":
            org = self.label(record["organization"], lang)
            return f"{self.label(record['region'], lang)}: {word(record['role'], lang)}, {org}"
        value = record.get(KINDS[table].label, rid)
        return localized(value, lang) if isinstance(value, dict) else str(value)

    def labels(self, lang: str) -> dict[str, str]:
        """Every id's display name, for messages that list candidates."""
        return {rid: self.label(rid, lang) for rid in self.by_id}

    def names(self, *tables: str) -> NameIndex:
        """The name index over these kinds of entity."""
        return NameIndex((r["id"], entity_names(t, r)) for t in tables for r in self.records(t))

    @cached_property
    def referrers(self) -> dict[str, list[str]]:
        """For each id, the ids of the records that refer to it, in file order."""
        back: dict[str, list[str]] = {}
        for rid, (table, record) in self.by_id.items():
            for f in KINDS[table].fields:
                if f.refs and f.name != "sources" and f.name in record:
                    value = record[f.name]
                    for target in [value] if isinstance(value, str) else value:
                        back.setdefault(target, []).append(rid)
        return back


def localized(value: dict[str, Any], lang: str) -> Any:
    """The `lang` version of a localized field, falling back to English."""
    return value.get(lang, value.get("en"))


def entity_names(table: str, record: Record) -> Iterator[str]:
    """Every string that names an entity: id, names in all languages, acronym, aliases.

    People are also named by each of their names alone (surname or first name).
    """
    yield record["id"]
    name = record.get("name", "")
    yield from name.values() if isinstance(name, dict) else [name]
    if "acronym" in record:
        yield record["acronym"]
    aliases = record.get("aliases", [])
    yield from aliases
    if table == "people":
        for full in [name, *aliases]:
            yield from words(full)
