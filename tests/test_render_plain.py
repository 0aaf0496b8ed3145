"""A table printed to a pipe or a file lays out cells that fit without rich's text machinery
(issue 14, 5: the journal of a month is thousands of lines): the characters are rich's own."""

from __future__ import annotations

import io
import random
from decimal import Decimal

import pytest
from rich.console import Console

from cashbook.render import _console_class, print_table
from cashbook.reports.model import Column, Table

WORDS = ["rent", "收款", "张三家具", "electricity;", "b/f 上期结转", "", " lead", "trail ", "a  b", "x" * 30, "押金退还(装修)",
         "SJ0157", "20261101-001", "ｗｉｄｅ", "é", "tab\\x09", "long-word-without-spaces-that-must-fold-somewhere"]


def rendered(console_class, table: Table, width: int, lang: str = "en") -> str:
    out = console_class(file=io.StringIO(), width=width, markup=False, highlight=False, emoji=False, soft_wrap=False)
    print_table(table, lang, out)
    return out.file.getvalue()


def random_table(rng: random.Random) -> Table:
    columns = [Column("date", "Date", "日期", "date"), Column("id", "Entry", "凭证号"), Column("summary", "Summary", "摘要"),
               Column("memo", "Memo", "备注"), Column("amount", "Amount", "金额", "money")]
    rows = []
    for _ in range(rng.randint(0, 12)):
        rows.append({"date": "2026-11-0" + str(rng.randint(1, 9)), "id": rng.choice(WORDS[10:13]),
                     "summary": " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 6))),
                     "memo": rng.choice(WORDS), "amount": Decimal(rng.randint(-10**8, 10**8)) / 100 if rng.random() < .8 else None})
    totals = {"summary": "totals 本期合计", "amount": Decimal("12345.67")} if rng.random() < .5 else None
    return Table(columns, rows, rng.choice(["", "Cash journal cash (库存现金)", "t" * 150]), "现金日记账", totals)


@pytest.mark.parametrize("seed", range(40))
def test_a_table_reads_the_same_as_rich_prints_it(seed):
    rng = random.Random(seed)
    table = random_table(rng)
    for width in (40, 60, 80, 120, 200):
        for lang in ("en", "zh"):
            assert rendered(_console_class(), table, width, lang) == rendered(Console, table, width, lang), (width, lang)


def test_the_plain_layout_is_used_for_a_pipe(monkeypatch):
    """The fast path is taken (rich's text wrapping is not called for a cell that fits)."""
    from rich import text

    calls = []
    real = text.Text.wrap
    monkeypatch.setattr(text.Text, "wrap", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    table = Table([Column("id", "Entry", "凭证号"), Column("amount", "Amount", "金额", "money")],
                  [{"id": f"20261101-{i:03d}", "amount": Decimal(i)} for i in range(200)])
    rendered(_console_class(), table, 120)
    assert len(calls) < 20, len(calls)  # headings and title at most, not 400 cells
