"""Issue 13, deliverable 11: random sequences of commands never make the book wrong.

A hypothesis state machine drives the CLI (in-process, same entry point and error
boundary as the console script) on a fresh book: every money kind, back-dated entries
in the open period, voids with and without their dependants, counts and day closes,
changes of the rules with an effective date, bank statements imported and reconciled.
After every step: no account below its floor on any day, `check` clean, the balances
report equal to the postings of the files, the registers equal to the export, and a
refused command changed no byte. `CASHBOOK_STATEFUL_EXAMPLES` and `CASHBOOK_STATEFUL_STEPS`
raise the example count and the steps per example (the closing run of issue 13 used them
for 10,000 steps).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import sys
import tempfile
import tomllib
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from conftest import NOW, snapshot

FIRST = dt.date(2026, 11, 1)
TODAY = dt.date(2026, 11, 20)
GM = ["--approved-by", "gm:王总"]


_RUNS = 0


def invoke(*args: str) -> tuple[int, str, str]:
    """The `cli` fixture without pytest's fixtures (a state machine outlives them)."""
    import contextlib
    import io

    from cashbook.cli import common
    from cashbook.cli.main import run

    common.Session.now = None
    common.Session.book = None
    common.Session.format = "table"
    out, err = io.StringIO(), io.StringIO()
    old_argv, old_env = sys.argv, dict(os.environ)
    os.environ.update({"CASHBOOK_NOW": NOW, "COLUMNS": "200"})
    sys.argv = ["cashbook", *args]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                run()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = old_argv
        os.environ.clear()
        os.environ.update(old_env)
        # a command frees nothing (gc.freeze): in one process, thousands of commands would
        # keep every cache connection and file open
        global _RUNS
        _RUNS += 1
        if _RUNS % 100 == 0:
            gc.unfreeze()
            gc.collect()
    return code, out.getvalue(), err.getvalue()


amounts = st.integers(min_value=1, max_value=3000).map(lambda n: f"{n}")
days = st.integers(min_value=1, max_value=19).map(lambda n: (FIRST + dt.timedelta(days=n)).isoformat())


