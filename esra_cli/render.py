"""The output sink: the only module that writes to stdout or stderr, and the only one using Rich.

JSON goes straight through the stdlib `json` module; Rich is imported only when a table is
drawn, because importing it costs more than answering a query (see bench/).
"""

from __future__ import annotations

import io
import json
import re
import sys

from esra_cli import contract, dates
from esra_cli.errors import OutputError
from esra_cli.escape import clean, csv_rows
from esra_cli.escape import data as escaped
from esra_cli.i18n import header, word

TYPE_CHECKING = False  # the fast path imports this module: typing would cost milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path
    from typing import Any, TextIO

    from rich.console import RenderableType
    from rich.table import Table

    from esra_cli.check import Report
    from esra_cli.query import Card, Listing, Row, View

# Piped output gets a width no table reaches, so cells are never wrapped or cut.
PIPE_WIDTH = 100_000


def error(message: str) -> None:
    """One line on stderr, prefixed with the program's name."""
    _say(f"esra: {clean(message, lines=False)}\n")


def info(message: str) -> None:
    """A confirmation or summary for people: stderr, so stdout stays data."""
    _say(f"{clean(message, lines=False)}\n")


def _say(line: str) -> None:
    # A message that cannot be written is dropped by the stream itself (entry._Messages),
    # so it never changes the exit code.
    sys.stderr.write(line)
    sys.stderr.flush()


class Output:
    """How to print: format, the fields to keep, whether to number sources (--cite), and the
    source register the numbered list is written from."""

    __slots__ = ("cite", "fields", "format", "lang", "register")

    def __init__(
        self,
        fmt: str = "table",
        lang: str = "en",
        fields: str | None = None,
        cite: bool = False,
        register: Callable[[], dict[str, Any]] = dict,
    ) -> None:
        # --fields without --format means the fields as plain lines: a table's columns are fixed.
        self.format = "plain" if fields and fmt == "table" else fmt
        self.lang, self.fields, self.cite, self.register = lang, fields, cite, register


def emit(view: View, output: Output) -> None:
    """Print a view: a Rich table for people, or JSON, JSON Lines, CSV or plain lines for tools."""
    out = stdout()
    if output.format != "table":
        text = _data_text(view, output, out)
    elif getattr(view, "rows", None) == []:  # a list with nothing in it: say so, not bare headers
        info(word(f"no_{view.kind}", output.lang))
        return
    elif out.isatty():
        console = _console(out, None)
        _print_terminal(_human(view, output, piped=False, width=console.width), console, out)
        return
    else:
        text = _plain(_human(view, output, piped=True), out)
    write_answer(text, output.format == "table")


def _data_text(view: View, output: Output, out: TextIO) -> str:
    data = contract.select(view.kind, view.json(), output.fields)
    if output.format == "json":
        return json_text(data, out)
    rows = data if isinstance(data, list) else [data]
    if output.format == "jsonl":
        return "".join(json_text(row, out, indent=None) for row in rows)
    header, cells = contract.flat(view.kind, rows, output.fields)
    if output.format == "csv":
        return for_terminal(csv_rows([header, *cells]), out)
    return "".join("\t".join(_one_line(v) for v in row) + "\n" for row in cells)


def _one_line(value: str) -> str:
    return clean(" ".join(value.split())) if value else ""


def _human(view: View, output: Output, piped: bool, width: int | None = None) -> RenderableType:
    """The table (or tree) for people; with --cite, or on any terminal,
    numbered sources listed under it."""
    # On a terminal, sources are numbered, [1], and listed under the table, as --cite does:
    # a column of source ids took the room of every date and status (40 lines more at 160
    # columns); a pipe keeps the ids, which scripts read.
    numbered = output.cite or width is not None
    numbers: dict[str, int] = {}
    _DRAWING.numbers, _DRAWING.piped, _DRAWING.width = (numbers if numbered else None), piped, width or 0
    try:
        body = _LAYOUTS[view.kind](view, output.lang)
        if not numbers:  # not numbered, or nothing cited
            return body
        from rich.console import Group

        return Group(body, _citations(numbers, output.register(), output.lang))
    finally:
        _DRAWING.numbers, _DRAWING.piped, _DRAWING.width = None, False, 0


class _Drawing:
    """What every layout needs while a view is drawn, and no layout is passed.

    numbers: with --cite, source id -> its number, in order of first use (see `_sources`).
    piped: drawn at PIPE_WIDTH, where nothing wraps, so a table goes to Rich as one cell a
    column, carrying its padding as spaces (see _rows): the same text, drawn in a quarter of
    the time (tests/test_tables.py holds the two equal).
    """

    numbers: dict[str, int] | None = None
    piped = False
    width = 0  # a terminal's columns, for _fit; 0 when piped


