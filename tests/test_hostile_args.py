"""Hostile input, surface 1: command-line arguments and the environment. Every recording and report
command with amounts, dates, times, names, ids, formats and junk (hypothesis, in-process), the
boundary values, arguments that are not UTF-8 (real subprocesses), a hostile clock, an empty
--book, and text with terminal escapes. See tests/hostile.py for the contract."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli
from harness import run_bytes
from hostile import FUZZ, file_problems, sane, snap, tmp_leftovers
from hostile import fresh, no_debug, soak_sample, template  # noqa: F401, F811 (fixtures)


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
    sane(r)
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
    sane(r)
    if amount == "999999999999.99":  # the largest amount: money in is taken, money out refused (not that much cash or bank)
        assert r.code == (0 if cmd[0] in ("receive", "hold-deposit") else 2), (args, r.out, r.err)
        assert r.code == 2 and snap(book) == before or not file_problems(cli, book)
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
        sane(r)
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
    before = snap(book)
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "0001-01-02", "--format", "json", book=book)
    sane(r)
    assert r.code == 2 and "--date" in r.out + r.err and "1900 to 2999" in r.out + r.err, (r.out, r.err)
    assert snap(book) == before


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
    assert r.code == 2 and "--units" in r.err and snap(book) == before, (r.out, r.err)
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
    assert r.code == 2 and "--date '9999-12-31' is outside the years" in r.err, (r.out, r.err)


@pytest.mark.parametrize("days", ["99999999999999999999", "9" * 5000])
def test_fixed_estimate_with_huge_days(cli, days):
    """Regression test: found by this hardening pass, fixed during it. It was: `advance --estimate` with a huge
    DAYS reaches 'internal error' (decimal.InvalidOperation, or ValueError past 4300 digits) instead of a bad-
    option (cli/record.py advance)"""
    r = cli("advance", "--estimate", "999999999999.99", "999999999999.99", "999999999999.99", days)
    sane(r)
    assert r.code == 2 and "--estimate DAYS" in r.err and "1 to 3650" in r.err, r.err


# -- real subprocesses: what only a real process sees -------------------------------------------

def test_subprocess_invalid_utf8_and_long_arguments(fresh):
    """argv cannot hold NUL; it can hold bytes that are not UTF-8 and very long words."""
    book = fresh()
    before = snap(book)
    cases = [
        ([b"receive", b"5", b"--from", b"\xff\xfe\xc3(", b"--category", b"rent", b"--memo", b"\xed\xa0\x80"], "--from"),
        ([b"receive", b"\xff5", b"--from", b"A" * 120_000, b"--category", b"rent", b"--date", b"2026-11-35"], "AMOUNT"),
        ([b"report", b"journal", b"--account", b"\x80"], "--account"),
    ]
    for args, named in cases:
        r = run_bytes(args, book)
        sane(r)
        assert r.code == 2 and named in r.err, (args[:3], r.code, r.err[-1500:])  # each names what it refuses
        assert snap(book) == before


def test_subprocess_garbage_environment(fresh):
    book = fresh()
    for env in ({"CASHBOOK_NOW": "yesterday", "COLUMNS": "-5"}, {"CASHBOOK_NOW": "9999-12-31T23:59:59+14:00"}):
        r = run_cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book, env=env)
        sane(r)
        assert r.code == 2 and "$CASHBOOK_NOW=" in r.err, (env, r.err[-1500:])


def test_fixed_lock_timeout_not_a_number(cli, fresh, monkeypatch):
    """Regression test: found by this hardening pass, fixed during it. It was: CASHBOOK_LOCK_TIMEOUT=soon reaches
    'internal error: ValueError: could not convert string to float' instead of naming the variable
    (store/files.py book_lock: float(os.environ[...]))"""
    book = fresh()
    monkeypatch.setenv("CASHBOOK_LOCK_TIMEOUT", "soon")
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book)
    sane(r)
    assert "internal error" not in r.err and "CASHBOOK_LOCK_TIMEOUT" in r.err


# -- issue 19's small inputs and terminal escapes; then a sample of the soak's own generator ----

def test_an_empty_book_option_is_refused_and_the_current_folder_untouched(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["init"], ["check"], ["receive", "5", "--from", "A", "--category", "rent"]):
        r = cli(*args, "--book", "")
        sane(r)
        assert r.code == 2 and "--book ''" in r.err, (args, r.err)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("date", ["20261103", "2026-W45-2", "2026-11-03\n", "2026-11-3", "+02026-11-03"])
def test_a_date_not_written_yyyy_mm_dd_is_refused_naming_its_option(cli, fresh, date):
    book = fresh()
    before = snap(book)
    for args, option in ((["receive", "5", "--from", "A", "--category", "rent", "--date", date], "--date"),
                         (["advance", "5", "--to", "A", "--purpose", "x", "--approved-by", "gm:王总", "--approved-by",
                           "dept-head:赵", "--due", date, "--date", "2026-11-03"], "--due")):
        r = cli(*args, book=book)
        sane(r)
        assert r.code == 2 and option in r.err and "YYYY-MM-DD" in r.err, (args, r.err)
    assert snap(book) == before


def test_escapes_in_stored_text_never_reach_the_screen_raw(cli, fresh):
    """Issue 19 finding 7: stored as typed (the file, JSON), shown escaped (table, CSV)."""
    from harness import RAW_CONTROL

    book = fresh()
    evil = "evil\x1b[2J\x1b]0;owned\x07\u202e\x9b1m"
    r = cli("receive", "5", "--from", evil, "--category", "rent", "--date", "2026-11-03", "--format", "json", book=book)
    assert r.code == 0, r.err
    for fmt in ("table", "csv"):
        shown = cli("report", "journal", "--from", "2026-11-03", "--to", "2026-11-03", "--format", fmt, book=book)
        assert shown.code == 0 and "evil" in shown.out, shown.err
        assert not RAW_CONTROL.search(shown.out), repr(shown.out[-400:])
        assert "\\x1b[2J" in shown.out
    as_json = cli("report", "journal", "--from", "2026-11-03", "--to", "2026-11-03", "--format", "json", book=book)
    assert as_json.code == 0 and json.dumps(evil, ensure_ascii=False)[1:-1] in as_json.out, as_json.out[-600:]  # kept exactly


def test_soak_sample_of_arguments(soak_sample):
    """bench/soak.py's argument generator and oracles (hostile clocks, an empty --book, dates not
    YYYY-MM-DD accepted, escapes reaching the screen, damage left by an accepted entry)."""
    soak_sample("args", 40)
