"""Completion of names without Typer: what Typer prints, in each shell, and only for names."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from esra_cli import complete
from tests.conftest import ESRA, TYPER_APP, call, esra, typer_app_answers

# On one xdist worker: the Typer app's answers (a process importing Typer) are made once.
pytestmark = pytest.mark.xdist_group("typer-completions")

NAMES = [
    "esra person gu",
    "esra person Gu",
    "esra person ",
    "esra person zz",
    "esra region Ba",
    "esra --lang it region ba",
    "esra region --lang it ba",
    "esra members --json e",
    "esra tree a",
    "esra org --as-of 2025 e",
    "esra where tu",
]
OTHERS = [
    "esra pe",  # a command
    "esra person --l",  # an option
    "esra person --lang ",  # an option's value
    "esra person guidesi ",  # a second word
    "esra when ",  # a command without NAME
    "esra person 'gu",  # quoting
    "esra person -- gu",
    "esra add person --id ",
]
# Each shell's side of Typer's protocol; fish asks twice per Tab: "any?" then "which?".
SHELLS = ["bash", "zsh", "fish is-args", "fish get-args"]


def protocol(shell: str, line: str) -> dict[str, str]:
    """The environment a shell's completion script gives esra for `line`, cursor at its end."""
    if shell == "bash":
        words = line.split()
        current = len(words) if line.endswith(" ") else len(words) - 1
        return {"_ESRA_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(current)}
    name, _, action = shell.partition(" ")
    settings = {"_ESRA_COMPLETE": f"complete_{name}", "_TYPER_COMPLETE_ARGS": line}
    return settings | ({"_TYPER_COMPLETE_FISH_ACTION": action} if action else {})


def completed(shell: str, line: str, typer_app: bool = False, **extra: str) -> tuple[int, str, str]:
    command = (sys.executable, "-c", TYPER_APP) if typer_app else (ESRA,)
    done = esra(command=command, env=protocol(shell, line) | extra)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def typer_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The Typer app's own cache: the base compiled once, not parsed for each of its answers."""
    return str(tmp_path_factory.mktemp("typer-cache"))


@pytest.fixture(scope="module")
def typer_answers(typer_cache: str) -> dict[tuple[str, str], tuple[int, str, str]]:
    """The Typer app's answer to every line in every shell, from one process."""
    cases = [(shell, line) for shell in SHELLS for line in NAMES + OTHERS]
    calls: list[tuple[list[str], dict[str, str]]] = [
        ([], protocol(shell, line) | {"ESRA_CACHE": typer_cache}) for shell, line in cases
    ]
    return dict(zip(cases, typer_app_answers(calls), strict=True))


def test_one_process_answers_as_a_process_a_case_would(
    typer_answers: dict[tuple[str, str], tuple[int, str, str]],
) -> None:
    for case in [("zsh", "esra person gu"), ("bash", "esra pe"), ("fish get-args", "esra add person --id ")]:
        assert typer_answers[case] == completed(*case, typer_app=True, ESRA_CACHE="off")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One cache for the module, as a user's: the base is parsed once, not once a case."""
    return str(tmp_path_factory.mktemp("cache"))


@pytest.mark.parametrize("shell", SHELLS)
def test_the_first_tab_on_a_fresh_cache_parses_the_base_and_answers(
    shell: str, tmp_path: Path, typer_answers: dict[tuple[str, str], tuple[int, str, str]]
) -> None:
    assert (
        completed(shell, "esra person gu", ESRA_CACHE=str(tmp_path)) == typer_answers[shell, "esra person gu"]
    )


def no_files(shell: str, answer: tuple[int, str, str]) -> tuple[int, str, str]:
    """What esra prints where Typer offers zsh's file names for lack of a name: nothing."""
    return (answer[0], "", answer[2]) if shell == "zsh" and answer[1] == "_files\n" else answer


def tabbed(shell: str, line: str, **extra: str) -> tuple[int, str, str]:
    """`completed`, in-process through esra's front door (entry.dispatch): a shell's Tab as the
    `esra` command answers it, without a process start per case."""
    result = call(env=protocol(shell, line) | {"ESRA_DEBUG": "0"} | extra)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("line", NAMES + OTHERS)
def test_each_shell_gets_what_typer_would_print(
    shell: str, line: str, cache_dir: str, typer_answers: dict[tuple[str, str], tuple[int, str, str]]
) -> None:
    typer_app = no_files(shell, typer_answers[shell, line]) if line in NAMES else typer_answers[shell, line]
    assert tabbed(shell, line, ESRA_CACHE=cache_dir) == typer_app  # the first: compiles or reads
    if line in NAMES:
        assert tabbed(shell, line, ESRA_CACHE=cache_dir) == typer_app  # the same Tab again


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(("line", "answered"), [(n, True) for n in NAMES] + [(o, False) for o in OTHERS])
def test_only_names_are_answered_without_typer(
    shell: str, line: str, answered: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in protocol(shell, line).items():
        monkeypatch.setenv(key, value)
    with redirect_stdout(io.StringIO()) as out:
        code = complete.run()
    assert (code is not None) is answered
    nothing = shell == "fish is-args" or (shell == "zsh" and line == "esra person zz")
    assert bool(out.getvalue()) is (answered and not nothing)


@pytest.mark.parametrize(
    ("label", "settings", "plain"),
    [
        ("Baden-Württemberg", {}, True),
        ("[bold]x[/bold]", {}, False),  # Rich markup
        ("a :smile: b", {}, False),  # an emoji code
        ("x" * 41, {}, False),  # may wrap at 80 columns
        ("x" * 30, {"COLUMNS": "50"}, False),
        ("x" * 30, {"TERMINAL_WIDTH": "100"}, True),
        ("tab\there", {}, False),
    ],
)
def test_a_description_is_printed_only_where_rich_would_leave_it_as_is(
    label: str, settings: dict[str, str], plain: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("COLUMNS", "TERMINAL_WIDTH"):
        monkeypatch.delenv(key, raising=False)
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    assert complete._plain(label, complete._rich_width()) is plain


@pytest.mark.parametrize("lang", ["it", "EN", "fr"])
def test_the_language_may_come_from_the_environment(lang: str, typer_more: More) -> None:
    line = "esra region ba"
    expected = typer_more[("bash", line, ("ESRA_LANG", lang))]
    assert tabbed("bash", line, ESRA_LANG=lang) == expected


@pytest.fixture(scope="module")
def broken_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    broken = tmp_path_factory.mktemp("broken") / "facts.toml"
    broken.write_text("[[people]\n", encoding="utf-8")
    return broken


More = dict[tuple[str, str, tuple[str, str]], tuple[int, str, str]]


@pytest.fixture(scope="module")
def typer_more(broken_base: Path, typer_cache: str) -> More:
    """The Typer app's answers to the cases below, with their own settings, from one process."""
    cases = [("bash", "esra region ba", ("ESRA_LANG", lang)) for lang in ("it", "EN", "fr")]
    cases += [(shell, "esra person gu", ("ESRA_FACTS", str(broken_base))) for shell in SHELLS]
    cases += [("bash", f"esra {command} ", ("ESRA_CACHE", "off")) for command in ("members", "tree", "org")]
    calls: list[tuple[list[str], dict[str, str]]] = [
        ([], protocol(shell, line) | {"ESRA_CACHE": typer_cache, setting[0]: setting[1]})
        for shell, line, setting in cases
    ]
    return dict(zip(cases, typer_app_answers(calls), strict=True))


@pytest.mark.parametrize("shell", SHELLS)
def test_a_broken_base_offers_nothing_and_says_nothing(
    shell: str, broken_base: Path, typer_more: More
) -> None:
    result = tabbed(shell, "esra person gu", ESRA_FACTS=str(broken_base))
    assert result == no_files(shell, typer_more[(shell, "esra person gu", ("ESRA_FACTS", str(broken_base)))])
    assert result[2] == ""


@pytest.mark.parametrize("line", ["esra what ", "esra who ch", "esra search 8 ", "esra person zz"])
def test_zsh_is_offered_nothing_rather_than_file_names(line: str) -> None:
    assert tabbed("zsh", line) == (0, "", "")


@pytest.mark.parametrize(
    ("line", "offered", "shows"),
    [
        ("esra region Baden-Wue", "Baden-Wuerttemberg", "Baden-Württemberg"),
        ("esra region Baden-Wü", "Baden-Württemberg", "Baden-Württemberg"),
        ("esra person Beiß", "Beißwenger", "Eric Beißwenger"),
        ("esra person Bei", "Beisswenger", "Eric Beißwenger"),
    ],
)
def test_completion_keeps_what_was_typed_in_any_case_and_accents(line: str, offered: str, shows: str) -> None:
    assert tabbed("bash", line)[1].split() == [offered]  # bash keeps only what starts as typed
    command = line.split()[1]
    assert call(command, offered).stdout.splitlines()[0] == shows  # and it looks up the same entity


@pytest.mark.parametrize("typer_app", [False, True], ids=["fast path", "typer app"])
def test_members_and_tree_offer_alliances_only(typer_app: bool, typer_more: More) -> None:
    offered = {
        command: (
            typer_more[("bash", f"esra {command} ", ("ESRA_CACHE", "off"))]
            if typer_app
            else tabbed("bash", f"esra {command} ")
        )[1].split()
        for command in ("members", "tree", "org")
    }
    assert {"esra", "ara", "ecrn"} <= set(offered["members"])
    assert offered["members"] == offered["tree"]
    assert "commission" not in offered["members"] and "cor" not in offered["members"]
    assert {"commission", "cor"} <= set(offered["org"])  # org takes any organization
