"""The shape of every command's JSON output, written once: its fields and its JSON Schema.

`esra fields COMMAND` lists a view's fields, `--fields` is checked against them, and
`esra schema COMMAND` prints the JSON Schema; tests validate each command's real output
against it, so the contract in the README cannot drift from the code.
"""

from __future__ import annotations

import json

from esra_cli import __version__
from esra_cli.dates import STATUSES
from esra_cli.errors import UsageError
from esra_cli.kinds import BASIS, KINDS, ROLES
from esra_cli.kinds import CONFIDENCE as CONFIDENCES
from esra_cli.kinds import STATUS as EVENT_STATUS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    Schema = dict[str, Any]

NULL: Schema = {"type": "null"}
# What `type` says in every view and export: the record type, one word a kind.
RECORD_TYPE: Schema = {
    "enum": [kind.singular for kind in KINDS.values()],
    "description": "the record type: the same word in every command and export",
}
STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
STRS: Schema = {"type": "array", "items": STR}
DATE: Schema = {
    "type": "string",
    "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
    "description": "ISO 8601 at its precision",
}
REF: Schema = {
    "type": "object",
    "properties": {"id": STR, "name": STR},
    "required": ["id", "name"],
    "additionalProperties": False,
}
REFS: Schema = {"type": "array", "items": REF}
SOURCES: Schema = {"type": "array", "items": STR, "description": "source ids, main source first"}
CONFIDENCE: Schema = {"enum": list(CONFIDENCES)}
SPAN_STATUS: Schema = {
    "enum": list(STATUSES),
    "description": (
        "on the as-of date: 'presumed current' when last confirmed over six months before it;"
        " 'status unknown' for a post or chair once a successor began or after 18 months without"
        " confirmation; 'not known then' when its start is unknown and no source by then attests it"
    ),
}
ALTERNATIVE: Schema = {
    "type": "object",
    "properties": {"field": STR, "value": {}, "sources": SOURCES, "note": STR},
    "required": ["field", "value", "sources"],
    "additionalProperties": False,
}


