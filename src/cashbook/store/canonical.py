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
import re



_KEY_LINE = re.compile(r"([A-Za-z0-9_\-]+) = (.*)")
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# characters tomllib refuses or treats specially in a file: control characters other than
# tab and newline (so also CR), and DEL; a file holding any is left to tomllib
_ODD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _Slow(Exception):
    """Not the canonical case: take the general path."""


def _scalar(text: str):
    """A value as tomli_w writes it on one line: a plain string, an integer, a date, a boolean."""
    if text[:1] == '"':
        if len(text) < 2 or text[-1] != '"':
            raise _Slow
        inner = text[1:-1]
        if '"' in inner or "\\" in inner:
            raise _Slow
        return inner
    if _INT.fullmatch(text):
        return int(text)
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise _Slow from None
    if text == "true":
        return True
    if text == "false":
        return False
    raise _Slow


def read_canonical(text: str) -> tuple[dict, dict[tuple, int]] | None:
    """``(tomllib.loads(text), key_lines(text))`` for a day file in the canonical layout
    (comment lines, blank lines, ``[[entry]]`` tables of ``key = value`` lines and arrays
    written one item per line), else None."""
    if _ODD.search(text):
        return None
    try:
        return _read(text.split("\n"))
    except _Slow:
        return None


def _read(rows: list[str]) -> tuple[dict, dict[tuple, int]]:
    entries: list[dict] = []
    lines: dict[tuple, int] = {}
    current: dict | None = None
    i, n = 0, len(rows)
    while i < n:
        row = rows[i]
        i += 1
        if not row or row[0] == "#":
            continue
        if row == "[[entry]]":
            current = {}
            lines[("entry", len(entries))] = i
            entries.append(current)
            continue
        m = _KEY_LINE.fullmatch(row)
        if m is None or current is None:
            raise _Slow
        key, value = m.groups()
        if key in current:
            raise _Slow
        lines[("entry", len(entries) - 1, key)] = i
        if value == "[":
            current[key], i = _array(rows, i, "")
        elif value == "[]":
            current[key] = []
        else:
            current[key] = _scalar(value)
    return ({"entry": entries} if entries else {}), lines


def _array(rows: list[str], i: int, indent: str) -> tuple[list, int]:
    """The items of a multi-line array opened on the line before ``rows[i]``: one per line,
    indented four spaces more than ``indent`` and ending in a comma, up to the closing
    bracket at ``indent`` (``]`` for a key's array, ``],`` for an array inside it).
    Returns the items and the next line."""
    inner = indent + "    "
    closing = indent + ("]," if indent else "]")
    items: list = []
    while i < len(rows):
        row = rows[i]
        i += 1
        if row == closing:
            return items, i
        if row == inner + "[" and not indent:
            nested, i = _array(rows, i, inner)
            items.append(nested)
            continue
        if not row.startswith(inner) or row[-1:] != ",":
            raise _Slow
        items.append(_scalar(row[len(inner):-1]))
    raise _Slow
