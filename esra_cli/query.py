"""Pure lookups over a FactBase. Each returns a view: plain data, ready for JSON or a table.

Nothing here prints or knows about Typer or Rich. Names are resolved through the one name
index (`FactBase.names`), dates keep their source precision, and every record in a view
carries its `sources`.
"""

from __future__ import annotations

import datetime as dt
from itertools import chain

from esra_cli import dates
from esra_cli.contract import ROLE_FACTS, said
from esra_cli.errors import Ambiguous, EsraError, NotFound, UsageError
from esra_cli.escape import clean
from esra_cli.facts import localized
from esra_cli.i18n import article, word
from esra_cli.kinds import ENTITIES, KINDS, stating
from esra_cli.names import did_you_mean, fold

TYPE_CHECKING = False  # typing costs a few ms per call; the names below are for mypy only
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any, TypeAlias

    from esra_cli.facts import FactBase, Record
    from esra_cli.matching import Term

    Row: TypeAlias = dict[str, Any]
HAPPENINGS = ("events", "agreements", "statements")  # the tables `what` and `when` list
_ROLE_RANK = {"chair": 0, "co-chair": 1, "vice-chair": 2, "member": 3}
_STATUS_RANK = {status: rank for rank, status in enumerate(dates.STATUSES)}


class Listing:
    """Rows of one layout (`kind` names it in render); JSON prints the rows as an array."""

    __slots__ = ("caption", "kind", "rows")

    def __init__(self, kind: str, rows: list[Row], caption: dict[str, Any] | None = None) -> None:
        self.kind, self.rows, self.caption = kind, rows, caption or {}

    def json(self) -> Any:
        """What --json prints: the rows, as a plain array."""
        return self.rows


class Card:
    """One looked-up thing; JSON prints `data` as one object."""

    __slots__ = ("data", "kind")

    def __init__(self, kind: str, data: Row) -> None:
        self.kind, self.data = kind, data

    def json(self) -> Any:
        """What --json prints: one object."""
        return self.data


View = Listing | Card


# --- shared pieces --------------------------------------------------------------------------


def ref(base: FactBase, rid: str | None, lang: str) -> Row | None:
    """A related entity as {"id", "name"}."""
    return None if rid is None else {"id": rid, "name": base.label(rid, lang)}


def cited(record: Record) -> Row:
    """What every view row repeats from its record: sources, confidence, whether the value is
    reported or inferred (and from what), the conflicting values with their sources, note."""
    row: Row = {
        "sources": list(record["sources"]),
        "confidence": record.get("confidence", "high"),
        "basis": "inferred" if "inferred" in record else "reported",
    }
    if "inferred" in record:
        row["inferred_from"] = record["inferred"]
    if "alternatives" in record:
        row["alternatives"] = _alternatives(record)
    if "note" in record:
        row["note"] = record["note"]
    return row


def _alternatives(record: Record) -> list[Row]:
    """A record's conflicting values as views show them: field (by its name in the views),
    value, sources, note."""
    return [
        {k: said(v) if k == "field" else v for k, v in a.items() if k != "quotes"}
        for a in record.get("alternatives", ())
    ]


def _confirmed(record: Record, base: FactBase | None = None, as_of: dt.date | None = None) -> str | None:
    """The latest date a source shows a post or membership held: its confirmation, else its
    reported end (a source dated that day showed it then). The end of an inferred record is
    no confirmation: nobody reported it. Asked for a day before that date (`as_of`), what
    was known then: the latest of its sources dated by that day, from its start on, for a
    later confirmation was not yet written."""
    if "confirmed" in record:
        latest: str | None = str(record["confirmed"])
    else:
        latest = None if "inferred" in record else record.get("end") or record.get("until")
    # A date at a month's or a year's precision counts from its first day, as `_dated_by`.
    if latest is None or base is None or as_of is None or dates.first_day(latest) <= as_of:
        return latest
    start = _span(record)[0]
    known = [
        day
        for s in dict.fromkeys((*record["sources"], *record.get("confirmed_by", ())))
        if (day := base.get(s).get("date"))
        and dates.first_day(day) <= as_of
        and (start is None or dates.first_day(day) >= dates.first_day(start))
    ]
    return max(known, key=dates.last_day, default=None)


def span_status(base: FactBase, record: Record, as_of: dt.date) -> str:
    """A post's, membership's or chair's status on `as_of` (dates.status): a post or chair
    expires; a membership of an alliance is presumed to go on."""
    start, end = _span(record)
    expires = record.get("role") != "member"
    return dates.status(
        start,
        end,
        as_of,
        _confirmed(record, base, as_of),
        expires=expires,
        attested=start is not None or _attested(base, [record], as_of),
        succeeded=_successor(base, record) if expires and end is None else None,
    )


def _attested(base: FactBase, records: list[Record], as_of: dt.date) -> bool:
    """Whether a source of these records (cited or confirming) is dated by `as_of` (_dated_by)."""
    return any(
        _dated_by(base.get(s), as_of) for r in records for s in (*r["sources"], *r.get("confirmed_by", ()))
    )


