"""Consistency rules for a parsed fact base. Returns problems; never prints, never raises."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from esra_cli import dates
from esra_cli.names import fold
from esra_cli.schema import ENTITIES, KINDS, META_FIELDS, Field, Kind

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_QUOTE_WORDS = 25
_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]")
_PERIODS = (("start", "end"), ("since", "until"), ("date", "end"))


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the base, located by line and record id where they are known."""

    message: str
    id: str = ""
    line: int | None = None

    def format(self, filename: str) -> str:
        """`facts.toml:LINE: id: message`, leaving out what is unknown."""
        where = f"{filename}:{self.line}" if self.line else filename
        return f"{where}: {self.id}: {self.message}" if self.id else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The problem as JSON data."""
        return {"line": self.line, "id": self.id or None, "message": self.message}


def header_lines(text: str) -> dict[str, list[int]]:
    """Line numbers of each `[[table]]` header, in order, so record i of a table has a line."""
    lines: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line)
        if match:
            lines.setdefault(match.group(1), []).append(number)
    return lines


def problems(raw: dict[str, Any], text: str = "") -> list[Problem]:
    """Every problem in a parsed base; `text` is the TOML source, used for line numbers."""
    found: list[Problem] = []
    headers = header_lines(text)
    ids: dict[str, str] = {}  # id -> table
    located: list[tuple[Kind, dict[str, Any], str, int | None]] = []

    for key in raw:
        if key != "meta" and key not in KINDS:
            found.append(Problem(f"unknown table [{key}] (known: meta, {', '.join(KINDS)})"))
    meta = raw.get("meta")
    if not isinstance(meta, dict):
        found.append(Problem("missing [meta] table with announcement and updated"))
        meta = {}

    for table, kind in KINDS.items():
        records = raw.get(table, [])
        if not isinstance(records, list):
            found.append(Problem(f"{table} must be an array of tables ([[{table}]])"))
            continue
        lines = headers.get(table, [])
        for index, record in enumerate(records):
            line = lines[index] if index < len(lines) else None
            if not isinstance(record, dict):
                found.append(Problem(f"{table}[{index}] is not a table", line=line))
                continue
            rid = record.get("id")
            label = rid if isinstance(rid, str) else f"{table}[{index}]"
            for message in _field_problems(kind, record):
                found.append(Problem(message, label, line))
            if isinstance(rid, str):
                if rid in ids:
                    found.append(Problem(f"duplicate id (also in {ids[rid]})", rid, line))
                else:
                    ids[rid] = table
                located.append((kind, record, rid, line))

    for name, ftype in META_FIELDS.items():
        value = meta.get(name)
        if not isinstance(value, str):
            found.append(Problem(f"[meta] needs {name} as a string"))
        elif ftype == "ref" and ids.get(value) != "sources":
            found.append(Problem(f"[meta] {name}: unknown source {value!r}"))
        elif ftype == "date" and not dates.is_valid(value):
            found.append(Problem(f"[meta] {name}: not an ISO date: {value!r}"))
    for name in meta:
        if name not in META_FIELDS:
            found.append(Problem(f"[meta] has unknown key {name!r}"))

    for kind, record, rid, line in located:
        for message in _reference_problems(kind, record, ids):
            found.append(Problem(message, rid, line))
    found.extend(_alias_collisions(located))
    return found


def _field_problems(kind: Kind, record: dict[str, Any]) -> Iterator[str]:
    for name in record:
        if kind.field(name) is None:
            known = ", ".join(f.name for f in kind.fields)
            yield f"unknown field {name!r} for {kind.singular} (known: {known})"
    for field in kind.fields:
        if field.name not in record:
            if field.required:
                yield f"missing required field {field.name!r}"
            continue
        problem = _type_problem(field, record[field.name])
        if problem:
            yield f"{field.name}: {problem}"
    for start, end in _PERIODS:
        first, last = record.get(start), record.get(end)
        if not (isinstance(first, str) and isinstance(last, str)):
            continue
        if dates.is_valid(first) and dates.is_valid(last) and dates.last_day(last) < dates.first_day(first):
            yield f"{end} {last} is before {start} {first}"
    if "date" in record and "start" in record:
        yield "give either date or start/end, not both"


def _type_problem(field: Field, value: Any) -> str | None:
    strings = isinstance(value, list) and all(isinstance(v, str) for v in value)
    match field.type:
        case "id":
            if not isinstance(value, str) or not SLUG.fullmatch(value):
                return f"not a lowercase ASCII slug: {value!r}"
        case "str" | "ref":
            if not isinstance(value, str) or not value.strip():
                return "must be a non-empty string"
            if field.name == "quote" and len(value.split()) > MAX_QUOTE_WORDS:
                return f"longer than {MAX_QUOTE_WORDS} words"
        case "choice":
            if value not in field.choices:
                return f"{value!r} is not one of {', '.join(field.choices)}"
        case "date":
            if not isinstance(value, str) or not dates.is_valid(value):
                return f"not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}"
        case "int":
            if not isinstance(value, int) or isinstance(value, bool):
                return "must be an integer"
        case "strs":
            if not strings:
                return "must be a list of strings"
        case "refs":
            if not strings:
                return "must be a list of ids"
            if field.required and not value:
                return "must not be empty"
        case "text" | "texts":
            return _localized_problem(field, value)
    return None


def _localized_problem(field: Field, value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be a table such as { it = ..., en = ... }"
    for lang in ("it", "en"):
        if lang not in value:
            return f"missing the {lang!r} text"
    for lang, text in value.items():
        if lang not in ("it", "en", "local"):
            return f"unknown language {lang!r} (it, en, local)"
        if field.type == "text" and not isinstance(text, str):
            return f"{lang}: must be a string"
        if field.type == "texts" and not (isinstance(text, list) and all(isinstance(t, str) for t in text)):
            return f"{lang}: must be a list of strings"
    return None


def _reference_problems(kind: Kind, record: dict[str, Any], ids: dict[str, str]) -> Iterator[str]:
    for field in kind.fields:
        value = record.get(field.name)
        if not field.refs or value is None:
            continue
        targets = [value] if field.type == "ref" else value
        if not isinstance(targets, list):
            continue
        for target in targets:
            if not isinstance(target, str):
                continue
            table = ids.get(target)
            if table is None:
                what = "source" if field.refs == ("sources",) else "id"
                yield f"{field.name}: unknown {what} {target!r}"
            elif table not in field.refs:
                wanted = " or ".join(KINDS[t].singular for t in field.refs)
                yield f"{field.name}: {target!r} is {_article(KINDS[table].singular)}, not {_article(wanted)}"


def _article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _alias_collisions(
    located: list[tuple[Kind, dict[str, Any], str, int | None]],
) -> Iterator[Problem]:
    """An alias of one entity that names another entity makes lookups ambiguous by accident."""
    owners: dict[str, str] = {}
    for kind, record, rid, _ in located:
        if kind.table in ENTITIES:
            for key in _entity_names(record):
                owners.setdefault(key, rid)
    for kind, record, rid, line in located:
        aliases = record.get("aliases") if kind.table in ENTITIES else None
        if not isinstance(aliases, list):
            continue
        for alias in aliases:
            if isinstance(alias, str):
                owner = owners.get(fold(alias))
                if owner is not None and owner != rid:
                    yield Problem(f"alias {alias!r} also names {owner!r}", rid, line)


def _entity_names(record: dict[str, Any]) -> Iterator[str]:
    name = record.get("name")
    values = list(name.values()) if isinstance(name, dict) else [name]
    values += [record.get("id"), record.get("acronym")]
    aliases = record.get("aliases")
    if isinstance(aliases, list):
        values += aliases
    for value in values:
        if isinstance(value, str):
            yield fold(value)


def quote_problems(raw: dict[str, Any], source_text: str, source_id: str, text: str = "") -> list[Problem]:
    """Records citing `source_id` first whose `quote` is not in the source's text."""
    haystack = normalize_quote(source_text)
    headers = header_lines(text)
    found = []
    for table in KINDS:
        records = raw.get(table)
        if not isinstance(records, list):
            continue
        lines = headers.get(table, [])
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                continue
            sources, quote = record.get("sources"), record.get("quote")
            if not (isinstance(sources, list) and sources and sources[0] == source_id):
                continue
            if isinstance(quote, str) and normalize_quote(quote) not in haystack:
                line = lines[index] if index < len(lines) else None
                found.append(
                    Problem(f"quote not found in the source: {quote!r}", str(record.get("id")), line)
                )
    return found


_TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "«": '"', "»": '"'})


def normalize_quote(text: str) -> str:
    """Fold whitespace and typographic quotes, so a quote matches however it was typed."""
    return " ".join(text.translate(_TYPOGRAPHIC).split())
