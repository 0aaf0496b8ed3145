"""`check` after a small change resumes the record of an earlier check of the same first files
(`store/checkmemo.py`) and judges only the files after them: the answer is the whole-book
check's, byte for byte, or the whole-book check runs."""

from __future__ import annotations

import os
import re

import pytest

from conftest import copy_demo
from harness import invoke

LATE = "2026-11-30T18:00:00+08:00"  # after the demo's last day, so that an append is to the last file


@pytest.fixture
def cli(monkeypatch):
    def call(*args: str, book=None):
        monkeypatch.setenv("CASHBOOK_NOW", LATE)
        monkeypatch.setenv("COLUMNS", "200")
        return invoke(*args, book=book)

    return call


@pytest.fixture
def resumed(monkeypatch):
    """Which checks resumed a record (True) or read the whole book (False)."""
    from cashbook.store import checkmemo

    seen: list[bool] = []
    real = checkmemo.CheckMemo._check_on_record

    def spy(self, *args, **kwargs):
        found = real(self, *args, **kwargs)
        seen.append(found is not None)
        return found

    monkeypatch.setattr(checkmemo.CheckMemo, "_check_on_record", spy)
    monkeypatch.setenv("CASHBOOK_WORKERS", "1")
    return seen


def same_as_whole(cli, book, monkeypatch, *fmt):
    cached = cli("check", *fmt, book=book)
    monkeypatch.setenv("CASHBOOK_NO_CACHE", "1")
    whole = cli("check", *fmt, book=book)
    monkeypatch.delenv("CASHBOOK_NO_CACHE")
    assert (cached.code, cached.out, cached.err) == (whole.code, whole.out, whole.err)
    return cached


def test_a_check_after_an_append_judges_only_the_day_and_says_what_the_whole_check_says(cli, tmp_path, monkeypatch, resumed):
    book = copy_demo(tmp_path)
    first = cli("check", "--format", "json", book=book)
    assert first.code == 0 and resumed == [False]
    assert cli("receive", "12.50", "--from", "A", "--category", "rent", "--date", "2026-11-29", book=book).code == 0
    r = same_as_whole(cli, book, monkeypatch, "--format", "json")
    assert resumed[-1] is True and r.code == 0
    assert r.json["entries"] == first.json["entries"] + 1 and r.json["files"] == first.json["files"]
    assert cli("receive", "7", "--from", "B", "--category", "rent", "--date", "2026-11-30", book=book).code == 0  # a new day file
    same_as_whole(cli, book, monkeypatch)
    assert resumed[-1] is True


def _hand_append(path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def test_problems_of_the_first_files_and_of_the_new_ones_are_all_there(cli, tmp_path, monkeypatch, resumed):
    book = copy_demo(tmp_path)
    # an error in the first files (the record keeps it): a cash payment far over every limit, no approval
    _hand_append(book / "journals/2026/2026-11-29.toml",
                 '\n[[entry]]\nid = "20261129-090"\nkind = "payment"\ntime = "2026-11-29T19:00:00+08:00"\nmemo = "x"\n'
                 'account = "cash"\namount = "99999.00"\nparty = "Q"\ncategory = "office"\n')
    before = cli("check", "--format", "json", book=book)
    assert before.code == 1 and resumed[-1] is False and before.json["problems"]
    # ... and a new day file using an id of an earlier day (found through the cache's index)
    (book / "journals/2026/2026-11-30.toml").write_text(
        '[[entry]]\nid = "20261129-090"\nkind = "receipt"\ntime = "2026-11-30T09:00:00+08:00"\nmemo = "y"\n'
        'amount = "5.00"\nparty = "Z"\ncategory = "rent"\n', encoding="utf-8")
    r = same_as_whole(cli, book, monkeypatch, "--format", "json")
    assert resumed[-1] is True
    assert r.json["problems"][:len(before.json["problems"])] == before.json["problems"]
    dup = [p for p in r.json["problems"] if p["code"] == "duplicate-id"]
    assert dup and "journals/2026/2026-11-29.toml:" in dup[0]["message"], r.json["problems"]
    same_as_whole(cli, book, monkeypatch)  # the table too
    assert resumed[-1] is True


def test_an_earlier_file_edited_in_place_is_judged_again(cli, tmp_path, monkeypatch, resumed):
    book = copy_demo(tmp_path)
    assert cli("check", book=book).code == 0
    path = book / "journals/2026/2026-11-10.toml"
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    i = re.search(r'amount = "(\d)', text).start(1)
    path.write_text(text[:i] + str(int(text[i]) % 8 + 1) + text[i + 1:], encoding="utf-8")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    r = same_as_whole(cli, book, monkeypatch, "--format", "json")
    assert r.code == 1 and "seal-broken" in {p["code"] for p in r.json["problems"]}
    assert resumed[-1] is False  # the first files are no longer what the record names


def test_an_edited_record_is_not_believed(cli, tmp_path, monkeypatch, resumed):
    import sqlite3

    from cashbook.store.cache import cache_dir

    book = copy_demo(tmp_path)
    _hand_append(book / "journals/2026/2026-11-29.toml",
                 '\n[[entry]]\nid = "20261129-090"\nkind = "payment"\ntime = "2026-11-29T19:00:00+08:00"\nmemo = "x"\n'
                 'account = "cash"\namount = "99999.00"\nparty = "Q"\ncategory = "office"\n')
    assert cli("check", book=book).code == 1
    db = sqlite3.connect(cache_dir(book) / "cache.sqlite")
    with db:  # the record's problems emptied: a clean answer under today's key
        changed = db.execute("UPDATE memos SET data = '[[],[[],1640,[]]]' WHERE name LIKE 'check:%'").rowcount
    db.close()
    assert changed > 0
    r = same_as_whole(cli, book, monkeypatch)
    assert r.code == 1 and resumed[-1] is False


def test_sealed_figures_of_the_first_files_and_of_the_new_ones_are_all_there(cli, tmp_path, monkeypatch, resumed):
    """A sealed day's figures depend on the files up to it: the record keeps what was found of
    the first files' seals, and the days sealed after it are compared afresh."""
    import datetime as dt

    from test_cache_trust import seal_from_wrong_figures

    book = tmp_path / "book"
    assert cli("init", str(book)).code == 0
    assert cli("opening", "cash", "1500", "--date", "2026-11-02", book=book).code == 0
    assert cli("count", "2026-11-02", "100x20", book=book).code == 0  # 2,000.00 counted; the book says 1,500.00
    seal_from_wrong_figures(book, dt.date(2026, 11, 2), monkeypatch)
    assert cli("receive", "10", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book).code == 0
    first = cli("check", "--format", "json", book=book)
    assert first.code == 1 and resumed[-1] is False
    assert [p["file"] for p in first.json["problems"] if p["code"] == "seal-figures"] == ["journals/2026/2026-11-02.toml"]
    assert cli("receive", "10", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book).code == 0
    r = same_as_whole(cli, book, monkeypatch, "--format", "json")
    assert resumed[-1] is True and [p["code"] for p in r.json["problems"]].count("seal-figures") == 1
    assert cli("count", "2026-11-03", "100x20", "10x2", book=book).code == 0  # 2,020.00; the book says 1,520.00
    seal_from_wrong_figures(book, dt.date(2026, 11, 3), monkeypatch)
    r = same_as_whole(cli, book, monkeypatch, "--format", "json")
    assert resumed[-1] is True, "the new close is judged on the record of the first files"
    assert [p["file"] for p in r.json["problems"] if p["code"] == "seal-figures"] == [
        "journals/2026/2026-11-02.toml", "journals/2026/2026-11-03.toml"]
