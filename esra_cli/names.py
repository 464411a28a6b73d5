"""One name index: folding, matching, suggestions. Lookup, "did you mean" and completion share it.

Matching rules (README, "Name lookup"): case, accents and punctuation are ignored; an exact
match on any name wins over a prefix; a unique prefix is accepted; equal matches of two
entities are ambiguous; nothing is ever guessed.
"""

from __future__ import annotations

from esra_cli.errors import Ambiguous, NotFound

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

MAX_CANDIDATES = 8


def fold(text: str) -> str:
    """Lowercase, strip accents, punctuation to single spaces: 'Baden-Württemberg' -> 'baden wurttemberg'."""
    return " ".join(words(text))


# ASCII punctuation and '_' become spaces; letters are lowered by casefold first.
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


def words(text: str) -> list[str]:
    """The folded words of a text."""
    if text.isascii():  # most names: one C-level pass instead of a loop over characters
        return text.lower().translate(_ASCII_SEPARATORS).split()
    import unicodedata  # only for non-ASCII text: most names never pay for it

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Letters and digits make words; everything else (punctuation, '_', marks) separates.
    return "".join(ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)).split()


def name_keys(named: Iterable[tuple[str, Iterable[str]]], each_word: bool = False) -> dict[str, list[str]]:
    """Folded key -> ids, from pairs of an entity id and every string that names it.

    The id itself is a key. With `each_word`, each word of a name is a key too (a person's
    surname or first name).
    """
    keys: dict[str, list[str]] = {}
    separators = _ASCII_SEPARATORS
    for rid, texts in named:
        found = {rid.replace("-", " ")}  # an id is a slug: this is its fold
        for text in texts:
            # fold(), inlined for ASCII: this runs for every name of every entity.
            key = " ".join(text.lower().translate(separators).split()) if text.isascii() else fold(text)
            found.add(key)
            if each_word:
                found.update(key.split())
        found.discard("")
        for key in found:
            ids = keys.get(key)
            if ids is None:
                keys[key] = [rid]
            else:
                ids.append(rid)
    return keys


class NameIndex:
    """Folded names of entities; answers one lookup by id or raises NotFound / Ambiguous."""

    def __init__(self, keys: Callable[[str | None], dict[str, list[str]]]) -> None:
        """`keys(prefix)` maps folded names to the ids they name (see `name_keys`): at least every
        name starting with `prefix`, or all of them for None. A large base loads only those."""
        self._keys = keys

    def lookup(self, query: str, what: str, label: Callable[[str], str]) -> str:
        """The one id `query` names. `what` says what was looked for; `label` names ids in messages."""
        key = fold(query)
        keys = self._keys(key) if key else {}
        exact = set(keys.get(key, []))
        if len(exact) == 1 or query in exact:  # an id typed as it is names its record
            return query if query in exact else next(iter(exact))
        matches = exact or {rid for k, ids in keys.items() if k.startswith(key) for rid in ids}
        if not matches and key:
            # A miss is confirmed against every name before it is said: reading them all
            # checks them all, so a damaged index of a compiled base cannot hide a match.
            keys = self._keys(None)
            exact = set(keys.get(key, []))
            matches = exact or {rid for k, ids in keys.items() if k.startswith(key) for rid in ids}
        if len(matches) == 1 or len(exact) == 1:
            return next(iter(exact if len(exact) == 1 else matches))
        if matches:
            shown = ", ".join(f"{rid} ({label(rid)})" for rid in sorted(matches)[:MAX_CANDIDATES])
            more = f", and {len(matches) - MAX_CANDIDATES} more" if len(matches) > MAX_CANDIDATES else ""
            raise Ambiguous(f"{what} {query!r} is ambiguous: {shown}{more}")
        raise NotFound(f"no {what} matches {query!r}{self._suggestion(key, keys, label)}")

    def _suggestion(self, key: str, keys: dict[str, list[str]], label: Callable[[str], str]) -> str:
        import difflib

        close = difflib.get_close_matches(key, keys, n=5, cutoff=0.6)
        return did_you_mean(list(dict.fromkeys(rid for k in close for rid in sorted(keys[k]))), label)

    def complete(self, prefix: str) -> Iterator[tuple[str, str]]:
        """(key, id) pairs whose folded key starts with the folded prefix."""
        start = fold(prefix)
        for key, ids in sorted(self._keys(start or None).items()):
            if key.startswith(start):
                for rid in sorted(ids):
                    yield key, rid


def did_you_mean(ids: list[str], label: Callable[[str], str]) -> str:
    """ "; did you mean lombardia (Lombardy)?" for up to three ids, or "" for none."""
    if not ids:
        return ""
    return "; did you mean " + " or ".join(f"{rid} ({label(rid)})" for rid in ids[:3]) + "?"


def entity_names(record: dict[str, Any]) -> list[str]:
    """Every string that names an entity besides its id: names in all languages, acronym, aliases."""
    name = record.get("name", "")
    names: list[str] = list(name.values()) if isinstance(name, dict) else [name]
    if "acronym" in record:
        names.append(record["acronym"])
    return names + list(record.get("aliases", []))


def table_name_keys(table: str, records: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The name index of one kind of entity; people are also named by each name alone."""
    return name_keys(((r["id"], entity_names(r)) for r in records), each_word=table == "people")
