"""The one escaping path: how a string from the fact base is made safe for where it goes.

A terminal gets control characters, bidi and other invisible format characters, and the
Unicode line separators as visible `\\xNN` text (`clean`); Rich never sees markup it could
parse (render.py wraps every string in Text). Data formats keep the data exact: JSON and
TOML write those characters as `\\uXXXX` escapes, which read back as the same value; DOT
and Mermaid labels are escaped for their own grammars.
"""

from __future__ import annotations

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


def dot(text: str) -> str:
    """A DOT quoted string: its label shows the text as written, a line break as a line break."""
    escaped = clean(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


# Mermaid reads `#code;` as a character; `#` itself goes first so no other code is misread.
_MERMAID = str.maketrans({"#": "#35;", '"': "#quot;", "<": "#60;", ">": "#62;", "`": "#96;", "|": "#124;"})


def mermaid(text: str) -> str:
    """Mermaid label text: no markup, no quote that ends it, on one line."""
    return clean(text.replace("\n", " ")).translate(_MERMAID)
