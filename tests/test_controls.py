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


# -- 2. compensation paid in advance (先行赔付) is settled within a month -----------------------

SM = ("--approved-by", "store-manager:李")
BIG = ("--approved-by", "center-gm:陈")


def test_compensation_is_settled_within_a_month_or_blocks_the_handler(cli, book):
    set_setting(book, "rules.compensation-unsettled", "days", "5")  # a month by default; the clock allows 19 days
    first = _ok(cli("pay", "80", "--to", "顾客甲", "--category", "compensation", "--handler", "孙丽", "--for", "宜家",
                    *GM, *SM, "--date", "2026-11-02", "--time", "09:00", "--format", "json", book=book)).json["id"]
    no_handler = cli("pay", "80", "--to", "顾客乙", "--category", "compensation", *GM, *SM, *D, "--format", "json", book=book)
    assert "--handler" in _refused(no_handler, "compensation-unsettled")["message"]
    late = _refused(cli("pay", "90", "--to", "顾客乙", "--category", "compensation", "--handler", "孙丽", "--for", "宜家",
                        *GM, *SM, *D, "--format", "json", book=book), "compensation-unsettled")
    assert first in late["message"] and "孙丽" in late["message"]
    _ok(cli("pay", "90", "--to", "顾客乙", "--category", "compensation", "--handler", "周平", "--for", "宜家", *GM, *SM, *D, book=book))
    reg = _ok(cli("report", "compensation", "--date", "2026-11-10", "--format", "json", book=book)).json
    row = [r for r in reg["compensation"] if r["id"] == first][0]
    assert row["status"] == "withhold" and row["handler"] == "孙丽" and row["outstanding"] == "80.00"
    assert reg["withhold_total"] == "80.00"
    assert "孙丽" in cli("report", "compensation", "--date", "2026-11-10", book=book).out
    _ok(cli("recover", first, "--from", "宜家", *D, book=book))
    _ok(cli("pay", "90", "--to", "顾客丙", "--category", "compensation", "--handler", "孙丽", "--for", "宜家", *GM, *SM, *D, book=book))
    reg = cli("report", "compensation", "--date", "2026-11-10", "--format", "json", book=book).json
    assert reg["withhold_total"] == "0.00"
    assert run_cli("check", book=book).code == 0


def test_split_payments_to_one_party_count_together_for_the_approval_band(cli, book):
    _ok(cli("pay", "2000", "--to", "顾客甲", "--category", "compensation", "--handler", "孙丽", "--account", "bank",
            "--invoice", "C1", *GM, *SM, "--date", "2026-11-08", book=book))
    split = cli("pay", "1500", "--to", "顾客甲", "--category", "compensation", "--handler", "孙丽", "--account", "bank",
                "--invoice", "C2", *GM, *SM, *D, "--format", "json", book=book)
    p = _refused(split, "needs-approval")
    assert "center-gm" in p["message"] and "3,500.00" in p["message"]
    _ok(cli("pay", "1500", "--to", "顾客甲", "--category", "compensation", "--handler", "孙丽", "--account", "bank",
            "--invoice", "C2", *GM, *BIG, *D, book=book))
    # outside the window (rules.needs-approval.split_days) the parts stand alone
    set_setting(book, "rules.needs-approval", "split_days", "1")
    _ok(cli("pay", "1000", "--to", "顾客甲", "--category", "compensation", "--handler", "孙丽", "--account", "bank",
            "--invoice", "C3", *GM, *SM, "--date", "2026-11-12", book=book))


# -- 3. quarterly and annual reports (会计报表应分月、季、年报) ---------------------------------

