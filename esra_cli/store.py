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

from esra_cli import escape, facts
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
    # tomli_w does the escaping of one scalar; strip the "v = " it puts before it. Invisible
    # and control characters become escapes, so a curator reading the file sees them.
    return escape.data(tomli_w.dumps({"v": value})[len("v = ") :].rstrip("\n"), "toml")


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
    """Append `record` to the fact base at `path`, or raise InvalidFacts and leave it untouched.

    A symlinked base is written through the link: its target is locked and replaced, and
    the link stays a link. A base with several hard links is refused: a replacement would
    quietly leave the other names holding the old text.
    """
    target = Path(os.path.realpath(path))
    with locked(target):
        text = facts.read_text(target)
        links = target.stat().st_nlink
        if links > 1:
            raise InvalidFacts(
                f"refused, {path} is unchanged: it has {links} hard links, which a replacement would "
                "split; keep one link, or add the record by hand"
            )
        new = appended(text, block(kind, record))
        validate(new, path)
        replace(target, new)


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
    """Write `text` to a temporary file beside `path`, fsync it, rename it over `path`.

    The new file keeps the old one's mode, and its owner and group where the writer may
    set them (root may; anyone else may keep a group they belong to).
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        _keep_mode_and_owner(tmp, path.stat())
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


def _keep_mode_and_owner(tmp: Path, old: os.stat_result) -> None:
    for owner in (old.st_uid, -1):  # the owner too where allowed, else the group alone
        try:
            os.chown(tmp, owner, old.st_gid)
            break
        except OSError:
            continue
    with contextlib.suppress(OSError):  # after chown, which may clear mode bits
        tmp.chmod(old.st_mode & 0o7777)
