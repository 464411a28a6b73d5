"""How `search` and the filters of `who` and `what` match words, rank records and show why.

A word of the query matches a word of a record, case and accents folded as names are
(names.fold), in one of three ways, best first:

    0  the same word                        "turin" finds "Turin"
    1  a word on the query word's stem,     "ecosystems" finds "Ecosystem", "intese" "intesa"
       Italian or English, with at most
       MAX_ENDING more letters
    2  a word it starts                     "micro" finds "microelettronica", "turin" "Turingia"

A record matches when every word of the query matches one of its words, in any language;
its rank is the sum of its words' ranks, so whole words and stems come before prefixes.
Stems come from snowballstemmer, imported here only, when a query has words.
"""

from __future__ import annotations

import re
import sys

from esra_cli import dates
from esra_cli.i18n import word
from esra_cli.kinds import KINDS
from esra_cli.names import entity_names, words

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

    from esra_cli.facts import FactBase

    Named = Callable[[str], list[str]]  # a linked record's id -> what it is called

MAX_ENDING = 3  # letters a word may have beyond the stem: "intes" -> "intesa", not "intestazione"
MIN_STEM = 4  # shorter stems ("cha" for Italian "chair") would match too much
SNIPPET = 60  # characters of context either side of the first match in a long text
_WORD = re.compile(r"\w+")
SKIPPED = {"url"}  # a URL's words are not the record's


class Term:
    """One word of a query: its folded form, and its stems in Italian and English."""

    __slots__ = ("stems", "word")

    def __init__(self, word: str) -> None:
        self.word = word
        # Stems that keep the word's first MIN_STEM letters: the index's prefix (`prefix`)
        # then covers every word a stem matches, as a scan would find it.
        self.stems = {
            s for s in _stemmed(word) if len(s) >= MIN_STEM and s != word and s[:MIN_STEM] == word[:MIN_STEM]
        }

    def rank(self, have: str) -> int | None:
        """0, 1 or 2 as the module says, or None when `have` (a folded word) does not match."""
        if have == self.word:
            return 0
        if any(have.startswith(s) and len(have) - len(s) <= MAX_ENDING for s in self.stems):
            return 1
        return 2 if have.startswith(self.word) else None

    def prefix(self) -> str:
        """The shortest start any matching word has: for an index's prefix query."""
        from os.path import commonprefix  # a plain string function, despite its module

        return commonprefix([self.word, *self.stems])  # noqa: RUF071 - characters are wanted


def _stemmed(word: str) -> list[str]:
    if not _STEMMERS:
        _STEMMERS.extend(_stemmers())
    return [stemmer.stemWord(word) for stemmer in _STEMMERS]


def _stemmers() -> list[Any]:
    """snowballstemmer's Italian and English stemmers, imported alone.

    Its package imports all of its thirty-odd languages (13 ms, more than a whole lookup
    takes); the two modules take 2 ms. They are imported under a stand-in for the package,
    removed again at once, so that a later `import snowballstemmer` runs the real one.
    """
    name = "snowballstemmer"
    spec = (
        None
        if name in sys.modules
        else next(filter(None, (f.find_spec(name, None) for f in sys.meta_path)), None)
    )
    if spec is None or spec.submodule_search_locations is None:
        import snowballstemmer  # type: ignore[import-untyped]

        return [snowballstemmer.stemmer(lang) for lang in ("italian", "english")]
    stand_in = type(sys)(name)
    stand_in.__path__ = list(spec.submodule_search_locations)
    sys.modules[name] = stand_in
    try:
        from snowballstemmer.english_stemmer import EnglishStemmer  # type: ignore[import-untyped]
        from snowballstemmer.italian_stemmer import ItalianStemmer  # type: ignore[import-untyped]
    finally:
        del sys.modules[name]
    return [ItalianStemmer(), EnglishStemmer()]


_STEMMERS: list[Any] = []


def terms(query: str | None) -> list[Term]:
    """The query's words as terms; none for an empty query (which matches everything)."""
    return [Term(word) for word in dict.fromkeys(words(query or ""))]


def rank(wanted: list[Term], texts: Iterable[str]) -> int | None:
    """The rank of a record whose strings are `texts`, or None when a term matches none of them.
    An empty query matches every record without reading `texts`, which may be lazy."""
    if not wanted:
        return 0
    have = {w for text in texts for w in words(text)}
    total = 0
    for term in wanted:
        best = min((r for h in have if (r := term.rank(h)) is not None), default=None)
        if best is None:
            return None
        total += best
    return total


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def searchable(table: str, record: dict[str, Any], named: Named) -> Iterator[tuple[str, str]]:
    """A record's words by field, in every language (`name_it`, `topics_en`), its kind's name
    among them; then the names of the records it links (`signatories`: "Eric Beißwenger"),
    as `named` gives them, and its dates in words in both languages (`date_it`: "8 novembre
    2024"): a search finds a declaration by its signatory's name or its day."""
    skipped, kind_words, _, _ = _of_kind(table)
    yield "kind", kind_words
    for name, value in record.items():
        if name in skipped:
            continue
        if isinstance(value, dict):
            for part, inner in value.items():
                yield from ((f"{name}_{part}", text) for text in _strings(inner))
        else:
            yield from ((name, text) for text in _strings(value))
    yield from _linked(table, record, named)


