"""A process that runs many commands (the tests, the soak, a script importing cashbook) keeps
no file open from one command to the next: the soak's 10,000-input run once ended in
'Too many open files' after about 9,000 inputs, every `check` leaving its cache database
(and WAL) open behind a garbage collector told to leave the command's objects be."""

from __future__ import annotations

import os

import pytest


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files through /proc (Linux)")
@pytest.mark.parametrize("args", [("check",), ("check", "--format", "json"), ("report", "journal"), ("report", "month", "2026-11"),
                                  ("export", "--to", "ledger"), ("report", "balances"), ("receive", "5", "--from", "x", "--category", "rent")])
def test_a_command_leaves_no_file_open(cli, book, args):
    cli(*args, book=book)  # the first run opens what stays open by design (imports, the code digest)
    before = open_files()
    for _ in range(5):
        cli(*args, book=book)
    assert open_files() == before
