"""The bank reconciliation statement (银行存款余额调节表) as a report."""

from __future__ import annotations

from ..core.money import fmt_grouped
from ..core.reconcile import Reconciliation
from .model import Column, Report, Table

ITEM_COLUMNS = [Column("date", "Date", "日期", "date"), Column("ref", "Ref", "凭证/流水号"), Column("memo", "Memo", "摘要"),
                Column("amount", "Amount", "金额", "money")]


def reconciliation_report(r: Reconciliation, lang: str = "en") -> Report:
    data = {
        "account": r.account, "month": r.month, "book_balance": r.book_balance, "statement_balance": r.statement_balance,
        "statement_balance_source": r.statement_balance_source,
        "bank_credits_not_booked": r.bank_credits_not_booked, "bank_debits_not_booked": r.bank_debits_not_booked,
        "deposits_in_transit": r.deposits_in_transit, "outstanding_payments": r.outstanding_payments,
        "adjusted_book_balance": r.adjusted_book_balance, "adjusted_statement_balance": r.adjusted_statement_balance,
        "difference": r.difference, "balanced": r.balanced, "statement_missing": False,
        "matches": [{"book": list(m.book), "lines": list(m.lines), "why": m.why} for m in r.matches],
    }
    rows = [
        {"book": "Balance per books 企业银行存款日记账余额", "book_amount": r.book_balance,
         "bank": "Balance per bank statement 银行对账单余额", "bank_amount": r.statement_balance},
        {"book": "Add: bank credits not booked 加: 银行已收、企业未收", "book_amount": _sum(r.bank_credits_not_booked),
         "bank": "Add: deposits in transit 加: 企业已收、银行未收", "bank_amount": _sum(r.deposits_in_transit)},
        {"book": "Less: bank debits not booked 减: 银行已付、企业未付", "book_amount": _sum(r.bank_debits_not_booked),
         "bank": "Less: outstanding payments 减: 企业已付、银行未付", "bank_amount": _sum(r.outstanding_payments)},
        {"book": "Adjusted balance 调节后的存款余额", "book_amount": r.adjusted_book_balance,
         "bank": "Adjusted balance 调节后的存款余额", "bank_amount": r.adjusted_statement_balance},
    ]
    if lang == "zh":  # the labels are "English 中文": the Chinese half alone
        rows = [{k: _zh_only(v) if k in ("book", "bank") else v for k, v in row.items()} for row in rows]
    cols = [Column("book", "Books (企业)", "企业账面"), Column("book_amount", "Amount", "金额", "money"),
            Column("bank", "Bank statement (银行)", "银行对账单"), Column("bank_amount", "Amount", "金额", "money")]
    tables = [Table(cols, rows, f"Bank reconciliation {r.account} {r.month}", f"银行存款余额调节表 {r.account} {r.month}", name="statement")]
    for key, en, zh in (("bank_credits_not_booked", "Bank credits not booked", "银收企未收"),
                        ("bank_debits_not_booked", "Bank debits not booked", "银付企未付"),
                        ("deposits_in_transit", "Deposits in transit", "企收银未收"),
                        ("outstanding_payments", "Outstanding payments", "企付银未付")):
        items = getattr(r, key)
        # every kind is a section, also when empty (a CSV of it is its header)
        tables.append(Table(ITEM_COLUMNS, items, f"{en} ({len(items)})", f"{zh} ({len(items)})",
                            totals={"memo": "合计" if lang == "zh" else "total", "amount": _sum(items)}, name=key.replace("_", "-")))
    verdict = ("balanced: the adjusted balances agree" if r.balanced
               else f"NOT balanced: difference {fmt_grouped(r.difference)} is an error to investigate")
    notes = [f"statement balance: {r.statement_balance_source}", verdict, "Prepared by 编制: ________   Chief accountant 主管会计: ________"]
    if lang == "zh":
        source = source_zh(r.statement_balance_source)
        notes = [f"对账单余额来源: {source}",
                 "调节后余额相符" if r.balanced else f"调节后余额不符: 差额 {fmt_grouped(r.difference)}，须查明原因",
                 "编制: ________   审核: ________   会计主管: ________"]
    return Report(data, tables, notes, exit_code=0 if r.balanced else 1)


def missing_statement_report(account: str, month: str, book_balance, keeps_statement: bool) -> Report:
    """`bank reconcile` for a month no imported statement speaks for: said so, exit 1, never
    "balanced" (there is nothing to agree with)."""
    how = f"import it with `cashbook bank import FILE --account {account}`, then reconcile again"
    if not keeps_statement:
        how += f" ({account} is marked `statement = false` in policies.toml: its months close without one)"
    message = f"{account}: no bank statement imported for {month}; {how}"
    data = {
        "account": account, "month": month, "book_balance": book_balance, "statement_balance": None,
        "statement_balance_source": "no statement imported for the month",
        "bank_credits_not_booked": [], "bank_debits_not_booked": [], "deposits_in_transit": [], "outstanding_payments": [],
        "adjusted_book_balance": book_balance, "adjusted_statement_balance": None, "difference": None,
        "balanced": False, "statement_missing": True, "matches": [],
        "problems": [{"code": "statement-missing", "message": message, "severity": "block"}],
    }
    rows = [{"book": "Balance per books 企业银行存款日记账余额", "book_amount": book_balance,
             "bank": "Balance per bank statement 银行对账单余额: no statement 未导入对账单", "bank_amount": None}]
    cols = [Column("book", "Books (企业)", "企业账面"), Column("book_amount", "Amount", "金额", "money"),
            Column("bank", "Bank statement (银行)", "银行对账单"), Column("bank_amount", "Amount", "金额", "money")]
    tables = [Table(cols, rows, f"Bank reconciliation {account} {month}", f"银行存款余额调节表 {account} {month}", name="statement")]
    notes = [f"NOT reconciled: statement-missing: {message}"]
    return Report(data, tables, notes, exit_code=1)


def _sum(items):
    from ..core.money import ZERO

    return sum((i["amount"] for i in items), ZERO)


def _zh_only(text: str) -> str:
    """``"Add: deposits in transit 加: 企业已收、银行未收"`` → ``"加: 企业已收、银行未收"``."""
    import re

    found = re.search(r"[\u4e00-\u9fff]", text)
    return text[found.start():] if found else text


def source_zh(source: str) -> str:
    """Where the statement balance came from (core/reconcile.py words it), in Chinese."""
    import re

    m = re.fullmatch(r"bank balance of (\S+)( plus later lines)?( less the lines after (\S+))?", source)
    if not m:
        return source
    out = f"银行对账单 {m[1]} 的余额"
    if m[2]:
        out += "，加其后各行"
    if m[3]:
        out += f"，减 {m[4]} 之后各行"
    return out
