"""One clock (issue 13, finding 3): "today", entry times and the day an entry lands on come
from the book's `utc_offset`, the machine's zone only where the book sets none.

Every test runs the real CLI in a subprocess with the machine's zone (`TZ`) and the clock
(`CASHBOOK_NOW`) set from outside, as a cashier's server would have them.
"""

from __future__ import annotations

import pytest

from conftest import run_cli

EARLY = "2026-11-29T23:30:00+00:00"  # 07:30 on 2026-11-30 in Beijing
RECEIVE = ("receive", "10", "--from", "张三家具", "--category", "rent", "--format", "json")


def set_offset(book, offset: str) -> None:
    path = book / "policies.toml"
    text = path.read_text(encoding="utf-8")
    assert 'utc_offset = ""' in text
    path.write_text(text.replace('utc_offset = ""', f'utc_offset = "{offset}"', 1), encoding="utf-8")


@pytest.fixture
def beijing(book):
    set_offset(book, "+08:00")
    return book


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Shanghai"])
def test_an_early_morning_entry_lands_on_the_books_day_whatever_the_machines_zone(beijing, tz):
    env = {"CASHBOOK_NOW": EARLY, "TZ": tz}
    r = run_cli(*RECEIVE, book=beijing, env=env)
    assert r.code == 0, r.out + r.err
    assert (r.json["date"], r.json["time"]) == ("2026-11-30", "2026-11-30T07:30:00+08:00")
    assert r.json["id"].startswith("20261130-")
    assert (beijing / "journals" / "2026" / "2026-11-30.toml").is_file()
    # the book's today is 11-30: that day may be named, the next is the future
    r = run_cli(*RECEIVE, "--date", "2026-11-30", "--time", "07:00", book=beijing, env=env)
    assert r.code == 0, r.out + r.err
    assert r.json["time"] == "2026-11-30T07:00:00+08:00"
    r = run_cli(*RECEIVE, "--date", "2026-12-01", book=beijing, env=env)
    assert r.code == 2 and r.json["problems"][0]["code"] == "future-date"
    assert "2026-11-30" in r.json["problems"][0]["message"]


@pytest.mark.parametrize(("tz", "stored"), [("UTC", "2026-11-30T07:30:00+08:00"),
                                              ("America/New_York", "2026-11-30T12:30:00+08:00")])
def test_a_clock_without_offset_is_the_machines_local_time_converted_to_the_book(beijing, tz, stored):
    r = run_cli(*RECEIVE, book=beijing, env={"CASHBOOK_NOW": "2026-11-29T23:30:00", "TZ": tz})
    assert r.code == 0, r.out + r.err
    assert r.json["time"] == stored


def test_a_book_west_of_utc_is_still_yesterday(book):
    set_offset(book, "-05:00")
    env = {"CASHBOOK_NOW": "2026-12-01T02:00:00+00:00", "TZ": "Asia/Shanghai"}
    r = run_cli(*RECEIVE, book=book, env=env)
    assert r.code == 0, r.out + r.err
    assert r.json["time"] == "2026-11-30T21:00:00-05:00"
    r = run_cli(*RECEIVE, "--date", "2026-12-01", book=book, env=env)
    assert r.code == 2 and r.json["problems"][0]["code"] == "future-date"


def test_without_a_book_offset_the_machines_zone_decides(book):
    """No utc_offset: the machine's zone (TZ) with the offset of the entry's own day."""
    env = {"CASHBOOK_NOW": "2026-11-29T23:30:00", "TZ": "America/New_York"}
    r = run_cli(*RECEIVE, book=book, env=env)
    assert r.code == 0, r.out + r.err
    assert r.json["time"] == "2026-11-29T23:30:00-05:00"
    r = run_cli(*RECEIVE, "--date", "2026-11-30", book=book, env=env)
    assert r.code == 2 and r.json["problems"][0]["code"] == "future-date"
    r = run_cli(*RECEIVE, "--date", "2026-11-02", "--time", "09:00", book=book, env=env)
    assert r.json["time"] == "2026-11-02T09:00:00-05:00"
    r = run_cli(*RECEIVE, "--date", "2026-10-30", book=book, env=env)  # summer time still: that day's offset
    assert r.code == 0, r.out + r.err
    assert r.json["time"] == "2026-10-30T12:00:00-04:00"


def test_a_clock_with_its_own_offset_stands_in_for_the_machine_when_the_book_sets_none(book):
    r = run_cli(*RECEIVE, book=book, env={"CASHBOOK_NOW": EARLY, "TZ": "Asia/Shanghai"})
    assert r.code == 0, r.out + r.err
    assert r.json["time"] == "2026-11-29T23:30:00+00:00"


def test_close_day_count_and_reports_use_the_books_today(beijing):
    env = {"CASHBOOK_NOW": EARLY, "TZ": "UTC"}
    # bring every earlier day to a close, so that today's close can seal
    for day in ("2026-11-01",):
        assert run_cli("count", day, "100x15", book=beijing, env=env).code == 0
        assert run_cli("close", "day", day, book=beijing, env=env).code == 0
    r = run_cli("count", "100x15", "--format", "json", book=beijing, env=env)  # no DATE: today
    assert r.code == 0, r.out + r.err
    assert r.json["date"] == "2026-11-30" and r.json["time"] == "2026-11-30T07:30:00+08:00"
    r = run_cli("close", "day", "--format", "json", book=beijing, env=env)  # no DATE: today
    assert r.code == 0, r.out + r.err
    assert r.json["date"] == "2026-11-30" and r.json["sealed"] is True
    seal = (beijing / "journals" / "2026" / "2026-11-30.toml").read_text(encoding="utf-8")
    assert 'time = "2026-11-30T07:30:00+08:00"' in seal
    r = run_cli("report", "balances", "--format", "json", book=beijing, env=env)
    assert r.code == 0 and r.json["date"] == "2026-11-30"
    r = run_cli("report", "day", "--format", "json", book=beijing, env=env)
    assert r.json["date"] == "2026-11-30" and r.json["sealed"] is True


def test_a_clock_outside_the_years_is_refused_cleanly(beijing):
    r = run_cli(*RECEIVE, book=beijing, env={"CASHBOOK_NOW": "0001-01-01T00:00:00+14:00"})
    assert r.code == 2 and "Traceback" not in r.err
