"""The Typer app: the query commands built from the command table, one short function for
each other command, shared options declared once.

Every query command is parse -> load -> query -> render, its parameters and help as
commands.QUERIES writes them. Expected failures are EsraError subclasses, which pass through
the app to entry.answered, the one place that turns them into one stderr line and their exit
code, for this door and the fast path alike.
"""

from __future__ import annotations

import inspect
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from esra_cli import commands, compiled, contract, dates, facts, kinds, locate, query, render
from esra_cli.complete import for_typer
from esra_cli.errors import EXIT_FACTS, EXIT_OK, EsraError, UsageError
from esra_cli.settings import FACTS_ENV, LANG_ENV, LANGS

# Installed help only: a wheel has no README to point at.
EPILOG = (
    "Each command's --help has examples; `esra fields COMMAND` and `esra schema COMMAND` give its "
    "JSON contract. Exit codes: 0 ok, 2 usage, 3 not found, 4 fact base, 5 output, 130 interrupted."
)


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def completion_shell(argv: list[str]) -> str | None:
    """The shell `--show-completion SHELL` names, if argv asks for one. Typer's own option is
    a flag that detects the shell running esra, and prints bash's script for `zsh`."""
    if "--show-completion" not in argv:
        return None
    after = argv[argv.index("--show-completion") + 1 :]
    return after[0] if after and after[0] in SHELLS else None


