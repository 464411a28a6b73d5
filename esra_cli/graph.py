"""The fact base as a graph: people -> bodies they serve, regions -> alliances, events -> places.

`edges` builds the graph from the base (pure data); `dot` and `mermaid` write it as text
that Graphviz (`dot -Tsvg`) and Mermaid render. Labels follow --lang and carry dates at
their own precision.
"""

from __future__ import annotations

from esra_cli import dates, escape
from esra_cli.i18n import word

TYPE_CHECKING = False
if TYPE_CHECKING:
    from esra_cli.facts import FactBase

_SHAPES = {  # table -> (Graphviz shape, Mermaid brackets)
    "people": ("ellipse", ('("', '")')),
    "organizations": ("box", ('["', '"]')),
    "regions": ("component", ('[["', '"]]')),
    "places": ("house", ('{{"', '"}}')),
    "events": ("note", ('[/"', '"/]')),
}


class Edge:
    """One labelled arrow between two records."""

    __slots__ = ("label", "source", "target")

    def __init__(self, source: str, target: str, label: str) -> None:
        self.source, self.target, self.label = source, target, label


def edges(base: FactBase, lang: str, around: str | None = None) -> list[Edge]:
    """Every edge of the base, or only those touching `around` (its neighbourhood)."""
    found = []
    for position in base.records("positions"):
        body = position.get("organization") or position.get("region")
        if body:
            title = position["title"].get(lang) or position["title"]["en"]
            found.append(
                Edge(
                    position["person"], body, _dated(title, position.get("start"), position.get("end"), lang)
                )
            )
    for membership in base.records("memberships"):
        role = word(membership["role"], lang)
        label = _dated(role, membership.get("since"), membership.get("until"), lang)
        found.append(Edge(membership["region"], membership["organization"], label))
    for event in base.records("events"):
        if event.get("place"):
            when = event.get("date") or event.get("start")
            found.append(Edge(event["id"], event["place"], dates.display(when, lang) if when else ""))
    if around is not None:
        found = [e for e in found if around in (e.source, e.target)]
    return found


def _dated(text: str, start: str | None, end: str | None, lang: str) -> str:
    span = dates.display_span(start, end, lang)
    return f"{text} ({span})" if span else text


def _nodes(base: FactBase, found: list[Edge], around: str | None) -> list[str]:
    ids = [around] if around else []
    for edge in found:
        ids += [edge.source, edge.target]
    return list(dict.fromkeys(ids))


def dot(base: FactBase, lang: str, around: str | None = None) -> str:
    """The graph in Graphviz's DOT language."""
    found = edges(base, lang, around)
    lines = [
        "digraph esra {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica"];',
    ]
    for rid in _nodes(base, found, around):
        shape = _SHAPES[base.kind(rid)][0]
        lines.append(f"  {escape.dot(rid)} [label={escape.dot(base.label(rid, lang))}, shape={shape}];")
    for edge in found:
        lines.append(
            f"  {escape.dot(edge.source)} -> {escape.dot(edge.target)} [label={escape.dot(edge.label)}];"
        )
    return "\n".join([*lines, "}"]) + "\n"


def mermaid(base: FactBase, lang: str, around: str | None = None) -> str:
    """The graph as a Mermaid flowchart."""
    found = edges(base, lang, around)
    lines = ["graph LR"]
    for rid in _nodes(base, found, around):
        opening, closing = _SHAPES[base.kind(rid)][1]
        lines.append(f"  {_mermaid_id(rid)}{opening}{escape.mermaid(base.label(rid, lang))}{closing}")
    for edge in found:
        label = f'|"{escape.mermaid(edge.label)}"|' if edge.label else ""
        lines.append(f"  {_mermaid_id(edge.source)} -->{label} {_mermaid_id(edge.target)}")
    return "\n".join(lines) + "\n"


def _mermaid_id(rid: str) -> str:
    # Mermaid ids are bare words; a slug's hyphens become underscores, and a prefix keeps
    # ids like "end" or "graph" from reading as keywords.
    return "n_" + rid.replace("-", "_")
