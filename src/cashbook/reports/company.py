"""Consolidated reports for head office: each branch book's own report, side by side.

Every function here takes the reports the branch books produce themselves (the very
`Report` objects `cashbook report …` prints for one book) and lays their figures out with a
column per branch and a total; no figure is computed again, so the totals are exactly
the sums of the branch books' own reports.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..core.money import ZERO
from .model import Bi, Column, ProblemMessage, ProblemNote, Report, Table

TOTAL = "total"


def _col(branch: str) -> str:
    return f"branch:{branch}"


def _branch_columns(branches: list[str], kind: str = "money") -> list[Column]:
    return [Column(_col(b), b, b, kind) for b in branches] + [Column(TOTAL, "Total", "合计", kind)]


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def pivot(branches: list[str], rows_by_branch: dict[str, list[dict]], key, value: str, labels: tuple[str, ...] = ()) -> list[dict]:
    """Rows keyed by ``key(row, branch)`` with each branch's ``value`` and their total, in
    first-seen order: ``{key…, labels…, "branches": {branch: value}, "total": sum}``."""
    out: dict = {}
    for b in branches:
        for row in rows_by_branch.get(b, []):
            k = key(row, b)
            item = out.setdefault(k, {"key": k, **{lab: row.get(lab) for lab in labels}, "branches": {}, TOTAL: None})
            item["branches"][b] = _add(item["branches"].get(b), row.get(value))
            item[TOTAL] = _add(item[TOTAL], row.get(value))
    return list(out.values())


def _flat(rows: list[dict], key_name: str) -> list[dict]:
    """Table rows: the branch figures as columns."""
    return [{key_name: r["key"], **{k: v for k, v in r.items() if k not in ("key", "branches")},
             **{_col(b): v for b, v in r["branches"].items()}} for r in rows]


def _json_rows(rows: list[dict], key_name: str) -> list[dict]:
    return [{key_name: r["key"], **{k: v for k, v in r.items() if k != "key"}} for r in rows]


def _finish(data: dict, tables: list[Table], branches: list[str], reports: dict[str, Report], left_out: list[dict],
            stale: list[dict]) -> Report:
    from ..core.zh_text import age_zh, reason_zh

    notes = [Bi(f"left out: {x['branch']}: {x['reason']}" + (f" (last good pull {x['last_good_pull']})" if x.get("last_good_pull") else ""),
                f"未纳入：{x['branch']}：{reason_zh(x['reason'])}" + (f"（上次成功拉取 {x['last_good_pull']}）" if x.get("last_good_pull") else ""))
             for x in left_out]
    notes += [Bi(f"{x['branch']}: figures as of the last good pull {x['last_good_pull']} ({x['age']} old): {x['reason']}",
                 f"{x['branch']}：数字截至上次成功拉取 {x['last_good_pull']}（{age_zh(x['age'])}前）：{reason_zh(x['reason'])}")
              for x in stale]
    data.update(branches=branches, left_out=left_out, stale=stale,
                branch_exit_codes={b: reports[b].exit_code for b in branches})
    code = 1 if left_out or any(r.exit_code for r in reports.values()) else 0
    return Report(data, tables, notes, exit_code=code)


def _account_key(branch: str, account: str, prefixes: dict[str, str]) -> str:
    return f"{prefixes.get(branch, '')}{account}"


def company_balances(as_of: dt.date, reports: dict[str, Report], prefixes: dict[str, str], left_out: list[dict],
                     stale: list[dict]) -> Report:
    branches = list(reports)
    rows = pivot(branches, {b: r.data["accounts"] for b, r in reports.items()},
                 lambda row, b: _account_key(b, row["account"], prefixes), "balance", ("name", "type"))
    totals = {b: reports[b].data["total"] for b in branches}
    grand = sum(totals.values(), ZERO)
    cols = [Column("account", "Account", "账户"), Column("name", "Name", "名称"), Column("type", "Type", "类型")] + _branch_columns(branches)
    table = Table(cols, _flat(rows, "account"), f"Company balances at {as_of}", f"{as_of} 公司账户余额",
                  totals={"account": TOTAL_LABEL, **{_col(b): v for b, v in totals.items()}, TOTAL: grand})
    data = {"date": as_of, "accounts": _json_rows(rows, "account"), "totals": totals, "total": grand}
    return _finish(data, [table], branches, reports, left_out, stale)


def _bi(label: str) -> Bi:
    """A row label written "english 中文": the whole as it was in English, its Chinese part under zh."""
    return Bi(label, label.rsplit(" ", 1)[-1])


YES_NO = {True: Bi("yes", "是"), False: Bi("no", "否")}
TOTAL_LABEL = _bi("total / 合计")
CHEQUE_ITEMS = {"issued": "已开张数", "outstanding_total": "未兑付合计", "cleared_total": "已兑付合计", "voided_total": "已作废合计"}

MONTH_MEASURES = (("opening", _bi("opening 期初")), ("receipts", _bi("receipts 本期收入")), ("payments", _bi("payments 本期支出")),
                  ("closing", _bi("closing 期末")))


def company_month(month: str, reports: dict[str, Report], prefixes: dict[str, str], left_out: list[dict],
                  stale: list[dict]) -> Report:
    branches = list(reports)
    per_measure = []
    for measure, label in MONTH_MEASURES:
        rows = pivot(branches, {b: r.data["accounts"] for b, r in reports.items()},
                     lambda row, b: _account_key(b, row["account"], prefixes), measure, ("name",))
        for r in rows:
            r["measure"] = measure
            r["label"] = label
        per_measure += rows
    order = {k: i for i, k in enumerate(dict.fromkeys(r["key"] for r in per_measure))}
    measures = [m for m, _ in MONTH_MEASURES]
    per_measure.sort(key=lambda r: (order[r["key"]], measures.index(r["measure"])))
    categories = pivot(branches, {b: r.data["categories"] for b, r in reports.items()}, lambda row, b: row["category"], "amount",
                       ("name", "type"))
    summary_src = {b: [{"item": _bi("advances outstanding 借款未结"), "v": r.data["advances"]["outstanding"]},
                       {"item": _bi("advances overdue (receivable) 逾期转应收"), "v": r.data["advances"]["receivable"]},
                       {"item": _bi("deposits held 在押押金"), "v": r.data["deposits"]["total"]},
                       {"item": _bi("cheques outstanding 未兑支票"), "v": r.data["cheques"]["outstanding_total"]}]
                   for b, r in reports.items()}
    summary = pivot(branches, summary_src, lambda row, b: row["item"], "v")
    acols = [Column("account", "Account", "账户"), Column("label", "Figure", "项目")] + _branch_columns(branches)
    ccols = [Column("category", "Category", "科目"), Column("name", "Name", "名称"), Column("type", "Type", "类型")] + _branch_columns(branches)
    scols = [Column("item", "Register", "登记簿")] + _branch_columns(branches)
    status = [{"branch": b, "ok": r.data["ok"], "unsealed_days": r.data["unsealed_days"],
               "control_failures": len(r.data["control_failures"])} for b, r in reports.items()]
    tables = [Table(acols, _flat(per_measure, "account"), f"Company month {month}: accounts", f"{month} 公司月结: 账户"),
              Table(ccols, _flat(categories, "category"), "Totals by category", "按科目汇总"),
              Table(scols, _flat(summary, "item"), "Registers at the month end", "月末登记簿"),
              Table([Column("branch", "Branch", "分店"), Column("ok", "Closed clean", "月结无误"),
                     Column("unsealed_days", "Unsealed days", "未封账日"), Column("control_failures", "Control failures", "控制失误", "int")],
                    [{**s, "ok": YES_NO[bool(s["ok"])], "unsealed_days": ", ".join(map(str, s["unsealed_days"]))} for s in status],
                    "Branch status", "分店状态")]
    data = {"month": month, "accounts": _json_rows(per_measure, "account"), "categories": _json_rows(categories, "category"),
            "registers": _json_rows(summary, "item"), "status": status}
    return _finish(data, tables, branches, reports, left_out, stale)


DAY_ITEMS = tuple((k, _bi(label)) for k, label in (
    ("opening", "opening 期初"), ("receipts", "receipts 收入"), ("payments", "payments 支出"),
    ("book_balance", "book balance 账面余额"), ("counted", "counted 实点"), ("difference", "difference 差额"),
    ("over_limit", "over the limit 超限额"), ("undeposited", "takings not banked 未送存")))


def company_day(date: dt.date, reports: dict[str, Report], left_out: list[dict], stale: list[dict]) -> Report:
    branches = list(reports)
    src = {b: [{"item": item, "label": label, "v": r.data[item]} for item, label in DAY_ITEMS] for b, r in reports.items()}
    rows = pivot(branches, src, lambda row, b: row["item"], "v", ("label",))
    sealed = {b: r.data["sealed"] for b, r in reports.items()}
    cols = [Column("label", "Daily close", "日结")] + _branch_columns(branches)
    flat = _flat(rows, "item") + [{"label": _bi("sealed 已封账"), **{_col(b): YES_NO[bool(s)] for b, s in sealed.items()},
                                    TOTAL: f"{sum(sealed.values())}/{len(sealed)}"}]
    table = Table(cols, flat, f"Company daily cash close {date}", f"{date} 公司现金日结")
    data = {"date": date, "items": _json_rows(rows, "item"), "sealed": sealed,
            "problems": {b: r.data["problems"] for b, r in reports.items()}}
    return _finish(data, [table], branches, reports, left_out, stale)


def _detail(reports: dict[str, Report], key: str) -> list[dict]:
    return [{"branch": b, **row} for b, r in reports.items() for row in r.data[key]]


def company_advances(as_of: dt.date, reports: dict[str, Report], left_out: list[dict], stale: list[dict]) -> Report:
    branches = list(reports)
    src = {b: [{"item": _bi("outstanding 未结"), "v": r.data["outstanding"]}, {"item": _bi("overdue (receivable) 逾期转应收"), "v": r.data["receivable"]}]
           for b, r in reports.items()}
    rows = pivot(branches, src, lambda row, b: row["item"], "v")
    detail = _detail(reports, "advances")
    base = reports[branches[0]].tables[0].columns if branches else []
    tables = [Table([Column("item", "Staff advances", "职工借款")] + _branch_columns(branches), _flat(rows, "item"),
                    f"Company staff advances at {as_of}", f"{as_of} 公司职工借款"),
              Table([Column("branch", "Branch", "分店")] + list(base), detail, "Advances by branch", "分店借款明细")]
    data = {"date": as_of, "summary": _json_rows(rows, "item"), "advances": detail,
            "outstanding": sum((r.data["outstanding"] for r in reports.values()), ZERO),
            "receivable": sum((r.data["receivable"] for r in reports.values()), ZERO)}
    return _finish(data, tables, branches, reports, left_out, stale)


def company_deposits(as_of: dt.date, reports: dict[str, Report], left_out: list[dict], stale: list[dict]) -> Report:
    branches = list(reports)
    rows = pivot(branches, {b: r.data["by_type"] for b, r in reports.items()}, lambda row, b: row["type"], "held", ("name",))
    totals = {b: r.data["total"] for b, r in reports.items()}
    detail = _detail(reports, "deposits")
    base = reports[branches[0]].tables[0].columns if branches else []
    tables = [Table([Column("type", "Type", "类型"), Column("name", "Name", "名称")] + _branch_columns(branches), _flat(rows, "type"),
                    f"Company deposits held at {as_of}", f"{as_of} 公司在押押金",
                    totals={"type": TOTAL_LABEL, **{_col(b): v for b, v in totals.items()}, TOTAL: sum(totals.values(), ZERO)}),
              Table([Column("branch", "Branch", "分店")] + list(base), detail, "Deposits by branch", "分店押金明细")]
    data = {"date": as_of, "by_type": _json_rows(rows, "type"), "deposits": detail, "totals": totals,
            "total": sum(totals.values(), ZERO)}
    return _finish(data, tables, branches, reports, left_out, stale)


def company_cheques(reports: dict[str, Report], left_out: list[dict], stale: list[dict]) -> Report:
    branches = list(reports)
    src = {b: [{"item": Bi(k, CHEQUE_ITEMS[k]), "v": r.data[k]} for k in ("issued", "outstanding_total", "cleared_total", "voided_total")]
           for b, r in reports.items()}
    rows = pivot(branches, src, lambda row, b: row["item"], "v")
    detail = _detail(reports, "cheques")
    base = reports[branches[0]].tables[0].columns if branches else []
    money_rows = [r for r in rows if r["key"] != "issued"]
    issued = [r for r in rows if r["key"] == "issued"]
    tables = [Table([Column("item", "Cheques", "支票")] + _branch_columns(branches, "money"), _flat(money_rows, "item"),
                    "Company cheque register", "公司支票登记簿"),
              Table([Column("item", "Cheques", "支票")] + _branch_columns(branches, "int"), _flat(issued, "item"), "Cheques issued", "已开支票张数"),
              Table([Column("branch", "Branch", "分店")] + list(base), detail, "Cheques by branch", "分店支票明细")]
    data = {"summary": _json_rows(rows, "item"), "cheques": detail,
            **{k: sum((r.data[k] for r in reports.values()), ZERO if k != "issued" else 0)
               for k in ("issued", "outstanding_total", "cleared_total", "voided_total")}}
    return _finish(data, tables, branches, reports, left_out, stale)


def age(since: dt.datetime, now: dt.datetime) -> str:
    """A pull's age as people say it: 3 h 05 min, 2 days 4 h."""
    seconds = max(int((now - since).total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    return f"{days} day(s) {hours} h" if days else f"{hours} h {minutes:02d} min"


# -- the consolidated report kept between runs (plain JSON: reading it cannot run code) --------

def _enc(v):
    if isinstance(v, str) and getattr(v, "problem", None) is not None:  # a problem note: its problem, worded when shown
        p = v.problem
        return {"$problem": [p.code, p.message, p.file, p.line, p.entry_id, p.severity, _enc(p.data)], "whole": v.whole}
    if isinstance(v, str) and getattr(v, "zh", None) is not None:  # text with its Chinese
        return {"$bi": [str(v), v.zh]}
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, Decimal):
        return {"$d": str(v)}
    if isinstance(v, dt.datetime):
        return {"$dt": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$date": v.isoformat()}
    if isinstance(v, (list, tuple)):
        return [_enc(x) for x in v]
    if isinstance(v, dict):
        return {"$map": [[_enc(k), _enc(x)] for k, x in v.items()]}
    raise TypeError(f"cannot keep a {type(v).__name__}")


def _dec(v):
    if isinstance(v, list):
        return [_dec(x) for x in v]
    if isinstance(v, dict):
        if "$d" in v:
            return Decimal(v["$d"])
        if "$bi" in v:
            return Bi(*v["$bi"])
        if "$problem" in v:
            from ..core.problems import Problem

            code, message, file, line, entry_id, severity, data = v["$problem"]
            p = Problem(code, message, file, line, entry_id, severity, _dec(data))
            return ProblemNote(p) if v.get("whole", True) else ProblemMessage(p)
        if "$dt" in v:
            return dt.datetime.fromisoformat(v["$dt"])
        if "$date" in v:
            return dt.date.fromisoformat(v["$date"])
        return {_dec(k): _dec(x) for k, x in v["$map"]}
    return v


def report_to_json(report: Report) -> dict:
    """A report as plain JSON values (Decimal and dates tagged), to keep between runs."""
    return {"data": _enc(report.data), "notes": _enc(list(report.notes)), "exit_code": report.exit_code, "chart": _enc(list(report.chart)),
            "tables": [{"columns": [[c.key, c.en, c.zh, c.kind, [list(v) for v in c.zh_values]] for c in t.columns],
                        "rows": _enc(t.rows), "title_en": t.title_en, "title_zh": t.title_zh, "totals": _enc(t.totals),
                        "name": t.name} for t in report.tables]}


def report_from_json(kept: dict) -> Report:
    tables = [Table([Column(*c[:4], zh_values=tuple(tuple(v) for v in (c[4] if len(c) > 4 else ()))) for c in t["columns"]],
                    _dec(t["rows"]), t["title_en"], t["title_zh"], _dec(t["totals"]), name=t.get("name", ""))
              for t in kept["tables"]]
    return Report(_dec(kept["data"]), tables, _dec(list(kept["notes"])), int(kept["exit_code"]), _dec(list(kept["chart"])))
