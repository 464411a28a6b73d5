"""Hostile strings in the fact base reach a person as written and never as markup or a control
sequence, on a terminal and piped; data formats keep them exact (JSON and TOML as escapes)."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import time
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

import pydot
import pytest
import tomli_w
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st

from esra_cli import check
from esra_cli.kinds import ENTITIES, KINDS
from esra_cli.names import entity_names
from tests.conftest import ESRA, FULL, SHIPPED, TYPER_APP, call, esra, examples, on_terminal
from tests.test_complete import protocol

UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# What Rich itself writes to a terminal: colours and styles (SGR), nothing else.
# Rich's own escapes: styles, and the OSC 8 hyperlink around a source's plain web address.
RICH_STYLE = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;id=\d+;https?://[!#-~]+\x1b\\|\x1b\]8;;\x1b\\")
OSC52 = "\x1b]52;c;aGk=\x07"
LINK = "[link=https://example.org]x[/link]"
FRAGMENTS = ["[/]", "[esra]", "[bold]", LINK, OSC52, "\x1b]8;;https://e.org\x1b\\y\x1b]8;;\x1b\\",
             "\x1b[2J", "\x9b31m", "\u202e", "\u2066", "\u2028", "\u2029", "\n", "\r", "\t", "\x00",
             ":smile:", '"', "\\", "#", "<b>", "|", "`", "\ue000", "\U000e0041"]  # fmt: skip
hostile = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), min_size=1, max_size=4).map("".join)


def raw_unsafe(text: str, allowed: str = "") -> set[str]:
    """Characters a terminal would act on or hide, other than line ends and Rich's styles."""
    text = RICH_STYLE.sub("", text)
    return {ch for ch in text if ch not in "\n\r" + allowed and unicodedata.category(ch) in UNSAFE}


def run(base: Path, *args: str, terminal: bool = False) -> tuple[int, str, str]:
    """The installed esra, piped or with a 100-column pseudo-terminal as stdout."""
    env = {"ESRA_FACTS": str(base)}
    if terminal:
        return on_terminal(*args, env=env)
    done = esra(*args, env=env)
    return done.returncode, done.stdout, done.stderr


def with_base(folder: Path, change: Any) -> Path:
    raw = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    change(raw)
    path = folder / "facts.toml"
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


def rename_ara(raw: dict[str, Any], name: str) -> None:
    ara = next(o for o in raw["organizations"] if o["id"] == "ara")
    ara["name"] = {"it": name, "en": name}


@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "terminal"])
def test_an_organization_name_is_never_markup_in_the_members_title(tmp_path: Path, terminal: bool) -> None:
    name = f"ARA [/] [esra] {LINK} {OSC52}\u202e"
    base = with_base(tmp_path, lambda raw: rename_ara(raw, name))
    code, out, err = run(base, "members", "ara", terminal=terminal)
    assert (code, err) == (0, "")
    title = out.replace("\r\n", "\n").splitlines()[0]
    assert "ARA [/] [esra] [link=https://example.org]x[/link] \\x1b]52;c;aGk=\\x07\\x202e" in title
    assert raw_unsafe(out) == set()


def test_csv_is_exact_piped_and_visible_on_a_terminal(tmp_path: Path) -> None:
    name = f"Lombardy {OSC52}\u202e"
    base = with_base(tmp_path, lambda raw: next(r for r in raw["regions"] if r["id"] == "lombardia")
                     .update(name={"it": name, "en": name}))  # fmt: skip
    for args in (["members", "--format", "csv"], ["export", "--format", "csv", "--kind", "region"]):
        code, piped, _ = run(base, *args)
        assert code == 0
        assert name in [
            row["name" if "members" in args else "name_en"] for row in csv.DictReader(io.StringIO(piped))
        ]
        code, shown, _ = run(base, *args, terminal=True)
        assert code == 0
        assert raw_unsafe(shown) == set()
        assert "Lombardy \\x1b]52;c;aGk=\\x07\\x202e" in shown


