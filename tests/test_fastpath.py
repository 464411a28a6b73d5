"""The fast path and the compiled base: same answers as the Typer app, never stale, never required."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer._click import exceptions as click_exceptions  # Typer vendors Click: its errors live here
from typer.core import TyperGroup

from esra_cli import compiled
from esra_cli.cli import OutputFormat, app
from esra_cli.commands import FLAGS, FORMATS, GLOBAL, QUERIES, output_format
from esra_cli.entry import through_typer
from esra_cli.fastpath import parse
from esra_cli.names import words
from tests.conftest import (
    AS_OF,
    ESRA,
    SHIPPED,
    as_user_without_privileges,
    call,
    child_env,
    esra,
    examples,
    heavy_imports,
    typer_app_answers,
)

CALLS = [
    ["members"],
    ["members", "ara", "--json"],
    ["person", "guidesi", "--json", "--as-of", "2025-02-01"],
    ["--lang", "it", "person", "tronzano"],
    ["who", "ara", "--json"],
    ["what", "--lang", "it"],
    ["when", "--from", "2025", "--to", "2025-06", "--json"],
    ["where", "turin"],
    ["where", "--json"],
    ["org", "ecrn", "--json"],
    ["region", "bavaria", "--lang=it"],
    ["search", "microelettronica", "--json"],
    ["search", "turin", "--json"],  # the compiled base's FTS5 index and a scan agree
    ["search", "8", "novembre"],
    ["show", "lombardia-baviera-declaration"],
    ["sources"],
    ["person", "nobody"],
    ["region", "sa", "--json"],
]


def outcome(result: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("args", CALLS, ids=" ".join)
def test_answers_are_identical_with_and_without_the_cache(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = time.time() + 60  # the fact base settled: it is compiled
    monkeypatch.setattr(time, "time", lambda: later)
    cache = {"ESRA_CACHE": str(tmp_path)}
    off = call(*args, env={"ESRA_CACHE": "off"})
    first = call(*args, env=cache)  # compiles the base
    assert len(list(tmp_path.glob(f"*{compiled.SUFFIX}"))) == 1
    again = call(*args, env=cache)  # reads the compiled base
    assert (off.exit_code, off.stdout, off.stderr) == (first.exit_code, first.stdout, first.stderr)
    assert (off.exit_code, off.stdout, off.stderr) == (again.exit_code, again.stdout, again.stderr)
    assert off.exit_code in (0, 3)


@pytest.mark.parametrize("args", CALLS, ids=" ".join)
def test_the_fast_path_and_the_typer_app_agree(args: list[str]) -> None:
    assert parse(args) is not None, "the fast path should understand this call"
    assert parse([*args, "--bogus"]) is None
    fast = call(*args, env={"ESRA_DEBUG": "0"})
    # The other door, its failures mapped where the fast path's are (entry.answered).
    typer_app = call(*args, env={"ESRA_CACHE": "off", "ESRA_DEBUG": "0"}, door=through_typer)
    assert (fast.exit_code, fast.stdout, fast.stderr) == (
        typer_app.exit_code,
        typer_app.stdout,
        typer_app.stderr,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["members", "--help"],
        ["members", "-h"],
        ["check"],
        ["add", "person"],
        ["when", "--from", "2025-13"],
        ["person"],
        ["person", "a", "b"],
        ["--lang", "fr", "members"],
        ["--version"],
        ["members", "--json=1"],
        [],
    ],
    ids=" ".join,
)
def test_what_the_fast_path_leaves_to_typer(argv: list[str]) -> None:
    assert parse(argv) is None


def test_the_typer_app_takes_each_query_command_as_the_command_table_writes_it() -> None:
    group = typer.main.get_command(app)
    for name, command in QUERIES.items():
        built = group.commands[name]  # type: ignore[attr-defined]
        arguments = [p for p in built.params if p.param_type_name == "argument"]
        options = {o for p in built.params if p.param_type_name == "option" for o in p.opts}
        assert [(a.name, a.metavar, a.required) for a in arguments] == (
            [(command.argument.dest, command.argument.metavar, command.argument.required)]
            if command.argument
            else []
        ), name
        assert options == {*GLOBAL, *FLAGS, *command.valued()}, name
        assert built.short_help == command.summary and command.help in (built.help or ""), name
    assert [f.value for f in OutputFormat] == list(FORMATS)


def _typer_call(
    argv: list[str],
) -> tuple[str, dict[str, str], str, str | None, bool, Path | None, str] | None:
    """What the Typer app's parser makes of `argv`, in the fast path's terms; None if it refuses it."""
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    try:
        ctx = group.make_context("esra", list(argv))
        name, built, rest = group.resolve_command(ctx, ctx._protected_args + ctx.args)
        assert built is not None and name is not None  # resolve_command raises for no command
        sub = built.make_context(name, rest, parent=ctx)
    except (click_exceptions.ClickException, typer.Exit):  # a usage error; --help
        return None
    command = QUERIES[name]
    p = sub.params
    args = {d.dest: p[d.dest] for d in command.dates if p[d.dest] is not None}
    if command.argument is not None:
        value = p[command.argument.dest]
        if isinstance(value, tuple | list):
            value = " ".join(value)
        if value is not None:
            args[command.argument.dest] = value
    fmt = output_format(p["as_json"], str(p["fmt"]) if "fmt" in p else None)
    facts = p["facts_path"] or ctx.params["facts_path"]
    lang = (p["lang"] or ctx.params["lang"]).lower()
    return str(name), args, fmt, p.get("fields"), p["cite"], facts and Path(facts), str(lang)


def _fast_call(argv: list[str]) -> tuple[str, dict[str, str], str, str | None, bool, Path | None, str] | None:
    call = parse(argv)
    if call is None or call.command is None:
        return None
    args = dict(call.args)
    argument = call.command.argument
    if argument is not None and argument.default is not None:
        args.setdefault(argument.dest, argument.default)  # Typer fills it in
    fmt = output_format(call.as_json, call.format)
    facts = Path(call.facts) if call.facts is not None else None
    return call.command.name, args, fmt, call.fields, call.cite, facts, call.lang


def _usual(command: str) -> list[list[str]]:
    """Pieces of argv a query command takes, which the fast path answers."""
    spec = QUERIES[command]
    pieces = [["--json"], ["--cite"], ["--lang", "it"], ["--lang=EN"], ["--facts", "facts.toml"]]
    pieces += [[d.flag, "2025-02-01"] for d in spec.dates] + [[f"{d.flag}=2025"] for d in spec.dates]
    if spec.lists:
        pieces += [["--format", "csv"], ["--format", "json"], ["--format=plain"], ["--fields", "id,name"]]
    if spec.argument is not None:
        pieces += [["guidesi"], ["8"]]
    return pieces


# Odd pieces, which the fast path mostly leaves to Typer; the property holds for any mix.
_ODD = [
    [""],
    ["-"],
    ["x y"],
    ["--"],
    ["-x"],
    ["--json=1"],
    ["--format", "xml"],
    ["--as-of", "2025-13"],
    ["--as-of", "--json"],
    ["--lang", "fr"],
    ["--facts", ""],
    ["--bogus"],
    ["-h"],
]


@settings(max_examples=examples(1000), deadline=None)
@given(
    before=st.lists(st.sampled_from([["--lang", "it"], ["--lang", "en"], ["--facts", "f.toml"]]), max_size=2),
    command=st.sampled_from(sorted(QUERIES)),
    data=st.data(),
)
def test_the_fast_path_takes_argv_exactly_as_the_typer_app_does(
    before: list[list[str]], command: str, data: st.DataObject
) -> None:
    usual = st.sampled_from(_usual(command))
    pieces = data.draw(st.lists(st.one_of(usual, usual, usual, st.sampled_from(_ODD)), max_size=6))
    argv = [*(t for p in before for t in p), command, *(t for p in pieces for t in p)]
    fast = _fast_call(argv)
    if fast is not None:  # what the fast path answers, Typer parses to the same call
        assert fast == _typer_call(argv), argv


@settings(max_examples=examples(300), deadline=None)
@given(
    command=st.sampled_from(sorted(QUERIES)),
    words=st.lists(st.sampled_from(["guidesi", "ara", "8", "novembre"]), min_size=1, max_size=3),
    options=st.lists(
        st.sampled_from(
            [["--json"], ["--cite"], ["--as-of", "2025-02-01"], ["--lang", "it"], ["--format", "csv"]]
        ),
        max_size=4,
    ),
)
def test_the_fast_path_answers_every_well_formed_query(
    command: str, words: list[str], options: list[list[str]]
) -> None:
    spec = QUERIES[command]
    taken = [] if spec.argument is None else words if spec.argument.variadic else words[:1]
    given_options = [o for o in options if o[0] != "--format" or spec.lists]
    argv = [command, *taken, *(t for o in given_options for t in o)]
    assert _fast_call(argv) is not None, argv
    assert _fast_call(argv) == _typer_call(argv), argv


def test_an_unusable_cache_folder_still_answers(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x", encoding="utf-8")
    result = esra("members", "--json", env={"ESRA_CACHE": str(blocked / "esra")})
    assert result.returncode == 0, result.stderr


def test_a_read_only_cache_folder_still_answers_and_is_left_alone(open_folder: Path) -> None:
    base = open_folder / "facts.toml"
    base.write_bytes(SHIPPED.read_bytes())
    base.chmod(0o644)
    readonly = open_folder / "ro"
    readonly.mkdir()
    readonly.chmod(0o555)
    env = {"ESRA_CACHE": str(readonly)}
    code, out, err = as_user_without_privileges("--facts", str(base), "members", "--json", env=env)
    assert code == 0, err
    assert json.loads(out)
    assert not any(readonly.iterdir())


def test_concurrent_first_calls_all_answer(tmp_path: Path) -> None:
    environment = child_env({"ESRA_CACHE": str(tmp_path)})
    procs = [
        subprocess.Popen([ESRA, "person", "guidesi", "--json"], stdout=subprocess.PIPE, env=environment)
        for _ in range(8)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len(set(outputs)) == 1
    assert len(list(tmp_path.glob(f"*{compiled.SUFFIX}"))) == 1


def test_the_json_path_imports_neither_rich_nor_tomli_w(tmp_path: Path) -> None:
    for _ in range(2):  # the first call compiles the base, the second reads it
        result, heavy = heavy_imports(["members", "--json"], {"ESRA_CACHE": str(tmp_path)})
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)
        assert (result.stderr, heavy) == ("", ""), f"imported: {heavy}"


def test_new_code_under_the_same_version_never_reads_the_old_database(tmp_path: Path) -> None:
    # A reinstall or a developer's edit keeps the version number; a database compiled by the
    # old code (whose layout or rules may differ) must not be read by the new.
    code = tmp_path / "code"
    shutil.copytree(
        Path(compiled.__file__).parent, code / "esra_cli", ignore=shutil.ignore_patterns("__pycache__")
    )
    cache_dir = tmp_path / "cache"
    environment = {"PYTHONPATH": str(code), "ESRA_CACHE": str(cache_dir)}
    main = (sys.executable, "-c", "from esra_cli.entry import main; main()")

    def table() -> str:
        drawn: str = esra(
            "members", "--facts", str(SHIPPED), command=main, env=environment, cwd=code, check=True
        ).stdout
        return drawn

    before = table()
    assert before == table()
    assert len(list(cache_dir.glob("*.sqlite"))) == 1
    i18n = code / "esra_cli" / "i18n.py"
    i18n.write_text(
        i18n.read_text(encoding="utf-8").replace('("Region", ', '("Member region", '), encoding="utf-8"
    )
    after = table()
    assert "Member region" in after and "Member region" not in before
    assert len(list(cache_dir.glob("*.sqlite"))) == 2  # the new code compiled its own


_WORDS = sorted({w for w in words(SHIPPED.read_text(encoding="utf-8")) if len(w) >= 3 and not w.isdigit()})


@settings(max_examples=examples(120), deadline=None)
@given(
    command=st.sampled_from(["search", "who", "what"]),
    query=st.lists(
        st.sampled_from(_WORDS).flatmap(lambda w: st.integers(3, len(w)).map(lambda n: w[:n])),
        min_size=1,
        max_size=2,
    ),
    as_of=st.sampled_from(["2024-06-01", "2025-06-01", AS_OF]),
)
def test_a_search_or_filter_through_the_index_finds_what_a_scan_finds(
    command: str, query: list[str], as_of: str
) -> None:
    # The compiled base's FTS5 index only proposes candidates (for who and what, with what
    # they match besides a record's words: links, a person's posts); matching.py ranks them.
    # A word the index missed would be a row the scan (no cache) finds and it does not.
    indexed = call(command, " ".join(query), "--json", "--as-of", as_of)
    scanned = call(command, " ".join(query), "--json", "--as-of", as_of, env={"ESRA_CACHE": "off"})
    assert (indexed.exit_code, indexed.stdout) == (scanned.exit_code, scanned.stdout)


def test_who_and_what_find_through_the_index_what_only_posts_and_links_say(facts_copy: Path) -> None:
    # The shipped people carry their posts' words in their own quotes, and every id's words
    # are in its record's names: here a person's post, and the id of the body it is in
    # ("qx-board", named "Kuratorium"), are found only through what the filters read.
    base = ("--facts", str(facts_copy))
    source = ("--source", "ansa-2024-11-08", "--quote", "ansa-2024-11-08=Regione Lombardia")
    body = ("--name-it", "Kuratorium", "--name-en", "Kuratorium", "--kind", "institution", *source)
    assert call(*base, "add", "organization", "--id", "qx-board", *body).exit_code == 0
    assert call(*base, "add", "person", "--id", "zeno-quux", "--name", "Zeno Quux", *source).exit_code == 0
    post = ("--title-it", "Suonatore di xilofono", "--title-en", "Xylophonist", "--organization", "qx-board",
            "--start", "2024-11-08", "--end", "2025-12-31", "--cite", "start=ansa-2024-11-08",
            "--cite", "end=ansa-2024-11-08", "--source", "ansa-2024-11-08",
            "--quote", "ansa-2024-11-08=Zeno Quux, Kuratorium")  # fmt: skip
    added = call(*base, "add", "position", "--id", "quux-post", "--person", "zeno-quux", *post)
    assert added.exit_code == 0, added.stderr
    aim = ("--type", "aim", "--subject", "qx-board", "--text-it", "Musica", "--text-en", "Music")
    added = call(
        *base,
        "add",
        "statement",
        "--id",
        "music-aim",
        *aim,
        *source[:2],
        "--quote",
        "ansa-2024-11-08=Kuratorium",
    )
    assert added.exit_code == 0, added.stderr
    settled = time.time() + 60  # the file settled: the answer comes from its compiled base
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: settled)
        assert call(*base, "who", "--json").exit_code == 0  # compiles the base
        index = compiled.open_base(str(facts_copy))
        assert index.matching(["xylo"], filtering=True) == ["qx-board", "zeno-quux", "quux-post"]
        for word, found in (("xylophonist", "zeno-quux"), ("xylo", "qx-board"), ("quux", "qx-board"),
                            ("qx", "zeno-quux")):  # fmt: skip
            indexed = call(*base, "who", word, "--json")
            assert indexed.stdout == call(*base, "who", word, "--json", env={"ESRA_CACHE": "off"}).stdout
            assert found in {row["id"] for row in json.loads(indexed.stdout)}, word
        said = call(*base, "what", "qx", "--json")  # the statement, by the id of its subject
        assert said.stdout == call(*base, "what", "qx", "--json", env={"ESRA_CACHE": "off"}).stdout
        assert [row["id"] for row in json.loads(said.stdout)] == ["music-aim"]


def test_a_search_imports_two_stemmers_and_stems_as_the_package_does(tmp_path: Path) -> None:
    # snowballstemmer's package imports every language it has; esra loads the two it uses.
    result, loaded = heavy_imports(
        ["search", "turin", "--json"], {"ESRA_CACHE": str(tmp_path)}, of=("snowballstemmer",)
    )
    assert result.returncode == 0, result.stderr
    assert set(loaded.split()) == {
        f"snowballstemmer.{m}" for m in ("among", "basestemmer", "english_stemmer", "italian_stemmer")
    }
    from esra_cli import matching

    stems = [matching._stemmed(w) for w in ("microelettronica", "semiconductors", "regioni", "alliance")]
    import snowballstemmer  # type: ignore[import-untyped]  # whole, after esra's stand-in left

    packaged = [snowballstemmer.stemmer(lang) for lang in ("italian", "english")]
    assert stems == [
        [s.stemWord(w) for s in packaged]
        for w in ("microelettronica", "semiconductors", "regioni", "alliance")
    ]


def test_version_is_answered_without_typer_and_says_the_same(tmp_path: Path) -> None:
    result, heavy = heavy_imports(["--version"], {"ESRA_CACHE": str(tmp_path)})
    assert result.returncode == 0 and "typer" not in heavy.split(), heavy
    ((code, typer_out, _),) = typer_app_answers([(["--version"], {"ESRA_CACHE": str(tmp_path)})])
    assert (code, result.stdout) == (0, typer_out)  # the fast path's words are the Typer app's
    assert result.stdout.startswith("esra ") and "(fact base updated " in result.stdout
