"""Hostile input: whatever a user types, a file holds or a bank sends, cashbook answers with a
message and an exit code (0, 1 or 2), never a traceback, and a refusal changes nothing.

Four fuzzed surfaces (hypothesis, in-process through the `cli` fixture; a few real
subprocesses at the end): command-line arguments, day journal files, policies.toml,
bank statements. Then explicit cases for a hostile file system: a read-only book, a full
disk, symlinks, folders where files belong and files where folders belong, a 50 MB day.

A failure that is a known, reported bug is pinned by an ``xfail(strict=True)`` test named
``test_bug_*`` below; the fuzzers recognise the same bugs by their signature (`KNOWN`) so
they keep hunting for new ones while the suite stays green. When a bug is fixed its xfail
turns into an XPASS failure: remove the mark and the signature (``test_fixed_*`` are such).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW, SHARED, run_cli

from cashbook.store.cache import cache_dir

SAMPLES = SHARED / "samples" / "statements"
SAMPLE_FILES = sorted(p for p in SAMPLES.glob("*") if p.is_file() and p.suffix not in (".md", ".json")) if SAMPLES.is_dir() else []

FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                  HealthCheck.data_too_large, HealthCheck.large_base_example])

# problems that mean "this file cannot be trusted": recording must stop (README, "The book on disk")
FILE_ERRORS = {"toml-syntax", "bad-encoding", "unreadable", "duplicate-id", "unknown-kind", "missing-field",
               "bad-amount", "bad-field", "wrong-day"}
DAY2 = "journals/2026/2026-11-02.toml"


# -- helpers -------------------------------------------------------------------------------

def snap(root: Path) -> dict[str, object]:
    """Every file and symlink of a book, with contents; not the lock or the disposable cache."""
    out: dict[str, object] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        rel_folder = Path(folder).relative_to(root)
        if rel_folder.parts[:1] == (".cashbook",):
            continue
        for name in dirs + files:
            p = Path(folder) / name
            rel = str(rel_folder / name)
            if name == ".cashbook.lock" or rel == ".cashbook":
                continue
            if p.is_symlink():
                out[rel] = ("symlink", os.readlink(p))
            elif p.is_dir():
                continue  # an empty folder left by a refused write is not data
            else:
                out[rel] = p.read_bytes()
    return out


def tmp_leftovers(root: Path) -> list[str]:
    return [str(p) for p in root.rglob(".*.tmp")]


def sane(r) -> None:
    """The contract for any input: exit 0, 1 or 2, and no traceback."""
    assert r.code in (0, 1, 2), (r.code, r.out[-2000:], r.err[-2000:])
    assert "Traceback" not in r.out + r.err, r.err[-3000:]


# Known bugs, reported with reproducers (see the test_bug_* tests): the fuzzers recognise
# their signature and carry on. Each entry: (name, predicate(args, result) -> bool).
KNOWN = [
    ("journals-is-a-file", lambda a, r: "NotADirectoryError" in r.err),
    ("refund-wait-overflow", lambda a, r: "OverflowError" in r.err and "refund-deposit" in a),
]


def known_bug(args, r) -> str | None:
    for name, hit in KNOWN:
        try:
            if hit(list(args), r):
                return name
        except Exception:  # a predicate must never hide a failure
            pass
    return None


def clean_refusal_or_success(args, r) -> bool:
    """True when the outcome obeys the contract; False for a known bug. Fails on anything else."""
    sane(r)
    if "internal error" in r.err:
        if known_bug(args, r):
            return False
        pytest.fail(f"internal error reached the user for cashbook {args!r}:\n{r.err[-2000:]}")
    return True


def file_problems(cli, book: Path) -> list[dict]:
    """File errors as the files say (check reads every file; the cache is dropped all the same)."""
    shutil.rmtree(cache_dir(book), ignore_errors=True)
    r = cli("check", "--format", "json", book=book)
    sane(r)
    if r.code == 2:
        return [{"code": "check-refused", "message": r.out + r.err}]
    return [p for p in r.json["problems"] if p["code"] in FILE_ERRORS | {"bad-file-name"}]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A small, realistic book built once: Nov 1 sealed, Nov 2 open with every kind of entry."""
    from cashbook.cli import common
    from cashbook.cli.main import run
    import contextlib
    import io

    root = tmp_path_factory.mktemp("template") / "book"
    ids: dict[str, str] = {}

    def call(*args):
        common.Session.now = common.Session.book = None
        common.Session.format = "table"
        sys.argv = ["cashbook", *args, "--book", str(root)]
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                run()
            except SystemExit as exc:
                code = exc.code
        assert code == 0, (args, out.getvalue(), err.getvalue())
        return out.getvalue()

    old_argv, old_now = sys.argv, os.environ.get("CASHBOOK_NOW")
    os.environ["CASHBOOK_NOW"] = NOW
    try:
        common.Session.book = None
        sys.argv = ["cashbook", "init", str(root)]
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                run()
            except SystemExit as exc:
                assert exc.code == 0
        call("opening", "cash", "1500", "--date", "2026-11-01")
        call("opening", "bank", "50000", "--date", "2026-11-01")
        call("count", "2026-11-01", "100x15")
        call("close", "day", "2026-11-01")
        d = ("--date", "2026-11-02", "--format", "json")
        ids["receipt"] = json.loads(call("receive", "1200", "--from", "张三家具", "--category", "rent", "--doc", "SJ0001", *d))["id"]
        ids["payment"] = json.loads(call("pay", "80", "--to", "邮局", "--category", "postage", "--approved-by", "gm:王总", *d))["id"]
        ids["deposit"] = json.loads(call("bank-deposit", "1200", "--account", "bank", *d))["id"]
        ids["advance"] = json.loads(call("advance", "300", "--to", "李四", "--purpose", "trip", "--due", "2026-11-30",
                                         "--approved-by", "gm:王总", "--approved-by", "dept-head:赵", *d))["id"]
        ids["hold"] = json.loads(call("hold-deposit", "500", "--from", "红星", "--type", "site", "--doc", "SJ0002", *d))["id"]
        ids["permit"] = json.loads(call("hold-deposit", "--from", "红星", "--type", "construction-permit", "--units", "2", *d))["id"]
    finally:
        sys.argv = old_argv
        if old_now is None:
            os.environ.pop("CASHBOOK_NOW", None)
        else:
            os.environ["CASHBOOK_NOW"] = old_now
    shutil.rmtree(cache_dir(root), ignore_errors=True)
    return root, ids


