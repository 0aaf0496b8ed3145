"""Reports over a date range read that range plus a snapshot at its start (issue 14, 5), and
answer as a whole-book read does."""

from __future__ import annotations

import datetime as dt
import os
import sys

import pytest

from conftest import ROOT, copy_demo


def demo(tmp_path):
    return copy_demo(tmp_path / "demo")


def spy_day_reads(monkeypatch) -> list[str]:
    """Names of the day files parsed from disk, wherever the store's loader keeps its reader."""
    from cashbook.store import journal

    read: list[str] = []
    real = journal.read_day

    def spy(path, *args, **kwargs):
        read.append(path.name)
        return real(path, *args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("cashbook.store") and getattr(module, "read_day", None) is real:
            monkeypatch.setattr(module, "read_day", spy)
    return read


def spy_applied(monkeypatch, what):
    """``what(entry)`` of each entry the book state folds in (`BookState.apply` spied), in order,
    and a function that ends the spying."""
    from cashbook.core.state import BookState

    seen: list = []
    real = BookState.apply

    def spy(self, entry, *args, **kwargs):
        seen.append(what(entry))
        return real(self, entry, *args, **kwargs)

    monkeypatch.setattr(BookState, "apply", spy)
    return seen, lambda: monkeypatch.setattr(BookState, "apply", real)


def uncached(cli, *args, book):
    os.environ["CASHBOOK_NO_CACHE"] = "1"
    try:
        return cli(*args, book=book)
    finally:
        del os.environ["CASHBOOK_NO_CACHE"]


def test_the_journal_of_a_month_so_far_reads_only_that_month(cli, tmp_path, monkeypatch):
    book = demo(tmp_path)
    args = ("report", "journal", "--account", "cash", "--from", "2026-11-01", "--format", "json")
    first = cli(*args, book=book)  # the cache learns the files and keeps a snapshot at October's end
    assert first.code == 0, first.err
    read = spy_day_reads(monkeypatch)
    again = cli(*args, book=book)
    assert again.code == 0 and again.out == first.out
    assert read and all(name >= "2026-11-01" for name in read), sorted(set(read))
    cash = again.json["accounts"][0]
    assert cash["account"] == "cash" and cash["lines"] and all(line["date"] >= "2026-11-01" for line in cash["lines"])


@pytest.mark.skipif(not (ROOT / "journals").is_dir(), reason="no demo book")
@pytest.mark.parametrize("span", [("--from", "2026-10-15"), ("--from", "2026-10-15", "--to", "2026-11-03"),
                                  ("--from", "2026-10-15", "--to", "2026-10-01"), ("--from", "2026-09-01"),
                                  ("--account", "icbc", "--from", "2025-01-01"), ("--from", "2026-12-01")])
def test_a_range_journal_is_the_whole_book_journal_cut_to_the_range(cli, tmp_path, span):
    """The opening balance from a snapshot equals the running balance a whole-book replay
    reaches: same figures, cached or not, and the same as the whole journal's lines."""
    book = demo(tmp_path)
    whole = cli("report", "journal", "--format", "json", book=book).json
    cli("report", "balances", book=book)  # snapshots in the cache
    for fmt in ("json", "csv", "table"):
        cached = cli("report", "journal", *span, "--format", fmt, book=book)
        fresh = uncached(cli, "report", "journal", *span, "--format", fmt, book=book)
        assert (cached.code, cached.out, cached.err) == (fresh.code, fresh.out, fresh.err), fmt
    got = cli("report", "journal", *span, "--format", "json", book=book).json
    start = span[span.index("--from") + 1]
    end = span[span.index("--to") + 1] if "--to" in span else "9999-12-31"
    for acct in got["accounts"]:
        full = next(a for a in whole["accounts"] if a["account"] == acct["account"])
        inside = [line for line in full["lines"] if start <= line["date"] <= end]
        if end >= start:
            assert acct["lines"] == inside
            before = [line for line in full["lines"] if line["date"] < start]
            assert acct["opening"] == (before[-1]["balance"] if before else full["opening"])


def test_a_month_whose_last_day_file_is_not_its_last_day_keeps_its_end(cli, tmp_path, monkeypatch):
    """October 2026 ends on a Saturday; its last day file is Friday's. The snapshot there was
    pruned as 'not a month end' by the next append, so every journal from November replayed
    October again (7 s for a month's journal at 100k entries; found by the session-6 benchmark)."""
    book = tmp_path / "b"
    assert cli("init", str(book)).code == 0
    assert cli("opening", "cash", "1500", "--date", "2026-10-01", book=book).code == 0
    for day in ("2026-10-29", "2026-10-30"):
        assert cli("receive", "10", "--from", "A", "--category", "rent", "--date", day, book=book).code == 0
    args = ("report", "journal", "--account", "cash", "--from", "2026-11-02", "--format", "json")
    for day in ("2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-09"):
        assert cli("receive", "10", "--from", "A", "--category", "rent", "--date", day, book=book).code == 0
        assert cli(*args, book=book).code == 0
    from cashbook.store.book import Book

    kept = {d for d, _ in Book(book).cache.snapshots()}
    assert dt.date(2026, 10, 30) in kept, sorted(kept)
    read = spy_day_reads(monkeypatch)
    r = cli(*args, book=book)
    assert r.code == 0 and read and all(name >= "2026-11-02" for name in read), sorted(set(read))
    assert r.out == uncached(cli, *args, book=book).out


def test_after_a_check_rebuilt_the_cache_the_month_so_far_replays_only_that_month(cli, tmp_path, monkeypatch):
    """A check that builds the cache keeps the state at the end of the month before the last
    file's: the cashier's journal of the month so far then starts there, instead of
    replaying the whole book (96 s at 1M entries after a rebuilt cache)."""
    book = demo(tmp_path)
    assert cli("check", book=book).code == 0  # the cache's first command
    applied, stop = spy_applied(monkeypatch, lambda entry: entry.id)
    args = ("report", "journal", "--account", "cash", "--from", "2026-11-01", "--format", "json")
    r = cli(*args, book=book)
    assert r.code == 0, r.err
    assert not [i for i in applied if i < "20261101"], sorted(applied)[:3]  # no entry before November folded again
    stop()
    assert r.json == uncached(cli, *args, book=book).json


def test_a_long_replay_keeps_the_garbage_collector_off(cli, tmp_path, monkeypatch):
    """The cache's first command replays the whole book (after an upgrade: every entry of
    years): the collector walking those millions of live objects again and again took about
    a minute of a first `receive` at 1M entries. It is off while a long replay makes them,
    and on again after the command."""
    import gc

    book = demo(tmp_path)  # 90 day files, a cache that has seen none
    collecting, stop = spy_applied(monkeypatch, lambda entry: gc.isenabled())
    r = cli("report", "balances", "--format", "json", book=book)
    assert r.code == 0, r.err
    assert len(collecting) > 1000 and not any(collecting), collecting.count(True)
    assert gc.isenabled()
    stop()
    assert r.json == uncached(cli, "report", "balances", "--format", "json", book=book).json
