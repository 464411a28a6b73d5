"""Guidance a user meets when a command does not do what they typed (issue 19, item 6): a
name where an id was wanted, a command that does not exist, a shell named for completion,
the top-level help at 80 columns, and an institution without members."""

from __future__ import annotations

import typer

from esra_cli.cli import app
from tests.conftest import Run

COMMANDS = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_show_given_a_name_suggests_the_ids_it_names(run: Run) -> None:
    for typed, suggested in [
        ("lombardy", "lombardia (Lombardy)?"),  # a name: the entity it names
        ("guidesi", "guido-guidesi (Guido Guidesi)?"),  # a surname
        ("lombardia-esraa", "lombardia-esra (Lombardy: member, European Semiconductor Regions Alliance) or"),
    ]:
        result = run("show", typed)
        assert (result.exit_code, result.stdout, result.stderr.count("\n")) == (3, "", 1)
        assert result.stderr.startswith(f"esra: no record has the id {typed!r}; did you mean {suggested}")
    nothing = run("show", "zzz")
    assert (
        nothing.stderr == "esra: no record has the id 'zzz'; esra search WORDS finds records and their ids\n"
    )


def test_fields_and_schema_suggest_only_commands_that_exist(run: Run) -> None:
    for command in ("fields", "schema"):
        result = run(command, "graph")
        assert result.exit_code == 2
        offered = result.stderr.rstrip("\n").split("try: ", 1)[1].split(", ")
        assert offered and set(offered) <= COMMANDS, set(offered) - COMMANDS  # no `place`


def test_show_completion_prints_the_script_of_the_shell_named(run: Run) -> None:
    first_lines = {
        "zsh": "#compdef esra",
        "fish": "complete --command esra",
        "bash": "_esra_completion() {",
        "powershell": "Import-Module PSReadLine",
    }
    for shell, first in first_lines.items():
        # SHELL says bash: the shell named on the command line wins over the one detected.
        result = run("--show-completion", shell, env={"SHELL": "/bin/bash"})
        assert result.exit_code == 0, result.stderr
        assert result.stdout.lstrip().startswith(first), (shell, result.stdout[:80])


def test_help_fits_80_columns_whole_and_points_to_installed_help(run: Run) -> None:
    page = run("--help", env={"COLUMNS": "80"}).stdout
    assert max(map(len, page.splitlines())) <= 80
    listed = page.split("Commands:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert {line.split()[0] for line in listed} == COMMANDS
    assert not [line for line in listed if line.rstrip().endswith(("...", "…"))]  # none cut
    assert "README" not in page  # a wheel install has no README to read
    words = " ".join(page.split())
    assert "`esra schema COMMAND`" in words and "130 interrupted" in words


def test_an_institution_without_members_says_nothing_of_members(run: Run) -> None:
    card = run("org", "european commission").stdout
    assert card.startswith("European Commission\n") and "Members" not in card
    assert "Members      17 / 21" in run("org", "ecrn", "--as-of", "2026-11-25").stdout


# --- item 4: search finds what a record links, and its day in words -----------------------


def _found(run: Run, *words: str) -> list[tuple[str, str]]:
    import json

    return [(r["id"], r["type"]) for r in json.loads(run("search", *words, "--json").stdout)]


def test_search_finds_a_record_by_the_names_it_links_and_its_day_in_words(run: Run) -> None:
    # The declaration names neither Guidesi nor Beißwenger in its own words: its signatories do.
    assert ("lombardia-baviera-declaration", "agreement") in _found(run, "guidesi", "baviera")
    assert ("lombardia-baviera-declaration", "agreement") in _found(run, "beisswenger")
    # "8 novembre" is the accession's date in Italian words, not a word of the record.
    assert ("lombardia-joins-esra", "event") in _found(run, "8", "novembre")
    assert ("lombardia-joins-esra", "event") in _found(run, "8", "november", "2024")


def test_search_puts_entities_and_events_before_the_pages_that_report_them(run: Run) -> None:
    import json

    rows = json.loads(run("search", "semiconduttori", "--json").stdout)
    assert (rows[0]["id"], rows[0]["type"]) == ("esra", "organization")
    assert any(r["type"] == "source" for r in rows)
    for rank in {r["rank"] for r in rows}:  # among equal matches, no page before a record
        kinds = [r["type"] for r in rows if r["rank"] == rank]
        assert kinds == sorted(kinds, key=lambda kind: kind == "source"), rank
