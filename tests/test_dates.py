"""Dates at their source's precision: parsing, periods, status and display."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esra_cli import dates


@given(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_a_day_parses_as_the_calendar_says(day: dt.date) -> None:
    text = day.isoformat()
    assert dates.parse(text) == (day.year, day.month, day.day)
    assert dates.first_day(text) == dates.last_day(text) == day


@given(st.integers(1, 9998), st.integers(1, 12))  # 9999-12 has no day after it
def test_a_month_is_a_period_from_its_first_to_its_last_day(year: int, month: int) -> None:
    text = f"{year:04d}-{month:02d}"
    first, last = dates.first_day(text), dates.last_day(text)
    assert (first.day, first.month, last.month) == (1, month, month)
    assert (last + dt.timedelta(days=1)).month != month


@pytest.mark.parametrize(
    "text",
    [
        "2025-1",
        "25",
        "2025-13",
        "2025-00",
        "2025-02-30",
        "0000",
        "2025/01",
        "2025-01-01T00:00",
        "",
        "２０２５",
    ],
)
def test_malformed_dates_are_rejected(text: str) -> None:
    assert not dates.is_valid(text)


@pytest.mark.parametrize(
    ("text", "en", "it"),
    [
        ("2025", "2025", "2025"),
        ("2025-01", "January 2025", "gennaio 2025"),
        ("2024-11-08", "8 November 2024", "8 novembre 2024"),
    ],
)
def test_display_keeps_the_precision(text: str, en: str, it: str) -> None:
    assert (dates.display(text, "en"), dates.display(text, "it")) == (en, it)


@pytest.mark.parametrize(
    ("start", "end", "on", "confirmed", "expected"),
    [
        ("2025-01", "2025", "2024-12-31", None, "upcoming"),
        ("2025-01", "2025", "2025-01-01", None, "current"),  # a month begins on its first day
        ("2025-01", "2025", "2025-12-31", "2025-12", "current"),  # a year lasts through its last day
        ("2025-01", "2025", "2025-12-31", None, "presumed current"),  # not seen since January
        ("2025-01", "2025", "2026-01-01", None, "past"),
        ("2024", "2026-02-04", "2026-02-03", "2026-02-03", "current"),
        ("2024", "2026-02-04", "2026-02-04", "2026-02-04", "past"),  # a handover day is the successor's
        ("2024", "2026-02-04", "2026-02-05", None, "past"),
        (None, None, "2026-11-25", None, "presumed current"),  # never confirmed at all
        (None, None, "2026-11-25", "2026-06-01", "current"),  # 177 days: still fresh
        ("2025-01-01", None, "2026-11-27", "2025-09-14", "presumed current"),  # 439 days
        ("2025-01-01", None, "2025-03-01", "2025-09-14", "current"),  # confirmed after the date
    ],
)
def test_status_compares_coarse_dates_honestly(
    start: str | None, end: str | None, on: str, confirmed: str | None, expected: str
) -> None:
    assert dates.status(start, end, dt.date.fromisoformat(on), confirmed) == expected


@pytest.mark.parametrize(
    ("start", "end", "lo", "hi", "kept"),
    [
        ("2025", None, "2025-06", None, True),  # "2025" overlaps June 2025 onwards
        ("2025-01", None, "2025-06", None, False),
        ("2024-11-07", "2024-11-08", None, "2024-11-07", True),
        ("2026", None, None, "2025-12-31", False),
    ],
)
def test_overlap_of_a_period_and_a_range(
    start: str, end: str | None, lo: str | None, hi: str | None, kept: bool
) -> None:
    assert dates.overlaps(start, end, lo, hi) is kept
