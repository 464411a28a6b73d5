"""Writing the fact base: append one validated record, atomically, one writer at a time.

The curated file is never regenerated: a new record is appended as a `[[table]]` block, so
comments, order and formatting above it stay byte for byte. The would-be file is parsed and
checked before anything is written; then a temporary file in the same folder is fsynced
and renamed over the old one, so a crash at any moment leaves the old file or the new one.
Writers serialize on a sidecar lock file, because the fact base's inode changes at each
replace and a lock on the file itself would not be shared.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from esra_cli import facts
from esra_cli.check import problems
from esra_cli.errors import InvalidFacts
from esra_cli.schema import Kind


def block(kind: Kind, record: dict[str, Any]) -> str:
    """The TOML text that appends `record`: a `[[table]]` header, then one line per field.

    Tables are written inline (`name = { it = ..., en = ... }`), as curators write them: a
    `[name]` section after the header would start a new top-level table instead.
    """
    lines = [f"[[{kind.table}]]"]
    lines += [f"{key} = {_value(value)}" for key, value in record.items()]
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    import tomli_w

    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    # tomli_w does the escaping of one scalar; strip the "v = " it puts before it.
    return tomli_w.dumps({"v": value})[len("v = ") :].rstrip("\n")


def appended(text: str, addition: str) -> str:
    """The file's text with a block appended after one blank line."""
    return text.rstrip("\n") + "\n\n" + addition if text.strip() else addition


def validate(text: str, path: Path) -> None:
    """Raise InvalidFacts with every problem of the would-be file, one per clause."""
    raw = facts.parse(text, path)
    found = problems(raw, text)
    if found:
        listed = "; ".join(p.format(path.name) for p in found[:5])
        more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""
        raise InvalidFacts(f"refused, {path} is unchanged: {listed}{more}")


def add(path: Path, kind: Kind, record: dict[str, Any]) -> None:
    """Append `record` to the fact base at `path`, or raise InvalidFacts and leave it untouched."""
    with locked(path):
        text = facts.read_text(path)
        new = appended(text, block(kind, record))
        validate(new, path)
        replace(path, new)


def preview(path: Path, kind: Kind, record: dict[str, Any]) -> str:
    """The block `add` would append, validated against the current file."""
    addition = block(kind, record)
    validate(appended(facts.read_text(path), addition), path)
    return addition


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock of the fact base's sidecar `.lock` file."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        handle = lock_path.open("a")
    except OSError as err:
        raise InvalidFacts(f"cannot lock {path} for writing: {err.strerror or err}") from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _remove_leftovers(path)
        yield


def _remove_leftovers(path: Path) -> None:
    """Temporary files of writers that died. Safe: only a lock holder creates one."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def replace(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, fsync it, rename it over `path`."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(OSError):
            tmp.chmod(path.stat().st_mode & 0o777)
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise InvalidFacts(f"cannot write {path}: {err.strerror or err}") from None
    # The rename itself is durable only once the folder is synced.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
