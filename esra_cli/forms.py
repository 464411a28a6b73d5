"""`esra add KIND` flags, made from the schema, and the record made back from their values.

One flag per field, named after it: `--id`, `--country`; lists repeat a singular flag
(`--source a --source b`); localized text takes one flag per language (`--name-it`).
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any

import typer

from esra_cli.errors import UsageError
from esra_cli.i18n import article
from esra_cli.kinds import KINDS, Field, Kind

SINGULAR = {
    "sources": "source",
    "aliases": "alias",
    "participants": "participant",
    "parties": "party",
    "signatories": "signatory",
    "subjects": "subject",
    "places": "place",
    "quotes": "quote",
}
_KW = inspect.Parameter.KEYWORD_ONLY
_METAVAR = {
    "id": "ID",
    "ref": "ID",
    "refs": "ID",
    "date": "DATE",
    "int": "N",
    "choice": "VALUE",
    "quotes": "SOURCE=TEXT",
    "cite": "FIELD=SOURCE",
    "country": "CC",
    "nuts": "CODE",
}
# Conflicting values are [[<table>.alternatives]] sub-tables: a curator writes them in the file.
_NO_FLAG = ("alternatives",)
_MANY = ("strs", "refs", "texts", "quotes", "cite")


def _languages(kind: Kind, field: Field) -> tuple[str, ...]:
    return ("it", "en", "local") if (kind.table, field.name) == ("regions", "name") else ("it", "en")


def flags(kind: Kind, field: Field) -> list[tuple[str, str, str | None]]:
    """(parameter name, flag, language) for each flag of a field; language only for text."""
    if field.type in _NO_FLAG:
        return []
    if field.type in ("text", "texts"):
        return [(f"{field.name}_{lang}", f"--{field.name}-{lang}", lang) for lang in _languages(kind, field)]
    flag = SINGULAR.get(field.name, field.name) if field.type in _MANY else field.name
    return [(field.name, f"--{flag.replace('_', '-')}", None)]


def parameters(kind: Kind) -> list[inspect.Parameter]:
    """Typer parameters for every field of `kind`: required fields make required flags."""
    params = []
    for field in kind.fields:
        for name, flag, lang in flags(kind, field):
            required = field.required and lang != "local"
            many = field.type in _MANY
            python_type: Any = list[str] if many else (int if field.type == "int" else str)
            helptext = field.help or _describe(field)
            option = typer.Option(
                flag,
                metavar=_METAVAR.get(field.type, "TEXT"),
                help=helptext + (f" ({lang})" if lang else ""),
                show_default=False,
            )
            default = ... if required else None
            params.append(
                inspect.Parameter(
                    name, _KW, annotation=Annotated[python_type | None, option], default=default
                )
            )
    return params


def _describe(field: Field) -> str:
    if field.choices:
        return "one of " + ", ".join(field.choices)
    if field.refs:
        kinds = " or ".join(KINDS[t].singular for t in field.refs)
        return f"id of {article(kinds)}" + (", repeatable" if field.type == "refs" else "")
    return {"date": "ISO date: YYYY, YYYY-MM or YYYY-MM-DD", "strs": "repeatable"}.get(field.type, "")


def _pairs(field: Field, values: list[str]) -> list[tuple[str, str]]:
    """`--quote SOURCE=TEXT` or `--cite FIELD=SOURCE`, repeated: the (key, value) pairs."""
    pairs = []
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip() or not text.strip():
            flag = SINGULAR.get(field.name, field.name)
            raise UsageError(f"--{flag} takes {_METAVAR[field.type]}, got {value!r}")
        pairs.append((key.strip(), text.strip()))
    return pairs


def _table(field: Field, values: list[str]) -> dict[str, Any]:
    """Source id -> its quote (`--quote`), or field -> the sources that state it (`--cite`)."""
    if field.type == "quotes":
        return dict(_pairs(field, values))
    cited: dict[str, list[str]] = {}
    for name, source in _pairs(field, values):
        cited.setdefault(name, []).append(source)
    return cited


def record(kind: Kind, values: dict[str, Any]) -> dict[str, Any]:
    """The record the flag values describe, fields in schema order, unset ones left out."""
    built: dict[str, Any] = {}
    for field in kind.fields:
        parts = {lang: values.get(name) for name, _, lang in flags(kind, field)}
        if field.type in ("text", "texts"):
            text = {lang: value for lang, value in parts.items() if value}
            if text:
                built[field.name] = text
        elif field.type in _NO_FLAG:
            continue
        elif (value := parts[None]) not in (None, []):
            built[field.name] = _table(field, value) if field.type in ("quotes", "cite") else value
    return built