def test_quarter_and_year_reports_in_every_format(cli, book):
    _ok(cli("receive", "300", "--from", "A", "--category", "rent", "--doc", "SJ0001", "--date", "2026-11-03", book=book))
    _ok(cli("pay", "80", "--to", "B", "--category", "postage", *GM, "--date", "2026-11-04", book=book))
    r = cli("report", "quarter", "2026-Q4", "--format", "json", book=book)
    assert r.code == 1  # like a month report: days not closed are a control failure
    q = r.json
    assert q["unsealed_days"] == ["2026-11-01", "2026-11-03", "2026-11-04"] and q["ok"] is False
    assert q["quarter"] == "2026-Q4" and q["from"] == "2026-10-01" and q["to"] == "2026-12-31"
    cash = [a for a in q["accounts"] if a["account"] == "cash"][0]
    # the opening balance is 期初, not a receipt (issue 13)
    assert cash["opening"] == "1500.00" and cash["receipts"] == "300.00" and cash["payments"] == "80.00" and cash["closing"] == "1720.00"
    assert [m["month"] for m in q["months"]] == ["2026-10", "2026-11", "2026-12"]
    nov = [a for a in q["months"][1]["accounts"] if a["account"] == "cash"][0]
    assert nov["closing"] == "1720.00"
    y = cli("report", "year", "2026", "--format", "json", book=book).json
    assert y["year"] == "2026" and len(y["months"]) == 12 and y["accounts"] == q["accounts"]
    table = cli("report", "quarter", "2026-Q4", book=book)
    assert "2026-Q4" in table.out and "By month" in table.out
    zh = cli("report", "year", "2026", "--lang", "zh", book=book)
    assert "年报" in zh.out
    csv = cli("report", "quarter", "2026-Q4", "--format", "csv", "--section", "by-month", book=book)  # one table per CSV
    assert "2026-11" in csv.out and "1720.00" in csv.out
    q3 = cli("report", "quarter", "2026-Q3", "--format", "json", book=book).json
    assert all(a["receipts"] == "0.00" for a in q3["accounts"])
    for bad in (("quarter", "2026-Q5"), ("quarter", "2026-11"), ("year", "26")):
        r = cli("report", *bad, book=book)
        assert r.code == 2 and "bad-option" in r.err and "Traceback" not in r.err


# -- 4. no IOU slips in place of cash (严禁白条抵库) -----------------------------------------------

def test_a_count_records_only_cash_never_an_iou(cli, book):
    before = snapshot(book)
    for item in ("白条x1", "IOU200", "欠条:300x1", "voucherx2"):
        r = cli("count", "2026-11-10", "100x10", item, "--format", "json", book=book)
        p = _refused(r, "iou-in-count")
        assert "白条" in p["message"] and "adjust shortage" in p["message"]
    assert snapshot(book) == before


def test_check_refuses_a_count_written_with_an_iou_or_a_wrong_total(cli, book):
    _ok(cli("count", "2026-11-10", "100x10", "50x10", book=book))
    path = book / "journals" / "2026" / "2026-11-10.toml"
    text = path.read_text()
    assert '"50x10"' in text
    path.write_text(text.replace('"50x10"', '"50x6", "白条x1"'))
    r = run_cli("check", book=book)
    assert r.code == 1 and "iou-in-count" in r.out + r.err
    path.write_text(text.replace('"50x10"', '"50x6"'))
    r = run_cli("check", book=book)
    assert r.code == 1 and "bad-count" in r.out + r.err and "1,300.00" in r.out + r.err
    path.write_text(text)
    assert run_cli("check", book=book).code == 0


# -- 5. receipt books, spoiled receipts and the till hand-over log (DOMAIN 7) -------------------