def _successor(base: FactBase, record: Record) -> str | None:
    """When the next holder of the same post or chair began, if one is recorded: the same
    title in the same body for a post, the same role in the same alliance for a chair."""
    start = _span(record)[0] or _confirmed(record)
    if start is None:
        return None
    if "role" in record:
        same = [m for m in _referring(base, record["organization"], "memberships", ("organization",))
                if m["role"] == record["role"]]  # fmt: skip
    else:
        body = str(record.get("organization") or record["region"])
        title = localized(record["title"], "en")
        same = [
            p
            for p in _referring(base, body, "positions", ("organization", "region"))
            if localized(p["title"], "en") == title
        ]
    later = [
        s for s in (_span(other)[0] for other in same if other["id"] != record["id"])
        if s is not None and dates.first_day(s) > dates.last_day(start)
    ]  # fmt: skip
    return min(later, key=dates.first_day, default=None)


def _lookup(base: FactBase, table: str, query: str, what: str, lang: str) -> str:
    """The one entity of this kind that `query` names, or NotFound/Ambiguous as the index says."""
    return base.names(table).lookup(query, what, lambda rid: base.label(rid, lang))


def _resolve(base: FactBase, table: str, query: str, what: str, lang: str) -> str:
    """As _lookup, and a miss that names an entity of another kind says so."""
    try:
        return _lookup(base, table, query, what, lang)
    except NotFound:
        other = _other_kind(base, table, query)
        if other is None:
            raise
        kind, rid = other
        raise NotFound(
            f"{query!r} is {article(KINDS[kind].singular)} ({base.label(rid, lang)}), not {article(what)}: "
            f"try esra {_COMMAND_OF[kind]} {rid}"
        ) from None


# The kinds of organization that have members and chairs: what members and tree take.
ALLIANCE_KINDS = ("alliance", "network")
# The command that shows one entity of each kind.
_COMMAND_OF = {"people": "person", "organizations": "org", "regions": "region", "places": "where"}


def _other_kind(base: FactBase, table: str, query: str) -> tuple[str, str] | None:
    """The kind and id of the one entity of another kind that `query` names, if exactly one does:
    a reader who typed `person lombardia` is told it is a region, not offered a near name."""
    others = [other for other in ENTITIES if other != table]
    key = fold(query)
    exact = [(o, rid) for o in others for rid in base.name_keys(o, key).get(key, [])] if key else []
    if exact:  # 'turin' names the city exactly and Thuringia ('Turingia') by a prefix: the city
        return exact[0] if len(exact) == 1 else None
    found = []
    for other in others:
        try:
            found.append((other, base.names(other).lookup(query, other, lambda rid: rid)))
        except EsraError:
            continue
    return found[0] if len(found) == 1 else None


def _alliance(base: FactBase, name: str, lang: str) -> str:
    """The alliance or network `name` names; another organization is not found, with the list."""
    org = _resolve(base, "organizations", name, "alliance", lang)
    if base.get(org).get("kind") in ALLIANCE_KINDS:
        return org
    alliances = [r["id"] for r in base.records("organizations") if r.get("kind") in ALLIANCE_KINDS]
    listed = ", ".join(f"{rid} ({base.label(rid, lang)})" for rid in alliances)
    raise NotFound(f"{base.label(org, lang)} is not an alliance or network; they are: {listed}")


def entity(base: FactBase, query: str, lang: str) -> str:
    """The id of the one person, organization, region or place `query` names."""
    found, misses = [], []
    for table in ENTITIES:  # every kind is tried: a miss in one needs no word about the others
        try:
            found.append(_lookup(base, table, query, KINDS[table].singular, lang))
        except Ambiguous:
            raise
        except NotFound as miss:
            misses.append(str(miss))
    if len(found) > 1:
        shown = ", ".join(f"{rid} ({base.label(rid, lang)})" for rid in found)
        raise Ambiguous(f"{query!r} is ambiguous: {shown}")
    if not found:
        hints = [m.split("; ", 1)[1] for m in misses if "; " in m]
        raise NotFound(f"nothing matches {query!r}" + (f"; {hints[0]}" if hints else ""))
    return found[0]


def _sort_key(start: str | None) -> tuple[int, dt.date]:
    """Dated things first, oldest first; undated ones keep file order after them."""
    return (0, dates.first_day(start)) if start else (1, dt.date.min)


def _referring(base: FactBase, rid: str, table: str, fields: tuple[str, ...]) -> list[Record]:
    """Records of `table` that name `rid` in one of `fields`."""
    found = []
    others = base.referrers(rid)
    base.prefetch(others)
    for other in others:
        if base.kind(other) == table:
            record = base.get(other)
            if any(rid == v or (isinstance(v, list) and rid in v) for v in (record.get(f) for f in fields)):
                found.append(record)
    return found


