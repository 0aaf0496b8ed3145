"""The soak test in small: SIGKILL writers at random instants while they append entries, close
days and import bank statements; then the book checks clean, every acknowledged piece of work
(its id or its result was printed) is there, and nothing is there twice. And three real
`cashbook` processes appending at once all succeed. `bench/soak.py` runs the same at scale.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from conftest import NOW, run_cli
from harness import ids_in, kill_at_random as harness_kill, start_writer as start

def kill_at_random(p, rng: random.Random, upto: float) -> list[str]:
    """The shared kill harness (bench/harness.py): SIGKILL a random instant into the writer's work;
    it must have started, refused nothing it was given, and left no process of its own behind."""
    k = harness_kill(p, rng, upto, timeout=60)
    assert k.started, k.err[-2000:]
    assert not k.failed, (k.failed, k.err[-2000:])
    assert k.orphans == 0, f"{k.orphans} process(es) of the killed writer outlived it"
    return k.lines


def check_clean(cli, book: Path) -> None:
    r = cli("check", "--format", "json", book=book)
    errors = [p for p in (r.json["problems"] if r.out.strip().startswith("{") else []) if p["severity"] == "block"]
    assert r.code == 0 and not errors, (r.code, errors[:5], r.err[-1500:])


def test_kills_during_appends(cli, book):
    rng = random.Random(int(os.environ.get("SOAK_SEED", "1105")))
    day = book / "journals/2026/2026-11-05.toml"
    acknowledged: list[str] = []
    for round_ in range(8):
        before = len(ids_in(day))
        printed = [l.split()[1] for l in kill_at_random(start(book, "append", f"k{round_}", "300"), rng, 0.8) if l.startswith("id ")]
        acknowledged += printed
        ids = ids_in(day)
        assert len(ids) == len(set(ids)), "an id was written twice"
        assert len(ids) - before in (len(printed), len(printed) + 1)  # killed before or after its last print
        assert set(acknowledged) <= set(ids), set(acknowledged) - set(ids)
        check_clean(cli, book)
    # the book still takes entries, and the balance is every entry's
    r = cli("receive", "1", "--from", "after", "--category", "rent", "--account", "bank", "--date", "2026-11-05", "--format", "json", book=book)
    assert r.code == 0, r.err
    assert r.json["balance"] == f"{50000 + len(ids_in(day)):.2f}"


def _days(first: int, n: int) -> list[str]:
    import datetime as dt

    start_ = dt.date(2026, 11, 1)
    return [(start_ + dt.timedelta(days=i)).isoformat() for i in range(first, first + n)]


def _write_days(book: Path, days: list[str]) -> None:
    """Days with a cash receipt banked the same day (cash stays 1,500.00: a count of 100x15 matches)."""
    for d in days:
        compact = d.replace("-", "")
        path = book / "journals" / d[:4] / f"{d}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f'[[entry]]\nid = "{compact}-001"\nkind = "receipt"\ntime = "{d}T09:00:00+08:00"\namount = "100.00"\n'
            f'party = "P"\ncategory = "rent"\n\n[[entry]]\nid = "{compact}-002"\nkind = "bank-deposit"\n'
            f'time = "{d}T10:00:00+08:00"\naccount = "bank"\namount = "100.00"\n', encoding="utf-8")


def test_kills_during_day_closes(cli, book):
    rng = random.Random(int(os.environ.get("SOAK_SEED", "1106")))
    days = _days(0, 14)  # 2026-11-01 (the openings) to 2026-11-14
    _write_days(book, days[1:])
    check_clean(cli, book)
    sealed: list[str] = []
    for _ in range(5):
        todo = [d for d in days if d not in sealed]
        if not todo:
            break
        lines = kill_at_random(start(book, "close", *todo), rng, 0.7)
        sealed += [l.split()[1] for l in lines if l.startswith("sealed ")]
        check_clean(cli, book)
        for d in sealed:
            r = cli("report", "day", d, "--format", "json", book=book)
            assert r.json["sealed"] is True, (d, r.out)
    # what the kills interrupted can be finished, and every seal verifies
    for d in days:
        r = cli("report", "day", d, "--format", "json", book=book)
        if not r.json["sealed"]:
            assert cli("count", d, "100x15", book=book).code in (0, 2)
            r = cli("close", "day", d, "--format", "json", book=book)
            assert r.code == 0 and r.json["sealed"], (d, r.out)
    check_clean(cli, book)
    log = (book / "journals/seals.log").read_text().split()
    assert all(d in log for d in days)


def _statements(folder: Path, n: int, balances: bool = False) -> list[Path]:
    """n CSV statements, each overlapping the one before it by half its lines (re-import must add nothing twice).

    Without a running-balance column by default: with one, the second import already breaks the
    statement store without any kill (test_hostile_statements.py::test_fixed_second_import_with_balances_*)."""
    rng = random.Random(5)
    lines = []
    balance = 50000
    for i in range(n * 10 + 10):
        amount = rng.randint(1, 9999)
        income = rng.random() < 0.5
        balance += amount if income else -amount
        row = f"2026-11-{1 + i % 28:02d},{'存入' if income else '支付'} {i},{amount if income else ''},{'' if income else amount}"
        lines.append(row + (f",{balance}" if balances else ""))
    files = []
    for k in range(n):
        f = folder / f"stmt{k:03d}.csv"
        f.write_text("交易日期,摘要,收入金额,支出金额" + (",余额" if balances else "") + "\n" + "\n".join(lines[k * 10: k * 10 + 20]) + "\n",
                     encoding="utf-8")
        files.append(f)
    return files


def stored_lines(book: Path) -> list[str]:
    uids = []
    for p in sorted((book / "journals/bank/bank").glob("*.toml")):
        uids += [l["uid"] for l in tomllib.loads(p.read_text(encoding="utf-8")).get("line", [])]
    return uids


def test_kills_during_bank_imports(cli, book, tmp_path):
    rng = random.Random(int(os.environ.get("SOAK_SEED", "1107")))
    files = _statements(tmp_path, 16)
    done: list[str] = []
    for _ in range(6):
        todo = [str(f) for f in files if str(f) not in done]
        lines = kill_at_random(start(book, "import", *todo), rng, 0.7)
        done += [l.split()[1] for l in lines if l.startswith("imported ")]
        uids = stored_lines(book)
        assert len(uids) == len(set(uids)), "a statement line was stored twice"
        check_clean(cli, book)
        r = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", book=book)
        # no statement yet: not reconciled (1); with lines but no balance column the bank's balance is derived from
        # them, so the lines the book lacks are exactly the adjustments and the adjusted balances agree (0)
        if uids:
            assert r.code == 0 and "derived" in r.out and "bad-statement-store" not in r.err, (r.out, r.err)
        else:
            assert r.code == 1 and "statement imported for 2026-11" in r.out, (r.out, r.err)
        for f in rng.sample(done, min(3, len(done))):  # an acknowledged import is all there: again adds nothing
            again = cli("bank", "import", f, "--account", "bank", "--output-format", "json", book=book)
            assert again.code == 0 and again.json["added"] == 0, (f, again.out, again.err)
    # finish the job, and compare with the same files imported without interruption
    for f in files:
        assert cli("bank", "import", str(f), "--account", "bank", book=book).code == 0
    clean = tmp_path / "clean"
    assert cli("init", str(clean)).code == 0
    for f in files:
        assert cli("bank", "import", str(f), "--account", "bank", book=clean).code == 0
    assert sorted(stored_lines(book)) == sorted(stored_lines(clean))


def test_three_processes_append_at_once(book):
    """3 processes × 10 appends each through the CLI entry point, all at once: all succeed, ids unique, balance exact."""
    procs = [start(book, "append", tag, "10") for tag in ("a", "b", "c")]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-1500:] for o in outs]
    ids = [l.split()[1] for out, _ in outs for l in out.splitlines() if l.startswith("id ")]
    assert len(ids) == 30 and len(set(ids)) == 30, ids
    assert sorted(ids_in(book / "journals/2026/2026-11-05.toml")) == sorted(ids)
    r = run_cli("report", "balances", "--format", "json", book=book)
    assert r.code == 0 and '"50030.00"' in r.out, r.out


def test_three_real_cashbook_commands_at_once(book):
    """The console script itself, three at once (each pays Python's start-up, so only one each here;
    bench/soak.py --procs/--appends runs many)."""
    exe = shutil.which("cashbook")
    assert exe, "the cashbook console script is not on PATH: install the project (pip install -e '.[test]')"
    env = {**os.environ, "CASHBOOK_NOW": NOW}
    procs = [subprocess.Popen([exe, "receive", "2.50", "--from", tag, "--category", "rent", "--account", "bank", "--date", "2026-11-05",
                               "--format", "json", "--book", str(book)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for tag in ("x", "y", "z")]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-1500:] for o in outs]
    import json

    ids = [json.loads(o[0])["id"] for o in outs]
    assert len(set(ids)) == 3 and sorted(ids_in(book / "journals/2026/2026-11-05.toml")) == sorted(ids)
    assert run_cli("check", book=book).code == 0


def _running(pid: int) -> bool:
    """Alive and not a zombie (a killed orphan waits as a zombie until init reaps it; it runs nothing)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


