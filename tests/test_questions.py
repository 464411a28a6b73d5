"""The questions a reader of the announcement asks, and the answers the fact base must give.

Each test asks through the real CLI with --json and checks the answer as data, with its
date at the source's precision and its sources.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from esra_cli.dates import first_day
from tests.conftest import AS_OF

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
    assert post["start"] == "2021-01"
    assert post["status"] == "current"
    statements = by_id(guidesi["statements"])
    assert "accession-wanted-by-guidesi" in statements


def test_the_ara_presidency_is_a_month_not_a_day_and_medium_confidence(data: Data) -> None:
    post = by_id(data("person", "guidesi", "--as-of", AS_OF)["positions"])["guidesi-presidente-ara"]
    assert post["organization"]["id"] == "ara"
    assert (post["start"], post["end"]) == ("2025-01", "2025")
    assert post["confidence"] == "medium"
    assert post["sources"] == [ANNOUNCEMENT, "ilfoglio-2024-11-29"]


def test_ara_presidency_is_planned_before_january_and_current_in_2025(data: Data) -> None:
    def status(as_of: str) -> str:
        posts = by_id(data("person", "guidesi", "--as-of", as_of)["positions"])
        return str(posts["guidesi-presidente-ara"]["status"])

    assert status("2024-12-01") == "planned"
    assert status("2025-02-01") == "current"
    assert status("2026-03-01") == "past"


def test_ecrn_presidency_ended_on_4_february_2026(data: Data) -> None:
    posts = by_id(data("person", "guidesi", "--as-of", "2026-03-01")["positions"])
    ecrn = posts["guidesi-presidente-ecrn"]
    assert (ecrn["start"], ecrn["end"], ecrn["status"]) == ("2024", "2026-02-04", "past")
    ecrn_then = by_id(data("person", "guidesi", "--as-of", "2025-06-01")["positions"])
    assert ecrn_then["guidesi-presidente-ecrn"]["status"] == "current"


def test_tronzano_is_piedmonts_minister_and_2025_esra_president(data: Data) -> None:
    tronzano = data("person", "Tronzano")
    posts = by_id(tronzano["positions"])
    assert posts["tronzano-assessore-attivita-produttive"]["region"]["id"] == "piemonte"
    assert posts["tronzano-presidente-esra"]["organization"]["id"] == "esra"
    assert tronzano["party"] == "Forza Italia"


def test_the_agreement_with_bavaria(data: Data) -> None:
    rows = by_id(data("what", "bavaria"))
    deal = rows["lombardia-baviera-declaration"]
    assert deal["type"] == "declaration-of-intent"
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
    assert plan["fulfilled_by"]["id"] == "ecosistema-nord-ovest-2025"
    assert plan["confidence"] == "medium"
    assert "research centres" in plan["invited"]
    held = by_id(data("what"))["ecosistema-nord-ovest-2025"]
    assert (held["date"], held["status"], held["place"]["id"]) == ("2025-04-11", "held", "torino")


def test_the_institutional_lobby_aims_at_the_european_commission(data: Data) -> None:
    aim = by_id(data("what", "lobby"))["institutional-lobby-aim"]
    assert aim["type"] == "aim"
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
    figures = {r["id"]: r for r in data("what") if r["type"] == "figure"}
    assert figures["esra-members-35"]["value"] == 35
    assert figures["esra-members-32"]["confidence"] == "low"
    assert (figures["esra-members-36"]["value"], figures["esra-members-36"]["date"]) == (36, "2025-07-03")


def test_who_chairs_esra_over_time(data: Data) -> None:
    esra = data("org", "esra", "--as-of", "2025-06-01")
    chairs = {(c["region"]["id"], c["role"]): c["status"] for c in esra["chairs"]}
    assert chairs[("piemonte", "chair")] == "current"
    assert chairs[("sassonia", "chair")] == "past"
    assert chairs[("catalogna", "chair")] == "planned"
    roles = by_id(data("members", "--as-of", "2025-06-01"))
    assert (roles["piemonte"]["role"], roles["sassonia"]["role"], roles["catalogna"]["role"]) == (
        "chair",
        "co-chair",
        "co-chair",
    )


def test_the_timeline_opens_with_guidesi_taking_office_and_keeps_precision(data: Data) -> None:
    rows = data("when")
    assert (rows[0]["id"], rows[0]["type"], rows[0]["date"]) == (
        "guidesi-assessore-sviluppo-economico",
        "position-start",
        "2021-01",
    )
    starts = [first_day(r["date"]) for r in rows]
    assert starts == sorted(starts)
    dates = [r["date"] for r in rows]
    assert "2025-01" in dates  # a month stays a month
    assert not any(d.startswith("2025-01-01") for d in dates)


def test_italian_names_and_titles(data: Data) -> None:
    guidesi = data("person", "guidesi", "--lang", "it")
    titles = {p["title"] for p in guidesi["positions"]}
    assert "assessore allo Sviluppo economico" in titles
    assert data("region", "bavaria", "--lang", "it")["name"] == "Baviera"
