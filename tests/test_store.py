"""`esra add` and `esra export`: nothing lost, nothing half-written, curated text kept byte for byte."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ESRA, Run, child_env, esra, examples

QUOTE = "ansa-2024-11-08=Regione Lombardia ufficializza l'ingresso"
PERSON = [
    "add",
    "person",
    "--id",
    "maria-rossi",
    "--name",
    "Maria Rossi",
    "--source",
    "ansa-2024-11-08",
    "--quote",
    QUOTE,
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_add_appends_and_keeps_everything_above_byte_for_byte(run: Run, facts_copy: Path) -> None:
    before = facts_copy.read_bytes()
    result = run("--facts", str(facts_copy), *PERSON, "--alias", "M. Rossi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "added person maria-rossi" in result.stderr
    after = facts_copy.read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].decode() == (
        '\n[[people]]\nid = "maria-rossi"\nname = "Maria Rossi"\naliases = ["M. Rossi"]\n'
        'sources = ["ansa-2024-11-08"]\n'
        'quotes = { ansa-2024-11-08 = "Regione Lombardia ufficializza l\'ingresso" }\n'
    )
    found = json.loads(run("--facts", str(facts_copy), "person", "rossi", "--json").stdout)
    assert (found["id"], found["aliases"]) == ("maria-rossi", ["M. Rossi"])


def test_add_with_localized_text_lists_and_refs(run: Run, facts_copy: Path) -> None:
    args = ["--facts", str(facts_copy), "add", "event", "--id", "turin-2026", "--date", "2026-01"]
    args += ["--title-it", "Incontro", "--title-en", "Meeting", "--place", "torino", "--status", "planned"]
    args += ["--participant", "lombardia", "--participant", "guido-guidesi"]
    args += [
        "--source",
        "ansa-2024-11-08",
        "--quote",
        QUOTE,
        "--cite",
        "date=ansa-2024-11-08",
        "--confidence",
        "low",
    ]
    assert run(*args).exit_code == 0
    rows = {r["id"]: r for r in json.loads(run("--facts", str(facts_copy), "what", "--json").stdout)}
    event = rows["turin-2026"]
    assert (event["name"], event["date"], event["status"], event["confidence"]) == (
        "Meeting",
        "2026-01",
        "planned",
        "low",
    )
    assert [p["id"] for p in event["participants"]] == ["lombardia", "guido-guidesi"]


def test_dry_run_prints_the_block_and_writes_nothing(run: Run, facts_copy: Path) -> None:
    before = digest(facts_copy)
    result = run("--facts", str(facts_copy), *PERSON, "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith('[[people]]\nid = "maria-rossi"')
    assert tomllib.loads(result.stdout)["people"][0]["name"] == "Maria Rossi"
    assert digest(facts_copy) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--id", "guido-guidesi"], "duplicate id"),
        (["--source", "nowhere"], "'nowhere' is not in the source register"),
        (["--id", "Not A Slug"], "not a lowercase ASCII slug"),
    ],
)
def test_a_bad_record_is_refused_and_the_file_untouched(
    run: Run, facts_copy: Path, change: list[str], message: str
) -> None:
    args = list(PERSON)
    flag = args.index(change[0])
    args[flag + 1] = change[1]
    before = digest(facts_copy)
    result = run("--facts", str(facts_copy), *args)
    assert result.exit_code == 4
    assert message in result.stderr
    assert "unchanged" in result.stderr
    assert digest(facts_copy) == before


def test_bad_dates_and_dangling_references_are_refused(run: Run, facts_copy: Path) -> None:
    before = digest(facts_copy)
    common = [
        "--facts",
        str(facts_copy),
        "add",
        "position",
        "--id",
        "p1",
        "--source",
        "ansa-2024-11-08",
        "--quote",
        QUOTE,
    ]
    common += ["--title-it", "x", "--title-en", "x"]
    bad_date = run(*common, "--person", "guido-guidesi", "--start", "2025-02-30")
    dangling = run(*common, "--person", "nobody")
    assert (bad_date.exit_code, dangling.exit_code) == (4, 4)
    assert "not an ISO date" in bad_date.stderr
    assert "unknown id 'nobody'" in dangling.stderr
    assert digest(facts_copy) == before


def test_source_is_required_except_for_sources(run: Run, facts_copy: Path) -> None:
    missing = run("--facts", str(facts_copy), "add", "person", "--id", "x", "--name", "X")
    assert missing.exit_code == 2
    assert "--source" in missing.stderr
    source = run(
        "--facts",
        str(facts_copy),
        "add",
        "source",
        "--id",
        "new-2026",
        "--publisher",
        "P",
        "--title",
        "T",
        "--date",
        "2026-11",
    )
    assert source.exit_code == 0, source.stderr


# --- export ---------------------------------------------------------------------------------


def test_toml_export_reloads_to_the_same_answers(run: Run, tmp_path: Path) -> None:
    exported = tmp_path / "exported.toml"
    exported.write_text(run("export", "--format", "toml").stdout, encoding="utf-8")
    for args in (
        ["members", "--json"],
        ["person", "guidesi", "--json"],
        ["when", "--json"],
        ["what", "--json"],
    ):
        assert run("--facts", str(exported), *args).stdout == run(*args).stdout
    assert run("--facts", str(exported), "check").exit_code == 0


def test_json_and_jsonl_exports_are_valid(run: Run, shipped_text: str) -> None:
    raw = tomllib.loads(shipped_text)
    assert json.loads(run("export", "--format", "json").stdout) == raw
    lines = run("export", "--format", "jsonl", "--kind", "people").stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == [p["id"] for p in raw["people"]]
    assert {r["type"] for r in records} == {"person"}


def test_csv_export_has_a_row_per_record_with_kind_and_sources(run: Run, shipped_text: str) -> None:
    raw = tomllib.loads(shipped_text)
    rows = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").stdout)))
    assert len(rows) == sum(len(v) for k, v in raw.items() if k != "meta")
    guidesi = next(r for r in rows if r["id"] == "guido-guidesi")
    assert guidesi["type"] == "person"
    assert guidesi["sources"] == "corcom-2024-11-08; fanpage-2021-01; radiolombardia-2023-03-10"
    bavaria = next(r for r in rows if r["id"] == "baviera")
    assert (bavaria["name_it"], bavaria["name_local"]) == ("Baviera", "Bayern")


def test_sqlite_export_writes_the_database_and_its_metadata_and_nothing_else(
    run: Run, tmp_path: Path
) -> None:
    # What the database holds is tests/test_datasette.py's; here, that nothing else is left.
    target = tmp_path / "esra.db"
    result = run("export", "--format", "sqlite", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["esra.db", "esra.metadata.json"]
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT name FROM regions WHERE id = 'baviera'").fetchone() == ("Bavaria",)
    db.close()
    (tmp_path / "esra.metadata.json").write_text("my notes")
    again = run("export", "--format", "sqlite", "--force", str(target))
    assert again.exit_code == 2 and "is not Datasette metadata" in again.stderr
    assert (tmp_path / "esra.metadata.json").read_text() == "my notes"  # a user's file is kept


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--format", "sqlite"], "name its FILE"),
        (["--format", "sqlite", "--kind", "person", "x.db"], "whole base"),
        (["--format", "json", "x.db"], "redirect"),
    ],
)
def test_sqlite_export_usage_errors(run: Run, args: list[str], says: str) -> None:
    result = run("export", *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert says in result.stderr and result.stderr.count("\n") == 1


def test_sqlite_export_to_a_folder_that_does_not_exist_is_exit_5(run: Run, tmp_path: Path) -> None:
    result = run("export", "--format", "sqlite", str(tmp_path / "no" / "esra.db"))
    assert result.exit_code == 5
    assert result.stderr.startswith(f"esra: cannot write {tmp_path / 'no' / 'esra.db'}: ")


def test_export_of_an_unknown_kind_is_a_usage_error(run: Run) -> None:
    result = run("export", "--kind", "dragons")
    assert result.exit_code == 2
    assert "person" in result.stderr


# --- real processes: concurrency and crashes ------------------------------------------------


def add_process(path: Path, rid: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            ESRA,
            "--facts",
            str(path),
            "add",
            "person",
            "--id",
            rid,
            "--name",
            rid,
            "--source",
            "ansa-2024-11-08",
            "--quote",
            QUOTE,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
    )


def test_twelve_concurrent_adds_all_land(facts_copy: Path) -> None:
    ids = [f"writer-{n}" for n in range(12)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        procs = list(pool.map(lambda rid: add_process(facts_copy, rid), ids))
    codes = [p.wait(timeout=120) for p in procs]
    assert codes == [0] * 12, [p.stderr.read() for p in procs if p.stderr]
    people = {p["id"] for p in tomllib.loads(facts_copy.read_text(encoding="utf-8"))["people"]}
    assert set(ids) <= people
    check = esra("--facts", str(facts_copy), "check")
    assert check.returncode == 0


KILL_RUNS = int(os.environ.get("ESRA_KILL_RUNS", examples(25)))


def test_sigkill_at_random_moments_never_corrupts_the_base(facts_copy: Path) -> None:
    rng = random.Random(20241108)
    landed = 0
    for n in range(KILL_RUNS):
        proc = add_process(facts_copy, f"killed-{n}")
        time.sleep(rng.uniform(0.0, 0.35))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        check = esra("--facts", str(facts_copy), "check")
        assert check.returncode == 0, (n, check.stdout, check.stderr)
        landed += f'id = "killed-{n}"' in facts_copy.read_text(encoding="utf-8")
    # A later add cleans up what killed writers left behind.
    assert add_process(facts_copy, "survivor").wait(timeout=60) == 0
    assert not list(facts_copy.parent.glob(".facts.toml.*.tmp"))
    print(f"{KILL_RUNS} kills, {landed} adds landed before the kill")


# --- links, mode and owner --------------------------------------------------------------------


def esra_add(base: Path, person_id: str = "maria-rossi") -> subprocess.CompletedProcess[str]:
    args = [
        "add",
        "person",
        "--id",
        person_id,
        "--name",
        "M R",
        "--source",
        "ansa-2024-11-08",
        "--quote",
        QUOTE,
    ]
    return esra(*args, "--facts", str(base))


def test_add_through_a_symlink_writes_the_target_and_keeps_the_link(
    tmp_path: Path, shipped_text: str
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    real = tmp_path / "real" / "facts.toml"
    real.write_text(shipped_text, encoding="utf-8")
    link = tmp_path / "links" / "facts.toml"
    link.symlink_to("../real/facts.toml")
    result = esra_add(link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.readlink() == Path("../real/facts.toml")
    assert 'id = "maria-rossi"' in real.read_text(encoding="utf-8")
    assert (tmp_path / "real" / "facts.toml.lock").exists()  # the lock is the target's
    assert not (tmp_path / "links" / "facts.toml.lock").exists()


def test_add_keeps_the_files_mode_and_owner(facts_copy: Path) -> None:
    facts_copy.chmod(0o640)
    owner = (65534, 65534) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    if os.geteuid() == 0:
        os.chown(facts_copy, *owner)  # root may keep another user's ownership: it must
    assert esra_add(facts_copy).returncode == 0
    after = facts_copy.stat()
    assert (after.st_mode & 0o7777, after.st_uid, after.st_gid) == (0o640, *owner)
    assert 'id = "maria-rossi"' in facts_copy.read_text(encoding="utf-8")


def test_add_refuses_a_base_with_several_hard_links(facts_copy: Path) -> None:
    twin = facts_copy.with_name("twin.toml")
    os.link(facts_copy, twin)
    before = digest(facts_copy)
    result = esra_add(twin)
    assert result.returncode == 4
    assert "2 hard links" in result.stderr and result.stderr.count("\n") == 1
    assert digest(facts_copy) == digest(twin) == before
    assert facts_copy.samefile(twin)


# --- issue 11: country codes and NUTS codes are checked ----------------------------------------

REGION = ["add", "region", "--id", "slaskie", "--name-it", "Slesia", "--name-en", "Silesia",
          "--source", "ansa-2024-11-08", "--quote", "ansa-2024-11-08=Regione Lombardia"]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--country", "Poland"], "country: not an ISO 3166-1 alpha-2 country code: 'Poland'"),
        (["--country", "XX"], "country: not an ISO 3166-1 alpha-2 country code: 'XX'"),
        (["--country", "pl"], "country: not an ISO 3166-1 alpha-2 country code: 'pl'"),
        (["--country", "PL", "--nuts", "PL-22"], "nuts: not a NUTS code"),
        (["--country", "PL", "--nuts", "DE12"], "nuts: DE12 is not a code of PL"),
    ],
)
def test_add_refuses_a_country_or_nuts_code_that_is_not_one(
    run: Run, facts_copy: Path, extra: list[str], says: str
) -> None:
    before = facts_copy.read_bytes()
    result = run("--facts", str(facts_copy), *REGION, *extra)
    assert result.exit_code == 4
    assert says in result.stderr
    assert facts_copy.read_bytes() == before


def test_add_takes_a_country_and_nuts_code_and_check_passes(run: Run, facts_copy: Path) -> None:
    assert run("--facts", str(facts_copy), *REGION, "--country", "PL", "--nuts", "PL22").exit_code == 0
    assert run("--facts", str(facts_copy), "check").exit_code == 0
    greek = [
        "--id",
        "attiki",
        "--name-it",
        "Attica",
        "--name-en",
        "Attica",
        "--country",
        "GR",
        "--nuts",
        "EL30",
    ]
    assert run("--facts", str(facts_copy), *REGION[:2], *greek, *REGION[8:]).exit_code == 0


def test_check_finds_a_country_name_in_the_base(run: Run, facts_copy: Path) -> None:
    text = facts_copy.read_text(encoding="utf-8").replace('country = "PL"', 'country = "Poland"', 1)
    facts_copy.write_text(text, encoding="utf-8")
    result = run("--facts", str(facts_copy), "check")
    assert result.exit_code == 4
    assert "country: not an ISO 3166-1 alpha-2 country code: 'Poland' [field]" in result.stdout