_DRAWING = _Drawing()


def _citations(numbers: dict[str, int], register: dict[str, Any], lang: str) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    lines: list[RenderableType] = [Text(header("sources", lang) + ":")]
    for rid, n in numbers.items():
        source = register.get(rid, {})
        # An undated page says so, with what its content bounds it by: a reader must not
        # take it for a dated one.
        when = _source_date(source, lang)
        parts = [source.get("publisher"), f"“{source['title']}”" if source.get("title") else None, when]
        lines.append(
            Text(f"[{n}] " + ", ".join(clean(p) for p in parts if p) + ("," if source.get("url") else ""))
        )
        if source.get("url"):
            # On a line of its own, never folded: a URL cut at the screen's edge cannot be
            # copied, so a longer one runs past it and the terminal wraps it (_print_terminal).
            url = Text("    ", overflow="ignore", no_wrap=True)
            lines.append(url.append_text(_link(source["url"])))
    return Group(*lines)


def _source_date(source: Row, lang: str) -> str:
    """A page's date in words, "(inferred)" where it is worked out; an undated page says so
    and what its content bounds it by: "undated, after 29 May 2024"."""
    if source.get("date"):
        inferred = source.get("inferred") or source.get("inferred_from")
        return _date(source["date"], lang) + (f" ({word('inferred', lang)})" if inferred else "")
    bounds = [word(k, lang).format(date=_date(source[k], lang)) for k in ("after", "before") if source.get(k)]
    return ", ".join([word("undated", lang), *bounds])


def _link(url: str) -> Any:
    """A URL as a cell or line shows it: its text as written, and on a terminal a hyperlink
    (OSC 8) that opens the whole URL even where a narrow column folds it."""
    from rich.style import Style
    from rich.text import Text

    # Only a plain web address becomes a link: its target is written raw into the escape
    # sequence, where a control character from the fact base would end it early.
    linkable = not _DRAWING.piped and _WEB_ADDRESS.fullmatch(url) is not None
    return Text(clean(url), style=Style(link=url) if linkable else "")


_WEB_ADDRESS = re.compile(r"https?://[!#-~]+")  # printable ASCII but space and double quote


def write_answer(text: str, table: bool) -> None:
    """Print an answer: a table's text, or data for tools."""
    out = stdout()
    reconfigure = getattr(out, "reconfigure", None)  # a real stream, or entry._Departing over one
    if table and reconfigure is not None:
        # A table on an ASCII stream shows '?' for 'ü' rather than dying on it.
        reconfigure(errors="replace")
    _write(out, text, data=not table)


def _write(out: TextIO, text: str, data: bool = False) -> None:
    """Write and flush, so that a stream that refuses the text says so here, by name.

    Data (CSV, plain lines, exports, graphs) is UTF-8 whatever the locale, as files and
    pipes expect; JSON is ASCII there, with escapes. A table is for the person at the
    terminal: in its encoding, '?' for what it cannot show (write_answer).
    """
    binary = getattr(out, "buffer", None)
    try:
        if data and binary is not None and not _utf8(out):
            out.flush()
            binary.write(text.encode("utf-8", "surrogateescape"))
        else:
            out.write(text)
        out.flush()
    except BrokenPipeError:
        raise  # the reader left: success (entry.py)
    except OSError as err:
        raise output_error(err) from None


def output_error(err: OSError) -> Exception:
    """The error that a failed write to stdout becomes: one line, exit code 5."""
    return OutputError(f"cannot write output: {err.strerror or err}")


def stdout() -> TextIO:
    """The data stream. A closed stdout is treated like a reader that left: nobody to answer."""
    if sys.stdout is None:
        raise BrokenPipeError("stdout is closed")
    return sys.stdout


def json_text(data: Any, out: TextIO, indent: int | None = 2) -> str:
    """Data as JSON text, escaped to ASCII only where the stream cannot encode UTF-8."""
    return escaped(json.dumps(data, ensure_ascii=not _utf8(out), indent=indent)) + "\n"


def _utf8(out: TextIO) -> bool:
    """Whether the stream encodes text as UTF-8 (or another encoding of all of Unicode)."""
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("_", "-")
    return encoding in ("utf-8", "utf8", "utf-16", "utf-32")


def write_json(data: Any) -> None:
    """Data as JSON on stdout."""
    write_answer(json_text(data, stdout()), table=False)


def write_lines(lines: Iterable[str]) -> None:
    """Plain data lines on stdout (problems from `check`, export formats)."""
    _write(stdout(), "".join(line + "\n" for line in lines), data=True)


def write_text(text: str) -> None:
    """Text that is already data (an export, a graph, a TOML block) on stdout: as it is when
    piped, with control characters made visible on a terminal."""
    out = stdout()
    _write(out, for_terminal(text, out), data=True)