def _known_on(base: FactBase, records: Iterable[Record], as_of: dt.date) -> list[Record]:
    """The records a reader on `as_of` could know of: those begun by then, and those dated
    later that a source dated by then announced (a plan, an appointment to come; never a
    statement, a fact or figure of a later day). Undated records stay."""
    return [r for r in records if _known(base, r, as_of)]


def _known(base: FactBase, record: Record, as_of: dt.date) -> bool:
    """Whether a reader on `as_of` could know of `record` (see _known_on); a source, once
    it may have been published."""
    if base.kind(record["id"]) == "sources":
        return not _published_after(record, as_of)
    start = _span(record)[0]
    return (
        start is None
        or dates.first_day(start) <= as_of
        or (
            base.kind(record["id"]) != "statements"
            and any(_written_by(base, base.get(s), as_of) for s in record["sources"])
        )
    )


def _published_after(source: Record, as_of: dt.date) -> bool:
    """Whether a source was surely published after `as_of` (its date, or an undated page's
    `after` bound)."""
    first = source.get("date") or source.get("after")
    return first is not None and dates.first_day(first) > as_of


def _dated_by(source: Record, as_of: dt.date) -> bool:
    """Whether a source is dated on or before `as_of`: its date, or an undated page's bounds
    (the register dates such a page by its content: `after` an event it reports)."""
    bound = source.get("date") or source.get("before") or source.get("after")
    return bound is not None and dates.first_day(bound) <= as_of


def _written_by(base: FactBase, source: Record, as_of: dt.date) -> bool:
    """Whether a source was surely written on or before `as_of`: its date, else an undated
    page's `before` bound, else the day the register was last checked (`[meta] updated`),
    when every page in it had been read."""
    bound = source.get("date") or source.get("before") or base.meta.get("updated")
    return bound is not None and dates.last_day(bound) <= as_of


def _span(record: Record) -> tuple[str | None, str | None]:
    """The start and end of a dated record, whatever its kind calls them."""
    start = record.get("date") or record.get("start") or record.get("since")
    return start, record.get("end") or record.get("until")


# --- rows of each kind ----------------------------------------------------------------------


def position_row(base: FactBase, record: Record, lang: str, as_of: dt.date) -> Row:
    """A post someone holds, with its status on `as_of`."""
    return {
        "id": record["id"],
        "person": ref(base, record["person"], lang),
        "title": localized(record["title"], lang),
        "organization": ref(base, record.get("organization"), lang),
        "region": ref(base, record.get("region"), lang),
        "since": record.get("start"),
        "until": record.get("end"),
        "status": span_status(base, record, as_of),
        "last_confirmed": _confirmed(record, base, as_of),
        **cited(record),
    }


def membership_row(base: FactBase, record: Record, lang: str, as_of: dt.date) -> Row:
    """A region's membership or chair in an organization, with its status on `as_of`."""
    return {
        "id": record["id"],
        "region": ref(base, record["region"], lang),
        "organization": ref(base, record["organization"], lang),
        "role": record["role"],
        "since": record.get("since"),
        "until": record.get("until"),
        "status": span_status(base, record, as_of),
        "last_confirmed": _confirmed(record, base, as_of),
        **cited(record),
    }


def happening_row(base: FactBase, record: Record, lang: str, as_of: dt.date) -> Row:
    """An event, agreement or statement: what happened, was agreed, aimed at or counted."""
    table = base.kind(record["id"])
    title = record.get("title") or record.get("text")
    start, end = _span(record)
    row: Row = {
        "id": record["id"],
        "type": KINDS[table].singular,
        "kind": record.get("type"),  # a statement's or agreement's own type (contract.said)
        "name": localized(title, lang) if isinstance(title, dict) else title,
        "date": start,
        "until": end,
        "when": localized(record["when"], lang) if "when" in record else None,
        "place": ref(base, record.get("place"), lang),
        "status": record.get("status"),
    }
    for name in ("participants", "parties", "signatories", "subjects"):
        if name in record:
            row[name] = [ref(base, rid, lang) for rid in record[name]]
    if "topics" in record:
        row["topics"] = localized(record["topics"], lang)
    if "invited" in record:
        row["invited"] = localized(record["invited"], lang)
    if "value" in record:
        row["measure"], row["value"] = record.get("measure"), record["value"]
    later = start is not None and dates.first_day(start) > as_of
    if later and row["status"] not in ("planned", "announced"):
        row["status"] = "upcoming"  # known on the as-of date (_known_on) as still to come
    for link in ("fulfilled_by", "fulfils"):
        if link in record:
            other = base.get(record[link])
            when = other.get("date") or other.get("start")
            if when and dates.first_day(when) > as_of:
                continue  # an outcome that came after the as-of date was not known on it
            row[link] = {
                "id": other["id"],
                "name": base.label(other["id"], lang),
                "date": when,
                "status": other.get("status"),
            }
    if "fulfilled_by" not in row:
        pass  # no outcome known (on the as-of date)
    elif "fulfilment_inferred" in record:
        row["fulfilment"] = {
            "basis": "inferred",
            "inferred_from": record["fulfilment_inferred"],
            "confidence": "low",
        }
    else:
        row["fulfilment"] = {"basis": "reported"}
    # A plan whose day has passed with nothing known to have come of it says so.
    planned = record.get("status") == "planned" and "fulfilled_by" not in row
    if planned and start and dates.last_day(end or start) < as_of:
        row["outcome"] = "unknown"
    return {**row, **cited(record)}


