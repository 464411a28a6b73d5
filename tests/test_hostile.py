"""Hostile fact bases, names and values: always a one-line answer and a documented exit code."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esra_cli import matching
from esra_cli.kinds import KINDS
from tests.conftest import SHIPPED, Result, as_user_without_privileges, call, esra, examples

FAST = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def invoke(*args: str) -> Result:
    # ESRA_DEBUG=1 (set by call): any exception escaping esra fails the test outright.
    return call(*args)


def one_line_error(result: Any) -> None:
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("esra: ")
    assert "Traceback" not in result.stderr


@FAST
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_as_a_fact_base(tmp_path_factory: pytest.TempPathFactory, blob: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "facts.toml"
    path.write_bytes(blob)
    result = invoke("--facts", str(path), "members", "--json")
    assert result.exit_code in (0, 3, 4)
    if result.exit_code:
        one_line_error(result)


toml_scalars = st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.floats(allow_nan=False))
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["id", "name", "en", "it", "x"]), inner, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(sorted({f.name for k in KINDS.values() for f in k.fields} | {"bogus"}))
records = st.dictionaries(field_names, toml_values, max_size=8)
documents = st.dictionaries(
    st.sampled_from([*KINDS, "meta", "extra"]),
    st.one_of(st.lists(records, max_size=3), records, toml_scalars),
    max_size=5,
)


@FAST
@given(documents)
def test_structurally_wrong_bases_are_refused_not_crashed_on(
    tmp_path_factory: pytest.TempPathFactory, document: dict[str, Any]
) -> None:
    path = tmp_path_factory.mktemp("doc") / "facts.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    for args in (["members", "--json"], ["check"], ["when"]):
        result = invoke("--facts", str(path), *args)
        assert result.exit_code in (0, 3, 4)


@settings(max_examples=examples(60), deadline=None)
@given(st.text(min_size=1, max_size=40).filter(lambda s: not s.startswith("-")))
def test_generated_names_never_crash_lookup(name: str) -> None:
    for command in ("person", "region", "org", "where", "members"):
        result = invoke(command, name, "--json")
        assert result.exit_code in (0, 3), (command, name, result.stderr)
        if result.exit_code == 3:
            one_line_error(result)
    for command in ("who", "what", "search"):
        result = invoke(command, name, "--json")
        if command == "search" and result.exit_code == 2:  # no word in it: nothing was asked
            assert not matching.terms(name)
            one_line_error(result)
            continue
        assert result.exit_code == 0
        assert isinstance(json.loads(result.stdout), list)


people = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.text(min_size=1, max_size=30).filter(str.strip),
            "aliases": st.lists(st.text(min_size=1, max_size=15).filter(str.strip), max_size=2),
            "note": st.text(max_size=60).filter(str.strip),
        }
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people)
def test_generated_valid_bases_round_trip_through_export(
    tmp_path_factory: pytest.TempPathFactory, extra: list[dict[str, Any]]
) -> None:
    folder = tmp_path_factory.mktemp("roundtrip")
    base = folder / "facts.toml"
    added = [
        {
            "id": f"gen-{n}",
            **p,
            "sources": ["ansa-2024-11-08"],
            "quotes": {"ansa-2024-11-08": "Regione Lombardia"},
        }
        for n, p in enumerate(extra)
    ]
    text = SHIPPED.read_text(encoding="utf-8") + "\n" + tomli_w.dumps({"people": added})
    base.write_text(text, encoding="utf-8")
    if invoke("--facts", str(base), "check").exit_code != 0:
        return  # a generated alias may legitimately collide with an existing name
    exported = folder / "exported.toml"
    exported.write_text(invoke("--facts", str(base), "export", "--format", "toml").stdout, encoding="utf-8")
    for args in (["export", "--format", "json"], ["who", "--json"], ["members", "--json"]):
        # Compared as data: TOML export may reorder keys (tables after scalars).
        again = json.loads(invoke("--facts", str(exported), *args).stdout)
        assert again == json.loads(invoke("--facts", str(base), *args).stdout)


# --- files no one should have to survive ----------------------------------------------------


def run_file(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return esra("--facts", str(path), *(args or ("members",)))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage", os.urandom(64) * 400_000),  # about 25 MB of random bytes
        ("nested", b"x = " + b"[" * 200_000 + b"]" * 200_000),
        ("latin1", '[meta]\nannouncement = "caf\xe9"\n'.encode("latin-1")),
        ("nul", b"[meta]\x00\nupdated = 1"),
        ("empty", b""),
        ("types", b"[meta]\nannouncement = 3\nupdated = []\n[[people]]\nid = 5\nname = {a = 1}\n"),
    ],
)
def test_hostile_files_end_in_one_line_and_exit_4(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / f"{name}.toml"
    path.write_bytes(content)
    result = run_file(path)
    assert result.returncode == 4
    assert result.stderr.count("\n") == 1, result.stderr[:500]
    assert "Traceback" not in result.stderr
    assert len(result.stderr) < 1000


def test_an_unreadable_file_as_a_user_without_permission(open_folder: Path) -> None:
    readable = open_folder / "facts.toml"
    readable.write_bytes(SHIPPED.read_bytes())
    readable.chmod(0o644)
    env = {"ESRA_CACHE": "off"}
    # The same user reads a readable copy beside it: what is refused next is the file alone.
    assert as_user_without_privileges("--facts", str(readable), "members", env=env)[0] == 0
    path = open_folder / "secret.toml"
    path.write_bytes(SHIPPED.read_bytes())
    path.chmod(0)
    code, out, err = as_user_without_privileges("--facts", str(path), "members", env=env)
    assert (code, out) == (4, ""), err
    assert "cannot read" in err
    assert "Permission denied" in err
    assert err.count("\n") == 1


def test_hostile_values_reach_json_exactly_and_the_terminal_escaped(tmp_path: Path) -> None:
    path = tmp_path / "facts.toml"
    hostile = "\x1b]0;pwned\x07\x1b[2J[bold]x[/bold] [/esra]\u202e line\u2028break\u2029"
    added = {
        "id": "evil",
        "name": hostile,
        "sources": ["ansa-2024-11-08"],
        "quotes": {"ansa-2024-11-08": "Regione Lombardia"},
    }
    path.write_text(
        SHIPPED.read_text(encoding="utf-8") + "\n" + tomli_w.dumps({"people": [added]}), encoding="utf-8"
    )
    table = run_file(path, "person", "evil")
    assert table.returncode == 0, table.stderr
    assert not any(ch in table.stdout for ch in "\x1b\x07\u202e\u2028\u2029")
    assert "line\\x2028break" in table.stdout
    assert "[bold]x[/bold] [/esra]" in table.stdout
    assert json.loads(run_file(path, "person", "evil", "--json").stdout)["name"] == hostile
