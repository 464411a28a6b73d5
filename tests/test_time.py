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

from esra_cli import commands, dates
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
    assert set(CALLS) == set(commands.QUERIES)


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


# --- issue 17: statuses that say what is known on the day ------------------------------------


def _posts(run: Run, *args: str) -> dict[str, dict[str, Any]]:
    rows = json.loads(run("who", *args, "--json").stdout)
    return {p["id"]: p for row in rows for p in row["roles"]}


def test_a_post_unconfirmed_for_18_months_is_of_unknown_status(run: Run) -> None:
    minister = _posts(run, "kretschmer", "--as-of", AS_OF)["kretschmer-ministerpraesident"]
    assert (minister["status"], minister["last_confirmed"]) == ("status unknown", "2024-05-29")
    earlier = _posts(run, "kretschmer", "--as-of", "2025-01-01")["kretschmer-ministerpraesident"]
    assert earlier["status"] == "presumed current"  # seven months after 29 May 2024
    table = run("who", "kretschmer", "--as-of", AS_OF).stdout
    assert "status unknown, last confirmed 29 May 2024" in table


def test_a_post_left_is_over_from_the_day_its_successor_took_it(run: Run) -> None:
    def minister(as_of: str) -> str:
        return str(_posts(run, "schmidt", "--as-of", as_of)["schmidt-ministro-sassonia"]["status"])

    assert minister("2024-12-18") == "current"  # his end is known: no "presumed" before it
    assert minister("2024-12-19") == "past"


def test_a_term_that_ended_is_over(run: Run) -> None:
    def ara(as_of: str) -> str:
        return str(_posts(run, "guidesi", "--as-of", as_of)["guidesi-presidente-ara"]["status"])

    assert ara("2025-12-31") == "current"
    assert ara("2026-01-01") == "past"


def test_an_unknown_start_is_not_since_forever(run: Run) -> None:
    rows = {r["id"]: r for r in json.loads(run("members", "ara", "--as-of", "2022-07-01", "--json").stdout)}
    grand_est = rows["grand-est"]
    assert (grand_est["role"], grand_est["status"], grand_est["role_id"]) == (
        "member",
        "not known then",
        None,
    )
    assert "not known then" in run("members", "ara", "--as-of", "2022-07-01").stdout


@pytest.mark.parametrize(
    "as_of", ["2024-11-08", "2024-11-10", "2025-06-01", "2025-11-07", "2025-12-01", "2026-03-01"]
)
def test_esra_has_one_chair_on_any_day(run: Run, as_of: str) -> None:
    chairs = json.loads(run("org", "esra", "--as-of", as_of, "--json").stdout)["chairs"]
    holding = [
        c["region"]["id"]
        for c in chairs
        if c["role"] == "chair" and c["status"] in ("current", "presumed current")
    ]
    assert len(holding) == 1, holding


def test_a_recorded_successor_ends_an_open_post(run: Run, facts_copy: Path) -> None:
    # Chivite's ARA presidency without its end, confirmed in November 2024: Guidesi's term,
    # recorded as beginning on 1 January 2025, ends what is known of hers.
    text = facts_copy.read_text(encoding="utf-8")
    old = 'start = "2023-11"\nend = "2024"\n'
    assert text.count(old) == 1
    text = text.replace(
        old, 'start = "2023-11"\nconfirmed = "2024-11"\nconfirmed_by = ["primamonza-2024-11"]\n'
    )
    # Nor its end's citation and its term ("jusqu'à la fin de 2024"), which `check` would want.
    text = text.replace(', end = ["europapress-2024-02-16"]', "", 1)
    text = text.replace(", qu'elle occupera jusqu'à la fin de 2024", "", 1)
    facts_copy.write_text(text, encoding="utf-8")

    def status(as_of: str) -> str:
        result = run("who", "chivite", "--as-of", as_of, "--facts", str(facts_copy), "--json")
        assert result.exit_code == 0, result.stderr
        return str(
            {p["id"]: p for row in json.loads(result.stdout) for p in row["roles"]}["chivite-presidente-ara"][
                "status"
            ]
        )

    assert status("2024-12-15") == "current"
    assert status("2025-03-01") == "status unknown"  # 91 days after its confirmation, but succeeded


# --- issue 17: check holds terms and chairs ----------------------------------------------------


def _check(run: Run, facts_copy: Path, old: str, new: str) -> str:
    text = facts_copy.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    facts_copy.write_text(text.replace(old, new), encoding="utf-8")
    result = run("check", "--facts", str(facts_copy))
    assert result.exit_code == 4, result.stdout + result.stderr
    return result.stdout