def test_receipt_books_are_issued_used_spoiled_and_returned(cli, book):
    issued = _ok(cli("issue-receipts", "SJ0001", "SJ0050", "--till", "一号收银台", "--to", "孙丽", "--date", "2026-11-02",
                     "--format", "json", book=book)).json["id"]
    overlap = cli("issue-receipts", "SJ0040", "SJ0090", "--till", "二号收银台", "--to", "周平", "--date", "2026-11-02",
                  "--format", "json", book=book)
    assert issued in _refused(overlap, "receipt-book-overlap")["message"]
    _ok(cli("receive", "100", "--from", "A", "--category", "rent", "--doc", "SJ0001", *D, book=book))
    outside = cli("receive", "100", "--from", "A", "--category", "rent", "--doc", "SJ0051", *D, "--format", "json", book=book)
    assert "SJ0001..SJ0050" in _refused(outside, "receipt-not-issued")["message"]
    _ok(cli("spoil-receipt", "SJ0002", "--reason", "写错金额", *D, book=book))
    reused = cli("receive", "100", "--from", "A", "--category", "rent", "--doc", "SJ0002", *D, "--format", "json", book=book)
    _refused(reused, "receipt-number-used")
    _ok(cli("receive", "100", "--from", "A", "--category", "rent", "--doc", "SJ0003", *D, book=book))
    rep = _ok(cli("report", "receipts", "--format", "json", book=book)).json
    assert rep["gaps"] == []  # the spoiled SJ0002 closes the gap
    assert [s["doc"] for s in rep["spoiled"]] == ["SJ0002"]
    books = _ok(cli("report", "receipt-books", "--format", "json", book=book)).json["books"]
    assert books[0]["till"] == "一号收银台" and books[0]["used"] == 2 and books[0]["spoiled"] == 1 and books[0]["status"] == "issued"
    _ok(cli("return-receipts", issued, "--by", "孙丽", *D, book=book))
    after = cli("receive", "100", "--from", "A", "--category", "rent", "--doc", "SJ0004", *D, "--format", "json", book=book)
    assert "returned" in _refused(after, "receipt-not-issued")["message"]
    books = cli("report", "receipt-books", "--format", "json", book=book).json["books"]
    assert books[0]["status"] == "returned" and books[0]["unused"] == 47
    assert "作废" in cli("report", "receipts", "--lang", "zh", book=book).out
    assert run_cli("check", book=book).code == 0


def test_the_till_hands_its_takings_to_the_cashier_with_a_log(cli, book):
    h = _ok(cli("handover", "860.50", "--till", "一号收银台", "--from", "孙丽", "--to", "出纳王芳", *D, "--time", "17:30",
                "--format", "json", book=book)).json
    assert h["kind"] == "handover" and h["amount"] == "860.50"
    same = cli("handover", "10", "--till", "一号收银台", "--from", "孙丽", "--to", "孙丽", *D, "--format", "json", book=book)
    _refused(same, "bad-field")
    log = _ok(cli("report", "handovers", "--format", "json", book=book)).json
    row = log["handovers"][0]
    assert (row["time"].startswith("2026-11-10T17:30"), row["amount"], row["giver"], row["receiver"], row["till"]) == \
        (True, "860.50", "孙丽", "出纳王芳", "一号收银台")
    assert "收款交接" in cli("report", "handovers", "--lang", "zh", book=book).out
    assert run_cli("check", book=book).code == 0


# -- 6. the cheque book register (支票领用登记簿) ---------------------------------------------

def test_cheque_books_spoiled_cheques_and_stubs(cli, book):
    cb = _ok(cli("issue-cheques", "10203001", "10203025", "--account", "bank", "--date", "2026-11-02", "--format", "json",
                 book=book)).json["id"]
    _refused(cli("issue-cheques", "10203020", "10203050", "--account", "bank", "--date", "2026-11-02", "--format", "json",
                 book=book), "cheque-book-overlap")
    pay = ("pay", "800", "--to", "宜家", "--category", "office", "--account", "bank", "--invoice", "F1", "--invoice-party", "宜家", *GM, *D)
    _ok(cli(*pay, "--cheque", "10203001", "--taken-by", "孙丽", "--cheque-limit", "1000", "--memo", "办公桌", book=book))
    outside = cli(*pay, "--cheque", "10209999", "--format", "json", book=book)
    assert cb in _refused(outside, "cheque-not-issued")["message"]
    over = cli(*pay, "--cheque", "10203003", "--cheque-limit", "500", "--format", "json", book=book)
    _refused(over, "cheque-over-limit")
    _ok(cli("spoil-cheque", "10203002", "--account", "bank", "--reason", "填错收款人", *D, book=book))
    _refused(cli(*pay, "--cheque", "10203002", "--format", "json", book=book), "cheque-number-used")
    reg = _ok(cli("report", "cheques", "--format", "json", book=book)).json
    rows = {r["cheque"]: r for r in reg["cheques"]}
    assert rows["10203001"]["taken_by"] == "孙丽" and rows["10203001"]["limit"] == "1000.00"
    assert rows["10203001"]["purpose"] == "办公桌" and rows["10203001"]["payee"] == "宜家"
    assert rows["10203002"]["status"] == "spoiled"
    assert reg["books"][0]["first"] == "10203001" and reg["books"][0]["used"] == 2
    assert "作废" in cli("report", "cheques", "--lang", "zh", book=book).out
    assert run_cli("check", book=book).code == 0
    # a hand-written journal line with a cheque of no issued book: check flags it
    path = book / "journals" / "2026" / "2026-11-10.toml"
    path.write_text(path.read_text().replace('cheque = "10203001"', 'cheque = "10209001"'))
    r = run_cli("check", book=book)
    assert r.code == 1 and "cheque-not-issued" in r.out + r.err


