"""One name index: folding, matching, suggestions. Lookup, "did you mean" and completion share it.

Matching rules (README, "Name lookup"): case, accents and punctuation are ignored; an exact
match on any name wins over a prefix; a unique prefix is accepted; equal matches of two
entities are ambiguous; nothing is ever guessed.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from esra_cli.errors import Ambiguous, NotFound

_WORD = re.compile(r"[^\W_]+")
MAX_CANDIDATES = 8


def fold(text: str) -> str:
    """Lowercase, strip accents, punctuation to single spaces: 'Baden-Württemberg' -> 'baden wurttemberg'."""
    return " ".join(words(text))


def words(text: str) -> list[str]:
    """The folded words of a text."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(bare)


@dataclass(frozen=True, slots=True)
class Entry:
    """A folded key that names an entity, and the id of that entity."""

    key: str
    id: str


class NameIndex:
    """Folded names of entities; answers one lookup by id or raises NotFound / Ambiguous."""

    def __init__(self, names: Iterable[tuple[str, Iterable[str]]]) -> None:
        """`names` pairs each entity id with every string that names it."""
        self._keys: dict[str, set[str]] = {}
        for rid, texts in names:
            for text in texts:
                key = fold(text)
                if key:
                    self._keys.setdefault(key, set()).add(rid)

    def lookup(self, query: str, what: str, label: dict[str, str]) -> str:
        """The one id `query` names. `what` says what was looked for; `label` names ids in messages."""
        key = fold(query)
        exact = self._keys.get(key, set()) if key else set()
        if len(exact) == 1:
            return next(iter(exact))
        matches = exact or {rid for k, ids in self._keys.items() if key and k.startswith(key) for rid in ids}
        if len(matches) == 1:
            return next(iter(matches))
        if matches:
            shown = ", ".join(f"{rid} ({label.get(rid, rid)})" for rid in sorted(matches)[:MAX_CANDIDATES])
            more = f", and {len(matches) - MAX_CANDIDATES} more" if len(matches) > MAX_CANDIDATES else ""
            raise Ambiguous(f"{what} {query!r} is ambiguous: {shown}{more}")
        raise NotFound(f"no {what} matches {query!r}{self._suggestion(key, label)}")

    def _suggestion(self, key: str, label: dict[str, str]) -> str:
        close = difflib.get_close_matches(key, self._keys, n=5, cutoff=0.6)
        ids = list(dict.fromkeys(rid for k in close for rid in sorted(self._keys[k])))
        if not ids:
            return ""
        return "; did you mean " + " or ".join(f"{rid} ({label.get(rid, rid)})" for rid in ids[:3]) + "?"

    def complete(self, prefix: str) -> Iterator[tuple[str, str]]:
        """(key, id) pairs whose folded key starts with the folded prefix."""
        start = fold(prefix)
        for key, ids in sorted(self._keys.items()):
            if key.startswith(start):
                for rid in sorted(ids):
                    yield key, rid
