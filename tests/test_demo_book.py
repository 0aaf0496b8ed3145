"""The committed demo book (policies.toml + journals/ at the repository root, and the bank
statements it was reconciled with under demo/statements/).

It must be exactly what `scripts/make_demo.py` generates, pass `cashbook check` with no
errors and no warnings, and show the things the demo is there to show: every day counted
and sealed but the last three, one shortage booked with its approvals, the bank
statements imported and every month's reconciliation balanced.

The regeneration (~10 s) runs in the background while the CLI runs on the committed book.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "make_demo.py"
STATEMENTS = Path("demo") / "statements"
OPEN_DAYS = [dt.date(2026, 11, 27), dt.date(2026, 11, 28), dt.date(2026, 11, 29)]

pytestmark = pytest.mark.skipif(not (ROOT / "journals").is_dir(), reason="the demo book (journals/) is not in this checkout")


def _files(book: Path) -> dict[str, bytes]:
    """Everything the generator writes: the policies, every file under journals/ (day files,
    the seal log, imported statements) and the statement files."""
    out = {"policies.toml": (book / "policies.toml").read_bytes()}
    for folder in (book / "journals", book / STATEMENTS):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                out[path.relative_to(book).as_posix()] = path.read_bytes()
    return out


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CASHBOOK_BOOK"}
    env["CASHBOOK_NOW"] = "2026-11-29T20:00:00+08:00"  # the demo's "today", whatever the machine's clock says
    env["COLUMNS"] = "200"
    return env


def _cashbook_all(*commands: tuple[str, ...]) -> list[subprocess.CompletedProcess]:
    """Run `cashbook COMMAND --book ROOT` for each command, as real processes side by side."""
    exe = shutil.which("cashbook")
    base = [exe] if exe else [sys.executable, "-m", "cashbook"]
    procs = [subprocess.Popen([*base, *args, "--book", str(ROOT)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=_env()) for args in commands]
    out = []
    for args, proc in zip(commands, procs):
        stdout, stderr = proc.communicate(timeout=120)
        out.append(subprocess.CompletedProcess([*base, *args], proc.returncode, stdout, stderr))
    return out


@pytest.fixture(scope="module", autouse=True)
def regenerated(tmp_path_factory):
    """The demo regenerated into a temporary folder, started before the module's first
    test; the last test waits for it and compares."""
    tmp = tmp_path_factory.mktemp("demo")
    out = tmp / "book"
    with open(tmp / "stdout", "w") as stdout, open(tmp / "stderr", "w") as stderr:
        proc = subprocess.Popen([sys.executable, str(SCRIPT), "--out", str(out)], stdout=stdout, stderr=stderr)
    yield out, proc, tmp
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_cli_on_the_demo_book():
    check, october, reconcile, day, november = _cashbook_all(
        ("check", "--format", "json"),
        ("close", "month", "2026-10", "--format", "json"),
        ("bank", "reconcile", "--account", "icbc", "--month", "2026-10", "--format", "json"),
        ("report", "day", "2026-11-27", "--format", "json"),
        ("close", "month", "2026-11"),
    )
    # every file, entry, rule and seal: clean
    assert check.returncode == 0, check.stdout + check.stderr
    report = json.loads(check.stdout)
    assert report["ok"] is True and report["errors"] == 0
    assert report["warnings"] == 0, report["problems"][:5]
    assert report["entries"] > 1000
    # October closes: every day sealed, both banks reconciled
    assert october.returncode == 0, october.stdout + october.stderr
    month = json.loads(october.stdout)
    assert month["ok"] is True and month["unsealed_days"] == []
    assert [r["balanced"] for r in month["reconciliation"]] == [True, True]
    # icbc's October reconciliation balances, with cheques issued late in October still outstanding
    assert reconcile.returncode == 0, reconcile.stdout + reconcile.stderr
    rec = json.loads(reconcile.stdout)
    assert rec["balanced"] is True and rec["difference"] == "0.00"
    assert rec["outstanding_payments"]
    # the last three days are left open (a report of an open day exits 1: it wants a count)
    assert json.loads(day.stdout)["sealed"] is False, day.stdout + day.stderr
    assert json.loads(day.stdout)["counted"] is None
    assert november.returncode == 2  # on 2026-11-29 November is not over
    assert "period-not-over" in november.stderr


def test_every_month_reconciles():
    """Both banks, every month, through the same reconciliation the CLI prints."""
    from cashbook.cli.bank import reconciliation
    from cashbook.store.book import Book

    class Once(Book):
        loaded = None

        def load(self, checker=None, today=None):
            if self.loaded is None:
                self.loaded = super().load()
            return self.loaded

    try:
        book = Once(ROOT, use_cache=False)
    except TypeError:
        book = Once(ROOT)
    got = {(a, m): reconciliation(book, a, m)[0] for a in ("icbc", "cmb") for m in ("2026-09", "2026-10", "2026-11")}
    assert all(r.balanced for r in got.values())
    september = got[("icbc", "2026-09")]
    assert {i["date"] for i in september.deposits_in_transit} == {dt.date(2026, 9, 30)}  # credited on 10-01
    assert september.outstanding_payments  # cheques not yet presented
    for month in ("2026-09", "2026-10"):  # the banks' fees and interest were booked as they came
        for account in ("icbc", "cmb"):
            r = got[(account, month)]
            assert r.bank_debits_not_booked == r.bank_credits_not_booked == [], (account, month)
    november = got[("icbc", "2026-11")]
    assert november.bank_debits_not_booked  # November's fees: for `cashbook bank book-charges`
    assert any(i["date"] >= dt.date(2026, 11, 24) for i in november.outstanding_payments)  # a late cheque, not cleared
    assert any(m.why.startswith("sum of") for r in got.values() for m in r.matches)  # POS batches, many to one


def test_demo_facts():
    from cashbook.store.book import Book

    try:
        book = Book(ROOT, use_cache=False)
    except TypeError:
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
            "deposit-hold", "deposit-refund", "collection", "void", "cash-count", "day-close", "adjustment",
            "bank-entry"} <= kinds
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

    # every day with entries is counted and sealed, but the last three
    days = sorted({e.date for e in entries})
    assert days == [dt.date(2026, 9, 1) + dt.timedelta(days=i) for i in range(90)]
    assert sorted(set(days) - set(state.seals)) == OPEN_DAYS
    for day, close in state.seals.items():
        assert close.time.hour == 18 and close.time.minute == 30 and close.counted == close.book_balance
        count = state.counts[(day, "cash")]
        assert count.total == close.counted and all("x" in item for item in count.counts)
    assert not any(day in OPEN_DAYS for day, _ in state.counts)
    # one shortage (短款), booked with the finance manager's and the GM's approval
    shortages = [e for e in entries if e.kind == "adjustment"]
    assert len(shortages) == 1 and shortages[0].direction == "shortage" and shortages[0].amount == Decimal("10.00")
    assert {a.role for a in shortages[0].approvals} == {"finance-manager", "gm"}
    # bank charges booked in September and October only, each naming its statement line
    charges = [e for e in entries if e.kind == "bank-entry"]
    assert charges and all(e.line and e.date <= dt.date(2026, 10, 31) for e in charges)
    assert {e.category for e in charges} == {"bank-fees", "interest"}


def test_statement_files_are_what_the_banks_send():
    from cashbook.statements import parse_statement

    names = sorted(p.name for p in (ROOT / STATEMENTS).iterdir())
    assert names == [f"{bank}-2026-{m}.{ext}" for bank, ext in (("cmb", "csv"), ("icbc", "txt")) for m in ("09", "10", "11")]
    icbc = (ROOT / STATEMENTS / "icbc-2026-10.txt").read_bytes()
    text = icbc.decode("gbk")
    assert text.startswith("[HISTORYDETAIL]\n凭证号\t本方账号\t对方账号\t交易时间\t借/贷\t借方发生额\t贷方发生额\t")
    (st,) = parse_statement(icbc, "icbc-2026-10.txt")
    assert st.profile == "icbc_corp" and not st.warnings
    assert st.lines[0].date == dt.date(2026, 10, 1) and st.opening_balance is not None
    assert any(line.ref and line.memo.startswith("转账支票") for line in st.lines)  # cheque number in 凭证号
    (cmb,) = parse_statement((ROOT / STATEMENTS / "cmb-2026-10.csv").read_bytes(), "cmb-2026-10.csv")
    assert cmb.profile == "cmb_corp" and not cmb.warnings and cmb.lines


def test_regenerates_byte_identical(regenerated):
    out, proc, tmp = regenerated
    proc.wait(timeout=120)
    assert proc.returncode == 0, (tmp / "stderr").read_text()
    generated, committed = _files(out), _files(ROOT)
    assert sorted(generated) == sorted(committed), "different set of files: run `python scripts/make_demo.py --force`"
    changed = [name for name in generated if generated[name] != committed[name]]
    assert not changed, f"demo book out of date ({changed[:5]}...): run `python scripts/make_demo.py --force`"
    assert not (out / ".cashbook").exists(), "the generator should not leave the library's cache behind"

    # a second run refuses to write over a book unless --force
    again = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "--force" in again.stderr
    assert _files(out) == generated
