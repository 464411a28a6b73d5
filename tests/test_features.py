"""Completion, --as-of, pictures, formats, fields, schemas, JSON-LD and --cite, through the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from typing import Any

import jsonschema
import pydot
import pytest
import rdflib

import esra_cli
from esra_cli import contract
from tests.conftest import AS_OF, ESRA, Run, esra


def complete_bash(line: str) -> list[str]:
    """What bash would get for `line` (the cursor at its end), via Typer's completion protocol."""
    words = line.split(" ")
    env = {"_ESRA_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    result = esra(env=env)
    assert result.returncode == 0, result.stderr
    offered: str = result.stdout
    return offered.splitlines()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("esra person gu", {"guido-guidesi", "guidesi", "guido"}),
        ("esra person Gu", {"Guido-Guidesi"}),
        ("esra region ba", {"baviera", "bavaria", "bayern", "baden-wurttemberg", "baden-wuerttemberg"}),
        ("esra region Ba", {"Baviera", "Bavaria", "Baden-Württemberg"}),
        ("esra where tu", {"turin"}),
        ("esra org e", {"esra", "ecrn", "european-commission"}),
        ("esra members ar", {"ara"}),
    ],
)
def test_completion_offers_names_that_start_as_typed(line: str, expected: set[str]) -> None:
    offered = complete_bash(line)
    assert expected <= set(offered), offered
    typed = line.rsplit(" ", 1)[1]
    assert all(c.startswith(typed) for c in offered)
    assert not any(" " in c for c in offered)  # bash would split such a candidate


def test_completion_of_an_empty_word_lists_every_organization() -> None:
    offered = complete_bash("esra org ")
    assert {"esra", "ara", "ecrn", "european-commission", "european-committee-of-the-regions"} <= set(offered)


def test_zsh_and_fish_get_descriptions() -> None:
    zsh = esra(env={"_ESRA_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "esra person andrea"}).stdout
    assert '"andrea-tronzano":"Andrea Tronzano"' in zsh
    env = {"_ESRA_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "esra where tu",
           "_TYPER_COMPLETE_FISH_ACTION": "get-args"}  # fmt: skip
    fish = esra(env=env).stdout
    assert fish.splitlines() == ["turin\tTurin"]


def test_show_completion_prints_the_script_of_the_shell_it_runs_in() -> None:
    # Typer detects the shell from the process tree: a word after the flag is not read. A
    # command that is not the script's last keeps bash as esra's parent; as the last one,
    # bash may exec it, and the shell found depends on whatever started the tests.
    result = esra(ESRA, command=("bash", "-c", '"$0" --show-completion; status=$?; exit $status'))
    assert result.returncode == 0, result.stderr
    assert "_ESRA_COMPLETE=complete_bash" in result.stdout
    assert result.stdout.rstrip().endswith("complete -o default -F _esra_completion esra")


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o default -F _esra_completion esra"),
        ("zsh", "compdef _esra_completion esra"),
        ("fish", "complete --command esra --no-files"),
    ],
)
def test_each_shell_gets_its_own_script(shell: str, marker: str) -> None:
    # Typer's switch for naming the shell rather than detecting it (its own tests use it).
    result = esra("--show-completion", shell, env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout and f"_ESRA_COMPLETE=complete_{shell}" in result.stdout


# --- --as-of --------------------------------------------------------------------------------


def test_as_of_judges_memberships_too(data: Any) -> None:
    rows = {r["id"]: r for r in data("members", "--as-of", "2025-06-01")}
    statuses = {m["role"]: m["status"] for m in rows["catalogna"]["memberships"]}
    # Known on 1 June 2025: the membership last confirmed by CorCom in November 2024 (the
    # November 2025 confirmation was not yet written), the co-chair's term running.
    assert statuses == {"member": "presumed current", "co-chair": "current", "chair": "upcoming"}
    assert rows["catalogna"]["role"] == "co-chair"
    later = {r["id"]: r for r in data("members", "--as-of", "2026-06")}  # coarse: its last day
    assert later["catalogna"]["role"] == "chair"
    assert later["piemonte"]["role"] == "member"


def test_as_of_on_who_and_org(data: Any) -> None:
    guidesi = next(r for r in data("who", "guidesi", "--as-of", "2024-12-01") if r["id"] == "guido-guidesi")
    assert {r["id"]: r["status"] for r in guidesi["roles"]}["guidesi-presidente-ara"] == "upcoming"
    ecrn = data("org", "ecrn", "--as-of", "2026-03-01")
    assert {p["id"]: p["status"] for p in ecrn["people"]}["guidesi-presidente-ecrn"] == "past"


# --- pictures -------------------------------------------------------------------------------


def test_graph_dot_is_valid_graphviz(run: Run) -> None:
    text = run("graph").stdout
    graphs = pydot.graph_from_dot_data(text)
    assert graphs is not None
    graph = graphs[0]
    edges = {(str(e.get_source()).strip('"'), str(e.get_destination()).strip('"')) for e in graph.get_edges()}
    assert ("guido-guidesi", "ara") in edges
    assert ("lombardia", "esra") in edges
    assert ("esra-plenary-2024", "torino") in edges
    if shutil.which("dot"):  # Graphviz itself, where installed (CI installs it)
        svg = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, check=False)
        assert svg.returncode == 0, svg.stderr
        assert "<svg" in svg.stdout