def test_graph_labels_are_escaped_for_dot_and_mermaid(tmp_path: Path) -> None:
    name = 'A "quoted" \\N name\nwith <b>markup</b> #quot; | `x` ' + OSC52
    base = with_base(tmp_path, lambda raw: rename_ara(raw, name))
    code, dot, _ = run(base, "graph", "ara")
    assert code == 0 and raw_unsafe(dot) == set()
    graphs = pydot.graph_from_dot_data(dot)
    assert graphs is not None
    labels = {n.get_name().strip('"'): n.get("label") for n in graphs[0].get_nodes()}
    # DOT reads the label back as written: backslashes doubled, quotes escaped, a line break as \n.
    assert (
        labels["ara"]
        == '"A \\"quoted\\" \\\\N name\\nwith <b>markup</b> #quot; | `x` \\\\x1b]52;c;aGk=\\\\x07"'
    )
    code, mermaid, _ = run(base, "graph", "ara", "--format", "mermaid")
    assert code == 0 and raw_unsafe(mermaid) == set()
    (node,) = [line for line in mermaid.splitlines() if line.strip().startswith("n_ara[")]
    assert node.strip() == (
        'n_ara["A #quot;quoted#quot; \\N name with #60;b#62;markup#60;/b#62; #35;quot; #124; #96;x#96; '
        '\\x1b]52;c;aGk=\\x07"]'
    )


def test_json_and_toml_write_invisible_characters_as_escapes_of_the_same_value(tmp_path: Path) -> None:
    name = "ARA \x9b31m\u202e\u2028\U000e0041"
    base = with_base(tmp_path, lambda raw: rename_ara(raw, name))
    for args in (["org", "ara", "--json"], ["export", "--format", "json"], ["export", "--format", "toml"],
                 ["export", "--format", "jsonl"], ["who", "--format", "jsonl"]):  # fmt: skip
        code, out, _ = run(base, *args)
        assert code == 0
        assert raw_unsafe(out) == set(), args
        assert "\\u202e" in out
    assert json.loads(run(base, "org", "ara", "--json")[1])["name"] == name
    assert tomllib.loads(run(base, "export", "--format", "toml")[1])["organizations"][1]["name"]["en"] == name


# --- every string field of every record, every read command -----------------------------------

READS = [
    ["members"], ["members", "ara", "--cite"], ["person", "guido-guidesi"], ["who"], ["what"], ["when"],
    ["where"], ["where", "turin"], ["org", "esra"], ["region", "lombardia"], ["search", "a"], ["sources"],
    ["tree", "ara"], ["graph"], ["graph", "--format", "mermaid"], ["export", "--format", "csv"],
    ["when", "--format", "plain"], ["check"], ["export", "--format", "toml"],
    ["export", "--format", "jsonld"], ["--lang", "it", "person", "guido-guidesi"],
    ["--lang", "it", "what", "--cite"], ["show", "lombardia-baviera-declaration"], ["show", "guido-guidesi"],
    ["search", "lombardia", "regione"], ["disputes"],
]  # fmt: skip
STRING_TYPES = {"str", "strs", "text", "texts"}
POISONED: dict[str, Path] = {}


def poison(raw: dict[str, Any], text: str) -> None:
    """Append `text` to every string field of every record (a quote stays within 25 words)
    but aliases, which keep the names as written: `check` wants some quote of a membership
    or post to name who holds it, and a base esra refuses tells nothing about escaping.
    Every name still carries the text into every table."""
    for table, kind in KINDS.items():
        for record in raw.get(table, []):
            if table in ENTITIES:
                record["aliases"] = list(dict.fromkeys([*record.get("aliases", []), *entity_names(record)]))
            for field in kind.fields:
                if field.type in STRING_TYPES and field.name in record and field.name != "aliases":
                    extra = "".join(text.split()) if field.name == "quote" else text
                    record[field.name] = _appended(record[field.name], extra)


