"""Recording commands end to end: JSON fields, balances, refusals that write nothing."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from conftest import run_cli, snapshot


def test_receive_prints_id_and_new_balance_as_json(cli, book):
    r = cli("receive", "1,250.5", "--from", "张三家具", "--category", "rent", "--doc", "R0001", "--date", "2026-11-02", "--time", "09:30", "--format", "json", book=book)
    assert r.code == 0, r.err
    j = r.json
    assert j["id"] == "20261102-001" and j["kind"] == "receipt" and j["date"] == "2026-11-02"
    assert j["amount"] == "1250.50" and j["account"] == "cash" and j["balance"] == "2750.50"
    assert j["time"].startswith("2026-11-02T09:30:00")
    text = (book / "journals/2026/2026-11-02.toml").read_text()
    assert 'amount = "1250.50"' in text and 'party = "张三家具"' in text


def test_payment_within_rules_and_ids_follow_in_the_day(cli, book):
    args = ("--to", "邮局", "--category", "postage", "--approved-by", "gm:王总", "--date", "2026-11-02")
    a = cli("pay", "80", *args, "--format", "json", book=book).json
    b = cli("pay", "90", *args, "--format", "json", book=book).json
    assert (a["id"], b["id"]) == ("20261102-001", "20261102-002")
    assert b["balance"] == "1330.00"


def test_every_money_kind_moves_the_right_balances(cli, book):
    d = ("--date", "2026-11-03")
    assert cli("withdraw", "800", "--account", "bank", "--approved-by", "gm:王总", *d, book=book).code == 0
    assert cli("bank-deposit", "500", "--account", "bank", *d, book=book).code == 0
    r = cli("receive", "3000", "--from", "ACME", "--category", "management-fee", "--account", "bank", *d, "--format", "json", book=book)
    assert r.json["balance"] == "52700.00" and r.json["entry"]["method"] == "transfer"
    r = cli("report", "balances", "--date", "2026-11-03", "--format", "json", book=book)
    got = {a["account"]: a["balance"] for a in r.json["accounts"]}
    assert got == {"cash": "1800.00", "bank": "52700.00"}
    assert r.json["total"] == "54500.00"


def test_transfer_between_two_banks(cli, book):
    policy = book / "policies.toml"
    policy.write_text(policy.read_text() + '\n[accounts.cmb]\ntype = "bank"\nname = "招商银行"\n')
    r = cli("transfer", "1000", "--from-account", "bank", "--to-account", "cmb", "--date", "2026-11-04", "--format", "json", book=book)
    assert r.code == 0, r.err
    assert r.json["balances"] == {"cmb": "1000.00", "bank": "49000.00"}


def test_void_reverses_and_cannot_be_repeated(cli, book):
    rid = cli("receive", "100", "--from", "A", "--category", "rent", "--date", "2026-11-05", "--format", "json", book=book).json["id"]
    v = cli("void", rid, "--reason", "wrong merchant", "--date", "2026-11-05", "--format", "json", book=book)
    assert v.code == 0 and v.json["balance"] == "1500.00"
    again = cli("void", rid, "--reason", "again", "--date", "2026-11-05", book=book)
    assert again.code == 2 and "already-voided" in again.err
    j = cli("report", "journal", "--account", "cash", "--format", "json", book=book).json["accounts"][0]
    assert j["closing"] == "1500.00"


@pytest.mark.parametrize("args,code", [
    (("receive", "12.345", "--from", "A", "--category", "rent"), "bad-amount"),
    (("receive", "1e3", "--from", "A", "--category", "rent"), "bad-amount"),
    (("receive", "NaN", "--from", "A", "--category", "rent"), "bad-amount"),
    (("receive", "１００", "--from", "A", "--category", "rent"), "bad-amount"),
    (("receive", "100", "--from", "A", "--category", "lottery"), "unknown-category"),
    (("receive", "100", "--from", "A", "--category", "wages"), "wrong-category"),
    (("receive", "100", "--from", "A", "--category", "rent", "--account", "petty"), "unknown-account"),
    (("receive", "100", "--from", "A", "--category", "rent", "--method", "pos"), "wrong-account"),
    (("receive", "100", "--from", "A", "--category", "rent", "--method", "bitcoin"), "bad-option"),
    (("receive", "100", "--from", "", "--category", "rent"), "bad-option"),
    (("receive", "100", "--from", "A", "--category", "rent", "--date", "2026-02-30"), "bad-option"),
    (("receive", "100", "--from", "A", "--category", "rent", "--date", "2027-01-01"), "future-date"),
    (("receive", "100", "--from", "A", "--category", "rent", "--time", "25:00"), "bad-option"),
    (("pay", "50", "--to", "A", "--category", "office", "--approved-by", "gm"), "bad-option"),
    (("pay", "50", "--to", "A", "--category", "office", "--approved-by", "boss:Li"), "needs-approval"),
    (("withdraw", "100", "--account", "cash", "--approved-by", "gm:王"), "wrong-account"),
    (("transfer", "100", "--from-account", "bank", "--to-account", "bank"), "bad-field"),
    (("void", "20990101-001", "--reason", "x"), "unknown-entry"),
    (("opening", "cash", "100", "--date", "2026-11-02"), "opening-exists"),
])
def test_refusals_exit_2_name_the_problem_and_write_nothing(cli, book, args, code):
    before = snapshot(book)
    r = cli(*args, "--format", "json", book=book)
    assert r.code == 2, (r.out, r.err)
    assert code in [p["code"] for p in r.json["problems"]], r.json
    assert snapshot(book) == before


def test_usage_errors_are_exit_2_without_traceback(cli, book):
    for args in (("pay", "10"), ("receive",), ("report", "nope"), ("pay", "10", "--to", "x", "--category", "office", "--bogus")):
        r = cli(*args, book=book)
        assert r.code == 2 and "Traceback" not in r.err + r.out


def test_book_is_found_by_option_environment_or_current_directory(book, tmp_path):
    assert run_cli("report", "balances", "--format", "json", book=book).code == 0
    env_run = run_cli("report", "balances", "--format", "json", env={"CASHBOOK_BOOK": str(book)})
    assert env_run.code == 0 and env_run.json["accounts"][0]["balance"] == "1500.00"
    old = os.getcwd()
    try:
        os.chdir(book)
        here = run_cli("report", "balances", "--format", "json")
    finally:
        os.chdir(old)
    assert here.code == 0 and here.json["total"] == "51500.00"
    nowhere = run_cli("report", "balances", book=tmp_path / "missing")
    assert nowhere.code == 2 and "cashbook init" in nowhere.err and "Traceback" not in nowhere.err


def test_real_subprocess_records_and_refuses(book):
    ok = run_cli("receive", "99.9", "--from", "ACME", "--category", "advertising", "--format", "json", book=book)
    assert ok.code == 0, ok.err
    assert ok.json["id"] == "20261120-001" and ok.json["balance"] == "1599.90"
    bad = run_cli("pay", "5000", "--to", "X", "--category", "fixed-assets", "--format", "json", book=book)
    assert bad.code == 2
    codes = {p["code"] for p in bad.json["problems"]}
    assert {"cash-payment-limit", "no-cash-category", "needs-approval", "needs-invoice"} <= codes


def test_init_never_overwrites(cli, tmp_path, book):
    before = snapshot(book)
    r = cli("init", str(book))
    assert r.code == 2 and "never overwrites" in r.err
    assert snapshot(book) == before
    fresh = tmp_path / "new" / "deeper"
    assert cli("init", str(fresh)).code == 0
    assert (fresh / "policies.toml").exists() and (fresh / "journals").is_dir()


def test_words_command(cli):
    assert cli("words", "1250").out.strip() == "壹仟贰佰伍拾元整"
    j = cli("words", "325.04", "--format", "json").json
    assert j == {"schema": "cashbook.words/1", "amount": "325.04", "words": "叁佰贰拾伍元零肆分"}
    assert cli("words", "-3").code == 2


def test_journal_report_lines_sum_to_totals(cli, book):
    d = ("--date", "2026-11-06")
    cli("receive", "300", "--from", "A", "--category", "rent", *d, book=book)
    cli("pay", "50", "--to", "B", "--category", "postage", "--approved-by", "gm:王", *d, book=book)
    cli("bank-deposit", "250", "--account", "bank", *d, book=book)
    j = cli("report", "journal", "--from", "2026-11-02", "--format", "json", book=book).json
    for acct in j["accounts"]:
        receipts = sum(Decimal(l["receipt"] or "0") for l in acct["lines"])
        payments = sum(Decimal(l["payment"] or "0") for l in acct["lines"])
        assert receipts == Decimal(acct["receipts"]) and payments == Decimal(acct["payments"])
        assert Decimal(acct["opening"]) + receipts - payments == Decimal(acct["closing"])
        if acct["lines"]:
            assert acct["lines"][-1]["balance"] == acct["closing"]
    cash = j["accounts"][0]
    assert (cash["opening"], cash["closing"]) == ("1500.00", "1500.00")
    csv_out = cli("report", "journal", "--format", "csv", book=book).out
    assert csv_out.splitlines()[0] == "\ufeffdate,id,doc,summary,receipt,payment,balance"  # the BOM Excel needs