def test_graph_of_one_entity_is_its_neighbourhood(run: Run) -> None:
    text = run("graph", "guidesi").stdout
    edges = [line for line in text.splitlines() if "->" in line]
    assert len(edges) == 3
    assert all(line.strip().startswith('"guido-guidesi" ->') for line in edges)
    assert 'label="president (1 January 2025 – 2025)"' in text


MERMAID_LINE = re.compile(
    r'^(graph LR|  n_\w+(\("[^"]*"\)|\["[^"]*"\]|\[\["[^"]*"\]\]|\{\{"[^"]*"\}\}|\[/"[^"]*"/\])'
    r'|  n_\w+ -->(\|"[^"]*"\|)? n_\w+)$'
)


def test_graph_mermaid_is_well_formed_and_follows_lang(run: Run) -> None:
    text = run("graph", "--format", "mermaid", "--lang", "it").stdout
    lines = text.splitlines()
    assert lines[0] == "graph LR"
    bad = [line for line in lines if not MERMAID_LINE.match(line)]
    assert not bad, bad[:3]
    assert '  n_baviera[["Baviera"]]' in lines
    assert any("assessore allo Sviluppo economico" in line for line in lines)


def test_graph_of_an_unknown_entity_exits_3(run: Run) -> None:
    result = run("graph", "nobody-at-all")
    assert (result.exit_code, result.stdout) == (3, "")


def test_tree_shows_chairs_over_time_and_members_by_country(run: Run, data: Any) -> None:
    out = run("tree", "ara", "--as-of", "2025-06-01").stdout
    assert out.splitlines()[0] == "Automotive Regions Alliance (ARA)"
    assert "November 2023 – 2024: Navarre, chair (past, low confidence, disputed)" in out
    assert "1 January 2025 – 2025: Lombardy, chair (current, low confidence, disputed)" in out
    # A member's role shows the chair's own period and confidence beside the membership's.
    assert "Lombardy (chair (1 January 2025 – 2025, low confidence), current)" in out  # a listed member
    tree = data("tree", "--as-of", AS_OF)
    countries = {g["country"]: [m["id"] for m in g["members"]] for g in tree["countries"]}
    assert countries["IT"] == ["lombardia", "piemonte"]
    assert sum(len(v) for v in countries.values()) == tree["members"]["known"] == 31
    assert "Presidenze" in run("tree", "--lang", "it").stdout


# --- formats and fields ---------------------------------------------------------------------


def test_formats_carry_the_same_rows(run: Run) -> None:
    rows = json.loads(run("members", "--format", "json").stdout)
    assert rows == json.loads(run("members", "--json").stdout)
    lines = [json.loads(line) for line in run("members", "--format", "jsonl").stdout.splitlines()]
    assert lines == rows
    table = list(csv.DictReader(io.StringIO(run("members", "--format", "csv").stdout)))
    assert [r["id"] for r in table] == [r["id"] for r in rows]
    assert table[0]["sources"] == "; ".join(rows[0]["sources"])
    plain = run("members", "--format", "plain", "--fields", "id,country,since").stdout.splitlines()
    assert plain[0].split("\t") == [rows[0]["id"], rows[0]["country"], rows[0]["since"]]


def test_fields_keep_only_those_keys(run: Run) -> None:
    rows = json.loads(run("what", "--json", "--fields", "id,date,status").stdout)
    assert rows
    assert all(list(r) == ["id", "date", "status"] for r in rows)
    assert run("what", "--fields", "id,date").stdout.splitlines()[0].count("\t") == 1


def test_an_unknown_field_is_a_usage_error_that_lists_the_fields(run: Run) -> None:
    result = run("members", "--json", "--fields", "id,colour")
    assert result.exit_code == 2
    assert "unknown field 'colour'" in result.stderr
    assert "id, name, country, since" in result.stderr


