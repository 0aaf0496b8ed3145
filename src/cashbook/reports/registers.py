"""Registers an auditor asks for: advances, deposits held, cheques, receipt numbers, exceptions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..core.entries import EntryBase, Payment, Withdrawal
from ..core.money import ZERO, fmt_grouped
from ..core.policy import Policy
from ..core.problems import Problem
from ..core.state import BookState
from .model import Bi, Column, ProblemMessage, Report, Table


STATUS_ZH = (("open", "未还"), ("settled", "已结清"), ("receivable", "逾期应收"), ("voided", "已作废"), ("cleared", "已兑付"),
             ("outstanding", "未兑付"), ("spoiled", "作废"))


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


def compensation_report(state: BookState, policy: Policy, as_of: dt.date) -> Report:
    """Compensation paid in advance (先行赔付) not yet recovered; one older than the policy's
    window is to be withheld from its handler's wages (从经办人工资中扣除)."""
    days = policy.rules.compensation_unsettled.days
    rows = []
    for c in state.compensations.values():
        if c.id in state.voided or c.outstanding <= 0 or c.date > as_of:
            continue
        due = c.date + dt.timedelta(days=days)
        rows.append({"id": c.id, "date": c.date, "handler": c.party, "supplier": c.type, "paid_to": c.doc, "amount": c.amount,
                     "outstanding": c.outstanding, "due": due, "status": "withhold" if as_of > due else "open"})
    rows.sort(key=lambda r: (r["handler"], r["date"], r["id"]))
    total = sum((r["outstanding"] for r in rows), ZERO)
    withhold = sum((r["outstanding"] for r in rows if r["status"] == "withhold"), ZERO)
    by_handler: dict[str, Decimal] = {}
    for r in rows:
        if r["status"] == "withhold":
            by_handler[r["handler"]] = by_handler.get(r["handler"], ZERO) + r["outstanding"]
    wages = [{"handler": h, "withhold": v} for h, v in sorted(by_handler.items())]
    cols = [Column("id", "Payment", "付款单"), Column("date", "Date", "日期", "date"), Column("handler", "Handler", "经办人"),
            Column("supplier", "For supplier", "代赔供应商"), Column("paid_to", "Paid to", "赔付对象"),
            Column("amount", "Paid", "赔付金额", "money"), Column("outstanding", "Outstanding", "未追回", "money"),
            Column("due", "Due", "处理期限", "date"), Column("status", "Status", "状态")]
    wcols = [Column("handler", "Handler", "经办人"), Column("withhold", "Withhold from wages", "应从工资中扣除", "money")]
    return Report({"date": as_of, "compensation": rows, "outstanding": total, "withhold_total": withhold, "withhold": wages},
                  [Table(cols, rows, f"Compensation paid in advance at {as_of}", f"{as_of} 先行赔付未处理明细",
                         totals={"id": "total / 合计", "outstanding": total}, name="compensation"),
                   Table(wcols, wages, "To withhold from wages", "应从工资中扣除", totals={"handler": "total / 合计", "withhold": withhold}, name="withhold")])


