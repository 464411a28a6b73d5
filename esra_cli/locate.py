"""Where esra finds the fact base. The lookup order is written down here and in the README."""

from __future__ import annotations

from pathlib import Path

from esra_cli.errors import InvalidFacts

FILENAME = "facts.toml"
_PACKAGE = Path(__file__).resolve().parent


def candidates(explicit: Path | None) -> list[Path]:
    """Places to look, in order.

    1. `--facts PATH` or `ESRA_FACTS` (Typer has already merged the two): only that file.
    2. The copy inside the installed package (a wheel carries it as esra_cli/facts.toml).
    3. The checkout's root, for an editable install, where the package has no copy.
    """
    if explicit is not None:
        return [explicit]
    return [_PACKAGE / FILENAME, _PACKAGE.parent / FILENAME]


def find(explicit: Path | None) -> Path:
    """The fact base to read. An explicit path is returned as given, for `load` to judge."""
    if explicit is not None:
        return explicit
    paths = candidates(None)
    found = next((p for p in paths if p.exists()), None)
    if found is None:
        looked = ", ".join(str(p) for p in paths)
        raise InvalidFacts(f"no fact base found (looked in {looked}); pass --facts PATH")
    return found