def _all_happenings(base: FactBase) -> list[Record]:
    """Every event, agreement and statement, in file order."""
    return [r for t in HAPPENINGS for r in base.records(t)]


def _happenings(base: FactBase, lang: str, records: Iterable[Record], as_of: dt.date) -> list[Row]:
    """Rows of happenings known on `as_of` (_known_on), oldest first."""
    rows = [happening_row(base, r, lang, as_of) for r in _known_on(base, records, as_of)]
    return sorted(rows, key=lambda row: _sort_key(row["date"]))


# --- the commands' lookups ------------------------------------------------------------------


def members(base: FactBase, alliance: str, lang: str, as_of: dt.date) -> Listing:
    """One row per region with any membership in the alliance: since, role on `as_of`."""
    return _members(base, _alliance(base, alliance, lang), lang, as_of)


def _members(base: FactBase, org: str, lang: str, as_of: dt.date) -> Listing:
    by_region: dict[str, list[Record]] = {}
    for record in _referring(base, org, "memberships", ("organization",)):
        by_region.setdefault(record["region"], []).append(record)
    founded = base.get(org).get("founded")
    if founded and as_of < dates.first_day(founded):
        by_region = {}  # no member, whatever it is not known of, before the alliance was founded
    rows = [_member_row(base, rid, records, lang, as_of) for rid, records in by_region.items()]
    rows = [r for r in rows if r["status"] != "upcoming"]  # the members on the as-of date
    rows.sort(key=lambda r: (_ROLE_RANK[r["role"]], _STATUS_RANK[r["status"]], r["country"], r["name"]))
    known = sum(1 for r in rows if r["status"] in ("current", "presumed current"))
    return Listing(
        "members", rows, {"organization": ref(base, org, lang), "known": known, **_reported(base, org, as_of)}
    )


def _member_row(base: FactBase, rid: str, records: list[Record], lang: str, as_of: dt.date) -> Row:
    """A region's membership on `as_of`, apart from the chairs it held.

    The membership starts when it joined (its member record's `since`), never when a chair
    began; a region known only through a chair has an unknown start, and before any source
    attests it, it is 'not known then'. A chair shows the region a member while it lasted, so
    a reported one counts as a confirmation. The row's confidence and basis are the member
    record's (or the chair's where that is all there is); the role shown, a chair current on
    `as_of`, brings its own: `role_id`, `role_since`, `role_until`, `role_status`,
    `role_confidence`, `role_basis` (null for a plain member).
    """
    region = base.get(rid)
    member = next((m for m in records if m["role"] == "member"), None)
    chairs = [m for m in records if m["role"] != "member"]
    shown = [c for c in chairs if c.get("since") is None or dates.first_day(c["since"]) <= as_of]
    basis = [*([member] if member else []), *shown]
    seen = [d for d in (_confirmed(m, base, as_of) for m in basis) if d]
    last = max(seen, key=dates.first_day, default=None)  # "until 2025" is no proof of 31 December
    since, until = (member.get("since"), member.get("until")) if member else (None, None)
    rows = [membership_row(base, m, lang, as_of) for m in records]
    if member is None and not shown:  # known only through chairs that all begin after as_of
        status = "upcoming"
    else:
        attested = since is not None or _attested(base, basis, as_of)
        status = dates.status(since, until, as_of, last, attested=attested)
    ongoing = [r for r in rows if r["role"] != "member" and r["status"] in ("current", "presumed current")]
    ongoing.sort(key=lambda r: _ROLE_RANK[r["role"]])
    role = ongoing[0] if ongoing and status not in ("past", "not known then") else None
    return {
        "id": rid,
        "name": base.label(rid, lang),
        "country": region["country"],
        "since": since,
        "role": role["role"] if role else "member",
        "status": status,
        "last_confirmed": last,
        **{name: role[name.removeprefix("role_")] if role else None for name in ROLE_FACTS},
        "memberships": rows,
        **cited(member or (shown or chairs)[0]),
    }


def _chairs(base: FactBase, org: str, lang: str, as_of: dt.date) -> list[Row]:
    """The chair and co-chair records of an organization, oldest first."""
    rows = [
        membership_row(base, m, lang, as_of)
        for m in _known_on(base, _referring(base, org, "memberships", ("organization",)), as_of)
        if m["role"] != "member"
    ]
    return sorted(rows, key=lambda m: _sort_key(m["since"] or m["until"]))