@pytest.fixture
def fresh(template, tmp_path):
    """Copy the template book into a new folder; call it once per hypothesis example."""
    root, ids = template
    counter = iter(range(10**9))

    def make() -> Path:
        dst = tmp_path / f"b{next(counter)}"
        shutil.copytree(root, dst, symlinks=True)
        return dst

    make.ids = ids
    return make


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch):
    monkeypatch.delenv("CASHBOOK_DEBUG", raising=False)
    monkeypatch.delenv("CASHBOOK_BOOK", raising=False)
    monkeypatch.delenv("CASHBOOK_NO_CACHE", raising=False)


# -- (a) command-line arguments ----------------------------------------------------------------

HOSTILE_AMOUNTS = ["1e30", "1E3", "999999999999.99", "1000000000000.00", "999999999999.999", "1000000000000", "-5", "+5",
                   "0", "0.00", "-0.00", "NaN", "nan", "inf", "-inf", "Infinity", "1,000", "1,00", "1,0000.00", "１００",
                   "0x10", " 5 ", "5.", ".5", "1_000", "١٢٣", "5.5.5", "", " ", "5\n", "9" * 5000, "0." + "0" * 400 + "1",
                   "1" + "0" * 30, "12345678901234567890.12", "¥100", "100元", "1e-2", "0.01", "0.1", "00000001.10"]
HOSTILE_DATES = ["0001-01-01", "0001-01-02", "0999-12-31", "1000-01-01", "1969-12-31", "1970-01-01", "9999-12-31",
                 "9999-12", "2026-02-29", "2024-02-29", "2026-11-20", "2026-11-21", "2026-11-19", "2026-11-02", "2026-11-01",
                 "20261101", "2026-W45-1", "2026W451", "2026-11-1", "2026-13-01", "2026-00-10", "0000-01-01", "", " ",
                 "2026-11-02T10:00", "2026-11-02 ", "+02026-11-02", "2026/11/02", "2026-１1-02", "99999-01-01", "today"]
HOSTILE_MONTHS = ["2026-11", "2026-13", "0001-01", "9999-12", "0000-01", "2026-1", "2026", "", "2026-11-02", "99999-01"]
HOSTILE_TIMES = ["00:00", "23:59", "24:00", "12:00+05:00", "12:00:00.123456", "T12", "", " ", "12", "12:60", "-1:00", "１２:00", "12:00Z"]

weird_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
hostile_text = st.one_of(
    weird_text,
    st.sampled_from(["", " ", "\n", "\t", "\r\n", "\x1b[31m", "\u202e", "\ufeff", "家具城", "🧾", "a" * 20000, "\\", '"', "'",
                     '"""', "'''", "[[entry]]", "]]\n[[entry]]\nid = \"x\"", "../../../etc/passwd", "--from", "-x", "=", "#"]),
)
amounts = st.one_of(st.sampled_from(HOSTILE_AMOUNTS), st.decimals(min_value=-10**13, max_value=10**13, places=2, allow_nan=False).map(str),
                    st.integers(-(10**15), 10**15).map(str), weird_text)
dates = st.one_of(st.sampled_from(HOSTILE_DATES), st.dates().map(lambda d: d.isoformat()), weird_text)
times = st.one_of(st.sampled_from(HOSTILE_TIMES), weird_text)
accounts = st.one_of(st.sampled_from(["cash", "bank", "CASH", "bank2", "", "../x", "cash ", "opening-balances", "category:rent"]), weird_text)
categories = st.one_of(st.sampled_from(["rent", "office", "postage", "wages", "travel", "deposit", "collection", "bank-fees",
                                        "fixed-assets", "", "RENT", "lottery"]), weird_text)
approvals = st.one_of(st.sampled_from(["gm:王总", "dept-head:赵", "finance-manager:钱", "store-manager:孙", ":", "gm:", ":x",
                                       "a:b:c", "gm :王", "GM:王", "nobody:x"]), weird_text)
methods = st.one_of(st.sampled_from(["cash", "cheque", "transfer", "pos", "CASH", "", "bitcoin"]), weird_text)
formats = st.sampled_from(["table", "json", "csv", "xml", ""])


def ids_strategy(ids: dict[str, str]):
    return st.one_of(st.sampled_from(sorted(ids.values())),
                     st.sampled_from(["20261101-001", "20261101-999", "20261102-999", "x", "", "20261102-1", "2026-11-02-001",
                                      "0001-01-01-001", "99999999-999", "../20261102-001"]), weird_text)


def recording_commands(ids):
    eid = ids_strategy(ids)
    common = {"--date": dates, "--time": times, "--format": formats, "--memo": hostile_text, "--override": approvals}
    return {
        "receive": ([amounts], {"--from": hostile_text, "--category": categories, "--account": accounts, "--method": methods,
                                "--doc": hostile_text, **common}),
        "pay": ([amounts], {"--to": hostile_text, "--category": categories, "--account": accounts, "--method": methods,
                            "--cheque": hostile_text, "--invoice": hostile_text, "--invoice-party": hostile_text,
                            "--approved-by": approvals, "--words": st.one_of(hostile_text, st.sampled_from(["壹佰元整", "捌拾元整", "零元整"])), **common}),
        "bank-deposit": ([amounts], {"--account": accounts, "--cash-account": accounts, "--slip": hostile_text, **common}),
        "withdraw": ([amounts], {"--account": accounts, "--approved-by": approvals, "--cash-account": accounts, "--cheque": hostile_text, **common}),
        "transfer": ([amounts], {"--from-account": accounts, "--to-account": accounts, "--ref": hostile_text, "--approved-by": approvals, **common}),
        "advance": ([amounts], {"--to": hostile_text, "--purpose": hostile_text, "--due": dates, "--approved-by": approvals,
                                "--account": accounts, "--method": methods, **common}),
        "settle": ([eid], {"--returned": amounts, "--spent": amounts, "--category": categories, "--invoice": hostile_text,
                           "--account": accounts, **common}),
        "hold-deposit": ([amounts], {"--from": hostile_text, "--type": st.one_of(st.sampled_from(["site", "quality", "fit-out",
                         "construction-permit", "electricity", "telephone", "banner", ""]), weird_text),
                         "--units": st.one_of(st.integers(-5, 10**21).map(str), weird_text), "--doc": hostile_text,
                         "--account": accounts, "--method": methods, **common}),
        "refund-deposit": ([eid], {"--approved-by": approvals, "--amount": amounts, "--left-on": dates, "--lost-receipt": hostile_text,
                                   "--account": accounts, "--method": methods, **common}),
        "void": ([eid], {"--reason": hostile_text, "--date": dates, "--time": times, "--format": formats}),
        "count": ([st.one_of(dates, st.just("2026-11-20"))], {"--account": accounts, "--time": times, "--format": formats}),
        "opening": ([accounts, amounts], {"--date": dates, "--format": formats}),
        "collect": ([amounts], {"--from": hostile_text, "--for": hostile_text, "--category": categories, **common}),
        "adjust": ([st.sampled_from(["overage", "shortage", "", "x"]), amounts], {"--approved-by": approvals, "--date": dates, "--format": formats}),
    }


