"""Where a statement file should end: a file cut short (a partial download, `head -c`, a
copy that stopped) is told apart from a whole one, so its last, partial line is never
imported as if it were complete and never dropped without a word.

- Delimited text (bank CSV, tab-separated ".xls"): the file does not end with a line
  break and its last record is incomplete (a quoted cell left open, fewer cells than the
  record before it).
- MT940: every statement ends with its closing balance (:62F: or :62M:).
- OFX: the ``<OFX>`` aggregate is closed (``</OFX>``), in SGML and XML alike.
- camt.053 and binary .xls: a cut file is not well-formed and is refused by its reader.
"""

from __future__ import annotations

import csv
import io
import re

DELIMITERS = (",", "\t", ";", "|")


def whole_lines(data: bytes) -> bytes:
    """``data`` up to and including its last line break (the partial last line left out)."""
    end = max(data.rfind(b"\n"), data.rfind(b"\r"))
    return data[: end + 1] if end >= 0 else b""


def _ends_with_break(data: bytes) -> bool:
    return data.rstrip(b" \t\x00\x1a").endswith((b"\n", b"\r"))


DATED = re.compile(r"\s*(\d{4}[-/.年]?\d{1,2}[-/.月]?\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})")


def _records(text: str) -> list[list[str]]:
    """The non-empty records of delimited text, read with the first likely delimiter (as the readers try them)."""
    head = text[:20000]
    delimiter = next((d for d in DELIMITERS if d in head), ",")
    try:
        return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if any(c.strip() for c in r)]
    except csv.Error:
        return []


def _dated(record: list[str]) -> bool:
    return any(DATED.match(c) for c in record[:3])


# `2026-0`, `20240`: a date the cut left unfinished (with separators, or written as YYYYMMDD)
CUT_DATE = re.compile(r"\s*(\d{1,8}|\d{1,4}[-/.年]\d{0,2}([-/.月]\d{0,2})?)\s*")


def _cut_in_date(record: list[str]) -> bool:
    return len(record) == 1 and bool(CUT_DATE.fullmatch(record[0]))


def cut_delimited(data: bytes, statements, read) -> str | None:
    """Why delimited text looks cut mid-line, or None when it ends as a whole file.

    Only a file whose last line has no line break can be cut mid-line (real exports do end
    without one, a complete row or a trailer note). It is cut when a quoted cell is left
    open; when its last line is a dated row shorter than the dated rows before it, where
    those all have the same number of cells (some exports, ABC's, vary: there a short row
    is no sign); or when its last line is a dated row the reader took nothing from, neither
    a statement line nor a warning (``read(bytes)`` reads a prefix of the file)."""
    if not data.strip() or _ends_with_break(data):
        return None
    line = data.count(b"\n") + 1
    if data.count(b'"') % 2:
        return f"the file ends inside a quoted cell on line {line}: it was cut short"
    records = _records(data.decode("latin-1"))  # delimiters and quotes are ASCII in UTF-8 and GBK alike
    if len(records) < 2 or not (_dated(records[-1]) or _cut_in_date(records[-1])):
        return None
    widths = {len(r) for r in records[:-1] if _dated(r)}
    if len(widths) == 1 and len(records[-1]) < min(widths):  # every dated row of this export has the same cells
        return (f"the file ends in the middle of line {line} ({len(records[-1])} cells where every dated line before "
                f"it has {min(widths)}): it was cut short")
    try:
        before = read(whole_lines(data))
    except Exception:  # noqa: BLE001 - the prefix alone does not read: the last line is needed, so it was read
        return None
    if _taken(before) == _taken(statements):
        return f"the file ends in the middle of line {line}, a dated line with too few cells to read: it was cut short"
    return None


def _taken(statements) -> tuple[int, int]:
    return sum(len(st.lines) for st in statements), sum(len(st.warnings) for st in statements)


def cut_mt940(data: bytes, statements) -> str | None:
    missing = [st for st in statements if st.closing_balance is None]
    if missing:
        line = data.count(b"\n") + 1
        return (f"the MT940 statement of {missing[-1].account or 'the account'} has no closing balance (:62F:) "
                f"by line {line}, where the file ends: it was cut short")
    return None


def cut_ofx(data: bytes) -> str | None:
    if re.search(rb"</OFX\s*>", data[-4096:], re.I) or re.search(rb"</OFX\s*>", data, re.I):
        return None
    line = data.count(b"\n") + 1
    return f"the OFX file has no closing </OFX> (it ends on line {line}): it was cut short"


def cut_short(data: bytes, kind: str, statements, read) -> str | None:
    """Why the statement file ``data`` (read as ``kind`` into ``statements``) looks cut short, or None."""
    if kind == "mt940":
        return cut_mt940(data, statements)
    if kind == "ofx":
        return cut_ofx(data)
    if kind in ("csv", "xls"):
        if kind == "xls" and (data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or data.startswith(b"PK")):
            return None  # a binary workbook: its reader refuses a cut one
        return cut_delimited(data, statements, read)
    return None
