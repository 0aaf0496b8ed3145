"""Periods are honest (issue 13): the daily close's exit code, which months may close,
reconciliation without a statement, and month figures that add up."""

from __future__ import annotations

from decimal import Decimal

import pytest

import conftest
from conftest import run_cli, snapshot

GM = ("--approved-by", "gm:王总")


def sealed_days(book) -> set[str]:
    text = (book / "journals" / "seals.log").read_text(encoding="utf-8")
    return {line.split()[0] for line in text.splitlines() if line and not line.startswith("#")}


# -- finding 10: close day exits 1 when it seals but reports an exception ----------------------

def test_close_day_seals_but_exits_1_when_cash_is_over_the_limit(cli, book):
    assert cli("count", "2026-11-01", "100x15", book=book).code == 0
    assert cli("close", "day", "2026-11-01", book=book).code == 0  # clean: exit 0
    d = ("--date", "2026-11-02")
    assert cli("receive", "900", "--from", "ACME", "--category", "rent", *d, book=book).code == 0
    assert cli("bank-deposit", "900", "--account", "bank", *d, book=book).code == 0
    assert cli("withdraw", "600", "--account", "bank", *GM, *d, book=book).code == 0  # 2,100.00 on hand
    assert cli("count", "2026-11-02", "100x21", book=book).code == 0
    r = cli("close", "day", "2026-11-02", "--format", "json", book=book)
    assert r.code == 1, r.out
    assert r.json["sealed"] is True and r.json["over_limit"] == "100.00"
    assert {p["code"] for p in r.json["problems"]} == {"cash-over-limit"}
    assert "2026-11-02" in sealed_days(book)
    # sealed: nothing more goes on that day, and closing it again says the same
    assert cli("receive", "1", "--from", "A", "--category", "rent", *d, book=book).code == 2
    assert cli("close", "day", "2026-11-02", book=book).code == 1


def test_close_day_seals_but_exits_1_when_takings_are_not_banked(cli, book):
    assert cli("receive", "300", "--from", "ACME", "--category", "rent", "--date", "2026-11-01", book=book).code == 0
    assert cli("count", "2026-11-01", "100x18", book=book).code == 0
    r = run_cli("close", "day", "2026-11-01", "--format", "json", book=book)  # a real process: the exit code
    assert r.code == 1, r.out + r.err
    assert r.json["sealed"] is True and r.json["undeposited"] == "300.00"
    assert [p["code"] for p in r.json["problems"]] == ["undeposited-takings"]
    assert "2026-11-01" in sealed_days(book)
    assert run_cli("check", book=book).code == 0


# -- finding 8: periods are honest ------------------------------------------------------------

DECEMBER = "2026-12-01T09:00:00+08:00"


def nov_statement(tmp_path):
    """The bank's November statement (ICBC layout): 12,000.00 rent received on 11-02."""
    from test_bank import statement

    path = tmp_path / "icbc-2026-11.txt"
    path.write_bytes(statement([("", "2026-11-02 10:00:00", "贷", "", "12,000.00", "租金", "宜家家居", "62,000.00")]).encode("gbk"))
    return path


@pytest.fixture
def november(cli, book):
    """November recorded and every day of it with entries sealed; no bank statement imported."""
    assert cli("receive", "12000", "--from", "宜家家居", "--category", "rent", "--account", "bank", "--date", "2026-11-02",
               book=book).code == 0
    for day in ("2026-11-01", "2026-11-02"):
        assert cli("count", day, "100x15", book=book).code == 0
        assert cli("close", "day", day, book=book).code == 0
    return book


def test_close_month_refuses_a_month_that_is_not_over(cli, november):
    before = snapshot(november)
    for month in ("2026-11", "2026-12", "9999-12", "2026-11"):  # today is 2026-11-20
        r = cli("close", "month", month, "--format", "json", book=november)
        assert r.code == 2, r.out
        assert [p["code"] for p in r.json["problems"]] == ["period-not-over"]
    assert "2026-11-20" in r.json["problems"][0]["message"] and "2026-11-30" in r.json["problems"][0]["message"]
    assert snapshot(november) == before
    # the month report is still there to look at (it is not a close)
    assert cli("report", "month", "2026-11", "--format", "json", book=november).code == 1


