"""The one escaping path: how a string from the fact base is made safe for where it goes.

A terminal gets control characters, bidi and other invisible format characters, and the
Unicode line separators as visible `\\xNN` text (`clean`); Rich never sees markup it could
parse (render.py wraps every string in Text). Data formats keep the data exact: JSON and
TOML write those characters as `\\uXXXX` escapes, which read back as the same value; DOT
and Mermaid labels are escaped for their own grammars. CSV is for spreadsheets: a cell a
spreadsheet would run as a formula is written as text (`csv_rows`).
"""

from __future__ import annotations

import io

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

# Unicode categories that must not reach a terminal raw: control, format (bidi overrides,
# zero-width characters), surrogate, private use, unassigned, line and paragraph separators.
_UNSAFE = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))


def _unsafe(text: str, keep: str) -> list[str]:
    """The distinct characters of `text` that are unsafe, less those in `keep`."""
    chars = set(text).difference(keep)
    if "".join(chars).isprintable():  # every unsafe character is unprintable: most text ends here
        return []
    import unicodedata

    return [ch for ch in chars if unicodedata.category(ch) in _UNSAFE]


def clean(value: object, lines: bool = True) -> str:
    """Text for a person: unsafe characters shown as \\xNN; newlines kept unless `lines=False`."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    for ch in _unsafe(text, "\n" if lines else ""):
        text = text.replace(ch, f"\\x{ord(ch):02x}")
    return text


def data(text: str, astral: str = "json") -> str:
    """JSON or TOML text with unsafe characters written as escapes: the same data, read back.

    Only valid where such characters can only stand inside strings, as in the output of
    json.dumps and tomli_w. Newlines stay: both write them raw only between values.
    """
    if text.isascii() and "\x7f" not in text:
        return text  # the common case: json.dumps and tomli_w escaped every other control
    for ch in _unsafe(text, "\n"):
        code = ord(ch)
        if code <= 0xFFFF:
            escaped = f"\\u{code:04x}"
        elif astral == "toml":
            escaped = f"\\U{code:08x}"
        else:  # JSON writes a character beyond the BMP as a surrogate pair
            code -= 0x10000
            escaped = f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        text = text.replace(ch, escaped)
    return text


# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_rows(rows: Iterable[Sequence[object]]) -> str:
    """CSV text, one line (ending LF) per row, for spreadsheets and scripts alike.

    A cell holding a comma, a quote, a line feed or a carriage return is quoted (the csv
    module quotes only the characters of its line terminator, so it is given CRLF and the
    CR taken off each line it writes). A cell starting with = + - @ tab or CR gets a leading
    ' so that a spreadsheet shows it as text instead of running it; JSON keeps the value
    as it is.
    """
    import csv

    out = io.StringIO()
    writer = csv.writer(_LineFeed(out), lineterminator="\r\n")
    for row in rows:
        writer.writerow(["'" + cell if cell.startswith(_FORMULA) else cell for cell in map(str, row)])
    return out.getvalue()


class _LineFeed:
    """A file for csv.writer, which writes each row in one call: its CRLF becomes LF."""

    def __init__(self, out: io.StringIO) -> None:
        self._out = out

    def write(self, line: str) -> int:
        return self._out.write(line[:-2] + "\n")


def dot(text: str) -> str:
    """A DOT quoted string: its label shows the text as written, a line break as a line break."""
    escaped = clean(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


# Mermaid reads `#code;` as a character; `#` itself goes first so no other code is misread.
_MERMAID = str.maketrans({"#": "#35;", '"': "#quot;", "<": "#60;", ">": "#62;", "`": "#96;", "|": "#124;"})


def mermaid(text: str) -> str:
    """Mermaid label text: no markup, no quote that ends it, on one line."""
    return clean(text.replace("\n", " ")).translate(_MERMAID)
