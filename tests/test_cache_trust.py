"""A cache that can be trusted (issue 14): answers equal a fresh read of the files, a changed or
planted cache changes no figure and runs no code, and `check` never answers from it.

The tampering tests edit the cache database wherever this cashbook keeps it (found through
the code: `cashbook.store.cache.cache_dir`), generically: every ``data`` column of its tables.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import random
import re
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from conftest import copy_demo, run_cli, snapshot


def cache_db(book: Path) -> Path:
    """The cache database of ``book``, wherever this version keeps it."""
    try:
        from cashbook.store.cache import cache_dir
    except ImportError:  # a cashbook that kept its cache in the book
        return book / ".cashbook" / "cache.sqlite"
    return cache_dir(book) / "cache.sqlite"


def copy_db(book: Path, dst: Path) -> Path:
    """A consistent copy of the cache database (WAL and all)."""
    src = sqlite3.connect(cache_db(book))
    out = sqlite3.connect(dst)
    src.backup(out)
    src.close()
    out.close()
    return dst


def data_tables(db: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return [t for t in names if "data" in [c[1] for c in db.execute(f"PRAGMA table_info({t})")]]


def put_back(book: Path, then: Path, tables: tuple[str, ...] | None = None) -> int:
    """Put the values (``data``) of an earlier copy of the cache back, row by row (rows matched
    on their first column; rows only in the copy come back whole): what an earlier answer or
    an older snapshot looked like, under today's keys. Returns how many rows changed."""
    db = sqlite3.connect(cache_db(book))
    db.execute("ATTACH DATABASE ? AS old", (str(then),))
    changed = 0
    for table in data_tables(db):
        if tables is not None and table not in tables:
            continue
        cols = [c[1] for c in db.execute(f"PRAGMA table_info({table})")]
        first = cols[0]
        changed += db.execute(f"UPDATE main.{table} SET data = (SELECT o.data FROM old.{table} o WHERE o.{first} = main.{table}.{first}) "
                              f"WHERE {first} IN (SELECT {first} FROM old.{table})").rowcount
        changed += db.execute(f"INSERT INTO main.{table} SELECT * FROM old.{table} WHERE {first} NOT IN (SELECT {first} FROM main.{table})").rowcount
    db.commit()
    db.close()
    return changed


def edit_values(book: Path, old: str, new: str, tables: tuple[str, ...] | None = None) -> int:
    """Replace ``old`` by ``new`` (same length) in every ``data`` value of the cache, whatever
    its encoding. Returns how many values changed."""
    assert len(old) == len(new)
    db = sqlite3.connect(cache_db(book))
    changed = 0
    for table in data_tables(db):
        if tables is not None and table not in tables:
            continue
        for rowid, data in db.execute(f"SELECT rowid, data FROM {table}").fetchall():
            if isinstance(data, bytes) and old.encode() in data:
                db.execute(f"UPDATE {table} SET data=? WHERE rowid=?", (data.replace(old.encode(), new.encode()), rowid))
                changed += 1
            elif isinstance(data, str) and old in data:
                db.execute(f"UPDATE {table} SET data=? WHERE rowid=?", (data.replace(old, new), rowid))
                changed += 1
    db.commit()
    db.close()
    return changed


def fresh(*args, book: Path, env: dict | None = None):
    """The command as the files say (no cache)."""
    return run_cli(*args, book=book, env={**(env or {}), "CASHBOOK_NO_CACHE": "1"})


def same(a, b) -> bool:
    return (a.code, a.out, a.err) == (b.code, b.out, b.err)


def demo_copy(tmp_path: Path) -> Path:
    return copy_demo(tmp_path / "demo")


def sealed_book(cli, book: Path, days=("2026-11-01", "2026-11-02", "2026-11-03")) -> Path:
    for day in days:
        assert cli("receive", "100", "--from", "A", "--category", "rent", "--account", "bank", "--date", day, book=book).code == 0
        assert cli("count", day, "100x15", book=book).code == 0
        r = cli("close", "day", day, book=book)
        assert r.code == 0, r.out + r.err
    return book


