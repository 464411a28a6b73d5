"""The `esra` command's entry point: the process-level policy around `dispatch`, the front door.

Query commands go through the fast path (fastpath.py), a shell's completion of a name
through complete.py; everything else (help, usage errors, writes) through the Typer app.
Here, for all three: esra's own errors become their exit codes (`answered`), a reader
closing the pipe early is a success, anything unexpected is one line on stderr and exit 1
(a traceback only with ESRA_DEBUG=1), and the process ends with os._exit once output is flushed,
skipping an interpreter teardown that costs a fifth of a short run.
"""

from __future__ import annotations

import gc
import os
import sys

from esra_cli import settings
from esra_cli.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_OUTPUT, EsraError
from esra_cli.escape import clean

TYPE_CHECKING = False  # typing costs milliseconds to import on the fast path
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO


def main() -> None:
    """Run esra with sys.argv: the process around `dispatch`."""
    # A short-lived process with no reference cycles worth collecting: the cyclic GC would
    # only rescan the objects a parse or a table makes (measured on the shipped base, medians
    # of 40 runs: `members --json` 46.4 -> 44.5 ms, a piped `members` 108.6 -> 101.8 ms).
    gc.disable()
    _standard_streams()
    _finish(dispatch(sys.argv[1:]))


def dispatch(argv: list[str]) -> int:
    """Answer one command line on sys.stdout and sys.stderr; return its exit code.

    The front door that the `esra` command and the in-process tests share: a shell's
    completion request goes to complete.py, a query command the fast path understands to
    fastpath.py, everything else to the Typer app. Whatever escapes them becomes its
    documented exit code here.
    """
    return answered(lambda: _route(argv))


def through_typer(argv: list[str] | None = None) -> int:
    """The Typer app alone (no fast path), its failures mapped as `dispatch` maps them: what
    the other front door answers, for the tests that hold the two doors equal."""
    return answered(lambda: _run_typer(argv))


def _route(argv: list[str]) -> int:
    if "_ESRA_COMPLETE" in os.environ:  # a shell asking for completions
        from esra_cli import complete

        code = complete.run()
    else:
        from esra_cli import fastpath

        code = fastpath.run(argv)
    return _run_typer(argv) if code is None else code


def answered(answer: Callable[[], int]) -> int:
    """The exit code of an answer: the one place that maps what escapes a command (an
    EsraError, a reader gone, Ctrl-C, an unexpected error) to its documented code."""
    try:
        return answer()
    except BrokenPipeError:
        return EXIT_OK
    except EsraError as err:  # any command's, either door: mapped here alone
        from esra_cli import render

        render.error(str(err))
        return err.exit_code
    except KeyboardInterrupt:  # Ctrl-C: quietly, with the code the Typer app gives it too
        return EXIT_INTERRUPTED
    except Exception as err:  # the last resort: every expected error was mapped already
        if settings.debug():
            raise
        from esra_cli import render

        render.error(f"internal error: {type(err).__name__}: {err} (ESRA_DEBUG=1 shows a traceback)")
        return EXIT_INTERNAL


def _standard_streams() -> None:
    """Make fds 0-2 safe to rely on, and stderr safe to write to.

    A closed fd 0, 1 or 2 (`2>&-`) would be handed to the next file esra opens, the fact
    base or its replacement among them, where a stray message would land; /dev/null takes
    its place. stderr becomes a stream for messages (_Messages). A closed stdout stays
    None: nobody to answer is a success (render.stdout).
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    stream = sys.stderr if sys.stderr is not None else open(2, "w", closefd=False)  # noqa: SIM115
    sys.stderr = _Messages(stream)


class _Messages:
    """stderr, which carries messages for people only, from esra, Click or Python alike.

    Each write is escaped (escape.clean), so a name a user typed or a fact base holds never
    reaches the terminal as a control sequence, whoever writes the message (Click's usage
    errors quote options as given). A write or flush never raises: a message that cannot
    be written (stderr closed, full, or its reader gone) must not change the exit code.
    """

    def __init__(self, stream: object) -> None:
        self._stream = stream

    def write(self, text: str | bytes) -> int:
        if not isinstance(text, str):  # bytes: a TypeError as from any text stream (Click probes)
            return int(self._stream.write(text))  # type: ignore[attr-defined]
        try:  # noqa: SIM105 - contextlib costs milliseconds to import on every call
            self._stream.write(clean(text))  # type: ignore[attr-defined]
        except (OSError, ValueError):
            pass
        return len(text)

    def flush(self) -> None:
        try:  # noqa: SIM105 - contextlib costs milliseconds to import on every call
            self._stream.flush()  # type: ignore[attr-defined]
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _run_typer(argv: list[str] | None = None) -> int:
    """The Typer app's exit code for `argv` (None: sys.argv, as Click reads it)."""
    from esra_cli import cli

    shell = cli.completion_shell(sys.argv[1:] if argv is None else argv)
    if shell is not None:  # `--show-completion zsh`: the shell named, not the one detected
        from esra_cli import render

        render.write_text(cli.completion_script(shell))
        return EXIT_OK
    saved = sys.stdout
    if saved is not None:
        sys.stdout = _Departing(saved)
    try:
        cli.app(args=argv, prog_name="esra")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except _ReaderLeft:
        return EXIT_OK
    except BrokenPipeError:
        raise
    except OSError as err:
        # esra's commands map their own OSErrors (EsraGroup); what escapes the app is a
        # write of Click's own (help, a completion script) that stdout refused.
        return _cannot_write(err)
    finally:
        sys.stdout = saved
    return EXIT_OK


class _ReaderLeft(Exception):
    """stdout's reader has gone, met while the Typer app writes: a success (see _Departing)."""


class _Departing:
    """stdout while the Typer app runs: a closed pipe raises _ReaderLeft, not BrokenPipeError.

    Click (a help page, a completion script) and Rich (Typer's help) each turn a
    BrokenPipeError into exit 1, which esra's contract makes exit 0; an exception that is
    no OSError passes through both to `_run_typer`.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise _ReaderLeft from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise _ReaderLeft from None

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _cannot_write(err: OSError) -> int:
    from esra_cli import render

    failure = render.output_error(err)
    render.error(str(failure))
    return EXIT_OUTPUT


def _finish(code: int) -> None:
    """Flush what was written, treating a closed pipe as the reader's choice, then exit."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        code = EXIT_OK
    except OSError as err:
        code = _cannot_write(err) if code == EXIT_OK else code
    except ValueError:
        pass  # a closed stream: nothing left to flush
    sys.stderr.flush()  # _Messages: never raises
    os._exit(code)
