"""`esra serve`: Datasette on this machine, over a temporary relational export.

Datasette is an optional extra (pip install "esra[web]"): without it, `serve` says what to
install and exits 2. The export goes to a private temporary folder that goes with the server.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from esra_cli.errors import EsraError, UsageError

HOST = "127.0.0.1"  # this machine only: a fact base is no public service


def serve(path: str, port: int) -> None:
    """Export the base at `path` and run Datasette on it at HOST:`port` until Ctrl-C."""
    try:
        import datasette  # type: ignore[import-untyped]  # noqa: F401 - only to know it is there
    except ImportError:
        raise UsageError('esra serve needs Datasette: pip install "esra[web]"') from None
    _free(port)
    from esra_cli import export

    folder = Path(tempfile.mkdtemp(prefix="esra-serve-"))  # 0700: the user's alone
    try:
        database = folder / "esra.db"
        metadata = export.database(path, "sqlite", None, database)
        print(f"esra: serving {database} at http://{HOST}:{port}/esra (Ctrl-C stops)", file=sys.stderr)
        command = [sys.executable, "-m", "datasette", "serve", str(database), "--metadata", str(metadata),
                   "--host", HOST, "--port", str(port)]  # fmt: skip
        server = subprocess.Popen(command)
        # A service manager's or `kill`'s SIGTERM stops it as Ctrl-C does, folder and all.
        signal.signal(signal.SIGTERM, _terminated)
        try:
            code = server.wait()
        except BaseException:  # Ctrl-C (exit 130, entry.py) or SIGTERM (143)
            _stop(server)
            raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if code != 0:
        raise EsraError(f"Datasette stopped with exit code {code}")


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _free(port: int) -> None:
    """Refuse a port another program holds, in one line, before exporting anything."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            raise UsageError(f"port {port} on {HOST} is in use: choose another with --port") from None


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Let Datasette shut down as it does on Ctrl-C (a Ctrl-C sent to esra alone did not
    reach it); kill it if it has not within five seconds."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
