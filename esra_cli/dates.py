"""ISO 8601 dates at the precision their source gives: "2024", "2024-11", "2024-11-08".

A coarse date is a period: "2025-01" runs from 1 to 31 January. Comparisons use the
period's first or last day, so a coarse date is never padded into a false precise one.
"""

from __future__ import annotations

import datetime as dt

from esra_cli.i18n import word

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "it": [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ],
}


_DIGITS = {4: 4, 7: 6, 10: 8}  # length of "2025", "2025-01", "2025-01-31" -> digits in it


def parse(value: str) -> tuple[int, int | None, int | None]:
    """Split an ISO date into year, month and day; raise ValueError if it is not one."""
    # A base repeats its dates and checks parse each several times; functools would cost
    # more to import than this memo saves on a small base.
    known = _PARSED.get(value)
    if known is not None:
        return known
    parsed = _parse(value)
    if len(_PARSED) < 4096:
        _PARSED[value] = parsed
    return parsed


_PARSED: dict[str, tuple[int, int | None, int | None]] = {}


def _parse(value: str) -> tuple[int, int | None, int | None]:
    size = len(value)
    digits = value.replace("-", "")
    if (
        _DIGITS.get(size) != len(digits)  # 4, 6 or 8 digits and no other '-'
        or any(value[i] != "-" for i in (4, 7) if i < size)
        or not (digits.isascii() and digits.isdigit())
    ):
        raise ValueError(f"not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")
    year = int(value[:4])
    month = int(value[5:7]) if size > 4 else None
    day = int(value[8:10]) if size > 7 else None
    dt.date(year, month or 1, day or 1)  # raises ValueError for year 0, month 13, 2025-02-30
    if month == 0 or day == 0:
        raise ValueError(f"month or day out of range: {value!r}")
    return year, month, day


def is_valid(value: str) -> bool:
    """Whether `value` is an ISO date at some precision."""
    try:
        parse(value)
    except ValueError:
        return False
    return True


def today() -> dt.date:
    """The machine's date: the one place esra reads the clock.

    Every answer that depends on the day takes that day as an argument (--as-of); only when
    none is given does the front door ask this. Tests pin it here (tests/conftest.py).
    """
    return dt.date.today()


def as_of(value: str | None) -> dt.date:
    """The day an answer is about: --as-of (its last day, for a coarse date), else today."""
    return last_day(value) if value else today()


def first_day(value: str) -> dt.date:
    """The first day of the period the date names."""
    year, month, day = parse(value)
    return dt.date(year, month or 1, day or 1)


def last_day(value: str) -> dt.date:
    """The last day of the period the date names."""
    year, month, day = parse(value)
    if month is None:
        return dt.date(year, 12, 31)
    if day is not None:
        return dt.date(year, month, day)
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


# A post, membership or chair last shown to hold more than this long before the as-of
# date is only presumed to hold (issue 10: "six months").
FRESH_DAYS = 183
# A post or chair last shown to hold more than this long before the as-of date is of
# unknown status (issue 17: "18 months"); a membership of an alliance is presumed to go on.
STALE_DAYS = 548
# The words a period's status may take on an as-of date, in the order tables sort them.
STATUSES = ("current", "presumed current", "status unknown", "not known then", "past", "upcoming")


def over_from(end: str) -> dt.date:
    """The first day on which a period ending `end` is over. A day is the day it passed (the
    day of a handover belongs to the successor); a month or a year runs to its last day."""
    return first_day(end) if parse(end)[2] is not None else last_day(end) + dt.timedelta(days=1)


def status(
    start: str | None,
    end: str | None,
    as_of: dt.date,
    confirmed: str | None = None,
    *,
    expires: bool = False,
    attested: bool = True,
    succeeded: str | None = None,
) -> str:
    """What is known on `as_of` of a period: one of STATUSES.

    'upcoming' before its start, 'past' once its end has passed (over_from). Otherwise: 'not
    known then' when its start is unknown and no source by then attests it (`attested`);
    'current' when last confirmed (or, without that, begun) within FRESH_DAYS, else 'presumed
    current'. A post or chair (`expires`) is 'status unknown' instead once a successor's term
    has begun (`succeeded`, its start) or after STALE_DAYS without confirmation, or when
    nothing dates it at all.
    """
    if start is not None and first_day(start) > as_of:
        return "upcoming"
    if end is not None and as_of >= over_from(end):
        return "past"
    if start is None and not attested:
        return "not known then"
    if expires and succeeded is not None and first_day(succeeded) <= as_of:
        return "status unknown"
    seen = confirmed or start
    if seen is None:
        return "status unknown" if expires else "presumed current"
    age = (as_of - last_day(seen)).days
    if expires and age > STALE_DAYS:
        return "status unknown"
    return "presumed current" if age > FRESH_DAYS else "current"


def overlaps(start: str, end: str | None, lo: str | None, hi: str | None) -> bool:
    """Whether the period start..end shares a day with the range lo..hi (open where None)."""
    if lo is not None and last_day(end or start) < first_day(lo):
        return False
    return hi is None or first_day(start) <= last_day(hi)


def display(value: str, lang: str) -> str:
    """The date in words at its own precision: '2025', 'January 2025', '8 November 2024'."""
    year, month, day = parse(value)
    if month is None:
        return str(year)
    name = MONTHS[lang][month - 1]
    return f"{name} {year}" if day is None else f"{day} {name} {year}"


def display_span(start: str | None, end: str | None, lang: str) -> str:
    """A period in words; an empty string when neither end is known."""
    if start and end and start != end:
        return f"{display(start, lang)} – {display(end, lang)}"
    if start:
        return display(start, lang)
    if end:
        return f"{word('until', lang)} {display(end, lang)}"
    return ""
