"""`esra check`: every problem of one fact base file, and of its quotes against a source text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from esra_cli.check import Problem, quote_problems, quotes_of
from esra_cli.errors import InvalidFacts, UsageError
from esra_cli.facts import diagnose, read_bytes
from esra_cli.schema import KINDS


@dataclass
class Report:
    """What `check` found, and how much it looked at."""

    problems: list[Problem] = field(default_factory=list)
    records: int = 0
    quotes_checked: int = 0
    source_id: str | None = None


def run(path: Path, against: Path | None, source_id: str | None) -> Report:
    """Check the base at `path`; with `against`, check the quotes of `source_id` in that text."""
    raw, text, found = diagnose(path)
    report = Report(found)
    if raw is None:
        return report
    report.records = sum(len(v) for k, v in raw.items() if k in KINDS and isinstance(v, list))
    if against is not None:
        meta = raw.get("meta")
        source_id = source_id or (meta.get("announcement") if isinstance(meta, dict) else None)
        if not isinstance(source_id, str):
            raise InvalidFacts(f"{path}: no [meta] announcement; pass --source-id")
        records = [r for t in KINDS if isinstance(raw.get(t), list) for r in raw[t] if isinstance(r, dict)]
        # A check that finds nothing to check is no pass: a mistyped id would make it one.
        if not any(r.get("id") == source_id for r in raw.get("sources", []) if isinstance(r, dict)):
            raise UsageError(f"--source-id {source_id!r} is not in the source register of {path}")
        report.quotes_checked = sum(len(quotes_of(r, source_id)) for r in records)
        if not report.quotes_checked:
            raise UsageError(f"no record quotes {source_id!r}: nothing to check against {against}")
        source_text = read_bytes(against, "source text").decode("utf-8", errors="replace")
        report.source_id = source_id
        report.problems += quote_problems(raw, source_text, source_id, text)
    return report
