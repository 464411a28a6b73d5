"""One vocabulary in every command and export (issue 19, item 5): `type` is the record type,
a record's own sort its `kind`, and periods `since`/`until`/`last_confirmed` wherever a view
or a row for scripts names them (repro 05: the export's record type overwritten)."""

from __future__ import annotations

import csv
import io
import json
import tomllib

from esra_cli.kinds import KINDS
from tests.conftest import AS_OF, SHIPPED, Run

RAW = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
TYPES = {kind.singular for kind in KINDS.values()}


def test_export_rows_keep_the_record_type_and_each_records_own_kind(run: Run) -> None:
    rows = [json.loads(line) for line in run("export", "--format", "jsonl").stdout.splitlines()]
    by_type = {t: [r for r in rows if r["type"] == t] for t in TYPES}
    assert {t: len(v) for t, v in by_type.items()} == {k.singular: len(RAW[k.table]) for k in KINDS.values()}
    assert {r["kind"] for r in by_type["organization"]} == {"alliance", "network", "institution"}
    assert {r["kind"] for r in by_type["place"]} <= {"city", "venue"}
    assert {r["kind"] for r in by_type["statement"]} == {s["type"] for s in RAW["statements"]}
    table = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").stdout)))
    assert sum(r["type"] == "place" for r in table) == len(RAW["places"])
    assert next(iter(table[0])) == "type"


def test_every_view_says_type_for_the_record_type(run: Run) -> None:
    for command in ("what", "when", "search"):
        args = [command, "lombardia"] if command == "search" else [command]
        rows = json.loads(run(*args, "--as-of", AS_OF, "--json").stdout)
        assert {r["type"] for r in rows} <= TYPES, command
    kinds = {r["kind"] for r in json.loads(run("when", "--as-of", AS_OF, "--json").stdout)}
    assert {"chair-start", "membership-start", "position-end", "figure"} <= kinds


def test_show_and_exports_name_periods_as_the_queries_do(run: Run) -> None:
    card = json.loads(run("show", "guidesi-presidente-ara", "--as-of", AS_OF, "--json").stdout)
    assert {"since", "until", "last_confirmed"} <= set(card["fields"])
    assert not {"start", "end", "confirmed"} & set(card["fields"])
    assert set(card["cite"]) == {"since", "until"}
    assert {a["field"] for a in card["alternatives"]} == {"since"}
    person = json.loads(run("person", "guidesi", "--as-of", AS_OF, "--json").stdout)
    post = next(p for p in person["positions"] if p["id"] == "guidesi-presidente-ara")
    assert (post["since"], post["until"]) == (card["fields"]["since"], card["fields"]["until"])
    row = next(
        json.loads(line)
        for line in run("export", "--format", "jsonl", "--kind", "position").stdout.splitlines()
        if '"guidesi-presidente-ara"' in line
    )
    assert (row["since"], row["until"], set(row["cite"])) == ("2025-01-01", "2025", {"since", "until"})
    # The base's own form keeps its own names: it is what `add` and `check` read.
    base = json.loads(run("export", "--format", "json", "--kind", "position").stdout)
    assert "start" in next(p for p in base["positions"] if p["id"] == "guidesi-presidente-ara")


def test_italian_disputes_say_their_field_names_in_italian(run: Run) -> None:
    table = run("disputes", "--lang", "it", "--as-of", AS_OF).stdout
    for english in ("since", "until", "value", "founded"):
        assert f"  {english}  " not in table
    assert "Fino a" in table and "Valore" in table and "Fondazione" in table
