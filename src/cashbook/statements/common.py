"""Helpers shared by the readers: decoding, cell cleaning, amounts, dates, checks.

Every helper raises `StatementError` (never ValueError & co.) so that a reader can let
errors through unchanged.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from cashbook.core.money import CENT

from .model import StatementError, StatementLine

ZERO = Decimal("0.00")
MAX_INT_DIGITS = 15  # a trillion and then some; longer numbers are not bank amounts

# --------------------------------------------------------------------------- text


def decode_text(data: bytes, encoding: str | None = None) -> str:
    """Bytes to text: a given encoding, else UTF-16 by BOM, UTF-8 (BOM optional), GB18030."""
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise StatementError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise StatementError(
                f"the file is not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                data.count(b"\n", 0, exc.start) + 1,
            ) from None
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise StatementError("the file starts with a UTF-16 mark but is not valid UTF-16") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            utf8_error = exc
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc2:
                bad = max(utf8_error.start, exc2.start)
                raise StatementError(
                    "cannot decode the file: it is neither UTF-8 nor GB18030/GBK "
                    f"(undecodable byte 0x{data[bad]:02x} at offset {bad}); "
                    "export it again as CSV in UTF-8 or GBK",
                    data.count(b"\n", 0, bad) + 1,
                ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise StatementError(
            "the file contains NUL bytes: it is binary, not a text statement",
            text.count("\n", 0, text.index("\x00")) + 1,
        )
    return text


_STRIP = " \t\r\n\u3000\xa0\ufeff\u200b"
_PLACEHOLDER = re.compile(r"[-—－/／_]+")
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.S)


def clean_cell(value: str) -> str:
    """Strip spaces, U+3000, tabs; Excel ="..." wrappers; '-', '------', '/' mean empty."""
    s = value.strip(_STRIP)
    m = _EXCEL_TEXT.match(s)
    if m:
        s = m.group(1).strip(_STRIP)
    if _PLACEHOLDER.fullmatch(s):
        return ""
    return s


_WS = re.compile(r"\s+")


def norm_space(text: str) -> str:
    """Collapse runs of whitespace (incl. U+3000) to one space, trim the ends."""
    return _WS.sub(" ", text).strip()


def join_text(parts) -> str:
    """Join non-empty parts with one space, dropping exact repeats."""
    out: list[str] = []
    for p in parts:
        p = norm_space(p or "")
        if p and p not in out:
            out.append(p)
    return " ".join(out)


_HEADER_BRACKET = re.compile(r"\[[^\]]*\]|【[^】]*】")
_FULL_PARENS = str.maketrans({"（": "(", "）": ")", "：": ":", "／": "/"})


def norm_header(value: str) -> str:
    """Header cell to a comparable key: no spaces, ASCII parentheses, no [English] gloss."""
    s = _HEADER_BRACKET.sub("", value.translate(_FULL_PARENS))
    s = re.sub(r"[\s\u3000\ufeff\"']+", "", s)
    return s.rstrip(":").lower()


# --------------------------------------------------------------------------- amounts

_CURRENCY_MARKS = re.compile(r"^(?:[¥￥$€£]|rmb|cny|人民币)|(?:元|rmb|cny)$", re.I)
_BODY = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?", re.ASCII)


def parse_money(text: str, *, what: str = "amount", line: int | None = None, decimal_comma: bool = False) -> Decimal:
    """A bank-written amount to a two-place Decimal.

    Accepts ``1,234.56``, ``-12.30``, ``+10000.00``, ``¥28.16``, ``(12.00)``, ``12.30-``
    and, with ``decimal_comma``, ``1.234,56``. More than two decimals only when the extra
    digits are zeros (``8.850``). Raises StatementError naming the line and the column.
    """
    raw = text
    s = text.strip(_STRIP)
    if not s:
        raise StatementError(f"{what} is empty; expected an amount like 1,234.56", line)
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    s = _CURRENCY_MARKS.sub("", s).strip()
    if s and s[0] in "+-":
        negative = negative or s[0] == "-"
        s = s[1:].strip()
        s = _CURRENCY_MARKS.sub("", s).strip()
    elif s and s[-1] in "+-":
        negative = negative or s[-1] == "-"
        s = s[:-1].strip()
    if decimal_comma:
        s = s.replace(".", "").replace(" ", "").replace("'", "").replace(",", ".")
    m = _BODY.fullmatch(s)
    if not s or not m or (m.group(1) is None and not m.group(2)):
        raise StatementError(f"{what} {raw.strip(_STRIP)!r} is not an amount; expected digits like 1,234.56", line)
    int_part = (m.group(1) or "0").replace(",", "")
    frac = m.group(2) or ""
    if len(int_part.lstrip("0")) > MAX_INT_DIGITS:
        raise StatementError(f"{what} {raw.strip(_STRIP)!r} is too large to be an amount", line)
    if len(frac) > 2 and frac[2:].strip("0"):
        raise StatementError(
            f"{what} {raw.strip(_STRIP)!r} has more than two decimals; expected an amount in cents like 1,234.56", line
        )
    try:
        value = Decimal(f"{int_part}.{(frac[:2] or '0')}").quantize(CENT)
    except InvalidOperation:  # pragma: no cover - the regex admits digits only
        raise StatementError(f"{what} {raw!r} is not an amount", line) from None
    return -value if negative else value


def money_from_float(value: float, *, what: str, line: int | None) -> Decimal:  # not money: the .xls cell's binary float, made Decimal here
    """An .xls numeric cell to cents, through its shortest decimal repr (never float arithmetic)."""
    if value != value or value in (float("inf"), float("-inf")):  # not money: NaN and infinities refused before Decimal
        raise StatementError(f"{what} is not a number", line)
    d = Decimal(repr(value))
    q = d.quantize(CENT) if abs(d) < Decimal(10) ** MAX_INT_DIGITS else None
    if q is None:
        raise StatementError(f"{what} {value!r} is too large to be an amount", line)
    if q != d and abs(q - d) > Decimal("0.000001"):
        raise StatementError(f"{what} {d:f} has more than two decimals; expected an amount in cents", line)
    return q


def fmt_money(value: Decimal) -> str:
    return f"{value:,.2f}"


# --------------------------------------------------------------------------- dates

_DATE_SEP = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+\d{1,2}(?::\d{1,2}){1,2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    re.ASCII,
)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:[ T]?\d{2}:?\d{2}(?::?\d{2})?(?:\.\d+)?)?", re.ASCII)
DATE_FORMS = "YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD (a time may follow)"


def parse_date(text: str, *, what: str = "date", line: int | None = None, fmt: str | None = None) -> datetime.date:
    s = norm_space(text)
    if fmt:
        try:
            return datetime.datetime.strptime(s, fmt).date()
        except (ValueError, OverflowError):
            raise StatementError(f"{what} {s!r} is not a date in the form {fmt}", line) from None
    m = _DATE_SEP.fullmatch(s) or _DATE_COMPACT.fullmatch(s)
    if not m:
        raise StatementError(f"{what} {s!r} is not a date; expected {DATE_FORMS}", line)
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise StatementError(f"{what} {s!r} is not a valid calendar date", line) from None


def looks_like_date(text: str) -> bool:
    s = norm_space(text)
    return bool(_DATE_SEP.fullmatch(s) or _DATE_COMPACT.fullmatch(s))


# --------------------------------------------------------------------------- checks

MAX_WARNINGS = 50


def cap_warnings(warnings: list[str]) -> tuple[str, ...]:
    if len(warnings) <= MAX_WARNINGS:
        return tuple(warnings)
    return tuple(warnings[:MAX_WARNINGS]) + (f"... and {len(warnings) - MAX_WARNINGS} more warnings",)


def check_running_balances(lines: list[StatementLine]) -> tuple[list[str], Decimal | None, Decimal | None]:
    """Check each running balance against its neighbour; files may list newest first.

    Only neighbouring lines that both carry a balance are compared. Returns (warnings,
    opening, closing); opening and closing are derived only when every line has a
    balance and the chain is unbroken, else None.
    """
    pairs = [(lines[i - 1], lines[i]) for i in range(1, len(lines))
             if lines[i - 1].balance is not None and lines[i].balance is not None]
    fwd = [cur.balance == prev.balance + cur.amount for prev, cur in pairs]
    bwd = [prev.balance == cur.balance + prev.amount for prev, cur in pairs]
    forward = sum(fwd) >= sum(bwd)
    warnings: list[str] = []
    for (prev, cur), ok_f, ok_b in zip(pairs, fwd, bwd):
        if forward and not ok_f:
            warnings.append(
                f"line {cur.source_line}: running balance {fmt_money(cur.balance)} does not follow from "
                f"previous {fmt_money(prev.balance)} + {fmt_money(cur.amount)} (expected "
                f"{fmt_money(prev.balance + cur.amount)})"
            )
        elif not forward and not ok_b:
            warnings.append(
                f"line {prev.source_line}: running balance {fmt_money(prev.balance)} does not follow from "
                f"previous {fmt_money(cur.balance)} (line {cur.source_line}; the file lists newest first) + "
                f"{fmt_money(prev.amount)} (expected {fmt_money(cur.balance + prev.amount)})"
            )
    opening = closing = None
    if lines and not warnings and all(ln.balance is not None for ln in lines):
        first, last = (lines[0], lines[-1]) if forward else (lines[-1], lines[0])
        opening, closing = first.balance - first.amount, last.balance
    return warnings, opening, closing


def check_totals(opening: Decimal | None, closing: Decimal | None, lines, label: str = "") -> list[str]:
    if opening is None or closing is None:
        return []
    total = sum((ln.amount for ln in lines), ZERO)
    if opening + total == closing:
        return []
    where = f"{label}: " if label else ""
    return [
        f"{where}opening balance {fmt_money(opening)} + lines {fmt_money(total)} = {fmt_money(opening + total)}, "
        f"but the closing balance is {fmt_money(closing)} (difference {fmt_money(closing - opening - total)})"
    ]
