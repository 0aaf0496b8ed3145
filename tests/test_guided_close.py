"""`close day --guided` (issue 17, 5) through a pseudo-terminal: the count note by note with
a running total against the book, 长款/短款 and what to bank, a question before sealing; a
cancelled close writes nothing; without a terminal it refuses and names the plain commands."""

from __future__ import annotations

import os
import sys

import pytest

from conftest import NOW, run_cli, snapshot

pexpect = pytest.importorskip("pexpect") if not os.environ.get("CI") else __import__("pexpect")


def spawn(book, *args):
    env = {**os.environ, "CASHBOOK_NOW": NOW, "COLUMNS": "120"}
    return pexpect.spawn(sys.executable, ["-m", "cashbook", "close", "day", "2026-11-01", "--guided", *args, "--book", str(book)],
                         env=env, encoding="utf-8", timeout=60, use_poll=True)  # poll: select() fails past fd 1023 in a long run


def test_guided_close_counts_and_seals(book):
    child = spawn(book)
    child.expect("账存 1,500.00")
    child.expect(r"100 元 × ")
    child.sendline("14")
    child.expect(r"running total 实存 1,400.00; against the book -100.00")
    child.expect(r"50 元 × ")
    child.sendline("2")
    child.expect(r"running total 实存 1,500.00; against the book 0.00")
    for _ in range(6):  # 20, 10, 5, 1, 0.5, 0.1: none
        child.expect(r"元 × ")
        child.sendline("")
    child.expect("账实相符")
    child.expect("to bank")
    child.expect(r"seal 2026-11-01\? \[y/N\]")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    day = run_cli("report", "day", "2026-11-01", "-f", "json", book=book).json
    assert day["sealed"] and day["counted"] == "1500.00" and day["count"] == ["100x14", "50x2"]


def test_guided_close_shows_a_shortage_and_cancel_writes_nothing(book):
    before = snapshot(book)
    child = spawn(book)
    child.expect(r"100 元 × ")
    child.sendline("abc")
    child.expect("a whole number")
    child.expect(r"100 元 × ")
    child.sendline("14")
    for _ in range(7):
        child.expect(r"元 × ")
        child.sendline("")
    child.expect("短款 shortage 100.00")
    child.expect(r"\[y/N\]")
    child.sendline("n")
    child.expect("cancelled: nothing was written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert snapshot(book) == before


def test_guided_close_q_cancels(book):
    before = snapshot(book)
    child = spawn(book)
    child.expect(r"100 元 × ")
    child.sendline("q")
    child.expect("cancelled: nothing was written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and snapshot(book) == before


def test_guided_close_without_a_terminal_refuses(book):
    before = snapshot(book)
    r = run_cli("close", "day", "2026-11-01", "--guided", book=book)
    assert r.code == 2 and "cashbook count 2026-11-01" in r.err and "not-a-terminal" in r.err
    assert snapshot(book) == before
