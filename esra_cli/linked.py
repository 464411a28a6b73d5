"""The fact base as JSON-LD with schema.org terms, for RDF stores and Wikibase imports.

Regions are AdministrativeAreas, alliances and institutions Organizations, people Persons
whose posts are Roles (roleName, startDate, endDate), memberships OrganizationRoles under
the alliance's `member`; events are Events, agreements CreativeWorks, statements Claims,
sources CreativeWorks every node cites. Ids are `urn:esra:<id>`. The context is inline, so
no processor needs the network to read it.

A text carries its own language: a localized field is one value per language, a source's
title is tagged with the source's `lang`, a name in no particular language is left plain.
A date is typed at its precision (xsd:gYear, xsd:gYearMonth, xsd:date), so stores sort and
compare it. What hedges a fact travels with it, in esra's own terms: esra:confidence,
esra:inferred (what a value was worked out from), esra:note, and esra:alternative, each
other value a source gives for a field, with that source.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from esra_cli.facts import FactBase, Record

XSD = "http://www.w3.org/2001/XMLSchema#"
CONTEXT = {"@vocab": "https://schema.org/", "xsd": XSD, "esra": "urn:esra:vocab:"}
_PRECISION = {4: "xsd:gYear", 7: "xsd:gYearMonth", 10: "xsd:date"}
_STATUS = {"cancelled": "EventCancelled", "planned": "EventScheduled", "announced": "EventScheduled"}


def iri(rid: str) -> dict[str, str]:
    return {"@id": f"urn:esra:{rid}"}


def document(base: FactBase) -> dict[str, Any]:
    """The whole base as one JSON-LD document."""
    nodes: list[dict[str, Any]] = []
    members: dict[str, list[dict[str, Any]]] = {}
    for m in base.records("memberships"):
        members.setdefault(m["organization"], []).append(
            _hedged(
                m,
                _dated(
                    {
                        **iri(m["id"]),
                        "@type": "OrganizationRole",
                        "roleName": m["role"],
                        "member": iri(m["region"]),
                    },
                    m,
                    "since",
                    "until",
                ),
            )
        )
    posts: dict[str, list[dict[str, Any]]] = {}
    for p in base.records("positions"):
        body = p.get("organization") or p.get("region")
        role = {**iri(p["id"]), "@type": "Role", "roleName": _text(p["title"]), "memberOf": _ref(body)}
        posts.setdefault(p["person"], []).append(_hedged(p, _dated(role, p, "start", "end")))
    for s in base.records("sources"):
        nodes.append(
            _hedged(
                s,
                {
                    **iri(s["id"]),
                    "@type": "CreativeWork",
                    "name": _text(s["title"], s.get("lang")),
                    "datePublished": _date(s.get("date")),
                    "publisher": {"@type": "Organization", "name": s["publisher"]},
                    "url": s.get("url"),
                    "inLanguage": s.get("lang"),
                },
            )
        )
    for o in base.records("organizations"):
        nodes.append(
            _cited(
                o,
                {
                    "@type": "Organization",
                    "name": _text(o["name"]),
                    "alternateName": _others(o),
                    "description": _text(o.get("description")),
                    "foundingDate": _date(o.get("founded")),
                    "location": _ref(o.get("place")),
                    "member": members.get(o["id"]),
                },
            )
        )
    for r in base.records("regions"):
        nuts = {"@type": "PropertyValue", "propertyID": "NUTS", "value": r["nuts"]} if "nuts" in r else None
        nodes.append(
            _cited(
                r,
                {
                    "@type": "AdministrativeArea",
                    "name": _text(r["name"]),
                    "alternateName": _others(r),
                    "identifier": nuts,
                    "addressCountry": r["country"],
                },
            )
        )
    for p in base.records("places"):
        nodes.append(
            _cited(
                p,
                {
                    "@type": "Place",
                    "name": _text(p["name"]),
                    "alternateName": _others(p),
                    "containedInPlace": _ref(p.get("region")),
                    "addressCountry": p["country"],
                },
            )
        )
    for p in base.records("people"):
        nodes.append(
            _cited(
                p,
                {
                    "@type": "Person",
                    "name": p["name"],
                    "alternateName": p.get("aliases"),
                    "memberOf": posts.get(p["id"]),
                },
            )
        )
    for e in base.records("events"):
        event = {
            "@type": "Event",
            "name": _text(e["title"]),
            "location": _ref(e.get("place")),
            "attendee": [iri(x) for x in e.get("participants", [])] or None,
            "superEvent": _ref(e.get("part_of")),
            "eventStatus": _STATUS.get(e["status"]),
        }
        nodes.append(
            _cited(e, _dated(event, e, "date", "end") if "date" in e else _dated(event, e, "start", "end"))
        )
    for a in base.records("agreements"):
        nodes.append(
            _cited(
                a,
                {
                    "@type": "CreativeWork",
                    "name": _text(a["title"]),
                    "dateCreated": _date(a.get("date")),
                    "contributor": [iri(x) for x in a["parties"] + a.get("signatories", [])],
                    "keywords": _text(a.get("topics")),
                    "locationCreated": _ref(a.get("place")),
                },
            )
        )
    for s in base.records("statements"):
        nodes.append(
            _cited(
                s,
                {
                    "@type": "Claim",
                    "text": _text(s["text"]),
                    "about": [iri(x) for x in s["subjects"]],
                    "dateCreated": _date(s.get("date")),
                },
            )
        )
    return {"@context": CONTEXT, "@graph": [_compact(n) for n in nodes]}


def _cited(record: Record, node: dict[str, Any]) -> dict[str, Any]:
    return _hedged(record, {**iri(record["id"]), **node, "citation": [iri(s) for s in record["sources"]]})


def _hedged(record: Record, node: dict[str, Any]) -> dict[str, Any]:
    """The node with what qualifies its record: confidence, inference, note, other values."""
    alternatives = [
        {
            "esra:field": a["field"],
            "esra:value": _date(a["value"]) if a["field"] in _DATE_FIELDS else a["value"],
            "citation": [iri(s) for s in a.get("sources", [])],
            "esra:note": a.get("note"),
        }
        for a in record.get("alternatives", [])
    ]
    return {
        **node,
        "esra:confidence": record.get("confidence", "high"),
        "esra:inferred": record.get("inferred"),
        "esra:note": record.get("note"),
        "esra:alternative": alternatives or None,
    }


_DATE_FIELDS = frozenset(
    ("date", "start", "end", "since", "until", "founded", "confirmed", "after", "before")
)


def _dated(node: dict[str, Any], record: Record, start: str, end: str) -> dict[str, Any]:
    return {**node, "startDate": _date(record.get(start)), "endDate": _date(record.get(end))}


def _date(value: Any) -> dict[str, str] | None:
    """A date typed at its precision: a year, a month or a day."""
    if not isinstance(value, str) or len(value) not in _PRECISION:
        return None if value is None else {"@value": str(value)}
    return {"@value": value, "@type": _PRECISION[len(value)]}


def _text(value: Any, lang: str | None = None) -> Any:
    """A localized field as one value per language; a string in `lang` tagged; else plain."""
    if isinstance(value, dict):
        # `local`, the name in the region's own language, has no tag esra could give it.
        tagged = [{"@value": text, "@language": code} for code, text in value.items() if code != "local"]
        local = value.get("local")
        plain = [local] if local and local not in [t["@value"] for t in tagged] else []
        return [*tagged, *plain] or None
    if value is not None and lang:
        return {"@value": value, "@language": lang}
    return value


def _others(record: Record) -> list[str] | None:
    """Other names than the localized ones: the acronym and the aliases, in no language."""
    return (
        list(
            dict.fromkeys([*([record["acronym"]] if "acronym" in record else []), *record.get("aliases", [])])
        )
        or None
    )


def _ref(rid: str | None) -> dict[str, str] | None:
    return iri(rid) if rid else None


def _compact(node: Any) -> Any:
    """Leave out what is unknown, rather than asserting nulls."""
    if isinstance(node, dict):
        return {k: _compact(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_compact(v) for v in node]
    return node
