"""What the front doors share: languages, the default alliance, and the environment variables.

The fast path, the Typer app, completion and the compiled base each read these from here,
so a new language or a renamed variable is one edit. (The query commands, their parameters
and the output formats are in commands.py; exit codes with their errors in errors.py.)
"""

from __future__ import annotations

import os

LANGS = ("en", "it")  # the languages esra answers in; the first is the default
DEFAULT_ALLIANCE = "esra"  # `members` and `tree` without an ALLIANCE

FACTS_ENV = "ESRA_FACTS"  # the fact base to read, as --facts
LANG_ENV = "ESRA_LANG"  # the language, as --lang
CACHE_ENV = "ESRA_CACHE"  # "off", or the folder of compiled bases
DEBUG_ENV = "ESRA_DEBUG"  # "1": tracebacks, and why the cache folder is not used


def debug() -> bool:
    """Whether the user asked for tracebacks and diagnostics (ESRA_DEBUG=1)."""
    return os.environ.get(DEBUG_ENV) == "1"
