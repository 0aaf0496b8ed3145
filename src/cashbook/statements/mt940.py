"""SWIFT MT940 customer statements, with or without {1:}{2:}{4: ... -}{5:} envelopes.

Fields: :20: reference, :25: account, :28C: statement number, :60F:/:60M: opening,
:61: statement line (+ supplementary details on its next line), :86: information to the
account owner (German ?00/?20../?32 subfields or Dutch /NAME//REMI/ codes understood),
:62F:/:62M: closing. A file may hold many statements.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .common import cap_warnings, check_totals, fmt_money, join_text, norm_space, parse_money
from .model import Statement, StatementError, StatementLine

_TAG = re.compile(r"^:(\d{2}[A-Z]?):(.*)$", re.ASCII)
_BLOCK = re.compile(r"\{[1235]:(?:\{[^{}]*\}|[^{}])*\}|\{4:|-\}")
_LINE61 = re.compile(
    r"^(?P<vd>\d{6})(?P<ed>\d{4})?(?P<dc>R?[CD])(?P<fc>[A-Z])?(?P<amt>\d[\d]*[,.]\d*)"
    r"(?P<tt>[NSF][A-Z0-9]{3})(?P<rest>.*)$",
    re.ASCII,
)
_BALANCE = re.compile(r"^(?P<dc>[CD])(?P<date>\d{6})(?P<ccy>[A-Z]{3})(?P<amt>\d[\d]*[,.]\d*)$", re.ASCII)
_SEPA_KEYS = re.compile(r"(?<=\S)(?=(?:EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|COAM|OAMT|SQTP)\+)")
LINE_WIDTH = 65


@dataclass
class _Field:
    tag: str
    line: int
    lines: list[str] = field(default_factory=list)  # first line without the tag, then continuation lines


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if "\x00" in text:
        raise StatementError("the file contains NUL bytes: not an MT940 text", text.count("\n", 0, text.index("\x00")) + 1)
    return text


def _fields(text: str) -> list[list[_Field]]:
    """Group tagged fields into messages (split at :20: and at the '-' terminator)."""
    messages: list[list[_Field]] = []
    current: list[_Field] | None = None
    last: _Field | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = _BLOCK.sub("", raw).rstrip("\r")
        if raw.strip() and not line.strip() and "-}" in raw:
            last = None
            continue
        m = _TAG.match(line)
        if m:
            tag = m.group(1)
            # a new statement starts at :20:, or at a second :25: (some banks send several
            # accounts' statements under one :20:), so no statement is merged into another
            if tag == "20" or current is None or (tag == "25" and any(f.tag == "25" for f in current)):
                current = []
                messages.append(current)
            last = _Field(tag, lineno, [m.group(2)])
            current.append(last)
            continue
        if line.strip() == "-":
            last = None
            continue
        if last is not None:
            last.lines.append(line)
    return messages


def _year(yy: str) -> int:
    y = int(yy)
    return 2000 + y if y < 80 else 1900 + y


def _date6(s: str, line: int, what: str) -> datetime.date:
    try:
        return datetime.date(_year(s[:2]), int(s[2:4]), int(s[4:6]))
    except ValueError:
        raise StatementError(f"{what} date {s!r} is not a valid YYMMDD date", line) from None


def _amount(s: str, line: int, what: str) -> Decimal:
    s = s.replace(".", ",")
    whole, _, frac = s.partition(",")
    return parse_money(f"{whole}.{frac or '0'}", what=what, line=line)


def _balance(f: _Field) -> tuple[Decimal, str, datetime.date]:
    text = f.lines[0].strip()
    m = _BALANCE.match(text)
    if not m:
        raise StatementError(
            f":{f.tag}: balance {text!r} not understood; expected C|D YYMMDD currency amount like C110522EUR3236,28",
            f.line,
        )
    value = _amount(m.group("amt"), f.line, f":{f.tag}: balance")
    return (value if m.group("dc") == "C" else -value), m.group("ccy"), _date6(m.group("date"), f.line, f":{f.tag}:")


def _join86(f: _Field) -> str:
    """Join the physical lines: a full 65-character line continues the next without a space."""
    out = ""
    for i, part in enumerate(f.lines):
        if i:
            prev = f.lines[i - 1]
            out += "" if len(prev) >= LINE_WIDTH and not prev.endswith(" ") else " "
        out += part
    return out


def _info86(f: _Field | None) -> tuple[str, str]:
    """(memo, counterparty) from a :86: field."""
    if f is None:
        return "", ""
    raw = "".join(f.lines)
    if re.match(r"^\d{3}\?", raw.strip()) or re.match(r"^\?\d{2}", raw.strip()):
        return _german86(raw.strip())
    text = _join86(f)
    if text.lstrip().startswith("/") and re.search(r"/(NAME|REMI|EREF|TRTP|CNTP|IBAN)/", text):
        return _dutch86(text.strip())
    return norm_space(text), ""


def _german86(raw: str) -> tuple[str, str]:
    sub: dict[str, str] = {}
    for m in re.finditer(r"\?(\d{2})((?:(?!\?\d{2}).)*)", raw, re.S):
        sub[m.group(1)] = sub.get(m.group(1), "") + m.group(2)
    purpose = "".join(sub.get(f"{n:02d}", "") for n in list(range(20, 30)) + list(range(60, 64)))
    purpose = _SEPA_KEYS.sub(" ", purpose)
    memo = join_text([sub.get("00", ""), purpose])
    counterparty = norm_space(sub.get("32", "") + sub.get("33", ""))
    return memo, counterparty


def _dutch86(text: str) -> tuple[str, str]:
    codes = dict(re.findall(r"/(TRTP|NAME|REMI|EREF|CNTP|IBAN|BIC|MARF|CSID|ORDP|BENM|ADDR|ID|PREF|USTD|STRD|ISDT)/([^/]*(?:/(?!(?:TRTP|NAME|REMI|EREF|CNTP|IBAN|BIC|MARF|CSID|ORDP|BENM|ADDR|ID|PREF|USTD|STRD|ISDT)/)[^/]*)*)", text))
    name = codes.get("NAME", "")
    if not name and codes.get("CNTP"):
        parts = codes["CNTP"].split("/")
        name = parts[2] if len(parts) > 2 else ""
    memo = join_text([codes.get("REMI", "").replace("USTD//", "").strip("/"), codes.get("TRTP", "")])
    return (memo or norm_space(text)), norm_space(name)


def parse_mt940(data: bytes) -> list[Statement]:
    text = _decode(data)
    messages = _fields(text)
    if not messages:
        raise StatementError("no MT940 fields (:20:, :25:, :60F:, :61:, :62F:) found")
    statements: list[Statement] = []
    previous: Statement | None = None
    for fields in messages:
        st = _statement(fields)
        if st is None:
            continue
        if (
            previous is not None
            and previous.account == st.account
            and previous.closing_balance is not None
            and st.opening_balance is not None
            and previous.closing_balance != st.opening_balance
        ):
            st = replace(st, warnings=st.warnings + (
                f"statement {st.statement_id}: opening balance {fmt_money(st.opening_balance)} differs from the "
                f"previous statement's closing balance {fmt_money(previous.closing_balance)}",
            ))
        statements.append(st)
        previous = st
    if not statements:
        raise StatementError("no MT940 statement found: expected :25:, :60F: and :62F: fields")
    return statements


def _statement(fields: list[_Field]) -> Statement | None:
    account = statement_no = reference = ""
    currency = ""
    opening = closing = None
    lines: list[StatementLine] = []
    warnings: list[str] = []
    pending: dict | None = None

    def flush(info: _Field | None):
        nonlocal pending
        if pending is None:
            return
        memo86, cp86 = _info86(info)
        supplementary = pending.pop("supplementary")
        counterparty = cp86 or supplementary
        pending["memo"] = memo86 or supplementary
        pending["counterparty"] = counterparty
        lines.append(StatementLine(**pending))
        pending = None

    for f in fields:
        if f.tag == "86":
            if pending is not None:
                flush(f)
            continue
        flush(None)
        if f.tag == "20":
            reference = f.lines[0].strip()
        elif f.tag == "25":
            account = f.lines[0].strip()
        elif f.tag in ("28", "28C"):
            statement_no = f.lines[0].strip()
        elif f.tag in ("60F", "60M"):
            opening, currency, _ = _balance(f)
        elif f.tag in ("62F", "62M"):
            closing, ccy, _ = _balance(f)
            currency = currency or ccy
        elif f.tag == "61":
            pending = _line61(f)
    flush(None)
    if not (lines or account or opening is not None or closing is not None):
        return None
    sid = statement_no or reference
    warnings.extend(check_totals(opening, closing, lines, f"statement {sid}".strip()))
    return Statement(
        format="mt940",
        account=account,
        currency=currency or "CNY",
        opening_balance=opening,
        closing_balance=closing,
        lines=tuple(lines),
        warnings=cap_warnings(warnings),
        statement_id=sid,
    )


def _line61(f: _Field) -> dict:
    first = f.lines[0].strip()
    m = _LINE61.match(first)
    if not m:
        raise StatementError(
            f":61: statement line {first[:40]!r} not understood; expected YYMMDD[MMDD] C|D|RC|RD amount "
            "type (e.g. NTRF) reference, like 1105240524D9,N192NONREF",
            f.line,
        )
    value_date = _date6(m.group("vd"), f.line, ":61: value")
    booking = value_date
    if m.group("ed"):
        month, day = int(m.group("ed")[:2]), int(m.group("ed")[2:])
        year = value_date.year
        if month - value_date.month > 6:
            year -= 1
        elif value_date.month - month > 6:
            year += 1
        try:
            booking = datetime.date(year, month, day)
        except ValueError:
            raise StatementError(f":61: entry date {m.group('ed')!r} is not a valid MMDD date", f.line) from None
    amount = _amount(m.group("amt"), f.line, ":61: amount")
    dc = m.group("dc")
    if dc in ("D", "RC"):  # debit, or reversal of a credit
        amount = -amount
    rest = m.group("rest")
    _, sep, bank_ref = rest.partition("//")
    supplementary = norm_space(" ".join(f.lines[1:]))
    return {
        "date": booking,
        "amount": amount,
        "ref": norm_space(bank_ref) if sep else "",
        "balance": None,
        "value_date": value_date,
        "source_line": f.line,
        "supplementary": supplementary,
    }
