"""The fact base as relational tables for Datasette: `esra export --format sqlite FILE`.

One table per kind of record with a column per field, a link table per list of references,
a `citations` table (one row per source a value cites, with its verbatim quote) and an
`alternatives` table for conflicts; foreign keys for every reference, so Datasette shows
each one as a link, and full-text search where Datasette looks for it (`<table>_fts`).
The metadata Datasette reads with `-m` (titles, descriptions, facets) is written beside.

sqlite-utils does the writing; it is imported here only, never on a query's path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from esra_cli.contract import LIST_SEPARATOR, said
from esra_cli.facts import FactBase
from esra_cli.kinds import KINDS, TEXT_LANGS, Field, Kind

LANG_WORDS = {"en": "in English", "it": "in Italian", "local": "in the local language"}
# Lists of references that are citations, not links between records: `citations` holds them.
CITING = ("sources", "confirmed_by")
# What a reader wants to narrow each table by, in Datasette's facet bar.
FACETS = {
    "sources": ["publisher", "lang", "confidence"],
    "regions": ["country"],
    "places": ["country", "kind"],
    "memberships": ["organization", "role", "confidence"],
    "positions": ["organization", "region", "confidence"],
    "events": ["status", "place", "confidence"],
    "agreements": ["kind"],
    "statements": ["kind", "measure", "confidence"],
    "citations": ["source", "field", "kind"],
    "alternatives": ["kind", "field"],
}
# Not worth searching: codes, dates in words, machine fields.
UNSEARCHED = {"url", "lang", "dated", "confidence", "country", "nuts", "kind", "status", "role"}


def write(base: FactBase, file: Path) -> Path:
    """Write the database to `file` (atomically) and its metadata beside it; return the
    metadata's path. OSError or sqlite3.Error leave nothing behind."""
    import sqlite_utils

    staging = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    metadata = metadata_path(file)
    try:
        db = sqlite_utils.Database(str(staging), recreate=True)
        try:
            with db.conn:
                _fill(db, base)
            db.add_foreign_keys(list(_foreign_keys()))
            for table, columns in _searchable().items():
                db.table(table).enable_fts(columns, create_triggers=False)
        finally:
            db.close()
        text = json.dumps(describe(file.stem, base), ensure_ascii=False, indent=2) + "\n"
        staging.replace(file)
        metadata.write_text(text, encoding="utf-8")
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return metadata


def metadata_path(file: Path) -> Path:
    """Where the metadata of database `file` goes: esra.db -> esra.metadata.json."""
    return file.with_name(f"{file.stem}.metadata.json")


def _fill(db: Any, base: FactBase) -> None:
    for table, kind in KINDS.items():
        db[table].create(_columns(kind), pk="id")
        db[table].insert_all(_row(kind, r) for r in base.records(table))
    for table, kind in KINDS.items():
        for field in _links(kind):
            links = db[f"{table}_{field.name}"]
            links.create(_link_columns(kind, field))
            links.insert_all(_link_rows(kind, field, base))
    db["alternatives"].create(
        {"id": int, "kind": str, "record": str, "field": str, "value": str, "note": str}, pk="id"
    )
    db["citations"].create(
        {"id": int, "kind": str, "record": str, "field": str, "source": str, "quote": str,
         "position": int, "alternative": int},
        pk="id",
    )  # fmt: skip
    alternatives: list[dict[str, Any]] = []
    citations: list[dict[str, Any]] = []
    for table, kind in KINDS.items():
        if table == "sources":
            continue
        for record in base.records(table):
            citations += _citations(kind, record, None)
            for alternative in record.get("alternatives", ()):
                alternatives.append(
                    {"id": len(alternatives) + 1, "kind": kind.singular, "record": record["id"],
                     "field": said(alternative["field"]), "value": _text(alternative["value"]),
                     "note": alternative.get("note")}
                )  # fmt: skip
                citations += _citations(kind, {**alternative, "id": record["id"]}, alternatives[-1])
    db["alternatives"].insert_all(alternatives)
    db["citations"].insert_all({"id": n, **c} for n, c in enumerate(citations, 1))


def _columns(kind: Kind) -> dict[str, type]:
    return {column: sql for field in kind.fields for column, sql in _field_columns(field).items()}


def _field_columns(field: Field) -> dict[str, type]:
    """A field's columns, named as the views name it (`since`, `kind`): a text has one a
    language, a list of references none (it is a link table, or citations), the rest one."""
    name = said(field.name)
    if field.type == "text":
        return {_lang_column(name, lang): str for lang in TEXT_LANGS}
    if field.type == "texts":
        return {_lang_column(name, lang): str for lang in TEXT_LANGS[:2]}
    if field.type in ("refs", "quotes", "cite", "alternatives"):
        return {}
    return {name: int if field.type == "int" else str}


def _lang_column(name: str, lang: str) -> str:
    return name if lang == "en" else f"{name}_{lang}"