def _reported(base: FactBase, org: str, as_of: dt.date) -> dict[str, Any]:
    """The latest member count reported on or before `as_of` that is not low-confidence."""
    counts = [
        s
        for s in _referring(base, org, "statements", ("subjects",))
        if s.get("measure") == "member-count"
        and s.get("date")
        and s.get("confidence") != "low"
        and dates.last_day(s["date"]) <= as_of
    ]
    if not counts:
        return {}
    latest = max(counts, key=lambda s: dates.first_day(s["date"]))
    return {"reported": latest["value"], "reported_on": latest["date"], "reported_in": latest["sources"]}


def person(base: FactBase, name: str, lang: str, as_of: dt.date) -> Card:
    """One person: posts with their status on `as_of`, events, agreements, statements."""
    pid = _resolve(base, "people", name, "person", lang)
    record = base.get(pid)
    positions = [
        position_row(base, p, lang, as_of)
        for p in _known_on(base, _referring(base, pid, "positions", ("person",)), as_of)
    ]
    positions.sort(key=lambda p: _sort_key(p["since"]))
    data = {
        "id": pid,
        "name": record["name"],
        "aliases": record.get("aliases", []),
        "party": record.get("party"),
        "positions": positions,
        "events": _happenings(base, lang, _referring(base, pid, "events", ("participants",)), as_of),
        "agreements": _happenings(base, lang, _referring(base, pid, "agreements", ("signatories",)), as_of),
        "statements": _happenings(base, lang, _referring(base, pid, "statements", ("subjects",)), as_of),
        **cited(record),
    }
    return Card("person", data)


def who(base: FactBase, query: str | None, lang: str, as_of: dt.date) -> Listing:
    """People with their posts and organizations with the people holding posts in them."""
    from esra_cli import matching

    wanted = matching.terms(query)
    found = _candidates(base, wanted, filtering=True)
    rows: list[Row] = []
    for table, side in matching.HOLDER.items():
        for record in _of_table(base, table, found):
            held = _known_on(base, _referring(base, record["id"], "positions", (side,)), as_of)
            # The person or organization's words, and its posts' (titles, the other side's names).
            texts = chain(_texts(base, table, record), *(_texts(base, "positions", p) for p in held))
            if matching.rank(wanted, texts) is None:
                continue
            row: Row = {"id": record["id"], "type": side, "name": base.label(record["id"], lang)}
            if side == "person":
                row["party"] = record.get("party")
            else:
                row |= {"acronym": record.get("acronym"), "kind": record["kind"]}
            row["roles"] = [position_row(base, p, lang, as_of) for p in held]
            rows.append(row | cited(record))
    return Listing("who", rows)


def what(base: FactBase, query: str | None, lang: str, as_of: dt.date) -> Listing:
    """Events, agreements, collaborations and statements, oldest first, undated last."""
    from esra_cli import matching

    wanted = matching.terms(query)
    found = _candidates(base, wanted, filtering=True)
    happenings = [
        r
        for table in HAPPENINGS
        for r in _of_table(base, table, found)
        if matching.rank(wanted, _texts(base, table, r)) is not None
    ]
    return Listing("what", _happenings(base, lang, happenings, as_of))


def _candidates(base: FactBase, wanted: list[Term], filtering: bool) -> list[str] | None:
    """The records a search, or a who/what filter (`filtering`), may match, from the index: a
    word starting with each query word's prefix (for a filter, among what it reads besides:
    matching.filtered), read together; None for all of them (no query words, or no index).
    Only candidates: matching.rank decides."""
    found = base.matching([term.prefix() for term in wanted], filtering) if wanted else None
    if found is not None:
        base.prefetch(found)
    return found


def _of_table(base: FactBase, table: str, found: list[str] | None) -> list[Record]:
    """The records of `table` among `found`, in file order; all of them when None."""
    return (
        base.records(table) if found is None else [base.get(rid) for rid in found if base.kind(rid) == table]
    )


def _texts(base: FactBase, table: str, record: Record) -> Iterator[str]:
    """What a filter matches a record by: what search matches it by (`searchable`: its own
    words, the names of the records it links, its dates in words) and the ids it links.
    Lazy: a filter without a query never reads them (matching.rank)."""
    from esra_cli import matching

    yield from (text for _, text in matching.searchable(table, record, matching.namer(base)))
    yield from matching.referenced(table, record)


def when(base: FactBase, lo: str | None, hi: str | None, lang: str, as_of: dt.date) -> Listing:
    """The dated timeline, oldest first: an entry stays when its period overlaps lo..hi."""
    if lo and hi and dates.first_day(lo) > dates.last_day(hi):
        raise UsageError(f"--from {lo} is after --to {hi}: nothing could match")
    entries = [r for r in _happenings(base, lang, _all_happenings(base), as_of) if r["date"]]
    for table in ("positions", "memberships"):
        for record in _known_on(base, base.records(table), as_of):
            entries += _changes(base, table, record, lang, as_of)
    entries = [e for e in entries if dates.overlaps(e["date"], e["until"], lo, hi)]
    entries.sort(key=lambda e: (dates.first_day(e["date"]), dates.last_day(e["until"] or e["date"])))
    return Listing("when", entries, {"from": lo, "to": hi})