def _appended(value: Any, text: str) -> Any:
    if isinstance(value, str):
        return value + text
    if isinstance(value, list):
        return [_appended(v, text) for v in value]
    return {lang: _appended(v, text) for lang, v in value.items()}


# Each example runs esra twice per read command: one example carrying every fragment always
# runs; generated ones run in CI's full profile, and are not shrunk (minutes each). One test
# per command, so that the test command's workers share them.
@pytest.mark.parametrize("args", READS, ids=" ".join)
@settings(
    max_examples=examples(10),
    deadline=None,
    phases=[Phase.explicit, Phase.generate] if FULL else [Phase.explicit],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@example(text="".join(FRAGMENTS))
@given(text=hostile)
def test_hostile_strings_in_every_field_on_every_read_command(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, args: list[str], text: str
) -> None:
    # A name ending in a Latin letter, then a Cyrillic or Greek one, is a lookalike `check`
    # refuses (mixed-script): a base that esra would not read tells nothing about escaping.
    assume(not any(check.mixes_scripts(word) for word in f"x{text}".split()))
    if text not in POISONED:  # one base per text, shared by the commands that read it
        POISONED[text] = with_base(tmp_path_factory.mktemp("hostile"), lambda raw: poison(raw, text))
    base = POISONED[text]
    later = time.time() + 60  # settled: compiled once, then read as a user's base is
    monkeypatch.setattr(time, "time", lambda: later)
    for terminal in (False, True):
        # In-process through the same front door, a process start cheaper; the real
        # pseudo-terminal's escaping is held by the tests above and test_golden.py.
        done = call(*args, env={"ESRA_FACTS": str(base), "ESRA_DEBUG": "0"}, terminal=terminal)
        code, out, err = done.exit_code, done.stdout, done.stderr
        assert code == 0, (args, err)
        assert "Traceback" not in err
        if args[:3] != ["export", "--format", "csv"] or terminal:  # piped CSV keeps the data exact
            separators = "\t" if "plain" in args else ""  # plain lines are tab-separated
            assert raw_unsafe(out, separators) == set(), (args, terminal)
    if args == ["export", "--format", "toml"]:  # the poisoned base is the one being read
        assert tomllib.loads(run(base, *args)[1])["people"][0]["name"].endswith(text)


@pytest.mark.parametrize(
    "args",
    [["members", "--x\u202e\u2028\x1b[2Jy"], [f"bogus{OSC52}"], ["person", f"nobody{OSC52}\u2028x"]],
    ids=["click: unknown option", "click: unknown command", "esra: not found"],
)
def test_messages_quote_what_was_typed_escaped(args: list[str]) -> None:
    done = esra(*args)
    assert done.returncode in (2, 3)
    err = done.stderr
    assert raw_unsafe(err) == set()
    assert "\\x1b" in err


@pytest.mark.parametrize("typer_app", [False, True], ids=["fast path", "typer app"])
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish get-args"])
def test_completion_offers_no_control_character_and_no_extra_line(
    tmp_path: Path, shell: str, typer_app: bool
) -> None:
    def rename(raw: dict[str, Any]) -> None:
        next(p for p in raw["people"] if p["id"] == "guido-guidesi")["name"] = f"Guido{OSC52}\ninjected\u202e"

    base = with_base(tmp_path, rename)
    env = protocol(shell, "esra person gu") | {"ESRA_FACTS": str(base), "ESRA_CACHE": "off"}
    command = (sys.executable, "-c", TYPER_APP) if typer_app else (ESRA,)
    done = esra(command=command, env=env)
    out = done.stdout
    assert done.returncode == 0 and raw_unsafe(out, "\t") == set()  # fish: candidate TAB description
    # Each line is one candidate for "gu": the name's line break made no line of its own.
    lines = out.removeprefix("_arguments '*: :((").splitlines()
    assert lines and all(line.lstrip('"').startswith("gu") for line in lines), lines