def maybe(schema: Schema) -> Schema:
    return {"anyOf": [schema, NULL]}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object with these fields; `sources`, `confidence` and `note` ride along where cited."""
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
        "additionalProperties": False,
    }


def array(item: Schema) -> Schema:
    return {"type": "array", "items": item}


# The event at the other end of a plan's link, with its own status: an outcome may be a
# cancellation as well as the event held.
LINK: Schema = {
    "type": "object",
    "properties": {
        "id": STR,
        "name": STR,
        "date": maybe(DATE),
        "status": maybe({"enum": list(EVENT_STATUS)}),
    },
    "required": ["id", "name", "date", "status"],
    "additionalProperties": False,
}


CITED = {"sources": SOURCES, "confidence": CONFIDENCE, "basis": {"enum": list(BASIS)}}
# Beside `note`: what an inferred value was worked out from, and the values sources conflict on.
NOTE = {"note": STR, "inferred_from": STR, "alternatives": {"type": "array", "items": ALTERNATIVE}}

POSITION = obj(
    {
        "id": STR,
        "person": REF,
        "title": STR,
        "organization": maybe(REF),
        "region": maybe(REF),
        "since": maybe(DATE),
        "until": maybe(DATE),
        "status": SPAN_STATUS,
        "last_confirmed": maybe(DATE),
        **CITED,
    },
    NOTE,
)
MEMBERSHIP = obj(
    {
        "id": STR,
        "region": REF,
        "organization": REF,
        "role": {"enum": list(ROLES)},
        "since": maybe(DATE),
        "until": maybe(DATE),
        "status": SPAN_STATUS,
        "last_confirmed": maybe(DATE),
        **CITED,
    },
    NOTE,
)
HAPPENING = obj(
    {
        "id": STR,
        "type": {"enum": ["event", "agreement", "statement"], "description": "the record type"},
        "kind": maybe(
            {
                "type": "string",
                "description": "a statement's or agreement's own type: figure, aim, declaration-of-intent",
            }
        ),
        "name": STR,
        "date": maybe(DATE),
        "until": maybe(DATE),
        "when": maybe(STR),
        "place": maybe(REF),
        "status": maybe({"enum": [*EVENT_STATUS, "upcoming"]}),
        **CITED,
    },
    {
        "participants": REFS,
        "parties": REFS,
        "signatories": REFS,
        "subjects": REFS,
        "topics": STRS,
        "invited": STR,
        "measure": maybe(STR),
        "value": INT,
        "fulfilled_by": LINK,
        "fulfils": LINK,
        "fulfilment": {
            "type": "object",
            "properties": {"basis": CITED["basis"], "inferred_from": STR, "confidence": CONFIDENCE},
            "required": ["basis"],
            "additionalProperties": False,
        },
        "outcome": {"enum": ["unknown"], "description": "a plan whose day passed with no known outcome"},
        **NOTE,
    },
)
TIMELINE = obj(
    {
        "id": {
            "type": "string",
            "description": "a happening's id, or a post's, membership's or chair's id with #start or #end",
        },
        "type": {
            "enum": ["event", "agreement", "statement", "position", "membership"],
            "description": "the record type",
        },
        "kind": maybe(
            {
                "type": "string",
                "description": (
                    "a statement's or agreement's own type (figure, aim, ...), or position-, "
                    "membership- or chair- followed by start or end"
                ),
            }
        ),
        "name": STR,
        "date": DATE,
        "until": maybe(DATE),
        "status": maybe(
            {
                "enum": [
                    "announced",
                    "planned",
                    "held",
                    "cancelled",
                    *SPAN_STATUS["enum"],
                ]
            }
        ),
        **CITED,
    },
    {
        k: v
        for k, v in HAPPENING["properties"].items()
        if k not in ("id", "type", "name", "date", "until", "status")
    },
)
# The chair a member row shows as its role, with its own dates and confidence (null: a member).
ROLE_FACTS: dict[str, Schema] = {
    "role_id": maybe(STR),
    "role_since": maybe(DATE),
    "role_until": maybe(DATE),
    "role_status": maybe(SPAN_STATUS),
    "role_confidence": maybe(CONFIDENCE),
    "role_basis": maybe({"enum": list(BASIS)}),
}
MEMBER = obj(
    {
        "id": STR,
        "name": STR,
        "country": STR,
        "since": maybe(DATE),
        "role": {"enum": list(ROLES)},
        "status": SPAN_STATUS,
        "last_confirmed": maybe(DATE),
        **ROLE_FACTS,
        "memberships": array(MEMBERSHIP),
        **CITED,
    },
    NOTE,
)
WHO = obj(
    {"id": STR, "type": {"enum": ["person", "organization"]}, "name": STR, "roles": array(POSITION), **CITED},
    {"party": maybe(STR), "acronym": maybe(STR), "kind": STR, **NOTE},
)
PLACE = obj(
    {
        "id": STR,
        "name": STR,
        "names": obj({"it": STR, "en": STR}, {"local": STR}),
        "kind": STR,
        "country": STR,
        "region": maybe(REF),
        "events": array(HAPPENING),
        "agreements": array(HAPPENING),
        "organizations": REFS,
        **CITED,
    },
    NOTE,
)
MATCH = obj(
    {
        "field": {"type": "string", "description": "the field, and its language after _: name_it"},
        "text": {
            "type": "string",
            "description": "the text, cut with ... around the match when long",
        },
        "marks": array({"type": "array", "items": INT, "minItems": 2, "maxItems": 2}),
    }
)
SEARCH = obj(
    {
        "id": STR,
        "type": RECORD_TYPE,
        "name": STR,
        "rank": {"type": "integer", "description": "0 for the same words; more for stems, then prefixes"},
        "matches": array(MATCH),
        "sources": SOURCES,
    }
)
SOURCE = obj(
    {
        "id": STR,
        "name": STR,
        "publisher": STR,
        "date": maybe(DATE),
        "dated": maybe(STR),
        "after": maybe(DATE),
        "before": maybe(DATE),
        "url": maybe(STR),
        "lang": maybe(STR),
        "confidence": CONFIDENCE,
        "inferred_from": maybe(STR),
        "note": maybe(STR),
    }
)
DISPUTE = obj(
    {
        "id": STR,
        "type": STR,
        "name": STR,
        "field": STR,
        "preferred": obj({"value": {}, "sources": SOURCES}),
        "other": obj({"value": {}, "sources": SOURCES}, {"note": STR}),
        "confidence": CONFIDENCE,
    }
)
SHOWN_SOURCE = obj(
    {k: v for k, v in SOURCE["properties"].items() if k not in ("confidence", "inferred_from", "note")}
    | {"quote": maybe(STR), "states": STRS}
)
SHOW = obj(
    {
        "id": STR,
        "type": RECORD_TYPE,
        "name": STR,
        "status": TIMELINE["properties"]["status"],
        "fields": {"type": "object", "description": "the record's fields; references as {id, name}"},
        "cite": {
            "type": "object",
            "description": "field -> the ids of the sources whose quotes state its value",
            "additionalProperties": SOURCES,
        },
        "sources": array(SHOWN_SOURCE),
        "alternatives": array(ALTERNATIVE),
        "referred_by": array(obj({"id": STR, "type": STR, "name": STR})),
    }
)
COUNTS = obj({"known": INT}, {"reported": INT, "reported_on": DATE, "reported_in": SOURCES})
PERSON = obj(
    {
        "id": STR,
        "name": STR,
        "aliases": STRS,
        "party": maybe(STR),
        "positions": array(POSITION),
        "events": array(HAPPENING),
        "agreements": array(HAPPENING),
        "statements": array(HAPPENING),
        **CITED,
    },
    NOTE,
)
ORG = obj(
    {
        "id": STR,
        "name": STR,
        "acronym": maybe(STR),
        "aliases": STRS,
        "kind": STR,
        "sector": maybe(STR),
        "description": maybe(STR),
        "founded": maybe(DATE),
        "place": maybe(REF),
        "members": COUNTS,
        "chairs": array(MEMBERSHIP),
        "people": array(POSITION),
        "events": array(HAPPENING),
        "statements": array(HAPPENING),
        **CITED,
    },
    NOTE,
)
REGION = obj(
    {
        "id": STR,
        "name": STR,
        "names": obj({"it": STR, "en": STR}, {"local": STR}),
        "aliases": STRS,
        "country": STR,
        "nuts": maybe(STR),
        "memberships": array(MEMBERSHIP),
        "people": array(POSITION),
        "places": REFS,
        "events": array(HAPPENING),
        "agreements": array(HAPPENING),
        "statements": array(HAPPENING),
        **CITED,
    },
    NOTE,
)
TREE = obj(
    {
        "id": STR,
        "name": STR,
        "acronym": maybe(STR),
        "chairs": array(MEMBERSHIP),
        "members": COUNTS,
        "countries": array(
            obj(
                {
                    "country": STR,
                    "members": array(
                        obj(
                            {
                                "id": STR,
                                "name": STR,
                                "since": maybe(DATE),
                                "role": MEMBER["properties"]["role"],
                                "status": SPAN_STATUS,
                                "last_confirmed": maybe(DATE),
                                **ROLE_FACTS,
                                "sources": SOURCES,
                                "confidence": CONFIDENCE,
                            }
                        )
                    ),
                }
            )
        ),
        "sources": SOURCES,
    }
)
PROBLEM = obj({"line": maybe(INT), "id": maybe(STR), "rule": STR, "message": STR})

# command -> (what one item of its output looks like, whether it prints a list of them)
VIEWS: dict[str, tuple[Schema, bool]] = {
    "members": (MEMBER, True),
    "person": (PERSON, False),
    "who": (WHO, True),
    "what": (HAPPENING, True),
    "when": (TIMELINE, True),
    "where": (PLACE, True),  # `where PLACE` prints one such object
    "org": (ORG, False),
    "region": (REGION, False),
    "search": (SEARCH, True),
    "sources": (SOURCE, True),
    "disputes": (DISPUTE, True),
    "tree": (TREE, False),
    "place": (PLACE, False),
    "show": (SHOW, False),
    "check": (PROBLEM, True),
}


# The fact base's field names as every view and export (but TOML and JSON, the base's own
# form) says them: `since`/`until`, as memberships already did (`end` is also a jq keyword);
# `last_confirmed`, the date a source last showed it held; and `kind` for a statement's or
# agreement's own type (figure, declaration-of-intent), as organizations and places say it,
# since `type` is the record type everywhere (event, statement, membership).
VOCABULARY = {"start": "since", "end": "until", "confirmed": "last_confirmed", "type": "kind"}


def said(field: str) -> str:
    """A fact-base field's name in the views (VOCABULARY)."""
    return VOCABULARY.get(field, field)


