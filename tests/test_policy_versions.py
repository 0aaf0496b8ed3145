"""Rules in force when an entry was recorded judge it for good (issue 13, finding 9).

policies.toml takes `effective = "YYYY-MM-DD"`; the book keeps every version it used under
journals/policies/YYYY-MM-DD.toml and judges each day by the version in force that day; a
change that would re-judge a sealed day, or recorded entries, is refused (`policy-retroactive`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run_cli, snapshot

GM = ("--approved-by", "gm:王总")
TOMORROW = {"CASHBOOK_NOW": "2026-11-21T10:00:00+08:00"}


def versions(book: Path) -> list[str]:
    return sorted(p.name for p in (book / "journals" / "policies").iterdir())


def change_policy(book: Path, old: str, new: str, effective: str | None = None) -> None:
    path = book / "policies.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    if effective is not None:
        text = f'effective = "{effective}"\n' + text
    path.write_text(text, encoding="utf-8")


def lower_cash_payment_limit(book: Path, effective: str | None = None) -> None:
    change_policy(book, 'severity = "block"\nlimit = "1000.00"', 'severity = "block"\nlimit = "500.00"', effective)


def pay_cash(cli, book, amount: str, day: str, *extra):
    return cli("pay", amount, "--to", "文具店", "--category", "postage", "--invoice", f"F{amount}{day}", *GM,
               "--date", day, "--format", "json", *extra, book=book)


def codes(result) -> list[str]:
    return [p["code"] for p in result.json["problems"]]


@pytest.fixture
def sealed(cli, book):
    """The `book` fixture with 2026-11-01 and 2026-11-02 counted and sealed (cash 1,500.00)."""
    for day in ("2026-11-01", "2026-11-02"):
        assert cli("count", day, "100x15", book=book).code == 0
        assert cli("close", "day", day, book=book).code == 0, day
    return book


def test_the_first_entry_keeps_the_first_version(cli, tmp_path, book):
    assert cli("init", str(tmp_path / "new")).code == 0
    assert not (tmp_path / "new" / "journals" / "policies").exists()
    # the `book` fixture's openings (2026-11-01) kept it, under the first day with entries
    assert versions(book) == ["2026-11-01.toml"]
    kept = (book / "journals" / "policies" / "2026-11-01.toml").read_bytes()
    assert kept.split(b"\n", 3)[3] == (book / "policies.toml").read_bytes()
    assert cli("check", book=book).code == 0


def test_lowering_a_limit_does_not_rejudge_earlier_payments(cli, book):
    """The finding: a 600.00 cash payment recorded under a 1,000.00 limit is not an error after
    the limit is lowered to 500.00 (before: `check` exit 1 with cash-payment-limit)."""
    assert pay_cash(cli, book, "600", "2026-11-02").code == 0
    lower_cash_payment_limit(book)
    r = cli("check", "--format", "json", book=book)
    assert r.code == 0 and r.json["problems"] == [], r.out
    # no day is sealed: the next write keeps the change from the first day it judges no recorded entry differently
    assert cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-02", book=book).code == 0
    assert versions(book) == ["2026-11-01.toml", "2026-11-03.toml"]
    assert pay_cash(cli, book, "600", "2026-11-02").code == 0  # the rules of 2026-11-02 allow it
    r = pay_cash(cli, book, "600", "2026-11-20")
    assert r.code == 2 and "cash-payment-limit" in codes(r)
    r = cli("check", "--format", "json", book=book)
    assert r.code == 0 and r.json["problems"] == [], r.out


def test_an_effective_date_that_would_rejudge_an_open_day_is_refused(cli, book):
    assert pay_cash(cli, book, "600", "2026-11-02").code == 0
    lower_cash_payment_limit(book, effective="2026-11-02")
    r = cli("check", "--format", "json", book=book)
    assert r.code == 1 and codes(r) == ["policy-retroactive"]
    problem = r.json["problems"][0]
    assert problem["entry"] == "20261102-001" and problem["accepted_from"] == "2026-11-03" and problem["line"] == 1
    assert 'set `effective = "2026-11-03"`' in problem["message"] and "cash-payment-limit" in problem["message"]
    before = snapshot(book)
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--format", "json", book=book)
    assert r.code == 2 and codes(r) == ["policy-retroactive"]
    assert snapshot(book) == before
    lower_cash_payment_limit_effective(book, "2026-11-03")
    assert cli("check", book=book).code == 0


def lower_cash_payment_limit_effective(book: Path, day: str) -> None:
    path = book / "policies.toml"
    text = path.read_text(encoding="utf-8")
    if text.startswith("effective"):
        text = text.split("\n", 1)[1]
    path.write_text(f'effective = "{day}"\n' + text, encoding="utf-8")


def test_a_retroactive_change_is_refused_and_writes_nothing(cli, sealed):
    lower_cash_payment_limit(sealed, effective="2026-11-02")
    before = snapshot(sealed)
    for args in (("receive", "5", "--from", "A", "--category", "rent", "--format", "json"),
                 ("count", "2026-11-03", "100x15", "--format", "json")):
        r = cli(*args, book=sealed)
        assert r.code == 2 and codes(r) == ["policy-retroactive"], r.out
        problem = r.json["problems"][0]
        assert problem["accepted_from"] == "2026-11-03"
        assert "2026-11-02, the last sealed day" in problem["message"] and 'effective = "2026-11-03"' in problem["message"]
    assert cli("close", "day", "2026-11-03", book=sealed).code == 2
    assert snapshot(sealed) == before
    r = run_cli("pay", "5", "--to", "X", "--category", "postage", *GM, book=sealed)  # a real process: the message, no traceback
    assert r.code == 2 and "policy-retroactive" in r.err and "Traceback" not in r.err
    assert snapshot(sealed) == before
    r = cli("check", "--format", "json", book=sealed)
    assert r.code == 1 and codes(r) == ["policy-retroactive"]


def test_a_change_without_an_effective_date_is_refused_once_days_are_sealed(cli, sealed):
    lower_cash_payment_limit(sealed)
    before = snapshot(sealed)
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--format", "json", book=sealed)
    assert r.code == 2 and codes(r) == ["policy-retroactive"]
    assert 'add `effective = "2026-11-03"`' in r.json["problems"][0]["message"]
    assert snapshot(sealed) == before


def test_a_change_after_the_last_sealed_day_judges_later_entries_only(cli, sealed):
    assert cli("withdraw", "500", "--account", "bank", *GM, "--date", "2026-11-20", book=sealed).code == 0
    assert pay_cash(cli, sealed, "600", "2026-11-20").code == 0
    lower_cash_payment_limit(sealed, effective="2026-11-21")
    # recording today (under the rules in force today) keeps the new version for tomorrow
    r = pay_cash(cli, sealed, "600", "2026-11-20")
    assert r.code == 0, r.out
    assert versions(sealed) == ["2026-11-01.toml", "2026-11-21.toml"]
    kept = (sealed / "journals" / "policies" / "2026-11-21.toml").read_bytes()
    assert kept.split(b"\n", 3)[3] == (sealed / "policies.toml").read_bytes()
    # tomorrow the lower limit judges
    r = run_cli("pay", "600", "--to", "文具店", "--category", "postage", "--invoice", "F9", *GM, "--format", "json",
                book=sealed, env=TOMORROW)
    assert r.code == 2 and [p["code"] for p in r.json["problems"]] == ["cash-payment-limit"]
    assert "500.00" in r.json["problems"][0]["message"]
    r = run_cli("pay", "400", "--to", "文具店", "--category", "postage", "--invoice", "F8", *GM, book=sealed, env=TOMORROW)
    assert r.code == 0, r.err
    r = run_cli("check", "--format", "json", book=sealed, env=TOMORROW)
    assert r.code == 0 and r.json["problems"] == [], r.out
    # and `check` judges both sides the same with the cache turned off and with one worker
    r = run_cli("check", "--no-cache", "--format", "json", book=sealed, env={**TOMORROW, "CASHBOOK_WORKERS": "1"})
    assert r.code == 0 and r.json["problems"] == [], r.out


def test_a_change_effective_today_is_refused_when_it_would_judge_todays_entries_differently(cli, sealed):
    assert pay_cash(cli, sealed, "600", "2026-11-20").code == 0
    lower_cash_payment_limit(sealed, effective="2026-11-20")
    before = snapshot(sealed)
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--format", "json", book=sealed)
    assert r.code == 2 and codes(r) == ["policy-retroactive"]
    problem = r.json["problems"][0]
    assert problem["entry"] == "20261120-001" and "cash-payment-limit" in problem["message"]
    assert problem["accepted_from"] == "2026-11-21"
    assert snapshot(sealed) == before


def test_a_change_effective_today_that_judges_todays_entries_alike_is_kept(cli, sealed):
    assert pay_cash(cli, sealed, "600", "2026-11-20").code == 0
    change_policy(sealed, "[accounts.bank]", '[accounts.cmb]\ntype = "bank"\nname = "招商银行"\n\n[accounts.bank]', "2026-11-20")
    r = cli("opening", "cmb", "100", "--date", "2026-11-20", book=sealed)
    assert r.code == 0, r.out + r.err
    assert versions(sealed) == ["2026-11-01.toml", "2026-11-20.toml"]
    assert cli("check", book=sealed).code == 0


def test_check_reports_an_edited_kept_version_and_writes_stop(cli, book):
    assert pay_cash(cli, book, "600", "2026-11-02").code == 0
    assert cli("check", book=book).code == 0  # the answer is cached; the edit below must be seen
    kept = book / "journals" / "policies" / "2026-11-01.toml"
    kept.write_bytes(kept.read_bytes().replace(b'limit = "1000.00"', b'limit = "500.00"'))
    r = cli("check", "--format", "json", book=book)
    assert r.code == 1
    edited = [p for p in r.json["problems"] if p["code"] == "policy-version-edited"]
    assert edited and edited[0]["file"] == "journals/policies/2026-11-01.toml" and "git checkout" in edited[0]["message"]
    assert "cash-payment-limit" in codes(r)  # the cached answer was not reused: the text on disk judged the payment
    before = snapshot(book)
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--format", "json", book=book)
    assert r.code == 2 and "policy-version-edited" in codes(r)
    assert snapshot(book) == before


@pytest.mark.parametrize("name,text,code", [
    ("2026-11-25.toml", b"not a kept version\n", "policy-version-edited"),
    ("latest.toml", b"", "policy-version-invalid"),
])
def test_check_reports_a_version_file_that_is_not_valid(cli, book, name, text, code):
    (book / "journals" / "policies" / name).write_bytes(text)
    r = cli("check", "--format", "json", book=book)
    assert r.code == 1 and code in codes(r), r.out
    assert not any(p["code"] == "bad-file-name" for p in r.json["problems"])  # not taken for a day file


def test_a_kept_version_that_does_not_validate_is_reported(cli, book):
    from cashbook.store.policyversions import version_bytes
    import datetime as dt

    body = (book / "policies.toml").read_bytes().replace(b'limit = "1000.00"', b'limit = "-1.00"')
    (book / "journals" / "policies" / "2026-11-25.toml").write_bytes(version_bytes(dt.date(2026, 11, 25), dt.date(2026, 11, 20), body))
    r = cli("check", "--format", "json", book=book)
    assert r.code == 1 and codes(r) == ["policy-version-invalid"], r.out
    assert r.json["problems"][0]["file"] == "journals/policies/2026-11-25.toml" and r.json["problems"][0]["line"]


def test_a_book_without_versions_keeps_its_policies_on_the_first_write(cli, book):
    import shutil

    shutil.rmtree(book / "journals" / "policies")
    assert cli("check", book=book).code == 0
    assert not (book / "journals" / "policies").exists()  # reading writes nothing
    assert cli("receive", "5", "--from", "A", "--category", "rent", book=book).code == 0
    assert versions(book) == ["2026-11-01.toml"]


def test_policies_edited_before_any_entry_replace_the_first_version(cli, tmp_path):
    root = tmp_path / "new"
    assert cli("init", str(root)).code == 0
    lower_cash_payment_limit(root)
    assert cli("opening", "cash", "800", "--date", "2026-11-01", book=root).code == 0
    assert versions(root) == ["2026-11-01.toml"]
    assert (root / "journals" / "policies" / "2026-11-01.toml").read_bytes().split(b"\n", 3)[3] == (root / "policies.toml").read_bytes()
    assert pay_cash(cli, root, "600", "2026-11-02").code == 2  # the 500.00 limit judges every day


@pytest.mark.parametrize("value,fragment", [
    ('"2026-13-01"', "not a real date"),
    ('"next monday"', "YYYY-MM-DD"),
    ("20261201", "YYYY-MM-DD"),
])
def test_a_bad_effective_date_is_refused_with_its_line(cli, book, value, fragment):
    path = book / "policies.toml"
    path.write_text(f"effective = {value}\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    r = cli("check", "--format", "json", book=book)
    assert r.code == 2 and codes(r) == ["bad-policy"]
    assert fragment in r.json["problems"][0]["message"] and r.json["problems"][0]["line"] == 1


def test_effective_inside_book_table_says_where_it_goes(cli, book):
    change_policy(book, '[book]\n', '[book]\neffective = "2026-12-01"\n')
    r = cli("check", "--format", "json", book=book)
    assert r.code == 2 and "top-level key" in r.json["problems"][0]["message"]


@pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="workers need fork and two cores")
def test_forked_workers_judge_each_day_by_the_version_in_force(tmp_path, monkeypatch):
    """`check` over many days runs the rules in forked workers (store/loader.py `_load_in_chunks`):
    each day is judged by its version there too, exactly as in one process."""
    import datetime as dt
    import sys

    from cashbook.core.rules import check_entry
    from cashbook.store import book as book_module
    from cashbook.store.book import Book
    from cashbook.store.policyversions import version_bytes

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import generate

    generate.generate(2000, tmp_path / "data", seed=3, days=100, meta=False)
    root = tmp_path / "data" / "cashbook"
    files = sorted((root / "journals").glob("[0-9]*/*.toml"))  # day files only (journals/policies/ holds the policy versions)
    assert len(files) > book_module.PARALLEL_FROM
    first, middle = dt.date.fromisoformat(files[0].stem), dt.date.fromisoformat(files[50].stem)
    old = (root / "policies.toml").read_bytes()
    assert old.count(b'limit = "1000.00"') == 1
    new = f'effective = "{middle}"\n'.encode() + old.replace(b'limit = "1000.00"', b'limit = "50.00"')
    kept = root / "journals" / "policies"
    kept.mkdir(exist_ok=True)  # the generator kept the first version already
    for stale in kept.iterdir():
        stale.unlink()
    (kept / f"{first}.toml").write_bytes(version_bytes(first, first, old))
    (kept / f"{middle}.toml").write_bytes(version_bytes(middle, middle, new))
    (root / "policies.toml").write_bytes(new)

    def check(workers: str) -> list[str]:
        monkeypatch.setenv("CASHBOOK_WORKERS", workers)
        loaded = Book(root, use_cache=False).load(checker=check_entry)
        return sorted(str(p) for p in loaded.problems)

    one, many = check("1"), check("8")
    assert one == many
    flagged = {p.split(":")[0] for p in one if "cash-payment-limit" in p}
    assert flagged and all(Path(f).stem >= f"{middle}" for f in flagged), sorted(flagged)[:3]
    assert all("cash-payment-limit" in p for p in one), one[:3]


def test_a_policies_file_saved_with_a_bom_is_kept_and_read_back(cli, book):
    path = book / "policies.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b'limit = "1000.00"', b'limit = "500.00"'))
    assert cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-02", book=book).code == 0
    assert versions(book) == ["2026-11-01.toml", "2026-11-02.toml"]
    r = cli("check", "--format", "json", book=book)
    assert r.code == 0 and r.json["problems"] == [], r.out
    assert "cash-payment-limit" in codes(pay_cash(cli, book, "600", "2026-11-03"))