@pytest.mark.parametrize(("clock", "code"), [
    ("2026-11-30T23:59:00+08:00", 2),   # the last day itself: not over yet
    ("2026-11-30T16:30:00+00:00", 1),   # 00:30 on 12-01 in the book's zone: over (then: no statement)
    ("2026-12-01T01:00:00+10:00", 2),   # 12-01 where the clock is, 23:00 on 11-30 in the book's zone
])
def test_a_month_is_over_on_the_books_clock(november, clock, code):
    path = november / "policies.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('utc_offset = ""', 'utc_offset = "+08:00"', 1), encoding="utf-8")
    r = run_cli("close", "month", "2026-11", "--format", "json", book=november, env={"CASHBOOK_NOW": clock, "TZ": "UTC"})
    assert r.code == code, r.out + r.err


def test_close_month_refuses_a_bank_account_without_a_statement_until_one_is_imported(cli, november, tmp_path, monkeypatch):
    monkeypatch.setattr(conftest, "NOW", DECEMBER)
    before = snapshot(november)
    r = cli("close", "month", "2026-11", "--format", "json", book=november)
    assert r.code == 1, r.out
    assert [(p["code"], p["account"]) for p in r.json["problems"]] == [("statement-missing", "bank")]
    assert "cashbook bank import" in r.json["problems"][0]["message"]
    assert snapshot(november) == before
    table = cli("close", "month", "2026-11", book=november)
    assert table.code == 1 and "statement-missing" in table.err and "bank" in table.err
    # the month report says the same: a control failure, not ok
    j = cli("report", "month", "2026-11", "--format", "json", book=november).json
    assert j["ok"] is False and [c["code"] for c in j["control_failures"]] == ["statement-missing"]
    assert j["reconciliation"] == [{"account": "bank", "balanced": False, "code": "statement-missing",
                                    "status": j["reconciliation"][0]["status"]}]
    # with the statement imported and reconciled, the month closes
    assert cli("bank", "import", str(nov_statement(tmp_path)), "--account", "bank", book=november).code == 0
    r = cli("close", "month", "2026-11", "--format", "json", book=november)
    assert r.code == 0, r.out
    assert r.json["ok"] is True and r.json["reconciliation"][0]["balanced"] is True


def test_a_month_whose_reconciliation_does_not_balance_does_not_close(cli, november, tmp_path, monkeypatch):
    from test_bank import statement

    monkeypatch.setattr(conftest, "NOW", DECEMBER)
    path = tmp_path / "icbc-2026-11.txt"  # the bank says 62,100.00 where the book has 62,000.00
    path.write_bytes(statement([("", "2026-11-02 10:00:00", "贷", "", "12,000.00", "租金", "宜家家居", "62,100.00")]).encode("gbk"))
    assert cli("bank", "import", str(path), "--account", "bank", book=november).code == 0
    assert cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", book=november).code == 1
    r = cli("close", "month", "2026-11", "--format", "json", book=november)
    assert r.code == 1 and r.json["ok"] is False
    assert [c["code"] for c in r.json["control_failures"]] == ["not-reconciled"]


def test_an_account_marked_without_statements_closes_without_one(cli, november, monkeypatch):
    from test_rules import set_setting

    monkeypatch.setattr(conftest, "NOW", DECEMBER)
    set_setting(november, "accounts.bank", "statement", "false")
    r = cli("close", "month", "2026-11", "--format", "json", book=november)
    assert r.code == 0, r.out
    assert r.json["ok"] is True
    assert r.json["reconciliation"] == [{"account": "bank", "balanced": None,
                                         "status": "no statement kept (statement = false in policies.toml)"}]
    # reconcile still says there is nothing to reconcile against
    r = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", "--format", "json", book=november)
    assert r.code == 1 and r.json["balanced"] is False and r.json["statement_missing"] is True
    assert "statement = false" in r.json["problems"][0]["message"]


def test_bad_statement_settings_are_refused(cli, november):
    from test_rules import set_setting

    set_setting(november, "accounts.bank", "statement", '"sometimes"')
    r = cli("close", "month", "2026-10", book=november)
    assert r.code == 2 and "statement" in r.err and "Traceback" not in r.err