def for_terminal(text: str, out: TextIO) -> str:
    """Data text as it is for a pipe or file; on a terminal, with control characters visible."""
    return clean(text) if out.isatty() else text


def problems(report: Report, path: Path, as_json: bool) -> None:
    """`check`'s problems on stdout (lines or JSON), its one-line summary on stderr."""
    if as_json:
        write_json([p.as_dict() for p in report.problems])
    else:
        write_lines(clean(p.format(path.name)) for p in report.problems)  # ids may be hostile
    quotes = f", {report.quotes_checked} quotes of {report.source_id} found" if report.source_id else ""
    if report.problems:
        info(f"{path}: {len(report.problems)} problem(s) in {report.records} records")
    else:
        info(f"{path}: ok, {report.records} records{quotes}")


def _console(file: TextIO, width: int | None) -> Any:
    from rich.console import Console

    class PipeAwareConsole(Console):
        def on_broken_pipe(self) -> None:
            # Rich exits 1 here; esra's contract says a reader leaving early is success.
            self.quiet = True
            raise BrokenPipeError

    return PipeAwareConsole(file=file, highlight=False, width=width, emoji=False)


def _print_terminal(renderable: RenderableType, console: Any, out: TextIO) -> None:
    try:
        # Not cropped: a line longer than the screen is a URL kept whole (_citations), which
        # the terminal wraps itself; everything else is laid out to the width already.
        console.print(renderable, crop=False)
    except BrokenPipeError:
        raise
    except OSError as err:
        raise output_error(err) from None
    _write(out, "")  # the flush, with a refusal named as for every other answer


class _Buffer(io.StringIO):
    """Collects a piped table; reports the real stream's encoding, so Rich picks its box set."""

    def __init__(self, encoding: str) -> None:
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


def _plain(renderable: RenderableType, out: TextIO) -> str:
    """The table as piped text: no colour, and a width no table reaches, so no cell is cut."""
    buffer = _Buffer(getattr(out, "encoding", None) or "utf-8")
    _console(buffer, PIPE_WIDTH).print(renderable)
    # Rich pads every line to the table's width: spaces a reader's tools only trip over.
    return "\n".join(line.rstrip(" ") for line in buffer.getvalue().split("\n"))


# --- building blocks ------------------------------------------------------------------------


def _table(lang: str, *names: str, caption: str | None = None, title: str | None = None) -> Table:
    from rich import box
    from rich.table import Table

    padding = (0, 0) if _DRAWING.piped else (0, 1)  # piped: the cells carry it (see _Drawing)
    table = Table(
        box=box.SIMPLE_HEAD,
        caption=None if caption is None else _text(caption),
        title=None if title is None else _text(title),
        title_justify="left",
        padding=padding,
        # On a terminal, columns sit one space and a divider apart, with no edges: the
        # width a narrow screen needs for words (see _fit, which counts on this).
        show_edge=not _DRAWING.width,
        pad_edge=not _DRAWING.width,
        collapse_padding=bool(_DRAWING.width),
    )
    for name in names:
        table.add_column(_text(_padded(header(name, lang))), overflow="fold", no_wrap=_DRAWING.piped)
        setattr(table.columns[-1], _KEY, name)  # the column's key, whatever its header's language
    return table


_KEY = "esra_key"
# On a terminal too narrow for every column's text, these give way first, in this order, then
# all columns by what each can give: a reader scans regions, dates and roles, and looks
# sources up.
SHRINK_FIRST = ("sources", "place", "status")
NARROW_COLUMN = 18


def _padded(text: str) -> str:
    """A table cell's text, with the padding of one space each side of every line when piped."""
    if not _DRAWING.piped:
        return text
    return " " + text.replace("\n", " \n ") + " "


def _text(value: object, style: str = "") -> Any:
    """The one way a string reaches Rich: escaped, never parsed as markup (a fact containing
    '[esra]' shows as written, '[/]' raises nothing) and with control characters visible."""
    from rich.text import Text

    return Text(clean(value), style=style)


def _on(value: str, lang: str) -> str:
    """A date with the preposition its precision takes: 'on 8 November 2024', 'in May 2025'."""
    key = {10: "on_day", 7: "in_month"}.get(len(value), "in_year")
    return word(key, lang).format(date=_date(value, lang))


def _name(entity: Row | None) -> str:
    return "" if entity is None else str(entity["name"])


def _date(value: str | None, lang: str) -> str:
    """A date in words at its own precision, or '' when unknown."""
    return dates.display(value, lang) if value else ""


def _period(row: Row, lang: str, start: str = "since", end: str = "until") -> str:
    return dates.display_span(row.get(start), row.get(end), lang)


