"""A piped table carries its cell padding as spaces: the text must be what Rich's padding draws."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esra_cli import answers, compiled, locate, render
from esra_cli.query import Listing, View
from tests.conftest import examples

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
    view = answers.view(command, base, lang, args)
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