# The commands a user types: `place` is what `where PLACE` prints, not a command.
COMMANDS = tuple(c for c in VIEWS if c != "place")


def fields(command: str) -> list[str]:
    """The top-level fields of one item of a command's JSON output."""
    return list(VIEWS[command][0]["properties"])


def schema(command: str, one: bool = False) -> Schema:
    """The JSON Schema (draft 2020-12) of a command's --json output; `one` for `where PLACE`."""
    item, many = VIEWS[command]
    body = array(item) if many and not one else item
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        # The contract's version: a script may check it before trusting the field names.
        "$id": f"https://esra.invalid/schema/{__version__}/{command}.json",
        "title": f"esra {command} --json",
        **body,
    }


# Lists in CSV and plain cells: joined by this, a related entity by its id.
LIST_SEPARATOR = "; "


def flat(kind: str, data: Any, wanted: str | None) -> tuple[list[str], list[list[str]]]:
    """A view as CSV or plain columns: the header and one row of cells per item.

    The columns are the requested fields in the requested order (all of them by default),
    the same on every row: a field holding an object (a related entity, localized names)
    becomes one column per property of its schema, `region_id` and `region_name`, empty
    where it is null; a list becomes one cell, its items joined by LIST_SEPARATOR.
    """
    properties = VIEWS[kind][0]["properties"]
    names = _names(wanted) if wanted else list(properties)
    columns: list[tuple[str, str, str | None]] = []  # (header, field, property of an object)
    for name in names:
        nested = _object_properties(properties[name])
        columns += [(f"{name}_{p}", name, p) for p in nested] if nested else [(name, name, None)]
    items = data if isinstance(data, list) else [data]
    rows = [[_cell(item.get(name), part) for _, name, part in columns] for item in items]
    return [header for header, _, _ in columns], rows


def _object_properties(schema: Schema) -> list[str]:
    """The properties of a field that holds an object (or null), else none."""
    options = schema.get("anyOf", [schema])
    found = [o for o in options if o.get("type") == "object"]
    return list(found[0]["properties"]) if found else []


def _cell(value: Any, part: str | None) -> str:
    if part is not None:
        value = None if value is None else value.get(part)
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(
            str(v["id"]) if isinstance(v, dict) and "id" in v else _cell(v, None) for v in value
        )
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _names(wanted: str) -> list[str]:
    return [name.strip() for name in wanted.split(",") if name.strip()]


def select(kind: str, data: Any, wanted: str | None) -> Any:
    """Keep only the `wanted` fields (comma-separated) of each item; an unknown one is a usage error."""
    if not wanted:
        return data
    names = _names(wanted)
    known = fields(kind)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UsageError(f"unknown field {unknown[0]!r}; available: {', '.join(known)}")
    if isinstance(data, list):
        return [{name: row.get(name) for name in names} for row in data]
    return {name: data.get(name) for name in names}
