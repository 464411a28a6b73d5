"""What a fact base may hold: every kind of record, its fields, their types and references.

This table is the one place that knows the shape of the data. `check` validates against it,
`add` builds its flags from it, `export` flattens by it and `search` reads text fields by it.
"""

from __future__ import annotations

from esra_cli.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The values of the fact base's enumerated fields, which the JSON Schema reads too (contract.py).
CONFIDENCE = ("high", "medium", "low")
STATUS = ("announced", "planned", "held", "cancelled")
ROLES = ("member", "chair", "co-chair", "vice-chair")
BASIS = ("reported", "inferred")  # a value a source states, or one worked out (its `inferred`)
TEXT_LANGS = ("en", "it", "local")  # the languages of a text: English, Italian, the region's own


# Plain classes, not dataclasses: importing `dataclasses` costs more than a whole query
# answered from the cache (it imports inspect, ast and dis).
class Field:
    """One field of a record.

    type is one of: id, str, text (a table of it/en/local strings), texts (a table of it/en
    string lists), strs (list of strings), date (ISO at any precision), int, ref (one id),
    refs (list of ids), choice (one of `choices`), quotes (a table: source id -> verbatim
    quote), alternatives (an array of tables: another sourced value of one field), country
    (an ISO 3166-1 alpha-2 code), nuts (a NUTS code of the record's country), cite (a table:
    field name -> the ids of the record's sources that state that field's value).
    """

    __slots__ = ("choices", "help", "name", "refs", "required", "type")

    def __init__(
        self,
        name: str,
        type: str,
        required: bool = False,
        refs: tuple[str, ...] = (),
        choices: tuple[str, ...] = (),
        help: str = "",
    ) -> None:
        self.name, self.type, self.required = name, type, required
        self.refs, self.choices, self.help = refs, choices, help


class Kind:
    """A kind of record: the TOML array it lives in and the fields it may have."""

    __slots__ = ("by_name", "fields", "label", "references", "required", "singular", "table")

    def __init__(self, table: str, singular: str, fields: tuple[Field, ...], label: str) -> None:
        self.table, self.singular, self.fields = table, singular, fields
        self.label = label  # the field that names a record of this kind in listings
        self.by_name = {f.name: f for f in fields}
        self.required = tuple(f for f in fields if f.required)
        self.references = tuple(f for f in fields if f.refs)

    def field(self, name: str) -> Field | None:
        """The field called `name`, or None."""
        return self.by_name.get(name)


ENTITIES = ("regions", "places", "organizations", "people")
PARTICIPANTS = ("regions", "organizations", "people")

_ID = Field("id", "id", required=True, help="stable lowercase ASCII slug")
# Every record but a source cites its sources and may carry these.
_CITED = (
    Field("sources", "refs", required=True, refs=("sources",), help="source ids, main first"),
    Field("quotes", "quotes", help="source id = verbatim quote, one for each source"),
    Field("cite", "cite", help="field = the sources (of `sources`) whose quotes state its value"),
    Field("confidence", "choice", choices=CONFIDENCE, help="high (default), medium or low"),
    Field("inferred", "str", help="what the value was worked out from, if no source states it"),
    Field("note", "str", help="what a reader should know about this fact"),
    Field("alternatives", "alternatives", help="other sourced values where sources conflict"),
)
# An entity's names (a person's is one string, not a text in three languages).
_NAME = Field("name", "text", required=True, help="its name")
_ALIASES = Field("aliases", "strs", help="other names it goes by, as sources write them")
# A post, membership or chair that may still hold names the latest source showing it does.
_CONFIRMED = (
    Field("confirmed", "date", help="the latest date a source shows it still held"),
    Field("confirmed_by", "refs", refs=("sources",), help="the sources that show it then"),
)
# One conflicting value: [[<table>.alternatives]] with these keys.
ALTERNATIVE_KEYS = ("field", "value", "sources", "quotes", "note")
# What a record says about its sources rather than about the world: never itself cited.
UNCITABLE = (
    "id",
    "sources",
    "quotes",
    "cite",
    "confidence",
    "inferred",
    "note",
    "alternatives",
    "confirmed_by",
)


# A value that must cite sources of its own (cite.FIELD): a date or a count, the values a
# reader repeats and a source most often gets wrong; `confirmed` has `confirmed_by`.
def must_cite(field: Field) -> bool:
    """Whether a value of this field must name the sources that state it."""
    return field.type in ("date", "int") and field.name != "confirmed"


def stating(record: dict[str, Any], field: str) -> list[str]:
    """The sources that state a field's value: its own citations (cite.FIELD), else the
    record's sources (a value `check` does not require to cite)."""
    return list(record.get("cite", {}).get(field) or record["sources"])


def _kind(table: str, singular: str, label: str, *fields: Field, cited: bool = True) -> Kind:
    return Kind(table, singular, (_ID, *fields, *(_CITED if cited else ())), label)