def completion_script(shell: str) -> str:
    """The completion script of `shell`, as `--show-completion` prints it."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="esra", complete_var="_ESRA_COMPLETE", shell=shell) + "\n"


# The output formats of the list commands (commands.FORMATS), as the choices of --format.
OutputFormat = StrEnum("OutputFormat", [(name, name) for name in commands.FORMATS])  # type: ignore[misc]


# The languages esra answers in (settings.LANGS), as the choices of --lang.
Lang = StrEnum("Lang", [(code, code) for code in LANGS])  # type: ignore[misc]
DEFAULT_LANG = Lang(LANGS[0])


class GraphFormat(StrEnum):
    """Formats of `esra graph`."""

    dot = "dot"
    mermaid = "mermaid"


class ExportFormat(StrEnum):
    """Formats of `esra export`."""

    toml = "toml"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    jsonld = "jsonld"
    sqlite = "sqlite"


@dataclass(frozen=True, slots=True)
class GlobalOptions:
    """Options that may come before or after the command name; the later one wins."""

    facts: Path | None = None
    lang: Lang = DEFAULT_LANG


class EsraCommand(TyperCommand):
    """A command whose usage line names a required argument plainly (NAME, not Typer's {NAME})."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces: list[str] = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]


class EsraGroup(TyperGroup):
    """A closed pipe is a reader that left: exit 0 (Click would make it 1). esra's own
    errors pass through, to the one place that maps them to their exit code (entry.dispatch)."""

    # Typed Any: the supertype's Context lives in Typer's private vendored Click.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            silence_stdout()
            raise typer.Exit(EXIT_OK) from None


def silence_stdout() -> None:
    """After a reader closed the pipe, point stdout at /dev/null so the final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno() if sys.stdout is not None else 1)
    except (OSError, ValueError):
        pass  # no real file descriptor (tests, closed stream): nothing left to flush into


def _iso_date(value: str | None) -> str | None:
    if value is not None and not dates.is_valid(value):
        raise typer.BadParameter(f"{value!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return value


FactsOpt = Annotated[
    Path | None,
    typer.Option(
        "--facts",
        metavar="PATH",
        help=f"Fact base to read [env: {FACTS_ENV}].",
        show_default=False,
        readable=False,  # facts.read_bytes judges the file: unreadable is exit 4, not a usage error
    ),
]
LangOpt = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        case_sensitive=False,
        help=f"Answer in English or Italian [env: {LANG_ENV}].",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts (short for --format json).")]
CiteOpt = Annotated[bool, typer.Option("--cite", help="Number the sources and list them under the table.")]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", help="table for people; json, jsonl, csv or plain for tools.")
]
FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="A,B,...",
        help="Keep only these fields (see esra fields COMMAND).",
        show_default=False,
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        callback=_iso_date,
        help=(
            "Judge roles past/current/upcoming on this date, and leave out what began after"
            " it unless announced by then (default: today)."
        ),
        show_default=False,
    ),
]

app = typer.Typer(
    cls=EsraGroup,
    name="esra",
    # Plain Click help: Rich help would import Rich on every --help (see bench/).
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EPILOG,
)


@app.callback()
def main(
    ctx: typer.Context,
    facts_path: Annotated[
        Path | None,
        typer.Option(
            "--facts",
            metavar="PATH",
            envvar=FACTS_ENV,
            help="Fact base to read.",
            show_default=False,
            readable=False,  # as in FactsOpt
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="[en|it]",
            callback=_language,
            help=f"Answer in English or Italian.  [env var: {LANG_ENV}; default: {LANGS[0]}]",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", help="Show the version and the fact base's date.")
    ] = False,
) -> None:
    """Who, what, when and where of Lombardy joining the European Semiconductor Regions Alliance.

    \b
    Examples:
      esra members                      ESRA member regions
      esra person guidesi               one person: posts, dates, sources
      esra when --from 2025 --json      the 2025 timeline as JSON
      esra --lang it region baviera     a region, in Italian
    """
    ctx.obj = GlobalOptions(facts_path, Lang(lang or LANGS[0]))
    if version:
        render.write_lines([commands.version_line(ctx.obj.facts)])
        raise typer.Exit(EXIT_OK)
    if ctx.invoked_subcommand is None:
        render.write_lines([ctx.get_help()])
        raise typer.Exit(EXIT_OK)


def _language(value: str | None) -> str:
    """--lang, else $ESRA_LANG, else English; a wrong value is blamed on where it was given.

    Not Click's envvar: it names the variable in its message even when the option was typed.
    """
    given = value if value is not None else os.environ.get(LANG_ENV)
    if given is None:
        return LANGS[0]
    if given.lower() not in LANGS:
        where = "'--lang'" if value is not None else f"${LANG_ENV}"
        choices = ", ".join(repr(code) for code in LANGS)
        raise typer.BadParameter(f"{given!r} is not one of {choices}.", param_hint=where)
    return given.lower()


def _completer(table: str) -> Any:
    """The autocompletion callback of a command's NAME: names of the kind it looks up, `table`
    (commands.Argument.completes).

    A shell's completion of NAME mostly comes from complete.py, without Typer; this serves
    what it leaves to Typer (see complete.py).
    """

    def offer(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        root = ctx.find_root().params
        try:
            path = ctx.params.get("facts_path") or root.get("facts_path")
            language = str(ctx.params.get("lang") or root.get("lang") or "en")
            offered = query.completions(compiled.open_base(locate.find(path)), table, incomplete, language)
            return [(value, for_typer(label)) for value, label in offered]
        except EsraError:
            return []  # a broken base: nothing to offer, and no error in the middle of a prompt

    return offer


def global_options(ctx: typer.Context, path: Path | None, lang: Lang | None) -> GlobalOptions:
    """--facts and --lang as given before the command name, overridden by those given after it."""
    base: GlobalOptions = ctx.obj or GlobalOptions()
    return GlobalOptions(path or base.facts, lang or base.lang)


def load(ctx: typer.Context, path: Path | None) -> facts.FactBase:
    """The validated fact base, from its compiled database when it is current."""
    return compiled.open_base(locate.find(global_options(ctx, path, None).facts))


def _query_command(command: commands.Command) -> None:
    """Add one query command of the command table to the app: its parameters, help and
    examples as the table gives them, its body the one every query command shares."""
    argument = command.argument

    def answer(
        ctx: typer.Context,
        as_json: bool,
        cite: bool,
        facts_path: Path | None,
        lang: Lang | None,
        fmt: OutputFormat | None = None,
        fields: str | None = None,
        **args: Any,
    ) -> None:
        if argument is not None and argument.variadic:
            args[argument.dest] = " ".join(args[argument.dest])
        chosen = global_options(ctx, facts_path, lang)
        base = compiled.open_base(locate.find(chosen.facts))
        form = commands.output_format(as_json, fmt.value if fmt else None)
        commands.answer(command.name, base, chosen.lang.value, args, form, fields, cite)

    def option(name: str, default: Any, annotation: Any) -> inspect.Parameter:
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)

    parameters = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)]
    if argument is not None:
        parameters.append(_argument(argument))
    parameters += [
        option(
            d.dest,
            None,
            Annotated[
                str | None,
                typer.Option(d.flag, metavar="DATE", callback=_iso_date, help=d.help, show_default=False),
            ],
        )
        for d in command.dates
    ]
    parameters.append(option("as_json", False, JsonOpt))
    if command.lists:
        parameters += [
            option("fmt", OutputFormat(commands.FORMATS[0]), FormatOpt),
            option("fields", None, FieldsOpt),
        ]
    parameters += [
        option("cite", False, CiteOpt),
        option("facts_path", None, FactsOpt),
        option("lang", None, LangOpt),
    ]
    answer.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    examples = "".join(f"\n  {example}" for example in command.examples)
    answer.__doc__ = f"{command.help}\n\n\b\nExamples:{examples}"
    app.command(command.name, cls=EsraCommand, short_help=command.summary)(answer)


def _argument(argument: commands.Argument) -> inspect.Parameter:
    """The Typer parameter of a query command's argument."""
    completion = _completer(argument.completes) if argument.completes else None
    declared = typer.Argument(metavar=argument.metavar, help=argument.help, autocompletion=completion)
    if argument.variadic:
        kind: Any = list[str]
    elif argument.required or argument.default is not None:
        kind = str
    else:
        kind = str | None
    default = inspect.Parameter.empty if argument.required else argument.default
    return inspect.Parameter(
        argument.dest, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, declared]
    )


