"""Registers an auditor asks for: advances, deposits held, cheques, receipt numbers, exceptions."""

from __future__ import annotations

import datetime as dt

from ..core.entries import EntryBase, Payment, Withdrawal
from ..core.money import ZERO
from ..core.policy import Policy
from ..core.problems import Problem
from ..core.rules import receipt_gaps
from ..core.state import BookState
from .model import Column, Report, Table


STATUS_ZH = (("open", "未还"), ("settled", "已结清"), ("receivable", "逾期应收"), ("voided", "已作废"), ("cleared", "已兑付"),
             ("outstanding", "未兑付"))


def advances_report(state: BookState, policy: Policy, as_of: dt.date, include_settled: bool = False) -> Report:
    """Open advances; one past its due date is overdue and becomes a receivable (转应收款)."""
    days = policy.rules.advance_overdue.days
    rows = []
    for a in state.advances.values():
        if a.id in state.voided or (a.outstanding <= 0 and not include_settled):
            continue
        overdue = (as_of - a.due).days if a.due and a.outstanding > 0 and as_of > a.due else 0
        status = "settled" if a.outstanding <= 0 else ("receivable" if overdue else "open")
        rows.append({"id": a.id, "date": a.date, "person": a.party, "purpose": a.type, "amount": a.amount,
                     "outstanding": a.outstanding, "due": a.due, "days_overdue": overdue, "status": status,
                     "blocks_new_advance": overdue > days})
    total = sum((r["outstanding"] for r in rows), ZERO)
    cols = [Column("id", "Advance", "借款单"), Column("date", "Date", "日期", "date"), Column("person", "Person", "借款人"),
            Column("purpose", "Purpose", "用途"), Column("amount", "Amount", "金额", "money"),
            Column("outstanding", "Outstanding", "未结金额", "money"), Column("due", "Due", "到期日", "date"),
            Column("days_overdue", "Days overdue", "逾期天数", "int"), Column("status", "Status", "状态", zh_values=STATUS_ZH)]
    table = Table(cols, rows, f"Staff advances at {as_of}", f"{as_of} 职工借款", totals={"id": "total / 合计", "outstanding": total})
    overdue_total = sum((r["outstanding"] for r in rows if r["status"] == "receivable"), ZERO)
    return Report({"date": as_of, "advances": rows, "outstanding": total, "receivable": overdue_total}, [table])


def deposits_report(state: BookState, policy: Policy, as_of: dt.date) -> Report:
    """Deposits held (押金), by type and merchant."""
    rows = []
    for d in state.deposits.values():
        if d.id in state.voided or d.outstanding <= 0:
            continue
        dtype = policy.deposit_types.get(d.type)
        rows.append({"id": d.id, "date": d.date, "type": d.type, "type_name": dtype.name if dtype else d.type,
                     "merchant": d.party, "doc": d.doc, "amount": d.amount, "held": d.outstanding})
    rows.sort(key=lambda r: (r["type"], r["merchant"], r["date"]))
    by_type: dict[str, dict] = {}
    for r in rows:
        t = by_type.setdefault(r["type"], {"type": r["type"], "name": r["type_name"], "count": 0, "held": ZERO})
        t["count"] += 1
        t["held"] += r["held"]
    total = sum((r["held"] for r in rows), ZERO)
    cols = [Column("id", "Deposit", "押金单"), Column("date", "Date", "日期", "date"), Column("type", "Type", "类型"),
            Column("merchant", "Merchant", "商户"), Column("doc", "Receipt", "收据号"),
            Column("amount", "Taken", "收取金额", "money"), Column("held", "Held", "在押金额", "money")]
    tcols = [Column("type", "Type", "类型"), Column("name", "Name", "名称"), Column("count", "Count", "笔数", "int"),
             Column("held", "Held", "在押金额", "money")]
    return Report({"date": as_of, "deposits": rows, "by_type": list(by_type.values()), "total": total},
                  [Table(cols, rows, f"Deposits held at {as_of}", f"{as_of} 在押押金明细", totals={"id": "total / 合计", "held": total}, name="deposits"),
                   Table(tcols, list(by_type.values()), "By type", "按类型汇总", totals={"type": "total / 合计", "held": total}, name="by-type")])


def cheques_report(entries: list[EntryBase], state: BookState, cleared: set[str] | None = None,
                   start: dt.date | None = None, end: dt.date | None = None) -> Report:
    """The cheque register (支票领用登记簿): issued, voided, cleared (matched to a statement), outstanding."""
    cleared = cleared or set()
    rows = []
    for e in entries:
        if not isinstance(e, (Payment, Withdrawal)) or not e.cheque:
            continue
        if (start and e.date < start) or (end and e.date > end):
            continue
        status = "voided" if e.id in state.voided else ("cleared" if e.id in cleared else "outstanding")
        rows.append({"cheque": e.cheque, "account": e.account, "date": e.date, "id": e.id,
                     "payee": getattr(e, "party", "cash / 现金"), "amount": e.amount, "status": status})
    totals = {s: sum((r["amount"] for r in rows if r["status"] == s), ZERO) for s in ("outstanding", "cleared", "voided")}
    cols = [Column("cheque", "Cheque", "支票号"), Column("account", "Account", "账户"), Column("date", "Date", "日期", "date"),
            Column("id", "Entry", "凭证号"), Column("payee", "Payee", "收款人"), Column("amount", "Amount", "金额", "money"),
            Column("status", "Status", "状态", zh_values=STATUS_ZH)]
    return Report({"cheques": rows, "issued": len(rows), **{f"{k}_total": v for k, v in totals.items()}},
                  [Table(cols, rows, "Cheque register", "支票登记簿")])


def receipts_report(state: BookState) -> Report:
    """Receipt numbers used and the gaps in each sequence (a control failure to explain)."""
    numbers = sorted(state.receipt_numbers)
    gaps = receipt_gaps(numbers)
    rows = [{"prefix": p, "first_missing": a, "last_missing": b} for p, a, b in gaps]
    cols = [Column("prefix", "Series", "收据序列"), Column("first_missing", "First missing", "缺号起"),
            Column("last_missing", "Last missing", "缺号止")]
    used = [{"doc": n, "id": state.receipt_numbers[n]} for n in numbers]
    tables = [Table([Column("doc", "Receipt", "收据号"), Column("id", "Entry", "凭证号")], used, "Receipt numbers used", "已用收据号", name="used"),
              Table(cols, rows, "Receipt-number gaps", "收据缺号", name="gaps")]
    report = Report({"used": used, "gaps": rows}, tables)
    report.exit_code = 1 if rows else 0
    return report


def exceptions_report(problems: list[Problem], entries: dict[str, EntryBase]) -> Report:
    """Warnings and overrides recorded in the book (rule exceptions), and any blocking violations."""
    rows = []
    for p in problems:
        e = entries.get(p.entry_id or "")
        rows.append({"date": e.date if e else None, "id": p.entry_id, "code": p.code, "severity": p.severity,
                     "overridden_by": p.data.get("overridden_by", ""), "where": p.where, "message": p.message})
    cols = [Column("date", "Date", "日期", "date"), Column("id", "Entry", "凭证号"), Column("code", "Rule", "规则"),
            Column("severity", "Severity", "级别"), Column("overridden_by", "Overridden by", "特批人"), Column("message", "Message", "说明")]
    report = Report({"exceptions": rows, "count": len(rows)}, [Table(cols, rows, "Policy exceptions", "制度例外")])
    report.exit_code = 1 if any(r["severity"] == "block" for r in rows) else 0
    return report
