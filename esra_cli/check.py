"""Consistency rules for a parsed fact base. Returns problems; never prints, never raises.

Every query validates the base once per edit (see cache.py), so these rules run over every
record of bases with hundreds of thousands of them: each pass touches only the fields a
record has, and line numbers are looked up only when there is a problem to report.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

from esra_cli import dates
from esra_cli.errors import InvalidFacts, UsageError
from esra_cli.facts import diagnose, read_bytes
from esra_cli.i18n import article
from esra_cli.kinds import (
    ALTERNATIVE_KEYS,
    ENTITIES,
    KINDS,
    META_FIELDS,
    TEXT_LANGS,
    UNCITABLE,
    Field,
    Kind,
    must_cite,
    stating,
)
from esra_cli.names import entity_names, fold, table_name_keys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path
    from typing import Any

MAX_QUOTE_WORDS = 25
_SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_PERIODS = (("start", "end"), ("since", "until"), ("date", "end"))


class Problem:
    """One thing wrong with the base, located by line and record id where they are known.

    `rule` names what it breaks (RULES lists them), so a curator can look it up and a
    script can filter on it.
    """

    __slots__ = ("id", "line", "message", "rule", "where")

    def __init__(self, message: str, rid: str = "", line: int | None = None, rule: str = "syntax") -> None:
        self.message, self.id, self.line, self.rule = message, rid, line, rule
        self.where: tuple[str, int] | None = None  # (table, index) until a line is known

    def format(self, filename: str) -> str:
        """`facts.toml:LINE: id: message [rule]`, leaving out what is unknown."""
        where = f"{filename}:{self.line}" if self.line else filename
        body = f"{self.id}: {self.message}" if self.id else self.message
        return f"{where}: {body} [{self.rule}]"

    def as_dict(self) -> dict[str, Any]:
        """The problem as JSON data."""
        return {"line": self.line, "id": self.id or None, "rule": self.rule, "message": self.message}


# Every rule `check` applies, by name; the README lists them and a test holds the two together.
RULES = {
    "syntax": "the file is not valid TOML",
    "structure": "a table is missing, unknown or not an array of tables",
    "field": "an unknown or missing field, or a value of the wrong type",
    "period": "an end before its start, or both a date and a start",
    "duplicate-id": "two records with one id",
    "reference": "a reference to an id that does not exist or is of the wrong kind",
    "unknown-source": "a citation of a source not in the register",
    "missing-quote": "a cited source without a verbatim quote, or a quote of a source not cited",
    "citation": "cite names a field the record lacks or a source it does not cite",
    "uncited-value": "a date, a count or a disputed value without sources of its own (cite.FIELD)",
    "both-sides": "a source cited for a value and for a conflicting value of the same field",
    "unnamed-link": "a quote that names none of the records its value links (a membership's region)",
    "inferred-high": "an inferred value at high confidence",
    "conflict-sources": "a conflicting value without sources of its own",
    "unconfirmed-open": "an open post, membership or chair without a last-confirmed date and source",
    "open-term": "an open post or chair whose quotes give its term ('per il 2025'): it ends with it",
    "chair-overlap": "two chairs of one alliance on the same day",
    "chair-gap": "a day without a chair between two chairs of an alliance",
    "held-unsourced": "an event held or an agreement made whose date no source dated on or after it states",
    "plan-link": "a plan and its outcome that do not name each other",
    "plan-outcome": "a plan whose outcome is itself only planned or announced",
    "self-reference": "an event that is its own plan, outcome or part",
    "part-of-cycle": "events that are each part of the other",
    "alias": "an alias that also names another entity of its kind",
    "same-name": "a name that is another entity's name or id in its kind: no table tells them apart",
    "mixed-script": "a word of a name mixing alphabets (a Cyrillic 'о' in 'Lombardy'): a lookalike",
    "quote-not-found": "a quote that is not in the source text given to --against",
}


def is_slug(value: object) -> bool:
    """Lowercase ASCII words joined by single hyphens: 'guido-guidesi'."""
    return (
        type(value) is str
        and _SLUG_CHARS.issuperset(value)
        and value[:1] != "-"
        and value[-1:] not in ("-", "")
        and "--" not in value
    )


def header_lines(text: str) -> dict[str, list[int]]:
    """Line numbers of each top-level `[[table]]` header, in order, so record i of a table has a line.

    Read as TOML reads it: `[[ people ]]  # a comment` and `[["people"]]` are headers of
    `people`; a line inside a multi-line string or a multi-line array is not a header.
    Called for a base that parsed, and only when there is a problem to place.
    """
    special = re.compile(r"""\"\"\"|'''|["'#\[\]{}\n]""")
    lines: dict[str, list[int]] = {}
    line, depth, at, start_of_line = 1, 0, 0, True
    while True:
        if start_of_line and depth == 0:
            at = _skip_blanks(text, at)
            if text.startswith("[[", at):
                name, at = _array_header(text, at + 2)
                if name is not None:
                    lines.setdefault(name, []).append(line)
        start_of_line = False
        match = special.search(text, at)
        if match is None:
            return lines
        token, at = match.group(), match.end()
        if token == "\n":
            line, start_of_line = line + 1, True
        elif token in ("[", "{"):
            depth += 1
        elif token in ("]", "}"):
            depth -= 1
        elif token == "#":
            at = _line_end(text, at)
        else:  # a string: skip to its end, counting the lines a multi-line one spans
            end = _string_end(text, at, token)
            line += text.count("\n", at, end)
            at = end


