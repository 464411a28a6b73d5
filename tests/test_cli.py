"""The CLI contract: formats, exit codes, name lookup, options, escaping (README, "Contract")."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from esra_cli import __version__
from tests.conftest import AS_OF, SHIPPED, Run

LOOKUPS = [
    ["members"],
    ["members", "ara"],
    ["person", "guidesi"],
    ["org", "ecrn"],
    ["region", "lombardia"],
    ["where", "turin"],
]
FILTERS = [["who"], ["what"], ["when"], ["where"], ["search", "esra"], ["sources"]]


@pytest.mark.parametrize("args", LOOKUPS + FILTERS, ids=" ".join)
def test_every_command_prints_a_plain_table_when_piped(run: Run, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip()
    assert "\x1b" not in result.stdout
    cells = "\n".join(line for line in result.stdout.splitlines() if not re.match(r"\[[a-z]+\] ", line))
    assert "…" not in cells  # no cell was cut (a note, under the table, may quote one)


@pytest.mark.parametrize("args", LOOKUPS, ids=" ".join)
def test_lookups_print_one_json_value(run: Run, args: list[str]) -> None:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    value = json.loads(result.stdout)
    assert isinstance(value, list if args[0] == "members" else dict)
    records = value if isinstance(value, list) else [value]
    assert all({"id", "sources"} <= set(r) for r in records)


@pytest.mark.parametrize("args", FILTERS, ids=" ".join)
def test_filters_print_a_json_array_of_records_with_sources(run: Run, args: list[str]) -> None:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    assert rows
    assert all("id" in r for r in rows)
    assert all("sources" in r for r in rows if args[0] != "sources")


@pytest.mark.parametrize("command", ["who", "what", "search"])
def test_a_filter_that_matches_nothing_prints_an_empty_array(run: Run, command: str) -> None:
    result = run(command, "zzzz", "--json")
    assert (result.exit_code, result.stdout.strip(), result.stderr) == (0, "[]", "")


def test_the_members_table_shows_what_the_json_holds(run: Run) -> None:
    table = run("members", "--as-of", AS_OF).stdout
    rows = json.loads(run("members", "--json", "--as-of", AS_OF).stdout)
    for row in rows:
        line = next(
            line for line in table.splitlines() if re.match(rf"  {re.escape(row['name'])}( \[\w+\])?  ", line)
        )
        assert row["country"] in line
        assert row["sources"][0] in line
    assert f"{len(rows)} known of 36 reported in November 2025" in table  # the month: elnacional is undated


def test_members_table_exact_at_pinned_width(run: Run) -> None:
    # ARA's members: its chairs and its nine Italian regions of Monza; no start, each row's own status.
    expected = """\
Automotive Regions Alliance
11 known of 36 reported on 29 November 2024
Since: unknown

  Region               Country   Role                                            Status                                              Confidence                 Sources
{rule}
  Lombardy [a]         IT        chair (1 January 2025 – 2025, low confidence)   current                                                                        radiocor-2024-11-29, primamonza-2024-11
  Navarre [b]          ES        member                                          current                                             low confidence, disputed   europapress-2024-02-16, primamonza-2024-11, finimmediato-2024-12-03
  Saxony [c]           DE        member                                          presumed current, last confirmed November 2023      low confidence, inferred   investinnavarra-2023-11, europapress-2024-02-16
  Abruzzo [a]          IT        member                                          presumed current, last confirmed 29 November 2024                              radiocor-2024-11-29, primamonza-2024-11
  Basilicata [a]       IT        member                                          presumed current, last confirmed 29 November 2024                              radiocor-2024-11-29, primamonza-2024-11
  Emilia-Romagna [a]   IT        member                                          presumed current, last confirmed 29 November 2024                              radiocor-2024-11-29, primamonza-2024-11
  Molise [a]           IT        member                                          presumed current, last confirmed 29 November 2024                              radiocor-2024-11-29, primamonza-2024-11
  Piedmont [a]         IT        member                                          presumed current, last confirmed 29 November 2024                              radiocor-2024-11-29, primamonza-2024-11
  Tuscany [a]          IT        member                                          presumed current, last confirmed 29 November 2024                              radiocor-2024-11-29, primamonza-2024-11
  Umbria [a]           IT        member                                          presumed current, last confirmed 29 November 2024                              radiocor-2024-11-29, primamonza-2024-11
  Veneto [a]           IT        member                                          presumed current, last confirmed 29 November 2024                              radiocor-2024-11-29, primamonza-2024-11
  Grand Est [d]        FR        member                                          not known then                                      medium confidence          openlobby-grandest-2025-10-10

