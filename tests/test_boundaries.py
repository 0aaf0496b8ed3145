"""The book's boundary (issue 19): files that are not files, names that are not names,
writes that would leave the book, text that would reach the terminal raw, small inputs.

Each test is a reproducer of a finding; the slow paths (a FIFO that used to hang a reader)
run in a subprocess with a short timeout so a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW, snapshot

LIMIT_S = 30  # a hang (the finding) ran until killed after 300 s; a clean refusal takes under a second or two


def run(*args: str, book: Path | None = None, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "cashbook", *args] + (["--book", str(book)] if book is not None else [])
    full = {**os.environ, "CASHBOOK_NOW": NOW, "COLUMNS": "200", **(env or {})}
    return subprocess.run(cmd, capture_output=True, text=True, env=full, timeout=LIMIT_S, cwd=cwd)


def no_traceback(p) -> None:
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr


# -- 4. files that are not files --------------------------------------------------------

def fifo_day(book: Path) -> Path:
    path = book / "journals" / "2026" / "2026-11-05.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("args,code", [(("check",), 1), (("receive", "5", "--from", "x", "--category", "rent"), 2)])
def test_a_fifo_named_like_a_day_file_is_refused_not_waited_on(book, args, code):
    fifo_day(book)
    before = snapshot(book)
    p = run(*args, book=book)  # used to hang until killed
    no_traceback(p)
    assert p.returncode == code, (p.returncode, p.stdout, p.stderr)
    assert "FIFO" in p.stdout + p.stderr and "2026-11-05.toml" in p.stdout + p.stderr
    assert snapshot(book) == before


@pytest.mark.parametrize("args", [("report", "balances"), ("check",), ("receive", "5", "--from", "x", "--category", "rent")])
def test_a_fifo_named_policies_toml_is_refused_not_waited_on(book, args):
    # the book's `lang` is looked up before anything else; that lookup opened the FIFO and waited
    (book / "policies.toml").unlink()
    os.mkfifo(book / "policies.toml")
    p = run(*args, book=book)
    no_traceback(p)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "FIFO" in p.stdout + p.stderr and "policies.toml" in p.stdout + p.stderr


def test_a_day_file_seen_empty_then_unreadable_still_blocks_writes(cli, book):
    """A file that cannot be read was known by the digest of no bytes: a cache that had seen the
    same day file empty took the huge file for that empty one, unchanged and clean, and `receive`
    wrote into the damaged book (found by the closing soak of issue 19, fs seed 2845)."""
    path = book / "journals" / "2026" / "2026-11-02.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    assert cli("report", "balances", book=book).code == 0  # the cache now knows the empty file
    with open(path, "ab") as fh:
        fh.truncate(64 * 1024 * 1024 + 1)  # sparse: over the journal limit
    before = snapshot(book)
    r = cli("receive", "5", "--from", "x", "--category", "rent", book=book)
    assert r.code == 2 and "book-damaged" in r.err and "2026-11-02.toml" in r.err, (r.code, r.out, r.err)
    assert snapshot(book) == before


def test_a_cache_that_fails_at_the_damage_check_lets_no_write_through(cli, book, monkeypatch):
    """The cache turning itself off mid-command (an SQLite error) answered its defaults, no file
    damaged and no id used twice: the damaged-book refusal then read nothing. It reads the files."""
    from cashbook.store import cache as cache_module

    path = book / "journals" / "2026" / "2026-11-02.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[[entry]\nid = ", encoding="utf-8")  # broken TOML
    assert cli("report", "balances", book=book).code == 2  # the cache knows it as damaged

    def failing(self):
        self.close()  # what `_run` does on an SQLite error ...
        return []  # ... and the answer it then gives

    monkeypatch.setattr(cache_module.Cache, "unsafe_files", failing)
    before = snapshot(book)
    r = cli("receive", "5", "--from", "x", "--category", "rent", book=book)
    assert r.code == 2 and "book-damaged" in r.err, (r.code, r.out, r.err)
    assert snapshot(book) == before


def test_a_report_over_a_fifo_finishes(book):
    fifo_day(book)
    p = run("report", "balances", "--format", "json", book=book)  # used to hang until killed
    no_traceback(p)
    # and a book with a file it cannot read shows no totals (issue 13): refused, naming it
    assert p.returncode == 2 and "book-damaged" in p.stdout and "FIFO" in p.stdout and "2026-11-05.toml" in p.stdout


def test_a_day_file_linked_to_dev_zero_is_refused(book):
    path = book / "journals" / "2026" / "2026-11-05.toml"
    path.symlink_to("/dev/zero")
    p = run("check", book=book)
    no_traceback(p)  # was: internal error: MemoryError
    assert p.returncode == 1 and "unreadable" in p.stdout and "character device" in p.stdout
    p = run("receive", "5", "--from", "x", "--category", "rent", book=book)
    no_traceback(p)
    assert p.returncode == 2 and "book-damaged" in p.stderr


def test_policies_linked_to_dev_zero_is_refused(book):
    (book / "policies.toml").unlink()
    (book / "policies.toml").symlink_to("/dev/zero")
    p = run("check", book=book)
    no_traceback(p)
    assert p.returncode == 2 and "character device" in p.stderr


def test_a_huge_day_file_is_refused_by_its_size_before_it_is_read(book, cli):
    path = book / "journals" / "2026" / "2026-11-05.toml"
    with open(path, "wb") as fh:  # sparse: the size says 64 MiB + 1 without the disk holding it
        fh.truncate(64 * 1024 * 1024 + 1)
    r = cli("check", "--format", "json", book=book)
    assert r.code == 1
    found = [p for p in r.json["problems"] if p["file"].endswith("2026-11-05.toml")]
    assert [p["code"] for p in found] == ["unreadable"] and "64 MiB" in found[0]["message"]


def test_a_huge_policy_file_is_refused(book, cli):
    with open(book / "policies.toml", "ab") as fh:
        fh.truncate(4 * 1024 * 1024 + 1)
    r = cli("check", book=book)
    assert r.code == 2 and "4 MiB" in r.err


def test_a_statement_linked_to_dev_zero_or_a_fifo_is_refused(book, tmp_path):
    link = tmp_path / "statement.csv"
    link.symlink_to("/dev/zero")
    before = snapshot(book)
    p = run("bank", "import", str(link), "--account", "bank", book=book)
    no_traceback(p)
    assert p.returncode == 2 and "character device" in p.stderr
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    p = run("bank", "import", str(fifo), "--account", "bank", book=book)
    no_traceback(p)
    assert p.returncode == 2 and "FIFO" in p.stderr
    assert snapshot(book) == before


def test_a_huge_statement_is_refused(book, cli, tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(64 * 1024 * 1024 + 1)
    r = cli("bank", "import", str(big), "--account", "bank", book=book)
    assert r.code == 2 and "64 MiB" in r.err


def test_a_seal_log_that_is_a_fifo_is_named_not_waited_on(book):
    os.mkfifo(book / "journals" / "seals.log")
    p = run("check", book=book)
    no_traceback(p)
    assert p.returncode == 1 and "FIFO" in p.stdout


# -- 5. bad file names block writes like every other damaged file ----------------------------

@pytest.mark.parametrize("name", ["2026/2026-02-30.toml", "2025/2026-11-05.toml", "notes.toml"])
def test_a_bad_file_name_blocks_recording_like_other_damage(book, cli, name):
    path = book / "journals" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[[entry]]\nid = "20261105-001"\n')
    r = cli("check", "--format", "json", book=book)
    assert r.code == 1 and "bad-file-name" in [p["code"] for p in r.json["problems"]]
    before = snapshot(book)
    r = cli("receive", "5", "--from", "x", "--category", "rent", book=book)  # was: exit 0, written
    assert r.code == 2 and "bad-file-name" in r.err and "book-damaged" in r.err
    assert snapshot(book) == before
    path.unlink()
    assert cli("receive", "5", "--from", "x", "--category", "rent", book=book).code == 0


def test_a_bad_file_name_blocks_recording_without_the_cache_too(book, cli, monkeypatch):
    monkeypatch.setenv("CASHBOOK_NO_CACHE", "1")
    (book / "journals" / "2026" / "2026-13-01.toml").write_text("")
    r = cli("receive", "5", "--from", "x", "--category", "rent", book=book)
    assert r.code == 2 and "bad-file-name" in r.err


# -- 3. names from policies are names -----------------------------------------------------

ICBC_SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "statements" / "cn_icbc_debit_v2.csv"


def add_policy(book: Path, text: str) -> None:
    with open(book / "policies.toml", "a", encoding="utf-8") as fh:
        fh.write("\n" + text)


@pytest.mark.parametrize("key", ["..", ".", "a/b", "a.b", "-x", "x_y", "库存", "a" * 65, ""])
@pytest.mark.parametrize("section", ["accounts", "categories", "deposit_types", "roles", "bank_formats"])
def test_a_policy_key_that_is_not_a_name_is_refused_at_its_line(book, cli, section, key):
    body = {"accounts": 'type = "bank"\nname = "x"', "categories": 'type = "income"\nname = "x"',
            "deposit_types": 'name = "x"', "bank_formats": 'date = "d"\namount = "a"'}
    if section == "roles":
        text = (book / "policies.toml").read_text(encoding="utf-8").replace("[roles]\n", f'[roles]\n"{key}" = "x"\n', 1)
        (book / "policies.toml").write_text(text, encoding="utf-8")
    else:
        add_policy(book, f'[{section}."{key}"]\n{body[section]}\n')
    r = cli("check", book=book)  # was: `..` passed check
    assert r.code == 2 and "bad-policy" in r.err and "is not a name" in r.err
    assert "policies.toml:" in r.err and repr(key) in r.err


def test_names_with_letters_digits_and_dashes_are_accepted(book, cli):
    add_policy(book, '[accounts.ICBC-2]\ntype = "bank"\nname = "x"\n[deposit_types.key-2]\nname = "x"\n')
    assert cli("check", book=book).code == 0


def test_an_account_called_dot_dot_never_writes_outside_its_folder(book, cli):
    if not ICBC_SAMPLE.is_file():
        pytest.skip(f"sample absent: {ICBC_SAMPLE}")
    add_policy(book, '[accounts.".."]\ntype = "bank"\nname = "x"\n')
    before = snapshot(book)
    r = cli("bank", "import", str(ICBC_SAMPLE), "--account", "..", book=book)  # was: wrote journals/2026-09.toml
    assert r.code == 2 and snapshot(book) == before
    assert not list((book / "journals").glob("*.toml"))


def test_a_bank_folder_is_made_only_from_a_name(tmp_path):
    from cashbook.core.problems import CashbookError
    from cashbook.store.bankfiles import account_dir

    assert account_dir(tmp_path, "icbc") == tmp_path / "journals" / "bank" / "icbc"
    for bad in ("..", "../x", "/etc", "a/../../b", ""):
        with pytest.raises(CashbookError):
            account_dir(tmp_path, bad)


# -- 1. export --output replaces only a regular file or a new path outside the book's own files

def test_export_output_refuses_a_device_a_fifo_and_a_link(book, cli, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.csv"
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("keep me\n")
    link.symlink_to(elsewhere)
    # (as root, /dev/full became a regular file; a test never names a real device: a FIFO stands for one)
    for target in (str(fifo), str(link)):
        r = cli("export", "--to", "csv", "--output", target, book=book)
        assert r.code == 2 and "--output" in r.err, (target, r.err)
    assert fifo.is_fifo() and link.is_symlink() and elsewhere.read_text() == "keep me\n"


@pytest.mark.parametrize("own", ["policies.toml", "journals/2026/2026-11-01.toml", "journals/seals.log", "journals/new.csv",
                                 ".cashbook.lock", ".cashbook/x.csv"])
def test_export_output_refuses_the_books_own_files(book, cli, own):
    before = snapshot(book)
    r = cli("export", "--to", "csv", "--output", str(book / own), book=book)  # was: policies.toml overwritten, exit 0
    assert r.code == 2 and "book's own" in r.err
    assert snapshot(book) == before


def test_export_output_to_a_new_path_or_a_regular_file_works(book, cli, tmp_path):
    out = tmp_path / "out" / "book.csv"
    assert cli("export", "--to", "csv", "--output", str(out), book=book).code == 0
    assert out.read_text().startswith("date") or out.stat().st_size > 0
    assert cli("export", "--to", "csv", "--output", str(out), book=book).code == 0
    assert cli("export", "--to", "csv", "--output", str(book / "book.csv"), book=book).code == 0


# -- 2. links inside the book never send a write outside it ----------------------------------

RECEIVE = ("receive", "5", "--from", "x", "--category", "rent")


def test_a_lock_that_is_a_link_is_refused_and_its_target_never_made(book, cli, tmp_path):
    target = tmp_path / "elsewhere" / "made-by-cashbook"
    target.parent.mkdir()
    lock = book / ".cashbook.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(target)
    before = snapshot(book)
    r = cli(*RECEIVE, book=book)  # was: the target was created (and locked)
    assert r.code == 2 and "is a link" in r.err
    assert not target.exists() and snapshot(book) == before


def test_a_year_folder_linked_elsewhere_is_never_written_through(book, cli, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (book / "journals" / "2026").rename(elsewhere)
    (book / "journals" / "2026").symlink_to(elsewhere)
    outside = {p.name: p.read_bytes() for p in elsewhere.iterdir()}
    r = cli(*RECEIVE, book=book)  # was: the day file was written in the other folder
    assert r.code == 2 and "outside-book" in r.err
    assert {p.name: p.read_bytes() for p in elsewhere.iterdir()} == outside
    r = cli("check", book=book)
    assert r.code == 1 and "journals/2026: outside-book" in r.out


def test_a_bank_folder_linked_elsewhere_is_never_written_through(book, cli, tmp_path):
    if not ICBC_SAMPLE.is_file():
        pytest.skip(f"sample absent: {ICBC_SAMPLE}")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (book / "journals" / "bank").symlink_to(elsewhere)
    r = cli("bank", "import", str(ICBC_SAMPLE), "--account", "bank", "--profile", "icbc", book=book)
    assert r.code == 2 and "outside-book" in r.err
    assert not list(elsewhere.rglob("*"))


def test_a_cache_folder_linked_elsewhere_turns_the_cache_off(book, cli, tmp_path):
    import shutil

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(book / ".cashbook", ignore_errors=True)
    (book / ".cashbook").symlink_to(elsewhere)
    assert cli(*RECEIVE, book=book).code == 0
    assert cli("check", book=book).code == 0
    assert not list(elsewhere.iterdir())  # was: cache.sqlite made there


def test_a_book_reached_through_a_link_still_records(book, cli, tmp_path):
    link = tmp_path / "book-link"
    link.symlink_to(book)
    assert cli(*RECEIVE, book=link).code == 0
    assert cli("check", book=link).code == 0


# -- 7. nothing reaches the terminal raw ------------------------------------------------------

EVIL = "evil\x1b[2J\x1b]0;pwned\x07\u202etxt.exe\x9b"


def test_control_characters_are_shown_escaped_in_tables_and_csv_and_kept_in_file_and_json(book, cli):
    r = cli("receive", "5", "--from", EVIL, "--category", "rent", "--format", "json", book=book)
    assert r.code == 0
    entry_id = r.json["id"]
    for fmt in ("table", "csv"):
        out = cli("report", "journal", "--format", fmt, book=book).out  # was: the raw escapes, clear-screen included
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\x9b" not in out, fmt
        assert "evil\\x1b[2J" in out and "\\u202e" in out, fmt
    rows = cli("report", "journal", "--format", "json", book=book).json
    strings = []

    def walk(v):
        if isinstance(v, dict):
            [walk(x) for x in v.values()]
        elif isinstance(v, list):
            [walk(x) for x in v]
        elif isinstance(v, str):
            strings.append(v)
    walk(rows)
    assert any(EVIL in v for v in strings)  # JSON keeps the text exactly (its own escapes decode to it)
    import tomllib
    day = tomllib.loads((book / "journals" / "2026" / "2026-11-20.toml").read_text(encoding="utf-8"))
    assert [e for e in day["entry"] if e["id"] == entry_id][0]["party"] == EVIL


def test_shown_escapes_only_controls():
    from cashbook.render import shown

    assert shown("现金 [ACME] ok\\") == "现金 [ACME] ok\\"
    assert shown("a\nb\tc\x00\x7f") == "a\\x0ab\\x09c\\x00\\x7f"


# -- 9. small inputs ---------------------------------------------------------------------------

def test_an_out_of_range_clock_is_refused(book):
    before = snapshot(book)
    for clock in ("9999-12-31T23:59+00:00", "0001-01-01T00:00+00:00"):
        p = run(*RECEIVE, book=book, env={"CASHBOOK_NOW": clock})  # was: internal error: OverflowError
        no_traceback(p)
        assert p.returncode == 2 and "CASHBOOK_NOW" in p.stderr
        p = run("report", "balances", book=book, env={"CASHBOOK_NOW": clock})
        no_traceback(p)
        assert p.returncode == 2 and "CASHBOOK_NOW" in p.stderr
    assert snapshot(book) == before


def test_an_empty_book_option_is_refused_not_read_as_the_current_folder(book, tmp_path):
    for args in (("check", "--book", ""), ("--book", "", "check"), (*RECEIVE, "--book", " ")):
        p = run(*args, cwd=book)  # was: silently the current folder (here: a book, so it "worked")
        no_traceback(p)
        assert p.returncode == 2 and "--book" in p.stderr, (args, p.stderr)


@pytest.mark.parametrize("value,said", [("[]", "empty"), ('["0.00"]', "above 0.00"), ('["100.00", "50.00", "100.00"]', "twice"),
                                        ('["-1.00"]', "")])
def test_a_bad_denomination_list_is_refused(book, cli, value, said):
    text = (book / "policies.toml").read_text(encoding="utf-8")
    lines = [l for l in text.splitlines() if not l.startswith("denominations")]
    (book / "policies.toml").write_text(f"denominations = {value}\n" + "\n".join(lines) + "\n", encoding="utf-8")
    r = cli("check", book=book)  # was: passed check (with [] no day could ever close)
    assert r.code == 2 and "bad-policy" in r.err and "denominations" in r.err and said in r.err


@pytest.mark.parametrize("date", ["2026-W47-1", "20261101", "2026-11-01\n", "2026-11-1", "２０２６-11-01", "2026-11-01T00:00"])
def test_a_date_not_written_yyyy_mm_dd_is_refused(book, cli, date):
    before = snapshot(book)
    r = cli(*RECEIVE, "--date", date, book=book)  # was: accepted
    assert r.code == 2 and "--date" in r.err and "YYYY-MM-DD" in r.err
    r = cli("report", "journal", "--from", date, book=book)
    assert r.code == 2 and "--from" in r.err and "YYYY-MM-DD" in r.err
    assert snapshot(book) == before


def test_a_date_with_spaces_around_it_is_still_a_date(book, cli):
    assert cli(*RECEIVE, "--date", " 2026-11-02 ", book=book).code == 0


def test_the_count_date_error_names_the_positional_date(book, cli):
    r = cli("count", "2026-02-30", "100x1", book=book)
    assert r.code == 2 and "DATE '2026-02-30'" in r.err and "--date" not in r.err


def test_a_day_file_linked_out_of_the_book_is_not_read(book, cli, tmp_path):
    secret = tmp_path / "secret.toml"
    secret.write_text('[[entry]]\nid = "20261105-001"\nkind = "receipt"\n')
    (book / "journals" / "2026" / "2026-11-05.toml").symlink_to(secret)
    r = cli("check", "--format", "json", book=book)
    found = [p for p in r.json["problems"] if p["file"].endswith("2026-11-05.toml")]
    assert r.code == 1 and [p["code"] for p in found] == ["unreadable"] and "outside the book" in found[0]["message"]
    assert cli(*RECEIVE, book=book).code == 2


def test_a_day_file_linked_inside_the_book_is_read(book, cli):
    day = book / "journals" / "2026" / "2026-11-01.toml"
    kept = book / "journals" / "2026" / "keep"
    kept.mkdir()
    day.rename(kept / "2026-11-01.data")
    day.symlink_to(kept / "2026-11-01.data")
    r = cli("report", "balances", "--format", "json", book=book)
    assert r.code == 0 and "51500.00" in r.out
