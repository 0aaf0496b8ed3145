"""Appends are atomic and locked: kills at random instants and concurrent writers lose nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

WRITER = textwrap.dedent('''
    import datetime as dt, sys
    from decimal import Decimal
    from cashbook.store.book import Book
    from cashbook.core.rules import check_entry
    root, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    book = Book(root)
    tz = dt.timezone(dt.timedelta(hours=8))
    for i in range(n):
        draft = {"kind": "receipt", "amount": Decimal("1.00"), "party": f"{tag}-{i}", "category": "rent",
                 "time": dt.datetime(2026, 11, 5, 9, 0, tzinfo=tz), "account": "bank", "method": "transfer"}
        entry, state, _ = book.record(draft, today=dt.date(2026, 11, 5), checker=check_entry)
        print(entry.id, flush=True)
''')


def _writer(book: Path, tag: str, n: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(book), tag, str(n)], stdout=subprocess.PIPE, text=True)


def _entries(book: Path):
    from cashbook.store.journal import read_day

    path = book / "journals/2026/2026-11-05.toml"
    if not path.exists():
        return []
    df = read_day(path)
    assert not df.problems, df.problems
    return df.entries


def test_kill_at_random_instants_leaves_n_or_n_plus_1_entries(book):
    rng = random.Random(7)
    acknowledged: list[str] = []
    for _ in range(8):
        before = len(_entries(book))
        p = _writer(book, "k", 400)
        time.sleep(rng.uniform(0.5, 1.5))
        p.send_signal(signal.SIGKILL)
        out, _ = p.communicate()
        acknowledged += out.split()
        after = _entries(book)
        printed = len(out.split())
        assert len(after) - before in (printed, printed + 1)  # killed before or after its last print
    ids = [e.id for e in _entries(book)]
    assert len(ids) == len(set(ids))
    assert set(acknowledged) <= set(ids)


def test_concurrent_writers_all_succeed(book):
    procs = [_writer(book, f"w{i}", 15) for i in range(4)]
    outs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    entries = _entries(book)
    assert len(entries) == 60
    assert sorted(e.id for e in entries) == sorted(i for out in outs for i in out)
    from cashbook.store.book import Book

    assert str(Book(book).load().state.balance("bank")) == "50060.00"


def test_a_failing_write_leaves_the_old_file(book, cli, monkeypatch):
    assert cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-05", book=book).code == 0
    path = book / "journals/2026/2026-11-05.toml"
    old = path.read_bytes()

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    r = cli("receive", "6", "--from", "B", "--category", "rent", "--date", "2026-11-05", book=book)
    assert r.code == 2 and "No space left on device" in r.err and "Traceback" not in r.err
    assert path.read_bytes() == old
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_held_lock_gives_a_clear_message_not_a_hang(book, cli, monkeypatch):
    import fcntl

    fd = os.open(book / ".cashbook.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        monkeypatch.setenv("CASHBOOK_LOCK_TIMEOUT", "0.3")
        r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-05", book=book)
    finally:
        os.close(fd)
    assert r.code == 2 and "book-locked" in r.err


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_book(book, cli):
    os.chmod(book / "journals", 0o500)
    try:
        r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-05", book=book)
    finally:
        os.chmod(book / "journals", 0o700)
    assert r.code == 2 and "Traceback" not in r.err