KINDS: dict[str, Kind] = {
    kind.table: kind
    for kind in (
        _kind(
            "sources",
            "source",
            "title",
            Field("publisher", "str", required=True, help="who published the page"),
            Field("title", "str", required=True, help="its title"),
            Field("date", "date", help="the date the page shows, at its precision"),
            Field("dated", "str", help="where the date comes from, or that the page shows none"),
            Field("after", "date", help="for an undated page: written on or after this day"),
            Field("before", "date", help="for an undated page: written before this day"),
            Field("url", "str", help="where the page is"),
            Field("lang", "str", help="the page's language (ISO 639-1)"),
            Field("confidence", "choice", choices=CONFIDENCE, help="high (default), medium or low"),
            Field("inferred", "str", help="how the date was worked out, if the page shows none"),
            Field("note", "str", help="what a reader should know about this fact"),
            cited=False,
        ),
        _kind(
            "organizations",
            "organization",
            "name",
            _NAME,
            Field("acronym", "str", help="short name, e.g. ESRA"),
            _ALIASES,
            Field(
                "kind",
                "choice",
                required=True,
                choices=("alliance", "network", "institution"),
                help="what kind of it this is",
            ),
            Field("sector", "text", help="the industry it is about"),
            Field("description", "text", help="what it is, in a sentence"),
            Field("founded", "date", help="when it was founded"),
            Field("place", "ref", refs=("places",), help="where it is based"),
        ),
        _kind(
            "regions",
            "region",
            "name",
            _NAME,
            _ALIASES,
            Field("country", "country", required=True, help="ISO 3166-1 alpha-2 code, e.g. IT"),
            Field("nuts", "nuts", help="NUTS code, e.g. ITC4"),
        ),
        _kind(
            "places",
            "place",
            "name",
            _NAME,
            _ALIASES,
            Field("kind", "choice", required=True, choices=("city", "venue"), help="what kind of it this is"),
            Field("country", "country", required=True, help="ISO 3166-1 alpha-2 code, e.g. IT"),
            Field("region", "ref", refs=("regions",), help="the region"),
        ),
        _kind(
            "people",
            "person",
            "name",
            Field("name", "str", required=True, help="full name"),
            _ALIASES,
            Field("party", "str", help="political party"),
        ),
        _kind(
            "positions",
            "position",
            "title",
            Field("person", "ref", required=True, refs=("people",), help="the person"),
            Field("title", "text", required=True, help="its title"),
            Field("organization", "ref", refs=("organizations",), help="the organization"),
            Field("region", "ref", refs=("regions",), help="the region"),
            Field("start", "date", help="when the post began"),
            Field("end", "date", help="when the post ended or its term ends"),
            *_CONFIRMED,
        ),
        _kind(
            "memberships",
            "membership",
            "id",
            Field("region", "ref", required=True, refs=("regions",), help="the region"),
            Field("organization", "ref", required=True, refs=("organizations",), help="the organization"),
            Field(
                "role", "choice", required=True, choices=ROLES, help="member, chair, co-chair or vice-chair"
            ),
            Field("since", "date", help="when it joined or the term began; absent if unknown"),
            Field("until", "date", help="when it ended or its term ends; absent while open"),
            *_CONFIRMED,
        ),
        _kind(
            "events",
            "event",
            "title",
            Field("title", "text", required=True, help="its title"),
            Field("date", "date", help="when, at the precision its sources give"),
            Field("start", "date", help="when the post began"),
            Field("end", "date", help="when the post ended or its term ends"),
            Field("when", "text", help="the date in words, where the source gives no date"),
            Field("place", "ref", refs=("places",), help="where it took place"),
            Field("part_of", "ref", refs=("events",), help="the event it was part of"),
            Field("participants", "refs", refs=PARTICIPANTS),
            Field("invited", "text", help="who was invited"),
            Field(
                "status",
                "choice",
                required=True,
                choices=STATUS,
                help="announced, planned, held or cancelled",
            ),
            Field("fulfilled_by", "ref", refs=("events",), help="for a plan: the event that fulfilled it"),
            Field("fulfils", "ref", refs=("events",), help="for an outcome: the plan it fulfilled"),
            Field(
                "fulfilment_inferred", "str", help="why the plan and outcome are linked, if no source says"
            ),
        ),
        _kind(
            "agreements",
            "agreement",
            "title",
            Field("title", "text", required=True, help="its title"),
            Field(
                "type",
                "choice",
                required=True,
                choices=("declaration-of-intent", "collaboration"),
                help="what kind of it this is",
            ),
            Field("parties", "refs", required=True, refs=("regions", "organizations")),
            Field("signatories", "refs", refs=("people",)),
            Field("topics", "texts", help="what it covers"),
            Field("date", "date", help="when, at the precision its sources give"),
            Field("when", "text", help="when, in words, where no date is known"),
            Field("place", "ref", refs=("places",), help="where it took place"),
        ),
        _kind(
            "statements",
            "statement",
            "text",
            Field(
                "type",
                "choice",
                required=True,
                choices=("aim", "activity", "fact", "figure"),
                help="what kind of it this is",
            ),
            Field("subjects", "refs", required=True, refs=(*PARTICIPANTS, "events")),
            Field("places", "refs", refs=("places",)),
            Field("text", "text", required=True, help="the statement, in a sentence"),
            Field("measure", "str", help="what a figure counts, e.g. member-count"),
            Field("value", "int", help="the number a figure gives"),
            Field("date", "date", help="when, at the precision its sources give"),
            Field("when", "text", help="when, in words, where no date is known"),
        ),
    )
}

BY_SINGULAR = {kind.singular: kind for kind in KINDS.values()}
META_FIELDS = {"announcement": "ref", "updated": "date"}


def table_of(name: str | None) -> str | None:
    """The table for a kind named in the singular or plural ('person', 'people'), or None."""
    if name is None:
        return None
    if name in KINDS:
        return name
    if name in BY_SINGULAR:
        return BY_SINGULAR[name].table

    raise UsageError(f"unknown kind {name!r}; kinds: {', '.join(BY_SINGULAR)}")