# -- 7. pay now, the GM signs later (可先付款后补签) --------------------------------------------

PEOPLE = '''
[people.gm]
names = ["王总"]
deputies = ["李副总"]

[people.dept-head]
names = ["赵"]
'''


def _with_people(book):
    text = (book / "policies.toml").read_text()
    (book / "policies.toml").write_text(text + PEOPLE)


def test_a_deputy_pays_first_and_the_gm_signs_later(cli, book):
    _with_people(book)
    paid = _ok(cli("pay", "60", "--to", "快递", "--category", "postage", "--approved-by", "gm:李副总", *D, "--format", "json",
                   book=book)).json["id"]
    assert _ok(cli("pay", "40", "--to", "快递", "--category", "postage", *GM, *D, book=book))
    stranger = cli("pay", "40", "--to", "快递", "--category", "postage", "--approved-by", "gm:张三", *D, "--format", "json", book=book)
    assert "王总" in _refused(stranger, "needs-approval")["message"]
    waiting = _ok(cli("report", "unsigned", "--format", "json", book=book)).json["unsigned"]
    assert [(w["id"], w["roles"], w["deputy"]) for w in waiting] == [(paid, ["gm"], "gm:李副总")]
    month = cli("report", "month", "2026-11", "--format", "json", book=book).json
    assert [w["id"] for w in month["awaiting_signature"]] == [paid]
    assert "awaiting" in cli("report", "month", "2026-11", book=book).out
    _refused(cli("sign", paid, "--by", "gm:李副总", "--format", "json", book=book), "needs-approval")  # the deputy cannot sign for the GM
    _refused(cli("sign", paid, "--by", "dept-head:赵", "--format", "json", book=book), "bad-field")  # nothing awaits that role
    _ok(cli("sign", paid, "--by", "gm:王总", book=book))
    assert cli("report", "unsigned", "--format", "json", book=book).json["unsigned"] == []
    _refused(cli("sign", paid, "--by", "gm:王总", "--format", "json", book=book), "bad-field")  # already signed
    assert cli("report", "month", "2026-11", "--format", "json", book=book).json["awaiting_signature"] == []
    assert run_cli("check", book=book).code == 0


# -- 8. sitting payment (坐支), judged as SPEC 4 defines it -----------------------------------------

def test_banking_the_float_then_paying_from_takings_is_a_sitting_payment(cli, book):
    _ok(cli("bank-deposit", "1500", "--account", "bank", *D, "--time", "09:00", book=book))
    _ok(cli("receive", "1000", "--from", "A", "--category", "rent", *D, "--time", "10:00", book=book))
    r = cli("pay", "500", "--to", "B", "--category", "wages", "--invoice", "W1", *GM, *D, "--time", "11:00", "--format", "json", book=book)
    p = _refused(r, "sitting-payment")
    assert "0.00" in p["message"] and "banked" in p["message"]
    # withdrawn cash funds a payment again
    _ok(cli("withdraw", "500", "--account", "bank", *GM, *D, "--time", "11:30", book=book))
    _ok(cli("pay", "500", "--to", "B", "--category", "wages", "--invoice", "W1", *GM, *D, "--time", "12:00", book=book))


