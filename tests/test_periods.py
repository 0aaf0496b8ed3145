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