# -- finding 1: a memo keyed by less than its computation read ---------------------------------

def test_a_month_report_sees_a_void_on_a_later_day(tmp_path):
    """October's report reads the bank's reconciliation, which reads the whole book: after a
    void in November of an October deposit the cached report is the one the files give (and
    that is October as it was: the void is a November movement, issue 13)."""
    book = demo_copy(tmp_path)
    late = {"CASHBOOK_NOW": "2026-11-30T18:00:00+08:00"}  # the demo book is sealed to 2026-11-26
    before = run_cli("report", "month", "2026-10", book=book, env=late)
    assert before.code == 0 and "icbc: reconciled, balanced" in before.out, before.out + before.err
    r = run_cli("void", "20261031-004", "--reason", "slip lost", "--date", "2026-11-30", book=book, env=late)  # the afternoon deposit
    assert r.code == 0, r.err
    truth = fresh("report", "month", "2026-10", book=book, env=late)
    assert truth.code == 0 and "icbc: reconciled, balanced" in truth.out, truth.out[-400:]
    after = run_cli("report", "month", "2026-10", book=book, env=late)
    assert same(after, truth), after.out[-400:]


# -- finding 2: check answers from no stored verdict --------------------------------------------

def test_an_old_clean_answer_put_back_in_the_cache_hides_no_broken_seal(cli, book, tmp_path):
    sealed_book(cli, book)
    clean = cli("check", book=book)
    assert clean.code == 0, clean.out
    then = copy_db(book, tmp_path / "clean.sqlite")
    path = book / "journals/2026/2026-11-02.toml"
    path.write_text(path.read_text().replace('amount = "100.00"', 'amount = "900.00"'))
    broken = cli("check", book=book)
    assert broken.code == 1 and "seal-broken" in broken.out
    assert put_back(book, then) > 0
    again = cli("check", book=book)
    assert again.code == 1 and "seal-broken" in again.out, again.out


def test_a_check_that_finds_a_broken_seal_leaves_the_next_write_refused(cli, book):
    """`check` reads every file and records it in the cache; a sealed day it found edited must
    not become a trusted cached file, or the next `receive` (which re-verifies only files it
    reads afresh) would write into a damaged book and `report balances` show its figures."""
    sealed_book(cli, book)
    assert cli("report", "balances", book=book).code == 0  # the cache holds the clean files
    path = book / "journals/2026/2026-11-02.toml"
    path.write_text(path.read_text().replace('amount = "100.00"', 'amount = "900.00"'))
    broken = cli("check", book=book)
    assert broken.code == 1 and "seal-broken" in broken.out, broken.out
    before = snapshot(book)
    r = cli("receive", "5", "--from", "x", "--category", "rent", book=book)
    assert r.code == 2 and "book-damaged" in r.out + r.err, r.out + r.err
    assert snapshot(book) == before
    shown = cli("report", "balances", book=book)
    assert shown.code == 2 and "book-damaged" in shown.out + shown.err, shown.out


def seal_from_wrong_figures(book: Path, day: dt.date, monkeypatch) -> None:
    """Seal ``day`` (counted already) from a state whose cash receipts that day are 500.00 too
    high, as a close computed from a wrong state would: the chain is intact, the figures not."""
    from cashbook.core.rules import check_entry
    from cashbook.store import book as book_module

    real = book_module.Book.period

    def wrong(self, *args, **kwargs):
        view = real(self, *args, **kwargs)
        view.state.days[(day, "cash")].receipts += 500
        return view

    with monkeypatch.context() as m:
        m.setattr(book_module.Book, "period", wrong)
        b = book_module.Book(book)
        when = dt.datetime.combine(day, dt.time(18), dt.timezone(dt.timedelta(hours=8)))
        assert book_module.close_day_in_book(b, day, when, check_entry, seal=True).sealed


