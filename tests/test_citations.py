"""Each value cites the sources that state it (issue 18): shown by `show`, kept apart by
`disputes`, written by `add --cite`, required by `check` (tests/test_check.py mutates one
record per rule)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from tests.conftest import SHIPPED, Run

AS_OF = "2026-12-01"


def test_no_dispute_cites_one_source_on_both_sides(data: Any) -> None:
    raw = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    records = {r["id"]: r for table, rows in raw.items() if table != "meta" for r in rows}
    disputes = data("disputes", "--as-of", AS_OF)
    assert len(disputes) >= 10
    for row in disputes:
        preferred, other = set(row["preferred"]["sources"]), set(row["other"]["sources"])
        assert preferred and not preferred & other, row
        # The preferred side is the value's own citation, never the record's whole list.
        field = {"since": "start", "until": "end"}.get(row["field"], row["field"])
        own = records[row["id"]]["cite"]
        assert preferred == set(own.get(field) or own[row["field"]]), row


def test_show_gives_each_value_its_sources(run: Run, data: Any) -> None:
    card = data("show", "chivite-presidente-ara", "--as-of", AS_OF)
    # By the views' names (`since`, `until`), as every query says them, not TOML's start/end.
    assert card["cite"] == {"since": ["europapress-2024-02-16"], "until": ["europapress-2024-02-16"]}
    states = {s["id"]: s["states"] for s in card["sources"]}
    assert states == {
        "primamonza-2024-11": [],
        "finimmediato-2024-12-03": [],
        "europapress-2024-02-16": ["since", "until"],
    }
    # The alternative end keeps only its own sources.
    assert card["alternatives"][0]["sources"] == [
        "primamonza-2024-11",
        "finimmediato-2024-12-03",
        "ilcittadino-2024-11",
    ]
    table = run("show", "chivite-presidente-ara", "--as-of", AS_OF).stdout
    assert "2024 (europapress-2024-02-16)" in table and "since, until" in table


def test_add_writes_a_value_with_its_citation(run: Run, facts_copy: Path) -> None:
    args = [
        "--facts",
        str(facts_copy),
        "add",
        "event",
        "--id",
        "x-2026",
        "--date",
        "2026-01",
        "--status",
        "held",
    ]
    args += ["--title-it", "X", "--title-en", "X", "--source", "radiocor-2026-02-05"]
    args += ["--quote", "radiocor-2026-02-05=Ecrn comprende 17 Regioni", "--cite", "date=radiocor-2026-02-05"]
    shown = run(*args, "--dry-run")
    assert shown.exit_code == 0, shown.stderr
    assert 'cite = { date = ["radiocor-2026-02-05"] }' in shown.stdout
    # Without its citation the date is refused, and the file is left as it was.
    before = facts_copy.read_bytes()
    refused = run(*args[:-2])
    assert refused.exit_code == 4 and "[uncited-value]" in refused.stderr
    assert facts_copy.read_bytes() == before
    bad = run(*args[:-1], "date")
    assert (bad.exit_code, bad.stderr) == (2, "esra: --cite takes FIELD=SOURCE, got 'date'\n")


def test_show_cite_numbers_each_values_sources_and_lists_them_with_their_urls(run: Run) -> None:
    args = ("show", "grand-est-ara-chair", "--as-of", AS_OF)
    plain, numbered = run(*args).stdout, run(*args, "--cite").stdout
    assert re.search(r"\nSince +2026 \(ilgiornale-2026-02-01, openlobby-grandest-2025-10-10\)\n", plain)
    assert "[1]" not in plain
    # The numbers follow the record's sources: Il Giornale [1], OpenLobby [2].
    assert re.search(r"\nSince +2026 \(\[1, 2\]\)\n", numbered)
    assert re.search(r"\nUntil +2026 \(\[2\]\)\n", numbered)
    listed = numbered.split("\nSources:\n", 1)[1].splitlines()
    assert listed[0].startswith("[1] Il Giornale, “Marcia indietro sull'auto")
    assert listed[0].endswith(", 1 February 2026,")
    # The URL on a line of its own, whole: a line a terminal may wrap, never a cut one.
    assert listed[1] == (
        "    https://www.ilgiornale.it/news/politica-economica/"
        "marcia-indietro-sullauto-non-basta-neutralit-tecnologica-2603632.html"
    )
    assert listed[2].startswith("[2] OpenLobby, ") and "10 October 2025" in listed[2]
    # An alternative's sources carry the same numbers as in the list.
    disputed = run("show", "catalogna-ecrn-chair", "--as-of", AS_OF, "--cite").stdout
    assert "since: 4 February 2026 (" not in disputed and "since: 5 February 2026 ([3])" in disputed
