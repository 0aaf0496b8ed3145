"""ISO 20022 camt.053 (BankToCustomerStatement) .001.02 to .001.08+, namespace-agnostic.

Parsed with xml.etree on the stdlib expat parser; each element's source line is
recorded while building the tree. DTDs and entities are refused outright.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
import xml.parsers.expat as expat
from decimal import Decimal

from .common import cap_warnings, check_totals, fmt_money, join_text, norm_space, parse_money
from .model import SkippedLine, Statement, StatementError, StatementLine, TransactionDetail

CAMT053_NS = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d+")


class _Refused(Exception):
    pass


def _refuse(*_args):
    raise _Refused()


def parse_xml(data: bytes) -> tuple[ET.Element, dict[int, int]]:
    """An ElementTree with namespace-free tags, plus {id(element): source line}."""
    if re.search(rb"<!(DOCTYPE|ENTITY)", data[:65536], re.I):
        raise StatementError("the XML declares a DTD or entities; bank statements never do, refusing to read it")
    parser = expat.ParserCreate(namespace_separator="}")
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}

    def start(name, attrs):
        elem = builder.start(_local(name), {_local(k): v for k, v in attrs.items()})
        lines[id(elem)] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: builder.end(_local(name))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    try:
        parser.Parse(bytes(data), True)
        root = builder.close()
    except expat.ExpatError as exc:
        raise StatementError(
            f"the XML is damaged or truncated ({expat.ErrorString(exc.code)}, column {exc.offset + 1})", exc.lineno
        ) from None
    except LookupError as exc:
        raise StatementError(f"the XML declares an unknown encoding ({exc})", 1) from None
    except (ValueError, UnicodeError) as exc:
        raise StatementError(f"the XML cannot be read ({type(exc).__name__}: {exc})", parser.CurrentLineNumber) from None
    except _Refused:
        raise StatementError("the XML declares a DTD or entities; refusing to read it", parser.CurrentLineNumber) from None
    except AssertionError:  # TreeBuilder.close() on an empty document
        raise StatementError("the XML document has no root element") from None
    return root, lines


def _local(tag) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].split(":")[-1]


class _X:
    """Namespace-agnostic navigation over an ElementTree element."""

    def __init__(self, elem: ET.Element, lines: dict[int, int]):
        self.e = elem
        self._lines = lines

    @property
    def line(self) -> int:
        return self._lines.get(id(self.e), 0)

    def children(self, name: str) -> list["_X"]:
        return [_X(c, self._lines) for c in self.e if _local(c.tag) == name]

    def find(self, path: str) -> "_X | None":
        node: _X | None = self
        for part in path.split("/"):
            if node is None:
                return None
            kids = node.children(part)
            node = kids[0] if kids else None
        return node

    def findall(self, path: str) -> list["_X"]:
        parts = path.split("/")
        nodes = [self]
        for part in parts:
            nodes = [k for n in nodes for k in n.children(part)]
        return nodes

    def text(self, path: str = "") -> str:
        node = self.find(path) if path else self
        if node is None or node.e.text is None:
            return ""
        return norm_space(node.e.text)

    def attr(self, name: str) -> str:
        return self.e.get(name, "")

    def first_text(self, *paths: str) -> str:
        for p in paths:
            t = self.text(p)
            if t:
                return t
        return ""


def _signed(node: _X, amount_path: str, ind_path: str, what: str, default_ind: str = "") -> tuple[Decimal, str]:
    amt = node.find(amount_path)
    if amt is None or not amt.text():
        raise StatementError(f"{what} without an amount ({amount_path})", node.line)
    value = parse_money(amt.text(), what=f"{what} amount", line=amt.line)
    ind = node.text(ind_path) or default_ind or ("CRDT" if value == 0 else "")
    if ind not in ("CRDT", "DBIT"):
        raise StatementError(f"{what} has credit/debit indicator {ind!r}; expected CRDT or DBIT", node.line)
    return (value if ind == "CRDT" else -value), amt.attr("Ccy")


def _date(node: _X | None, what: str, line: int) -> datetime.date | None:
    if node is None:
        return None
    text = node.first_text("Dt", "DtTm")
    if not text:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text, re.ASCII)
    try:
        if not m:
            raise ValueError
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise StatementError(f"{what} {text!r} is not a date; expected YYYY-MM-DD", node.line or line) from None


def _party(tx: _X, role: str) -> tuple[str, str]:
    """(name, account) of Dbtr/Cdtr in RltdPties, v.02-v.08 (Pty wrapper since .08)."""
    party = tx.find(f"RltdPties/{role}")
    name = ""
    if party is not None:
        name = party.first_text("Nm", "Pty/Nm", "Agt/FinInstnId/Nm")
    acct = tx.find(f"RltdPties/{role}Acct/Id")
    account = acct.first_text("IBAN", "Othr/Id") if acct is not None else ""
    return name, account


def _counterparty(tx: _X, amount_sign: int) -> tuple[str, str]:
    first, second = ("Dbtr", "Cdtr") if amount_sign >= 0 else ("Cdtr", "Dbtr")
    name, acct = _party(tx, first)
    if not name:
        name2, acct2 = _party(tx, second)
        return name2, acct or acct2
    return name, acct


def _remittance(tx: _X) -> str:
    parts = [u.text() for u in tx.findall("RmtInf/Ustrd")]
    for strd in tx.findall("RmtInf/Strd"):
        parts.append(strd.first_text("CdtrRefInf/Ref", "AddtlRmtInf"))
    parts.append(tx.text("AddtlTxInf"))
    return join_text(parts)


def _tx_ref(tx: _X) -> str:
    for path in ("Refs/AcctSvcrRef", "Refs/TxId", "Refs/EndToEndId", "Refs/InstrId", "Refs/PmtInfId"):
        t = tx.text(path)
        if t and t.upper() != "NOTPROVIDED":
            return t
    return ""


def parse_camt053(data: bytes) -> list[Statement]:
    root_e, lines_map = parse_xml(data)
    root = _X(root_e, lines_map)
    if _local(root_e.tag) != "Document" or root.find("BkToCstmrStmt") is None:
        if CAMT053_NS.search(data[:4096]) is None:
            raise StatementError("the XML is not a camt.053 statement (no Document/BkToCstmrStmt)")
        raise StatementError("the camt.053 document has no BkToCstmrStmt element", root.line)
    stmts = root.findall("BkToCstmrStmt/Stmt")
    if not stmts:
        raise StatementError("the camt.053 document holds no Stmt (statement)", root.line)
    out: list[Statement] = []
    for st in stmts:
        out.append(_statement(st))
    return out


def _statement(st: _X) -> Statement:
    warnings: list[str] = []
    account = ""
    acct_id = st.find("Acct/Id")
    if acct_id is not None:
        account = acct_id.first_text("IBAN", "Othr/Id")
    currency = st.text("Acct/Ccy")
    balances: dict[str, tuple[Decimal, str, int]] = {}
    for bal in st.children("Bal"):
        code = bal.first_text("Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")
        value, ccy = _signed(bal, "Amt", "CdtDbtInd", f"balance {code}")
        balances.setdefault(code, (value, ccy, bal.line))
        if not currency and ccy:
            currency = ccy
    lines: list[StatementLine] = []
    skipped: list[SkippedLine] = []
    for ntry in st.children("Ntry"):
        line = _entry(ntry, warnings)
        if line is None:
            status = ntry.first_text("Sts/Cd", "Sts/Prtry", "Sts").upper()
            amount, _ = _signed(ntry, "Amt", "CdtDbtInd", "entry (Ntry)")
            skipped.append(SkippedLine(ntry.line, f"status {status} (not booked)", fmt_money(amount),
                                       ntry.text("AddtlNtryInf"), warnings[-1]))
            continue
        amount, ccy, sl = line
        if not currency and ccy:
            currency = ccy
        elif ccy and currency and ccy != currency:
            warnings.append(f"line {sl.source_line}: entry in {ccy}, statement currency is {currency}")
        lines.append(sl)
    currency = currency or "CNY"
    opening = closing = None
    for code in ("OPBD", "PRCD"):
        if code in balances:
            opening, ccy, bline = balances[code]
            if ccy and ccy != currency:
                warnings.append(f"line {bline}: opening balance {code} is in {ccy}, statement currency is {currency}")
            break
    if "CLBD" in balances:
        closing, ccy, bline = balances["CLBD"]
        if ccy and ccy != currency:
            warnings.append(f"line {bline}: closing balance CLBD is in {ccy}, statement currency is {currency}")
    stmt_id = st.text("Id")
    warnings.extend(check_totals(opening, closing, lines, f"statement {stmt_id or ''}".strip()))
    return Statement(
        format="camt053",
        account=account,
        currency=currency,
        opening_balance=opening,
        closing_balance=closing,
        lines=tuple(lines),
        warnings=cap_warnings(warnings),
        statement_id=stmt_id,
        skipped=tuple(skipped),
    )


def _entry(ntry: _X, warnings: list[str]):
    status = ntry.first_text("Sts/Cd", "Sts/Prtry", "Sts").upper()
    amount, ccy = _signed(ntry, "Amt", "CdtDbtInd", "entry (Ntry)")
    if status and status != "BOOK":
        warnings.append(f"line {ntry.line}: skipped entry with status {status} (not booked): {fmt_money(amount)}")
        return None
    booking = _date(ntry.find("BookgDt"), "booking date", ntry.line)
    value_date = _date(ntry.find("ValDt"), "value date", ntry.line)
    if booking is None:
        booking = value_date
    if booking is None:
        raise StatementError("entry (Ntry) without a booking date (BookgDt) or value date (ValDt)", ntry.line)
    txs = ntry.findall("NtryDtls/TxDtls")
    sign = 1 if amount >= 0 else -1
    ref = ntry.first_text("AcctSvcrRef", "NtryRef")
    memo_parts = [ntry.text("AddtlNtryInf")]
    counterparty = ""
    details: tuple[TransactionDetail, ...] = ()
    if len(txs) == 1:
        tx = txs[0]
        ref = ref or _tx_ref(tx)
        counterparty = _counterparty(tx, sign)[0]
        memo_parts.append(_remittance(tx))
    elif len(txs) > 1:
        details = tuple(_detail(tx, ntry, amount) for tx in txs)
        known = [d.amount for d in details if d.amount is not None]
        if len(known) == len(details) and sum(known, Decimal("0.00")) != amount:
            warnings.append(
                f"line {ntry.line}: batch details add up to {fmt_money(sum(known, Decimal('0.00')))}, "
                f"the entry total is {fmt_money(amount)}"
            )
        if not ntry.text("AddtlNtryInf"):
            memo_parts.append(f"batch of {len(txs)} transactions")
        counterparties = {d.counterparty for d in details if d.counterparty}
        if len(counterparties) == 1:
            counterparty = counterparties.pop()
    batch_n = ntry.text("NtryDtls/Btch/NbOfTxs")
    if batch_n and len(txs) <= 1 and batch_n not in ("1", ""):
        memo_parts.append(f"batch of {batch_n} transactions")
    if ntry.text("RvslInd").lower() == "true":
        memo_parts.append("(reversal)")
    return amount, ccy, StatementLine(
        date=booking,
        amount=amount,
        ref=ref,
        memo=join_text(memo_parts),
        counterparty=counterparty,
        balance=None,
        value_date=value_date,
        source_line=ntry.line,
        details=details,
    )


def _detail(tx: _X, ntry: _X, entry_amount: Decimal) -> TransactionDetail:
    amount = None
    for path in ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt"):
        node = tx.find(path)
        if node is not None and node.text():
            value = parse_money(node.text(), what="transaction amount", line=node.line or ntry.line)
            ind = tx.text("CdtDbtInd") or ("CRDT" if entry_amount >= 0 else "DBIT")
            amount = value if ind == "CRDT" else -value
            break
    name, acct = _counterparty(tx, 1 if (amount if amount is not None else entry_amount) >= 0 else -1)
    return TransactionDetail(
        amount=amount, ref=_tx_ref(tx), memo=_remittance(tx), counterparty=name, counterparty_account=acct
    )
