"""The committed demo book (policies.toml + journals/ at the repository root).

It must be exactly what `scripts/make_demo.py` generates, pass `cashbook check` with no
errors and no warnings, and show the things the demo is there to show.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "make_demo.py"

pytestmark = pytest.mark.skipif(not (ROOT / "journals").is_dir(), reason="the demo book (journals/) is not in this checkout")


def _files(book: Path) -> dict[str, bytes]:
    out = {"policies.toml": (book / "policies.toml").read_bytes()}
    for path in sorted((book / "journals").rglob("*.toml")):
        rel = path.relative_to(book).as_posix()
        if rel.startswith("journals/bank/"):  # bank statements are imported separately, not generated
            continue
        out[rel] = path.read_bytes()
    return out


def _cashbook(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("cashbook")
    cmd = [exe] if exe else [sys.executable, "-m", "cashbook"]
    env = {k: v for k, v in os.environ.items() if k != "CASHBOOK_BOOK"}
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, timeout=60)


def test_regenerates_byte_identical(tmp_path):
    out = tmp_path / "book"
    run = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    generated, committed = _files(out), _files(ROOT)
    assert sorted(generated) == sorted(committed), "different set of day files: run `python scripts/make_demo.py --force`"
    changed = [name for name in generated if generated[name] != committed[name]]
    assert not changed, f"demo book out of date ({changed[:5]}...): run `python scripts/make_demo.py --force`"

    # a second run refuses to write over a book unless --force
    again = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "--force" in again.stderr
    assert _files(out) == generated


def test_cashbook_check_is_clean():
    run = _cashbook("check", "--format", "json", "--book", str(ROOT))
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["ok"] is True
    assert report["errors"] == 0
    assert report["warnings"] == 0, report["problems"][:5]
    assert report["entries"] > 1000


def test_demo_facts():
    from cashbook.store.book import Book

    book = Book(ROOT)
    policy = book.policy
    assert policy.accounts["cash"].type == "cash"
    assert policy.accounts["icbc"].type == "bank" and policy.accounts["cmb"].type == "bank"
    assert policy.book.utc_offset == "+08:00"
    loaded = book.load()
    assert not loaded.problems
    entries = loaded.order
    months = {e.date.month for e in entries}
    assert {9, 10, 11} <= months
    assert min(e.date for e in entries) == dt.date(2026, 9, 1)
    assert max(e.date for e in entries) <= dt.date(2026, 11, 30)
    kinds = {e.kind for e in entries}
    assert {"opening", "receipt", "payment", "bank-deposit", "withdrawal", "transfer", "advance", "settlement",
            "deposit-hold", "deposit-refund", "collection", "void"} <= kinds
    cheques = [e for e in entries if e.kind == "payment" and e.method == "cheque"]
    assert cheques and all(e.cheque and e.invoice_party == e.party for e in cheques)
    assert len({e.cheque for e in cheques}) == len(cheques)
    state = loaded.state
    for account in ("cash", "icbc", "cmb"):
        assert state.balance(account) > 0
    assert state.balance("cash") <= policy.rules.cash_over_limit.limit
    # one advance left open past its due date: a receivable at the quarter's end
    overdue = [a for a in state.advances.values() if a.outstanding > 0 and a.due < dt.date(2026, 11, 29)]
    assert len(overdue) == 1
    assert any(d.outstanding > 0 for d in state.deposits.values())
    assert any(e.kind == "deposit-refund" for e in entries)