def cheques_report(entries: list[EntryBase], state: BookState, cleared: set[str] | None = None,
                   start: dt.date | None = None, end: dt.date | None = None) -> Report:
    """The cheque register (支票领用登记簿): each cheque with its stub (payee, purpose, limit, who
    took it) and status (outstanding, cleared: matched to a statement, voided, spoiled 作废), and
    the cheque books recorded with what of each is used."""
    from ..core.rules import receipt_series

    cleared = cleared or set()
    rows = []
    for e in entries:
        if (start and e.date < start) or (end and e.date > end):
            continue
        if e.kind == "cheque-spoiled":
            rows.append({"cheque": e.cheque, "account": e.account, "date": e.date, "id": e.id, "payee": "", "purpose": e.reason,
                         "limit": None, "taken_by": "", "amount": ZERO, "status": "spoiled"})
            continue
        if not isinstance(e, (Payment, Withdrawal)) or not e.cheque:
            continue
        status = "voided" if e.id in state.voided else ("cleared" if e.id in cleared else "outstanding")
        rows.append({"cheque": e.cheque, "account": e.account, "date": e.date, "id": e.id,
                     "payee": getattr(e, "party", "cash / 现金"), "purpose": e.memo or e.field("category") or "cash / 提现",
                     "limit": e.field("cheque_limit"), "taken_by": e.field("taken_by", ""), "amount": e.amount, "status": status})
    totals = {s: sum((r["amount"] for r in rows if r["status"] == s), ZERO) for s in ("outstanding", "cleared", "voided")}
    books = []
    for i in state.cheque_books:
        b = state.entries.get(i)
        if b is None:
            continue
        prefix, width, lo = receipt_series(b.first)
        hi = receipt_series(b.last)[2]
        used = sum(1 for n in range(lo, hi + 1) if (b.account, f"{prefix}{n:0{width}d}") in state.cheques)
        books.append({"id": i, "date": b.date, "account": b.account, "first": b.first, "last": b.last, "used": used,
                      "unused": hi - lo + 1 - used})
    cols = [Column("cheque", "Cheque", "支票号"), Column("account", "Account", "账户"), Column("date", "Date", "日期", "date"),
            Column("id", "Entry", "凭证号"), Column("payee", "Payee", "收款人"), Column("purpose", "Purpose", "用途"),
            Column("limit", "Limit", "限额", "money"), Column("taken_by", "Taken by", "领用人"),
            Column("amount", "Amount", "金额", "money"), Column("status", "Status", "状态", zh_values=STATUS_ZH)]
    bcols = [Column("id", "Book", "领购单"), Column("date", "Date", "日期", "date"), Column("account", "Account", "账户"),
             Column("first", "First", "起号"), Column("last", "Last", "止号"), Column("used", "Used", "已用", "int"),
             Column("unused", "Unused", "未用", "int")]
    tables = [Table(cols, rows, "Cheque register", "支票登记簿")]
    if books:
        tables.append(Table(bcols, books, "Cheque books", "支票领购"))
    return Report({"cheques": rows, "issued": sum(1 for r in rows if r["status"] != "spoiled"),
                   "spoiled": sum(1 for r in rows if r["status"] == "spoiled"), "books": books,
                   **{f"{k}_total": v for k, v in totals.items()}}, tables)


def unsigned_rows(state: BookState, as_of: dt.date | None = None) -> list[dict]:
    """Entries a deputy approved that await the holder's signature (可先付款后补签)."""
    rows = []
    for i, roles in state.awaiting_signature.items():
        e = state.entries.get(i)
        if e is None or i in state.voided or (as_of and e.date > as_of):
            continue
        deputy = ", ".join(str(a) for a in e.field("approvals", ()) if a.role in roles)
        rows.append({"id": i, "date": e.date, "kind": e.kind, "party": e.field("party") or e.field("person") or "",
                     "amount": e.field("amount"), "roles": list(roles), "deputy": deputy})
    rows.sort(key=lambda r: (r["date"], r["id"]))
    return rows


def unsigned_report(state: BookState, as_of: dt.date) -> Report:
    rows = unsigned_rows(state, as_of)
    cols = [Column("id", "Entry", "凭证号"), Column("date", "Date", "日期", "date"), Column("kind", "Kind", "类型"),
            Column("party", "Paid to", "收款人"), Column("amount", "Amount", "金额", "money"),
            Column("deputy", "Approved by deputy", "代批人"), Column("roles", "Awaiting", "待补签")]
    table_rows = [{**r, "roles": ", ".join(r["roles"])} for r in rows]
    return Report({"date": as_of, "unsigned": rows}, [Table(cols, table_rows, f"Awaiting signature at {as_of}", f"{as_of} 待补签", name="unsigned")])


def add_unsigned(report: Report, state: BookState, last: dt.date) -> Report:
    """The month close lists what a deputy approved and is still unsigned at its end."""
    rows = unsigned_rows(state, last)
    report.data["awaiting_signature"] = rows
    report.notes += [f"awaiting signature: {r['id']} {r['kind']} {fmt_grouped(r['amount']) if r['amount'] is not None else ''} "
                     f"approved by {r['deputy']}; {', '.join(r['roles'])} to sign (补签)" for r in rows]
    return report


def receipt_books_report(state: BookState) -> Report:
    """The receipt-book register (收据领取台帐): each book issued, to which till, what of it is
    used, spoiled (作废), unused, and whether it came back (销号交回)."""
    from ..core.rules import receipt_series

    rows = []
    for i in state.receipt_books:
        b = state.entries[i]
        prefix, width, lo = receipt_series(b.first)
        hi = receipt_series(b.last)[2]
        used = spoiled = 0
        for n in range(lo, hi + 1):
            found = state.receipt_numbers.get(f"{prefix}{n:0{width}d}")
            if found:
                if state.entries[found].kind == "receipt-spoiled":
                    spoiled += 1
                else:
                    used += 1
        returned = state.receipt_books_returned.get(i)
        rows.append({"id": i, "date": b.date, "first": b.first, "last": b.last, "till": b.till, "to": b.to, "used": used,
                     "spoiled": spoiled, "unused": hi - lo + 1 - used - spoiled, "status": "returned" if returned else "issued",
                     "returned_by": returned or ""})
    cols = [Column("id", "Book", "领用单"), Column("date", "Issued", "领用日期", "date"), Column("first", "First", "起号"),
            Column("last", "Last", "止号"), Column("till", "Till", "收银台"), Column("to", "Taken by", "领用人"),
            Column("used", "Used", "已用", "int"), Column("spoiled", "Spoiled", "作废", "int"), Column("unused", "Unused", "未用", "int"),
            Column("status", "Status", "状态"), Column("returned_by", "Returned", "交回")]
    return Report({"books": rows}, [Table(cols, rows, "Receipt books", "收据领取台帐")])


