"""The fact base as JSON-LD with schema.org terms, for RDF stores and Wikibase imports.

Regions are AdministrativeAreas, alliances and institutions Organizations, people Persons
whose posts are Roles (roleName, startDate, endDate), memberships OrganizationRoles under
the alliance's `member`; events are Events, agreements CreativeWorks, statements Claims,
sources CreativeWorks every node cites. Ids are `urn:esra:<id>`. The context is inline, so
no processor needs the network to read it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from esra_cli.facts import FactBase, Record

CONTEXT = {"@vocab": "https://schema.org/", "@language": "en"}
_STATUS = {"cancelled": "EventCancelled", "planned": "EventScheduled", "announced": "EventScheduled"}


def iri(rid: str) -> dict[str, str]:
    return {"@id": f"urn:esra:{rid}"}


def document(base: FactBase) -> dict[str, Any]:
    """The whole base as one JSON-LD document."""
    nodes: list[dict[str, Any]] = []
    members: dict[str, list[dict[str, Any]]] = {}
    for m in base.records("memberships"):
        members.setdefault(m["organization"], []).append(
            _dated(
                {"@type": "OrganizationRole", "roleName": m["role"], "member": iri(m["region"])},
                m,
                "since",
                "until",
            )
        )
    posts: dict[str, list[dict[str, Any]]] = {}
    for p in base.records("positions"):
        body = p.get("organization") or p.get("region")
        role = {"@type": "Role", "roleName": p["title"]["en"], "memberOf": iri(body) if body else None}
        posts.setdefault(p["person"], []).append(_dated(role, p, "start", "end"))
    for s in base.records("sources"):
        nodes.append(
            {
                **iri(s["id"]),
                "@type": "CreativeWork",
                "name": s["title"],
                "datePublished": s.get("date"),
                "publisher": {"@type": "Organization", "name": s["publisher"]},
                "url": s.get("url"),
                "inLanguage": s.get("lang"),
            }
        )
    for o in base.records("organizations"):
        nodes.append(
            _cited(
                o,
                {
                    "@type": "Organization",
                    "name": o["name"]["en"],
                    "alternateName": _others(o),
                    "description": (o.get("description") or {}).get("en"),
                    "foundingDate": o.get("founded"),
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
                    "name": r["name"]["en"],
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
                    "name": p["name"]["en"],
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
            "name": e["title"]["en"],
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
                    "name": a["title"]["en"],
                    "dateCreated": a.get("date"),
                    "contributor": [iri(x) for x in a["parties"] + a.get("signatories", [])],
                    "keywords": (a.get("topics") or {}).get("en"),
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
                    "text": s["text"]["en"],
                    "about": [iri(x) for x in s["subjects"]],
                    "dateCreated": s.get("date"),
                },
            )
        )
    return {"@context": CONTEXT, "@graph": [_compact(n) for n in nodes]}


def _cited(record: Record, node: dict[str, Any]) -> dict[str, Any]:
    return {**iri(record["id"]), **node, "citation": [iri(s) for s in record["sources"]]}


def _dated(node: dict[str, Any], record: Record, start: str, end: str) -> dict[str, Any]:
    return {**node, "startDate": record.get(start), "endDate": record.get(end)}


def _others(record: Record) -> list[str] | None:
    names = record["name"]
    others = [v for k, v in names.items() if k != "en" and v != names["en"]]
    return (
        list(
            dict.fromkeys(
                [*others, *([record["acronym"]] if "acronym" in record else []), *record.get("aliases", [])]
            )
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