# A region joins and leaves an alliance; it starts and ends as its chair (i18n's words).
_VERBS = {("membership", "start"): "joins", ("membership", "end"): "leaves"}


def _changes(base: FactBase, table: str, record: Record, lang: str, as_of: dt.date) -> list[Row]:
    """The timeline entries of a post, membership or chair: its start and its end, each dated
    at its precision, with the id `<record>#start` or `<record>#end`. An end is listed once
    its period has begun on `as_of`: none is foretold for what has not started."""
    if table == "positions":
        row = position_row(base, record, lang, as_of)
        who_, kind = row["person"]["name"], "position"
        post = ", ".join(
            filter(None, [row["title"], (row["organization"] or row["region"] or {}).get("name")])
        )
    else:
        row = membership_row(base, record, lang, as_of)
        who_, kind = row["region"]["name"], "membership" if row["role"] == "member" else "chair"
        post = row["organization"]["name"]
        if kind == "chair":
            post = f"{word(row['role'], lang)}, {post}"
    entries = []
    for edge, date in (("start", row["since"]), ("end", row["until"])):
        if date and (edge == "start" or dates.first_day(date) <= as_of):  # no end foretold
            verb = _VERBS.get((kind, edge), edge + "s")  # "starts as", "ends as"
            entries.append(
                {
                    "id": f"{row['id']}#{edge}",
                    "type": table.removesuffix("s"),  # position or membership
                    "kind": f"{kind}-{edge}",
                    "name": f"{who_} {word(verb, lang)} {post}",
                    "date": date,
                    "until": None,
                    "status": row["status"],
                    **cited(record),
                }
            )
    return entries


def where(base: FactBase, place: str | None, lang: str, as_of: dt.date) -> View:
    """Every place with what happened there; or, given a place, that place in full."""
    if place is None:
        rows = [_place_row(base, r, lang, as_of) for r in base.records("places")]
        return Listing("where", rows)
    pid = _resolve(base, "places", place, "place", lang)
    return Card("place", _place_row(base, base.get(pid), lang, as_of))


def _place_row(base: FactBase, record: Record, lang: str, as_of: dt.date) -> Row:
    pid = record["id"]
    return {
        "id": pid,
        "name": base.label(pid, lang),
        "names": record["name"],
        "kind": record["kind"],
        "country": record["country"],
        "region": ref(base, record.get("region"), lang),
        "events": _happenings(base, lang, _referring(base, pid, "events", ("place",)), as_of),
        "agreements": _happenings(base, lang, _referring(base, pid, "agreements", ("place",)), as_of),
        "organizations": [
            ref(base, o["id"], lang) for o in _referring(base, pid, "organizations", ("place",))
        ],
        **cited(record),
    }


def org(base: FactBase, name: str, lang: str, as_of: dt.date) -> Card:
    """One alliance or institution: chairs, people in post, members known, events."""
    oid = _resolve(base, "organizations", name, "organization", lang)
    record = base.get(oid)
    listing = _members(base, oid, lang, as_of)
    people = [
        position_row(base, p, lang, as_of)
        for p in _known_on(base, _referring(base, oid, "positions", ("organization",)), as_of)
    ]
    people.sort(key=lambda p: _sort_key(p["since"]))
    data = {
        "id": oid,
        "name": base.label(oid, lang),
        "acronym": record.get("acronym"),
        "aliases": record.get("aliases", []),
        "kind": record["kind"],
        "sector": localized(record["sector"], lang) if "sector" in record else None,
        "description": localized(record["description"], lang) if "description" in record else None,
        "founded": record.get("founded"),
        "place": ref(base, record.get("place"), lang),
        "members": {k: v for k, v in listing.caption.items() if k != "organization"},
        "chairs": _chairs(base, oid, lang, as_of),
        "people": people,
        "events": _happenings(base, lang, _referring(base, oid, "events", ("participants",)), as_of),
        "statements": _happenings(base, lang, _referring(base, oid, "statements", ("subjects",)), as_of),
        **cited(record),
    }
    return Card("org", data)


def region(base: FactBase, name: str, lang: str, as_of: dt.date) -> Card:
    """One region: names, codes, memberships, people in its posts, what it took part in."""
    rid = _resolve(base, "regions", name, "region", lang)
    record = base.get(rid)
    memberships = [
        membership_row(base, m, lang, as_of)
        for m in _known_on(base, _referring(base, rid, "memberships", ("region",)), as_of)
    ]
    memberships.sort(key=lambda m: _sort_key(m["since"]))
    people = [
        position_row(base, p, lang, as_of)
        for p in _known_on(base, _referring(base, rid, "positions", ("region",)), as_of)
    ]
    data = {
        "id": rid,
        "name": base.label(rid, lang),
        "names": record["name"],
        "aliases": record.get("aliases", []),
        "country": record["country"],
        "nuts": record.get("nuts"),
        "memberships": memberships,
        "people": people,
        "places": [ref(base, p["id"], lang) for p in _referring(base, rid, "places", ("region",))],
        "events": _happenings(base, lang, _referring(base, rid, "events", ("participants",)), as_of),
        "agreements": _happenings(base, lang, _referring(base, rid, "agreements", ("parties",)), as_of),
        "statements": _happenings(base, lang, _referring(base, rid, "statements", ("subjects",)), as_of),
        **cited(record),
    }
    return Card("region", data)


