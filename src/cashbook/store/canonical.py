"""The fast reader for day files in the layout cashbook itself writes.

A cold `cashbook check` of a long book spent most of its time in `tomllib` and in
`tomlmap.key_lines`, both general. Files that cashbook wrote (`journal.entry_text`)
have one canonical layout, and `read_canonical(text)` reads it about six times faster,
returning exactly what ``tomllib.loads(text)`` and ``key_lines(text)`` would.

It answers ``None`` the moment anything is unusual (a hand-edited line, an escape in a
string, a float, an inline table, a control character), and the caller takes the
general path, which also reports the problems. Results are identical either way:
`tests/test_canonical.py` proves it with hypothesis.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

# The canonical layout as one regular grammar: comment lines, blank lines, `[[entry]]`
# headers, and `key = value` lines whose value is a plain string (no quote or backslash
# inside), an integer, a date, a boolean, or an array written one item per line (items
# scalars or arrays of scalars). A file that matches it can be read line by line without
# looking again at what each line is.
_STRING = r'"[^"\\\n]*"'
_SCALAR = rf'(?:{_STRING}|-?(?:0|[1-9][0-9]{{0,17}})|[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}|true|false)'
_ARRAY = rf'\[\n(?:    (?:{_SCALAR}|\[\n(?:        {_SCALAR},\n)*    \]),\n)*\]|\[\]'
_LINE = rf'(?:#[^\n]*|\[\[entry\]\]|[A-Za-z0-9_\-]+ = (?:{_SCALAR}|{_ARRAY}))?'
_CANONICAL = rf'(?:{_LINE}\n)*{_LINE}'  # compiled on first use (a recording command may read no file)
# characters tomllib refuses or treats specially in a file: control characters other than
# tab and newline (so also CR), and DEL; a file holding any is left to tomllib
_ODD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _Slow(Exception):
    """Not the canonical case after all: take the general path."""


def _scalar(text: str):
    """A scalar the grammar matched: a string, a boolean, a date or an integer."""
    first = text[0]
    if first == '"':
        return text[1:-1]
    if first == "t":
        return True
    if first == "f":
        return False
    if len(text) == 10 and text[4] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:  # 2026-02-30: tomllib says why
            raise _Slow from None
    return int(text)


@functools.cache
def _grammar() -> re.Pattern:
    return re.compile(_CANONICAL)


def read_canonical(text: str) -> tuple[dict, "KeyLines"] | None:
    """``(tomllib.loads(text), key_lines(text))`` for a day file in the canonical layout
    (comment lines, blank lines, ``[[entry]]`` tables of ``key = value`` lines and arrays
    written one item per line), else None."""
    if _ODD.search(text) or not _grammar().fullmatch(text):
        return None
    try:
        return _read(text)
    except _Slow:
        return None


# one `key = value` line: the value a string (group 2), a multi-line array (3) or a scalar (4)
_KEY_VALUE = re.compile(r'^([A-Za-z0-9_\-]+) = (?:"([^"\n]*)"|(\[\n(?:    [^\n]*\n)*\])|([^\n]*))$', re.M)
_HEADER = "\n[[entry]]\n"


def _read(text: str) -> tuple[dict, "KeyLines"]:
    """Read a text the grammar matched: split at the ``[[entry]]`` headers, then each table's
    ``key = value`` lines in one regular-expression pass."""
    blocks = ("\n" + text).split(_HEADER)
    if text.count("[[entry]]") != len(blocks) - 1 or _KEY_VALUE.search(blocks[0]):
        raise _Slow  # an empty table, a header at the very end, a key before any table
    entries: list[dict] = []
    headers: dict[tuple, int] = {}
    line = blocks[0].count("\n") + 1  # the line of the first header, counting text's lines from 1
    for block in blocks[1:]:
        found = _KEY_VALUE.findall(block)
        current = {}
        for key, string, array, scalar in found:
            if scalar:
                current[key] = [] if scalar == "[]" else _scalar(scalar)
            elif array:
                current[key] = _array(array)
            else:
                current[key] = string
        if len(current) != len(found):  # a key given twice
            raise _Slow
        headers[("entry", len(entries))] = line
        entries.append(current)
        line += block.count("\n") + 2
    return ({"entry": entries} if entries else {}), KeyLines(headers, text)


def _array(text: str) -> list:
    """The items of an array the grammar matched: ``[``, one item per line (an item may be
    an array of its own, one item per line), ``]``."""
    items: list = []
    nested: list | None = None
    for row in text.split("\n")[1:-1]:
        if row == "    [":
            nested = []
        elif row == "    ],":
            items.append(nested)
            nested = None
        elif nested is not None:
            nested.append(_scalar(row[8:-1]))
        else:
            items.append(_scalar(row[4:-1]))
    return items


class KeyLines(dict):
    """The lines of a canonical file's keys, as `key_lines` gives them: each table's header
    at once, every other key only when first asked for (an error message needs it; reading
    a good file does not)."""

    def __init__(self, headers: dict[tuple, int], text: str):
        super().__init__(headers)
        self._text: str | None = text

    def full(self) -> "KeyLines":
        if self._text is not None:
            from .tomlmap import key_lines

            self.update(key_lines(self._text))
            self._text = None
        return self

    def __contains__(self, path) -> bool:
        return dict.__contains__(self, path) or dict.__contains__(self.full(), path)

    def __missing__(self, path):
        if self._text is None:
            raise KeyError(path)
        return self.full()[path]