def test_fields_command_lists_them(run: Run) -> None:
    assert run("fields", "members").stdout.split() == [
        "id", "name", "country", "since", "role", "status", "last_confirmed", "role_id", "role_since",
        "role_until", "role_status", "role_confidence", "role_basis", "memberships",
        "sources", "confidence", "basis", "note", "inferred_from", "alternatives",
    ]  # fmt: skip
    assert run("fields", "nonsense").exit_code == 2


SCHEMA_CALLS = [
    ("members", ["members", "--json"]),
    ("members", ["members", "ara", "--json"]),
    ("person", ["person", "guidesi", "--json"]),
    ("person", ["person", "tronzano", "--json", "--lang", "it"]),
    ("who", ["who", "--json"]),
    ("what", ["what", "--json"]),
    ("when", ["when", "--json"]),
    ("where", ["where", "--json"]),
    ("org", ["org", "esra", "--json"]),
    ("org", ["org", "european-commission", "--json"]),
    ("region", ["region", "lombardia", "--json"]),
    ("region", ["region", "navarra", "--json"]),
    ("search", ["search", "ara", "--json"]),
    ("sources", ["sources", "--json"]),
    ("tree", ["tree", "--json"]),
    ("check", ["check", "--json"]),
]


@pytest.mark.parametrize(("command", "args"), SCHEMA_CALLS, ids=[" ".join(a) for _, a in SCHEMA_CALLS])
def test_every_commands_output_matches_its_schema(run: Run, command: str, args: list[str]) -> None:
    schema = json.loads(run("schema", command).stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(json.loads(run(*args).stdout))  # checked once, above


def test_where_place_matches_one_item_of_the_where_schema(run: Run) -> None:
    schema = json.loads(run("schema", "where").stdout)
    jsonschema.validate(json.loads(run("where", "turin", "--json").stdout), schema["items"])


def test_a_schema_can_fail(run: Run) -> None:
    schema = json.loads(run("schema", "members").stdout)
    row = json.loads(run("members", "--json").stdout)[0]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{**row, "since": "8 November 2024"}], schema)


# --- JSON-LD and --cite ---------------------------------------------------------------------


def test_jsonld_export_loads_into_an_rdf_graph(run: Run) -> None:
    text = run("export", "--format", "jsonld").stdout
    document = json.loads(text)
    ids = [node["@id"] for node in document["@graph"]]
    assert len(ids) == len(set(ids))
    graph = rdflib.Graph().parse(data=text, format="json-ld")
    schema = rdflib.Namespace("https://schema.org/")
    guidesi = rdflib.URIRef("urn:esra:guido-guidesi")
    assert (guidesi, rdflib.RDF.type, schema.Person) in graph
    roles = list(graph.objects(guidesi, schema.memberOf))
    bodies = {str(graph.value(role, schema.memberOf)) for role in roles}
    assert bodies == {"urn:esra:lombardia", "urn:esra:ara", "urn:esra:ecrn"}
    starts = {graph.value(role, schema.startDate) for role in roles}
    xsd = rdflib.XSD
    assert starts == {  # precision kept, and typed so stores sort and compare
        rdflib.Literal("2021-01", datatype=xsd.gYearMonth),
        rdflib.Literal("2025-01-01", datatype=xsd.date),
        rdflib.Literal("2024", datatype=xsd.gYear),
    }
    described = {str(s) for s in graph.subjects(rdflib.RDF.type, None)}
    referenced = {
        str(o) for o in graph.objects() if isinstance(o, rdflib.URIRef) and str(o).startswith("urn:esra:")
    }
    assert referenced - {"urn:esra:vocab:"} <= described | set(ids)


def test_jsonld_keeps_each_texts_language_and_every_hedge(run: Run) -> None:
    graph = rdflib.Graph().parse(data=run("export", "--format", "jsonld").stdout, format="json-ld")
    schema, esra = rdflib.Namespace("https://schema.org/"), rdflib.Namespace("urn:esra:vocab:")
    title = graph.value(rdflib.URIRef("urn:esra:corcom-2024-11-08"), schema.name)
    assert isinstance(title, rdflib.Literal) and title.language == "it"  # the source is Italian
    names = set(graph.objects(rdflib.URIRef("urn:esra:lombardia"), schema.name))
    assert names == {rdflib.Literal("Lombardia", lang="it"), rdflib.Literal("Lombardy", lang="en")}
    chair = rdflib.URIRef("urn:esra:lombardia-ara-chair")
    assert str(graph.value(chair, esra.confidence)) == "low"
    other = graph.value(chair, esra.alternative)
    assert other is not None and graph.value(other, schema.citation) is not None
    assert any(True for _ in graph.subject_objects(esra.inferred))
    assert any(True for _ in graph.subject_objects(esra.note))