def test_check_compares_each_sealed_days_figures_with_the_files(cli, book, monkeypatch):
    """A seal whose chain is intact but whose figures are not the book's (as a close computed
    from a wrong state would make) is named by `check`, with or without a cache."""
    assert cli("count", "2026-11-01", "100x20", book=book).code == 0  # 2,000.00 counted; the book says 1,500.00
    seal_from_wrong_figures(book, dt.date(2026, 11, 1), monkeypatch)
    for extra in ((), ("--no-cache",)):
        r = cli("check", "--format", "json", *extra, book=book)
        found = [p for p in r.json["problems"] if p["code"] == "seal-figures"]
        assert r.code == 1 and len(found) == 1, r.out
        assert found[0]["file"] == "journals/2026/2026-11-01.toml" and "2,000.00" in found[0]["message"] and "1,500.00" in found[0]["message"]
    assert "seal-broken" not in r.out  # the chain itself is intact


# -- finding 3: a changed cache changes no figure ----------------------------------------------

def test_an_edited_figure_in_the_cache_changes_no_balance(cli, book):
    for day in ("2026-11-02", "2026-11-03"):
        assert cli("receive", "150", "--from", "A", "--category", "rent", "--account", "bank", "--date", day, book=book).code == 0
    truth = fresh("report", "balances", "--format", "json", book=book)
    assert cli("report", "balances", "--format", "json", book=book).json == truth.json
    assert edit_values(book, "50300.00", "51300.00") > 0  # the bank's balance, wherever the cache keeps it
    r = run_cli("report", "balances", "--format", "json", book=book)
    assert same(r, truth), r.out


@pytest.mark.parametrize("column", ["id", "data"])
def test_an_edited_id_in_the_cache_index_gives_no_id_twice(cli, book, column):
    """The next id of a day comes from the cache's index of the day file when the file is as
    the cache saw it: an index row edited (its id, or its text) is not believed."""
    for _ in range(3):
        assert cli("receive", "100", "--from", "A", "--category", "rent", "--account", "bank", "--date", "2026-11-02", book=book).code == 0
    db = sqlite3.connect(cache_db(book))
    with db:
        changed = db.execute(f"UPDATE entries SET {column} = replace({column}, '20261102-003', '20261102-001') "
                             "WHERE id = '20261102-003'").rowcount
    db.close()
    assert changed == 1
    r = cli("receive", "100", "--from", "A", "--category", "rent", "--account", "bank", "--date", "2026-11-02",
            "--format", "json", book=book)
    assert r.code == 0 and r.json["id"] == "20261102-004", r.out
    c = run_cli("check", "--format", "json", book=book)
    assert c.code == 0 and not [p for p in c.json["problems"] if p["code"] == "duplicate-id"], c.out


def test_an_older_snapshot_put_back_changes_no_balance(cli, book, tmp_path):
    assert cli("receive", "100", "--from", "A", "--category", "rent", "--account", "bank", "--date", "2026-11-02", book=book).code == 0
    then = copy_db(book, tmp_path / "older.sqlite")
    for _ in range(3):
        assert cli("receive", "100", "--from", "A", "--category", "rent", "--account", "bank", "--date", "2026-11-02", book=book).code == 0
    assert put_back(book, then, tables=("snapshots", "parts")) > 0
    truth = fresh("report", "balances", "--format", "json", book=book)
    r = run_cli("report", "balances", "--format", "json", book=book)
    assert same(r, truth) and "50400.00" in r.out, r.out


