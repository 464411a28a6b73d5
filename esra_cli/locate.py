"""Where esra finds the fact base. The lookup order is written down here and in the README."""

from __future__ import annotations

import os

from esra_cli.errors import InvalidFacts

FILENAME = "facts.toml"
_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def candidates(explicit: str | os.PathLike[str] | None) -> list[str]:
    """Places to look, in order.

    1. `--facts PATH` or `ESRA_FACTS` (Typer has already merged the two): only that file.
    2. The copy inside the installed package (a wheel carries it as esra_cli/facts.toml).
    3. The checkout's root, for an editable install, where the package has no copy.
    """
    if explicit is not None:
        return [os.fspath(explicit)]
    return [os.path.join(_PACKAGE, FILENAME), os.path.join(os.path.dirname(_PACKAGE), FILENAME)]


def find(explicit: str | os.PathLike[str] | None) -> str:
    """The fact base to read. An explicit path is returned as given, for `load` to judge."""
    paths = candidates(explicit)
    if explicit is not None:
        return paths[0]
    found = next((p for p in paths if os.path.exists(p)), None)
    if found is None:
        raise InvalidFacts(f"no fact base found (looked in {', '.join(paths)}); pass --facts PATH")
    return found
