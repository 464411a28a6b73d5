"""The whole base, or one kind of record, as TOML, JSON, JSON Lines or CSV text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from esra_cli.facts import FactBase
from esra_cli.schema import KINDS

LIST_SEPARATOR = "; "


def export(base: FactBase, fmt: str, table: str | None) -> str:
    """The base in `fmt`; with `table`, only records of that kind (TOML/JSON keep [meta])."""
    tables = [table] if table else list(KINDS)
    selected: dict[str, Any] = {"meta": base.meta}
    selected.update({t: base.records(t) for t in tables if base.records(t)})
    if fmt == "toml":
        import tomli_w

        return tomli_w.dumps(selected)
    if fmt == "json":
        return json.dumps(selected, ensure_ascii=False, indent=2) + "\n"
    rows = [{"kind": KINDS[t].singular, **r} for t in tables for r in base.records(t)]
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    return _csv([dict(_flatten(row)) for row in rows])


def _flatten(record: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Nested tables become dotted columns (name.it); lists are joined with '; '."""
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        elif isinstance(value, list):
            yield name, LIST_SEPARATOR.join(str(v) for v in value)
        else:
            yield name, str(value)


def _csv(rows: list[dict[str, str]]) -> str:
    columns = list(dict.fromkeys(["kind", "id", *(k for row in rows for k in row)]))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
