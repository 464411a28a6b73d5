"""The benchmark's synthetic bases are bases esra answers from: one `check` would refuse
would time an error message, not a query (the schema's rules grow; synth must follow)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.conftest import SHIPPED, call


def test_a_synthetic_base_passes_check(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("synth", SHIPPED.parent / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    base = tmp_path / "facts.toml"
    surnames = synth.build(base, 100)
    checked = call("--facts", str(base), "check", env={"ESRA_CACHE": "off"})
    shipped = call("--facts", str(SHIPPED), "check", env={"ESRA_CACHE": "off"})
    count = int(shipped.stderr.split(": ok, ")[1].split()[0])
    # The shipped base, and on top of it the synthetic records (100 entities and their links).
    assert checked.exit_code == 0, checked.stdout
    assert int(checked.stderr.split(": ok, ")[1].split()[0]) > count + 100, checked.stderr
    found = call("--facts", str(base), "person", surnames[0], "--json", env={"ESRA_CACHE": "off"})
    assert found.exit_code == 0, found.stderr
