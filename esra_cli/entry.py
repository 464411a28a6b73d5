"""The `esra` command's entry point: the process-level policy around the Typer app.

Expected failures are mapped inside the app (cli.EsraGroup). Here: a reader closing the
pipe early is a success, and anything unexpected is one line on stderr and exit 1 (a
traceback only with ESRA_DEBUG=1).
"""

from __future__ import annotations

import os
import sys

from esra_cli.errors import EXIT_INTERNAL, EXIT_OK


def main() -> None:
    """Run esra with sys.argv."""
    from esra_cli import cli

    try:
        cli.app(prog_name="esra")
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        _finish(code)
    except BrokenPipeError:
        cli.silence_stdout()
        _finish(EXIT_OK)
    except Exception as err:  # the last resort: every expected error was mapped already
        if os.environ.get("ESRA_DEBUG") == "1":
            raise
        sys.stderr.write(
            f"esra: internal error: {type(err).__name__}: {err} (ESRA_DEBUG=1 shows a traceback)\n"
        )
        _finish(EXIT_INTERNAL)


def _finish(code: int) -> None:
    """Flush stdout, treating a closed pipe as the reader's choice, then exit with `code`."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        from esra_cli.cli import silence_stdout

        silence_stdout()
        code = code or EXIT_OK
    raise SystemExit(code)