class BookMachine(RuleBasedStateMachine):
    """A cashier with a keyboard and no sense of order."""

    @initialize()
    def new_book(self):
        self.dir = tempfile.TemporaryDirectory()
        self.root = Path(self.dir.name) / "book"
        assert invoke("init", str(self.root))[0] == 0
        assert self.cmd("opening", "cash", "1500", "--date", "2026-11-01")[0] == 0
        assert self.cmd("opening", "bank", "50000", "--date", "2026-11-01")[0] == 0
        self.ids: list[str] = []
        self.advances: list[str] = []
        self.deposits: list[str] = []
        self.sealed = FIRST - dt.timedelta(days=1)
        self.statements = 0
        with open(self.root / "policies.toml", "a", encoding="utf-8") as policy:  # the bank's CSV layout
            policy.write('\n[bank_formats.simple]\ndate = "date"\namount = "amount"\nref = "ref"\nmemo = "memo"\n')

    def teardown(self):
        if hasattr(self, "dir"):
            self.dir.cleanup()

    def cmd(self, *args: str) -> tuple[int, str, str]:
        return invoke(*args, "--book", str(self.root))

    def record(self, *args: str) -> dict | None:
        """A recording command: written (exit 0) or refused with nothing changed (exit 2)."""
        before = snapshot(self.root)
        code, out, err = self.cmd(*args, "--format", "json")
        assert code in (0, 2), (args, code, out, err)
        if code == 2:
            assert snapshot(self.root) == before, f"{args} was refused but changed the book"
            assert "Traceback" not in err and "internal error" not in err, err
            return None
        result = json.loads(out)
        self.ids.append(result["id"])
        return result

    def open_day(self, day: str) -> str:
        return day if dt.date.fromisoformat(day) > self.sealed else (self.sealed + dt.timedelta(days=1)).isoformat()

    # -- steps ---------------------------------------------------------------------
    @rule(amount=amounts, day=days, bank=st.booleans())
    def receive(self, amount, day, bank):
        self.record("receive", amount, "--from", "ACME", "--category", "rent", "--date", self.open_day(day),
                    *(["--account", "bank"] if bank else []))

    @rule(amount=amounts, day=days, bank=st.booleans())
    def pay(self, amount, day, bank):
        self.record("pay", amount, "--to", "邮局", "--category", "postage", "--invoice", "F1", *GM, "--date", self.open_day(day),
                    *(["--account", "bank"] if bank else []))

    @rule(amount=amounts, day=days)
    def bank_deposit(self, amount, day):
        self.record("bank-deposit", amount, "--account", "bank", "--date", self.open_day(day))

    @rule(amount=amounts, day=days)
    def withdraw(self, amount, day):
        self.record("withdraw", amount, "--account", "bank", *GM, "--date", self.open_day(day))

    @rule(amount=amounts, day=days, to_bank=st.booleans())
    def transfer(self, amount, day, to_bank):
        pair = ("cash", "bank") if to_bank else ("bank", "cash")
        self.record("transfer", amount, "--from-account", pair[0], "--to-account", pair[1], *GM, "--date", self.open_day(day))

    @rule(amount=amounts, day=days)
    def advance(self, amount, day):
        r = self.record("advance", amount, "--to", "徐静", "--purpose", "trip", "--due", "2026-12-31", *GM,
                        "--approved-by", "dept-head:李", "--date", self.open_day(day))
        if r:
            self.advances.append(r["id"])

    @rule(data=st.data(), day=days)
    def settle(self, data, day):
        if self.advances:
            adv = data.draw(st.sampled_from(self.advances))
            self.record("settle", adv, "--returned", data.draw(amounts), "--date", self.open_day(day))

    @rule(amount=amounts, day=days)
    def hold_deposit(self, amount, day):
        r = self.record("hold-deposit", amount, "--from", "张三家具", "--type", "electricity", "--account", "bank",
                        "--date", self.open_day(day))
        if r:
            self.deposits.append(r["id"])

    @rule(data=st.data(), day=days)
    def refund_deposit(self, data, day):
        if self.deposits:
            held = data.draw(st.sampled_from(self.deposits))
            self.record("refund-deposit", held, "--amount", data.draw(amounts), "--account", "bank", *GM,
                        "--approved-by", "finance-manager:赵", "--date", self.open_day(day))

    @rule(data=st.data(), day=days, cascade=st.booleans())
    def void(self, data, day, cascade):
        if self.ids:
            target = data.draw(st.sampled_from(self.ids))
            self.record("void", target, "--reason", "test", "--date", self.open_day(day),
                        *(["--with-dependants"] if cascade else []))

    @rule()
    def close_next_day(self):
        """Count the earliest open day exactly and close it (sealing it)."""
        day = self.sealed + dt.timedelta(days=1)
        if day >= TODAY:
            return
        code, out, err = self.cmd("close", "day", day.isoformat(), "--dry-run", "--format", "json")
        assert code in (0, 1), (code, out, err)  # 1: the close would report an exception
        balance = Decimal(json.loads(out)["book_balance"])
        counts = [f"1x{int(balance)}"] if balance >= 1 else []
        if balance % 1 or not counts:
            return
        assert self.cmd("count", day.isoformat(), *counts)[0] == 0
        code, out, err = self.cmd("close", "day", day.isoformat(), "--format", "json")
        assert code in (0, 1), (code, out, err)
        if json.loads(out)["sealed"]:
            self.sealed = day

    @rule(limit=st.sampled_from(["300.00", "500.00", "800.00", "1000.00", "1500.00"]))
    def change_the_cash_payment_limit(self, limit):
        """The accountant lowers or raises the single cash-payment limit, effective the day
        after the last day with entries (never re-judging a recorded entry): the next write
        keeps the version, and from then on each day is judged by the rules in force on it."""
        recorded = [dt.date.fromisoformat(p.stem) for p in (self.root / "journals").glob("20*/*.toml")]
        effective = max(recorded, default=FIRST) + dt.timedelta(days=1)
        if effective > TODAY or effective <= self.sealed:
            return
        path = self.root / "policies.toml"
        text = path.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.startswith("effective = ")]
        text = f'effective = "{effective}"\n' + "\n".join(lines) + "\n"
        head = text.index("[rules.cash-payment-limit]")
        end = text.index("\n[", head + 1)
        section = "\n".join(f'limit = "{limit}"' if line.startswith("limit = ") else line for line in text[head:end].split("\n"))
        path.write_text(text[:head] + section + text[end:], encoding="utf-8")
        r = self.record("receive", "1", "--from", "ACME", "--category", "rent", "--date", effective.isoformat())
        assert r is not None, "a change effective after every recorded day is kept"

    @rule(data=st.data(), n=st.integers(min_value=1, max_value=4))
    def import_a_statement(self, data, n):
        """The accountant imports the bank's statement: some of the book's bank movements as
        the bank saw them, and lines the book does not have (fees, interest)."""
        self.statements += 1
        rows = ["date,amount,ref,memo"]
        for i in range(n):
            day = data.draw(days)
            amount = data.draw(st.integers(min_value=-500, max_value=3000).filter(bool))
            rows.append(f"{day},{amount}.00,S{self.statements}-{i},line {i}")
        path = self.root.parent / f"statement-{self.statements}.csv"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        before = snapshot(self.root)
        code, out, err = self.cmd("bank", "import", str(path), "--account", "bank", "--profile", "simple")
        assert code in (0, 2), (code, out, err)
        assert "Traceback" not in err and "internal error" not in err, err
        if code == 2:
            assert snapshot(self.root) == before
        code, out, err = self.cmd("bank", "reconcile", "--account", "bank", "--month", "2026-11", "--format", "json")
        assert code in (0, 1) and "internal error" not in err, (code, out, err)  # 1: the lines not booked yet
        recon = json.loads(out)
        assert recon["balanced"] is (code == 0)

    # -- what must hold after every step ----------------------------------------------
    @invariant()
    def book_is_right(self):
        if not hasattr(self, "root"):
            return
        if os.environ.get("CASHBOOK_STATEFUL_LOG"):  # long runs count the states they checked
            with open(os.environ["CASHBOOK_STATEFUL_LOG"], "a", encoding="utf-8") as log:
                log.write("step\n")
        code, out, err = self.cmd("check", "--format", "json")
        assert code == 0, out + err
        entries = []
        for path in sorted((self.root / "journals").rglob("*.toml")):
            if "bank" in path.relative_to(self.root / "journals").parts:
                continue
            entries += tomllib.loads(path.read_text(encoding="utf-8")).get("entry", [])
        from cashbook.core.entries import KINDS

        parsed = [KINDS[e["kind"]].model_validate(e) for e in entries]
        running: dict[str, Decimal] = {}
        for entry in parsed:  # files are in day order, entries in file order: the book's order
            for account, amount in entry.postings():
                running[account] = running.get(account, Decimal(0)) + amount
                if account in ("cash", "bank"):
                    assert running[account] >= 0, f"{account} below zero after {entry.id}"
        code, out, err = self.cmd("report", "balances", "--format", "json")
        assert code == 0, out + err
        report = json.loads(out)
        rows = report.get("accounts") or report.get("balances") or report.get("rows")
        for row in rows:
            assert Decimal(row["balance"]) == running.get(row["account"], Decimal(0)), row
        code, out, err = self.cmd("report", "advances", "--format", "json")
        assert code == 0, out + err
        advances = json.loads(out)
        outstanding = sum((Decimal(a["outstanding"]) for a in advances["advances"]), Decimal(0))
        assert outstanding == running.get("advances:徐静", Decimal(0))
        code, out, err = self.cmd("report", "deposits", "--format", "json")
        assert code == 0, out + err
        deposits = json.loads(out)
        held = sum((Decimal(d["held"]) for d in deposits["deposits"]), Decimal(0))
        assert held == -running.get("deposits:electricity", Decimal(0))


BookMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("CASHBOOK_STATEFUL_EXAMPLES", "8")),
    stateful_step_count=int(os.environ.get("CASHBOOK_STATEFUL_STEPS", "12")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
TestBook = BookMachine.TestCase