def _row(kind: Kind, record: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in kind.fields:
        value = record.get(field.name)
        if value is None or field.type in ("refs", "quotes", "cite", "alternatives"):
            continue
        if field.type in ("text", "texts"):
            row.update({_lang_column(said(field.name), lang): _text(v) for lang, v in value.items()})
        else:
            row[said(field.name)] = value if field.type == "int" else _text(value)
    if kind.field("confidence") is not None:
        row["confidence"] = record.get("confidence", "high")  # the default, written: a facet value
    return {"id": record["id"], **row}


def _text(value: Any) -> str:
    """A value as the one string a cell holds: a list joined as the CSV export joins it."""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(map(str, value))
    return str(value)


def _links(kind: Kind) -> Iterator[Field]:
    return (f for f in kind.references if f.type == "refs" and f.name not in CITING)


def _link_columns(kind: Kind, field: Field) -> dict[str, type]:
    """A link table: the record, then one column per kind it may link to (one filled a row),
    so that each is a foreign key Datasette can follow."""
    return {kind.singular: str, **{KINDS[t].singular: str for t in field.refs}, "position": int}


def _link_rows(kind: Kind, field: Field, base: FactBase) -> Iterator[dict[str, Any]]:
    for record in base.records(kind.table):
        for position, target in enumerate(record.get(field.name, ()), 1):
            column = KINDS[base.kind(target)].singular  # ids are unique across the base (`check`)
            yield {kind.singular: record["id"], column: target, "position": position}


def _citations(
    kind: Kind, record: dict[str, Any], alternative: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """One row per value a source is cited for: the fields `cite` names it for (`confirmed`
    for `confirmed_by`), else "record" (it supports the record as a whole); an alternative's
    sources cite its one field."""
    quotes = record.get("quotes", {})
    cite = {"confirmed": record.get("confirmed_by", []), **record.get("cite", {})}
    cite = {said(field): cited for field, cited in cite.items()}
    rows = []
    for position, source in enumerate(record["sources"], 1):
        if alternative is not None:
            fields = [said(alternative["field"])]
        else:
            fields = [f for f, cited in cite.items() if source in cited] or ["record"]
        rows += [
            {"kind": kind.singular, "record": record["id"], "field": field, "source": source,
             "quote": quotes.get(source), "position": position,
             "alternative": alternative["id"] if alternative else None}
            for field in fields
        ]  # fmt: skip
    return rows


def _foreign_keys() -> Iterator[tuple[str, str, str, str]]:
    for table, kind in KINDS.items():
        for field in kind.references:
            if field.type == "ref":
                yield table, field.name, field.refs[0], "id"
        for field in _links(kind):
            links = f"{table}_{field.name}"
            yield links, kind.singular, table, "id"
            yield from ((links, KINDS[t].singular, t, "id") for t in field.refs)
    yield "citations", "source", "sources", "id"
    yield "citations", "alternative", "alternatives", "id"


def _searchable() -> dict[str, list[str]]:
    """The text columns of each kind, for its `<table>_fts` index."""
    searched = {}
    for table, kind in KINDS.items():
        columns = [
            column
            for field in kind.fields
            if field.type in ("str", "strs", "text", "texts") and field.name not in UNSEARCHED
            for column in _field_columns(field)
        ]
        searched[table] = columns
    searched["citations"] = ["quote"]
    return searched


def describe(database: str, base: FactBase) -> dict[str, Any]:
    """Datasette's metadata (`datasette FILE -m METADATA`): titles, descriptions, facets."""
    tables: dict[str, Any] = {}
    for table, kind in KINDS.items():
        columns = {"id": "stable lowercase id, as esra's commands take it"}
        for field in kind.fields:
            if field.name in ("id", "quotes", "cite", "alternatives") or field.type == "refs":
                continue  # lists of references are link tables, sources the citations
            about = field.help or field.name.replace("_", " ")
            if field.refs:
                about += f" (links to {', '.join(field.refs)})"
            for column in _field_columns(field):
                lang = column.removeprefix(said(field.name)).lstrip("_") or (
                    "en" if field.type.startswith("text") else ""
                )
                columns[column] = about + (f", {LANG_WORDS[lang]}" if lang else "")
        tables[table] = {
            "description": f"One row per {kind.singular}. Its sources and their quotes are in citations.",
            "columns": columns,
            "facets": FACETS.get(table, []),
            "label_column": kind.label,
        }
        for field in _links(kind):
            tables[f"{table}_{field.name}"] = {
                "description": f"The {field.name} of each {kind.singular}, in order: one row a link.",
                "facets": [KINDS[t].singular for t in field.refs],
            }
    tables["citations"] = {
        "description": (
            "One row per value a source is cited for: the record, the field it states ('record' "
            "where the source supports the record as a whole, 'last_confirmed' for the latest "
            "confirmation), the source and its verbatim quote. An alternative's citations name it."
        ),
        "facets": FACETS["citations"],
    }
    tables["alternatives"] = {
        "description": (
            "Conflicting values: another sourced value of one field of a record; "
            "its sources are in citations."
        ),
        "facets": FACETS["alternatives"],
    }
    return {
        "title": "esra: European regional alliances",
        "description": (
            "Who, what, when and where of the European Semiconductor Regions Alliance, the "
            "Automotive Regions Alliance and the European Chemical Regions Network, from esra's "
            f"fact base (updated {base.meta.get('updated', 'unknown')}). Every value cites the "
            "sources that state it (table citations); confidence and inference are columns."
        ),
        "license": "MIT",
        "source": "esra fact base (facts.toml)",
        "databases": {database: {"tables": tables}},
    }
