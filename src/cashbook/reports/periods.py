"""Quarterly and annual reports (会计报表应分月、季、年报): the month report's figures over a
quarter or a year, with a line per month and account beside the whole period."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .model import Bi, Column, Report, Table

_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^\d{4}$")


def quarter_bounds(text: str) -> tuple[dt.date, dt.date]:
    """``2026-Q4`` -> (2026-10-01, 2026-12-31)."""
    m = _QUARTER.match(text.strip())
    if not m or int(m[1]) < 1:
        raise ValueError(f"{text!r} is not a quarter; write YYYY-QN, e.g. 2026-Q4 (Q1 is January to March)")
    year, q = int(m[1]), int(m[2])
    last_month = q * 3
    return dt.date(year, last_month - 2, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


def year_bounds(text: str) -> tuple[dt.date, dt.date]:
    """``2026`` -> (2026-01-01, 2026-12-31)."""
    if not _YEAR.match(text.strip()) or int(text) < 1:
        raise ValueError(f"{text!r} is not a year; write YYYY, e.g. 2026")
    return dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)


def months_of(first: dt.date, last: dt.date) -> list[str]:
    """The months ``YYYY-MM`` from ``first`` to ``last``."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def period_report(kind: str, label: str, whole: Report, months: list[Report]) -> Report:
    """A quarter's or a year's report: ``whole`` is the month report computed over the whole
    period, ``months`` the month reports of each of its months (their account lines)."""
    zh = {"quarter": "季报", "year": "年报"}[kind]
    data = {kind: label, "period": kind, **{k: v for k, v in whole.data.items() if k != "month"}}
    rows = []
    for m in months:
        for a in m.data["accounts"]:
            rows.append({"month": m.data["month"], **a})
    data["months"] = [{"month": m.data["month"], "accounts": m.data["accounts"], "ok": m.data["ok"],
                       "unsealed_days": m.data["unsealed_days"], "control_failures": m.data["control_failures"]}
                      for m in months]
    data["ok"] = whole.data["ok"] and all(m.data["ok"] for m in months)
    tables = []
    for i, t in enumerate(whole.tables):
        title_en, title_zh = t.title_en, t.title_zh
        if i == 0:
            title_en, title_zh = f"{kind.capitalize()} {label}: accounts", f"{label} {zh}: 账户"
        tables.append(Table(t.columns, t.rows, title_en, title_zh, t.totals))
    mcols = [Column("month", "Month", "月份"), Column("account", "Account", "账户"), Column("opening", "Opening", "期初", "money"),
             Column("receipts", "Receipts", "本期收入", "money"), Column("payments", "Payments", "本期支出", "money"),
             Column("closing", "Closing", "期末", "money")]
    tables.append(Table(mcols, rows, "By month", "分月"))
    notes = list(whole.notes)
    notes += [Bi(f"{m.data['month']}: control failures {len(m.data['control_failures'])}",
                 f"{m.data['month']}：内控不符 {len(m.data['control_failures'])} 项") for m in months if m.data["control_failures"]]
    report = Report(data, tables, notes, exit_code=0 if data["ok"] else 1)
    report.chart = whole.chart
    return report