def test_no_receipts_means_not_enough_cash_not_a_sitting_payment(cli, book):
    _ok(cli("pay", "900", "--to", "B", "--category", "wages", "--invoice", "W1", *GM, *D, "--time", "09:00", book=book))
    r = cli("pay", "700", "--to", "B", "--category", "wages", "--invoice", "W2", *GM, *D, "--time", "10:00", "--format", "json", book=book)
    assert r.code == 2
    codes = [p["code"] for p in r.json["problems"]]
    assert codes == ["balance-negative"], r.json  # 600.00 in the drawer, no receipts today: not 坐支
    _ok(cli("bank-deposit", "550", "--account", "bank", *D, "--time", "11:00", book=book))
    r = cli("pay", "100", "--to", "B", "--category", "postage", *GM, *D, "--time", "12:00", "--format", "json", book=book)
    assert [p["code"] for p in r.json["problems"]] == ["balance-negative"], r.json


# -- 9. the cash-payment limit covers every cash payout -------------------------------------------

def test_the_cash_payment_limit_covers_refunds_and_advances_paid_in_cash(cli, book):
    _ok(cli("withdraw", "5000", "--account", "bank", *GM, "--date", "2026-11-09", book=book))
    _ok(cli("hold-deposit", "5000", "--from", "宜家", "--type", "fit-out", "--account", "bank", "--date", "2026-11-02", book=book))
    chain = [a for r in ("floor-manager", "furniture-manager", "property-manager", "security-manager", "planning-manager",
                         "finance-manager", "store-manager", "gm") for a in ("--approved-by", f"{r}:X-{r}")]
    refund = cli("refund-deposit", "20261102-001", *chain, "--date", "2026-11-09", "--format", "json", book=book)
    assert "5,000.00" in _refused(refund, "cash-payment-limit")["message"]
    _ok(cli("refund-deposit", "20261102-001", *chain, "--date", "2026-11-09", "--account", "bank", book=book))
    adv = cli("advance", "1200", "--to", "张三", "--department", "工程部", "--purpose", "出差", "--due", "2026-11-20", *GM, *HEAD,
              "--date", "2026-11-09", "--format", "json", book=book)
    _refused(adv, "cash-payment-limit")
    _ok(cli("advance", "1200", "--to", "张三", "--department", "工程部", "--purpose", "出差", "--due", "2026-11-20", *GM, *HEAD,
            "--date", "2026-11-09", "--override", "gm:王总", book=book))


# -- 10. approvals: settle and void carry them; one person signs once per chain ---------------------

BAND = '''
[[rules.needs-approval.bands]]
kind = "{kind}"
roles = ["finance-manager"]
'''


def _add_band(book, kind):
    text = (book / "policies.toml").read_text()
    head = "[rules.cheque-number-used]"
    (book / "policies.toml").write_text(text.replace(head, BAND.format(kind=kind).lstrip() + "\n" + head))


def test_settle_and_void_carry_the_approvals_a_band_asks_for(cli, book):
    _add_band(book, "settlement")
    _add_band(book, "void")
    a = _ok(cli("advance", "300", "--to", "张三", "--department", "工程部", "--purpose", "出差", "--due", "2026-11-30", *GM, *HEAD,
                "--date", "2026-11-02", "--format", "json", book=book)).json["id"]
    p = _refused(cli("settle", a, "--returned", "300", *D, "--format", "json", book=book), "needs-approval")
    assert "--approved-by finance-manager:NAME" in p["message"]
    s = _ok(cli("settle", a, "--returned", "300", "--approved-by", "finance-manager:钱", *D, "--format", "json", book=book)).json
    assert s["entry"]["approvals"] == ["finance-manager:钱"]
    _refused(cli("void", s["id"], "--reason", "错账", *D, "--format", "json", book=book), "needs-approval")
    _ok(cli("void", s["id"], "--reason", "错账", "--approved-by", "finance-manager:钱", *D, book=book))
    assert run_cli("check", book=book).code == 0


