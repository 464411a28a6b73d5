"""A piped table carries its cell padding as spaces: the text must be what Rich's padding
draws; and a terminal's table, at any width, cuts no word, id or URL."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esra_cli import commands, compiled, locate, render
from esra_cli.query import Listing, View
from tests.conftest import AS_OF, call, examples

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("members", {}),
    ("members", {"alliance": "ara", "as_of": "2025-06"}),
    ("person", {"name": "guidesi"}),
    ("person", {"name": "tronzano"}),
    ("who", {}),
    ("what", {}),
    ("when", {"lo": "2024"}),
    ("where", {}),
    ("where", {"place": "turin"}),
    ("org", {"name": "esra"}),
    ("region", {"name": "lombardia"}),
    ("search", {"text": "semiconduttori"}),
    ("sources", {}),
    ("tree", {}),
]


def piped(view: View, output: render.Output, fast: bool, encoding: str = "utf-8") -> str:
    """The piped table; `fast`: the padding in the cells, else Rich's own Padding."""
    return render._plain(render._human(view, output, piped=fast), render._Buffer(encoding))


@pytest.mark.parametrize(("command", "args"), CALLS, ids=[c for c, _ in CALLS])
@pytest.mark.parametrize("lang", ["en", "it"])
@pytest.mark.parametrize("cite", [False, True])
def test_every_piped_view_is_what_rich_pads(
    command: str, args: dict[str, Any], lang: str, cite: bool
) -> None:
    base = compiled.open_base(locate.find(None))
    view = commands.view(command, base, lang, args)
    output = render.Output("table", lang, None, cite, lambda: {s["id"]: s for s in base.records("sources")})
    fast = piped(view, output, fast=True)
    assert fast == piped(view, output, fast=False)
    assert fast.strip()  # something was drawn


CELL = st.text(st.characters(codec="utf-8"), max_size=30)  # all but surrogates


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(st.tuples(CELL, CELL, CELL), min_size=0, max_size=6), st.sampled_from(["utf-8", "ascii"]))
def test_any_cell_text_pipes_as_rich_pads_it(cells: list[tuple[str, str, str]], encoding: str) -> None:
    # Newlines, wide and zero-width characters, markup-like brackets, control characters, ''.
    rows = [
        {"id": a, "publisher": b, "name": c, "date": None, "confidence": "high", "url": a + c}
        for a, b, c in cells
    ]
    view = Listing("sources", rows)
    output = render.Output("table", "en")
    fast = piped(view, output, fast=True, encoding=encoding)
    assert fast == piped(view, output, fast=False, encoding=encoding)


# --- issue 19, item 1: no word, id or URL cut, at any width --------------------------------

_ESCAPES = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\")


def _terminal(args: list[str], columns: int) -> str:
    from tests.conftest import on_terminal

    code, shown, _ = on_terminal(*args, "--as-of", AS_OF, columns=columns)
    assert code == 0
    return _ESCAPES.sub("", shown).replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [80, 120, 160, 250])
@pytest.mark.parametrize(
    "args", [["person", "guidesi"], ["region", "lombardia"], ["members"], ["org", "esra"]], ids=" ".join
)
def test_a_terminal_of_any_width_cuts_no_word(args: list[str], columns: int) -> None:
    # "Rotterda / m", "Mila / n": a table that dropped a column kept its columns' old numbers,
    # and Rich padded the one now last-but-one as the last.
    shown = _terminal(args, columns)
    piped = call(*args, "--as-of", AS_OF).stdout
    sources = {row["id"] for row in json.loads(call("sources", "--json").stdout)}  # [n] there
    whole = {w for w in re.findall(r"[\w-]{5,}", piped) if w not in sources}
    assert {w for w in whole if w not in shown} == set()


@pytest.mark.parametrize("args", [["sources"], ["show", "grand-est-ara-chair", "--cite"]], ids=" ".join)
def test_a_url_is_printed_whole_on_a_narrow_terminal(args: list[str]) -> None:
    shown = _terminal(args, 80)
    cited = {"ilgiornale-2026-02-01", "openlobby-grandest-2025-10-10"}  # grand-est-ara-chair's
    register = json.loads(call("sources", "--json").stdout)
    wanted = [r["url"] for r in register if r["url"] and (args[0] == "sources" or r["id"] in cited)]
    assert wanted and [u for u in wanted if u not in shown] == []


# --- issue 19, item 3: width by importance --------------------------------------------------


def test_members_rows_do_not_wrap_at_160_columns_and_80_shows_the_count_first() -> None:
    rows = json.loads(call("members", "--as-of", AS_OF, "--json").stdout)
    shown = _terminal(["members"], 160).splitlines()
    rule = next(n for n, line in enumerate(shown) if line.strip() and set(line.strip()) == {"─"})
    table = shown[rule + 1 : rule + 1 + len(rows)]
    # One line a region, each starting with its name: no row wraps (sources are numbered).
    assert [re.sub(r" \[\w+\]$", "", line.split("  ")[0]) for line in table] == [r["name"] for r in rows]
    after = shown[rule + 1 + len(rows)].strip()
    assert after in ("", "Sources:") or after.startswith("[a] ")  # then the table ends: notes
    first_screen = "\n".join(_terminal(["members"], 80).splitlines()[:24])
    assert f"{len(rows)} known of 36 reported in November 2025" in first_screen


# --- issue 19, item 2: every caveat in the table ---------------------------------------------


def test_a_records_note_is_a_marked_footnote_under_its_table() -> None:
    for shown in (call("person", "guidesi", "--as-of", AS_OF).stdout, _terminal(["person", "guidesi"], 120)):
        lines = [line.strip() for line in shown.splitlines()]
        marked = next(line for line in lines if line.startswith("president [") and "Automotive" in line)
        letter = re.search(r"\[([a-z]+)\]", marked)
        assert letter, marked
        note = next(line for line in lines if line.startswith(f"[{letter.group(1)}] "))
        assert "Elected at Monza on 29 November 2024 for 2025" in note


def test_nuance_words_are_coloured_on_a_terminal_and_kept_as_words() -> None:
    from tests.conftest import on_terminal

    _, coloured, _ = on_terminal("person", "guidesi", "--as-of", AS_OF, columns=200)
    assert "\x1b[31mdisputed" in coloured  # red
    assert "\x1b[33mpresumed current" in coloured  # yellow
    _, plain, _ = on_terminal("person", "guidesi", "--as-of", AS_OF, columns=200, env={"NO_COLOR": "1"})
    words = _ESCAPES.sub("", plain)
    assert "disputed" in words and "presumed current" in words and "\x1b[31m" not in plain


def test_a_sources_worked_out_date_is_said_as_such_in_one_level_of_parentheses() -> None:
    table = call("sources", "--as-of", AS_OF).stdout
    corcom = next(line for line in table.splitlines() if "corcom-2024-11-08" in line)
    assert "8 November 2024 (inferred)" in corcom and "low confidence" not in corcom
    fogar = next(line for line in table.splitlines() if "fogar-2023-09" in line)
    assert "undated, after 29 May 2024" in fogar
    cited = call("members", "ara", "--cite", "--as-of", AS_OF).stdout
    assert "undated, before 29 November 2024" in cited and "((" not in cited and "))" not in cited