def _skip_blanks(text: str, at: int) -> int:
    while text[at : at + 1] in (" ", "\t"):
        at += 1
    return at


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def _string_end(text: str, at: int, opening: str) -> int:
    """The index just past the string whose opening quote(s) end at `at`."""
    quote = opening[0]
    while True:
        end = text.find(opening, at)
        if end < 0:
            return len(text)
        if quote == '"':  # a basic string ends at a quote no backslash escapes
            backslashes = end - at - len(text[at:end].rstrip("\\"))
            if backslashes % 2:
                at = end + 1
                continue
        end += len(opening)
        if len(opening) == 3:  # up to two more quotes end the content itself: '''a''''' is "a''"
            end += len(text[end : end + 2]) - len(text[end : end + 2].lstrip(quote))
        return end


def _array_header(text: str, at: int) -> tuple[str | None, int]:
    """The top-level table an array-of-tables header opens (None for a dotted key), and its end."""
    import tomllib

    close = at
    while close < len(text) and not text.startswith("]]", close):
        quote = text[close]
        close = _string_end(text, close + 1, quote) if quote in ('"', "'") else close + 1
    try:  # the key as TOML reads it: quotes, escapes and spaces resolved
        parsed = tomllib.loads(f"[[{text[at:close]}]]")
    except tomllib.TOMLDecodeError:
        return None, close
    ((name, value),) = parsed.items()
    return (name if value == [{}] else None), close + 2


def problems(
    raw: dict[str, Any], text: str = "", keys: Callable[[str], dict[str, list[str]]] | None = None
) -> list[Problem]:
    """Every problem in a parsed base; `text` is the TOML source, used for line numbers.

    `keys` gives the name index of a table once the structure is sound (a FactBase's, so
    the work is shared); by default it is computed here.
    """
    found: list[Problem] = []
    ids: dict[str, str] = {}  # id -> table
    records: list[tuple[Kind, int, dict[str, Any]]] = []
    for key in raw:
        if key != "meta" and key not in KINDS:
            found.append(
                Problem(f"unknown table [{key}] (known: meta, {', '.join(KINDS)})", rule="structure")
            )
    for table, kind in KINDS.items():
        found += _table_problems(kind, raw.get(table, []), ids, records)
    found += _meta_problems(raw.get("meta"), ids)
    for kind, index, record in records:
        for rule, message in _reference_problems(kind, record, ids):
            found.append(_at(Problem(message, record["id"], rule=rule), kind, index))
    if not found:  # the rules about what records say need records that are sound
        found += _knowledge_problems(records)
        found += _chair_problems(records)
    if not found:
        found += _alias_collisions(records, keys or _name_keys(raw))
        found += _lookalikes(records)
    if found and text:
        locate(found, text)
    return found


def _at(problem: Problem, kind: Kind, index: int) -> Problem:
    problem.where = (kind.table, index)
    return problem