def test_cite_numbers_sources_under_the_table(run: Run) -> None:
    out = run("members", "ara", "--cite", "--as-of", AS_OF).stdout
    saxony = next(line for line in out.splitlines() if line.startswith("  Saxony"))
    assert saxony.rstrip().endswith("[2, 3]")  # numbered in order of first use (Grand Est [1])
    navarre = next(line for line in out.splitlines() if line.startswith("  Navarre"))
    assert navarre.rstrip().endswith("[3, 4, 5]")  # Europa Press was [3] already
    assert "[6] Radiocor via Borsa Italiana, “Automotive: in alleanza 9 regioni italiane" in out
    assert (
        "[4] PrimaMonza, “Le regioni dell'automotive si riuniscono a Monza”, undated, before 29 November 2024"
        in out
    )
    guidesi = run("person", "guidesi", "--cite", "--as-of", AS_OF).stdout
    assert "CorCom (Corriere Comunicazioni), “Chip, la Lombardia entra in Esra" in guidesi
    assert (
        "8 November 2024 (inferred),\n    https://www.corrierecomunicazioni.it" in guidesi
    )  # date worked out
    italian = run("person", "tronzano", "--cite", "--lang", "it").stdout
    assert "Fonti:" in italian
    assert "8 novembre 2024" in italian


# --- issue 11: one JSON vocabulary, flat plain and CSV --------------------------------------

# jq's keywords: a field named after one cannot be used in jq's object shorthand ({end}).
JQ_KEYWORDS = {"def", "if", "then", "elif", "else", "end", "as", "reduce", "foreach", "try", "catch",
               "label", "import", "include", "and", "or", "not", "__loc__"}  # fmt: skip


def _field_names(schema: dict[str, object]) -> set[str]:
    names: set[str] = set()
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            names |= set(value)
        if isinstance(value, dict):
            names |= _field_names(value)
        elif isinstance(value, list):
            names |= {n for item in value if isinstance(item, dict) for n in _field_names(item)}
    return names


@pytest.mark.parametrize("command", list(contract.VIEWS))
def test_no_field_is_a_jq_keyword_and_periods_say_since_and_until(command: str) -> None:
    names = _field_names(contract.schema(command))
    assert names & JQ_KEYWORDS == set()
    assert not names & {"start", "end", "of", "holder"}  # one name for each end of a period
    if shutil.which("jq"):  # jq itself, where installed: its shorthand over every top-level field
        fields = ", ".join(contract.fields(command))
        done = subprocess.run(
            ["jq", "-c", f"{{{fields}}}"], input="{}", capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr


def test_a_record_is_named_name_in_every_command(run: Run) -> None:
    event = "lombardia-joins-esra"
    calls = (
        ["what", "Lombardy joins"],
        ["search", "Lombardy", "joins"],
        ["when", "--from", "2024-11-08", "--to", "2024-11-08"],
    )
    names = [
        next(r["name"] for r in json.loads(run(*args, "--json").stdout) if r["id"] == event) for args in calls
    ]
    assert len(set(names)) == 1, names
    assert contract.schema("sources")["$id"].endswith(f"/{esra_cli.__version__}/sources.json")


def test_plain_and_csv_columns_are_the_same_on_every_row(run: Run) -> None:
    plain = run("where", "--format", "plain", "--fields", "name,region,country").stdout.splitlines()
    assert {len(line.split("\t")) for line in plain} == {4}  # name, region_id, region_name, country
    brussels = next(line for line in plain if line.startswith("Brussels"))
    assert brussels.split("\t") == ["Brussels", "", "", "BE"]
    header = run("where", "--format", "csv", "--fields", "name,region,country").stdout.splitlines()[0]
    assert header == "name,region_id,region_name,country"
    rows = list(csv.reader(io.StringIO(run("members", "--format", "csv").stdout)))
    assert len({len(row) for row in rows}) == 1


def test_a_wrong_language_is_blamed_on_where_it_was_given(run: Run) -> None:
    typed = run("--lang", "fr", "members")
    assert typed.exit_code == 2 and "'--lang'" in typed.stderr and "ESRA_LANG" not in typed.stderr
    from_env = run("members", "--help", env={"ESRA_LANG": "fr"})
    assert from_env.exit_code == 2 and "$ESRA_LANG" in from_env.stderr


@pytest.mark.parametrize("command", ["person", "org", "region", "search", "fields"])
def test_usage_names_a_required_argument_plainly(run: Run, command: str) -> None:
    usage = run(command, "--help").stdout.splitlines()[0]
    assert "{" not in usage and usage.split()[-1].isupper()