for _command in commands.QUERIES.values():
    _query_command(_command)


@app.command(cls=EsraCommand, short_help="The base as a DOT or Mermaid graph.")
def graph(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="[ENTITY]", help="Only this person, organization, region or place and its neighbours."
        ),
    ] = None,
    fmt: Annotated[
        GraphFormat, typer.Option("--format", help="Graphviz DOT or a Mermaid flowchart.")
    ] = "dot",  # type: ignore[assignment]
    facts_path: FactsOpt = None,
    lang: LangOpt = None,
) -> None:
    """The base as a graph: people -> bodies they serve, regions -> alliances, events -> places.

    \b
    Examples:
      esra graph guidesi | dot -Tsvg > guidesi.svg
      esra graph --format mermaid
    """
    from esra_cli import graph as graphs

    base = load(ctx, facts_path)
    language = global_options(ctx, facts_path, lang).lang.value
    around = query.entity(base, name, language) if name else None
    draw = graphs.dot if fmt == GraphFormat.dot else graphs.mermaid
    render.write_text(draw(base, language, around))


@app.command("fields", cls=EsraCommand, short_help="The fields of a command's JSON output.")
def fields_command(
    command: Annotated[str, typer.Argument(metavar="COMMAND", help="A query command, e.g. members.")],
    as_json: JsonOpt = False,
) -> None:
    """The fields of a command's JSON output, for --fields.

    \b
    Examples:
      esra fields members
      esra members --fields id,name,since --format csv
    """
    if command not in contract.VIEWS:
        raise UsageError(f"no command {command!r} with JSON output; try: {', '.join(contract.COMMANDS)}")
    names = contract.fields(command)
    render.write_json(names) if as_json else render.write_lines(names)


@app.command("schema", cls=EsraCommand, short_help="The JSON Schema of a command's JSON output.")
def schema_command(
    command: Annotated[
        str | None, typer.Argument(metavar="[COMMAND]", help="A query command; all of them when left out.")
    ] = None,
) -> None:
    """The JSON Schema of a command's --json output (draft 2020-12).

    \b
    Examples:
      esra schema members
      esra schema person > person.schema.json
    """
    if command is not None and command not in contract.VIEWS:
        raise UsageError(f"no command {command!r} with JSON output; try: {', '.join(contract.COMMANDS)}")
    render.write_json(
        contract.schema(command) if command else {c: contract.schema(c) for c in contract.VIEWS}
    )


@app.command(cls=EsraCommand, short_help="Validate the fact base (and its quotes).")
def check(
    ctx: typer.Context,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            metavar="FILE",
            exists=True,
            dir_okay=False,
            help="Also check that each quote from the source is in this text.",
        ),
    ] = None,
    source_id: Annotated[
        str | None,
        typer.Option(
            "--source-id", metavar="ID", help="Whose quotes --against checks (default: the announcement)."
        ),
    ] = None,
    as_json: JsonOpt = False,
    facts_path: FactsOpt = None,
) -> None:
    """Validate the whole fact base; with --against, find every quote in its source text.

    Problems are printed one per line (facts.toml:LINE: id: message); the summary goes to
    stderr. Exit 0 when clean, 4 when there are problems.

    \b
    Examples:
      esra check
      esra check --against announcement.it.txt
    """
    path = Path(locate.find(global_options(ctx, facts_path, None).facts))
    from esra_cli import check as checking

    found = checking.report(path, against, source_id)
    render.problems(found, path, as_json)
    if found.problems:
        raise typer.Exit(EXIT_FACTS)


