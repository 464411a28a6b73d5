"""The benchmark's synthetic bases are bases esra answers from: one `check` would refuse
would time an error message, not a query (the schema's rules grow; synth must follow)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from tests.conftest import SHIPPED, call


def script(name: str) -> Any:
    """One of bench/'s scripts, imported as run.py imports synth.py: from beside it."""
    sys.path.insert(0, str(SHIPPED.parent / "bench"))
    try:
        spec = importlib.util.spec_from_file_location(name, SHIPPED.parent / "bench" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(SHIPPED.parent / "bench"))
    return module


def test_a_synthetic_base_passes_check(tmp_path: Path) -> None:
    base = tmp_path / "facts.toml"
    surnames = script("synth").build(base, 100)
    checked = call("--facts", str(base), "check", env={"ESRA_CACHE": "off"})
    shipped = call("--facts", str(SHIPPED), "check", env={"ESRA_CACHE": "off"})
    count = int(shipped.stderr.split(": ok, ")[1].split()[0])
    # The shipped base, and on top of it the synthetic records (100 entities and their links).
    assert checked.exit_code == 0, checked.stdout
    assert int(checked.stderr.split(": ok, ")[1].split()[0]) > count + 100, checked.stderr
    found = call("--facts", str(base), "person", surnames[0], "--json", env={"ESRA_CACHE": "off"})
    assert found.exit_code == 0, found.stderr


def test_the_benchmarks_edits_leave_a_base_esra_answers_from(tmp_path: Path) -> None:
    # The first call after an edit must time a compile, not a refusal: each edit is a new
    # alias of another person, and the base stays valid after several.
    base = tmp_path / "facts.toml"
    script("synth").build(base, 100)
    before = base.read_text(encoding="utf-8")
    text = before
    for n in range(5):
        text = script("run").edited(text, n)
    assert text.count("aliases = [") == before.count("aliases = [") + 5
    base.write_text(text, encoding="utf-8")
    checked = call("--facts", str(base), "check", env={"ESRA_CACHE": "off"})
    assert checked.exit_code == 0, checked.stdout