REPORTS = {
    ("report", "journal"): {"--account": accounts, "--from": dates, "--to": dates, "--format": formats, "--lang": st.sampled_from(["en", "zh", "fr"])},
    ("report", "balances"): {"--date": dates, "--format": formats},
    ("report", "advances"): {"--date": dates, "--format": formats},
    ("report", "deposits"): {"--date": dates, "--format": formats},
    ("report", "cheques"): {"--from": dates, "--to": dates, "--format": formats},
    ("report", "receipts"): {"--from": dates, "--to": dates, "--format": formats},
    ("report", "exceptions"): {"--from": dates, "--to": dates, "--format": formats},
    ("report", "day"): {"": dates, "--format": formats},
    ("report", "month"): {"": st.one_of(st.sampled_from(HOSTILE_MONTHS), weird_text), "--format": formats},
    ("close", "day"): {"": dates, "--dry-run": st.none(), "--format": formats},
    ("close", "month"): {"": st.one_of(st.sampled_from(HOSTILE_MONTHS), weird_text), "--format": formats},
    ("words",): {"": amounts, "--format": formats},
    ("check",): {"--format": formats},
    ("export",): {"--to": st.one_of(st.sampled_from(["beancount", "ledger", "csv", "xml", ""]), dates), "--from": dates, "--until": dates},
    ("bank", "reconcile"): {"--account": accounts, "--month": st.one_of(st.sampled_from(HOSTILE_MONTHS), weird_text), "--format": formats},
    ("bank", "book-charges"): {"--account": accounts, "--month": st.one_of(st.sampled_from(HOSTILE_MONTHS), weird_text), "--date": dates},
}
READ_ONLY = {("report",), ("words",), ("check",), ("export",), ("bank", "reconcile")}


@st.composite
def command_line(draw, ids):
    cmds = recording_commands(ids)
    if draw(st.integers(0, 3)) == 0:
        head = draw(st.sampled_from(sorted(REPORTS)))
        opts = REPORTS[head]
        args = list(head)
        for opt in draw(st.lists(st.sampled_from(sorted(opts)), max_size=4)):
            strat = opts[opt]
            if opt == "":
                args.append(draw(strat))
            elif opt == "--dry-run":
                args.append(opt)
            else:
                args += [opt, draw(strat)]
    else:
        name = draw(st.sampled_from(sorted(cmds)))
        positional, opts = cmds[name]
        args = [name] + [draw(p) for p in positional if draw(st.integers(0, 9)) > 0]
        # the options a valid call needs are usually there, so the rules and the writer get exercised too
        for opt in sorted(opts):
            if draw(st.integers(0, 2)) == 0:
                continue
            args += [opt, draw(opts[opt])]
            if opt in ("--approved-by", "--override") and draw(st.booleans()):
                args += [opt, draw(opts[opt])]
    if draw(st.integers(0, 9)) == 0:  # junk: unknown options, stray words, a bare dash
        args.insert(draw(st.integers(1, len(args))), draw(st.sampled_from(["--bogus", "-", "--", "-x", "--date", "extra", "--format=json"])))
    return args


def _is_read_only(args) -> bool:
    return any(tuple(args[: len(k)]) == k for k in READ_ONLY) or (args[:2] == ["close", "day"] and "--dry-run" in args)


@settings(max_examples=100, **FUZZ)
@given(data=st.data())
def test_fuzzed_command_lines(cli, fresh, data):
    book = fresh()
    args = data.draw(command_line(fresh.ids), label="args")
    before = snap(book)
    r = cli(*args, book=book)
    if not clean_refusal_or_success(args, r):
        return
    after = snap(book)
    if r.code == 2 or _is_read_only(args):
        assert after == before, f"cashbook {args!r} exited {r.code} but changed the book"
        assert not tmp_leftovers(book)
    if r.code == 2:
        assert r.err.strip() or r.out.strip(), "a refusal must say why"
    if r.code == 0 and after != before:
        # an accepted entry must leave a book that still reads: no file error, no odd file name
        bad = file_problems(cli, book)
        assert not bad, f"cashbook {args!r} was accepted but left the book damaged: {bad}"


# explicit boundary values the brief names, each through every recording command that takes them
BOUNDARY_AMOUNTS = ["1e30", "999999999999.99", "1000000000000.00", "-5", "0", "NaN", "１００"]
BOUNDARY_DATES = ["9999-12-31", "2026-02-29", "0000-01-01", "2026-13-01", "2026-11-21"]


@pytest.mark.parametrize("amount", BOUNDARY_AMOUNTS)
@pytest.mark.parametrize("cmd", [["receive", "--from", "A", "--category", "rent"],
                                 ["pay", "--to", "A", "--category", "office", "--approved-by", "gm:王总"],
                                 ["withdraw", "--account", "bank", "--approved-by", "gm:王总"],
                                 ["hold-deposit", "--from", "M", "--type", "site"]])
def test_boundary_amounts(cli, fresh, cmd, amount):
    book = fresh()
    before = snap(book)
    args = [cmd[0], amount, *cmd[1:], "--date", "2026-11-03"]
    r = cli(*args, book=book)
    assert clean_refusal_or_success(args, r)
    if amount in ("999999999999.99",):
        if r.code == 0:
            assert not file_problems(cli, book)
    else:
        assert r.code == 2 and snap(book) == before, (args, r.out, r.err)