def handovers_report(state: BookState, start: dt.date | None = None, end: dt.date | None = None) -> Report:
    """The till hand-over log (收款交接台帐): time, till, amount, giver and receiver."""
    rows = []
    for i in state.handovers:
        h = state.entries[i]
        if (start and h.date < start) or (end and h.date > end):
            continue
        rows.append({"id": i, "time": h.time, "till": h.till, "amount": h.amount, "giver": h.giver, "receiver": h.receiver,
                     "status": "voided" if i in state.voided else "", "memo": h.memo})
    total = sum((r["amount"] for r in rows if not r["status"]), ZERO)
    cols = [Column("id", "Entry", "凭证号"), Column("time", "Time", "时间"), Column("till", "Till", "收银台"),
            Column("amount", "Amount", "金额", "money"), Column("giver", "Handed over by", "交款人"),
            Column("receiver", "Received by", "收款人"), Column("status", "Status", "状态"), Column("memo", "Memo", "摘要")]
    return Report({"handovers": rows, "total": total},
                  [Table(cols, rows, "Till hand-over log", "收款交接台帐", totals={"id": "total / 合计", "amount": total})])


def receipts_report(state: BookState) -> Report:
    """Receipt numbers used and the gaps in each sequence (a control failure to explain)."""
    numbers = sorted(state.receipt_numbers)
    gaps = state.receipt_gaps()
    rows = [{"prefix": p, "first_missing": a, "last_missing": b} for p, a, b in gaps]
    cols = [Column("prefix", "Series", "收据序列"), Column("first_missing", "First missing", "缺号起"),
            Column("last_missing", "Last missing", "缺号止")]
    used, spoiled = [], []
    for n in numbers:
        e = state.entries.get(state.receipt_numbers[n])
        if e is not None and e.kind == "receipt-spoiled":
            spoiled.append({"doc": n, "id": e.id, "date": e.date, "reason": e.reason})
        used.append({"doc": n, "id": state.receipt_numbers[n], "status": Bi("spoiled 作废", "作废") if e is not None and e.kind == "receipt-spoiled" else ""})
    tables = [Table([Column("doc", "Receipt", "收据号"), Column("id", "Entry", "凭证号"), Column("status", "Status", "状态")], used,
                    "Receipt numbers used", "已用收据号", name="used"),
              Table([Column("doc", "Receipt", "收据号"), Column("id", "Entry", "凭证号"), Column("date", "Date", "日期", "date"),
                     Column("reason", "Reason", "原因")], spoiled, "Spoiled receipts (作废)", "作废收据", name="spoiled"),
              Table(cols, rows, "Receipt-number gaps", "收据缺号", name="gaps")]
    report = Report({"used": used, "spoiled": spoiled, "gaps": rows}, tables)
    report.exit_code = 1 if rows else 0
    return report


def exceptions_report(problems: list[Problem], entries: dict[str, EntryBase]) -> Report:
    """Warnings and overrides recorded in the book (rule exceptions), and any blocking violations."""
    rows = []
    for p in problems:
        e = entries.get(p.entry_id or "")
        rows.append({"date": e.date if e else None, "id": p.entry_id, "code": p.code, "severity": p.severity,
                     "overridden_by": p.data.get("overridden_by", ""), "where": p.where, "message": ProblemMessage(p)})
    cols = [Column("date", "Date", "日期", "date"), Column("id", "Entry", "凭证号"), Column("code", "Rule", "规则"),
            Column("severity", "Severity", "级别"), Column("overridden_by", "Overridden by", "特批人"), Column("message", "Message", "说明")]
    report = Report({"exceptions": rows, "count": len(rows)}, [Table(cols, rows, "Policy exceptions", "制度例外")])
    report.exit_code = 1 if any(r["severity"] == "block" for r in rows) else 0
    return report