[a] Listed among ARA's nine Italian regions at Monza; when it joined is not reported.
[b] Said in February 2024 to last until the end of 2024; handed over at the Monza conference of 29 November 2024 (the alternative).
[c] Start not reported. That Saxony was ARA's first chair is likely (it hosted the first political meeting) but inferred.
[d] Start not reported. Vice-chair until its presidency of 2026 ('avant d'en exercer la présidence en 2026'); that presidency is a plan (see the event).
""".format(rule=" " + "─" * 227)
    out = run("members", "ara", "--as-of", "2025-06-01").stdout
    got = "\n".join(line.rstrip() for line in out.splitlines()).strip("\n")
    assert got == expected.rstrip("\n")


# --- name lookup ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "name", "expected"),
    [
        ("region", "saxony", "sassonia"),  # exact beats the prefix of Saxony-Anhalt
        ("region", "lomb", "lombardia"),  # unique prefix
        ("region", "BADEN-WÜRTTEMBERG", "baden-wurttemberg"),
        ("region", "baden wuerttemberg", "baden-wurttemberg"),  # the announcement's spelling
        ("region", "thuringen", "turingia"),  # local name, accent folded
        ("region", "bayern", "baviera"),
        ("person", "beisswenger", "eric-beisswenger"),  # ß folds to ss
        ("person", "GUIDO", "guido-guidesi"),  # first name
        ("person", "maria chivite", "maria-chivite"),
        ("org", "Ara", "ara"),
        ("org", "european commission", "european-commission"),
        ("where", "Torino", "torino"),
        ("where", "brussels", "bruxelles"),
    ],
)
def test_name_lookup(run: Run, command: str, name: str, expected: str) -> None:
    result = run(command, name, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["id"] == expected


def test_ambiguous_name_lists_candidates_and_exits_3(run: Run) -> None:
    result = run("region", "sa", "--json")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "ambiguous" in result.stderr
    for rid in ("saarland", "sassonia", "sassonia-anhalt"):
        assert rid in result.stderr
    assert result.stderr.count("\n") == 1


def test_typo_gets_did_you_mean_and_exits_3(run: Run) -> None:
    result = run("person", "guidezi")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "did you mean guido-guidesi" in result.stderr


def test_unknown_alliance_exits_3(run: Run) -> None:
    result = run("members", "nato")
    assert (result.exit_code, result.stdout) == (3, "")
    assert "no alliance matches 'nato'" in result.stderr


def test_lookup_never_guesses_between_kinds(run: Run) -> None:
    # 'esra' is an organization, not a person: person lookup must not fall back to it.
    assert run("person", "esra").exit_code == 3


# --- options --------------------------------------------------------------------------------


def test_lang_and_facts_work_before_and_after_the_command(run: Run, facts_copy: Path) -> None:
    before = run("--lang", "it", "--facts", str(facts_copy), "region", "bavaria", "--json")
    after = run("region", "bavaria", "--json", "--lang", "it", "--facts", str(facts_copy))
    assert before.exit_code == after.exit_code == 0
    assert json.loads(before.stdout) == json.loads(after.stdout)
    assert json.loads(after.stdout)["name"] == "Baviera"


def test_the_option_after_the_command_wins(run: Run) -> None:
    result = run("--lang", "it", "region", "bavaria", "--lang", "en", "--json")
    assert json.loads(result.stdout)["name"] == "Bavaria"


def test_environment_variables(run: Run, tmp_path: Path) -> None:
    env = {"ESRA_LANG": "it", "ESRA_FACTS": str(SHIPPED)}
    assert json.loads(run("region", "bavaria", "--json", env=env).stdout)["name"] == "Baviera"
    missing = run("members", env={"ESRA_FACTS": str(tmp_path / "nope.toml")})
    assert missing.exit_code == 4
    assert "nope.toml" in missing.stderr


def test_version_names_the_fact_base_date(run: Run, tmp_path: Path) -> None:
    result = run("--version")
    assert result.exit_code == 0
    updated = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))["meta"]["updated"]
    assert result.stdout.strip() == f"esra {__version__} (fact base updated {updated})"
    broken = run("--facts", str(tmp_path / "missing.toml"), "--version")
    assert broken.exit_code == 0
    assert broken.stdout.strip() == f"esra {__version__} (fact base unavailable)"


@pytest.mark.parametrize(
    "args",
    [
        ["when", "--from", "2025-13"],
        ["person"],
        ["nonsense"],
        ["--lang", "fr", "members"],
        ["members", "--as-of", "soon"],
    ],
    ids=" ".join,
)
def test_usage_errors_exit_2(run: Run, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""


def test_when_keeps_entries_whose_period_overlaps(run: Run) -> None:
    rows = json.loads(run("when", "--from", "2025-06", "--to", "2025-12", "--json").stdout)
    # "2025" (Tronzano's ESRA year) overlaps June-December 2025; a January date does not.
    assert {r["date"] for r in rows} >= {"2025", "2025-07-03"}
    assert "2025-01" not in {r["date"] for r in rows}
    assert all(r["date"] >= "2025" for r in rows)


def test_when_table_shows_dates_at_their_precision(run: Run) -> None:
    out = run("when", "--from", "2025-01", "--to", "2025-01").stdout
    lines = out.splitlines()
    # The plan "a gennaio" is a month; Guidesi's ARA start is a day (the official release's).
    assert any(line.startswith("  January 2025  ") and "ecosystems" in line for line in lines)
    assert any(line.startswith("  1 January 2025  ") and "Guidesi" in line for line in lines)
    assert "gennaio 2025" in run("when", "--from", "2025-01", "--to", "2025-01", "--lang", "it").stdout


# --- the fact base --------------------------------------------------------------------------


def test_invalid_toml_names_file_line_and_column(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[meta]\nannouncement = "x"\nupdated = \n', encoding="utf-8")
    result = run("--facts", str(bad), "members")
    assert result.exit_code == 4
    assert "bad.toml" in result.stderr
    assert "line 3" in result.stderr
    assert "column" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_base_with_a_dangling_reference_is_refused(run: Run, facts_copy: Path) -> None:
    text = facts_copy.read_text(encoding="utf-8").replace('person = "guido-guidesi"', 'person = "guido-x"', 1)
    facts_copy.write_text(text, encoding="utf-8")
    result = run("--facts", str(facts_copy), "person", "guidesi")
    assert result.exit_code == 4
    assert "unknown id 'guido-x'" in result.stderr
    assert "esra check" in result.stderr


def test_a_directory_is_not_a_fact_base(run: Run, tmp_path: Path) -> None:
    result = run("--facts", str(tmp_path), "members")
    assert result.exit_code == 4
    assert "directory" in result.stderr


# --- hostile values -------------------------------------------------------------------------

HOSTILE = """
[[people]]
id = "hostile"
name = "[esra] Evil [/esra] \\u001b[31mRed\\u0007"
sources = ["ansa-2024-11-08"]
quotes = { ansa-2024-11-08 = "Regione Lombardia" }
"""


def test_markup_and_control_characters_are_shown_harmlessly(run: Run, facts_copy: Path) -> None:
    with facts_copy.open("a", encoding="utf-8") as handle:
        handle.write(HOSTILE)
    table = run("--facts", str(facts_copy), "person", "hostile")
    assert table.exit_code == 0, table.stderr
    assert "[esra] Evil [/esra]" in table.stdout
    assert "\x1b" not in table.stdout
    assert "\x07" not in table.stdout
    assert "\\x1b[31mRed" in table.stdout
    raw = run("--facts", str(facts_copy), "person", "hostile", "--json")
    assert json.loads(raw.stdout)["name"] == "[esra] Evil [/esra] \x1b[31mRed\x07"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["person", "lombardia"],
            "esra: 'lombardia' is a region (Lombardy), not a person: try esra region lombardia",
        ),
        (
            ["region", "guidesi"],
            "esra: 'guidesi' is a person (Guido Guidesi), not a region: try esra person guido-guidesi",
        ),
        (["where", "bavaria"], "esra: 'bavaria' is a region (Bavaria), not a place: try esra region baviera"),
        (["org", "turin"], "esra: 'turin' is a place (Turin), not an organization: try esra where torino"),
    ],
)
def test_a_name_of_another_kind_says_which_command_shows_it(run: Run, args: list[str], message: str) -> None:
    for form in ([], ["--json"]):
        result = run(*args, *form)
        assert (result.exit_code, result.stdout, result.stderr) == (3, "", message + "\n")


@pytest.mark.parametrize("command", ["members", "tree"])
def test_an_organization_that_is_no_alliance_is_not_found_and_the_alliances_are_listed(
    run: Run, command: str
) -> None:
    result = run(command, "commission", "--json")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr.startswith(
        "esra: European Commission is not an alliance or network; they are: esra ("
    )
    assert "ara (Automotive Regions Alliance), ecrn (European Chemical Regions Network)" in result.stderr


def test_a_reversed_range_is_a_usage_error(run: Run) -> None:
    result = run("when", "--from", "2026", "--to", "2024")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "esra: --from 2026 is after --to 2024: nothing could match\n"
    inside = run("when", "--from", "2025-06", "--to", "2025", "--json")  # June is within 2025
    assert inside.exit_code == 0 and json.loads(inside.stdout)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["who", "zzzz"], "no people or organizations match"),
        (["search", "zzzz"], "no records match"),
        (["when", "--from", "1990", "--to", "1991"], "nothing dated in that range"),
        (["--lang", "it", "what", "zzzz"], "nessun evento, accordo o dichiarazione corrisponde"),
    ],
)
def test_an_empty_table_says_so_on_stderr_instead_of_bare_headers(
    run: Run, args: list[str], message: str
) -> None:
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", message + "\n")


@pytest.mark.parametrize("args", LOOKUPS + FILTERS, ids=" ".join)
def test_piped_tables_end_no_line_in_spaces(run: Run, args: list[str]) -> None:
    lines = run(*args).stdout.splitlines()
    assert lines and not [line for line in lines if line.endswith(" ")]


def test_confidence_shows_in_chairs_memberships_and_roles(run: Run) -> None:
    chairs = run("org", "ara", "--as-of", AS_OF).stdout.split("Chairs", 1)[1]
    header = next(line for line in chairs.splitlines() if line.strip().startswith("Region")).split()
    assert header[:2] == ["Region", "Role"] and "Confidence" in header  # no constant Organization column
    assert "medium confidence" in chairs
    memberships = run("region", "lombardia", "--as-of", AS_OF).stdout.split("Memberships", 1)[1]
    assert memberships.splitlines()[2].split()[:2] == ["Organization", "Role"]
    assert "low confidence, disputed" in memberships  # the ARA chair: its start is in dispute
    who = run("who", "ara", "--as-of", AS_OF)
    assert "1 January 2025 – 2025, past, low confidence, disputed" in who.stdout
    roles = [r for row in json.loads(run("who", "ara", "--json").stdout) for r in row["roles"]]
    ara = [r for r in roles if (r["organization"] or {}).get("id") == "ara"]
    assert {r["id"]: r["confidence"] for r in ara} == {
        "guidesi-presidente-ara": "low",
        "chivite-presidente-ara": "low",
        "schmidt-presidente-ara": "low",  # its end is inferred: low (context.md §5.2, D13)
    }
    assert all(r["sources"] and r["confidence"] in ("high", "medium", "low") for r in roles)
