"""Parsing a large fact base on every core: tomllib on pieces of the text, merged.

The first call after an edit parses the whole file, and tomllib is most of that call's
time. A fact base is a long run of `[[kind]]` blocks, so its text splits at such headers
into pieces that forked children parse while this process parses the first one.

The merge must give exactly what parsing the whole text gives, so it is tried only where
that is certain, and otherwise the whole text goes to tomllib, whose result and error
messages (with their line numbers) are the authority:
- no multi-line string anywhere, so a line that starts with `[[` is a header or a value
  inside a multi-line array, and a piece cut inside an array does not parse;
- a piece after the first starts with a header, so each of its top-level keys comes from a
  header; pieces may share a key only as an array of tables of a kind esra knows (which
  no TOML value can spell as `[[kind]]`) that the text before already opened as one;
- every piece parses, and its result survives marshal (no TOML dates or times).
"""

from __future__ import annotations

import marshal
import os
import tomllib

from esra_cli.schema import KINDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, BinaryIO

# Below this, forking and merging cost about what they save (no gain measured at 40 KB, the
# shipped base's size). At 63 KB, the first call after an edit measured 1.05x tomllib's
# parse with pieces and 1.15x without.
MIN_BYTES = 48 * 1024
MAX_PIECES = 4


def loads(text: str, pieces: int | None = None) -> dict[str, Any]:
    """What tomllib.loads(text) returns, parsed on up to `pieces` cores (default: all)."""
    if pieces is None:
        pieces = _cores() if len(text) >= MIN_BYTES else 1
    starts = _starts(text, pieces)
    merged = _parse_apart(text, starts) if len(starts) > 1 else None
    return merged if merged is not None else tomllib.loads(text)


def _cores() -> int:
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    return min(count, MAX_PIECES)


def _starts(text: str, pieces: int) -> list[int]:
    """Offsets where pieces start: 0, then a `[[kind]]` header at or after each even share."""
    if pieces < 2 or "'''" in text or '"""' in text:
        return [0]
    starts = [0]
    for n in range(1, pieces):
        at = text.find("\n[[", max(len(text) * n // pieces, starts[-1] + 1))
        while at >= 0:
            end = text.find("\n", at + 1)
            line = text[at + 1 : end if end >= 0 else len(text)].rstrip()
            if line.startswith("[[") and line.endswith("]]") and line[2:-2] in KINDS:
                break
            at = text.find("\n[[", at + 1)
        if at < 0:
            break
        starts.append(at + 1)
    return starts


def _parse_apart(text: str, starts: list[int]) -> dict[str, Any] | None:
    """The merged parse of the pieces, or None where only a whole parse can say."""
    ends = [*starts[1:], len(text)]
    children: list[tuple[int, BinaryIO]] = []
    done: set[int] = set()
    try:
        for start, end in zip(starts[1:], ends[1:], strict=True):
            child = _fork_parse(text[start:end])
            if child is None:
                return None  # no fork here (or no more processes): one parse will do
            children.append(child)
        try:
            merged = tomllib.loads(text[: ends[0]])
        except tomllib.TOMLDecodeError:
            return None
        for (pid, pipe), start in zip(children, starts[1:], strict=True):
            with pipe:
                data = pipe.read()
            done.add(pid)  # before the wait: a pid once reaped may belong to another process
            os.waitpid(pid, 0)
            if not _merge(merged, _unpack(data), text, start):
                return None
        return merged
    finally:
        # Children whose piece cannot help any more, or left behind by an interrupt.
        for pid, pipe in children:
            pipe.close()
            if pid not in done:
                os.kill(pid, 9)
                os.waitpid(pid, 0)


def _fork_parse(piece: str) -> tuple[int, BinaryIO] | None:
    """Start parsing `piece` in a child: its pid and the pipe its marshalled result comes on,
    or None when no child can be started."""
    try:
        reader, writer = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except (OSError, AttributeError):  # out of processes or memory; no fork on this platform
        os.close(reader)
        os.close(writer)
        return None
    if pid:
        os.close(writer)
        return pid, os.fdopen(reader, "rb")
    try:  # the child: write the result, or nothing when it fails
        os.close(reader)
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(marshal.dumps(tomllib.loads(piece)))
    finally:
        os._exit(0)


def _unpack(data: bytes) -> dict[str, Any] | None:
    try:
        value = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def _merge(first: dict[str, Any], later: dict[str, Any] | None, text: str, start: int) -> bool:
    """Append `later` (the piece at `start`) to `first`; False when the pieces clash."""
    if later is None:
        return False
    for key, value in later.items():
        if key not in first:
            first[key] = value
        elif (
            key in KINDS
            and isinstance(first[key], list)
            and isinstance(value, list)
            and (text.startswith(f"[[{key}]]") or text.find(f"\n[[{key}]]", 0, start) >= 0)
        ):
            first[key].extend(value)
        else:
            return False
    return True
