"""The fast reader of the canonical layout agrees with tomllib and key_lines, always.

`read_canonical` may decline any text (None: the general path reads it), but whatever it
accepts it must read exactly as ``tomllib.loads`` and ``key_lines`` do, and `parse_day`
must report the same entries, lines and problems with or without it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cashbook.core.entries import KINDS
from cashbook.store import journal
from cashbook.store.canonical import read_canonical
from cashbook.store.journal import HEADER, parse_day, table_text
from cashbook.store.tomlmap import key_lines
from conftest import ROOT

DAY = dt.date(2026, 3, 2)
PATH = Path("journals/2026/2026-03-02.toml")

# text that stresses the reader: quotes, backslashes, brackets, comment marks, `key = value`
# look-alikes, control characters, wide characters and surrounding whitespace
tricky = st.lists(st.sampled_from(list('ab 中文"\\[]#=,\t\n\r\x01\x7fé€𝄞') + ["[[entry]]", " = ", "\n]", "\n    "]), max_size=12).map("".join)
plain = st.text(alphabet=st.sampled_from(list("abcXYZ019 -_:.中文")), min_size=1, max_size=12)
value = st.recursive(
    st.one_of(tricky, plain, st.integers(-10**20, 10**20), st.booleans(), st.dates(), st.decimals(places=2, allow_nan=False, allow_infinity=False).map(str)),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)
record = st.dictionaries(st.from_regex(r"[A-Za-z0-9_\-]{1,12}", fullmatch=True), value, max_size=8)


def canonical_text(records: list[dict]) -> str:
    return HEADER.format(date=DAY) + "".join("\n" + table_text("entry", r) for r in records)


def same_as_tomllib(text: str) -> None:
    fast = read_canonical(text)
    try:
        slow = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        assert fast is None, "the fast reader accepted text tomllib refuses"
        return
    if fast is not None:
        doc, lines = fast
        assert doc == slow
        assert lines.full() == key_lines(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record, max_size=4))
def test_what_cashbook_writes_reads_the_same(records):
    same_as_tomllib(canonical_text(records))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record, min_size=1, max_size=3), st.data())
def test_a_hand_edit_is_read_the_same_or_left_to_tomllib(records, data):
    text = canonical_text(records)
    rows = text.split("\n")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(rows) - 1))
        edit = data.draw(st.sampled_from(["delete", "duplicate", "insert", "splice"]))
        if edit == "delete":
            del rows[at]
        elif edit == "duplicate":
            rows.insert(at, rows[at])
        elif edit == "insert":
            rows.insert(at, data.draw(st.sampled_from(["", "# note", "[[entry]]", "[entry]", "x = 1", "x=1", "  y = \"a\"", "]", "    \"z\",", "[", "z = [", "a.b = 1", "q = 'lit'", "d = 2026-02-30", "f = 1.5", "t = 2026-03-02T08:00:00"])))
        else:
            row = rows[at]
            cut = data.draw(st.integers(0, len(row)))
            rows[at] = row[:cut] + data.draw(tricky) + row[cut:]
        if not rows:
            rows = [""]
    same_as_tomllib("\n".join(rows))


def test_the_layout_cashbook_writes_takes_the_fast_path():
    """Every day file of the shipped demo book is read by the fast reader (none declined)."""
    files = sorted((ROOT / "journals").glob("20*/20*.toml"))
    assert files
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert read_canonical(text) is not None, f
        same_as_tomllib(text)


def _parse_both(text: str, monkeypatch) -> tuple:
    data = text.encode("utf-8", "surrogatepass")
    fast = parse_day(PATH, data)
    with monkeypatch.context() as m:
        m.setattr(journal, "read_canonical", lambda _text: None)
        slow = parse_day(PATH, data)
    return fast, slow


entries = st.sampled_from([
    {"id": "20260302-001", "kind": "receipt", "time": "2026-03-02T09:00:00+08:00", "amount": "120.00", "party": "张三", "category": "rent", "doc": "SJ0001"},
    {"id": "20260302-002", "kind": "payment", "time": "2026-03-02T09:05:00+08:00", "amount": "88.50", "party": "李四", "category": "office", "approvals": ["gm:王总"]},
    {"id": "20260302-003", "kind": "advance", "time": "2026-03-02T10:00:00+08:00", "amount": "500.00", "person": "王五", "purpose": "出差", "due": "2026-03-20"},
    {"id": "20260302-004", "kind": "void", "time": "2026-03-02T11:00:00+08:00", "target": "20260302-001", "reason": "错", "reverses": [["cash", "-120.00"], ["category:rent", "120.00"]]},
    {"id": "20260302-005", "kind": "deposit-hold", "time": "2026-03-02T11:30:00+08:00", "amount": "1000.00", "party": "某商户", "type": "card", "units": 2},
    {"id": "20260301-006", "kind": "receipt", "time": "2026-03-01T09:00:00+08:00", "amount": "1.00", "party": "x", "category": "rent"},
    {"id": "20260302-007", "kind": "receipt", "time": "2026-03-02T09:00:00+08:00", "amount": "0.00", "party": "y", "category": "rent"},
    {"id": "20260302-008", "kind": "nonsense", "time": "2026-03-02T09:00:00+08:00"},
])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(entries, max_size=5), st.lists(st.tuples(st.integers(0, 10**6), tricky), max_size=2))
def test_parse_day_reports_the_same_with_or_without_the_fast_reader(monkeypatch, records, edits):
    text = canonical_text(records)
    for at, piece in edits:
        at %= len(text) + 1
        text = text[:at] + piece + text[at:]
    fast, slow = _parse_both(text, monkeypatch)
    assert fast.entries == slow.entries
    assert [e.model_dump(mode="json") for e in fast.entries] == [e.model_dump(mode="json") for e in slow.entries]
    assert fast.lines == slow.lines
    assert fast.problems == slow.problems


def test_amounts_as_written_parse_to_the_same_decimal_as_the_full_parser():
    from cashbook.core.money import parse_amount

    model = KINDS["receipt"]
    base = {"id": "20260302-001", "kind": "receipt", "time": "2026-03-02T09:00:00+08:00", "party": "p", "category": "rent"}
    for text in ["0.01", "1.00", "0012.30", "999999999999.99", "120.50"]:
        got = model.model_validate({**base, "amount": text}).amount
        want = parse_amount(text)
        assert got == want and str(got) == str(want) and isinstance(got, Decimal)