def test_an_edited_month_report_in_the_cache_is_not_shown(cli, book):
    sealed_book(cli, book, days=("2026-11-01",))
    first = cli("close", "month", "2026-11", "--format", "json", book=book)
    truth = fresh("close", "month", "2026-11", "--format", "json", book=book)
    assert (first.code, first.json) == (truth.code, truth.json)
    assert edit_values(book, "1500.00", "2500.00") > 0  # the cash figures of the memo and the snapshots
    r = run_cli("close", "month", "2026-11", "--format", "json", book=book)
    assert same(r, truth), r.out


def needs_gm(cli, book: Path) -> int:
    """Exit code of a bank payment of 6,000.00 without the GM's sign-off (the default
    policy's needs-approval band refuses it, exit 2)."""
    return cli("pay", "6000", "--to", "X", "--category", "rent", "--account", "bank", "--date", "2026-11-03", book=book).code


def test_the_policy_is_what_its_file_says_now(cli, book):
    """A rule's severity is what policies.toml says now: the cache keeps a validated policy
    only under the digest of the file's bytes, so an edit of the file is the next command's
    policy."""
    assert cli("report", "balances", book=book).code == 0  # the policy kept in the cache
    assert needs_gm(cli, book) == 2
    text = (book / "policies.toml").read_text(encoding="utf-8")
    band = text.index("[[rules.needs-approval.bands]]")
    (book / "policies.toml").write_text(text[:band] + text[band:].replace('roles = ["gm"]', 'roles = ["cashier"]', 1), encoding="utf-8")
    r = cli("pay", "6000", "--to", "X", "--category", "rent", "--account", "bank", "--date", "2026-11-03", book=book)
    assert r.code == 2 and "cashier" in r.err, r.err  # the band now asks the cashier's sign-off


def test_an_edited_policy_in_the_cache_is_not_believed(cli, book):
    """Finding 3: the cached policy's needs-approval turned into a warning let a payment
    without the GM's approval through."""
    assert cli("report", "balances", book=book).code == 0
    assert edit_values(book, '"block"', '"warn" ') > 0  # every severity the cache keeps
    assert needs_gm(cli, book) == 2


def test_check_validates_the_policy_from_its_file(cli, book, monkeypatch):
    """`check` takes nothing validated from the cache: policies.toml is validated afresh."""
    from cashbook.store import policyfile

    assert cli("check", book=book).code == 0
    parsed = []
    real = policyfile.parse_policy
    monkeypatch.setattr(policyfile, "parse_policy", lambda *a, **k: parsed.append(1) or real(*a, **k))
    assert cli("report", "balances", book=book).code == 0
    assert not parsed  # a report took the policy the cache validated from these bytes
    assert cli("check", book=book).code == 0
    assert parsed, "check took the policy from somewhere other than policies.toml"


def test_a_close_seals_the_book_the_files_give_whatever_the_snapshots_say(cli, book):
    sealed_book(cli, book, days=("2026-11-01",))
    assert cli("receive", "100", "--from", "A", "--category", "rent", "--date", "2026-11-02", book=book).code == 0
    assert cli("report", "balances", "--date", "2026-11-02", book=book).code == 0  # snapshots of the days
    assert edit_values(book, "1500.00", "2000.00", tables=("snapshots", "parts")) > 0  # cash raised by 500 in the snapshots
    assert cli("count", "2026-11-02", "100x16", book=book).code == 0
    r = cli("close", "day", "2026-11-02", "--format", "json", book=book)
    assert r.code == 1, r.out + r.err  # sealed, with takings not banked (exit 1)
    text = (book / "journals/2026/2026-11-02.toml").read_text()
    assert 'book_balance = "1600.00"' in text
    shutil.rmtree(cache_db(book).parent)
    assert cli("check", book=book).code == 0


# -- finding 4: nothing in or near the book can run code ------------------------------------------