def indexed(table: str, record: dict[str, Any], named: Named) -> str:
    """The folded words `searchable` yields, as one string: a record's row of the search
    index. Written for speed (the compiled base makes one for every record)."""
    skipped, kind_words, _, _ = _of_kind(table)
    parts = [kind_words]
    for name, value in record.items():
        if name not in skipped:
            if type(value) is str:
                parts.append(value)
            else:
                parts.extend(_strings(value))
    parts.extend(text for _, text in _linked(table, record, named))
    return " ".join(words(" ".join(parts)))


# Whose posts `who` lists with a person or an organization: the field of a position naming it.
HOLDER = {"people": "person", "organizations": "organization"}


def referenced(table: str, record: dict[str, Any]) -> Iterator[str]:
    """The ids a record links to, its sources aside: what the who/what filters match it by
    besides its words (query._texts)."""
    for field in KINDS[table].references:
        if field.name != "sources":
            value = record.get(field.name)
            yield from [value] if isinstance(value, str) else value or []


def filtered(table: str, record: dict[str, Any], base: FactBase, posts: dict[str, str]) -> str:
    """A record's row in the filters' column of the search index: the ids it links to and,
    for a person or an organization, its posts' words (`posts`: their rows of the index) and
    links. With its own words, what the who/what filters match it by (query._texts), so the
    index narrows a filter as it narrows a search."""
    parts = list(referenced(table, record))
    holder = HOLDER.get(table)
    if holder is not None:
        for other in base.referrers(record["id"]):
            post = base.get(other) if other in posts else None
            if post is not None and post.get(holder) == record["id"]:
                parts += [posts[other], *referenced("positions", post)]
    return " ".join(words(" ".join(parts)))


def _linked(table: str, record: dict[str, Any], named: Named) -> Iterator[tuple[str, str]]:
    _, _, links, days = _of_kind(table)
    for name in links:
        value = record.get(name)
        for rid in [value] if isinstance(value, str) else value or ():
            yield from ((name, text) for text in named(rid))
    for name in days:
        if name in record and dates.is_valid(record[name]):
            yield from ((f"{name}_{lang}", dates.display(record[name], lang)) for lang in ("en", "it"))


def names_of(record: dict[str, Any] | None) -> list[str]:
    """What a linked record is called, in every language: an entity's names, acronym and
    aliases, an event's or agreement's title."""
    return [] if record is None else [*entity_names(record), *_strings(record.get("title"))]


def namer(base: FactBase) -> Named:
    """What each record of `base` is called (names_of), by its id: what `searchable` and
    `indexed` read a record's links by."""

    def named(rid: str) -> list[str]:
        found = base.find(rid)
        return names_of(found[1] if found else None)

    return named


def _of_kind(table: str) -> tuple[set[str], str, tuple[str, ...], tuple[str, ...]]:
    """What a kind's records are searched by, worked out once a kind: the fields whose words
    are not its own (references, URLs), its name's words, its references to other records
    (not its sources) and its dates that say when it happened (not when a source confirmed
    it, or bounds a page's date)."""
    if table not in _KINDS:
        kind = KINDS[table]
        skipped = SKIPPED | {f.name for f in kind.fields if f.refs}
        links = tuple(f.name for f in kind.references if f.name not in ("sources", "confirmed_by"))
        days = tuple(
            f.name for f in kind.fields if f.type == "date" and f.name not in ("confirmed", "after", "before")
        )
        _KINDS[table] = (skipped, f"{kind.singular} {word(kind.singular, 'it')}", links, days)
    return _KINDS[table]


_KINDS: dict[str, tuple[set[str], str, tuple[str, ...], tuple[str, ...]]] = {}


def snippets(wanted: list[Term], fields: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """Where the terms matched: each field's text (cut to "..." around the first match when long),
    with `marks`, the [start, end) offsets of the matching words in that text."""
    found = []
    for field, text in fields:
        spans = [
            (m.start(), m.end())
            for m in _WORD.finditer(text)
            if any(t.rank(w) is not None for t in wanted for w in words(m.group()))
        ]
        if not spans:
            continue
        start = 0 if len(text) <= 2 * SNIPPET else max(0, spans[0][0] - SNIPPET)
        end = len(text) if len(text) <= 2 * SNIPPET else min(len(text), spans[0][1] + SNIPPET)
        # "..." rather than "…", which in a table would mean Rich cut a cell.
        shown = ("..." if start else "") + text[start:end] + ("..." if end < len(text) else "")
        offset = (3 if start else 0) - start
        marks = [[a + offset, b + offset] for a, b in spans if a >= start and b <= end]
        found.append({"field": field, "text": shown, "marks": marks})
    return found
