"""The whole base, or one kind of record, as TOML, JSON, JSON Lines or CSV text; or the whole
base as JSON-LD (linked.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from esra_cli import contract, escape
from esra_cli.contract import LIST_SEPARATOR
from esra_cli.errors import OutputError, UsageError
from esra_cli.facts import FactBase
from esra_cli.kinds import KINDS


def export(base: FactBase, fmt: str, table: str | None) -> str:
    """The base in `fmt`; with `table`, only records of that kind (TOML/JSON keep [meta])."""
    if fmt == "jsonld" and table:
        raise UsageError("--format jsonld exports the whole base: leave out --kind")
    tables = [table] if table else list(KINDS)
    selected: dict[str, Any] = {"meta": base.meta}
    selected.update({t: base.records(t) for t in tables if base.records(t)})
    if fmt == "toml":
        import tomli_w

        return escape.data(tomli_w.dumps(selected), "toml")
    if fmt == "json":
        return _json(selected, indent=2)
    if fmt == "jsonld":
        from esra_cli.linked import document

        return _json(document(base), indent=2)
    # Rows for scripts, in the views' vocabulary: `type` the record type, the record's own
    # fields by their names in the views (`since`, `kind`), its citations' fields too.
    rows = [{"type": KINDS[t].singular, **_said(r)} for t in tables for r in base.records(t)]
    if fmt == "jsonl":
        return "".join(_json(row) for row in rows)
    return csv_text([dict(flatten(row)) for row in rows], first=["type", "id"])


def _said(record: dict[str, Any]) -> dict[str, Any]:
    """A record with its fields, its `cite` keys and its alternatives' fields named as the
    views name them (contract.said)."""
    said = {contract.said(k): v for k, v in record.items()}
    if "cite" in said:
        said["cite"] = {contract.said(k): v for k, v in said["cite"].items()}
    if "alternatives" in said:
        said["alternatives"] = [{**a, "field": contract.said(a["field"])} for a in said["alternatives"]]
    return said


def database(path: str, fmt: str, table: str | None, file: Path | None, force: bool = False) -> Path:
    """Write the fact base at `path` as relational tables to `file` (relational.py), and the
    metadata Datasette reads beside it; return the metadata's path."""
    from esra_cli import facts, relational

    if fmt != "sqlite":
        raise UsageError(f"--format {fmt} writes to stdout: leave out FILE and redirect (> FILE)")
    if file is None or str(file) == "-":
        raise UsageError("--format sqlite writes a database file, not to stdout: name its FILE")
    if table:
        raise UsageError("--format sqlite exports the whole base: leave out --kind")
    _replaceable(file, path, force)
    _replaceable_metadata(relational.metadata_path(file), force)
    base = facts.load(path)
    import sqlite3

    try:
        return relational.write(base, file)
    except (OSError, sqlite3.Error) as err:
        raise OutputError(f"cannot write {file}: {getattr(err, 'strerror', None) or err}") from None


def _replaceable_metadata(file: Path, force: bool) -> None:
    """The metadata beside the database is replaced only with --force, and only if it is
    Datasette metadata (a JSON object naming its databases) -- never another file."""
    if not file.exists() and not file.is_symlink():
        return
    try:
        ours = "databases" in json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        ours = False
    if not ours:
        raise UsageError(f"{file} exists and is not Datasette metadata: move it or name another FILE")
    if not force:
        raise UsageError(f"{file} exists: --force replaces it")


def _replaceable(file: Path, path: str, force: bool) -> None:
    """Refuse to write over anything but a SQLite database the user said to replace."""
    if not file.exists() and not file.is_symlink():
        return
    try:
        same = file.samefile(path)
        with file.open("rb") as existing:
            header = existing.read(16)
    except OSError:
        same, header = False, b""
    if same:
        raise UsageError(f"{file} is the fact base being exported: name another FILE")
    if header != b"SQLite format 3\x00":
        raise UsageError(f"{file} exists and is not a SQLite database: name another FILE")
    if not force:
        raise UsageError(f"{file} exists: --force replaces it")


def _json(data: Any, indent: int | None = None) -> str:
    return escape.data(json.dumps(data, ensure_ascii=False, indent=indent)) + "\n"


def flatten(record: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Nested tables become one column per key (name_it), as in query answers; lists are
    joined with '; ', a list of related entities by their ids; null is empty."""
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from flatten(value, f"{name}_")
        elif isinstance(value, list):
            items = (v["id"] if isinstance(v, dict) and "id" in v else v for v in value)
            yield name, LIST_SEPARATOR.join(str(v) for v in items)
        else:
            yield name, "" if value is None else str(value)


def csv_text(rows: list[dict[str, str]], first: list[str]) -> str:
    """Rows as CSV with a header: the `first` columns that occur lead, the rest follow as met."""
    present = {k for row in rows for k in row}
    columns = list(dict.fromkeys([*(c for c in first if c in present), *(k for row in rows for k in row)]))
    return escape.csv_rows([columns, *([row.get(c, "") for c in columns] for row in rows)])
