"""Issue 15: every control of DOMAIN.md, finding by finding, each a reproducer through the CLI.

Books start with cash 1,500.00 and bank 50,000.00 opened on 2026-11-01 (conftest); the clock is
2026-11-20.
"""

from __future__ import annotations

from conftest import run_cli, snapshot
from test_rules import set_setting

GM = ("--approved-by", "gm:王总")
HEAD = ("--approved-by", "dept-head:赵")
D = ("--date", "2026-11-10")


def _ok(r):
    assert r.code == 0, (r.out, r.err)
    return r


def _refused(r, code):
    assert r.code == 2, (r.out, r.err)
    codes = [p["code"] for p in r.json["problems"]]
    assert code in codes, r.json
    return [p for p in r.json["problems"] if p["code"] == code][0]


# -- 1. no payment to a person or department with an advance not yet accounted for -----------

def test_no_payment_to_a_person_or_department_with_an_unsettled_advance(cli, book):
    adv = _ok(cli("advance", "300", "--to", "徐静", "--department", "招商部", "--purpose", "出差", "--due", "2026-11-30",
                  *GM, *HEAD, "--date", "2026-11-02", "--format", "json", book=book)).json["id"]
    before = snapshot(book)
    p = _refused(cli("pay", "50", "--to", "徐静", "--category", "office", *GM, *D, "--format", "json", book=book), "unsettled-advance")
    assert adv in p["message"] and "300.00" in p["message"] and p["severity"] == "block"
    _refused(cli("pay", "50", "--to", "招商部", "--category", "office", *GM, *D, "--format", "json", book=book), "unsettled-advance")
    _refused(cli("pay", "50", "--to", "张伟", "--department", "招商部", "--category", "office", *GM, *D, "--format", "json",
                 book=book), "unsettled-advance")
    assert snapshot(book) == before
    _ok(cli("pay", "50", "--to", "张伟", "--department", "工程部", "--category", "office", *GM, *D, book=book))
    _ok(cli("pay", "50", "--to", "徐静", "--category", "office", *GM, *D, "--override", "gm:王总", book=book))
    _ok(cli("settle", adv, "--returned", "300", *D, book=book))
    _ok(cli("pay", "60", "--to", "徐静", "--category", "office", *GM, *D, book=book))
    assert run_cli("check", book=book).code == 0


def test_a_staff_list_in_the_policy_gives_the_department(cli, book):
    set_setting(book, "staff", '"徐静"', '"招商部"')
    set_setting(book, "staff", '"张伟"', '"招商部"')
    _ok(cli("advance", "300", "--to", "徐静", "--purpose", "出差", "--due", "2026-11-30", *GM, *HEAD, "--date", "2026-11-02", book=book))
    _refused(cli("pay", "50", "--to", "张伟", "--category", "office", *GM, *D, "--format", "json", book=book), "unsettled-advance")
    set_setting(book, "rules.unsettled-advance", "severity", '"warn"')
    _ok(cli("pay", "50", "--to", "张伟", "--category", "office", *GM, *D, book=book))
