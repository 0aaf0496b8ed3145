"""The daily close (日结) and month-end (月结) reports: data for JSON, tables and a small chart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..core.balances import account_movements
from ..core.close import DayCloseReport, category_totals
from ..core.entries import EntryBase
from ..core.money import ZERO, fmt_grouped
from ..core.policy import Policy
from ..core.problems import Problem
from ..core.state import BookState
from .model import Bi, Column, ProblemNote, Report, Table
from .registers import advances_report, cheques_report, deposits_report


def _status_zh(status: str) -> str:
    """A bank's reconciliation status line (cli/bank.py words it) in Chinese."""
    import re

    month = re.match(r"(\d{4}-\d{2}): (.*)", status, flags=re.S)
    if month:
        return f"{month[1]}：{_status_zh(month[2])}"
    if status == "reconciled, balanced":
        return "已调节相符"
    m = re.match(r"not reconciled: difference (.*)", status)
    if m:
        return f"未调节相符：差额 {m[1]}"
    if status.startswith("no statement kept"):
        return "不保存对账单（policies.toml 中 statement = false）"
    m = re.match(r"no statement imported for (\S+): import it with (`[^`]*`), then (`[^`]*`)", status)
    return f"{m[1]} 的对账单尚未导入：请先 {m[2]}，再 {m[3]}" if m else status


TYPES_ZH = (("income", "收入"), ("expense", "支出"), ("liability", "负债"), ("cash", "现金"), ("bank", "银行"))


def day_report(r: DayCloseReport) -> Report:
    main = r.cash[0]
    problems = [{"code": p.code, "message": p.message, "severity": p.severity, **({"entry": p.entry_id} if p.entry_id else {})}
                for p in r.problems]
    data = {
        "date": r.date, "account": main.account, "opening": main.opening, "receipts": main.receipts,
        "payments": main.payments, "book_balance": main.book_balance, "counted": main.counted,
        "difference": main.difference, "over_limit": main.over_limit, "takings": main.takings, "banked": main.banked,
        "undeposited": main.undeposited, "sealed": r.sealed, "seal_entry": r.seal_id,
        "count": list(main.count.counts) if main.count else None, "entries": r.entries, "problems": problems,
    }
    if len(r.cash) > 1:
        data["accounts"] = [{"account": c.account, "opening": c.opening, "receipts": c.receipts, "payments": c.payments,
                             "book_balance": c.book_balance, "counted": c.counted, "difference": c.difference,
                             "over_limit": c.over_limit, "undeposited": c.undeposited} for c in r.cash]
    rows = []
    for c in r.cash:
        diff = c.difference
        label = "" if not diff else (" 长款 overage" if diff > 0 else " 短款 shortage")
        label_zh = "" if not diff else ("（长款）" if diff > 0 else "（短款）")
        rows += [
            {"item": Bi(f"{c.account}: opening 期初", f"{c.account}：期初"), "amount": c.opening},
            {"item": Bi("receipts 收入", "收入"), "amount": c.receipts},
            {"item": Bi("payments 支出", "支出"), "amount": c.payments},
            {"item": Bi("book balance 账面余额", "账面余额"), "amount": c.book_balance},
            {"item": Bi("counted 实点", "实点"), "amount": c.counted},
            {"item": Bi("difference 差额" + label, "差额" + label_zh), "amount": diff},
            {"item": Bi("over the limit 超限额", "超限额"), "amount": c.over_limit},
            {"item": Bi("takings not banked 未送存", "未送存"), "amount": c.undeposited},
        ]
    cols = [Column("item", "Daily close", "日结"), Column("amount", "Amount", "金额", "money")]
    status = "sealed 已封账" if r.sealed else "open 未封账"
    notes = [ProblemNote(p) for p in r.problems]
    table = Table(cols, rows, f"Daily cash close {r.date} ({status})", f"{r.date} 现金日结（{status.split()[1]}）")
    # SPEC 5: exit 1 on a difference or a rule exception, also when the day sealed: what the
    # close itself finds (cash over the limit, takings not banked, a difference), even as a
    # warning, is for the cashier to act on. An entry's own warning was reported when it was
    # recorded and is listed here, but leaves the exit code to the close's findings.
    return Report(data, [table], notes, exit_code=0 if r.sealed and not r.exceptions else 1)


