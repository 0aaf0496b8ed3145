"""No leftovers after a kill (issue 19, finding 8): a killed writer's temporary file is swept
by the next write and named by `check` until then; re-closing a sealed day whose seal-log
line a kill lost repairs the log; `init` finishes an interrupted init."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


from conftest import NOW, snapshot

RECEIVE = ("receive", "5", "--from", "x", "--category", "rent")


def killed_temp(book: Path, name: str = "2026-11-20.toml") -> Path:
    """What a writer killed between its temporary file and the rename leaves (an entry never acknowledged)."""
    folder = book / "journals" / "2026"
    temp = folder / f".{name}.k1ll3d_x.tmp"
    temp.write_text('[[entry]]\nid = "20261120-009"\nkind = "receipt"\n', encoding="utf-8")
    return temp


def test_a_killed_writers_temp_file_is_named_by_check_and_swept_by_the_next_write_anywhere(book, cli):
    temp = killed_temp(book, "2026-11-19.toml")  # another day than the next write's
    r = cli("check", "--format", "json", book=book)
    found = [p for p in r.json["problems"] if p["code"] == "leftover-temp"]  # was: not mentioned
    assert r.code == 0 and len(found) == 1 and found[0]["file"] == "journals/2026/.2026-11-19.toml.k1ll3d_x.tmp"
    assert found[0]["severity"] == "warn"
    assert cli(*RECEIVE, book=book).code == 0  # a write to 2026-11-20 (was: kept until a write to 2026-11-19)
    assert not temp.exists()
    r = cli("check", "--format", "json", book=book)
    assert r.code == 0 and not [p for p in r.json["problems"] if p["code"] == "leftover-temp"]


def test_a_temp_left_in_a_bank_folder_or_the_book_folder_is_swept_too(book, cli):
    bank = book / "journals" / "bank" / "bank"
    bank.mkdir(parents=True)
    temps = [bank / ".2026-11.toml.abcdefgh.tmp", book / ".policies.toml.abcdefgh.tmp", book / "journals" / ".seals.log.abcdefgh.tmp"]
    for t in temps:
        t.write_text("x")
    assert len([p for p in cli("check", "--format", "json", book=book).json["problems"] if p["code"] == "leftover-temp"]) == 3
    assert cli(*RECEIVE, book=book).code == 0
    assert not any(t.exists() for t in temps)


def test_sweeping_never_follows_a_link_or_touches_other_files(book, cli, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / ".x.toml.abcdefgh.tmp"
    victim.write_text("keep")
    (book / "journals" / "2025").symlink_to(outside)
    keep = [book / "journals" / "2026" / "notes.tmp", book / "journals" / "2026" / ".hidden.txt"]
    for k in keep:
        k.write_text("keep")
    from cashbook.store.files import book_lock

    with book_lock(book):
        pass
    assert victim.read_text() == "keep" and all(k.read_text() == "keep" for k in keep)


def _close_first_days(cli, book):
    assert cli("count", "2026-11-01", "100x15", book=book).code == 0
    assert cli("close", "day", "2026-11-01", book=book).code == 0
    assert cli("count", "2026-11-02", "100x15", book=book).code == 0
    assert cli("close", "day", "2026-11-02", book=book).code == 0


def test_closing_a_sealed_day_again_repairs_a_seal_log_line_a_kill_lost(book, cli):
    _close_first_days(cli, book)
    log = book / "journals" / "seals.log"
    whole = log.read_text()
    log.write_text("".join(whole.splitlines(keepends=True)[:-1]))  # killed between the sealed file and the log
    r = cli("check", "--format", "json", book=book)
    assert r.code == 0 and any("not in the seal log" in p["message"] for p in r.json["problems"])
    assert cli("close", "day", "2026-11-02", book=book).code == 0  # was: the warning stayed
    assert log.read_text() == whole
    r = cli("check", "--format", "json", book=book)
    assert r.code == 0 and not r.json["problems"]


def test_two_closes_killed_in_a_row_are_repaired_by_the_next_close(book, cli):
    """bench/soak.py found it: a close killed between its sealed file and its log line, then the
    next day's close killed the same way, left two seals out of the log; `check` called the
    older one a change (block) and re-closing repaired nothing. Each kill adds one line to the
    tail after the last logged seal: that tail is the crash window, and the next close writes it."""
    _close_first_days(cli, book)
    assert cli("count", "2026-11-03", "100x15", book=book).code == 0
    assert cli("close", "day", "2026-11-03", book=book).code == 0
    log = book / "journals" / "seals.log"
    whole = log.read_text()
    log.write_text("".join(whole.splitlines(keepends=True)[:-2]))  # 11-02 and 11-03 lost, 11-01 logged
    r = cli("check", "--format", "json", book=book)
    assert r.code == 0, r.out
    assert [p["severity"] for p in r.json["problems"] if "not in the seal log" in p["message"]] == ["warn", "warn"]
    assert cli("close", "day", "2026-11-03", book=book).code == 0
    assert log.read_text() == whole
    assert cli("check", "--format", "json", book=book).json["problems"] == []


def test_a_seal_missing_before_a_logged_one_is_a_change_not_a_crash(book, cli):
    _close_first_days(cli, book)
    log = book / "journals" / "seals.log"
    lines = log.read_text().splitlines(keepends=True)
    log.write_text(lines[0] + lines[2])  # 11-01 gone, 11-02 logged: no crash leaves that
    assert cli("close", "day", "2026-11-02", book=book).code == 0
    assert log.read_text() == lines[0] + lines[2]
    assert cli("check", book=book).code == 1


def test_re_closing_never_papers_over_more_than_the_crash_window(book, cli):
    _close_first_days(cli, book)
    log = book / "journals" / "seals.log"
    lines = log.read_text().splitlines(keepends=True)
    log.write_text(lines[0])  # both seals gone: not a crash, a change check must keep reporting
    assert cli("close", "day", "2026-11-02", book=book).code == 0
    assert log.read_text() == lines[0]
    assert cli("check", book=book).code == 1


def test_init_finishes_an_init_killed_after_writing_the_policies(tmp_path, cli):
    from cashbook.store.policyfile import default_policy_text

    root = tmp_path / "book"
    (root / "journals").mkdir(parents=True)
    (root / "policies.toml").write_text(default_policy_text(), encoding="utf-8")
    (root / ".policies.toml.abcdefgh.tmp").write_text("half")
    r = cli("init", str(root))  # was: book-exists for ever
    assert r.code == 0 and "finished" in r.out
    assert (root / ".gitignore").is_file() and not (root / ".policies.toml.abcdefgh.tmp").exists()
    assert cli("check", book=root).code == 0
    r = cli("init", str(root))
    assert r.code == 2 and "book-exists" in r.err


def test_init_never_finishes_a_book_someone_has_edited(tmp_path, cli):
    from cashbook.store.policyfile import default_policy_text

    root = tmp_path / "book"
    root.mkdir()
    (root / "policies.toml").write_text(default_policy_text() + "\n# mine\n", encoding="utf-8")
    before = snapshot(root)
    r = cli("init", str(root))
    assert r.code == 2 and "book-exists" in r.err and snapshot(root) == before


def test_init_killed_for_real_between_the_policies_and_gitignore_can_be_finished(tmp_path, cli):
    """A real kill: SIGKILL the init process right after policies.toml is renamed into place."""
    root = tmp_path / "book"
    code = ("import os, signal, sys\n"
            "import cashbook.store.files as f\n"
            "real = f.atomic_write\n"
            "def killing(path, data, *args, **kw):\n"
            "    real(path, data, *args, **kw)\n"
            "    if path.name == 'policies.toml': os.kill(os.getpid(), signal.SIGKILL)\n"
            "f.atomic_write = killing\n"
            "sys.argv = ['cashbook', 'init', sys.argv[1]]\n"
            "from cashbook.cli.main import run\n"
            "run()\n")
    p = subprocess.run([sys.executable, "-c", code, str(root)], env={**os.environ, "CASHBOOK_NOW": NOW}, timeout=60)
    assert p.returncode == -signal.SIGKILL
    assert (root / "policies.toml").is_file() and not (root / ".gitignore").exists()
    assert cli("init", str(root)).code == 0
    assert (root / ".gitignore").is_file() and cli("check", book=root).code == 0
