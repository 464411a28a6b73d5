"""The relational export in Datasette (issue 22): every record and citation of facts.toml is
in the database, every reference is a foreign key, Datasette serves links, search and facets
over HTTP, a real browser renders them, and `esra serve` runs it all and cleans up."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from esra_cli.contract import said
from esra_cli.kinds import KINDS
from tests.conftest import ESRA, SHIPPED, call, child_env, esra

RAW = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
# .ci/run installs Chromium and sets this: there, a missing browser fails the test.
REQUIRE_BROWSER = os.environ.get("ESRA_REQUIRE_BROWSER") == "1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as page:
        return str(page.read().decode("utf-8"))


def wait_for(url: str, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}: {process.stderr}")
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered at {url} within {seconds} s")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("export") / "esra.db"
    result = call("export", "--format", "sqlite", str(database), env={"ESRA_CACHE": "off"})
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    return database


@pytest.fixture(scope="module")
def datasette(exported: Path) -> Iterator[str]:
    """Datasette on a free port of 127.0.0.1, over the export and its metadata."""
    port = free_port()
    command = [sys.executable, "-m", "datasette", "serve", str(exported), "--port", str(port),
               "--host", "127.0.0.1", "--metadata", str(exported.with_name("esra.metadata.json"))]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/-/versions.json", server)
        yield f"http://127.0.0.1:{port}/esra"
    finally:
        server.terminate()
        server.wait(timeout=10)


def expected_citations() -> set[tuple[str, str, str, str | None]]:
    """(record, field, source, quote) for each value a source is cited for, read from TOML:
    the fields `cite` names it for, `last_confirmed` for confirmed_by, else 'record'; an
    alternative's sources for its field (each field by the views' name)."""
    rows = set()
    for table, records in RAW.items():
        if table in ("meta", "sources"):
            continue
        for record in records:
            cite = {"confirmed": record.get("confirmed_by", []), **record.get("cite", {})}
            for source in record["sources"]:
                fields = [said(f) for f, cited in cite.items() if source in cited] or ["record"]
                rows |= {(record["id"], f, source, record["quotes"].get(source)) for f in fields}
            for alternative in record.get("alternatives", ()):
                field = said(alternative["field"])
                rows |= {(record["id"], field, s, q) for s, q in alternative["quotes"].items()}
    return rows


def test_the_export_holds_every_record_value_link_and_citation(exported: Path) -> None:
    db = sqlite3.connect(exported)
    for table, kind in KINDS.items():
        names = [c[1] for c in db.execute(f"PRAGMA table_info({table})")]
        rows = {r[0]: dict(zip(names, r, strict=True)) for r in db.execute(f"SELECT * FROM {table}")}
        assert list(rows) == [r["id"] for r in RAW[table]], table  # every record, in file order
        for record in RAW[table]:
            row = rows[record["id"]]
            for field in kind.fields:
                value = record.get(field.name)
                column = said(field.name)  # the views' names: since, until, last_confirmed, kind
                if field.type in ("str", "date", "choice", "country", "nuts", "int") and value is not None:
                    assert row[column] == value, (record["id"], field.name)
                elif field.type == "text" and value is not None:
                    assert (row[column], row.get(f"{column}_it")) == (value["en"], value.get("it"))
            if kind.field("confidence"):
                assert row["confidence"] == record.get("confidence", "high")  # the default, written
        for field in kind.references:
            if field.type != "refs" or field.name in ("sources", "confirmed_by"):
                continue
            targets = [KINDS[t].singular for t in field.refs]
            found = db.execute(
                f"SELECT {kind.singular}, coalesce({', '.join(targets)}) FROM {table}_{field.name}"
                if len(targets) > 1
                else f"SELECT {kind.singular}, {targets[0]} FROM {table}_{field.name}"
            ).fetchall()
            assert sorted(found) == sorted((r["id"], t) for r in RAW[table] for t in r.get(field.name, ()))
    citations = set(db.execute("SELECT record, field, source, quote FROM citations"))
    assert citations == expected_citations()
    alternatives = db.execute("SELECT record, field, value FROM alternatives ORDER BY id").fetchall()
    assert len(alternatives) == sum(len(r.get("alternatives", ())) for t in KINDS for r in RAW[t])
    assert ("esra-members-after-turin", "value", "32") in alternatives
    db.close()


def test_every_reference_is_a_foreign_key_that_resolves(exported: Path) -> None:
    db = sqlite3.connect(exported)
    for table, kind in KINDS.items():
        keys = {(k[3], k[2]) for k in db.execute(f"PRAGMA foreign_key_list({table})")}
        for field in kind.references:
            if field.type == "ref":
                assert (field.name, field.refs[0]) in keys, (table, field.name)
            elif field.name not in ("sources", "confirmed_by"):
                links = {(k[3], k[2]) for k in db.execute(f"PRAGMA foreign_key_list({table}_{field.name})")}
                assert links >= {(kind.singular, table), *((KINDS[t].singular, t) for t in field.refs)}
    assert ("source", "sources") in {(k[3], k[2]) for k in db.execute("PRAGMA foreign_key_list(citations)")}
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []  # none dangles
    db.close()


def test_the_metadata_describes_each_table_and_column_and_names_real_facets(exported: Path) -> None:
    metadata = json.loads(exported.with_name("esra.metadata.json").read_text(encoding="utf-8"))
    assert metadata["title"] and metadata["license"] and metadata["source"]
    tables = metadata["databases"]["esra"]["tables"]
    db = sqlite3.connect(exported)
    shown = [
        t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'") if "_fts" not in t
    ]
    for table in shown:
        assert tables[table]["description"], table
        columns = [c[1] for c in db.execute(f"PRAGMA table_info({table})")]
        assert set(tables[table].get("facets", [])) <= set(columns), table
        if table in KINDS:
            assert set(tables[table]["columns"]) == set(columns), table
    db.close()


def test_datasette_links_references_searches_and_facets(datasette: str) -> None:
    rows = json.loads(fetch(f"{datasette}/memberships.json?_shape=array&_labels=on&id=lombardia-esra"))
    assert rows[0]["region"] == {"value": "lombardia", "label": "Lombardy"}
    assert rows[0]["organization"] == {"value": "esra", "label": "European Semiconductor Regions Alliance"}
    page = fetch(f"{datasette}/memberships?id=lombardia-esra")
    assert 'href="/esra/regions/lombardia"' in page  # a reference is a link
    found = json.loads(fetch(f"{datasette}/people.json?_search=guidesi&_shape=array"))
    assert [p["id"] for p in found] == ["guido-guidesi"]
    facets = json.loads(fetch(f"{datasette}/citations.json?_facet=source&_size=0"))["facet_results"]
    by_source = {r["value"]: r["count"] for r in facets["source"]["results"]}
    assert by_source["corcom-2024-11-08"] >= 30  # the announcement supports the most values


def test_a_real_browser_renders_the_links_and_a_screenshot(datasette: str, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if REQUIRE_BROWSER:
            pytest.fail("Chromium is not installed, and ESRA_REQUIRE_BROWSER=1 requires it")
        pytest.skip("Chromium is not installed (Debian package chromium)")
    # The browser runs on the real clock: libfaketime (CI's far-off clock) is for esra.
    real_clock = ("LD_PRELOAD", "FAKETIME")
    headless = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900"]  # fmt: skip
    page = f"{datasette}/memberships?organization=ara&_sort=id"
    dom = esra("--dump-dom", page, command=headless, without=real_clock)
    assert 'href="/esra/regions/lombardia"' in dom.stdout and "Lombardy" in dom.stdout
    assert "Automotive Regions Alliance" in dom.stdout  # the label, not only the id
    shot = tmp_path / "page.png"
    esra(f"--screenshot={shot}", page, command=headless, without=real_clock)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000  # a drawn page, not a blank one
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 900)


def test_serve_runs_datasette_on_loopback_until_stopped_and_leaves_nothing() -> None:
    port = free_port()
    server = subprocess.Popen(
        [ESRA, "serve", "--port", str(port)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=child_env({"ESRA_CACHE": "off"}),
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/esra.json", server)
        rows = json.loads(fetch(f"http://127.0.0.1:{port}/esra/regions.json?_shape=array&id=lombardia"))
        assert rows[0]["name"] == "Lombardy"
    finally:
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=20)
    assert server.returncode == 128 + signal.SIGTERM
    said = errors.splitlines()[0]
    assert said.startswith("esra: serving ") and f"http://127.0.0.1:{port}/esra" in said
    folder = Path(said.removeprefix("esra: serving ").split(" at ")[0]).parent
    assert folder.name.startswith("esra-serve-") and not folder.exists()  # the export went with it


def test_serve_without_datasette_says_what_to_install() -> None:
    blocked = "import sys; sys.modules['datasette'] = None; from esra_cli.entry import dispatch; sys.exit(dispatch(['serve']))"
    done = esra(command=(sys.executable, "-c", blocked))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == 'esra: esra serve needs Datasette: pip install "esra[web]"\n'


def test_serve_refuses_a_port_in_use_before_exporting(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = call("serve", "--port", str(port))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"esra: port {port} on 127.0.0.1 is in use: choose another with --port\n"
