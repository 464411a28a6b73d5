"""The guarantees of the README's "Reliability" table, one test each, through the front door.

Each test is a hostile input that esra 0.5.0 mishandled (issue 21): a file it must not lose,
a cache it must not trust blindly, an answer it must not get silently wrong.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from esra_cli import facts
from tests.conftest import SHIPPED, as_user_without_privileges, call

QUOTE = "ansa-2024-11-08=Regione Lombardia ufficializza l'ingresso"


def add(base: Path, person_id: str = "maria-rossi", *extra: str) -> tuple[int, str]:
    """`esra add person` to `base`: the exit code and stderr."""
    result = call(
        "--facts", str(base), "add", "person", "--id", person_id, "--name", "Maria Rossi",
        "--source", "ansa-2024-11-08", "--quote", QUOTE, *extra,
    )  # fmt: skip
    return result.exit_code, result.stderr


# --- the curator's file ------------------------------------------------------------------------


def test_a_mistyped_base_leaves_no_lock_file_and_a_planted_link_is_not_followed(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dir.toml").mkdir()
    for name in ("missing.toml", "fifo", "dir.toml"):
        code, stderr = add(tmp_path / name)
        assert code == 4 and stderr.count("\n") == 1, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.toml", "fifo"]

    base = tmp_path / "facts.toml"
    base.write_bytes(SHIPPED.read_bytes())
    before = base.read_bytes()
    (tmp_path / "facts.toml.lock").symlink_to(tmp_path / "created-by-esra")
    code, stderr = add(base)
    assert code == 4 and "symbolic link" in stderr
    assert not (tmp_path / "created-by-esra").exists()
    assert base.read_bytes() == before


def test_a_group_shares_the_lock_of_a_base_it_may_write(open_folder: Path) -> None:
    shared = open_folder / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # the group's folder; `nobody` stands for a second member
    base = shared / "facts.toml"
    base.write_bytes(SHIPPED.read_bytes())
    base.chmod(0o666)
    assert add(base, "first-writer")[0] == 0  # makes the lock, with the umask's 0644 or so
    os.utime(base, (time.time() - 10, time.time() - 10))
    code, _, stderr = as_user_without_privileges(
        "--facts", str(base), "add", "person", "--id", "second-writer", "--name", "S W",
        "--source", "ansa-2024-11-08", "--quote", QUOTE, env={"ESRA_CACHE": "off"}, warm_up=("--dry-run",),
    )  # fmt: skip
    assert (code, stderr) == (0, f"added person second-writer to {base}\n")
    assert 'id = "second-writer"' in base.read_text(encoding="utf-8")


def test_a_write_protected_base_is_refused_even_for_root(facts_copy: Path) -> None:
    facts_copy.chmod(0o444)
    before = facts_copy.read_bytes()
    code, stderr = add(facts_copy)
    assert code == 4 and "read-only" in stderr and stderr.count("\n") == 1
    assert facts_copy.read_bytes() == before
    assert not facts_copy.with_name("facts.toml.lock").exists()


def test_add_keeps_extended_attributes(facts_copy: Path) -> None:
    try:
        os.setxattr(facts_copy, "user.note", b"curated by the desk")
    except OSError as err:
        pytest.fail(f"this file system keeps no user xattrs ({err}); run the suite on one that does")
    assert add(facts_copy)[0] == 0
    assert os.getxattr(facts_copy, "user.note") == b"curated by the desk"


def test_a_crlf_base_with_a_byte_order_mark_keeps_both(tmp_path: Path) -> None:
    base = tmp_path / "facts.toml"
    base.write_bytes(facts.BOM + SHIPPED.read_bytes().replace(b"\n", b"\r\n"))
    answer = call("--facts", str(base), "person", "guidesi", "--json", env={"ESRA_CACHE": "off"})
    assert answer.exit_code == 0, answer.stderr
    assert add(base)[0] == 0
    data = base.read_bytes()
    assert data.startswith(facts.BOM) and data.count(b"\n") == data.count(b"\r\n")
    assert b'id = "maria-rossi"\r\n' in data


def test_add_removes_only_its_own_leftovers(tmp_path: Path) -> None:
    others = [".facts1.toml.k3j2x9ab.tmp", ".a.toml.bak.q8w7e6zz.tmp", ".a.toml.notes.tmp"]
    for name in others:
        (tmp_path / name).write_text("another writer's work in progress")
    died = tmp_path / ".a.toml.x1y2z3w4.tmp"  # a writer of a.toml that was killed
    died.write_text("half")
    for name in ("facts[12].toml", "a.toml"):
        (tmp_path / name).write_bytes(SHIPPED.read_bytes())
        assert add(tmp_path / name)[0] == 0
    assert all((tmp_path / name).exists() for name in others)
    assert not died.exists()


# --- what the parser is given ----------------------------------------------------------------


@pytest.mark.parametrize("parts", [65, 100_000])
def test_a_dotted_key_too_deep_is_refused_before_parsing(tmp_path: Path, parts: int) -> None:
    base = tmp_path / "k.toml"
    base.write_text("[meta]\nx = 1\n\n" + ".".join(["a"] * parts) + " = 1\n", encoding="utf-8")
    started = time.perf_counter()
    result = call("--facts", str(base), "members", env={"ESRA_CACHE": "off"})
    assert time.perf_counter() - started < 2  # 100,000 parts took 24 GB before
    assert result.exit_code == 4
    assert result.stderr == f"esra: {base}: invalid TOML: a dotted key of more than 64 parts (at line 4)\n"


def test_a_dotted_key_of_64_parts_is_toml_like_any_other() -> None:
    key = ".".join(f'"p{n}"' if n % 2 else f"p{n}" for n in range(64))
    assert facts.parse(f"{key} = 1\n", "k.toml") != {}