def test_one_person_cannot_sign_twice_in_one_chain(cli, book):
    r = cli("pay", "80", "--to", "顾客", "--category", "compensation", "--handler", "孙丽", "--approved-by", "gm:王总",
            "--approved-by", "store-manager:王总", *D, "--format", "json", book=book)
    p = _refused(r, "approver-twice")
    assert "王总" in p["message"] and "gm" in p["message"] and "store-manager" in p["message"]
    _ok(cli("pay", "80", "--to", "顾客", "--category", "compensation", "--handler", "孙丽", *GM, "--approved-by", "store-manager:李",
            *D, book=book))


# -- 11. deposit refunds: --left-on after the deposit; DOMAIN 6's sign-off chains -------------------

def test_left_on_cannot_be_before_the_deposit_was_taken(cli, book):
    chain = [a for r in ("floor-manager", "customer-service-manager", "furniture-manager", "finance-manager", "store-manager", "gm")
             for a in ("--approved-by", f"{r}:X-{r}")]
    _ok(cli("hold-deposit", "500", "--from", "宜家", "--type", "quality", "--account", "bank", "--date", "2026-11-02", book=book))
    early = cli("refund-deposit", "20261102-001", *chain, "--account", "bank", "--left-on", "2025-10-01", *D, "--format", "json",
                book=book)
    assert "2026-11-02" in _refused(early, "deposit-refund-invalid")["message"]
    later = cli("refund-deposit", "20261102-001", *chain, "--account", "bank", "--left-on", "2026-11-15", *D, "--format", "json",
                book=book)
    assert "after" in _refused(later, "deposit-refund-invalid")["message"]


def test_telephone_banner_and_electricity_refunds_need_floor_furniture_and_property_managers(cli, book):
    from cashbook.store.policyfile import default_policy_text, parse_policy

    policy = parse_policy(default_policy_text())
    for t in ("telephone", "banner", "electricity"):
        chain = policy.deposit_types[t].refund_approvers
        assert {"floor-manager", "furniture-manager", "property-manager", "finance-manager", "store-manager", "gm"} <= set(chain), t
    _ok(cli("hold-deposit", "--from", "宜家", "--type", "telephone", "--account", "bank", "--date", "2026-11-02", book=book))
    short = [a for r in ("finance-manager", "store-manager") for a in ("--approved-by", f"{r}:X-{r}")]
    p = _refused(cli("refund-deposit", "20261102-001", *short, "--account", "bank", *D, "--format", "json", book=book), "needs-approval")
    assert "floor-manager" in p["message"] and "property-manager" in p["message"]


# -- 12. counts and adjustments: the adjustment is the counted difference; the count table ---------

ADJ = ("--approved-by", "finance-manager:钱", "--approved-by", "gm:王总")


def test_an_adjustment_must_equal_the_counted_difference(cli, book):
    _refused(cli("adjust", "shortage", "4", *ADJ, *D, "--format", "json", book=book), "adjustment-mismatch")  # no count yet
    counted = cli("count", "2026-11-10", "100x14", "50x1", "20x1", "10x2", "5x1", "1x1", "--format", "json", book=book)
    c = _ok(counted).json
    assert c["book_balance"] == "1500.00" and c["difference"] == "-4.00"
    assert {"denomination": "100", "count": 14, "amount": "1400.00"} in c["denominations"]
    table = cli("count", "2026-11-10", "100x14", "50x1", "20x1", "10x2", "5x1", "1x1", book=book).out
    assert "短款 shortage" in table and "4.00" in table and "1,400.00" in table and "现金盘点表" in table
    p = _refused(cli("adjust", "shortage", "5", *ADJ, *D, "--format", "json", book=book), "adjustment-mismatch")
    assert "4.00" in p["message"]
    _refused(cli("adjust", "overage", "4", *ADJ, *D, "--format", "json", book=book), "adjustment-mismatch")
    _ok(cli("adjust", "shortage", "4", *ADJ, *D, book=book))
    _refused(cli("adjust", "shortage", "4", *ADJ, *D, "--format", "json", book=book), "adjustment-mismatch")  # nothing left
    assert cli("report", "day", "2026-11-10", "--format", "json", book=book).json["difference"] == "0.00"
    assert run_cli("check", book=book).code == 0


# -- 13. receipt numbers: one series whatever the case and spaces; a number far outside is flagged --

