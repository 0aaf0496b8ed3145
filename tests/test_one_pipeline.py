"""One pipeline (issue 14, deliverable 4): the book's state is folded in one place, recording
is decided in core, core holds no persistence, what a kind knows is said once, and a sealed
day is verified one way."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "cashbook"
DEMO = ROOT / "scripts" / "make_demo.py"
GM = ("--approve", "gm:王总")


def calls(path: Path, name: str) -> list[int]:
    """Lines of ``path`` calling a function or method named ``name``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            fn = node.func
            if (fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")) == name:
                out.append(node.lineno)
    return out


def test_the_state_is_folded_in_one_place():
    """`BookState.apply` is called by `core.state.fold` alone: the loader, the period, the
    snapshots, the writer, the policy re-judging and the demo generator all replay through it."""
    found = {f"{p.relative_to(ROOT)}:{line}" for p in [*PKG.rglob("*.py"), DEMO] for line in calls(p, "apply")
             if p != PKG / "core" / "state.py"}
    assert not found, f"entries applied outside core.state.fold: {sorted(found)}"
    state = (PKG / "core" / "state.py").read_text()
    fold = next(n for n in ast.parse(state).body if isinstance(n, ast.FunctionDef) and n.name == "fold")
    applying = [n for n in ast.parse(state).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                and any(isinstance(c, ast.Call) and getattr(c.func, "attr", "") == "apply" for c in ast.walk(n))]
    assert [n.name for n in applying] == [fold.name]


def test_core_state_and_entries_hold_no_persistence():
    """How a state is snapshotted and resumed (compact tuples, lazy fields) is the store's."""
    for name in ("state.py", "entries.py"):
        tree = ast.parse((PKG / "core" / name).read_text())
        defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        assert not defined & {"__reduce__", "__getattr__", "from_parts", "snapshot_fields", "compact", "_Compact"}, name
        bases = {getattr(b, "id", getattr(b, "attr", "")) for n in ast.walk(tree) if isinstance(n, ast.ClassDef) for b in n.bases}
        assert "MutableMapping" not in bases, name


def test_the_kinds_with_receipt_numbers_are_said_once():
    """The kinds that use a receipt number are a property of each kind, read everywhere else
    from `RECEIPT_KINDS` (they were written out in four places)."""
    from cashbook.core.entries import KINDS, RECEIPT_KINDS
    from cashbook.core.rules import receipt_numbers, rules_for

    assert RECEIPT_KINDS == {"receipt", "collection", "deposit-hold", "receipt-spoiled"}
    assert all(KINDS[k].carries_receipt for k in RECEIPT_KINDS)
    assert all(receipt_numbers in rules_for(k) for k in RECEIPT_KINDS)
    for path in [*(PKG / "core").rglob("*.py"), *(PKG / "store").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                words = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                assert not ({"receipt", "deposit-hold"} <= words or {"collection", "receipt-spoiled"} <= words), \
                    f"{path.relative_to(ROOT)}:{node.lineno} lists the receipt kinds again"


def test_recording_is_decided_in_core(book):
    """`decide(draft, policy, state, today)`: the entry, or the problems that refuse it; the
    writer and the demo generator both record through it."""
    from cashbook.core.decide import decide
    from cashbook.store.book import Book

    b = Book(book, use_cache=False)
    state = b.load().state
    when = dt.datetime(2026, 11, 2, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    fine = {"kind": "receipt", "id": "20261102-001", "time": when, "amount": "100.00", "party": "ACME", "category": "rent"}
    entry, problems = decide(fine, b.policy, state, when.date())
    assert entry is not None and entry.amount == Decimal("100.00") and problems == []
    too_much = {"kind": "payment", "id": "20261102-001", "time": when, "amount": "1400.00", "party": "邮局", "category": "postage"}
    entry, problems = decide(too_much, b.policy, state, when.date())
    assert entry is None and any(p.severity == "block" for p in problems)
    # a cash -> bank transfer is decided as the bank deposit it is, keeping its id
    move = {"kind": "transfer", "id": "20261102-002", "time": when, "amount": "100.00", "from_account": "cash", "to_account": "bank"}
    entry, _ = decide(move, b.policy, state, when.date())
    assert (entry.kind, entry.id) == ("bank-deposit", "20261102-002")
    for path in (PKG / "store" / "writer.py", DEMO):
        assert calls(path, "decide"), path
    assert not calls(DEMO, "check_references") and not calls(DEMO, "model_validate")


def test_a_refusal_reports_a_broken_seal_as_check_does(cli, book):
    """Recording refuses an edited sealed day with the problems `check` lists for it: one
    verification of a sealed file (`core.close.sealed_file_problems`)."""
    assert cli("count", "2026-11-01", "100x15", book=book).code == 0
    assert cli("close", "day", "2026-11-01", book=book).code == 0
    d = ("--date", "2026-11-02")
    assert cli("receive", "1200", "--from", "ACME", "--category", "rent", *d, book=book).code == 0
    assert cli("bank-deposit", "1200", "--account", "bank", *d, book=book).code == 0
    assert cli("count", "2026-11-02", "100x15", book=book).code == 0
    assert cli("close", "day", "2026-11-02", book=book).code == 0
    path = book / "journals/2026/2026-11-02.toml"
    path.write_text(path.read_text().replace('party = "ACME"', 'party = "ACME Ltd"'))
    refused = cli("receive", "5", "--from", "B", "--category", "rent", "--date", "2026-11-03", "--format", "json", book=book)
    assert refused.code == 2, refused.out
    check = cli("check", "--format", "json", book=book)
    assert check.code == 1
    listed = {(p["code"], p["message"]) for p in check.json["problems"] if p["code"] == "seal-broken"}
    said = {(p["code"], p["message"]) for p in refused.json["problems"] if p["code"] == "seal-broken"}
    assert said and said <= listed, (said, listed)


def test_the_unreadable_codes_are_one_public_set():
    from cashbook.store import cache, journal
    from cashbook.store.book import UNREADABLE

    assert UNREADABLE is journal.UNREADABLE is cache.UNREADABLE
    assert {"toml-syntax", "duplicate-id", "wrong-day"} <= UNREADABLE
