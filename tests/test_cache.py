"""The cache (in the user's cache folder, see `cache_dir`): derived, disposable, invalidated by any change to a day file."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import ROOT, copy_demo, run_cli

from cashbook.store.cache import cache_dir

GM = ("--approved-by", "gm:王总")


def balances(cli, book, *extra):
    r = cli("report", "balances", "--format", "json", *extra, book=book)
    assert r.code == 0, r.err
    return {a["account"]: a["balance"] for a in r.json["accounts"]}


@pytest.fixture
def warm(cli, book):
    for day in ("2026-11-02", "2026-11-03", "2026-11-04"):
        assert cli("receive", "100", "--from", "A", "--category", "rent", "--account", "bank", "--date", day, book=book).code == 0
    assert balances(cli, book) == {"cash": "1500.00", "bank": "50300.00"}
    assert (cache_dir(book) / "cache.sqlite").exists() and not (book / ".cashbook").exists()
    return book


def test_an_edited_file_is_seen(cli, warm):
    path = warm / "journals/2026/2026-11-03.toml"
    path.write_text(path.read_text().replace('amount = "100.00"', 'amount = "250.00"'))
    assert balances(cli, warm)["bank"] == "50450.00"


def test_a_deleted_file_is_seen(cli, warm):
    (warm / "journals/2026/2026-11-03.toml").unlink()
    assert balances(cli, warm)["bank"] == "50200.00"


def test_a_new_file_is_seen(cli, warm):
    src = (warm / "journals/2026/2026-11-04.toml").read_text()
    (warm / "journals/2026/2026-11-05.toml").write_text(src.replace("20261104", "20261105").replace("2026-11-04T", "2026-11-05T"))
    assert balances(cli, warm)["bank"] == "50400.00"


def test_same_size_and_mtime_but_other_content_in_a_sealed_day_is_seen(cli, warm):
    assert cli("count", "2026-11-01", "100x15", book=warm).code == 0
    assert cli("close", "day", "2026-11-01", book=warm).code == 0
    for day in ("2026-11-02", "2026-11-03"):
        assert cli("count", day, "100x15", book=warm).code == 0
        assert cli("close", "day", day, book=warm).code == 0
    assert balances(cli, warm)["bank"] == "50300.00"
    path = warm / "journals/2026/2026-11-02.toml"
    st = path.stat()
    text = path.read_text()
    forged = text.replace('amount = "100.00"', 'amount = "900.00"')
    assert len(forged) == len(text)
    tmp = path.with_name("forged.tmp")
    tmp.write_text(forged)
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, path)
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    r = cli("report", "balances", "--format", "json", book=warm)  # the cache saw the new content ...
    assert r.code == 2 and "seal-broken" in r.out  # ... and no report shows its figures (issue 13)
    r = cli("check", book=warm)
    assert r.code == 1 and "seal-broken" in r.out  # ... and check names the tampering


def test_clock_skew_does_not_hide_a_change(cli, warm):
    path = warm / "journals/2026/2026-11-03.toml"
    st = path.stat()
    path.write_text(path.read_text().replace('amount = "100.00"', 'amount = "300.00"'))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 10**12))  # the clock went back a quarter of an hour
    assert balances(cli, warm)["bank"] == "50500.00"
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**15))  # ... or far into the future
    path.write_text(path.read_text().replace('amount = "300.00"', 'amount = "400.00"'))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**15))
    assert balances(cli, warm)["bank"] == "50600.00"


def test_a_corrupt_or_deleted_cache_is_rebuilt(cli, warm):
    (cache_dir(warm) / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    for extra in ("-wal", "-shm"):
        (cache_dir(warm) / f"cache.sqlite{extra}").unlink(missing_ok=True)
    assert balances(cli, warm)["bank"] == "50300.00"
    shutil.rmtree(cache_dir(warm))
    assert balances(cli, warm)["bank"] == "50300.00"
    assert cli("receive", "1", "--from", "A", "--category", "rent", "--account", "bank", "--date", "2026-11-05", book=warm).code == 0
    assert balances(cli, warm)["bank"] == "50301.00"


def test_recording_reads_only_the_day_it_writes(cli, warm, monkeypatch):
    from cashbook.store import parallel, scan

    read = []
    real = scan.read_day

    def spy(path, shown=None):
        read.append(path.name)
        return real(path, shown)

    monkeypatch.setattr(scan, "read_day", spy)
    monkeypatch.setattr(parallel, "read_day", spy)
    assert cli("receive", "5", "--from", "A", "--category", "rent", "--account", "bank", "--date", "2026-11-04", book=warm).code == 0
    assert set(read) <= {"2026-11-04.toml"}  # the day's own file (its ids), no other
    read.clear()
    assert cli("receive", "5", "--from", "A", "--category", "rent", "--account", "bank", "--date", "2026-11-04", book=warm).code == 0
    assert set(read) <= {"2026-11-04.toml"}


def test_cache_and_no_cache_agree_on_the_demo_book(cli, tmp_path):
    book = copy_demo(tmp_path / "demo")
    cold = cli("check", "--format", "json", "--no-cache", book=book)
    assert not cache_dir(book).exists() and not (book / ".cashbook").exists()  # --no-cache neither reads nor writes the cache
    first = cli("check", "--format", "json", book=book)
    warm = cli("check", "--format", "json", book=book)
    assert cold.json == first.json == warm.json and cold.code == warm.code
    for cmd in (("report", "balances", "--date", "2026-10-31"), ("report", "month", "2026-10"), ("report", "day", "2026-10-15"),
                ("report", "journal", "--account", "cash", "--from", "2026-10-01", "--to", "2026-10-31")):
        with_cache = cli(*cmd, "--format", "json", book=book)
        os.environ["CASHBOOK_NO_CACHE"] = "1"
        try:
            without = cli(*cmd, "--format", "json", book=book)
        finally:
            del os.environ["CASHBOOK_NO_CACHE"]
        assert with_cache.json == without.json, cmd


def test_cache_after_appends_agrees_with_a_fresh_read(cli, warm):
    for i in range(3):
        assert cli("receive", f"{i + 1}", "--from", "A", "--category", "rent", "--doc", f"SJ00{i}", "--date", "2026-11-05", book=warm).code == 0
    cached = cli("check", "--format", "json", book=warm).json
    fresh = cli("check", "--format", "json", "--no-cache", book=warm).json
    assert cached == fresh and cached["entries"] == 8
    assert cli("receive", "1", "--from", "A", "--category", "rent", "--doc", "SJ001", "--date", "2026-11-05", book=warm).code == 2


# -- results kept under a signature: rule checks per day file, finished month reports ------------

def month_json(cli, book, month="2026-11"):
    r = cli("report", "month", month, "--format", "json", book=book)
    assert r.code in (0, 1), r.err
    return r.json


def test_a_month_report_is_recomputed_after_any_change_it_read(cli, warm, monkeypatch):
    first = month_json(cli, warm)
    assert month_json(cli, warm) == first  # a repeat: the same report
    path = warm / "journals/2026/2026-11-03.toml"
    path.write_text(path.read_text().replace('amount = "100.00"', 'amount = "250.00"'))
    edited = month_json(cli, warm)
    bank = next(a for a in edited["accounts"] if a["account"] == "bank")
    assert bank["closing"] == "50450.00" and edited != first
    shutil.rmtree(warm / "journals" / "policies")  # without kept versions, policies.toml judges every day
    policy = warm / "policies.toml"
    policy.write_text(policy.read_text().replace('limit = "2000.00"', 'limit = "1400.00"', 1))
    stricter = month_json(cli, warm)
    assert stricter["exceptions"] != edited["exceptions"]
    monkeypatch.setenv("CASHBOOK_NO_CACHE", "1")
    assert month_json(cli, warm) == stricter


def test_checks_of_an_unchanged_day_follow_an_edit_of_an_earlier_day(cli, book):
    """Day 3's checks depend on day 2's cash: a hand edit of day 2 must re-check day 3."""
    d2, d3 = ("--date", "2026-11-02"), ("--date", "2026-11-03")
    assert cli("receive", "100", "--from", "A", "--category", "rent", *d2, book=book).code == 0
    assert cli("receive", "100", "--from", "B", "--category", "rent", "--format", "json", *d3, book=book).code == 0
    day3 = cli("report", "journal", "--format", "json", book=book)
    assert not [p for p in month_json(cli, book)["exceptions"] if p["code"] == "cash-over-limit"]
    path = book / "journals/2026/2026-11-02.toml"
    path.write_text(path.read_text().replace('amount = "100.00"', 'amount = "900.00"'))
    flagged = {p["entry"] for p in month_json(cli, book)["exceptions"] if p["code"] == "cash-over-limit"}
    assert flagged == {"20261102-001", "20261103-001"}, day3.out


def test_a_month_shows_the_receipt_gaps_its_receipts_close(cli, book):
    def receive(doc, day):
        r = cli("receive", "10", "--from", "A", "--category", "rent", "--doc", doc, "--date", day, book=book)
        assert r.code == 0, r.err

    receive("SJ0001", "2026-11-02")
    receive("SJ0004", "2026-11-03")  # gap SJ0002..SJ0003, closed in November
    receive("SJ0007", "2026-11-04")  # gap SJ0005..SJ0006
    receive("SJ0005", "2026-11-05")  # fills part of it: SJ0006 stays missing
    gaps = month_json(cli, book)["receipt_gaps"]
    assert gaps == [{"first_missing": "SJ0002", "last_missing": "SJ0003"}, {"first_missing": "SJ0006", "last_missing": "SJ0006"}]
    december = {"CASHBOOK_NOW": "2026-12-10T10:00:00+08:00"}
    r = run_cli("receive", "10", "--from", "A", "--category", "rent", "--doc", "SJ0010", "--date", "2026-12-02", book=book, env=december)
    assert r.code == 0, r.err
    dec = run_cli("report", "month", "2026-12", "--format", "json", book=book, env=december)
    assert dec.json["receipt_gaps"] == [{"first_missing": "SJ0008", "last_missing": "SJ0009"}]  # not November's again
    assert month_json(cli, book)["receipt_gaps"] == gaps
    no_cache = run_cli("report", "month", "2026-11", "--format", "json", book=book, env={"CASHBOOK_NO_CACHE": "1"})
    assert no_cache.json["receipt_gaps"] == gaps


def test_a_snapshot_restores_every_field_of_the_state():
    """Fields are decoded on first use; one with a class default must not read as the default."""
    import datetime as dt
    from decimal import Decimal

    from cashbook.core.state import BookState, DayFigures, OpenItem
    from cashbook.store.snapshot import OpenItems, SnapshotState, snapshot_fields
    from cashbook.store.cache import decode, encode

    state = BookState(balances={"cash": Decimal("12.30")}, last_seal="abc", last_sealed=dt.date(2026, 11, 2),
                      last_date=dt.date(2026, 11, 3), voided={"a": "b"},
                      advances=OpenItems({"x": OpenItem("x", dt.date(2026, 11, 1), "李四", "trip", Decimal("300"), Decimal("100"))}),
                      days={(dt.date(2026, 11, 2), "cash"): DayFigures(opening=Decimal("1.10"), takings=Decimal("2.20"))})
    parts = {name: (lambda text=encode(value): decode(text)) for name, value in snapshot_fields(state, keep_unread=False).items()}
    again = SnapshotState.from_parts(parts)
    for name in BookState.__dataclass_fields__:
        if name not in ("entries", "cheques", "receipt_numbers"):  # the cache re-attaches these
            assert getattr(again, name) == getattr(state, name), name
    assert again.advances["x"].outstanding == Decimal("100") and again.is_sealed(dt.date(2026, 11, 2))


def test_check_reuses_checks_only_for_an_unchanged_book(cli, book):
    d2, d3 = ("--date", "2026-11-02"), ("--date", "2026-11-03")
    assert cli("receive", "100", "--from", "A", "--category", "rent", *d2, book=book).code == 0
    assert cli("receive", "100", "--from", "B", "--category", "rent", *d3, book=book).code == 0

    def problems(*extra):
        r = cli("check", "--format", "json", *extra, book=book)
        return sorted((p["code"], p.get("entry", "")) for p in r.json["problems"])

    assert problems() == problems() == problems("--no-cache")
    path = book / "journals/2026/2026-11-02.toml"
    path.write_text(path.read_text().replace('amount = "100.00"', 'amount = "900.00"'))
    after = problems()
    assert ("cash-over-limit", "20261103-001") in after and after == problems("--no-cache")


def test_a_cache_filled_from_another_directory_still_verifies_seals(tmp_path, book):
    """The cache must not keep the path a file was parsed under: `--book` spelled another
    way (or another cwd) once made every sealed day look edited."""
    env = {"CASHBOOK_NOW": "2026-11-20T10:00:00+08:00"}
    for day in ("2026-11-01", "2026-11-02"):
        assert run_cli("count", day, "100x15", book=book, env=env).code == 0
        assert run_cli("close", "day", day, book=book, env=env).code == 0
    import subprocess
    import sys

    def check(cwd, where):
        return subprocess.run([sys.executable, "-m", "cashbook", "check", "--book", where], cwd=cwd,
                              capture_output=True, text=True, env={**os.environ, **env})

    first = check(book, ".")  # fills the cache with paths relative to the book
    assert first.returncode == 0, first.stdout + first.stderr
    again = check(tmp_path, str(book.relative_to(tmp_path)))
    assert again.returncode == 0 and "seal-broken" not in again.stdout, again.stdout


def test_a_snapshot_part_pruned_under_a_reader_does_not_matter(cli, warm):
    """A reader verifies and holds every part of the snapshot it starts from (fields are only
    decoded on first use): another command pruning them meanwhile changes nothing for it."""
    import datetime as dt
    import sqlite3

    from cashbook.store.book import Book

    state = Book(warm).state_before(dt.date(2026, 11, 20))
    assert "_lazy" in vars(state) and "deposits" in vars(state)["_lazy"]
    db = sqlite3.connect(cache_dir(warm) / "cache.sqlite")
    db.execute("DELETE FROM parts")
    db.commit()
    db.close()
    assert len(state.deposits) == 0 and state.balances["bank"] == 50300
    assert balances(cli, warm) == {"cash": "1500.00", "bank": "50300.00"}  # the next command rebuilds


def test_a_report_keeps_a_snapshot_of_the_day_it_replayed(cli, warm):
    """After a change to the latest day, the first report replays that day and keeps the
    result, so the next one reads a snapshot instead of replaying again."""
    import datetime as dt

    from cashbook.store.book import Book

    path = warm / "journals/2026/2026-11-04.toml"
    path.write_text(path.read_text().replace('amount = "100.00"', 'amount = "250.00"'))
    assert balances(cli, warm)["bank"] == "50450.00"
    b = Book(warm)
    current = b.files_key(b.scan())
    assert (dt.date(2026, 11, 4), current) in b.cache.snapshots()


def test_check_reads_every_file_on_every_run(cli, warm, monkeypatch):
    """`check` never answers from the cache: a repeat reads (and hashes) every day file again,
    and a change to a file, the seal log or the policy shows; the answers always equal a
    check without the cache."""
    from pathlib import Path

    from cashbook.store import checkmemo, scan

    read = []
    real = scan.read_regular

    def spy(path, *args, **kwargs):
        if Path(path).parent.name == "2026":
            read.append(Path(path).name)
        return real(path, *args, **kwargs)

    for reader in (scan, checkmemo):  # the whole-book check, and the one resuming a record of the first files
        monkeypatch.setattr(reader, "read_regular", spy)
    monkeypatch.setenv("CASHBOOK_WORKERS", "1")  # reads in this process, where the spy sees them

    def check():
        read.clear()
        r = cli("check", "--format", "json", book=warm)
        return r.code, r.json

    first = check()
    files = sorted(p.name for p in (warm / "journals" / "2026").glob("*.toml"))  # the day files (not kept policy versions)
    assert check() == first and sorted(set(read)) == files
    path = warm / "journals/2026/2026-11-03.toml"
    path.write_text(path.read_text().replace('category = "rent"', 'category = "no-such-category"'))
    edited = check()
    assert edited != first and edited[1]["errors"] > 0
    log = warm / "journals" / "seals.log"
    log.write_text("# cashbook seal log\n2026-11-02 " + "a" * 64 + "\n")
    logged = check()
    assert any(p["code"] == "seal-broken" for p in logged[1]["problems"])
    shutil.rmtree(warm / "journals" / "policies")  # without kept versions, policies.toml judges every day
    policy = warm / "policies.toml"
    policy.write_text(policy.read_text().replace("[categories]\n", '[categories]\nno-such-category = { type = "income", name = "now known" }\n', 1))
    relaxed = check()
    assert relaxed[1]["errors"] < logged[1]["errors"]
    monkeypatch.setenv("CASHBOOK_NO_CACHE", "1")
    assert check() == relaxed


def test_a_month_report_is_kept_and_answered_again_unchanged(cli, tmp_path, monkeypatch):
    """The month report is kept with what it read and a repeat is a look-up. It held text with its
    Chinese (`Bi`) and problem notes, which the cache's codec did not know: nothing was kept and
    every `report month` was computed again (3 s at 100k entries; found by the session-6 benchmark)."""

    from cashbook.cli import report

    book = copy_demo(tmp_path)
    firsts = {fmt: cli("report", "month", "2026-10", *fmt, book=book) for fmt in ((), ("-f", "json"), ("--lang", "zh"))}
    calls = []
    real = report._month_like
    monkeypatch.setattr(report, "_month_like", lambda *a, **k: calls.append(1) or real(*a, **k))
    for fmt, first in firsts.items():
        again = cli("report", "month", "2026-10", *fmt, book=book)
        assert (again.code, again.out, again.err) == (first.code, first.out, first.err), fmt
    assert calls == []


def test_the_codec_keeps_text_with_its_chinese_and_problem_notes():
    from cashbook.core.describe import Bi
    from cashbook.core.problems import Problem
    from cashbook.reports.model import ProblemMessage, ProblemNote
    from cashbook.store.cache import decode, encode

    types = (Bi, ProblemNote, ProblemMessage)
    problem = Problem("statement-missing", "no statement", "journals/bank", None, None, "warn", {"month": "2026-10"})
    values = [Bi("rent", "场地租金"), ProblemNote(problem), ProblemMessage(problem)]
    back = decode(encode(values, types), types)
    assert [type(v) for v in back] == [Bi, ProblemNote, ProblemMessage] and back == values
    assert back[0].zh == "场地租金" and back[1].problem == problem and back[2].problem == problem


@pytest.mark.parametrize("source", ["default", "demo"])
def test_the_codec_gives_back_the_policy_it_was_given(source):
    """A policy kept in the cache is the validated one, model for model and field for field
    (which fields policies.toml set included): a command that takes it sees the same rules."""
    from pydantic import BaseModel

    from cashbook.store.cache import decode, encode
    from cashbook.store.policyfile import default_policy_text, parse_policy

    text = default_policy_text() if source == "default" else (ROOT / "policies.toml").read_text(encoding="utf-8")
    policy = parse_policy(text)
    back = decode(encode(policy))
    assert back == policy and back.model_dump() == policy.model_dump()
    pairs = [(policy, back)]
    while pairs:  # each model of the same class, with the same fields set, all the way down
        a, b = pairs.pop()
        assert type(a) is type(b) and a.model_fields_set == b.model_fields_set
        for name in type(a).model_fields:
            x, y = getattr(a, name), getattr(b, name)
            xs, ys = (list(x.values()), list(y.values())) if isinstance(x, dict) else (list(x), list(y)) if isinstance(x, tuple) else ([x], [y])
            assert [type(v) for v in xs] == [type(v) for v in ys]
            pairs += [(v, w) for v, w in zip(xs, ys) if isinstance(v, BaseModel)]


@pytest.mark.parametrize("name", ["BaseModel", "Decimal", "re", "Rule\0", "EntryBase"])
def test_the_codec_builds_no_model_but_the_policys(name):
    import json

    from cashbook.store.cache import decode

    with pytest.raises(ValueError):
        decode(json.dumps({"Y": [name, [], []]}))