def test_reconcile_without_a_statement_for_the_month_says_so_and_exits_1(cli, november, tmp_path):
    # nothing imported at all
    r = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", "--format", "json", book=november)
    assert r.code == 1, r.out
    assert r.json["balanced"] is False and r.json["statement_missing"] is True and r.json["statement_balance"] is None
    # November imported: November reconciles, December (no statement) does not
    assert cli("bank", "import", str(nov_statement(tmp_path)), "--account", "bank", book=november).code == 0
    r = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", "--format", "json", book=november)
    assert r.code == 0 and r.json["balanced"] is True and r.json["statement_missing"] is False
    r = run_cli("bank", "reconcile", "--account", "bank", "--month", "2026-12", "--format", "json", book=november)
    assert r.code == 1, r.out + r.err
    j = r.json
    assert j["balanced"] is False and j["statement_missing"] is True and j["difference"] is None
    assert [p["code"] for p in j["problems"]] == ["statement-missing"] and "2026-12" in j["problems"][0]["message"]
    table = run_cli("bank", "reconcile", "--account", "bank", "--month", "2026-12", book=november)
    assert table.code == 1 and "NOT reconciled" in table.out and "statement-missing" in table.out
    assert "balanced: the adjusted balances agree" not in table.out


# -- finding 7: month figures add up -----------------------------------------------------------

def money(text: str) -> Decimal:
    return Decimal(text)


def assert_month_adds_up(j: dict) -> None:
    """期初 + receipts − payments = 期末 for every account, and the accounts' totals agree with
    the totals by category (for books whose receipts are income and payments expenses)."""
    for a in j["accounts"]:
        assert money(a["opening"]) + money(a["receipts"]) - money(a["payments"]) == money(a["closing"]), a
    t = j["totals"]
    for name in ("opening", "receipts", "payments", "closing"):
        assert money(t[name]) == sum((money(a[name]) for a in j["accounts"]), Decimal(0)), name
    income = sum((money(c["amount"]) for c in j["categories"] if c["type"] == "income"), Decimal(0))
    expense = sum((money(c["amount"]) for c in j["categories"] if c["type"] == "expense"), Decimal(0))
    between = money(t["between_accounts"])
    assert money(t["receipts"]) - between == income, (t, income)
    assert money(t["payments"]) - between == expense, (t, expense)


def test_the_opening_balance_is_opening_not_a_receipt_in_the_demo():
    """Demo September: ICBC's opening balance 352,468.35 (set on 09-01) is 期初, not one of
    September's receipts (it was counted in "Receipts 1,415,277.27" and 期初 showed 0.00)."""
    from test_demo_book import ROOT

    r = run_cli("report", "month", "2026-09", "--format", "json", book=ROOT)
    assert r.code == 0, r.out + r.err
    icbc = next(a for a in r.json["accounts"] if a["account"] == "icbc")
    assert icbc["opening"] == "352468.35"
    assert icbc["closing"] == "973869.34"
    assert money(icbc["receipts"]) < Decimal("1415277.27") - Decimal("352468.35")  # a voided 580.00 nets out too
    for a in r.json["accounts"]:
        assert money(a["opening"]) + money(a["receipts"]) - money(a["payments"]) == money(a["closing"]), a
    october = run_cli("report", "month", "2026-10", "--format", "json", book=ROOT).json
    assert [a["closing"] for a in r.json["accounts"]] == [a["opening"] for a in october["accounts"]]


def test_voids_net_out_of_the_column_of_what_they_reverse(cli, book):
    d = lambda day: ("--date", f"2026-11-{day:02d}")  # noqa: E731
    assert cli("receive", "100", "--from", "A", "--category", "rent", *d(2), book=book).code == 0
    assert cli("void", "20261102-001", "--reason", "wrong merchant", *d(3), book=book).code == 0
    assert cli("pay", "50", "--to", "邮局", "--category", "postage", "--invoice", "F1", *GM, *d(4), book=book).code == 0
    assert cli("void", "20261104-001", "--reason", "paid twice", *d(5), book=book).code == 0
    assert cli("bank-deposit", "200", "--account", "bank", *d(6), book=book).code == 0
    assert cli("void", "20261106-001", "--reason", "slip lost", *d(6), book=book).code == 0
    assert cli("receive", "30", "--from", "B", "--category", "other-income", *d(7), book=book).code == 0
    r = cli("report", "month", "2026-11", "--format", "json", book=book)
    j = r.json
    cash = next(a for a in j["accounts"] if a["account"] == "cash")
    bank = next(a for a in j["accounts"] if a["account"] == "bank")
    assert (cash["opening"], cash["receipts"], cash["payments"], cash["closing"]) == ("1500.00", "30.00", "0.00", "1530.00")
    assert (bank["opening"], bank["receipts"], bank["payments"], bank["closing"]) == ("50000.00", "0.00", "0.00", "50000.00")
    assert {c["category"]: c["amount"] for c in j["categories"]} == {"rent": "0.00", "other-income": "30.00", "postage": "0.00"}
    assert j["totals"]["between_accounts"] == "0.00"
    assert_month_adds_up(j)