def locate(found: list[Problem], text: str) -> None:
    """Give each problem found in a record the line of its record's header in `text`."""
    headers = header_lines(text)
    for problem in found:
        if problem.where is not None:
            table, index = problem.where
            lines = headers.get(table, [])
            problem.line = lines[index] if index < len(lines) else None


def _table_problems(
    kind: Kind, records: Any, ids: dict[str, str], good: list[tuple[Kind, int, dict[str, Any]]]
) -> Iterator[Problem]:
    if not isinstance(records, list):
        yield Problem(f"{kind.table} must be an array of tables ([[{kind.table}]])", rule="structure")
        return
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            yield _at(Problem(f"{kind.table}[{index}] is not a table", rule="structure"), kind, index)
            continue
        rid = record.get("id")
        label = rid if isinstance(rid, str) else f"{kind.table}[{index}]"
        for rule, message in _field_problems(kind, record):
            yield _at(Problem(message, label, rule=rule), kind, index)
        if isinstance(rid, str):
            if rid in ids:
                yield _at(
                    Problem(f"duplicate id (also in {ids[rid]})", rid, rule="duplicate-id"), kind, index
                )
            else:
                ids[rid] = kind.table
            good.append((kind, index, record))


def _meta_problems(meta: Any, ids: dict[str, str]) -> Iterator[Problem]:
    if not isinstance(meta, dict):
        yield Problem("missing [meta] table with announcement and updated", rule="structure")
        return
    for name, ftype in META_FIELDS.items():
        value = meta.get(name)
        if not isinstance(value, str):
            yield Problem(f"[meta] needs {name} as a string", rule="field")
        elif ftype == "ref" and ids.get(value) != "sources":
            yield Problem(f"[meta] {name}: unknown source {value!r}", rule="unknown-source")
        elif ftype == "date" and not dates.is_valid(value):
            yield Problem(f"[meta] {name}: not an ISO date: {value!r}", rule="field")
    for name in meta:
        if name not in META_FIELDS:
            yield Problem(f"[meta] has unknown key {name!r}", rule="field")