@pytest.mark.skipif(not os.path.isdir("/proc") or (os.cpu_count() or 1) < 2, reason="needs /proc and 2 CPUs (parallel parsing)")
def test_fixed_killed_writer_leaves_no_orphans_holding_the_lock(cli, book, monkeypatch):
    import datetime as dt

    _write_days(book, [(dt.date(2025, 1, 1) + dt.timedelta(days=i)).isoformat() for i in range(400)])
    env = {**os.environ, "CASHBOOK_NOW": NOW}
    p = subprocess.Popen([sys.executable, "-m", "cashbook", "receive", "1", "--from", "A", "--category", "rent",
                          "--date", "2026-11-05", "--book", str(book)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        t0 = time.time()
        while not workers and p.poll() is None and time.time() - t0 < 60:
            workers = _children(p.pid)
            time.sleep(0.005)
        assert workers, "the writer never started parallel parsing: give it a book big enough that it does (this test needs its workers)"
        time.sleep(0.05)
        workers = _children(p.pid) or workers
        p.send_signal(signal.SIGKILL)
        p.wait()
        time.sleep(0.5)
        monkeypatch.setenv("CASHBOOK_LOCK_TIMEOUT", "2")
        r = cli("receive", "1", "--from", "B", "--category", "rent", "--date", "2026-11-05", book=book)
        assert r.code == 0, r.err
        assert not [w for w in workers if _running(w)], "orphaned workers still running"
    finally:
        # the orphans this test made: its writer's children, and anything still running on this test's book
        mine = set(workers)
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/cmdline", "rb") as fh:
                        if str(book).encode() in fh.read() and int(d) != os.getpid():
                            mine.add(int(d))
                except OSError:
                    pass
        for w in mine:
            with __import__("contextlib").suppress(OSError):
                os.kill(w, signal.SIGKILL)
