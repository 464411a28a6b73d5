"""Parsing on several cores gives exactly what tomllib gives for the whole text, errors included."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from esra_cli import parallel
from tests.conftest import SHIPPED, examples
from tests.test_process import ESRA


def outcome(parse: Any, text: str) -> tuple[str, Any]:
    try:
        return "parsed", parse(text)
    except tomllib.TOMLDecodeError as err:
        return "error", str(err)


@pytest.mark.parametrize("pieces", [2, 3, 4])
def test_the_shipped_base_parses_the_same_in_pieces(pieces: int) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    starts = parallel._starts(text, pieces)
    assert len(starts) == pieces  # it did split, at headers
    assert all(text[at:].startswith("[[") for at in starts[1:])
    assert parallel._parse_apart(text, starts) == tomllib.loads(text)


# Blocks of a TOML document, meant to meet at every kind of boundary a split can land on:
# arrays of tables esra knows and does not, subtables of the last element, static arrays
# of the same names, multi-line arrays whose lines start with `[[`, dates, multi-line
# strings, duplicates and plain syntax errors.
KEYS = ["regions", "people", "meta", "x", "true"]
BLOCKS = st.one_of(
    st.builds(lambda k, v: f"[[{k}]]\nid = {v!r}\n", st.sampled_from(KEYS), st.integers(0, 9).map(str)),
    st.builds(lambda k: f"[{k}]\nn = 1\n", st.sampled_from(KEYS)),
    st.builds(lambda k: f"[{k}.sub]\nn = 2\n", st.sampled_from(KEYS)),
    st.builds(lambda k: f"[[{k}.sub]]\nn = 3\n", st.sampled_from(KEYS)),
    st.builds(lambda k: f"{k} = [{{ id = 'a' }}]\n", st.sampled_from(KEYS)),
    st.builds(lambda k: f"{k} = [\n[[{k}]],\n]\n", st.sampled_from(KEYS)),
    st.builds(lambda k: f"{k} = [\n[[1]]\n]\n", st.sampled_from(KEYS)),
    st.just("when = 2024-11-08\n"),
    st.just('note = """\n[[regions]]\n"""\n'),
    st.just("id = 'same'\n"),
    st.just("[[regions]\n"),
    st.just("# [[people]]\n"),
    st.just("\n"),
)


PADDING = "# " + "-" * 60 + "\n"


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(BLOCKS, min_size=1, max_size=14), st.integers(2, 4))
# A static array, then a split at a header of the same name: tomllib refuses to append.
@example([PADDING, "regions = [{ id = 'a' }]\n", "[[regions]]\nid = '1'\n"], 2)
# A static array whose line reads like a header of a name TOML also reads as a value.
@example(["true = [\n[[true]],\n]\n", PADDING, "[[regions]]\nid = '1'\n", "[[true]]\nid = '2'\n"], 2)
# A subtable of the last element before the split: only the whole parse can place it.
@example(["[[people]]\nid = 'a'\n", PADDING, "[[regions]]\nid = '1'\n", "[people.sub]\nn = 1\n"], 2)
def test_any_document_parses_the_same_in_pieces(blocks: list[str], pieces: int) -> None:
    text = "".join(blocks)
    expected = outcome(tomllib.loads, text)
    assert outcome(lambda t: parallel.loads(t, pieces), text) == expected


def test_a_large_base_is_split_by_default() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    large = text + "".join(f"\n[[people]]\nid = 'p{n}'\nname = 'P {n}'\n" for n in range(4000))
    assert len(large) >= parallel.MIN_BYTES and len(parallel._starts(large, 2)) == 2
    assert parallel.loads(large) == tomllib.loads(large)


@pytest.mark.parametrize("failing", [1, 2])
def test_when_a_child_cannot_be_forked_one_parse_does(failing: int, monkeypatch: pytest.MonkeyPatch) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    real_fork, forks = os.fork, []

    def fork() -> int:
        forks.append(1)
        if len(forks) == failing:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    assert parallel.loads(text, pieces=3) == tomllib.loads(text)
    assert len(forks) == failing  # no further fork was tried


def test_an_error_in_a_later_piece_names_its_line_in_the_whole_file(tmp_path: Path) -> None:
    lines = SHIPPED.read_text(encoding="utf-8").splitlines(keepends=True)
    lines += [f"\n[[people]]\nid = 'p{n}'\nname = 'P {n}'\n" for n in range(4000)]
    lines.insert(len(lines) - 10, "[[people]\n")
    broken = tmp_path / "facts.toml"
    broken.write_text("".join(lines), encoding="utf-8")
    line = "".join(lines).splitlines().index("[[people]") + 1
    done = subprocess.run(
        [ESRA, "members", "--facts", str(broken)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 4
    assert done.stdout == ""
    assert f"(at line {line}, column 9)" in done.stderr and len(done.stderr.splitlines()) == 1