@pytest.mark.parametrize("date", BOUNDARY_DATES)
def test_boundary_dates_are_refused_cleanly(cli, fresh, date):
    book = fresh()
    before = snap(book)
    for args in (["receive", "5", "--from", "A", "--category", "rent", "--date", date],
                 ["count", date, "100x1"], ["opening", "bank", "5", "--date", date],
                 ["void", fresh.ids["receipt"], "--reason", "x", "--date", date]):
        r = cli(*args, book=book)
        assert clean_refusal_or_success(args, r)
        assert r.code == 2, (args, r.out, r.err)
        assert snap(book) == before


# -- known bugs found by the argument fuzzer ---------------------------------------------------

def test_fixed_date_0001_01_01_is_an_internal_error(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: --date 0001-01-01 reaches
    'internal error: ValueError: year 0 is out of range' (cli/common.py entry_time: naive.astimezone() on year
    1)"""
    book = fresh()
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "0001-01-01", book=book)
    sane(r)
    assert r.code == 2 and "internal error" not in r.err


def test_fixed_dates_before_year_1000_are_written_where_the_book_cannot_read_them(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: an entry dated before year 1000 is
    accepted (exit 0) but written to journals/1/1-01-02.toml (strftime %Y is not zero-padded), a name the book
    never reads: the entry is lost and `check` reports bad-file-name (store/journal.py day_path, book.py
    next_id)"""
    book = fresh()
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "0001-01-02", "--format", "json", book=book)
    sane(r)
    if r.code == 2:
        return  # refusing such a date is a fine fix
    assert r.code == 0
    assert (book / "journals/0001/0001-01-02.toml").exists()
    assert not file_problems(cli, book)
    balances = cli("report", "balances", "--format", "json", book=book)
    assert r.json["id"] in cli("report", "journal", "--format", "json", book=book).out, balances.out