def test_the_shipped_base_passes_the_time_rules(run: Run) -> None:
    result = run("check")
    assert result.exit_code == 0, result.stdout


def test_check_flags_an_open_post_whose_quotes_give_a_term(run: Run, facts_copy: Path) -> None:
    out = _check(run, facts_copy, 'start = "2025-01-01"\nend = "2025"\n', 'start = "2025-01-01"\n')
    assert "guidesi-presidente-ara: its quotes give a term ('Per tutto il 2025')" in out
    assert "[open-term]" in out


def test_check_flags_a_day_without_a_chair(run: Run, facts_copy: Path) -> None:
    # Piedmont's term by the handover day, Catalonia's from 1 January: the gap of 2025's end.
    out = _check(
        run, facts_copy, 'since = "2025"\nuntil = "2025"\n', 'since = "2025"\nuntil = "2025-11-07"\n'
    )
    assert "catalogna-esra-chair: leaves days without a chair after piemonte-esra-chair" in out
    assert "[chair-gap]" in out


def test_check_flags_two_chairs_on_one_day(run: Run, facts_copy: Path) -> None:
    out = _check(
        run, facts_copy, 'since = "2023-09-07"\nuntil = "2024"\n', 'since = "2023-09-07"\nuntil = "2026"\n'
    )
    assert "piemonte-esra-chair: overlaps sassonia-esra-chair (2026)" in out
    assert "[chair-overlap]" in out


# --- issue 17: the role's own facts, and changes on the timeline -------------------------------


def test_a_member_row_shows_its_role_s_own_facts(run: Run) -> None:
    rows = {r["id"]: r for r in json.loads(run("members", "--as-of", "2025-06-01", "--json").stdout)}
    saxony = rows["sassonia"]
    assert (saxony["role"], saxony["since"]) == ("co-chair", "2023-09-07")  # the membership's start
    assert (saxony["role_id"], saxony["role_since"], saxony["role_until"]) == (
        "sassonia-esra-co-chair",
        "2024-11-08",
        "2025",
    )
    assert (saxony["confidence"], saxony["role_confidence"], saxony["role_basis"]) == (
        "high",
        "low",
        "inferred",
    )
    assert rows["carinzia"]["role_id"] is None
    line = next(x for x in run("members", "--as-of", "2025-06-01").stdout.splitlines() if "Saxony" in x)
    assert "co-chair (8 November 2024 – 2025, low confidence, inferred)" in line


def test_the_timeline_lists_each_start_and_end(run: Run) -> None:
    rows = json.loads(run("when", "--as-of", AS_OF, "--json").stdout)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    entries = {r["id"]: r for r in rows}
    start = entries["catalogna-esra-chair#start"]
    assert (start["type"], start["kind"], start["date"]) == ("membership", "chair-start", "2026-01-01")
    assert entries["piemonte-esra-chair#end"]["date"] == "2025"
    assert entries["lombardia-esra#start"]["kind"] == "membership-start"
    january = json.loads(
        run("when", "--from", "2026-01", "--to", "2026-01", "--as-of", AS_OF, "--json").stdout
    )
    assert "catalogna-esra-chair#start" in {r["id"] for r in january}
    assert "piemonte-esra-chair#end" not in {r["id"] for r in january}


@pytest.mark.parametrize("as_of", ["2024-06-01", "2025-06-01", AS_OF, "2031-01-01"])
def test_a_presumed_membership_always_says_when_it_was_last_confirmed(run: Run, as_of: str) -> None:
    # Guidelines: a membership is presumed to continue, "always with the date it was last
    # confirmed" -- a chair worked out from a successor's start confirms nothing by itself.
    for org in ("esra", "ara", "ecrn"):
        for row in json.loads(run("members", org, "--as-of", as_of, "--json").stdout):
            if row["status"] == "presumed current":
                assert row["last_confirmed"], (org, row["id"])


def test_a_confirmation_written_later_is_not_known_on_an_earlier_day(run: Run) -> None:
    # Guidesi's regional post is confirmed on 25 February 2026; on 1 June 2025 the latest of
    # its sources then written was CorCom's of 8 November 2024: that is what esra says.
    then = _posts(run, "guidesi", "--as-of", "2025-06-01")["guidesi-assessore-sviluppo-economico"]
    assert (then["status"], then["last_confirmed"]) == ("presumed current", "2024-11-08")
    now = _posts(run, "guidesi", "--as-of", "2026-11-25")["guidesi-assessore-sviluppo-economico"]
    assert now["last_confirmed"] == "2026-02-25"
    for row in json.loads(run("members", "ecrn", "--as-of", "2025-06-01", "--json").stdout):
        assert row["last_confirmed"] is None or row["last_confirmed"] <= "2025-06-01", row["id"]