def month_report(month: str, first: dt.date, last: dt.date, opening: dict, entries: list[EntryBase], state: BookState,
                 policy: Policy, problems: list[Problem], unsealed: list[dt.date], gaps: list[Problem],
                 reconciliation: list[dict]) -> Report:
    """Per-account movements, totals by category, registers and exceptions for one month.

    ``opening`` is every account's balance before ``first``; ``entries`` are the month's;
    ``state`` is the book after the month. See `core.balances.account_movements` for what the columns hold."""
    moved = account_movements(entries, policy.accounts, opening, cash=policy.cash_accounts()[0])
    figures, between, daily_cash = moved.figures, moved.between, moved.daily_cash
    accounts = [{"account": key, "name": acct.name, "type": acct.type, **figures[key]} for key, acct in policy.accounts.items()]
    totals = {name: sum((a[name] for a in accounts), ZERO) for name in ("opening", "receipts", "payments", "closing")}
    totals["between_accounts"] = between
    categories = category_totals(entries, policy, first, last)
    adv = advances_report(state, policy, last).data
    dep = deposits_report(state, policy, last).data
    chq = cheques_report(entries, state, None, first, last).data
    month_problems = [p for p in problems if p.entry_id]
    exceptions = [p.as_json() for p in month_problems]
    control_failures = [p for p in month_problems if p.severity == "block"] + [g for g in gaps if g.severity == "block"]
    control_failures += [Problem(r.get("code", "not-reconciled"), f"{r['account']}: {r['status']}")
                         for r in reconciliation if r.get("balanced") is False]
    data = {
        "month": month, "from": first, "to": last, "unsealed_days": unsealed, "accounts": accounts, "totals": totals,
        "categories": categories, "advances": {"open": len(adv["advances"]), "outstanding": adv["outstanding"],
                                               "overdue": [a for a in adv["advances"] if a["status"] == "receivable"],
                                               "receivable": adv["receivable"]},
        "deposits": {"by_type": dep["by_type"], "total": dep["total"]},
        "cheques": {k: v for k, v in chq.items()},
        "receipt_gaps": [{"first_missing": g.data.get("first_missing"), "last_missing": g.data.get("last_missing")} for g in gaps],
        "exceptions": exceptions, "reconciliation": reconciliation,
        "daily_cash": [{"date": d, "balance": b} for d, b in sorted(daily_cash.items())],
        "control_failures": [p.as_json() for p in control_failures], "ok": not control_failures and not unsealed,
    }
    acols = [Column("account", "Account", "账户"), Column("name", "Name", "名称"), Column("opening", "Opening", "期初", "money"),
             Column("receipts", "Receipts", "本期收入", "money"), Column("payments", "Payments", "本期支出", "money"),
             Column("closing", "Closing", "期末", "money")]
    ccols = [Column("category", "Category", "科目"), Column("name", "Name", "名称"), Column("type", "Type", "类型", zh_values=TYPES_ZH),
             Column("amount", "Amount", "金额", "money")]
    footer = {"name": Bi("total 合计", "合计"), **{k: totals[k] for k in ("opening", "receipts", "payments", "closing")}}
    tables = [Table(acols, accounts, f"Month {month}: accounts", f"{month} 月结: 账户", totals=footer, name="accounts"),
              Table(ccols, categories, "Totals by category", "按科目汇总", name="categories")]
    held = sum(t['count'] for t in dep['by_type'])
    notes = [Bi(f"between the book's own accounts (in both receipts and payments above): {fmt_grouped(between)}",
                f"本账簿各账户之间的划转（已含在上面的收入和支出中）：{fmt_grouped(between)}"),
             Bi(f"advances open {len(adv['advances'])}, outstanding {fmt_grouped(adv['outstanding'])}, "
                f"overdue (receivable) {fmt_grouped(adv['receivable'])}",
                f"未结借款 {len(adv['advances'])} 笔，余额 {fmt_grouped(adv['outstanding'])}，逾期（应收）{fmt_grouped(adv['receivable'])}"),
             Bi(f"deposits held {fmt_grouped(dep['total'])} in {held} deposit(s)", f"在押押金 {fmt_grouped(dep['total'])}，共 {held} 笔"),
             Bi(f"cheques issued {chq['issued']}: outstanding {fmt_grouped(chq['outstanding_total'])}, voided {fmt_grouped(chq['voided_total'])}",
                f"签发支票 {chq['issued']} 张：未兑付 {fmt_grouped(chq['outstanding_total'])}，作废 {fmt_grouped(chq['voided_total'])}")]
    notes += [ProblemNote(Problem(g.code, g.message, severity=g.severity, data=g.data)) for g in gaps]
    notes += [Bi(f"bank {r['account']}: {r['status']}", f"银行 {r['account']}：{_status_zh(r['status'])}")
              for r in reconciliation]
    notes += [ProblemNote(p) for p in month_problems]
    if unsealed:
        days = ", ".join(str(d) for d in unsealed)
        notes.append(Bi("unsealed days: " + days, "未封账的日期：" + days))
    report = Report(data, tables, notes, exit_code=1 if control_failures or unsealed else 0)
    report.chart = cash_chart(daily_cash, policy.rules.cash_over_limit.limit)
    return report


def cash_chart(daily: dict[dt.date, Decimal], limit: Decimal, width: int = 40) -> list[str]:
    """One bar per day: the closing cash balance, with the limit marked by '|'."""
    if not daily:
        return []
    top = max(max(daily.values()), limit) or Decimal(1)
    mark = int(limit / top * width)
    lines = [Bi(f"cash on hand by day (| = limit {fmt_grouped(limit)})", f"库存现金日余额（| = 限额 {fmt_grouped(limit)}）")]
    for d, b in sorted(daily.items()):
        n = max(int(b / top * width), 0)
        bar = "".join("█" if i < n else ("|" if i == mark else " ") for i in range(width + 1))
        line = f"{d:%m-%d} {bar} {fmt_grouped(b):>12}"
        lines.append(Bi(line + " over", line + " 超限") if b > limit else line)
    return lines
