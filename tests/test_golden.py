"""Golden answers: each command's JSON, its piped table, and its table on 80- and 120-column
terminals, at a pinned --as-of (every call: no answer may follow the machine's clock), compared with
files under tests/golden/.

A change to any answer shows here as a diff to read. When the change is meant, write the
files anew and commit them with it: `ESRA_UPDATE_GOLDEN=1 pytest tests/test_golden.py`.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.conftest import AS_OF, call, on_terminal

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("ESRA_UPDATE_GOLDEN") == "1"
DATED = ["--as-of", AS_OF]
CALLS = {
    "members": ["members", *DATED],
    "members-ara": ["members", "ara", *DATED],
    "person-guidesi": ["person", "guidesi", *DATED],
    "who": ["who", *DATED],
    "what": ["what", *DATED],
    "where": ["where", *DATED],
    "where-turin": ["where", "turin", *DATED],
    "org-esra": ["org", "esra", *DATED],
    "region-lombardia": ["region", "lombardia", *DATED],
    "search-lombardia": ["search", "lombardia", *DATED],
    "sources": ["sources", *DATED],
    "tree-ara": ["tree", "ara", *DATED],
    "it-person-tronzano": ["--lang", "it", "person", "tronzano", *DATED],
    "show-bavaria-declaration": ["show", "lombardia-baviera-declaration", *DATED],
    "what-ecosystems": ["what", "ecosystems", *DATED],
    "when-2025": ["when", "--from", "2025", "--to", "2025", *DATED],
    "disputes": ["disputes", *DATED],
    "sources-cite": ["sources", "--cite", *DATED],
}
# Issue 19: the tables a reader meets most, at a wide terminal too.
WIDE = [
    "members",
    "person-guidesi",
    "region-lombardia",
    "org-esra",
    "show-bavaria-declaration",
    "sources-cite",
]


# A terminal link's id (OSC 8 `id=`) is Rich's own counter, which starts at random in each
# process: the files hold it as 0.
LINK_ID = re.compile(r"\x1b\]8;id=\d+;")


def unlinked(text: str) -> str:
    return LINK_ID.sub("\x1b]8;id=0;", text)


def compare(name: str, text: str) -> None:
    text = unlinked(text)
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {name}: run with ESRA_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("mode", ["json", "piped"])
@pytest.mark.parametrize("name", CALLS)
def test_answers_match_their_golden_files(name: str, mode: str) -> None:
    result = call(*CALLS[name], *(["--json"] if mode == "json" else []))
    assert (result.exit_code, result.stderr) == (0, "")
    compare(f"{name}.json" if mode == "json" else f"{name}.piped.txt", result.stdout)


@pytest.mark.parametrize(
    ("name", "columns"), [(n, c) for n in CALLS for c in (80, 120, *((200,) if n in WIDE else ()))]
)
def test_tables_on_a_terminal_match_their_golden_files(name: str, columns: int) -> None:
    # In-process, as a terminal of that width (conftest.call); the test below holds a real
    # pseudo-terminal's answer to the same files.
    result = call(*CALLS[name], terminal=True, env={"COLUMNS": str(columns), "LINES": "50"})
    assert (result.exit_code, result.stderr) == (0, "")
    compare(f"{name}.tty{columns}.txt", result.stdout)


@pytest.mark.parametrize(
    ("name", "columns"), [("members", 80), ("members", 200), ("person-guidesi", 120), ("tree-ara", 80)]
)
def test_a_real_terminal_draws_what_the_golden_files_hold(name: str, columns: int) -> None:
    # Nothing inherited may change what Rich draws: only the terminal set here.
    code, shown, err = on_terminal(*CALLS[name], columns=columns)
    assert (code, err) == (0, "")
    assert unlinked(shown.replace("\r\n", "\n")) == (GOLDEN / f"{name}.tty{columns}.txt").read_text(
        encoding="utf-8"
    )


# --- issue 11: tables that fit -------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["members"], ["org", "esra"], ["what", "ecosystems"], ["show", "lombardia-baviera-declaration"]],
    ids=" ".join,
)
def test_an_80_column_terminal_cuts_no_word_and_numbers_the_sources(args: list[str]) -> None:
    code, shown, _ = on_terminal(*args, "--as-of", AS_OF, columns=80)
    assert code == 0
    text = re.sub(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\", "", shown).replace("\r\n", "\n")
    # Only a URL runs past the edge, whole, for the terminal to wrap (folded, it could not
    # be copied); every other line fits.
    assert max(len(line) for line in text.splitlines() if "https://" not in line) <= 80
    piped = call(*args, "--as-of", AS_OF).stdout
    # Every word a piped table shows whole is whole on the terminal too (no "Baden-Württe/mberg").
    # Sources are shown as [n], `show`'s too (its table of quotes numbers them the same way).
    sources = {row["id"] for row in json.loads(call("sources", "--json").stdout)}
    words = {w for w in re.findall(r"[\w-]{6,}", piped) if w not in sources}
    assert {w for w in words if w not in text} == set()
    assert re.search(r"\[\d+\]", text) and "Sources:" in text  # sources as [n], listed under