def search(base: FactBase, text: str, lang: str, as_of: dt.date) -> Listing:
    """Every record known on `as_of` in which each word of `text` matches a word, in any
    language (matching.py), best matches first, each with where it matched."""
    from esra_cli import matching

    wanted = matching.terms(text)
    if not wanted:  # unlike a filter's, search's text is required: no word is no question
        raise UsageError(f"nothing to search for in {text!r}: give a word of letters or digits")
    found = _candidates(base, wanted, filtering=False)
    if found is None:
        records = [(table, r) for table in KINDS for r in base.records(table)]
    else:
        records = [(base.kind(rid), base.get(rid)) for rid in found]
    named = matching.namer(base)
    ranked = []
    for position, (table, record) in enumerate(records):
        # The id last: a field's text says more about why a record matched than its slug.
        fields = sorted(matching.searchable(table, record, named), key=lambda field: field[0] == "id")
        rank = matching.rank(wanted, (value for _, value in fields))
        if rank is not None and _known(base, record, as_of):
            row = {
                "id": record["id"],
                "type": KINDS[table].singular,
                "name": base.label(record["id"], lang),
                "rank": rank,
                "matches": matching.snippets(wanted, fields),
                "sources": list(record.get("sources", [record["id"]])),
            }
            ranked.append((rank, _SEARCH_ORDER.get(table, 1), position, row))
    return Listing("search", [row for *_, row in sorted(ranked, key=lambda item: item[:3])])


# Between equal matches, what a search is mostly for comes first: the regions, people,
# places and bodies, then what happened (events, agreements, statements, posts), the
# pages that report it last.
_SEARCH_ORDER = {**dict.fromkeys(ENTITIES, 0), "sources": 2}


def _named(base: FactBase, text: str, lang: str) -> str:
    """ "; did you mean lombardia (Lombardy)?" for a name given where an id was wanted: the
    entities it names, or else ids that look like it."""
    import difflib

    key = fold(text)
    ids = [i for table in ENTITIES for i in base.name_keys(table).get(key, ())]
    if not ids:
        every = [r["id"] for table in KINDS for r in base.records(table)]
        ids = difflib.get_close_matches(text.lower(), every, n=3, cutoff=0.75)
    return did_you_mean(ids, lambda rid: base.label(rid, lang))


def show(base: FactBase, rid: str, lang: str, as_of: dt.date) -> Card:
    """One record of any kind in full: every field (references as {"id", "name"}, texts in
    `lang`), its status on `as_of`, its sources with their quotes, and the records that refer
    to it."""
    found = base.find(rid)
    if found is None:
        hint = _named(base, rid, lang) or "; esra search WORDS finds records and their ids"
        raise NotFound(f"no record has the id {rid!r}{hint}")
    table, record = found
    kind = KINDS[table]
    fields: Row = {}  # by their names in the views (contract.said): since, until, last_confirmed
    for name, value in record.items():
        if name in ("id", "sources", "quotes", "alternatives", "cite"):
            continue
        field = kind.by_name[name]
        if field.refs:
            fields[said(name)] = (
                [ref(base, v, lang) for v in value] if isinstance(value, list) else ref(base, value, lang)
            )
        elif isinstance(value, dict) and field.type in ("text", "texts"):
            fields[said(name)] = localized(value, lang)
        else:
            fields[said(name)] = value
    quotes = record.get("quotes", {})
    cite = {said(f): list(ids) for f, ids in record.get("cite", {}).items()}  # by the names of `fields`
    cited_sources = [
        {
            **_source_row(base.get(s)),
            "quote": quotes.get(s),
            "states": [f for f, ids in cite.items() if s in ids],
        }
        for s in record.get("sources", [])
        if base.find(s)
    ]
    if table == "sources":  # what the source supports: the records that cite it
        others = [r["id"] for t in KINDS for r in base.records(t) if rid in r.get("sources", ())]
    else:
        others = base.referrers(rid)
    referred = [
        {"id": other, "type": KINDS[base.kind(other)].singular, "name": base.label(other, lang)}
        for other in others
    ]
    row = {"positions": position_row, "memberships": membership_row}.get(table)
    if row is None and table in HAPPENINGS:
        row = happening_row
    data = {
        "id": rid,
        "type": kind.singular,
        "name": base.label(rid, lang),
        "status": row(base, record, lang, as_of)["status"] if row else None,
        "fields": fields,
        "cite": cite,
        "sources": cited_sources,
        "alternatives": _alternatives(record),
        "referred_by": referred,
    }
    return Card("show", data)