def _when(row: Row, lang: str) -> str:
    return _period(row, lang, "date") if row.get("date") else str(row.get("when") or "")


def _conf(row: Row, lang: str) -> str:
    """What a reader must know before repeating a row: confidence below high, whether it is
    inferred, and whether sources give other values (`esra disputes` lists them)."""
    level = row.get("confidence", "high")
    marks = [
        "" if level == "high" else word(f"{level}_confidence", lang),
        word("inferred", lang) if row.get("basis") == "inferred" else "",
        word("disputed", lang) if row.get("alternatives") else "",
    ]
    return ", ".join(m for m in marks if m)


def _status(row: Row, lang: str) -> str:
    """A span's status on the as-of date; a presumed or unknown one says when it was last
    confirmed."""
    status = str(row.get("status") or "")
    if status in ("presumed current", "status unknown") and row.get("last_confirmed"):
        return f"{word(status, lang)}, " + word("last_confirmed", lang).format(
            date=_date(row["last_confirmed"], lang)
        )
    return word(status, lang) if status else ""


def _event_status(row: Row, lang: str) -> str:
    """An event's status; a plan says what came of it, and whether that link is inferred."""
    status = word(row["status"], lang) if row.get("status") else ""
    outcome = row.get("fulfilled_by")
    if outcome:
        how = row.get("fulfilment", {})
        mark = (
            f" ({word('inferred', lang)}, {word('low_confidence', lang)})"
            if how.get("basis") == "inferred"
            else ""
        )
        return (
            f"{status} "
            # What came of it, in the outcome's own words: held, or cancelled, or postponed.
            + word("outcome", lang).format(
                status=word(outcome.get("status") or "held", lang), date=_date(outcome.get("date"), lang)
            )
            + mark
        )
    if row.get("outcome") == "unknown":
        return f"{status}, {word('no_outcome', lang)}"
    return status


def _sources(row: Row) -> str:
    return _source_list(row.get("sources", []))


def _source_list(ids: Iterable[str]) -> str:
    """Source ids as a cell shows them: as written, or with --cite (and on a terminal) by
    number, each numbered in order of first use."""
    ids = list(ids)
    numbers = _DRAWING.numbers
    if numbers is None:
        return ", ".join(ids)
    for rid in ids:
        numbers.setdefault(rid, len(numbers) + 1)
    return _numbered(numbers[rid] for rid in ids)


def _numbered(numbers: Iterable[int]) -> str:
    """Sources by number, in one pair of brackets: "[1, 4, 5]" (narrower than "[1], [4], [5]")."""
    return "[" + ", ".join(map(str, numbers)) + "]"


def _rows(table: Table, cells: Iterable[Iterable[object]]) -> Table:
    from rich.text import Text

    cells = _without_idle_columns(table, [list(row) for row in cells])
    if not _DRAWING.piped:
        if _DRAWING.width and not _fit(table, cells, _DRAWING.width):
            return _Stacked(table, _stacked(table, cells))  # type: ignore[return-value]
        for row in cells:  # a Text is a cell made (and escaped) by _text already, with styles
            table.add_row(*(_nuanced(c if isinstance(c, Text) else _text(c)) for c in row))
        return table
    # Piped, nothing wraps, so each column can go to Rich as one multi-line cell, each row's
    # cells made as tall as its tallest: the same text, without Rich's work per cell.
    columns: list[list[str]] = [[] for _ in table.columns]
    for row in cells:
        texts = [_padded(clean(c)) for c in row]
        height = max(text.count("\n") for text in texts)
        for column, text in zip(columns, texts, strict=True):
            column.append(text + "\n" * (height - text.count("\n")))
    if columns and columns[0]:
        table.add_row(*(Text("\n".join(column)) for column in columns))
    return table


# The words a reader must not miss before repeating a row, styled on a terminal and kept
# as words, so that NO_COLOR and a pipe lose nothing: red where sources disagree, yellow
# where a status or value is not sure, dim where it is worked out.
_NUANCES = {
    "disputed": "red",
    "low_confidence": "yellow",
    "status unknown": "yellow",
    "presumed current": "yellow",
    "no_outcome": "yellow",
    "not known then": "dim",
    "inferred": "dim",
}


def _nuanced(cell: Any) -> Any:
    if not _NUANCE_PATTERNS:  # one pattern a style, both languages' words in it
        for style in dict.fromkeys(_NUANCES.values()):
            words = [word(k, lang) for k, s in _NUANCES.items() if s == style for lang in ("en", "it")]
            _NUANCE_PATTERNS[style] = re.compile("|".join(map(re.escape, words)))
    for style, pattern in _NUANCE_PATTERNS.items():
        if pattern.search(cell.plain):
            cell.highlight_regex(pattern, style)
    return cell


