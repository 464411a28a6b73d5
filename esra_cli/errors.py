"""Exceptions that carry their exit code: the one interface between the core and the CLI."""

# The documented exit codes (README, "Exit codes"). Typer/Click own 2 for usage errors.
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_FACTS = 4
EXIT_OUTPUT = 5  # stdout could not be written (disk full, I/O error); a reader leaving is 0
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


class EsraError(Exception):
    """An expected failure: its message is one line for stderr, its exit code is documented."""

    exit_code = EXIT_INTERNAL


class NotFound(EsraError):
    """A name matched nothing; the message offers what came closest."""

    exit_code = EXIT_NOT_FOUND


class Ambiguous(EsraError):
    """A name matched several things equally well; the message lists them."""

    exit_code = EXIT_NOT_FOUND


class InvalidFacts(EsraError):
    """The fact base is missing, unreadable or invalid."""

    exit_code = EXIT_FACTS


class UsageError(EsraError):
    """A value the framework could not check itself (a date, a field name) is malformed."""

    exit_code = EXIT_USAGE


class OutputError(EsraError):
    """stdout refused the answer (a full disk, an I/O error); a closed pipe is not this."""

    exit_code = EXIT_OUTPUT
