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
    for month in ("2026-11", "2026-12", "2027-03"):  # today is 2026-11-20
        r = cli("close", "month", month, "--format", "json", book=november)
        assert r.code == 2, r.out
        assert [p["code"] for p in r.json["problems"]] == ["period-not-over"]
    assert "2026-11-20" in r.json["problems"][0]["message"]
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