def test_the_cache_lives_outside_the_book_owner_only(cli, book):
    assert cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book).code == 0
    assert cli("report", "month", "2026-11", book=book).code in (0, 1)
    assert not (book / ".cashbook").exists()
    top = {p.name for p in book.iterdir()} - {".cashbook.lock"}
    assert top <= {"journals", "policies.toml", ".gitignore"}, top
    db = cache_db(book)
    assert db.exists() and Path(os.environ["XDG_CACHE_HOME"]) in db.parents
    for folder in (db.parent, db.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    db_bytes = b"".join(p.read_bytes() for p in db.parent.iterdir())
    assert b"\x80\x04\x95" not in db_bytes and b"\x80\x05\x95" not in db_bytes  # no pickle frame anywhere


class _Run:
    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def test_a_planted_pickle_in_the_cache_runs_nothing(cli, book, tmp_path):
    for day in ("2026-11-02", "2026-11-03"):
        assert cli("receive", "150", "--from", "A", "--category", "rent", "--date", day, book=book).code == 0
    assert cli("report", "balances", book=book).code == 0
    assert cli("report", "month", "2026-11", book=book).code in (0, 1)
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Run(f"touch {marker}"))
    db = sqlite3.connect(cache_db(book))
    for table in data_tables(db):
        db.execute(f"UPDATE {table} SET data=?", (payload,))
    db.commit()
    db.close()
    for cmd in (("report", "balances"), ("report", "month", "2026-11"), ("check",),
                ("receive", "1", "--from", "B", "--category", "rent", "--date", "2026-11-04")):
        r = run_cli(*cmd, book=book)
        assert not marker.exists(), f"{cmd}: a pickle in the cache ran a command"
        assert r.code in ((0, 1) if cmd[:2] == ("report", "month") else (0,)) and "internal error" not in r.err, r.err
    assert same(run_cli("report", "balances", book=book), fresh("report", "balances", book=book))


def test_a_cache_folder_in_the_book_is_ignored(cli, book, tmp_path):
    """What an older cashbook (or a colleague's archive) left in .cashbook/ is never read."""
    marker = tmp_path / "pwned"
    shutil.rmtree(book / ".cashbook", ignore_errors=True)
    (book / ".cashbook").mkdir()
    db = sqlite3.connect(book / ".cashbook" / "cache.sqlite")
    db.execute("CREATE TABLE snapshots (upto TEXT PRIMARY KEY, signature TEXT, data BLOB)")
    db.execute("INSERT INTO snapshots VALUES ('2026-11-01', 'x', ?)", (pickle.dumps(_Run(f"touch {marker}")),))
    db.commit()
    db.close()
    r = run_cli("report", "balances", book=book)
    assert r.code == 0 and not marker.exists()


# -- transparency: every read command, cached and not, after random steps -----------------------

READS = [("report", "balances"), ("report", "balances", "--date", "2026-11-03"), ("report", "month", "2026-11"),
         ("report", "month", "2026-11", "--format", "json"), ("report", "journal"), ("report", "journal", "--account", "cash", "--from", "2026-11-03"),
         ("report", "day", "2026-11-03"), ("check",), ("check", "--format", "json"), ("bank", "reconcile", "bank", "2026-11")]


STEPS = ["receive", "pay", "bank", "void", "edit", "policy"]