# the property: random books, every month's figures add up

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ACCOUNTS = ("cash", "bank", "cmb")
INCOME = ("rent", "management-fee", "other-income")
EXPENSE = ("office", "postage", "wages")
START = __import__("datetime").date(2026, 10, 1)  # October and November: a void may reach back a month
OPS = ("receipt", "payment", "bank-deposit", "withdrawal", "transfer", "opening", "void")

op = st.tuples(st.sampled_from(OPS), st.integers(0, 60), st.decimals("0.01", "99999.99", places=2), st.integers(0, 10**6))


def build_book(ops) -> list:
    """Entries of a random book, in book order (by day, then as drawn)."""
    import datetime as dt

    from cashbook.core.entries import KINDS, reversal

    zone = dt.timezone(dt.timedelta(hours=8))
    entries, seq, voided = [], {}, set()
    for kind, day_no, amount, pick in sorted(ops, key=lambda o: o[1]):
        day = START + dt.timedelta(days=day_no)
        seq[day] = seq.get(day, 0) + 1
        base = {"id": f"{day:%Y%m%d}-{seq[day]:03d}", "time": dt.datetime(2026, day.month, day.day, 12, tzinfo=zone)}
        amount = str(amount)
        account = ACCOUNTS[pick % 3]
        if kind == "receipt":
            fields = dict(amount=amount, account=account, party="P", category=INCOME[pick % 3])
        elif kind == "payment":
            fields = dict(amount=amount, account=account, party="P", category=EXPENSE[pick % 3])
        elif kind in ("bank-deposit", "withdrawal"):
            fields = dict(amount=amount, account=ACCOUNTS[1 + pick % 2])
        elif kind == "transfer":
            a, b = ACCOUNTS[pick % 3], ACCOUNTS[(pick + 1 + pick // 3 % 2) % 3]
            fields = dict(amount=amount, from_account=a, to_account=b)
        elif kind == "opening":
            fields = dict(amount=amount, account=account)
        else:
            targets = [e for e in entries if e.kind != "void" and e.id not in voided]
            if not targets:
                continue
            target = targets[pick % len(targets)]
            voided.add(target.id)
            fields = dict(target=target.id, reason="wrong", reverses=[[p.account, str(p.amount)] for p in reversal(target)])
        entries.append(KINDS[kind].model_validate({**base, "kind": kind, **fields}))
    return entries


def policy_with_two_banks():
    from cashbook.store.policyfile import default_policy_text, parse_policy

    return parse_policy(default_policy_text() + '\n[accounts.cmb]\ntype = "bank"\nname = "招商银行"\n')


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, max_size=40))
def test_month_figures_add_up_for_any_book(ops):
    import datetime as dt
    import json

    from cashbook.core.state import BookState
    from cashbook.render import dumps
    from cashbook.reports.close import month_report

    policy = policy_with_two_banks()
    entries = build_book(ops)
    cash = frozenset(policy.cash_accounts())
    for month, first, last in (("2026-10", dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
                               ("2026-11", dt.date(2026, 11, 1), dt.date(2026, 11, 30))):
        state, opening = BookState(), {}
        for e in entries:
            if e.date < first:
                for p in e.postings():
                    opening[p.account] = opening.get(p.account, Decimal(0)) + p.amount
            if e.date <= last:
                state.apply(e, cash)
        inside = [e for e in entries if first <= e.date <= last]
        j = json.loads(dumps(month_report(month, first, last, opening, inside, state, policy, [], [], [], []).data))
        assert_month_adds_up(j)
        for a in j["accounts"]:
            key = a["account"]
            # 期末 is the balance at the month's end; 期初 the balance before it plus openings set (or voided) in it
            assert money(a["closing"]) == sum((p.amount for e in entries if e.date <= last for p in e.postings()
                                               if p.account == key), Decimal(0))
            openings = sum((p.amount for e in inside for p in e.postings() if p.account == key and
                            any(q.account == "opening-balances" for q in e.postings())), Decimal(0))
            assert money(a["opening"]) == opening.get(key, Decimal(0)) + openings
            # a column goes below zero only through a void of an earlier month's entry
            if money(a["receipts"]) < 0 or money(a["payments"]) < 0:
                assert any(e.kind == "void" and e.target < f"{first:%Y%m%d}" for e in inside)