def _source_row(record: Record) -> Row:
    """A source as every view shows it: id, name (its title), publisher, date, URL."""
    keys = ("publisher", "date", "dated", "after", "before", "url", "lang")
    return {"id": record["id"], "name": record.get("title"), **{k: record.get(k) for k in keys}}


def disputes(base: FactBase, lang: str, as_of: dt.date) -> Listing:
    """Every record known on `as_of` with conflicting values: the preferred one (the record's
    own, official sources first) and each other value, with its sources; what a
    fact-checker reads first."""
    rows = []
    for table in KINDS:
        for record in _known_on(base, base.records(table), as_of):
            # The record's own field names: its preferred value is read by them.
            for raw, alternative in zip(record.get("alternatives", ()), _alternatives(record), strict=True):
                field = alternative.pop("field")
                rows.append(
                    {
                        "id": record["id"],
                        "type": KINDS[table].singular,
                        "name": base.label(record["id"], lang),
                        "field": field,
                        # Each side, only the sources that state it: a source is on one side.
                        "preferred": {
                            "value": record.get(raw["field"]),
                            "sources": stating(record, raw["field"]),
                        },
                        "other": alternative,
                        "confidence": record.get("confidence", "high"),
                    }
                )
    return Listing("disputes", rows)


def sources(base: FactBase, as_of: dt.date) -> Listing:
    """The source register as it could stand on `as_of` (no page surely published later), in
    file order."""
    rows = [
        {
            **_source_row(r),
            "confidence": r.get("confidence", "high"),
            "inferred_from": r.get("inferred"),
            "note": r.get("note"),
        }
        for r in base.records("sources")
        if not _published_after(r, as_of)
    ]
    return Listing("sources", rows)


def completions(base: FactBase, table: str, incomplete: str, lang: str) -> list[tuple[str, str]]:
    """Shell completions for a name being typed: (candidate, description) pairs.

    `table` is the kind of entity the argument takes (commands.Argument.completes): a table of the
    base, or "alliances", the organizations that `members` and `tree` accept.

    Matching folds case and accents like lookup does; but shells (and Typer) keep only
    candidates that start with the text as typed, so each entity is offered in the forms
    that do: its id, its folded name as a slug ('baden-wurttemberg'), its display names.
    Spaces become hyphens (lookup folds them back), since bash would split a candidate.
    A shell prints candidates and descriptions to the terminal, one a line: a name holding
    a control character or a line break is offered only as its id and folded forms, and
    descriptions are escaped (escape.clean), for both the fast path and Typer.
    """
    alliances = table == "alliances"  # members and tree take no other organization
    found: dict[str, str] = {}
    for key, rid in base.names("organizations" if alliances else table).complete(incomplete):
        if alliances and base.get(rid).get("kind") not in ALLIANCE_KINDS:
            continue
        label = base.label(rid, lang)
        names = [rid, key, label, base.label(rid, "it" if lang == "en" else "en")]
        forms = [form for form in (name.replace(" ", "-") for name in names) if form.startswith(incomplete)]
        if not forms:  # typed with capitals or accents ('Baden-Wü', 'Beiß'): kept as typed,
            forms = [_as_typed(incomplete, key)]  # completed with the rest of the folded name
        for form in forms:
            if form not in found and form.isprintable():
                found[form] = clean(label, lines=False)
    return sorted(found.items(), key=lambda item: (item[0].lower(), item[0]))


def _as_typed(typed: str, key: str) -> str:
    """`typed` followed by what its folded form lacks of `key`: 'Beiß' + 'wenger'. Lookup folds
    the candidate back to `key`."""
    rest = key[len(fold(typed)) :]
    if typed and not typed[-1].isalnum():
        rest = rest.lstrip()
    return typed + rest.replace(" ", "-")


def tree(base: FactBase, alliance: str, lang: str, as_of: dt.date) -> Card:
    """An alliance, its chairs over time and its members by country."""
    org = _alliance(base, alliance, lang)
    listing = _members(base, org, lang, as_of)
    countries: dict[str, list[Row]] = {}
    for row in sorted(listing.rows, key=lambda r: (r["country"], r["name"])):
        countries.setdefault(row["country"], []).append(
            {
                k: row[k]
                for k in (
                    "id",
                    "name",
                    "since",
                    "role",
                    "status",
                    "last_confirmed",
                    *ROLE_FACTS,
                    "sources",
                    "confidence",
                )
            }
        )
    data = {
        "id": org,
        "name": base.label(org, lang),
        "acronym": base.get(org).get("acronym"),
        "chairs": _chairs(base, org, lang, as_of),
        "members": {k: v for k, v in listing.caption.items() if k != "organization"},
        "countries": [{"country": code, "members": rows} for code, rows in countries.items()],
        "sources": list(base.get(org)["sources"]),
    }
    return Card("tree", data)
