"""The direct table layout (`render._plain_lines`) prints exactly what rich prints for the same
table, character for character, or hands the table to rich: a faster page, never a
different one."""

from __future__ import annotations

import io
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cashbook import render
from cashbook.reports.model import Column, Table


def printed(table: Table, width: int, plain: bool, lang: str = "en") -> str:
    buf = io.StringIO()
    out = render._console_class()(file=buf, width=width, markup=False, highlight=False, emoji=False, soft_wrap=False)
    keep = render._plain_lines
    if not plain:
        render._plain_lines = lambda *a, **k: None
    try:
        render.print_table(table, lang, out)
    finally:
        render._plain_lines = keep
    return buf.getvalue()


words = st.lists(st.sampled_from(list("abc XYZ-;:()[]/.,中文现金日记账收据号 ") + ["😀", "ｱ", "\u00e9", "e\u0301", "  "]),
                 max_size=16).map("".join)
kinds = st.sampled_from(["text", "money", "int", "date"])


@st.composite
def tables(draw):
    n = draw(st.integers(1, 7))
    keys = draw(st.lists(st.sampled_from(["id", "date", "memo", "summary", "doc", "amount", "balance", "account", "status", "x", "y"]),
                         min_size=n, max_size=n, unique=True))
    cols = [Column(k, draw(words), draw(words), draw(kinds)) for k in keys]

    def value(col):
        if col.kind == "money":
            return draw(st.none() | st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2))
        if col.kind == "int":
            return draw(st.none() | st.integers(-10**6, 10**6))
        return draw(st.none() | words)

    rows = [{c.key: value(c) for c in cols} for _ in range(draw(st.integers(0, 6)))]
    totals = {c.key: value(c) for c in cols} if draw(st.booleans()) else None
    return Table(cols, rows, draw(words), draw(words), totals=totals)


@settings(max_examples=300, deadline=None)
@given(tables(), st.integers(20, 220), st.sampled_from(["en", "zh"]))
def test_the_plain_layout_prints_what_rich_prints(table, width, lang):
    assert printed(table, width, True, lang) == printed(table, width, False, lang)


def test_a_long_journal_takes_the_plain_layout():
    # the case it is for: thousands of one-line rows that fit the page
    cols = [Column("date", "Date", "日期", "date"), Column("id", "Entry", "凭证号"), Column("summary", "Summary", "摘要"),
            Column("amount", "Receipts", "收入", "money")]
    rows = [{"date": "2026-11-02", "id": f"20261102-{i:03d}", "summary": f"receipt from 客户{i}; rent", "amount": Decimal(i) / 4}
            for i in range(2000)]
    table = Table(cols, rows, "Cash journal", "现金日记账", totals={"id": "total / 合计", "amount": sum(r["amount"] for r in rows)})
    buf = io.StringIO()
    out = render._console_class()(file=buf, width=200, markup=False, highlight=False, emoji=False, soft_wrap=False)
    from cashbook.render.fit import fit

    columns, _, whole, compact = fit(table, 200, "en", render._cell)
    lines = render._plain_lines(out, table.title("en"), columns, [c.heading("en") for c in columns],
                                [[render._cell(r.get(c.key), c.kind, True) for c in columns] for r in rows],
                                [render._cell(table.totals.get(c.key), c.kind, True) for c in columns], whole, compact, 16)
    assert lines is not None and len(lines) == 2000 + 7  # title, top, heading, rule, rows, rule, totals, bottom
    assert printed(table, 200, True) == printed(table, 200, False)
