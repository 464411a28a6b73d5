"""The on-disk cache of parsed, validated fact bases and of the answers given from them.

An entry is built once per edit of the fact base, by the first query after it: the file is
parsed and validated (an invalid base is refused and never cached), then split into marshal
shards (index.py), so a lookup in a large base loads only the shards it touches. Inside
the entry, `answers/` keeps the exact output of earlier piped or --json calls, so a
repeated call is answered without loading anything.

An entry's name is the file's path hash, device, inode, size, mtime and ctime, and a stamp
of esra's own code, so any edit makes a new name, and so does new code (an upgrade, a
reinstall under the same version, a developer's edit). A file changed in the last
RACY_SECONDS is never cached: a second edit within the same mtime tick would keep its stat
(git's "racily clean" rule).

Off: ESRA_CACHE=off. Elsewhere: ESRA_CACHE=DIR (default $XDG_CACHE_HOME/esra or
~/.cache/esra). A missing, read-only or corrupt cache only means answers come from the file.
"""

from __future__ import annotations

import marshal
import os
import time
import zlib

from esra_cli import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from esra_cli.facts import FactBase

# Bump when the layout below changes, so old entries are never misread.
LAYOUT = 5
RACY_SECONDS = 2.0
# What reading a damaged or foreign cache file can raise.
CORRUPT = (OSError, EOFError, ValueError, TypeError, KeyError, IndexError)
# Bases this large have their entry written by a background child (see _in_background).
BACKGROUND_BYTES = 256 * 1024


def root() -> str | None:
    """The cache folder, or None when caching is off.

    $ESRA_CACHE, else $XDG_CACHE_HOME/esra where that is an absolute path (the XDG spec
    says to ignore a relative one), else ~/.cache/esra.
    """
    setting = os.environ.get("ESRA_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return setting
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(xdg):
        xdg = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "esra")


def usable_root() -> str | None:
    """The cache folder, made if missing (0700); None when off, or when it is not safe to use.

    Entries are esra's own output and parsed data: a folder that another user owns, or
    that group or others may write to, could hold entries planted by someone else, so
    esra answers from the file instead (ESRA_DEBUG=1 says why).
    """
    folder = root()
    if folder is None:
        return None
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            os.chmod(folder, 0o700)  # makedirs' mode passes through the umask
            st = os.stat(folder)
        except OSError:
            return None  # read-only or blocked: answers come from the file
    except OSError:
        return None
    if st.st_uid != os.geteuid() or st.st_mode & 0o022:
        if os.environ.get("ESRA_DEBUG") == "1" and folder not in _SAID:
            _SAID.add(folder)  # a call looks for its entry more than once: say it once
            from esra_cli import render  # the one sink for messages, imported on this path only

            why = "another user owns it" if st.st_uid != os.geteuid() else "group or others may write to it"
            render.error(f"not using the cache folder {folder}: {why}")
        return None
    return folder


_SAID: set[str] = set()


def entry_for(path: str) -> str | None:
    """The entry folder that would hold this very version of the file, or None (off, no file)."""
    folder = usable_root()
    if folder is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    # A change within the racy window could be followed by another that keeps every
    # number the name is made of (on a file system with one-second timestamps): by mtime,
    # or by ctime where the writer set the mtime back.
    if time.time() - max(st.st_mtime, st.st_ctime) < RACY_SECONDS:
        return None
    where = zlib.crc32(os.path.realpath(path).encode("utf-8", "surrogateescape"))
    stamp = f"{st.st_dev}-{st.st_ino}-{st.st_size}-{st.st_mtime_ns}-{st.st_ctime_ns}"
    return os.path.join(folder, f"{where:08x}-{stamp}-{_code_stamp()}-{LAYOUT}")


_CODE: list[str] = []  # the stamp, once worked out: a call asks for its entry more than once


def _code_stamp() -> str:
    """esra's version, and a hash of its modules' stat and of the folder they are installed in.

    Kept answers are esra's output, so they must not outlive the code that printed them,
    even when the version number stays. The install folder's mtime changes when packages
    are installed or removed beside esra (a new Rich could draw tables differently).
    About 30 stat calls: a tenth of a millisecond.
    """
    if _CODE:
        return _CODE[0]
    package = os.path.dirname(os.path.abspath(__file__))
    parts = [str(os.stat(os.path.dirname(package)).st_mtime_ns)]
    with os.scandir(package) as entries:
        for entry in entries:
            if entry.name.endswith((".py", ".txt")):
                st = entry.stat()
                parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    parts.sort()
    _CODE.append(f"{__version__}-{zlib.crc32(' '.join(parts).encode()):08x}")
    return _CODE[0]


def open_base(path: str) -> FactBase:
    """The validated fact base at `path`, from its cache entry when there is one."""
    from esra_cli import facts, index

    entry = entry_for(path)
    if entry is None:
        return facts.load(path)
    try:
        return index.IndexedBase(path, entry)
    except FileNotFoundError:
        pass  # no entry yet
    except CORRUPT:
        index.remove_tree(entry)  # a broken head: a new entry cannot be renamed over it
    base = facts.load(path)
    if os.path.getsize(path) < BACKGROUND_BYTES or not _in_background(lambda: index.write(entry, base)):
        index.write(entry, base)
    return base


def _in_background(work: Callable[[], None]) -> bool:
    """Run `work` in a forked child that lets go of the terminal and pipes; False if no fork.

    Writing a large base's entry takes a tenth of parsing it; the call that parsed it need
    not wait (like git's background gc). A call arriving before the entry is in place
    parses the file itself, and the rename keeps a half-written entry out of sight.
    """
    try:
        pid = os.fork()
    except (OSError, AttributeError):  # no fork on this platform
        return False
    if pid:
        return True
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        work()
    finally:
        os._exit(0)


# --- answers --------------------------------------------------------------------------------


def answer_file(entry: str, key: str) -> str:
    return os.path.join(entry, "answers", f"{zlib.crc32(key.encode('utf-8', 'surrogateescape')):08x}")


def answer(entry: str, key: str) -> str | None:
    """The output an identical earlier call printed, if the entry kept it."""
    try:
        with open(answer_file(entry, key), "rb") as handle:
            stored_key, text = marshal.load(handle)
    except CORRUPT:
        return None
    # The file name is a 32-bit hash; the full key inside settles collisions.
    return text if stored_key == key and isinstance(text, str) else None


def keep_answer(entry: str, key: str, text: str) -> None:
    """Keep a call's output in its entry, if the entry exists already (a fact base's entry
    exists only once the base was cached, settled and valid)."""
    if not os.path.isdir(entry):
        return
    target = answer_file(entry, key)
    staging = f"{target}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(staging, "wb") as handle:
            marshal.dump((key, text), handle)
        os.replace(staging, target)
    except OSError:
        try:  # noqa: SIM105 - contextlib costs 5 ms to import on the path that answers from here
            os.unlink(staging)
        except OSError:
            pass