def test_receipt_numbers_are_normalised_and_far_numbers_flagged(cli, book):
    _ok(cli("receive", "10", "--from", "A", "--category", "rent", "--doc", "SJ0010", *D, book=book))
    r = _ok(cli("receive", "10", "--from", "A", "--category", "rent", "--doc", "sj0011", *D, "--format", "json", book=book)).json
    assert r["entry"]["doc"] == "SJ0011"
    r = _ok(cli("receive", "10", "--from", "A", "--category", "rent", "--doc", "SJ 0012", *D, "--format", "json", book=book)).json
    assert r["entry"]["doc"] == "SJ0012"
    _refused(cli("receive", "10", "--from", "A", "--category", "rent", "--doc", "sj 0011", *D, "--format", "json", book=book),
             "receipt-number-used")
    far = _ok(cli("receive", "10", "--from", "A", "--category", "rent", "--doc", "SJ9012", *D, "--format", "json", book=book)).json
    assert [w["code"] for w in far["warnings"]] == ["receipt-number-far"]
    assert "SJ0010..SJ0012" in far["warnings"][0]["message"]
    wide = _ok(cli("receive", "10", "--from", "A", "--category", "rent", "--doc", "SJ00013", *D, "--format", "json", book=book)).json
    assert [w["code"] for w in wide["warnings"]] == ["receipt-number-far"]
    assert cli("report", "receipts", "--format", "json", book=book).json["gaps"][0]["first_missing"] == "SJ0013"


# -- 14. the cheque payee equals the invoice's party (and the contract's, when the policy asks) -----

def test_the_cheque_payee_is_compared_whenever_the_invoice_names_a_party(cli, book):
    base = ("pay", "500", "--to", "宜家家居（北京）有限公司", "--category", "office", "--account", "bank", "--invoice", "F1", *GM, *D)
    p = _refused(cli(*base, "--cheque", "7", "--format", "json", book=book), "cheque-payee-mismatch")
    assert "--invoice-party" in p["message"]
    _refused(cli(*base, "--cheque", "7", "--invoice-party", "某公司", "--format", "json", book=book), "cheque-payee-mismatch")
    # the same name with half-width brackets or spaces is the same party
    _ok(cli(*base, "--cheque", "7", "--invoice-party", "宜家家居(北京)有限公司 ", book=book))
    set_setting(book, "rules.cheque-payee-mismatch", "contract", "true")
    # rules in force when an entry was recorded judge it: the stricter rule starts the next day
    policy = book / "policies.toml"
    policy.write_text('effective = "2026-11-11"\n' + policy.read_text(encoding="utf-8"), encoding="utf-8")
    base = tuple("2026-11-11" if a == D[1] else a for a in base)
    p = _refused(cli(*base, "--cheque", "8", "--invoice-party", "宜家家居（北京）有限公司", "--format", "json", book=book),
                 "cheque-payee-mismatch")
    assert "--contract-party" in p["message"]
    _refused(cli(*base, "--cheque", "8", "--invoice-party", "宜家家居（北京）有限公司", "--contract-party", "宜家中国",
                 "--format", "json", book=book), "cheque-payee-mismatch")
    _ok(cli(*base, "--cheque", "8", "--invoice-party", "宜家家居（北京）有限公司", "--contract-party", "宜家家居（北京）有限公司", book=book))


def test_a_book_of_numbers_has_a_sane_size(cli, book):
    big = cli("issue-receipts", "SJ0000000001", "SJ9999999999", "--till", "t", "--to", "p", *D, "--format", "json", book=book)
    assert "10000" in _refused(big, "bad-field")["message"]
    big = cli("issue-cheques", "0000000001", "9999999999", "--account", "bank", *D, "--format", "json", book=book)
    _refused(big, "bad-field")


def test_a_band_for_a_kind_that_cannot_carry_approvals_is_refused_by_the_policy(cli, book):
    _add_band(book, "receipt")  # `receive` has no --approved-by: the band could never be met
    r = cli("receive", "10", "--from", "A", "--category", "rent", *D, book=book)
    assert r.code == 2 and "bad-policy" in r.err and "'receipt'" in r.err and "settlement" in r.err