@app.command(cls=EsraCommand, short_help="The base as TOML, JSON, CSV, JSON-LD or SQLite.")
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = ExportFormat.toml,
    kind: Annotated[
        str | None, typer.Option("--kind", metavar="KIND", help="Only this kind of record, e.g. person.")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="[FILE]", help="The database to write, for --format sqlite.", show_default=False
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it is a SQLite database already.")
    ] = False,
    facts_path: FactsOpt = None,
) -> None:
    """The whole base, or one kind of record, as TOML, JSON, JSON Lines or CSV; or JSON-LD,
    or a SQLite database.

    JSON-LD uses schema.org terms (Organization, Person, Place, Event, memberOf, startDate)
    for RDF stores and Wikibase. A SQLite database goes to FILE: a table per kind of record,
    linked by foreign keys, a citations table (each value's sources and quotes) and full-text
    search, for sqlite-utils or Datasette, with Datasette's metadata beside it
    (esra.db -> esra.metadata.json). Both are always the whole base. An existing FILE is
    replaced only with --force, and only if it is a SQLite database: never the fact base,
    never another kind of file.

    \b
    Examples:
      esra export --format csv --kind person
      esra export --format jsonl | jq .id
      esra export --format sqlite esra.db && datasette esra.db -m esra.metadata.json
    """
    from esra_cli import export as exporting

    table = kinds.table_of(kind)
    if fmt == ExportFormat.sqlite or file is not None:
        path = locate.find(global_options(ctx, facts_path, None).facts)
        exporting.database(path, fmt.value, table, file, force=force)
        return
    render.write_text(exporting.export(load(ctx, facts_path), fmt.value, table))


@app.command(cls=EsraCommand, short_help="Browse the base in Datasette on 127.0.0.1.")
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port on 127.0.0.1.")] = 8001,
    facts_path: FactsOpt = None,
) -> None:
    """Browse the fact base in Datasette, on this machine only (127.0.0.1), until Ctrl-C.

    Exports the base as `export --format sqlite` does, to a private temporary folder that is
    removed when the server stops, and runs Datasette on it with its metadata: tables linked
    to each other, a search box, facets. Needs Datasette: pip install "esra[web]".

    \b
    Examples:
      esra serve
      esra serve --port 8080
    """
    from esra_cli import web

    web.serve(locate.find(global_options(ctx, facts_path, None).facts), port)


class AddGroup(EsraGroup):
    """`esra add KIND`: a kind's command is built only when that kind is asked for.

    The ten commands carry about a hundred flags made from the schema; building them all
    on every call of the Typer app (help, completion) cost a third of the time it takes.
    """

    def list_commands(self, ctx: Any) -> list[str]:
        return [kind.singular for kind in kinds.KINDS.values()]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        kind = kinds.BY_SINGULAR.get(cmd_name)
        if kind is None:
            return None
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        _add_command(single, kind)
        return typer.main.get_command(single)


add_app = typer.Typer(
    cls=AddGroup,
    rich_markup_mode=None,
    no_args_is_help=True,
    help="Append one record to the fact base, validated first; the file is never rewritten.",
    short_help="Append one validated record to the fact base.",
)
app.add_typer(add_app, name="add")


def _add_command(target: typer.Typer, kind: kinds.Kind) -> None:
    from esra_cli import forms, store

    def command(ctx: typer.Context, dry_run: bool, facts_path: Path | None, **values: Any) -> None:
        path = Path(locate.find(global_options(ctx, facts_path, None).facts))
        record = forms.record(kind, values)
        if dry_run:
            render.write_text(store.preview(path, kind, record))
        else:
            store.add(path, kind, record)
            render.info(f"added {kind.singular} {record['id']} to {path}")

    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
    dry_run = inspect.Parameter(
        "dry_run",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool, typer.Option("--dry-run", help="Print the block instead of appending it.")
        ],
    )
    facts_param = inspect.Parameter(
        "facts_path", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=FactsOpt
    )
    command.__signature__ = inspect.Signature([context, *forms.parameters(kind), dry_run, facts_param])  # type: ignore[attr-defined]
    example = "--source ID" if kind.table != "sources" else "--publisher NAME"
    command.__doc__ = f"Append one {kind.singular} record: esra add {kind.singular} --id ID {example} ..."
    target.command(kind.singular, cls=EsraCommand)(command)
