"""Printable sheets (纸质单据): the cash-count sheet, the daily close sheet, the bank
reconciliation statement, the journals and the month report, as the forms a Chinese
finance department files and signs.

A `Sheet` is data only (figures, 大写 words, signature roles); the html renderer
(`cashbook.render.html`) lays it out and the pdf renderer prints that page. Reports attach
their sheet to `Report.sheet`, so the same command gives a table, JSON, CSV or paper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.close import DayCloseReport
from ..core.money import ZERO
from ..core.policy import Policy
from ..core.reconcile import Reconciliation
from ..core.words import to_words

SIGN_COUNT = [("盘点人", "Counted by"), ("出纳", "Cashier"), ("监盘人", "Witness")]
SIGN_DAY = [("出纳", "Cashier"), ("复核", "Checked by"), ("会计主管", "Chief accountant")]
SIGN_RECONCILE = [("编制", "Prepared by"), ("审核", "Reviewed by"), ("会计主管", "Chief accountant")]
SIGN_JOURNAL = [("记账", "Kept by"), ("复核", "Checked by")]
SIGN_MONTH = [("编制", "Prepared by"), ("审核", "Reviewed by"), ("财务负责人", "Head of finance")]

ROWS_PER_PAGE = 16  # journal lines on one printed page, between 承前页 and 过次页


def words(amount: Decimal | None) -> str:
    """大写 of an amount; a negative one is written 负…, none is blank."""
    if amount is None:
        return ""
    return "负" + to_words(-amount) if amount < 0 else to_words(amount)


@dataclass
class Sheet:
    kind: str  # count | day | reconciliation | journal | month
    title_zh: str
    title_en: str
    company: str
    period: str
    body: dict
    signatures: list[tuple[str, str]]
    subject: str = ""  # the account the sheet is about, "cash 库存现金"
    generated: str = field(default="")

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else f"{self.title_zh} {self.title_en}"


def _subject(policy: Policy, account: str) -> str:
    info = policy.accounts.get(account)
    return f"{account} {info.name}" if info else account


def _parse_counts(counts) -> dict[Decimal, int]:
    out: dict[Decimal, int] = {}
    for item in counts or ():
        denom, _, n = str(item).partition("x")
        out[Decimal(denom).quantize(Decimal("0.01"))] = out.get(Decimal(denom).quantize(Decimal("0.01")), 0) + int(n)
    return out


def count_sheet(r: DayCloseReport, policy: Policy, account: str) -> Sheet:
    """现金盘点表: every denomination of the policy with its pieces, 实存 against 账存."""
    day = next((c for c in r.cash if c.account == account), r.cash[0])
    pieces = _parse_counts(day.count.counts if day.count else ())
    denoms = sorted(set(policy.denominations) | set(pieces), reverse=True)
    rows = [{"denomination": d, "pieces": pieces.get(d, 0), "amount": d * pieces.get(d, 0)} for d in denoms]
    counted = day.counted
    diff = day.difference
    body = {
        "rows": rows, "counted": counted, "book_balance": day.book_balance, "difference": diff,
        "overage": diff if diff is not None and diff > 0 else ZERO,
        "shortage": -diff if diff is not None and diff < 0 else ZERO,
        "counted_words": words(counted), "book_words": words(day.book_balance),
        "time": day.count.time.strftime("%Y-%m-%d %H:%M") if day.count else "",
        "counted_at": bool(day.count),
    }
    return Sheet("count", "现金盘点表", "Cash count sheet", policy.book.name, str(r.date), body, SIGN_COUNT,
                 _subject(policy, day.account))


def day_sheet(r: DayCloseReport, policy: Policy) -> Sheet:
    """现金日报: 期初, 收入, 支出, 期末 per cash account, deposits banked and the exceptions."""
    accounts = [{"account": _subject(policy, c.account), "opening": c.opening, "receipts": c.receipts, "payments": c.payments,
                 "closing": c.book_balance, "counted": c.counted, "difference": c.difference, "takings": c.takings,
                 "banked": c.banked, "undeposited": c.undeposited, "over_limit": c.over_limit} for c in r.cash]
    main = r.cash[0]
    body = {
        "accounts": accounts, "closing_words": words(main.book_balance), "sealed": r.sealed, "seal": r.seal_id or "",
        "entries": r.entries, "limit": policy.rules.cash_over_limit.limit,
        "exceptions": [{"code": p.code, "severity": p.severity, "message": p.message} for p in r.problems],
    }
    return Sheet("day", "现金日报", "Daily cash report", policy.book.name, str(r.date), body, SIGN_DAY,
                 _subject(policy, main.account))


def reconciliation_sheet(r: Reconciliation, policy: Policy, month_end: dt.date) -> Sheet:
    """银行存款余额调节表 in the two-column form: books on the left, the bank on the right."""
    def total(items):
        return sum((i["amount"] for i in items), ZERO)

    info = policy.accounts.get(r.account)
    body = {
        "book_balance": r.book_balance, "statement_balance": r.statement_balance,
        "bank_credits_not_booked": r.bank_credits_not_booked, "bank_debits_not_booked": r.bank_debits_not_booked,
        "deposits_in_transit": r.deposits_in_transit, "outstanding_payments": r.outstanding_payments,
        "totals": {k: total(getattr(r, k)) for k in ("bank_credits_not_booked", "bank_debits_not_booked",
                                                      "deposits_in_transit", "outstanding_payments")},
        "adjusted_book": r.adjusted_book_balance, "adjusted_bank": r.adjusted_statement_balance,
        "difference": r.difference, "balanced": r.balanced, "source": r.statement_balance_source,
        "adjusted_words": words(r.adjusted_book_balance), "month_end": str(month_end),
        "bank": info.bank if info else "", "number": info.number if info else "",
    }
    return Sheet("reconciliation", "银行存款余额调节表", "Bank reconciliation statement", policy.book.name, r.month, body,
                 SIGN_RECONCILE, _subject(policy, r.account))


def counterpart_name(account: str, policy: Policy) -> str:
    """对方科目: the other side of a posting, by its name in policies.toml."""
    if account in policy.accounts:
        return policy.accounts[account].name
    kind, _, key = account.partition(":")
    if kind == "category" and key in policy.categories:
        return policy.categories[key].name
    if kind == "advances":
        return f"其他应收款 备用金 {key}"
    if kind == "deposits":
        name = policy.deposit_types[key].name if key in policy.deposit_types else key
        return f"其他应付款 押金 {name}"
    return {"opening-balances": "期初余额", "cash-over-short": "待处理财产损溢"}.get(account, account)


def journal_sheets(data: dict, entries, policy: Policy, rows_per_page: int = ROWS_PER_PAGE) -> list[Sheet]:
    """The 日记账 of each account, cut into pages that carry forward (承前页 / 过次页)."""
    others: dict[str, dict[str, list[str]]] = {}
    for e in entries:
        posts = e.postings()
        if not posts:
            continue
        names = {}
        for p in posts:
            names.setdefault(p.account, [])
        for acct in names:
            names[acct] = sorted({counterpart_name(p.account, policy) for p in posts if p.account != acct})
        others[e.id] = names
    sheets = []
    period = f"{data['from'] or '…'} – {data['to'] or '…'}"
    for acct in data["accounts"]:
        lines = [{**line, "counterpart": "、".join(others.get(line["id"], {}).get(acct["account"], []))} for line in acct["lines"]]
        pages = []
        receipts = payments = ZERO
        balance = acct["opening"]
        chunks = [lines[i:i + rows_per_page] for i in range(0, len(lines), rows_per_page)] or [[]]
        for n, chunk in enumerate(chunks):
            head = ({"summary": "期初余额 / 上期结转", "balance": balance, "carry": True} if n == 0 else
                    {"summary": "承前页", "receipt": receipts, "payment": payments, "balance": balance, "carry": True})
            for line in chunk:
                receipts += line["receipt"] or ZERO
                payments += line["payment"] or ZERO
                balance = line["balance"]
            last = n == len(chunks) - 1
            foot = ({"summary": "本期合计", "receipt": receipts, "payment": payments, "balance": balance, "carry": True} if last else
                    {"summary": "过次页", "receipt": receipts, "payment": payments, "balance": balance, "carry": True})
            pages.append([head, *chunk, foot])
        info = policy.accounts[acct["account"]]
        cash = info.type == "cash"
        body = {"pages": pages, "closing": acct["closing"], "closing_words": words(acct["closing"]),
                "receipts": acct["receipts"], "payments": acct["payments"], "opening": acct["opening"]}
        sheets.append(Sheet("journal", "现金日记账" if cash else "银行存款日记账", "Cash journal" if cash else "Bank journal",
                            policy.book.name, period, body, SIGN_JOURNAL, _subject(policy, acct["account"])))
    return sheets


def month_sheet(data: dict, policy: Policy) -> Sheet:
    """月度资金报告: accounts, categories, the registers' figures, and cash on hand per day
    against the limit (drawn as a chart)."""
    body = {
        "accounts": data["accounts"], "totals": data["totals"], "categories": data["categories"],
        "daily_cash": data["daily_cash"], "limit": policy.rules.cash_over_limit.limit,
        "advances": data["advances"], "deposits": data["deposits"], "cheques": data["cheques"],
        "reconciliation": data["reconciliation"], "exceptions": data["exceptions"], "unsealed": data["unsealed_days"],
        "closing_words": words(data["totals"]["closing"]), "ok": data["ok"],
    }
    return Sheet("month", "月度资金报告", "Month cash and bank report", policy.book.name, data["month"], body, SIGN_MONTH)