_NUANCE_PATTERNS: dict[str, re.Pattern[str]] = {}


def _fit(table: Table, rows: list[list[object]], width: int) -> bool:
    """Give each column its whole text where the width allows; where it does not, take the
    room from the least important columns first (SHRINK_FIRST, each down to NARROW_COLUMN),
    then from every column by how much it can give, never below its longest word, so that
    no word or id is cut in two. False where even the longest words do not fit side by side."""
    from rich.cells import cell_len

    texts = [[_plain_cell(row[n]) for row in rows] for n in range(len(table.columns))]
    for column, cells in zip(table.columns, texts, strict=True):  # the header is a cell too
        cells.append(_plain_cell(column.header))
    least = [max((cell_len(w) for t in cells for w in t.split()), default=1) for cells in texts]
    widths = [max((cell_len(line) for t in cells for line in t.splitlines()), default=1) for cells in texts]
    room = width - 2 * (len(least) - 1)  # between columns a space and a divider (_table)
    over = sum(widths) - room
    if over <= 0:
        return True
    if sum(least) > room:
        return False
    keys = [getattr(column, _KEY, "") for column in table.columns]
    for n in (keys.index(k) for k in SHRINK_FIRST if k in keys):
        # Down to a narrow column, not to one word a line: "presumed current, last
        # confirmed 25 February 2026" in three lines, not seven.
        give = min(over, widths[n] - max(least[n], NARROW_COLUMN))
        widths[n], over = widths[n] - max(give, 0), over - max(give, 0)
    # What is still too wide comes from the other columns by how much each has to give,
    # then, a column at a time, whatever rounding left over.
    spare = [w - low for w, low in zip(widths, least, strict=True)]
    total, wanted = sum(spare), over
    for n, extra in enumerate(spare):
        give = min(extra, over, wanted * extra // total) if total else 0
        widths[n], over = widths[n] - give, over - give
    for n in range(len(widths)):
        give = min(over, widths[n] - least[n])
        widths[n], over = widths[n] - give, over - give
    for column, column_width in zip(table.columns, widths, strict=True):
        column.width = column_width
    return True


def _stacked(table: Table, rows: list[list[object]]) -> list[list[Any]]:
    """A table too wide for the terminal, as one block a row: its "Header: value" lines,
    wrapped at spaces; a URL's line is never folded (it runs past the edge whole)."""
    from rich.text import Text

    headers = [_plain_cell(column.header) for column in table.columns]
    blocks = []
    for row in rows:
        lines = []
        for name, cell in zip(headers, row, strict=True):
            if _plain_cell(cell):  # a cell's own Text keeps its style: a link stays a link
                line = Text(f"{name}: ") + (cell if isinstance(cell, Text) else _text(cell))
                if _plain_cell(cell).startswith(("http://", "https://")):
                    line.overflow, line.no_wrap = "ignore", True
                lines.append(line)
        blocks.append(lines)
    return blocks


class _Stacked:
    """What `_rows` gives for a table too wide for the terminal: its title, then a block a
    row, a blank line between, outside any table, so that a word longer than the screen (a
    URL) is folded nowhere: it runs past the edge whole, and the terminal wraps it."""

    def __init__(self, table: Table, blocks: list[list[Any]]) -> None:
        self.title, self.blocks = table.title, blocks

    @property
    def row_count(self) -> int:  # as Table's: `_card` shows only sections with rows
        return len(self.blocks)

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from rich.text import Text

        if self.title is not None:
            yield self.title
        for n, block in enumerate(self.blocks):
            if n:
                yield Text("")  # a blank line between rows
            yield from block


def _keep_columns(table: Table, keep: list[int]) -> None:
    """Keep these columns of `table`, renumbered: Rich pads a column by its `_index` (the
    first and the last have no outer padding), so a column left with its old number is
    padded as the last one and its longest word, "Milan", is cut ("Mila/n")."""
    table.columns = [table.columns[n] for n in keep]
    for n, column in enumerate(table.columns):
        column._index = n


def _plain_cell(value: object) -> str:
    from rich.text import Text

    return value.plain if isinstance(value, Text) else clean(value)


def _without_idle_columns(table: Table, rows: list[list[object]]) -> list[list[object]]:
    """Drop the columns with nothing in them, and, in a table of several rows, those with the
    same value in every row, which the title says once ("Status: past")."""

    said: list[str] = []
    keep = []
    for n, column in enumerate(table.columns):
        values = {str(row[n]) for row in rows}
        if values <= {""}:
            continue
        if len(rows) > 1 and len(values) == 1:
            said.append(f"{_plain_cell(column.header).strip()}: {clean(values.pop())}")
            continue
        keep.append(n)
    if len(keep) == len(table.columns) or not keep:
        return rows
    _keep_columns(table, keep)
    if said:
        title = _plain_cell(table.title) if table.title is not None else ""
        table.title = _text("\n".join(filter(None, [title, *said])))
    return [[row[n] for n in keep] for row in rows]


def _grid(pairs: Iterable[tuple[str, object]], lang: str) -> Table:
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for key, value in pairs:
        if value not in (None, "", []):
            grid.add_row(_text(header(key, lang)), _text(value))
    return grid


def _card(
    title: str, pairs: list[tuple[str, object]], sections: list[Table | None], lang: str
) -> RenderableType:
    from rich.console import Group

    parts: list[RenderableType] = [_text(title, style="bold"), _grid(pairs, lang)]
    parts += [s for s in sections if s is not None and s.row_count]
    return Group(*parts)


# --- layouts: one per view kind -------------------------------------------------------------


def _members(view: Listing, lang: str) -> RenderableType:
    cap = view.caption
    if "reported" in cap:
        caption = word("caption_members", lang).format(
            known=cap["known"], reported=cap["reported"], date=_on(cap["reported_on"], lang)
        )
    else:
        caption = word("caption_known", lang).format(known=cap["known"])
    table = _table(
        lang,
        "region",
        "country",
        "since",
        "role",
        "status",
        "confidence",
        "sources",
        # The count under the alliance's name, not under the table: the first screen shows it.
        title=f"{_name(cap['organization'])}\n{caption}",
    )
    noted = _noted(table, view.rows)
    return _rows(
        table,
        (
            [
                noted(r, r["name"]),
                r["country"],
                _date(r["since"], lang) or word("unknown", lang),
                _role(r, lang),
                _status(r, lang),
                _conf(r, lang),
                _sources(r),
            ]
            for r in view.rows
        ),
    )


def _role(row: Row, lang: str) -> str:
    """A member's role; a chair with its own period and, below high or inferred, confidence:
    'co-chair (2025, low confidence, inferred)'."""
    role = word(row["role"], lang)
    if not row.get("role_id"):
        return role
    facts = {"confidence": row["role_confidence"], "basis": row["role_basis"]}
    said = ", ".join(filter(None, [_period(row, lang, "role_since", "role_until"), _conf(facts, lang)]))
    return f"{role} ({said})" if said else role


def _role_line(role: Row, lang: str, side: str) -> str:
    """A post in `who`: a person's names where it is held, an organization's who holds it."""
    other = role["person"] if side == "organization" else role["organization"] or role["region"]
    post = ", ".join(filter(None, [role["title"], _name(other)]))
    status = ", ".join(filter(None, [_period(role, lang), _status(role, lang), _conf(role, lang)]))
    return f"{post} ({status})"


def _who(view: Listing, lang: str) -> RenderableType:
    table = _table(lang, "name", "type", "roles", "sources")
    return _rows(
        table,
        (
            [
                r["name"],
                word(r["type"], lang),
                "\n".join(_role_line(x, lang, r["type"]) for x in r["roles"]),
                _sources(r),
            ]
            for r in view.rows
        ),
    )


def _happening_table(rows: list[Row], lang: str, title: str | None = None) -> Table:
    table = _table(lang, "date", "what", "type", "status", "place", "confidence", "sources", title=title)
    noted = _noted(table, rows)
    return _rows(
        table,
        (
            [
                _when(r, lang),
                noted(r, r["name"]),
                word(r.get("kind") or r["type"], lang),  # "figure" says more than "statement"
                _event_status(r, lang),
                _name(r.get("place")),
                _conf(r, lang),
                _sources(r),
            ]
            for r in rows
        ),
    )


def _timeline(view: Listing, lang: str) -> RenderableType:
    """`what` and `when`: the same columns, their own rows."""
    return _happening_table(view.rows, lang)


def _where(view: Listing, lang: str) -> RenderableType:
    table = _table(lang, "place", "country", "region", "events", "sources")
    return _rows(
        table,
        (
            [
                r["name"],
                r["country"],
                _name(r["region"]),
                "\n".join(f"{_when(e, lang)}: {e['name']}" for e in r["events"] + r["agreements"]),
                _sources(r),
            ]
            for r in view.rows
        ),
    )


def _search(view: Listing, lang: str) -> RenderableType:
    """Each record with where it matched: a field and its text, the matching words marked."""
    table = _table(lang, "type", "id", "name", "matched", caption=word("show_hint", lang))

    def matched(row: Row) -> Any:
        from rich.text import Text

        shown = Text()
        for n, match in enumerate(row["matches"][:2]):
            text = _text(match["text"])
            for start, end in match["marks"]:
                text.stylize("bold underline", start, end)
            shown.append_text(Text(("\n" if n else "") + f"{match['field']}: ")).append_text(text)
        return shown

    return _rows(table, ([word(r["type"], lang), r["id"], r["name"], matched(r)] for r in view.rows))


def _disputes(view: Listing, lang: str) -> RenderableType:
    """One row per conflicting value: the record, the field, both values and their sources."""
    table = _table(lang, "what", "field", "preferred", "other", "confidence")

    def value(side: Row) -> str:
        shown = side["value"]
        text = _date(shown, lang) if isinstance(shown, str) and dates.is_valid(shown) else str(shown)
        return f"{text} ({', '.join(side['sources'])})"

    return _rows(
        table,
        (
            [r["name"], header(r["field"], lang), value(r["preferred"]), value(r["other"]), _conf(r, lang)]
            for r in view.rows
        ),
    )


def _sources_table(view: Listing, lang: str) -> RenderableType:
    # A source's confidence is its date's: a page's date worked out is said in its Date.
    table = _table(lang, "id", "publisher", "title", "date", "url")
    return _rows(
        table,
        (
            [
                r["id"],
                r["publisher"],
                r["name"],
                _source_date(r, lang),
                _link(r["url"] or ""),
            ]
            for r in view.rows
        ),
    )


def _positions(rows: list[Row], lang: str, column: str, who: Callable[[Row], str]) -> Table:
    table = _table(
        lang, "title", column, "period", "status", "confidence", "sources", title=header("positions", lang)
    )
    noted = _noted(table, rows)
    return _rows(
        table,
        (
            [noted(r, r["title"]), who(r), _period(r, lang), _status(r, lang), _conf(r, lang), _sources(r)]
            for r in rows
        ),
    )


def _noted(table: Table, rows: list[Row]) -> Callable[[Row, str], str]:
    """The rows' notes, a letter each (one letter for one text), listed under the table as
    its caption; returns what marks a row's first cell: "Lombardy [a]"."""
    letters: dict[str, str] = {}
    for r in rows:
        if r.get("note") and r["note"] not in letters:
            n = len(letters)
            letters[r["note"]] = chr(97 + n % 26) * (n // 26 + 1)  # a..z, aa..zz
    if letters:
        table.caption = _text("\n".join(f"[{letter}] {note}" for note, letter in letters.items()))
        table.caption_justify = "left"
    return lambda r, cell: f"{cell} [{letters[r['note']]}]" if r.get("note") else cell


def _memberships(rows: list[Row], lang: str, title: str, side: str) -> Table:
    """Memberships and chairs, seen from one side: an organization's name its regions, a
    region's its organizations (the other side is the card's own title, the same on every row)."""
    table = _table(lang, side, "role", "period", "status", "confidence", "sources", title=header(title, lang))
    noted = _noted(table, rows)
    return _rows(
        table,
        (
            [
                noted(r, _name(r[side])),
                word(r["role"], lang),
                _period(r, lang),
                _status(r, lang),
                _conf(r, lang),
                _sources(r),
            ]
            for r in rows
        ),
    )


def _sections(data: Row, lang: str) -> list[Table | None]:
    return [
        _happening_table(data[k], lang, header(k, lang)) if k in data else None
        for k in ("events", "agreements", "statements")
    ]


def _person(view: Card, lang: str) -> RenderableType:
    d = view.data
    pairs = [
        ("aliases", ", ".join(d["aliases"])),
        ("party", d["party"]),
        ("confidence", _conf(d, lang)),
        ("note", d.get("note")),
        ("sources", _sources(d)),
    ]
    where = lambda r: _name(r["organization"] or r["region"])  # noqa: E731
    return _card(
        d["name"], pairs, [_positions(d["positions"], lang, "body", where), *_sections(d, lang)], lang
    )


def _org(view: Card, lang: str) -> RenderableType:
    d = view.data
    m = d["members"]
    known = f"{m['known']}" + (
        f" / {m['reported']} ({_date(m['reported_on'], lang)})" if "reported" in m else ""
    )
    pairs = [
        ("acronym", d["acronym"]),
        ("kind", word(d["kind"], lang)),
        ("sector", d["sector"]),
        ("description", d["description"]),
        ("founded", _date(d["founded"], lang)),
        ("place", _name(d["place"])),
        # An institution with no member regions recorded has no "Members 0" to show.
        ("members", known if m["known"] or "reported" in m else None),
        ("confidence", _conf(d, lang)),
        ("note", d.get("note")),
        ("sources", _sources(d)),
    ]
    people = _positions(d["people"], lang, "person", lambda r: _name(r["person"]))
    return _card(
        d["name"],
        pairs,
        [_memberships(d["chairs"], lang, "chairs", "region"), people, *_sections(d, lang)],
        lang,
    )


def _region(view: Card, lang: str) -> RenderableType:
    d = view.data
    names = " / ".join(dict.fromkeys(d["names"].values()))
    pairs = [
        ("names", names),
        ("aliases", ", ".join(d["aliases"])),
        ("country", d["country"]),
        ("nuts", d["nuts"]),
        ("places", ", ".join(_name(p) for p in d["places"])),
        ("confidence", _conf(d, lang)),
        ("note", d.get("note")),
        ("sources", _sources(d)),
    ]
    people = _positions(d["people"], lang, "person", lambda r: _name(r["person"]))
    return _card(
        d["name"],
        pairs,
        [_memberships(d["memberships"], lang, "memberships", "organization"), people, *_sections(d, lang)],
        lang,
    )


def _place(view: Card, lang: str) -> RenderableType:
    d = view.data
    pairs = [
        ("names", " / ".join(dict.fromkeys(d["names"].values()))),
        ("kind", word(d["kind"], lang)),
        ("country", d["country"]),
        ("region", _name(d["region"])),
        ("organizations", ", ".join(_name(o) for o in d["organizations"])),
        ("sources", _sources(d)),
    ]
    return _card(d["name"], pairs, _sections(d, lang), lang)


def _tree(view: Card, lang: str) -> RenderableType:
    from rich.tree import Tree

    d = view.data
    title = d["name"] + (f" ({d['acronym']})" if d.get("acronym") else "")
    root = Tree(_text(title))
    chairs = root.add(_text(header("chairs", lang)))
    for c in d["chairs"]:
        period = _period(c, lang)
        status = ", ".join(filter(None, [_status(c, lang), _conf(c, lang)]))
        label = f"{_name(c['region'])}, {word(c['role'], lang)} ({status})"
        chairs.add(_text(f"{period}: {label}" if period else label))
    m = d["members"]
    count = word("caption_known", lang).format(known=m["known"])
    if "reported" in m:
        count = word("caption_members", lang).format(known=m["known"], reported=m["reported"],
                                                     date=_on(m["reported_on"], lang))  # fmt: skip
    members = root.add(_text(f"{header('members', lang)}: {count}"))
    for group in d["countries"]:
        country = members.add(_text(group["country"]))
        for r in group["members"]:
            since = f", {header('since', lang).lower()} {_date(r['since'], lang)}" if r["since"] else ""
            state = ", ".join(filter(None, [_role(r, lang) + since, _status(r, lang), _conf(r, lang)]))
            country.add(_text(f"{r['name']} ({state})"))
    return root


def _show(view: Card, lang: str) -> RenderableType:
    """One record in full: its fields, then its sources with their quotes, then what refers to it."""
    d = view.data

    def shown(value: object) -> str:
        if isinstance(value, list):
            return "; ".join(shown(v) for v in value)
        if isinstance(value, dict):
            return _name(value) if "id" in value else "; ".join(f"{k}: {shown(v)}" for k, v in value.items())
        if isinstance(value, str):
            return _date(value, lang) if dates.is_valid(value) else value
        return "" if value is None else str(value)

    pairs = [("record", word(d["type"], lang)), ("id", d["id"])]
    # A value with sources of its own names them beside it, as the table below quotes them;
    # with --cite, by number, the numbers in the record's order of sources (listed under it).
    _source_list(s["id"] for s in d["sources"])  # numbered in the record's order first
    cite = d["cite"]
    pairs += [
        (name, shown(value) + (f" ({_source_list(cite[name])})" if name in cite else ""))
        for name, value in d["fields"].items()
    ]
    sources = _table(
        lang, "id", "publisher", "title", "date", "states", "quote", title=header("sources", lang)
    )
    sources = _rows(
        sources,
        (
            [
                _source_list([s["id"]]),
                s["publisher"],
                s["name"],
                _date(s["date"], lang),
                ", ".join(s["states"]),
                s["quote"],
            ]
            for s in d["sources"]
        ),
    )
    others = [f"{a['field']}: {shown(a['value'])} ({_source_list(a['sources'])})" for a in d["alternatives"]]
    by = "cited_by" if d["type"] == "source" else "referred_by"
    referred = _table(lang, "type", "id", "name", title=header(by, lang))
    referred = _rows(referred, ([word(r["type"], lang), r["id"], r["name"]] for r in d["referred_by"]))
    extra = [("alternatives", "\n".join(others))] if others else []
    return _card(d["name"], pairs + extra, [sources, referred], lang)


_LAYOUTS: dict[str, Callable[[Any, str], RenderableType]] = {
    "tree": _tree,
    "members": _members,
    "who": _who,
    "what": _timeline,
    "when": _timeline,
    "where": _where,
    "search": _search,
    "sources": _sources_table,
    "disputes": _disputes,
    "person": _person,
    "org": _org,
    "region": _region,
    "place": _place,
    "show": _show,
}
