"""The questions a reader of the announcement asks, and the answers the fact base must give.

Each test asks through the real CLI with --json and checks the answer as data, with its
date at the source's precision and its sources.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from typing import Any

from esra_cli.dates import first_day
from tests.conftest import AS_OF, SHIPPED, Run

Data = Callable[..., Any]
ANNOUNCEMENT = "corcom-2024-11-08"


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def test_which_region_joined_esra_and_when(data: Data) -> None:
    rows = by_id(data("members", "esra", "--as-of", AS_OF))
    lombardy = rows["lombardia"]
    assert lombardy["since"] == "2024-11-08"
    assert lombardy["role"] == "member"
    assert ANNOUNCEMENT in lombardy["sources"]


def test_the_five_members_the_announcement_names_are_members(data: Data) -> None:
    rows = by_id(data("members"))
    for rid in ("baden-wurttemberg", "baviera", "sassonia", "catalogna", "piemonte"):
        assert ANNOUNCEMENT in rows[rid]["sources"], rid


def test_esra_has_the_27_founders_and_the_later_joiners(data: Data) -> None:
    rows = data("members")
    founders = [r for r in rows if r["since"] == "2023-09-07"]
    assert len(founders) == 27
    assert {r["id"]: r["since"] for r in rows if r["since"] != "2023-09-07"} == {
        "comunita-di-madrid": None,  # "se ha incorporado recientemente" (16 Jan 2024): month unknown
        "norte": "2024-05-29",
        "lombardia": "2024-11-08",
        "oulu": "2025-07-03",
    }


def test_where_was_the_announcement_made(data: Data) -> None:
    turin = data("where", "turin")
    assert turin["id"] == "torino"
    assert turin["region"] == {"id": "piemonte", "name": "Piedmont"}
    plenary = by_id(turin["events"])["esra-plenary-2024"]
    assert plenary["date"] == "2024-11-08"
    assert plenary["status"] == "held"
    assert plenary["sources"][0] == ANNOUNCEMENT


def test_who_pushed_for_joining_and_what_post_he_holds(data: Data) -> None:
    guidesi = data("person", "guidesi", "--as-of", AS_OF)
    assert guidesi["party"] == "Lega"
    posts = by_id(guidesi["positions"])
    post = posts["guidesi-assessore-sviluppo-economico"]
    assert post["title"] == "regional minister for economic development"
    assert post["region"] == {"id": "lombardia", "name": "Lombardy"}
    assert post["since"] == "2021-01"
    # Last confirmed by CremonaOggi on 7 November 2025, over six months before: presumed.
    assert (post["status"], post["last_confirmed"]) == ("presumed current", "2026-02-25")
    statements = by_id(guidesi["statements"])
    assert "accession-wanted-by-guidesi" in statements


def test_the_ara_presidency_start_is_a_conflict_with_both_sides_sourced(data: Data) -> None:
    post = by_id(data("person", "guidesi", "--as-of", AS_OF)["positions"])["guidesi-presidente-ara"]
    assert post["organization"]["id"] == "ara"
    # Preferred: the official Lombardy release's 1 January; the other side: Il Foglio's "oggi".
    # The term: "Per tutto il 2025" (finimmediato), so it ends with 2025.
    assert (post["since"], post["until"], post["confidence"]) == ("2025-01-01", "2025", "low")
    assert post["sources"][0] == "lombardia-presseportal" and ANNOUNCEMENT in post["sources"]
    assert post["alternatives"] == [
        {"field": "since", "value": "2024-11-29", "sources": ["ilfoglio-2024-11-29", "primamonza-2024-11"]}
    ]
    # Its term is over: past, whatever was last confirmed.
    assert (post["status"], post["last_confirmed"]) == ("past", "2025-12-17")


def test_ara_presidency_is_planned_before_january_and_current_in_2025(data: Data) -> None:
    def status(as_of: str) -> str:
        posts = by_id(data("person", "guidesi", "--as-of", as_of)["positions"])
        return str(posts["guidesi-presidente-ara"]["status"])

    assert status("2024-12-01") == "upcoming"
    assert status("2025-02-01") == "current"  # confirmed in September: fresh
    assert status("2025-12-31") == "current"  # the last day of its term
    assert status("2026-01-01") == "past"  # a term for 2025 ends with it, confirmed or not
    assert status("2026-06-01") == "past"


def test_ecrn_presidency_ended_on_4_february_2026(data: Data) -> None:
    posts = by_id(data("person", "guidesi", "--as-of", "2026-03-01")["positions"])
    ecrn = posts["guidesi-presidente-ecrn"]
    assert (ecrn["since"], ecrn["until"], ecrn["status"]) == ("2024", "2026-02-04", "past")
    ecrn_then = by_id(data("person", "guidesi", "--as-of", "2025-06-01")["positions"])
    then = ecrn_then["guidesi-presidente-ecrn"]
    # What was known on 1 June 2025: CorCom's 8 November 2024, not Civonline's 2026 report.
    assert (then["status"], then["last_confirmed"]) == ("presumed current", "2024-11-08")


def test_tronzano_is_piedmonts_minister_and_2025_esra_president(data: Data) -> None:
    tronzano = data("person", "Tronzano")
    posts = by_id(tronzano["positions"])
    assert posts["tronzano-assessore-attivita-produttive"]["region"]["id"] == "piemonte"
    assert posts["tronzano-presidente-esra"]["organization"]["id"] == "esra"
    assert tronzano["party"] == "Forza Italia"


def test_the_agreement_with_bavaria(data: Data) -> None:
    rows = by_id(data("what", "bavaria"))
    deal = rows["lombardia-baviera-declaration"]
    assert (deal["type"], deal["kind"]) == ("agreement", "declaration-of-intent")
    assert deal["date"] == "2024-10-09"
    assert deal["place"] == {"id": "milano", "name": "Milan"}
    assert [p["id"] for p in deal["signatories"]] == ["guido-guidesi", "eric-beisswenger"]
    assert "artificial intelligence" in deal["topics"]


def test_the_collaboration_of_three_regions_on_five_sectors_is_undated(data: Data) -> None:
    rows = by_id(data("what", "--lang", "it"))
    collab = rows["lombardia-piemonte-liguria"]
    assert collab["topics"] == [
        "aerospazio",
        "industria energetica",
        "filiera della logistica",
        "automotive",
        "microelettronica",
    ]
    assert collab["date"] is None
    assert collab["when"] == "negli ultimi anni"
    assert "lombardia-piemonte-liguria" not in by_id(data("when"))


def test_the_january_meeting_is_a_plan_fulfilled_in_april(data: Data) -> None:
    rows = by_id(data("what", "ecosystems"))
    plan = rows["semiconductor-ecosystems-meeting-plan"]
    assert plan["status"] == "planned"
    assert plan["date"] == "2025-01"
    assert plan["fulfilled_by"] == {
        "id": "ecosistema-nord-ovest-2025",
        "name": "The North-West Semiconductor Ecosystem",
        "date": "2025-04-11",
        "status": "held",
    }
    assert plan["confidence"] == "low"  # its year is worked out: "a gennaio" in November 2024
    assert "a gennaio" in plan["inferred_from"]
    assert plan["fulfilment"]["basis"] == "inferred" and plan["fulfilment"]["confidence"] == "low"
    assert "research centres" in plan["invited"]
    held = by_id(data("what"))["ecosistema-nord-ovest-2025"]
    assert (held["date"], held["status"], held["place"]["id"]) == ("2025-04-11", "held", "torino")
    assert held["fulfils"]["id"] == "semiconductor-ecosystems-meeting-plan"  # linked both ways


def test_the_institutional_lobby_aims_at_the_european_commission(data: Data) -> None:
    aim = by_id(data("what", "lobby"))["institutional-lobby-aim"]
    assert (aim["type"], aim["kind"]) == ("statement", "aim")
    assert {"id": "european-commission", "name": "European Commission"} in aim["subjects"]
    assert data("org", "commission")["id"] == "european-commission"


def test_lombardys_microelectronics_ambition(data: Data) -> None:
    rows = by_id(data("search", "microelettronica"))
    assert "lombardia-microelectronics-aim" in rows


def test_diplomatic_missions_are_dated_in_words_and_off_the_timeline(data: Data) -> None:
    rows = by_id(data("what", "missions"))
    assert rows["diplomatic-missions"]["when"] == "in recent months"
    assert rows["diplomatic-missions"]["date"] is None
    assert "diplomatic-missions" not in by_id(data("when"))


def test_member_counts_are_dated_and_the_conflict_is_low_confidence(data: Data) -> None:
    figures = {r["id"]: r for r in data("what") if r["kind"] == "figure"}
    after_turin = figures["esra-members-after-turin"]
    assert (after_turin["value"], after_turin["confidence"]) == (35, "medium")  # one official page
    assert after_turin["sources"] == ["piemonte-2024-11", "lospiffero-2024-11", "mesap-undated"]
    assert [(a["value"], a["sources"]) for a in after_turin["alternatives"]] == [(32, ["anie-2024-11"])]
    assert (figures["esra-members-36"]["value"], figures["esra-members-36"]["date"]) == (36, "2025-07-03")


def test_who_chairs_esra_over_time(data: Data) -> None:
    esra = data("org", "esra", "--as-of", "2025-06-01")
    chairs = {(c["region"]["id"], c["role"]): c["status"] for c in esra["chairs"]}
    assert chairs[("piemonte", "chair")] == "current"
    assert chairs[("sassonia", "chair")] == "past"
    # Catalonia's 2026 chair was first reported on 4 July 2025: on 1 June nobody knew of it.
    assert ("catalogna", "chair") not in chairs
    august = data("org", "esra", "--as-of", "2025-08-01")
    assert {(c["region"]["id"], c["role"]): c["status"] for c in august["chairs"]}[
        ("catalogna", "chair")
    ] == "upcoming"
    # Chairs serve a calendar year: after the Turin handover of 8 November 2024 Saxony's term
    # still runs (the handover day is the other reading, shown as an alternative).
    handover = data("org", "esra", "--as-of", "2024-11-10")
    chair = [
        c
        for c in handover["chairs"]
        if c["role"] == "chair" and c["status"] in ("current", "presumed current")
    ]
    assert [c["region"]["id"] for c in chair] == ["sassonia"]
    assert [(a["field"], a["value"]) for a in chair[0]["alternatives"]] == [("until", "2024-11-08")]
    # Catalonia took the chair for 2026 at Barcelona on 7 November 2025.
    later = {
        (c["region"]["id"], c["role"]): c for c in data("org", "esra", "--as-of", "2026-03-01")["chairs"]
    }
    assert later[("catalogna", "chair")]["since"] == "2026-01-01"
    assert later[("catalogna", "chair")]["status"] == "current"
    roles = by_id(data("members", "--as-of", "2025-06-01"))
    assert (roles["piemonte"]["role"], roles["sassonia"]["role"], roles["catalogna"]["role"]) == (
        "chair",
        "co-chair",
        "co-chair",
    )


def test_the_timeline_opens_with_guidesi_taking_office_and_keeps_precision(data: Data) -> None:
    rows = data("when")
    firsts = {(r["id"], r["kind"] or r["type"]): r["date"] for r in rows}
    assert firsts[("guidesi-assessore-sviluppo-economico#start", "position-start")] == "2021-01"
    starts = [first_day(r["date"]) for r in rows]
    assert starts == sorted(starts)
    assert firsts[("semiconductor-ecosystems-meeting-plan", "event")] == "2025-01"  # a month stays a month
    assert firsts[("guidesi-presidente-ara#start", "position-start")] == "2025-01-01"  # the release's day


def test_italian_names_and_titles(data: Data) -> None:
    guidesi = data("person", "guidesi", "--lang", "it")
    titles = {p["title"] for p in guidesi["positions"]}
    assert "assessore allo Sviluppo economico" in titles
    assert data("region", "bavaria", "--lang", "it")["name"] == "Baviera"


# --- the corrected record (issue 10) ---------------------------------------------------------


def test_memberships_start_when_a_region_joined_not_when_it_chaired(data: Data) -> None:
    ecrn = by_id(data("members", "ecrn", "--as-of", AS_OF))
    # Lombardy chaired ECRN from 2024; when it joined is not known, and says so.
    assert ecrn["lombardia"]["since"] is None
    assert ecrn["catalogna"]["since"] is None
    ara = by_id(data("members", "ara", "--as-of", AS_OF))
    assert {r["since"] for r in ara.values()} == {None}  # ARA's members are known only as chairs
    esra = by_id(data("members", "--as-of", AS_OF))
    assert esra["catalogna"]["since"] == "2023-09-07" and esra["catalogna"]["confidence"] == "high"


def test_open_posts_carry_their_last_confirmation(data: Data) -> None:
    spring = by_id(data("members", "--as-of", "2026-03-01"))
    assert (spring["oulu"]["status"], spring["oulu"]["last_confirmed"]) == ("current", "2025-11-21")
    rows = by_id(data("members", "--as-of", AS_OF))
    assert (rows["oulu"]["status"], rows["oulu"]["last_confirmed"]) == ("presumed current", "2025-11-21")
    assert (rows["amburgo"]["status"], rows["amburgo"]["last_confirmed"]) == (
        "presumed current",
        "2024-01-16",
    )
    assert not [r for r in rows.values() if r["status"] == "presumed current" and not r["last_confirmed"]]


def test_inferred_values_say_from_what_and_are_never_high(data: Data) -> None:
    rows = [r for r in data("what") if r["basis"] == "inferred"]
    assert {r["id"] for r in rows} >= {"esra-chair-handover-2026", "guidesi-missions-ara-conferences"}
    assert all(r["confidence"] != "high" and r["inferred_from"] for r in rows)
    handover = by_id(rows)["esra-chair-handover-2026"]
    assert (handover["date"], handover["when"], handover["status"]) == ("2026-11", "late 2026", "planned")


def test_nothing_the_sources_do_not_report_as_happened_is_held(data: Data) -> None:
    events = {r["id"]: r for r in data("what") if r["type"] == "event"}
    assert "guidesi-assumes-ara-presidency" not in events  # announced for January; no report it happened
    assert events["grand-est-ara-presidency-2026"]["status"] == "planned"
    assert events["grand-est-ara-presidency-2026"]["fulfilled_by"]["id"] == "ara-chair-handover-2026"


def test_the_source_register_keeps_each_pages_date_at_its_precision(data: Data) -> None:
    sources = by_id(data("sources"))
    assert len(sources) == len(tomllib.loads(SHIPPED.read_text(encoding="utf-8"))["sources"])
    assert sources["fogar-2023-09"]["date"] is None  # undated, written after May 2024
    assert sources["fogar-2023-09"]["after"] == "2024-05-29"
    assert (sources[ANNOUNCEMENT]["date"], sources[ANNOUNCEMENT]["confidence"]) == ("2024-11-08", "low")
    assert sources[ANNOUNCEMENT]["inferred_from"]
    assert sources["affaritaliani-2024-11"]["date"] == "2024-11"


def test_disputes_lists_each_conflict_with_both_sides_sourced(data: Data, run: Any) -> None:
    rows = data("disputes")
    sides = {(r["id"], r["field"], r["other"]["value"]) for r in rows}
    assert {
        ("esra-members-after-turin", "value", 32),  # ESRA's size after Turin: 35 / 32
        ("guidesi-presidente-ara", "since", "2024-11-29"),  # 1 January 2025 / 29 November 2024
        ("ecrn", "founded", "2003"),  # 2004 / 2003
        ("esra-founding-count", "value", 23),  # 27 / the variants
    } <= sides
    assert all(r["preferred"]["sources"] and r["other"]["sources"] for r in rows)
    table = run("disputes").stdout
    assert (
        "35 (piemonte-2024-11, lospiffero-2024-11, mesap-undated)" in table and "32 (anie-2024-11)" in table
    )


# --- issue 11: --as-of applies to everything dated ------------------------------------------


def test_as_of_leaves_out_what_nobody_knew_and_shows_what_was_announced_as_to_come(data: Data) -> None:
    card = data("person", "guidesi", "--as-of", "2024-11-08")
    events = {e["id"]: e["status"] for e in card["events"]}
    assert "ara-monza-2024" not in events  # 29 November 2024: reported after the date
    assert events["lombardia-joins-esra"] == "held"
    posts = {p["id"]: p["status"] for p in card["positions"]}
    assert posts["guidesi-presidente-ara"] == "upcoming"  # announced on 8 November 2024
    before = data("person", "guidesi", "--as-of", "2020-06-01")
    assert [p["id"] for p in before["positions"]] == []  # none of his posts had begun or been announced


def test_as_of_keeps_a_plan_planned_and_hides_an_outcome_not_yet_known(data: Data) -> None:
    region = data("region", "lombardia", "--as-of", "2024-12-01")
    plan = next(e for e in region["events"] if e["id"] == "semiconductor-ecosystems-meeting-plan")
    assert plan["status"] == "planned"
    assert "fulfilled_by" not in plan  # the April 2025 meeting had not happened on 1 December 2024
    later = data("region", "lombardia", "--as-of", "2025-06-01")
    plan = next(e for e in later["events"] if e["id"] == "semiconductor-ecosystems-meeting-plan")
    assert plan["fulfilled_by"]["id"] == "ecosistema-nord-ovest-2025"


def test_members_long_before_the_alliance_are_none_and_stderr_says_so(run: Run) -> None:
    result = run("members", "--as-of", "2000-01-01")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "no members known\n"
    assert json.loads(run("members", "--as-of", "2000-01-01", "--json").stdout) == []


# --- issue 11: search that finds, and the detail of one record --------------------------------


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["id"] for row in rows]


def test_filters_match_both_languages_stems_and_kinds(data: Data) -> None:
    assert "lombardia-baviera-declaration" in ids(data("what", "intese"))  # Italian "intesa"
    assert "lombardia-baviera-declaration" in ids(data("what", "agreement"))  # its kind
    assert "ecosistema-nord-ovest-2025" in ids(data("what", "ecosystems"))  # "Ecosystem"
    assert {"michael-kretschmer", "alberto-cirio"} <= set(ids(data("who", "chair")))  # chairman


def test_search_ranks_the_same_word_before_a_prefix_and_says_where(data: Data) -> None:
    rows = data("search", "turin")
    found = ids(rows)
    assert found.index("torino") < found.index("turingia")  # Turin before Thuringia (Turingia)
    by_id = {row["id"]: row for row in rows}
    assert by_id["torino"]["rank"] == 0 and by_id["turingia"]["rank"] == 2
    for row in rows:
        assert row["matches"], row["id"]
        for match in row["matches"]:
            for start, end in match["marks"]:
                assert match["text"][start:end].lower().startswith("tur"), match


def test_search_takes_several_words_unquoted(run: Run, data: Data) -> None:
    assert ids(data("search", "8", "novembre")) == ids(data("search", "8 novembre"))
    assert "esra-turin-2024" in ids(data("search", "8", "novembre"))


def test_show_gives_one_record_in_full_with_its_sources_and_quotes(run: Run, data: Data) -> None:
    shown = data("show", "lombardia-baviera-declaration")
    assert shown["type"] == "agreement"
    assert shown["fields"]["parties"] == [
        {"id": "lombardia", "name": "Lombardy"},
        {"id": "baviera", "name": "Bavaria"},
    ]
    assert "artificial intelligence" in shown["fields"]["topics"]
    assert {s["id"]: s["quote"] for s in shown["sources"]}["ansa-2024-10-09"].startswith("eventi congiunti")
    table = run("show", "lombardia-baviera-declaration", env={"COLUMNS": "80"}).stdout
    assert "Eric Beißwenger" in table and "artificial intelligence" in table
    missing = run("show", "no-such-record")
    assert missing.exit_code == 3 and "esra search" in missing.stderr


def test_every_dispute_shows_the_preferred_value_by_its_view_name(data: Data) -> None:
    rows = data("disputes")
    assert all(row["preferred"]["value"] is not None for row in rows), rows
    ara = next(row for row in rows if row["id"] == "guidesi-presidente-ara")
    assert (ara["field"], ara["preferred"]["value"], ara["other"]["value"]) == (
        "since",
        "2025-01-01",
        "2024-11-29",
    )


def test_when_as_of_is_the_timeline_as_it_stood_that_day(data: Data) -> None:
    rows = data("when", "--as-of", "2024-11-08")
    assert (
        max(first_day(r["date"]) for r in rows if r["status"] not in ("upcoming", "planned")).isoformat()
        <= "2024-11-08"
    )
    by_id = {(r["id"], r["kind"] or r["type"]): r for r in rows}
    assert (
        by_id["guidesi-presidente-ara#start", "position-start"]["status"] == "upcoming"
    )  # announced that day
    assert ("guidesi-presidente-ecrn#end", "position-end") not in by_id  # 4 February 2026: not foretold
    assert all(r["kind"] != "figure" or first_day(r["date"]).isoformat() <= "2024-11-08" for r in rows)


def test_show_of_a_source_lists_what_it_supports(data: Data) -> None:
    shown = data("show", "ansa-2024-10-09")
    assert shown["type"] == "source" and shown["sources"] == []
    assert "lombardia-baviera-declaration" in [r["id"] for r in shown["referred_by"]]