def test_fixed_accepted_entry_damages_the_book(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: hold-deposit --units N multiplies
    the fixed amount with no upper bound: the entry is accepted (exit 0) with amount > 999,999,999,999.99,
    which the file reader then rejects, so the whole book is 'book-damaged' and refuses every later entry
    (cli/record.py hold_deposit; core/entries.py _amount passes Decimal values through without parse_amount's
    checks)"""
    book = fresh()
    before = snap(book)
    r = cli("hold-deposit", "--from", "M", "--type", "construction-permit", "--units", "20000000000", "--date", "2026-11-03", book=book)
    sane(r)
    if r.code == 0:
        assert not file_problems(cli, book)
    else:
        assert r.code == 2 and snap(book) == before
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book)
    assert r.code == 0, r.err


def test_fixed_left_on_9999_overflows(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: refund-deposit --left-on
    9999-12-31 of a deposit type with refund_wait_days reaches 'internal error: OverflowError: date value out
    of range' (core/rules.py:272 left_on + timedelta)"""
    book = fresh()
    r = cli("hold-deposit", "500", "--from", "M", "--type", "quality", "--date", "2026-11-03", "--format", "json", book=book)
    assert r.code == 0, r.err
    before = snap(book)
    roles = ["floor-manager", "customer-service-manager", "furniture-manager", "finance-manager", "store-manager", "gm"]
    appr = [x for role in roles for x in ("--approved-by", f"{role}:x")]
    r = cli("refund-deposit", r.json["id"], "--left-on", "9999-12-31", *appr, book=book)
    sane(r)
    assert r.code == 2 and "internal error" not in r.err and snap(book) == before


@pytest.mark.parametrize("cmd", ["balances", "advances", "deposits"])
def test_fixed_report_date_9999_12_31_overflows(cli, fresh, cmd):
    """Regression test: found by this hardening pass, fixed during it. It was: `report balances|advances|deposits
    --date 9999-12-31` reach 'internal error: OverflowError: date value out of range' (cli/report.py
    _state_as_of: day + timedelta(days=1))"""
    book = fresh()
    r = cli("report", cmd, "--date", "9999-12-31", book=book)
    sane(r)
    assert "internal error" not in r.err


@pytest.mark.parametrize("days", ["99999999999999999999", "9" * 5000])
def test_fixed_estimate_with_huge_days(cli, days):
    """Regression test: found by this hardening pass, fixed during it. It was: `advance --estimate` with a huge
    DAYS reaches 'internal error' (decimal.InvalidOperation, or ValueError past 4300 digits) instead of a bad-
    option (cli/record.py advance)"""
    r = cli("advance", "--estimate", "999999999999.99", "999999999999.99", "999999999999.99", days)
    sane(r)
    assert r.code in (0, 2) and "internal error" not in r.err


# -- (b) journal files ------------------------------------------------------------------------

INVALID_UTF8 = [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe4\xb8", b"\x80"]
TIMES_OUT_OF_RANGE = ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-23:59", "9999-12-31T23:59:59+08:00",
                      "2026-02-29T10:00:00+08:00", "2026-11-02T24:00:00+08:00", "2026-11-02T10:00:00+24:00",
                      "2026-11-02T10:00:00", "2026-11-02", "1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z"]
VALUES = ['"1e400"', '"-0.00"', '"999999999999.995"', "1.5", "inf", "nan", '"1000000000000.00"', "[]", "{}", "true",
          '"\\u0000"', "2026-11-02", "99999999999999999999", '""', '"  100.00  "', '"100,00"']


@st.composite
def mutated_day(draw, original: bytes):
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "truncate", "nul", "utf8", "dup-line", "dup-entry", "nest", "huge-line",
                                     "time", "value", "crlf", "bom", "cr", "delete-line", "swap-entries", "bigint",
                                     "header", "id", "kind", "insert-text"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        text = data.decode("utf-8", "replace")
        lines = text.split("\n")
        if kind == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[pos:]
        elif kind == "nul":
            data[pos:pos] = b"\x00"
        elif kind == "utf8":
            data[pos:pos] = draw(st.sampled_from(INVALID_UTF8))
        elif kind in ("dup-line", "delete-line") and len(lines) > 1:
            i = draw(st.integers(0, len(lines) - 1))
            if kind == "dup-line":
                lines.insert(i, lines[i])
            else:
                del lines[i]
            data = bytearray("\n".join(lines).encode("utf-8", "surrogateescape"))
        elif kind in ("dup-entry", "swap-entries"):
            parts = text.split("[[entry]]")
            if len(parts) > 2:
                i = draw(st.integers(1, len(parts) - 1))
                if kind == "dup-entry":
                    parts.insert(i, parts[i])
                else:
                    j = draw(st.integers(1, len(parts) - 1))
                    parts[i], parts[j] = parts[j], parts[i]
                data = bytearray("[[entry]]".join(parts).encode())
        elif kind == "nest":
            depth = draw(st.sampled_from([50, 500, 3000]))
            data += f"\nx = {'[' * depth}{']' * depth}\n".encode()
        elif kind == "huge-line":
            data += ('\n[[entry]]\nid = "20261102-099"\nkind = "receipt"\ntime = "2026-11-02T09:00:00+08:00"\n'
                     f'amount = "1.00"\nparty = "{"长" * draw(st.sampled_from([1000, 50_000]))}"\ncategory = "rent"\n').encode()
        elif kind == "time":
            data = bytearray(re.sub(rb'time = "[^"]*"', b'time = "' + draw(st.sampled_from(TIMES_OUT_OF_RANGE)).encode() + b'"',
                                    bytes(data), count=draw(st.integers(1, 3))))
        elif kind == "value":
            key = draw(st.sampled_from([b"amount", b"time", b"id", b"kind", b"due", b"units", b"party", b"category", b"approvals"]))
            value = key + b" = " + draw(st.sampled_from(VALUES)).encode()
            data = bytearray(re.sub(key + rb' = [^\n]*', lambda m: value, bytes(data), count=1))
        elif kind == "crlf":
            data = bytearray(bytes(data).replace(b"\n", b"\r\n"))
        elif kind == "cr":
            data = bytearray(bytes(data).replace(b"\n", b"\r", 1))
        elif kind == "bom":
            data[0:0] = b"\xef\xbb\xbf"
        elif kind == "bigint":
            data += b"\nn = " + b"9" * 5000 + b"\n"
        elif kind == "header":
            data = bytearray(bytes(data).replace(b"[[entry]]", draw(st.sampled_from([b"[entry]", b"[[entry]", b"[[ entry ]]",
                                                                                     b"[[entries]]", b"[[entry.x]]"])), 1))
        elif kind == "id":
            data = bytearray(re.sub(rb'id = "[^"]*"', b'id = "' + draw(st.sampled_from([b"20261102-001", b"20261101-001", b"x", b"",
                                                                                         b"20261102-999999999999999999"])) + b'"', bytes(data), count=1))
        elif kind == "kind":
            data = bytearray(re.sub(rb'kind = "[^"]*"', b'kind = "' + draw(st.sampled_from([b"void", b"day-close", b"opening",
                                                                                             b"cash-count", b"gift", b""])) + b'"', bytes(data), count=1))
        elif kind == "insert-text":
            data[pos:pos] = draw(st.text(max_size=30)).encode("utf-8", "surrogatepass")
    return bytes(data)


def _check_after_file_damage(cli, book: Path, named: str) -> None:
    """`check` on a damaged book: 0 or 1, file:line messages naming the file, and it writes nothing."""
    before = snap(book)
    r = cli("check", book=book)
    if not clean_refusal_or_success(["check", named], r):
        return
    assert r.code in (0, 1), (r.code, r.out[-1500:], r.err[-1500:])
    assert snap(book) == before, "check changed the book"
    if r.code == 1:
        errors = [l for l in r.out.splitlines() if l.strip() and not l.endswith("(warning)")]
        assert errors
        for line in errors:
            assert re.match(r"^(\S+?)(:\d+)?: [a-z][a-z0-9-]*: ", line) or re.match(r"^[a-z][a-z0-9-]*: ", line), line
        day = re.search(r"\d{4}-\d{2}-\d{2}", named)
        assert any(named in line or (day and day[0] in line) for line in errors), (named, errors[:10])
    # recording: a damaged book refuses (exit 2, nothing written); a sound one records with a fresh id
    rj = cli("check", "--format", "json", book=book) if r.code == 1 else None
    damaged = rj is not None and any(p["code"] in FILE_ERRORS for p in rj.json["problems"])
    for day in ("2026-11-03",):
        before = snap(book)
        args = ("receive", "7", "--from", "Z", "--category", "rent", "--account", "bank", "--date", day, "--format", "json")
        w = cli(*args, book=book)
        if not clean_refusal_or_success(list(args), w):
            return
        if w.code == 2 or damaged:
            assert w.code == 2, f"a book with file errors must refuse new entries: {rj.out[:1500]}"
            assert snap(book) == before
        else:
            assert w.code == 0
            after = cli("check", "--format", "json", book=book)
            assert not [p for p in after.json["problems"] if p["code"] == "duplicate-id" and p.get("entry") == w.json["id"]]


@settings(max_examples=30, **FUZZ)
@given(data=st.data())
def test_fuzzed_day_files(cli, fresh, data):
    book = fresh()
    target = data.draw(st.sampled_from([DAY2, "journals/2026/2026-11-01.toml"]), label="file")
    path = book / target
    path.write_bytes(data.draw(mutated_day(path.read_bytes()), label="content"))
    _check_after_file_damage(cli, book, target)


@pytest.mark.parametrize("how", ["dangling-symlink", "symlink-to-dir", "dir", "empty", "impossible-date", "odd-name",
                                 "wrong-year-folder", "symlink-loop", "hidden", "bak"])
def test_day_file_shapes(cli, fresh, how, tmp_path):
    book = fresh()
    target = book / "journals/2026/2026-11-05.toml"
    named = "journals/2026/2026-11-05.toml"
    if how == "dangling-symlink":
        target.symlink_to(tmp_path / "nowhere.toml")
    elif how == "symlink-to-dir":
        (tmp_path / "adir").mkdir()
        target.symlink_to(tmp_path / "adir")
    elif how == "dir":
        target.mkdir()
    elif how == "empty":
        target.write_bytes(b"")
    elif how == "impossible-date":
        named = "journals/2026/2026-02-30.toml"
        (book / named).write_text("")
    elif how == "odd-name":
        named = "journals/2026/notes.toml"
        (book / named).write_text("x = 1\n")
    elif how == "wrong-year-folder":
        named = "journals/2025/2026-11-05.toml"
        (book / "journals/2025").mkdir()
        (book / named).write_bytes((book / DAY2).read_bytes().replace(b"2026-11-02", b"2026-11-05").replace(b"20261102-", b"20261105-"))
    elif how == "symlink-loop":
        target.symlink_to(target)
    elif how == "hidden":
        named = "journals/2026/.2026-11-05.toml"
        (book / named).write_text("garbage [[[")
    elif how == "bak":
        named = "journals/2026/2026-11-02.toml.bak"
        (book / named).write_text("garbage [[[")
    if how in ("dir", "symlink-to-dir"):  # check copes; recording on that day is test_fixed_folder_named_like_a_day
        before = snap(book)
        r = cli("check", book=book)
        assert clean_refusal_or_success(["check"], r) and r.code in (0, 1) and snap(book) == before
        return
    if how in ("hidden", "bak"):  # not journal files: ignored, and the book stays sound
        r = cli("check", book=book)
        sane(r)
        assert r.code == 0, r.out
        return
    _check_after_file_damage(cli, book, named)


def test_a_symlink_loop_named_like_a_day(cli, fresh):
    """Was a bug (internal error: ELOOP from store/book.py scan), fixed while this file was written."""
    book = fresh()
    target = book / "journals/2026/2026-11-05.toml"
    target.symlink_to(target.name)
    r = cli("check", book=book)
    sane(r)
    assert r.code == 1 and "internal error" not in r.err and "journals/2026/2026-11-05.toml" in r.out


def test_an_empty_day_file_is_an_empty_day(cli, fresh):
    book = fresh()
    (book / "journals/2026/2026-11-05.toml").write_bytes(b"")
    assert cli("check", book=book).code == 0
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-05", "--format", "json", book=book)
    assert r.code == 0 and r.json["id"] == "20261105-001"
    assert cli("check", book=book).code == 0


def test_fixed_huge_integer_in_a_day_file(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: a day file holding an integer of
    more than 4300 digits makes `check` (and every command) reach 'internal error: ValueError: Exceeds the
    limit (4300 digits)' instead of a toml-syntax problem at file:line (store/journal.py parse_day catches
    only TOMLDecodeError and RecursionError)"""
    book = fresh()
    (book / "journals/2026/2026-11-05.toml").write_text("n = " + "9" * 5000 + "\n")
    r = cli("check", book=book)
    sane(r)
    assert r.code == 1 and "journals/2026/2026-11-05.toml" in r.out


def test_fixed_folder_named_like_a_day(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: a folder named like a day file
    (journals/2026/2026-11-05.toml/): `check` says ok, then `receive --date 2026-11-05` reaches 'internal
    error: IsADirectoryError' (store/journal.py append_entry reads it; store/book.py scan walks into it
    instead of reporting it)"""
    book = fresh()
    (book / "journals/2026/2026-11-05.toml").mkdir()
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-05", book=book)
    sane(r)
    assert "internal error" not in r.err and r.code == 2


def test_fixed_duplicate_id_in_a_file_does_not_stop_recording(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: a day file with a duplicate id no
    longer stops recording: README promises a book with a damaged file refuses new entries until `check` is
    clean of file errors, but the cache's UNSAFE_CODES (store/cache.py) lacks duplicate-id, which
    store/book.py _UNREADABLE has"""
    book = fresh()
    path = book / DAY2
    text = path.read_text()
    first = "[[entry]]" + text.split("[[entry]]")[1]
    path.write_text(text + "\n" + first)
    assert cli("check", book=book).code == 1
    before = snap(book)
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book)
    assert r.code == 2 and "book-damaged" in r.err and snap(book) == before


def test_a_50_mb_day_file_gets_a_clear_outcome_fast(cli, fresh):
    """50 MB day files: one broken on its first line, one with a NUL at its end. (A valid 50 MB day is in bench/soak.py.)"""
    book = fresh()
    entry = (book / DAY2).read_bytes().split(b"[[entry]]")[1]
    body = b"[[entry]]" + entry
    blob = body * (50 * 2**20 // len(body) + 1)
    (book / "journals/2026/2026-11-05.toml").write_bytes(b"this is not toml\n" + blob)
    (book / "journals/2026/2026-11-06.toml").write_bytes(blob + b"\x00")
    r = cli("check", book=book)
    sane(r)
    assert r.code == 1
    assert any(l.startswith("journals/2026/2026-11-05.toml:1: toml-syntax") for l in r.out.splitlines()), r.out[:2000]
    assert any(l.startswith("journals/2026/2026-11-06.toml") and "bad-encoding" in l for l in r.out.splitlines()), r.out[:2000]


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


@pytest.mark.parametrize("cmd", [["check"], ["report", "balances"]])
def test_journals_being_a_file(cli, fresh, cmd):
    """Recording is test_bug_journals_being_a_file_when_recording."""
    book = fresh()
    shutil.rmtree(book / "journals")
    (book / "journals").write_text("not a folder\n")
    before = snap(book)
    r = cli(*cmd, book=book)
    sane(r)
    assert "internal error" not in r.err
    assert r.code in (1, 2) if cmd[0] != "report" else r.code in (0, 1, 2)
    assert snap(book) == before


def test_fixed_journals_being_a_file_when_recording(cli, fresh):
    book = fresh()
    shutil.rmtree(book / "journals")
    (book / "journals").write_text("not a folder\n")
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book)
    assert r.code == 2 and "internal error" not in r.err


@pytest.mark.parametrize("cmd", [["check"], ["report", "balances"], ["receive", "5", "--from", "A", "--category", "rent"]])
def test_policies_toml_being_a_directory(cli, fresh, cmd):
    book = fresh()
    (book / "policies.toml").unlink()
    (book / "policies.toml").mkdir()
    before = snap(book)
    r = cli(*cmd, book=book)
    sane(r)
    assert r.code == 2 and "policies.toml" in r.err and "internal error" not in r.err
    assert snap(book) == before


# -- (c) policies.toml -------------------------------------------------------------------------

@st.composite
def mutated_policy(draw, original: str):
    text = original
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "truncate", "dup-line", "delete-line", "value", "nul", "utf8", "nest", "table",
                                     "insert"]))
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "flip" and text:
            pos = draw(st.integers(0, len(text) - 1))
            text = text[:pos] + draw(st.characters(blacklist_categories=("Cs",))) + text[pos + 1:]
        elif kind == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        elif kind == "dup-line":
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif kind == "delete-line":
            del lines[i]
            text = "\n".join(lines)
        elif kind == "value":
            m = [j for j, l in enumerate(lines) if re.match(r"^\s*[\w\-]+\s*=", l)]
            if m:
                j = draw(st.sampled_from(m))
                key = lines[j].split("=")[0]
                lines[j] = key + "= " + draw(st.sampled_from(
                    ['"-5"', '"1e400"', "1.5", '"NaN"', "2026-01-01", '"+99:00"', '"+24:00"', '"-23:59"', "-1", "99999999999",
                     "true", "[]", "{}", '""', '"x"', '"block"', '"warn"', '["gm"]', '["nobody"]', "[1, 2]", '"999999999999.99"',
                     '"0.00"', '"1000000000000.00"', '{ type = "crypto" }', '{ type = "income" }']))
                text = "\n".join(lines)
        elif kind == "nul":
            text = text[:i] + "\x00" + text[i:]
        elif kind == "utf8":
            return (text.encode("utf-8") + draw(st.sampled_from(INVALID_UTF8)) + b"\n")
        elif kind == "nest":
            d = draw(st.sampled_from([10, 3000]))
            text += f"\nx = {'[' * d}{']' * d}\n"
        elif kind == "table":
            text += draw(st.sampled_from(["\n[book]\nname = 'y'\n", "\n[accounts.x]\ntype = 'cash'\nname = 'x'\n",
                                          "\n[accounts.bank2]\ntype = 'bank'\nname = 'b2'\n", "\n[[rules.needs-approval.bands]]\n",
                                          "\n[rules.unknown-rule]\nseverity = 'block'\n", "\n[categories]\n"]))
        elif kind == "insert":
            text = text[:i] + draw(st.text(max_size=20)) + text[i:]
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=25, **FUZZ)
@given(data=st.data())
def test_fuzzed_policies(cli, fresh, data):
    book = fresh()
    policy = book / "policies.toml"
    policy.write_bytes(data.draw(mutated_policy(policy.read_text(encoding="utf-8")), label="policies.toml"))
    before = snap(book)
    r = cli("check", book=book)
    if not clean_refusal_or_success(["check", "policies"], r):
        return
    if r.code == 2:
        assert "policies.toml" in r.err, r.err[-1500:]
    assert snap(book) == before
    args = ["receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03"]
    w = cli(*args, book=book)
    if not clean_refusal_or_success(args, w):
        return
    if r.code == 2:
        assert w.code == 2 and "policies.toml" in w.err, "a policy that `check` refuses must stop recording too"
    if w.code == 2:
        assert snap(book) == before


def test_fixed_utc_offset_out_of_range(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: utc_offset = '+99:00' passes the
    policy validator (pattern \\d{2}:\\d{2}) and `check` says ok, then every recording command reaches
    'internal error: ValueError: offset must be a timedelta strictly between...' (core/policy.py:28 and
    Policy.tz line 205)"""
    book = fresh()
    p = book / "policies.toml"
    p.write_text(p.read_text().replace('utc_offset = ""', 'utc_offset = "+99:00"'))
    r = cli("receive", "5", "--from", "A", "--category", "rent", book=book)
    sane(r)
    assert r.code == 2 and "policies.toml" in r.err and "internal error" not in r.err


def test_fixed_huge_integer_in_policies(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: an integer of more than 4300
    digits in policies.toml reaches 'internal error: ValueError: Exceeds the limit' (store/policyfile.py
    parse_policy catches only TOMLDecodeError/RecursionError)"""
    book = fresh()
    p = book / "policies.toml"
    p.write_text(p.read_text().replace("refund_wait_days = 365", "refund_wait_days = " + "9" * 5000))
    r = cli("check", book=book)
    sane(r)
    assert r.code == 2 and "policies.toml" in r.err and "internal error" not in r.err


def test_fixed_refund_wait_days_unbounded(cli, fresh):
    book = fresh()
    p = book / "policies.toml"
    p.write_text(p.read_text().replace("refund_wait_days = 365", "refund_wait_days = 99999999999"))
    r = cli("hold-deposit", "500", "--from", "M", "--type", "quality", "--date", "2026-11-03", book=book)
    sane(r)
    assert r.code == 2 and "policies.toml" in r.err and "refund_wait_days" in r.err


# -- (d) bank statements -----------------------------------------------------------------------

@st.composite
def statement_bytes(draw):
    if not SAMPLE_FILES or draw(st.integers(0, 4)) == 0:
        return "random.csv", draw(st.binary(max_size=2000))
    path = draw(st.sampled_from(SAMPLE_FILES))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(0, 4))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "duplicate", "year", "amount"]))
        pos = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif kind == "delete":
            del data[pos:pos + draw(st.integers(1, 40))]
        elif kind == "insert":
            data[pos:pos] = draw(st.sampled_from([b"\n", b",", b"\t", b"<", b":61:", b"\x00", b"9" * 30, b"\xff", b"-", b'"']))
        elif kind == "truncate":
            del data[pos:]
        elif kind == "duplicate":
            end = min(len(data), pos + draw(st.integers(1, 300)))
            data[pos:pos] = data[pos:end]
        elif kind == "year":  # dates out of range where a statement spells a 4-digit year
            data = bytearray(re.sub(rb"(?<![0-9])20[0-2][0-9](?=[-/]?[01][0-9][-/]?[0-3][0-9])", draw(st.sampled_from([b"0001", b"9999", b"0000", b"1000"])),
                                    bytes(data), count=draw(st.integers(1, 3))))
        elif kind == "amount":
            data = bytearray(re.sub(rb"[0-9]+\.[0-9]{2}", draw(st.sampled_from([b"999999999999999.99", b"1e30", b"-0.00", b"0.001"])),
                                    bytes(data), count=draw(st.integers(1, 3))))
    return path.name, bytes(data)


@settings(max_examples=25, **FUZZ)
@given(data=st.data())
def test_fuzzed_statements(cli, fresh, data, tmp_path):
    book = fresh()
    name, blob = data.draw(statement_bytes(), label="statement")
    fmt = data.draw(st.sampled_from(["auto", "auto", "csv", "xls", "ofx", "camt053", "mt940"]), label="format")
    f = tmp_path / f"s-{abs(hash(blob)) % 10**9}-{name}"
    f.write_bytes(blob)
    before = snap(book)
    args = ["bank", "import", str(f), "--account", "bank", "--statement-format", fmt]
    r = cli(*args, book=book)
    if not clean_refusal_or_success(args, r):
        return
    assert r.code in (0, 2), (r.code, r.err[-1500:])
    if r.code == 2:
        assert snap(book) == before
        return
    # imported: the store reads back, a re-import adds nothing, reports and check still run
    again = cli(*args, "--output-format", "json", book=book)
    assert again.code == 0 and again.json["added"] == 0, again.out + again.err
    for extra in (["check"], ["bank", "reconcile", "--account", "bank", "--month", "2026-11"]):
        x = cli(*extra, book=book)
        assert clean_refusal_or_success(extra, x)
        assert "bad-statement-store" not in x.err


@pytest.mark.skipif(not SAMPLE_FILES, reason="no statement samples")
def test_fixed_statement_year_0001_lines_are_lost(cli, fresh, tmp_path):
    """Regression test: found by this hardening pass, fixed during it. It was: a statement line dated before year
    1000 (OFX DTPOSTED 00010101) is imported (exit 0) into journals/bank/bank/1-01.toml, a name
    load_statement's glob never reads: the lines are lost, and every re-import appends them again
    (store/bankfiles.py import_lines f'{date:%Y-%m}', load_statement glob)"""
    book = fresh()
    src = (SAMPLES / "ofx102_sgml_checking.ofx").read_bytes()
    f = tmp_path / "y1.ofx"
    f.write_bytes(re.sub(rb"<DTPOSTED>\d{8}", b"<DTPOSTED>00010101", src))
    r = cli("bank", "import", str(f), "--account", "bank", book=book)
    if r.code == 2:
        return  # refusing is a fine fix
    again = cli("bank", "import", str(f), "--account", "bank", "--output-format", "json", book=book)
    assert again.json["added"] == 0


def test_fixed_second_import_with_balances_corrupts_the_store(cli, fresh, tmp_path):
    """Regression test: found by this hardening pass, fixed during it. It was: the second import of statements
    with a running balance (overlapping, or starting on the 1st of a month) corrupts the statement store:
    store/bankfiles.py:148 appends tomli_w.dumps({'line': ..., 'balance': [...]}), and tomli_w writes the
    short balance rows as an inline `balance = [...]` array: a duplicate key, or a key of the last [[line]]
    table. Every later `bank import` and `bank reconcile` then fails with bad-statement-store"""
    book = fresh()
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    head = "交易日期,摘要,收入金额,支出金额,余额\n"
    a.write_text(head + "2026-11-01,存入,100.00,,50100.00\n2026-11-02,支付,,30.00,50070.00\n", encoding="utf-8")
    b.write_text(head + "2026-11-02,支付,,30.00,50070.00\n2026-11-03,存入,5.00,,50075.00\n", encoding="utf-8")
    assert cli("bank", "import", str(a), "--account", "bank", book=book).code == 0
    assert cli("bank", "import", str(b), "--account", "bank", book=book).code == 0
    r = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", book=book)
    assert "bad-statement-store" not in r.err, r.err
    assert r.code in (0, 1)


def test_statement_that_is_a_directory_or_missing(cli, fresh, tmp_path):
    book = fresh()
    before = snap(book)
    for target in (tmp_path, tmp_path / "missing.csv", Path("/dev/null")):
        args = ["bank", "import", str(target), "--account", "bank"]
        r = cli(*args, book=book)
        assert clean_refusal_or_success(args, r)
        assert r.code == 2 and snap(book) == before


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
                assert r.code in (1, 2)  # no count: nothing to seal
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


# -- real subprocesses: what only a real process sees -------------------------------------------

def _run_bytes(args: list[bytes], book: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CASHBOOK_NOW": NOW, "COLUMNS": "200"}
    env.pop("CASHBOOK_DEBUG", None)
    return subprocess.run([sys.executable.encode(), b"-m", b"cashbook", *args, b"--book", bytes(book)],
                          capture_output=True, env=env, timeout=120)


def test_subprocess_invalid_utf8_and_long_arguments(fresh):
    """argv cannot hold NUL; it can hold bytes that are not UTF-8 and very long words."""
    book = fresh()
    before = snap(book)
    cases = [
        [b"receive", b"5", b"--from", b"\xff\xfe\xc3(", b"--category", b"rent", b"--memo", b"\xed\xa0\x80"],
        [b"receive", b"\xff5", b"--from", b"A" * 120_000, b"--category", b"rent", b"--date", b"2026-11-35"],
        [b"report", b"journal", b"--account", b"\x80"],
    ]
    for args in cases:
        p = _run_bytes(args, book)
        out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        assert p.returncode in (0, 1, 2), (args[:3], p.returncode, err[-1500:])
        assert "Traceback" not in out + err and "internal error" not in err, err[-1500:]
        if p.returncode == 2:
            assert snap(book) == before


def test_subprocess_garbage_environment(fresh):
    book = fresh()
    for env in ({"CASHBOOK_NOW": "yesterday", "COLUMNS": "-5"}, {"CASHBOOK_NOW": "9999-12-31T23:59:59+14:00"}):
        r = run_cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book, env=env)
        assert r.code in (0, 1, 2), (env, r.err[-1500:])
        assert "Traceback" not in r.out + r.err, (env, r.err[-1500:])
        assert "internal error" not in r.err, (env, r.err[-1500:])


def test_fixed_lock_timeout_not_a_number(cli, fresh, monkeypatch):
    """Regression test: found by this hardening pass, fixed during it. It was: CASHBOOK_LOCK_TIMEOUT=soon reaches
    'internal error: ValueError: could not convert string to float' instead of naming the variable
    (store/files.py book_lock: float(os.environ[...]))"""
    book = fresh()
    monkeypatch.setenv("CASHBOOK_LOCK_TIMEOUT", "soon")
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book)
    sane(r)
    assert "internal error" not in r.err and "CASHBOOK_LOCK_TIMEOUT" in r.err
