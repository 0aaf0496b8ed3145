"""The cash journal (现金日记账) and bank journals (银行存款日记账), and balances.

Pure functions of (entries in book order, policy, options). A journal lists, per
account, every movement with its document number, summary, receipt or payment and
the running balance, opened by the balance brought forward and closed by totals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..core.describe import document, summary
from ..core.entries import EntryBase
from ..core.money import ZERO
from ..core.policy import Policy
from .model import Column, Report, Table

JOURNAL_COLUMNS = [
    Column("date", "Date", "日期", "date"),
    Column("id", "Entry", "凭证号"),
    Column("doc", "Document", "票据号"),
    Column("summary", "Summary", "摘要"),
    Column("receipt", "Receipts", "收入(借方)", "money"),
    Column("payment", "Payments", "支出(贷方)", "money"),
    Column("balance", "Balance", "余额", "money"),
]


def journal_report(
    entries: list[EntryBase],
    policy: Policy,
    accounts: list[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    lang: str = "en",
    opening: dict[str, Decimal] | None = None,
) -> Report:
    """``entries``: the whole book, or, with ``opening`` (each account's balance before
    ``start``), the entries from ``start`` on."""
    accounts = accounts or list(policy.accounts)
    opening = opening or {}
    books = {a: {"opening": opening.get(a, ZERO), "lines": [], "receipts": ZERO, "payments": ZERO} for a in accounts}
    running: dict[str, Decimal] = {a: opening.get(a, ZERO) for a in accounts}
    for entry in entries:
        if end and entry.date > end:
            break
        for posting in entry.postings():
            acct = posting.account
            if acct not in books:
                continue
            running[acct] += posting.amount
            if start and entry.date < start:
                books[acct]["opening"] = running[acct]
                continue
            receipt = posting.amount if posting.amount > 0 else None
            payment = -posting.amount if posting.amount < 0 else None
            books[acct]["receipts"] += receipt or ZERO
            books[acct]["payments"] += payment or ZERO
            books[acct]["lines"].append({
                "date": entry.date, "id": entry.id, "kind": entry.kind,
                "doc": document(entry).replace("chq ", "支票 ") if lang == "zh" else document(entry),
                "summary": summary(entry, lang), "receipt": receipt, "payment": payment, "balance": running[acct],
            })
    data = {"from": start, "to": end, "accounts": []}
    tables = []
    for acct in accounts:
        b = books[acct]
        closing = b["opening"] + b["receipts"] - b["payments"]
        info = policy.accounts[acct]
        data["accounts"].append({
            "account": acct, "name": info.name, "type": info.type, "opening": b["opening"],
            "receipts": b["receipts"], "payments": b["payments"], "closing": closing, "lines": b["lines"],
        })
        title_zh = ("现金日记账" if info.type == "cash" else "银行存款日记账") + f" {acct} {info.name}"
        title_en = ("Cash journal" if info.type == "cash" else "Bank journal") + f" {acct} ({info.name})"
        rows = [{"summary": "上期结转" if lang == "zh" else "b/f 上期结转", "balance": b["opening"]}] + b["lines"]
        tables.append(Table(JOURNAL_COLUMNS, rows, title_en, title_zh,
                            totals={"summary": "本期合计" if lang == "zh" else "totals 本期合计", "receipt": b["receipts"], "payment": b["payments"], "balance": closing},
                            name=acct))
    return Report(data=data, tables=tables)


def balances_report(balances: dict[str, Decimal], policy: Policy, as_of: dt.date) -> Report:
    rows = []
    for key, acct in policy.accounts.items():
        rows.append({"account": key, "name": acct.name, "type": acct.type, "bank": acct.bank, "number": acct.number,
                     "balance": balances.get(key, ZERO)})
    total = sum((r["balance"] for r in rows), ZERO)
    cols = [
        Column("account", "Account", "账户"), Column("name", "Name", "名称"), Column("type", "Type", "类型"),
        Column("number", "Number", "账号"), Column("balance", "Balance", "余额", "money"),
    ]
    table = Table(cols, rows, f"Balances at {as_of}", f"{as_of} 账户余额", totals={"account": "total / 合计", "balance": total})
    return Report(data={"date": as_of, "accounts": rows, "total": total}, tables=[table])
