"""Reports over a date range read that range plus a snapshot at its start (issue 14, 5), and
answer as a whole-book read does."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from conftest import ROOT


def demo(tmp_path):
    book = tmp_path / "demo"
    shutil.copytree(ROOT / "journals", book / "journals")
    shutil.copy(ROOT / "policies.toml", book / "policies.toml")
    return book


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


def uncached(cli, *args, book):
    os.environ["CASHBOOK_NO_CACHE"] = "1"
    try:
        return cli(*args, book=book)
    finally:
        del os.environ["CASHBOOK_NO_CACHE"]


@pytest.mark.skipif(not (ROOT / "journals").is_dir(), reason="no demo book")
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
