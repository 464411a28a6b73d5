"""Writing the fact base: append one validated record, atomically, one writer at a time.

The curated file is never regenerated: a new record is appended as a `[[table]]` block, so
comments, order and formatting above it stay byte for byte. The would-be file is parsed and
checked before anything is written; then a temporary file in the same folder is fsynced
and renamed over the old one, so a crash at any moment leaves the old file or the new one.
Writers serialize on a sidecar lock file, because the fact base's inode changes at each
replace and a lock on the file itself would not be shared.

The replacement keeps what the old file carried: its mode, owner, group and extended
attributes (POSIX ACLs, SELinux labels), its line endings and byte order mark. A base that
its owner made read-only (`chmod a-w`) is refused, as a shell's `>>` would refuse it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from esra_cli import escape, facts
from esra_cli.check import problems
from esra_cli.errors import InvalidFacts
from esra_cli.kinds import Kind


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
    """The file's text with a block appended after one blank line, in the file's line endings."""
    if not text.strip():
        return addition
    newline = "\r\n" if text.partition("\n")[0].endswith("\r") else "\n"
    return text.rstrip("\r\n") + newline * 2 + addition.replace("\n", newline)


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
    writable(target, path)
    with locked(target):
        data = facts.read_bytes(target)
        links = target.stat().st_nlink
        if links > 1:
            raise InvalidFacts(
                f"refused, {path} is unchanged: it has {links} hard links, which a replacement would "
                "split; keep one link, or add the record by hand"
            )
        new = appended(facts.decoded(data, path), block(kind, record))
        validate(new, path)
        replace(target, (facts.BOM.decode() if data.startswith(facts.BOM) else "") + new)


def writable(target: Path, path: Path) -> None:
    """Refuse a base that is missing, not a regular file, or not to be written.

    Checked before the lock file is made, so a mistyped path leaves nothing behind. The
    replacement needs only the folder's write permission, so the file's own is asked here:
    no write bit at all means its owner froze it (root included); no access, another owner.
    """
    os.close(facts.open_regular(target))
    mode = target.stat().st_mode
    if not mode & 0o222 or not os.access(target, os.W_OK):
        raise InvalidFacts(
            f"refused, {path} is unchanged: it is read-only (chmod u+w {path} to allow adds)"
            if not mode & 0o222
            else f"refused, {path} is unchanged: you may not write it"
        )


def preview(path: Path, kind: Kind, record: dict[str, Any]) -> str:
    """The block `add` would append, validated against the current file."""
    addition = block(kind, record)
    validate(appended(facts.read_text(path), addition), path)
    return addition


# The lock file is only ever opened for reading (flock needs no more), never through a
# symbolic link, never waiting on a FIFO; whoever may read the base may take its lock.
_LOCK_FLAGS = os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock of the fact base's sidecar `.lock` file."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock_path, _LOCK_FLAGS, path.stat().st_mode & 0o666)
    except OSError as err:
        why = "it is a symbolic link" if lock_path.is_symlink() else err.strerror or str(err)
        raise InvalidFacts(f"cannot lock {path} for writing with {lock_path.name}: {why}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InvalidFacts(f"cannot lock {path} for writing: {lock_path.name} is not a regular file")
        fcntl.flock(handle, fcntl.LOCK_EX)
        _remove_leftovers(path)
        yield


def _remove_leftovers(path: Path) -> None:
    """Temporary files of writers of this base that died. Safe: only a lock holder creates one.

    Matched by the whole name mkstemp gives them (8 random characters), so the temporary
    files of another base (`facts1.toml` for `facts[12].toml`, `a.toml.bak` for `a.toml`),
    whose writers hold another lock, are never touched.
    """
    own = re.compile(re.escape(f".{path.name}.") + r"[a-z0-9_]{8}\.tmp")
    with os.scandir(path.parent) as entries:
        leftovers = [Path(entry.path) for entry in entries if own.fullmatch(entry.name)]
    for leftover in leftovers:
        with contextlib.suppress(OSError):
            leftover.unlink()


def replace(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, fsync it, rename it over `path`.

    The new file keeps the old one's mode, and its owner and group where the writer may
    set them (root may; anyone else may keep a group they belong to), and its extended
    attributes; one that cannot be kept leaves the old file in place.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        _keep_mode_and_owner(tmp, path.stat())
        _keep_attributes(tmp, path)
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise InvalidFacts(f"cannot write {path}: {err.strerror or err}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
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


def _keep_attributes(tmp: Path, path: Path) -> None:
    """Copy the old file's extended attributes (POSIX ACLs are some) to its replacement."""
    try:
        names = os.listxattr(path)
    except (OSError, AttributeError):  # no xattrs on this file system, or on this OS
        return
    for name in names:
        value = os.getxattr(path, name)
        with contextlib.suppress(OSError):  # e.g. the SELinux label the folder already gave it
            if os.getxattr(tmp, name) == value:
                continue
        try:
            os.setxattr(tmp, name, value)
        except OSError as err:
            raise InvalidFacts(
                f"refused, {path} is unchanged: its extended attribute {name} cannot be kept "
                f"({err.strerror or err})"
            ) from None
