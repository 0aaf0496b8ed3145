"""The receipt-number gaps (收据缺号) come from runs of consecutive numbers the state keeps as
it folds (`BookState.receipt_runs`), so a check need not read every number of the book: the
runs give the same gaps as sorting every number used, whatever order the numbers come in."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from cashbook.core.state import BookState

NUMBERED = re.compile(r"^(.*?)(\d+)$")


def gaps_of_every_number(numbers: list[str]) -> list[tuple[str, str, str]]:
    """The gaps as the first build found them: every number sorted, then scanned."""
    series: dict[tuple[str, int], list[int]] = {}
    for n in numbers:
        m = NUMBERED.match(n)
        if m:
            series.setdefault((m[1], len(m[2])), []).append(int(m[2]))
    gaps = []
    for (prefix, width), values in sorted(series.items()):
        values = sorted(set(values))
        for a, b in zip(values, values[1:]):
            if b - a > 1:
                gaps.append((prefix, f"{prefix}{a + 1:0{width}d}", f"{prefix}{b - 1:0{width}d}"))
    return gaps


number = st.builds(lambda prefix, n, width: f"{prefix}{n:0{width}d}",
                   st.sampled_from(["SJ", "", "A-", "SJ1", "收"]), st.integers(0, 60), st.sampled_from([2, 4]))
docs = st.lists(st.one_of(number, st.sampled_from(["SJ", "no number", "SJ٣", "0"])), max_size=80)


@settings(max_examples=400, deadline=None)
@given(docs)
def test_the_runs_give_the_gaps_of_every_number_in_any_order(numbers):
    state = BookState()
    for doc in numbers:
        state._runs(doc)
    assert state.receipt_gaps() == gaps_of_every_number(numbers)
    for runs in state.receipt_runs.values():  # runs stay sorted, apart and non-empty
        assert all(lo <= hi for lo, hi in runs)
        assert all(a[1] + 1 < b[0] for a, b in zip(runs, runs[1:]))


def test_a_check_reports_a_gap_closed_out_of_order(cli, book):
    """A gap is named at the receipt after it; a number filled in later closes it."""
    for doc in ("SJ0001", "SJ0002", "SJ0005", "SJ0003"):
        r = cli("receive", "10", "--from", "A", "--category", "rent", "--doc", doc, "--date", "2026-11-02", book=book)
        assert r.code == 0, r.out + r.err
    c = cli("check", "--format", "json", book=book)
    gaps = [p for p in c.json["problems"] if p["code"] == "receipt-number-gap"]
    assert [g["message"].split(";")[0] for g in gaps] == ["receipt numbers SJ0004..SJ0004 are missing before SJ0005"], c.out
    assert gaps[0]["entry"] == "20261102-003", c.out  # the receipt after the gap
