"""OFX 1.x (SGML, unclosed leaf tags) and 2.x (XML) bank and credit-card statements.

A small tolerant tokenizer builds one tree for both: a tag followed by text is a leaf
(its closing tag optional), any other tag opens an aggregate, a closing tag closes up to
the matching open aggregate, and the end of the file closes everything still open.
"""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass, field

from .common import cap_warnings, check_totals, join_text, norm_space, parse_money
from .model import Statement, StatementError, StatementLine


@dataclass
class Node:
    tag: str
    line: int
    text: str = ""
    children: list["Node"] = field(default_factory=list)

    def find(self, path: str) -> "Node | None":
        node: Node | None = self
        for part in path.split("/"):
            if node is None:
                return None
            node = next((c for c in node.children if c.tag == part), None)
        return node

    def findtext(self, path: str) -> str:
        n = self.find(path)
        return n.text if n is not None else ""

    def iter(self, tag: str):
        for c in self.children:
            if c.tag == tag:
                yield c
            yield from c.iter(tag)


_HEADER_LINE = re.compile(r"^\s*([A-Z]+)\s*:\s*(.*?)\s*$")
_TOKEN = re.compile(
    r"<!\[CDATA\[(.{0,200000}?)\]\]>|<!--.{0,20000}?-->|<\?[^>]{0,2000}>|<![^>]{0,2000}>"
    r"|<(/?)([A-Za-z][\w.:-]*)(?:\s[^<>]*)?/?>|([^<]+)|<",
    re.S,
)


def _decode(data: bytes) -> str:
    head = data[:2000].decode("latin-1")
    charset = re.search(r"CHARSET\s*:\s*(\S+)", head)
    encoding = re.search(r"ENCODING\s*:\s*(\S+)", head)
    xml_enc = re.search(r"<\?xml[^>]*encoding=[\"']([\w.-]+)", head)
    candidates = []
    if xml_enc:
        candidates.append(xml_enc.group(1))
    if encoding and encoding.group(1).upper() in ("UTF-8", "UTF8", "UNICODE"):
        candidates.append("utf-8")
    if charset and charset.group(1).upper() not in ("NONE",):
        cs = charset.group(1)
        candidates.append(f"cp{cs}" if cs.isdigit() else cs)
    candidates += ["utf-8", "cp1252"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
        return text[1:] if text.startswith("\ufeff") else text
    return data.decode("latin-1")  # pragma: no cover - cp1252 fallback rarely fails


def parse_tree(text: str) -> Node:
    start = re.search(r"<OFX\b", text, re.I)
    if start is None:
        raise StatementError("no <OFX> element: not an OFX file")
    root = Node("#root", 1)
    stack = [root]
    pending: Node | None = None  # the last opened tag: a leaf if text follows, else an aggregate
    pos = start.start()
    line = text.count("\n", 0, pos) + 1
    for m in _TOKEN.finditer(text, pos):
        tok_line = line
        line += m.group(0).count("\n")
        if m.group(1) is not None:  # CDATA: text of the pending leaf
            if pending is not None:
                pending.text += m.group(1) or " "
            continue
        if m.group(4) is not None:  # text
            if pending is not None and m.group(4).strip():
                pending.text += m.group(4)
            continue
        if not m.group(3):
            continue  # comment, processing instruction, declaration
        tag = m.group(3).upper()
        if m.group(2):  # closing tag
            if pending is not None and pending.tag == tag:
                pending = None
                continue
            pending = None
            for i in range(len(stack) - 1, 0, -1):
                if stack[i].tag == tag:
                    del stack[i:]
                    break
            continue
        if pending is not None and not pending.text:
            stack.append(pending)  # an opening tag right after another: the first is an aggregate
        node = Node(tag, tok_line)
        stack[-1].children.append(node)
        pending = None if m.group(0).endswith("/>") else node
    _finish(root)
    return root


def _finish(node: Node) -> None:
    node.text = norm_space(html.unescape(node.text)) if node.text else ""
    for c in node.children:
        _finish(c)


def _date(text: str, line: int, what: str) -> datetime.date:
    m = re.match(r"\s*(\d{4})(\d{2})(\d{2})", text, re.ASCII)
    if not m:
        raise StatementError(f"{what} {text!r} is not an OFX date; expected YYYYMMDD[HHMMSS]", line)
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise StatementError(f"{what} {text!r} is not a valid calendar date", line) from None


def _amount(text: str, line: int, what: str):
    s = text.strip()
    comma_decimal = "," in s and "." not in s and re.fullmatch(r"[+-]?\d+,\d{1,2}", s) is not None
    return parse_money(s, what=what, line=line, decimal_comma=comma_decimal)


def parse_ofx(data: bytes) -> list[Statement]:
    text = _decode(data)
    root = parse_tree(text)
    statements: list[Statement] = []
    stmts = [n for n in root.iter("STMTRS")] + [n for n in root.iter("CCSTMTRS")]
    stmts.sort(key=lambda n: n.line)
    if not stmts:
        raise StatementError("the OFX file holds no bank (STMTRS) or credit-card (CCSTMTRS) statement")
    for st in stmts:
        currency = st.findtext("CURDEF").upper() or "CNY"
        acct = st.find("BANKACCTFROM") or st.find("CCACCTFROM")
        account = acct.findtext("ACCTID") if acct is not None else ""
        warnings: list[str] = []
        lines: list[StatementLine] = []
        # every transaction of the statement, in every BANKTRANLIST block (some banks send several)
        for tr in st.iter("STMTTRN"):
            posted = tr.findtext("DTPOSTED")
            if not posted:
                raise StatementError("transaction without DTPOSTED (posting date)", tr.line)
            amount_text = tr.findtext("TRNAMT")
            if not amount_text:
                raise StatementError("transaction without TRNAMT (amount)", tr.line)
            date = _date(posted, tr.line, "DTPOSTED")
            amount = _amount(amount_text, tr.line, "TRNAMT")
            avail = tr.findtext("DTAVAIL")
            value_date = _date(avail, tr.line, "DTAVAIL") if avail else None
            cheque = tr.findtext("CHECKNUM")
            if set(cheque) <= {"0"}:
                cheque = ""  # some banks fill CHECKNUM with 0 on every line
            name = tr.findtext("NAME") or tr.findtext("PAYEE/NAME")
            memo = tr.findtext("MEMO")
            memo = join_text([memo or name, f"chq {cheque}" if cheque else ""])
            lines.append(
                StatementLine(
                    date=date,
                    amount=amount,
                    ref=tr.findtext("FITID") or tr.findtext("REFNUM"),
                    memo=memo,
                    counterparty=name,
                    balance=None,
                    value_date=value_date,
                    source_line=tr.line,
                    cheque=cheque,
                )
            )
        closing = None
        ledger = st.find("LEDGERBAL")
        if ledger is not None and ledger.findtext("BALAMT"):
            closing = _amount(ledger.findtext("BALAMT"), ledger.line, "LEDGERBAL/BALAMT")
        fitids = [ln.ref for ln in lines if ln.ref]
        dups = sorted({f for f in fitids if fitids.count(f) > 1})
        if dups:
            warnings.append(f"duplicate FITID(s) {', '.join(dups[:5])} in one statement")
        statements.append(
            Statement(
                format="ofx",
                account=account,
                currency=currency,
                opening_balance=None,
                closing_balance=closing,
                lines=tuple(lines),
                warnings=cap_warnings(warnings + check_totals(None, closing, lines)),
            )
        )
    return statements