def _step(kind: str, rng: random.Random, cli, book: Path, log: list[str]) -> None:
    day = f"2026-11-{rng.randint(2, 6):02d}"
    if kind == "receive":
        r = cli("receive", str(rng.randint(1, 900)), "--from", "A", "--category", "rent", "--date", day, book=book)
    elif kind == "pay":
        r = cli("pay", str(rng.randint(1, 300)), "--to", "B", "--category", "office", "--invoice", f"F{rng.randint(1, 999)}",
                "--approved-by", "gm:王总", "--date", day, book=book)
    elif kind == "bank":
        r = cli("receive", str(rng.randint(1, 900)), "--from", "C", "--category", "rent", "--account", "bank", "--date", day, book=book)
    elif kind == "void":
        ids = [line.split('"')[1] for p in sorted((book / "journals").rglob("2026-11-0[2-5].toml"))
               for line in p.read_text().splitlines() if line.startswith("id = ")]
        if not ids:
            return
        target = rng.choice(ids)
        r = cli("void", target, "--reason", "test", "--date", "2026-11-06", book=book)  # a later day
    elif kind == "edit":  # a hand edit in place, same size, the mtime put back
        files = [p for p in sorted((book / "journals").rglob("2026-11-0[2-6].toml")) if 'amount = "' in p.read_text()]
        if not files:
            return
        path = rng.choice(files)
        st = path.stat()
        text = path.read_text()
        at = [m.end() for m in re.finditer('amount = "', text)]
        i = rng.choice(at)
        path.write_text(text[:i] + str(int(text[i]) % 8 + 1) + text[i + 1:])
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        log.append(f"edit {path.name}")
        return
    else:  # a policy edit: the cash limit moves
        policy = book / "policies.toml"
        text = policy.read_text()
        new = rng.choice(["1400.00", "2000.00", "3000.00"])
        policy.write_text(re.sub(r'limit = "[0-9]+\.00"', f'limit = "{new}"', text, count=1))
        log.append(f"policy limit {new}")
        return
    log.append(f"{kind} {day} -> {r.code}")


def test_the_steps_change_the_book(cli, book):
    """The transparency test's steps do what they say (else it would compare nothing)."""
    rng, log = random.Random(0), []
    before = (book / "policies.toml").read_text()
    for kind in ["receive", "bank", "pay", "void", "edit", "policy"]:
        _step(kind, rng, cli, book, log)
    assert [line.split()[0] for line in log] == ["receive", "bank", "pay", "void", "edit", "policy"], log
    assert all(line.endswith("-> 0") for line in log[:4]), log
    assert (book / "policies.toml").read_text() != before or "2000.00" in log[-1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_read_is_the_same_with_and_without_the_cache(cli, book, monkeypatch, seed):
    rng = random.Random(seed)
    monkeypatch.setenv("CASHBOOK_WORKERS", "1")
    log: list[str] = []
    kinds = ["receive", "receive"] + rng.sample(STEPS, len(STEPS))  # every kind of step, in a random order
    for kind in kinds:
        _step(kind, rng, cli, book, log)
        for cmd in READS:
            monkeypatch.delenv("CASHBOOK_NO_CACHE", raising=False)
            cached = cli(*cmd, book=book)
            again = cli(*cmd, book=book)
            monkeypatch.setenv("CASHBOOK_NO_CACHE", "1")
            plain = cli(*cmd, book=book)
            monkeypatch.delenv("CASHBOOK_NO_CACHE")
            assert (cached.code, cached.out, cached.err) == (plain.code, plain.out, plain.err), (log, cmd)
            assert (again.code, again.out, again.err) == (plain.code, plain.out, plain.err), (log, cmd)


def test_the_codec_round_trips_day_figures_and_open_items_whatever_their_width():
    """A DayFigures or OpenItem field added later must not make every snapshot undecodable
    (a merge added `float_banked` and the codec still expected seven figures)."""
    import datetime as dt
    from decimal import Decimal

    from cashbook.core.state import DayFigures, OpenItem
    from cashbook.store.snapshot import DayBook, OpenItems
    from cashbook.store.cache import decode, encode

    days = DayBook({(dt.date(2026, 11, 2), "cash"): DayFigures(opening=Decimal("1500.00"), receipts=Decimal("12.50"))})
    items = OpenItems({"20261102-001": OpenItem("20261102-001", dt.date(2026, 11, 2), "徐静", "trip", Decimal("300.00"),
                                                Decimal("100.00"), due=dt.date(2026, 11, 30))})
    again = decode(encode(days))
    assert again[(dt.date(2026, 11, 2), "cash")] == days[(dt.date(2026, 11, 2), "cash")]
    assert decode(encode(items))["20261102-001"] == items["20261102-001"]