def _field_problems(kind: Kind, record: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    fields = kind.by_name
    for name, value in record.items():
        field = fields.get(name)
        if field is None:
            known = ", ".join(f.name for f in kind.fields)
            found.append(("field", f"unknown field {name!r} for {kind.singular} (known: {known})"))
        elif field.type == "alternatives":
            found += _alternatives_problems(kind, value)
        elif (problem := _type_problem(field, value)) is not None:
            found.append(("field", f"{name}: {problem}"))
    for field in kind.required:
        if field.name not in record:
            found.append(("field", f"missing required field {field.name!r}"))
    for start, end in _periods(kind):
        first, last = record.get(start), record.get(end)
        if not (isinstance(first, str) and isinstance(last, str)):
            continue
        if dates.is_valid(first) and dates.is_valid(last) and dates.last_day(last) < dates.first_day(first):
            found.append(("period", f"{end} {last} is before {start} {first}"))
    if "date" in record and "start" in record:
        found.append(("period", "give either date or start/end, not both"))
    nuts, country = record.get("nuts"), record.get("country")
    if type(nuts) is str and type(country) is str and not nuts.startswith(NUTS_COUNTRY.get(country, country)):
        found.append(("field", f"nuts: {nuts} is not a code of {country}"))
    return found


def _alternatives_problems(kind: Kind, value: Any) -> list[tuple[str, str]]:
    """Each [[<table>.alternatives]]: another value of one of the record's fields, with sources."""
    if type(value) is not list or not all(isinstance(a, dict) for a in value):
        return [("field", "alternatives: must be an array of tables ([[<table>.alternatives]])")]
    found = []
    for number, alternative in enumerate(value, 1):
        where = f"alternatives[{number}]"
        unknown = [k for k in alternative if k not in ALTERNATIVE_KEYS]
        if unknown:
            found.append(
                ("field", f"{where}: unknown key {unknown[0]!r} (known: {', '.join(ALTERNATIVE_KEYS)})")
            )
        field = kind.field(alternative.get("field", "")) if type(alternative.get("field")) is str else None
        if field is None or field.type in ("id", "alternatives", "quotes") or field.name == "sources":
            found.append(("field", f"{where}: field must name a field of {article(kind.singular)}"))
        elif "value" not in alternative:
            found.append(("field", f"{where}: missing value"))
        elif (problem := _type_problem(field, alternative["value"])) is not None:
            found.append(("field", f"{where}: value: {problem}"))
        sources = alternative.get("sources")
        if not _strings(sources) or not sources:
            found.append(("conflict-sources", f"{where}: a conflicting value needs its own sources"))
        if "quotes" in alternative and (problem := _quotes_problem(alternative["quotes"])) is not None:
            found.append(("field", f"{where}: quotes: {problem}"))
        note = kind.field("note")
        if "note" in alternative and note and (problem := _type_problem(note, alternative["note"])):
            found.append(("field", f"{where}: note: {problem}"))
    return found


def _quotes_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return 'must be a table such as { source-id = "verbatim quote" }'
    for source, quote in value.items():
        if type(quote) is not str or not quote.strip():
            return f"{source}: must be a non-empty string"
        if len(quote.split()) > MAX_QUOTE_WORDS:
            return f"{source}: longer than {MAX_QUOTE_WORDS} words"
    return None


def _periods(kind: Kind) -> tuple[tuple[str, str], ...]:
    """The start/end pairs a kind has: most kinds have none, and this runs per record."""
    if kind.table not in _KIND_PERIODS:
        _KIND_PERIODS[kind.table] = tuple(p for p in _PERIODS if all(kind.field(f) for f in p))
    return _KIND_PERIODS[kind.table]


_KIND_PERIODS: dict[str, tuple[tuple[str, str], ...]] = {}


def _strings(value: Any) -> bool:
    return type(value) is list and set(map(type, value)) <= {str}


# The common cases first and in as few steps as possible: this runs for every field.
def _type_problem(field: Field, value: Any) -> str | None:
    kind = field.type
    if kind in {"str", "ref"}:
        if type(value) is not str or not value or value.isspace():
            return "must be a non-empty string"
    elif kind == "quotes":
        return _quotes_problem(value)
    elif kind == "cite":
        if not isinstance(value, dict) or not all(_strings(v) and v for v in value.values()):
            return 'must be a table such as { since = ["source-id"] }'
    elif kind in {"refs", "strs"}:
        if not _strings(value):
            return "must be a list of ids" if kind == "refs" else "must be a list of strings"
        if not value and field.required:
            return "must not be empty"
    elif kind == "id":
        if not is_slug(value):
            return f"not a lowercase ASCII slug: {value!r}"
    elif kind == "choice":
        if type(value) is not str or value not in field.choices:
            return f"{value!r} is not one of {', '.join(field.choices)}"
    elif kind == "date":
        if type(value) is not str or not dates.is_valid(value):
            return f"not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}"
    elif kind == "int":
        if type(value) is not int:
            return "must be an integer"
    elif kind in {"text", "texts"}:
        return _localized_problem(field, value)
    elif kind == "country":
        if type(value) is not str or not _is_country(value):
            return f"not an ISO 3166-1 alpha-2 country code: {value!r}"
    elif kind == "nuts" and (type(value) is not str or not _NUTS.fullmatch(value)):
        return f"not a NUTS code (two capitals, then up to three capitals or digits): {value!r}"
    return None


def _is_country(code: str) -> bool:
    """Whether `code` is an ISO 3166-1 alpha-2 code, as the iso3166 package keeps the list."""
    from iso3166 import countries_by_alpha2

    return code in countries_by_alpha2


# NUTS: the country's two letters (Greece EL, the United Kingdom UK), then one to three
# capitals or digits, one per level.
_NUTS = re.compile(r"[A-Z]{2}[0-9A-Z]{0,3}")
NUTS_COUNTRY = {"GR": "EL", "GB": "UK"}


def _localized_problem(field: Field, value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be a table such as { it = ..., en = ... }"
    for lang in ("it", "en"):
        if lang not in value:
            return f"missing the {lang!r} text"
    for lang, text in value.items():
        if lang not in TEXT_LANGS:
            return f"unknown language {lang!r} (it, en, local)"
        if field.type == "text" and type(text) is not str:
            return f"{lang}: must be a string"
        if field.type == "texts" and not _strings(text):
            return f"{lang}: must be a list of strings"
    return None


def _cited_parts(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The parts of a record that cite sources with quotes: the record itself, then each of
    its conflicting values, with the prefix a message about that part starts with."""
    alternatives = record.get("alternatives")
    parts = [("", record)]
    if isinstance(alternatives, list):
        parts += [(f"alternatives[{n}]: ", a) for n, a in enumerate(alternatives, 1) if isinstance(a, dict)]
    return parts


def _reference_problems(kind: Kind, record: dict[str, Any], ids: dict[str, str]) -> Iterator[tuple[str, str]]:
    alternatives = [(f"{where}sources", part.get("sources")) for where, part in _cited_parts(record)[1:]]
    for name, value, refs in [
        *((f.name, record.get(f.name), f.refs) for f in kind.references),
        *((name, value, ("sources",)) for name, value in alternatives),
    ]:
        targets = [value] if isinstance(value, str) else value
        if not isinstance(targets, list):
            continue  # a wrong type, reported by _field_problems
        for target in targets:
            if not isinstance(target, str):
                continue
            table = ids.get(target)
            if table is None and refs == ("sources",):
                yield "unknown-source", f"{name}: {target!r} is not in the source register"
            elif table is None:
                yield "reference", f"{name}: unknown id {target!r}"
            elif table not in refs:
                wanted = " or ".join(KINDS[t].singular for t in refs)
                yield (
                    "reference",
                    f"{name}: {target!r} is {article(KINDS[table].singular)}, not {article(wanted)}",
                )


_OPEN_ENDS = {"positions": "end", "memberships": "until"}


def _knowledge_problems(records: list[tuple[Kind, int, dict[str, Any]]]) -> list[Problem]:
    """What each record says about its own sources: quotes, inference, freshness, plans."""
    sources = {r["id"]: r for kind, _, r in records if kind.table == "sources"}
    events = {r["id"]: r for kind, _, r in records if kind.table == "events"}
    names = {r["id"]: _naming(kind, r) for kind, _, r in records if kind.table in ENTITIES}
    found = []
    for kind, index, record in records:
        if kind.table == "sources":
            continue
        for rule, message in _record_knowledge(kind, record, sources, events):
            found.append(_at(Problem(message, record["id"], rule=rule), kind, index))
        for rule, message in _citation_problems(kind, record, names):
            found.append(_at(Problem(message, record["id"], rule=rule), kind, index))
    return found


def _naming(kind: Kind, record: dict[str, Any]) -> list[str]:
    """The folded words that name an entity in a quote: its names, aliases, acronym and, for a
    person, the surname alone (quotes say "Guidesi")."""
    names = [*entity_names(record), record["id"]]  # an id is a slug of a name: "galles", "lombardia"
    if kind.table == "people":
        names += [record["name"].split()[-1], record["id"].split("-")[-1]]
    # A word's start, not the whole word: names inflect ("Pirkanmaan liitolle", Finnish).
    return [f" {folded}" for folded in map(fold, names) if folded]


def _citation_problems(
    kind: Kind, record: dict[str, Any], names: dict[str, list[str]]
) -> Iterator[tuple[str, str]]:
    """Each value's own sources: there, among the record's, not on both sides of a conflict,
    and naming what the value links."""
    cite: dict[str, list[str]] = record.get("cite", {})
    quotes: dict[str, str] = record.get("quotes", {})
    for name, cited in cite.items():
        field = kind.field(name)
        if field is None or name in UNCITABLE or name not in record:
            yield "citation", f"cite.{name}: {article(kind.singular)} here has no {name!r} to cite"
        elsewhere = [s for s in cited if s not in record["sources"]]
        if elsewhere:
            yield "citation", f"cite.{name}: {', '.join(elsewhere)} must also be in sources, with a quote"
    disputed = {a["field"] for a in record.get("alternatives", ())}
    for field in kind.fields:
        if field.name in record and (must_cite(field) or field.name in disputed) and not cite.get(field.name):
            yield (
                "uncited-value",
                f"{field.name} = {record[field.name]!r} cites no source: add cite.{field.name}",
            )
    for alternative in record.get("alternatives", ()):
        both = set(alternative["sources"]) & set(cite.get(alternative["field"], ()))
        if both:
            message = f"{', '.join(sorted(both))} cited for both {alternative['field']} values"
            yield "both-sides", message + ": cite each source for the value it states"
    # The value a membership or post stands for is who holds it: some quote must name them.
    holder = {"memberships": "region", "positions": "person"}.get(kind.table)
    linked = [(holder, [s for s in record["sources"] if s in quotes])] if holder else []
    linked += [(f.name, cite[f.name]) for f in kind.references if f.name in cite and f.name != "sources"]
    for name, cited in linked:
        value = record[name]
        targets = [value] if isinstance(value, str) else value
        wanted = [n for t in targets for n in names.get(t, ())]
        said = [f" {fold(quotes[s])} " for s in cited if s in quotes]
        if wanted and said and not any(n in q for q in said for n in wanted):
            yield "unnamed-link", f"no quote names its {name} ({', '.join(targets)}): quote one that does"


def _record_knowledge(
    kind: Kind, record: dict[str, Any], sources: dict[str, Any], events: dict[str, Any]
) -> Iterator[tuple[str, str]]:
    for where, part in _cited_parts(record):
        cited, quotes = part["sources"], part.get("quotes", {})
        missing = [s for s in cited if s not in quotes]
        if missing:
            yield "missing-quote", f"{where}no quote from {', '.join(missing)}"
        stray = [s for s in quotes if s not in cited]
        if stray:
            yield "missing-quote", f"{where}a quote from {', '.join(stray)}, which is not cited"
    if "inferred" in record and record.get("confidence", "high") == "high":
        yield "inferred-high", "an inferred value cannot be high confidence: set confidence to medium or low"
    end = _OPEN_ENDS.get(kind.table)
    if end is not None:
        if end not in record and not ("confirmed" in record and record.get("confirmed_by")):
            yield (
                "unconfirmed-open",
                "an open post needs confirmed and confirmed_by: the latest source showing it held",
            )
        term = _term(record) if end not in record and record.get("role") != "member" else None
        if term:
            yield "open-term", f"its quotes give a term ({term!r}): set {end} to the term's end"
        uncited = [s for s in record.get("confirmed_by", ()) if s not in record["sources"]]
        if uncited:
            yield "unknown-source", f"confirmed_by: {', '.join(uncited)} must also be in sources"
    if kind.table == "events":
        yield from _event_knowledge(record, sources, events)
    elif kind.table == "agreements":
        yield from _done_unsourced(record, sources, "made")


# How sources state a term of office, in the languages of the register: "presidente per il
# 2025", "per tutto il 2025", "la presidenza nel 2025", "pour 2025", "en 2026", "for 2025",
# "vuodelle 2026" (Finnish), "durante todo el año".
_TERM = re.compile(
    r"\b(?:per (?:tutto )?il|presidente|presidenza nel|pour|présidence en|for|vuodelle) \d{4}\b"
    r"|\bdurante todo el año\b|\bjusqu'à la fin de \d{4}\b",
    re.IGNORECASE,
)


def _term(record: dict[str, Any]) -> str | None:
    """The words in which one of a record's quotes gives its term, if one does."""
    for quote in record.get("quotes", {}).values():
        found = _TERM.search(quote)
        if found:
            return found.group(0)
    return None


def _chair_problems(records: list[tuple[Kind, int, dict[str, Any]]]) -> list[Problem]:
    """One chair per alliance on every day from its first chair to its last known term.

    Coarse dates are periods: a chair ending "2023-11" and the next starting "2023-11" may
    meet in that month, so only a sure overlap or a sure gap is a problem. A day-precise end
    is the handover day, which belongs to the successor.
    """
    chairs: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for kind, index, record in records:
        if kind.table == "memberships" and record["role"] == "chair":
            chairs.setdefault(record["organization"], []).append((index, record))
    kind = KINDS["memberships"]
    found = []
    for terms in chairs.values():
        dated = [(i, r) for i, r in terms if r.get("since") or r.get("until")]
        dated.sort(key=lambda item: _began(item[1]))
        for (_, earlier), (index, later) in itertools.pairwise(dated):
            start = later.get("since")
            if start is None:
                continue
            end = earlier.get("until")
            # A period may be over from its end's first day: "2024-11-08", or "2024" on 1 January.
            if end is None or dates.first_day(end) > dates.last_day(start):
                message = f"overlaps {earlier['id']} ({end or 'no end'}): one chair a day"
                found.append(_at(Problem(message, later["id"], rule="chair-overlap"), kind, index))
            elif dates.over_from(end) < dates.first_day(start):
                message = f"leaves days without a chair after {earlier['id']} (until {end}), from {start}"
                found.append(_at(Problem(message, later["id"], rule="chair-gap"), kind, index))
    return found


def _began(record: dict[str, Any]) -> dt.date:
    """When a chair began, for ordering: its start, or before its end when that is all we have."""
    if record.get("since"):
        return dates.first_day(record["since"])
    return dates.first_day(record["until"]) - dt.timedelta(1)


def _event_knowledge(
    record: dict[str, Any], sources: dict[str, Any], events: dict[str, Any]
) -> Iterator[tuple[str, str]]:
    if record["status"] == "held":
        yield from _done_unsourced(record, sources, "held")
    rid = record["id"]
    for field in ("fulfilled_by", "fulfils", "part_of"):
        if record.get(field) == rid:
            yield "self-reference", f"{field} names the event itself"
    for field, back in (("fulfilled_by", "fulfils"), ("fulfils", "fulfilled_by")):
        other = record.get(field)
        if other is not None and other != rid and events.get(other, {}).get(back) != rid:
            yield "plan-link", f"{field} names {other!r}, which does not name it back in {back}"
    outcome = events.get(record.get("fulfilled_by", ""), {})
    if outcome.get("id") != rid and outcome.get("status") in ("planned", "announced"):
        yield "plan-outcome", f"fulfilled_by names {outcome['id']!r}, which is only {outcome['status']}"
    parent, seen = record.get("part_of"), {rid}
    while parent in events and parent not in seen:
        seen.add(parent)
        parent = events[parent].get("part_of")
    if parent == rid and record.get("part_of") != rid:
        yield "part-of-cycle", f"part_of leads back to {rid!r}"


def _done_unsourced(record: dict[str, Any], sources: dict[str, Any], done: str) -> Iterator[tuple[str, str]]:
    """A value reported as done needs a source written once it was: before, it was a plan."""
    field = "date" if "date" in record else "start"
    day = record.get(field)
    if not day:
        return
    happened = dates.first_day(day)
    latest = [sources[s].get("date") or sources[s].get("after") for s in stating(record, field)]
    if not any(d and dates.last_day(d) >= happened for d in latest):
        yield "held-unsourced", f"{done} on {day}, but no source of its {field} is dated on or after it"


def _lookalikes(records: list[tuple[Kind, int, dict[str, Any]]]) -> list[Problem]:
    """Names that read as another entity's: the same name or id in one kind, or a word that
    mixes alphabets. Both pass for another entity in every table and make its lookups ambiguous."""
    found = []
    named: dict[tuple[str, str], list[str]] = {}  # (table, folded name or id) -> ids
    for kind, _, record in records:
        if kind.table in ENTITIES:
            for key in {record["id"].replace("-", " "), *map(fold, entity_names(record))} - {""}:
                named.setdefault((kind.table, key), []).append(record["id"])
    for kind, index, record in records:
        if kind.table not in ENTITIES:
            continue
        for name in dict.fromkeys(entity_names(record)):
            others = sorted(set(named.get((kind.table, fold(name)), [])) - {record["id"]})
            if others:
                message = f"name {name!r} also names {', '.join(map(repr, others))}"
                found.append(_at(Problem(message, record["id"], rule="same-name"), kind, index))
            mixed = next((word for word in name.split() if mixes_scripts(word)), None)
            if mixed:
                alphabets = " and ".join(sorted(_scripts(mixed) & _CONFUSABLE))
                message = f"{mixed!r} in name {name!r} mixes {alphabets} letters"
                found.append(_at(Problem(message, record["id"], rule="mixed-script"), kind, index))
    return found


# The alphabets whose letters pass for each other (Unicode TR 39's confusables are mostly
# these): a word mixing two of them is a lookalike; Latin beside CJK is just a mixed word.
_CONFUSABLE = frozenset(("LATIN", "CYRILLIC", "GREEK"))


def mixes_scripts(word: str) -> bool:
    """Whether a word has letters of two alphabets that look alike (a Cyrillic о in Lombardy)."""
    return not word.isascii() and len(_scripts(word) & _CONFUSABLE) > 1


def _scripts(word: str) -> set[str]:
    """The alphabets of a word's letters, by the first word of their Unicode names."""
    import unicodedata

    return {unicodedata.name(ch, "?").split()[0] for ch in word if ch.isalpha()}


def _name_keys(raw: dict[str, Any]) -> Callable[[str], dict[str, list[str]]]:
    """Each table's name index, built once however many of its aliases are checked."""
    built: dict[str, dict[str, list[str]]] = {}

    def keys(table: str) -> dict[str, list[str]]:
        if table not in built:
            built[table] = table_name_keys(table, raw.get(table, []))
        return built[table]

    return keys


def _alias_collisions(
    records: list[tuple[Kind, int, dict[str, Any]]], keys: Callable[[str], dict[str, list[str]]]
) -> list[Problem]:
    """An alias that also names another entity of its kind makes that kind's lookups ambiguous."""
    found = []
    for kind, index, record in records:
        if kind.table in ENTITIES and record.get("aliases"):
            table = keys(kind.table)
            for alias in record["aliases"]:
                owners = set(table.get(fold(alias), [])) - {record["id"]}
                if owners:
                    message = f"alias {alias!r} also names {', '.join(repr(o) for o in sorted(owners))}"
                    found.append(_at(Problem(message, record["id"], rule="alias"), kind, index))
    return found


def quotes_of(record: Any, source_id: str) -> list[str]:
    """The quotes a record (and its conflicting values) give from one source."""
    if not isinstance(record, dict):
        return []
    found = []
    for _, part in _cited_parts(record):
        quotes = part.get("quotes")
        if isinstance(quotes, dict) and isinstance(quotes.get(source_id), str):
            found.append(quotes[source_id])
    return found


def quote_problems(raw: dict[str, Any], source_text: str, source_id: str, text: str = "") -> list[Problem]:
    """Every quote from `source_id` that is not in the source's text."""
    haystack = normalize_quote(source_text)
    found = []
    for table, kind in KINDS.items():
        records = raw.get(table)
        if not isinstance(records, list):
            continue
        for index, record in enumerate(records):
            for quote in quotes_of(record, source_id):
                if normalize_quote(quote) not in haystack:
                    message = f"quote not found in the source: {quote!r}"
                    found.append(
                        _at(Problem(message, str(record.get("id")), rule="quote-not-found"), kind, index)
                    )
    if found and text:
        locate(found, text)
    return found


_TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "«": '"', "»": '"'})


def normalize_quote(text: str) -> str:
    """Fold whitespace and typographic quotes, so a quote matches however it was typed."""
    return " ".join(text.translate(_TYPOGRAPHIC).split())


# --- the report of `esra check` -------------------------------------------------------------


class Report:
    """What `check` found, and how much it looked at. (A plain class: `dataclasses` costs
    more to import than the rest of a compile, which imports this module.)"""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.records = 0
        self.quotes_checked = 0
        self.source_id: str | None = None


def report(path: Path, against: Path | None, source_id: str | None) -> Report:
    """`esra check`: every problem of the base at `path`; with `against`, also the quotes of
    `source_id` (default: [meta] announcement) in that source text."""
    raw, text, found = diagnose(path)
    done = Report(found)
    if raw is None:
        return done
    done.records = sum(len(v) for k, v in raw.items() if k in KINDS and isinstance(v, list))
    if against is not None:
        meta = raw.get("meta")
        source_id = source_id or (meta.get("announcement") if isinstance(meta, dict) else None)
        if not isinstance(source_id, str):
            raise InvalidFacts(f"{path}: no [meta] announcement; pass --source-id")
        records = [r for t in KINDS if isinstance(raw.get(t), list) for r in raw[t] if isinstance(r, dict)]
        # A check that finds nothing to check is no pass: a mistyped id would make it one.
        if not any(r.get("id") == source_id for r in raw.get("sources", []) if isinstance(r, dict)):
            raise UsageError(f"--source-id {source_id!r} is not in the source register of {path}")
        done.quotes_checked = sum(len(quotes_of(r, source_id)) for r in records)
        if not done.quotes_checked:
            raise UsageError(f"no record quotes {source_id!r}: nothing to check against {against}")
        source_text = read_bytes(against, "source text").decode("utf-8", errors="replace")
        done.source_id = source_id
        done.problems += quote_problems(raw, source_text, source_id, text)
    return done
