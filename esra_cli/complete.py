"""bash's Tab completion of names, answered without importing Typer.

bash runs `esra` on every Tab with _ESRA_COMPLETE=complete_bash, COMP_WORDS and COMP_CWORD
set (Typer's protocol, installed by `esra --install-completion`). When the word under the
cursor is the NAME a query command takes (`esra person gu<Tab>`), the candidates come from
the cache like any lookup, printed as Typer prints them: one per line. Anything else goes
to Typer, which owns the protocol: commands and options, quoted words, zsh and fish (whose
descriptions Typer renders through Rich). tests/test_complete.py checks both agree.
"""

from __future__ import annotations

import os

from esra_cli.answers import COMPLETES, QUERIES
from esra_cli.fastpath import parse


def run() -> int | None:
    """Print bash's candidates and return 0, or None to let Typer complete."""
    if os.environ.get("_ESRA_COMPLETE") != "complete_bash":
        return None
    line = os.environ.get("COMP_WORDS", "")
    try:
        current = int(os.environ.get("COMP_CWORD", ""))
    except ValueError:
        return None
    if any(ch in line for ch in "\"'\\"):
        return None  # Typer splits quoted words as a shell would; plain words split alike
    words = line.split()
    typed = words[current] if current < len(words) else ""
    args = words[1:current]
    if typed.startswith("-") or "--" in args:
        return None
    call = parse([*args, typed])
    if call is None or call.command not in COMPLETES or call.args.get(QUERIES[call.command][0][0]) != typed:
        return None  # not a query command's NAME: an option's value, a command, a second word
    from esra_cli import cache, locate, query, render
    from esra_cli.errors import EsraError

    table = COMPLETES[call.command]
    try:
        path = locate.find(call.facts)
        entry = cache.entry_for(path)
        key = "\0".join(["complete", table, typed, call.lang])  # Tab, Tab: the second is kept
        text = cache.answer(entry, key) if entry else None
        if text is None:
            offered = query.completions(cache.open_base(path), table, typed, call.lang)
            text = "".join(f"{value}\n" for value, _ in offered) or "\n"
            if entry:
                cache.keep_answer(entry, key, text)
    except EsraError:
        text = "\n"  # a broken base: nothing to offer, and no error in the middle of a prompt
    render.write_answer(text, table=False)
    return 0
