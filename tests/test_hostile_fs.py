"""Hostile input, surface 5: the file system around the book. Failing writes (full disk, read-only),
a real read-only mount and a real full tmpfs where root may mount, journals/ as a link or a
file, the cache folder unwritable or garbage, and a sample of bench/soak.py's fs shapes (FIFOs,
links to /dev/zero and out of the book, huge files, bad names, leftovers, --output targets)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from cashbook.store.cache import cache_dir

import pytest

from hostile import sane, snap, tmp_leftovers
from hostile import fresh, no_debug, soak_sample, template  # noqa: F401, F811 (fixtures)


# -- the book's own shape ---------------------------------------------------------------------

def test_a_symlinked_journals_folder_works(cli, fresh, tmp_path):
    book = fresh()
    elsewhere = tmp_path / "elsewhere"
    shutil.move(str(book / "journals"), elsewhere)
    (book / "journals").symlink_to(elsewhere)
    assert cli("check", book=book).code == 0
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", "--format", "json", book=book)
    assert r.code == 0, r.err
    assert (elsewhere / "2026/2026-11-03.toml").exists() and (book / "journals").is_symlink()
    assert cli("check", book=book).code == 0


@pytest.mark.parametrize("how", ["file", "dangling-link"])
@pytest.mark.parametrize("cmd", [["check"], ["report", "balances"], ["report", "journal"],
                                 ["receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03"]])
def test_journals_being_a_file(cli, fresh, tmp_path, cmd, how):
    """journals/ a file (or a link to nothing) read as an empty book: `report balances` showed 0.00
    with exit 0 and `check` only complained of the seal log. Every command now refuses, naming it."""
    book = fresh()
    shutil.rmtree(book / "journals")
    if how == "file":
        (book / "journals").write_text("not a folder\n")
    else:
        (book / "journals").symlink_to(tmp_path / "nowhere")
    before = snap(book)
    r = cli(*cmd, book=book)
    sane(r)
    assert r.code == 2 and "journals is not a folder" in r.err, (r.out, r.err)
    assert snap(book) == before and not (tmp_path / "nowhere").exists()


def test_a_seal_log_linked_out_of_the_book_is_named_by_check(cli, fresh, tmp_path):
    """Writes already refused to go through such a link; reading went through it and trusted it."""
    book = fresh()
    log = book / "journals/seals.log"
    (tmp_path / "seals.log").write_bytes(log.read_bytes())
    log.unlink()
    log.symlink_to(tmp_path / "seals.log")
    r = cli("check", book=book)
    sane(r)
    assert r.code == 1, r.out
    assert any(l.startswith("journals/seals.log: seal-broken:") and "outside the book" in l for l in r.out.splitlines()), r.out


# -- a hostile file system: read-only, full disk, failing writes ---------------------------------

def _can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    d = tempfile.mkdtemp()
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", d], capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", d], capture_output=True)
        return ok
    finally:
        os.rmdir(d)


CAN_MOUNT = _can_mount()


def _umount(path: Path) -> None:
    import gc

    gc.collect()  # close the cache's SQLite connections that still point into the mount
    if subprocess.run(["umount", str(path)], capture_output=True).returncode:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)
RECORDERS = [
    ["receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-02"],
    ["receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03"],
    ["count", "2026-11-02", "100x17", "20x1"],
    ["close", "day", "2026-11-02"],
    ["bank", "import", "STATEMENT", "--account", "bank"],
]


def _statement(tmp_path: Path) -> Path:
    f = tmp_path / "stmt.csv"
    f.write_text("交易日期,摘要,收入金额,支出金额,余额\n2026-11-02,存现,1200.00,,51200.00\n2026-11-03,手续费,,5.00,51195.00\n", encoding="utf-8")
    return f


def _prepare_close(cli, book):
    assert cli("count", "2026-11-02", "100x17", "20x1", book=book).code == 0


@pytest.mark.parametrize("cmd", RECORDERS, ids=lambda c: "-".join(c[:2]))
@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS])
def test_failing_writes_are_refused_cleanly(cli, fresh, monkeypatch, tmp_path, cmd, err):
    """os.replace fails (what a read-only or full file system does to us): exit 2, a clear message, nothing changed."""
    book = fresh()
    if cmd[:2] == ["close", "day"]:
        _prepare_close(cli, book)
    cmd = [str(_statement(tmp_path)) if c == "STATEMENT" else c for c in cmd]
    before = snap(book)

    def boom(*a, **k):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(os, "replace", boom)
    r = cli(*cmd, book=book)
    monkeypatch.undo()
    sane(r)
    assert r.code == 2, (r.out, r.err)
    assert "internal error" not in r.err and os.strerror(err) in r.err, r.err
    assert snap(book) == before and not tmp_leftovers(book)


@pytest.mark.parametrize("fail_at", [1, 2])
def test_close_day_when_the_second_write_fails(cli, fresh, monkeypatch, fail_at):
    """Sealing writes two files (the day, then seals.log). Whichever write fails, the book stays consistent:
    `check` passes and a later close finishes the job."""
    book = fresh()
    _prepare_close(cli, book)
    real = os.replace
    calls = {"n": 0}

    def flaky(*a, **k):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*a, **k)

    monkeypatch.setattr(os, "replace", flaky)
    r = cli("close", "day", "2026-11-02", book=book)
    monkeypatch.undo()
    sane(r)
    assert r.code == 2 and "internal error" not in r.err
    c = cli("check", book=book)
    assert c.code == 0, c.out
    again = cli("close", "day", "2026-11-02", "--format", "json", book=book)
    assert again.code == 1 and again.json["sealed"], again.out  # sealed; exit 1 for the takings not banked (SPEC 5)
    assert cli("check", book=book).code == 0


@pytest.mark.skipif(not CAN_MOUNT, reason="needs root and mount (tmpfs / read-only bind)")
def test_a_read_only_book_really_mounted(cli, fresh, tmp_path):
    book = fresh()
    ro = tmp_path / "ro"
    ro.mkdir()
    subprocess.run(["mount", "--bind", str(book), str(ro)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], check=True)
        before = snap(ro)
        for cmd in RECORDERS:
            if cmd[:2] == ["close", "day"]:
                continue  # needs a count, which cannot be written here
            cmd = [str(_statement(tmp_path)) if c == "STATEMENT" else c for c in cmd]
            r = cli(*cmd, book=ro)
            sane(r)
            assert r.code == 2 and "internal error" not in r.err, (cmd, r.err)
            assert "read-only" in r.err.lower() or "Read-only" in r.err, r.err
        assert snap(ro) == before
        r = cli("check", book=ro)  # reading works; the cache just stays off
        assert r.code == 0, r.out + r.err
        r = cli("report", "balances", "--format", "json", book=ro)
        assert r.code == 0, r.err
    finally:
        _umount(ro)


@pytest.mark.skipif(not CAN_MOUNT, reason="needs root and mount (tmpfs)")
def test_a_full_disk_really_mounted(cli, fresh, tmp_path):
    """A tmpfs just big enough for the book: fill it, then every write is refused with ENOSPC, nothing lost or torn."""
    src = fresh()
    mnt = tmp_path / "small"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], check=True)
    try:
        book = mnt / "book"
        shutil.copytree(src, book, symlinks=True)
        # warm the cache while there is room, then fill the disk
        assert cli("check", book=book).code == 0
        filler = mnt / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            for size in (1 << 16, 4096, 512, 1):
                try:
                    while True:
                        os.write(fd, b"\0" * size)
                except OSError:
                    pass
        finally:
            os.close(fd)
        before = snap(book)
        for cmd in RECORDERS:
            cmd = [str(_statement(tmp_path)) if c == "STATEMENT" else c for c in cmd]
            r = cli(*cmd, book=book)
            sane(r)
            assert "internal error" not in r.err, (cmd, r.err)
            if cmd[:2] == ["close", "day"]:
                assert r.code == 1 and "count" in r.out + r.err, (r.out, r.err)  # no count: nothing to seal, nothing written
            else:
                assert r.code == 2 and "No space left" in r.err, (cmd, r.out, r.err)
            assert snap(book) == before and not tmp_leftovers(book)
        filler.unlink()
        r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book)
        assert r.code == 0, r.err
        assert cli("check", book=book).code == 0
    finally:
        _umount(mnt)


def test_a_warm_cache_hides_no_file_error(cli, fresh):
    book = fresh()
    assert cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book).code == 0
    assert cli("check", book=book).code == 0  # the cache knows the file as it was
    path = book / "journals/2026/2026-11-03.toml"
    path.write_text(path.read_text().replace('amount = "5.00"', 'amount = "5.0x"'))
    warm = cli("check", "--format", "json", book=book)
    shutil.rmtree(cache_dir(book), ignore_errors=True)
    cold = cli("check", "--format", "json", book=book)
    assert "bad-amount" in [p["code"] for p in warm.json["problems"]]
    assert (warm.code, warm.json) == (cold.code, cold.json)


def test_an_unwritable_cache_does_not_matter(cli, fresh):
    book = fresh()
    folder = cache_dir(book)
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the cache folder goes\n")
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book)
    assert r.code == 0, r.err
    assert cli("check", book=book).code == 0
    folder.unlink()
    folder.mkdir()
    (folder / "cache.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(3000))
    r = cli("report", "balances", "--format", "json", book=book)
    assert r.code == 0, r.err
    assert r.json is not None


def test_fixed_stale_cache_snapshot_from_an_older_version(cli, fresh):
    """A snapshot without the newest fields (as older code wrote it) is not trusted."""
    import sqlite3

    book = fresh()
    assert cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book).code == 0
    db = sqlite3.connect(cache_dir(book) / "cache.sqlite")
    rows = db.execute("SELECT upto, data FROM snapshots").fetchall()
    assert rows
    for upto, text in rows:  # what an older cashbook wrote: the same state without the newest fields
        parts = json.loads(text)  # field name -> digest of its stored part
        for name in ("advances_of", "openings"):
            parts.pop(name, None)
        db.execute("UPDATE snapshots SET data=? WHERE upto=?", (json.dumps(parts), upto))
    db.commit()
    db.close()
    r = cli("advance", "100", "--to", "王五", "--purpose", "trip", "--due", "2026-11-30", "--approved-by", "gm:王总",
            "--approved-by", "dept-head:赵", "--date", "2026-11-04", book=book)
    sane(r)
    assert r.code == 0 and "internal error" not in r.err, r.err



def test_soak_sample_of_the_file_system(soak_sample):
    """bench/soak.py's fs shapes and oracles: no hang (alarm), nothing written outside the book,
    nothing changed by a refusal, no write on a damaged book, leftovers swept, check names each shape."""
    soak_sample("fs", 40)
