"""The record on any day: one clock, --as-of on every answer that depends on the date.

Each test asks through the front door (entry.dispatch). The autouse fixture pins "today" to
AS_OF (tests/conftest.py); a test that needs another today pins it itself.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from esra_cli import answers, dates
from tests.conftest import AS_OF, ROOT, Run

# One call of every query command, with the arguments it needs.
CALLS = {
    "members": ["members"],
    "person": ["person", "guidesi"],
    "who": ["who"],
    "what": ["what"],
    "when": ["when"],
    "where": ["where"],
    "org": ["org", "esra"],
    "region": ["region", "lombardia"],
    "search": ["search", "lombardia"],
    "sources": ["sources"],
    "disputes": ["disputes"],
    "tree": ["tree", "ara"],
    "show": ["show", "guidesi-presidente-ara"],
}
FAR = dt.date(2031, 7, 1)


def test_every_query_command_is_called_here() -> None:
    assert set(CALLS) == set(answers.QUERIES)


def _clock_reads(path: Path) -> list[str]:
    """Calls in a module that read the date or the time of day: date.today(), datetime.now()..."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("today", "now", "utcnow", "localtime", "gmtime", "strftime")
            and ast.unparse(node.func.value).split(".")[-1] in ("date", "datetime", "dt", "time")
        ):
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_one_function_reads_the_clock() -> None:
    reads = [r for p in sorted((ROOT / "esra_cli").glob("*.py")) for r in _clock_reads(p)]
    assert [r.split(":")[0] for r in reads] == ["dates.py"], reads
    source = (ROOT / "esra_cli" / "dates.py").read_text(encoding="utf-8")
    assert source.count("dt.date.today()") == 1


@pytest.mark.parametrize("command", list(CALLS))
def test_every_query_command_answers_as_of_a_day_whatever_the_clock(
    command: str, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_the_day = run(*CALLS[command], "--json")  # today is AS_OF (the fixture)
    assert on_the_day.exit_code == 0, on_the_day.stderr
    monkeypatch.setattr(dates, "today", lambda: FAR)
    asked = run(*CALLS[command], "--as-of", AS_OF, "--json")
    assert asked.exit_code == 0, asked.stderr
    assert json.loads(asked.stdout) == json.loads(on_the_day.stdout)


def test_a_plan_has_no_known_outcome_only_once_its_day_has_passed(run: Run) -> None:
    def plan(as_of: str) -> dict[str, Any]:
        rows = json.loads(run("what", "--as-of", as_of, "--json").stdout)
        found = [
            r for r in rows if r["status"] == "planned" and r["date"] and r["date"].startswith("2026-11")
        ]
        assert found, "the base has a plan dated November 2026"
        return dict(found[0])

    assert "outcome" not in plan("2026-11-25")
    assert plan("2026-12-01")["outcome"] == "unknown"


def test_sources_as_of_a_day_list_no_page_published_after_it(run: Run) -> None:
    everything = json.loads(run("sources", "--json").stdout)
    then = json.loads(run("sources", "--as-of", "2024-11-08", "--json").stdout)
    assert 0 < len(then) < len(everything)
    assert all(dates.first_day(s["date"] or s["after"] or "0001") <= dt.date(2024, 11, 8) for s in then)
    assert "corcom-2024-11-08" in {s["id"] for s in then}


def test_search_as_of_a_day_leaves_out_what_was_not_known_then(run: Run) -> None:
    later = {r["id"] for r in json.loads(run("search", "monza", "--json").stdout)}
    early = {r["id"] for r in json.loads(run("search", "monza", "--as-of", "2024-01-01", "--json").stdout)}
    assert early < later


def test_show_gives_a_post_s_status_on_the_day(run: Run) -> None:
    def status(as_of: str) -> Any:
        return json.loads(run("show", "guidesi-presidente-ara", "--as-of", as_of, "--json").stdout)["status"]

    assert status("2024-11-10") == "upcoming"
    assert status("2025-03-01") == "current"


def test_a_bad_as_of_is_a_usage_error_on_every_command(run: Run) -> None:
    for command, args in CALLS.items():
        result = run(*args, "--as-of", "soon")
        assert result.exit_code == 2, command
        assert "soon" in result.stderr and result.stdout == ""
