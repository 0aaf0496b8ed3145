"""Bank statement import and the reconciliation statement, end to end through the CLI."""

from __future__ import annotations


import pytest

from conftest import snapshot

GM = ("--approved-by", "gm:王总")

HEADER = "[HISTORYDETAIL]\n凭证号\t本方账号\t对方账号\t交易时间\t借/贷\t借方发生额\t贷方发生额\t对方行号\t摘要\t用途\t对方单位名称\t余额\n"
ROWS = [
    # ref, time, direction, debit, credit, memo, party, balance
    ("", "2026-11-02 10:00:00", "贷", "", "12,000.00", "租金", "宜家家居", "62,000.00"),
    ("10203001", "2026-11-05 09:00:00", "借", "3,500.00", "", "支票", "国网电力", "58,500.00"),
    ("", "2026-11-14 08:00:00", "贷", "", "1,500.00", "POS清算", "银联", "60,000.00"),
    ("", "2026-11-15 00:00:00", "借", "25.00", "", "手续费", "", "59,975.00"),
    ("", "2026-11-18 12:00:00", "贷", "", "300.00", "POS", "银联", "60,275.00"),
    ("", "2026-11-18 12:00:00", "贷", "", "300.00", "POS", "银联", "60,575.00"),
    ("", "2026-11-21 00:00:00", "贷", "", "12.34", "结息", "", "60,587.34"),
]


def statement(rows=ROWS) -> str:
    return HEADER + "".join(f"{r[0]}\t1202020709900123456\t\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]}\t\t{r[5]}\t\t{r[6]}\t{r[7]}\n" for r in rows)


@pytest.fixture
def month(cli, book, tmp_path):
    """November: a transfer receipt, a cleared and an outstanding cheque, POS takings settled as one
    line, two identical same-day lines, a fee, interest, and cash banked on the last day."""
    def rec(*args):
        r = cli(*args, book=book)
        assert r.code == 0, r.err
    rec("receive", "12000", "--from", "宜家家居", "--category", "rent", "--account", "bank", "--date", "2026-11-02")
    rec("pay", "3500", "--to", "国网电力", "--category", "utilities", "--account", "bank", "--cheque", "10203001", "--invoice", "E1", "--invoice-party", "国网电力", *GM, "--date", "2026-11-03")
    rec("pay", "2000", "--to", "家具城", "--category", "office", "--account", "bank", "--cheque", "10203002", "--invoice", "F9", "--invoice-party", "家具城", *GM, "--date", "2026-11-10")
    rec("receive", "800", "--from", "顾客", "--category", "other-income", "--account", "bank", "--method", "pos", "--date", "2026-11-12")
    rec("receive", "700", "--from", "顾客", "--category", "other-income", "--account", "bank", "--method", "pos", "--date", "2026-11-13")
    rec("receive", "300", "--from", "顾客", "--category", "other-income", "--account", "bank", "--method", "pos", "--date", "2026-11-18")
    rec("receive", "300", "--from", "顾客", "--category", "other-income", "--account", "bank", "--method", "pos", "--date", "2026-11-18")
    rec("bank-deposit", "1000", "--account", "bank", "--date", "2026-11-20")
    path = tmp_path / "icbc-2026-11.txt"
    path.write_bytes(statement().encode("gbk"))
    return path


def test_the_month_reconciles_with_every_kind_of_item_in_transit(cli, book, month):
    imp = cli("bank", "import", str(month), "--account", "bank", "-f", "json", book=book)
    assert imp.code == 0, imp.err
    assert (imp.json["added"], imp.json["lines"]) == (7, 7)
    r = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", "--format", "json", book=book)
    assert r.code == 0, r.out
    j = r.json
    assert (j["book_balance"], j["statement_balance"]) == ("59600.00", "60587.34")
    assert [i["amount"] for i in j["bank_credits_not_booked"]] == ["12.34"]
    assert [i["amount"] for i in j["bank_debits_not_booked"]] == ["25.00"]
    assert [(i["amount"], i["date"]) for i in j["deposits_in_transit"]] == [("1000.00", "2026-11-20")]
    assert [i["amount"] for i in j["outstanding_payments"]] == ["2000.00"]
    assert j["adjusted_book_balance"] == j["adjusted_statement_balance"] == "59587.34"
    assert j["difference"] == "0.00" and j["balanced"] is True
    whys = sorted(m["why"] for m in j["matches"])
    assert "reference 10203001" in whys and "sum of 2 book items" in whys
    assert sum(w.startswith("amount and date") for w in whys) == 3  # the transfer and both identical POS lines
    for item in j["deposits_in_transit"] + j["outstanding_payments"] + j["bank_credits_not_booked"]:
        assert set(item) >= {"date", "amount", "ref", "memo"}
    zh = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", "--lang", "zh", book=book).out
    assert "银行存款余额调节表" in zh and "企业已收、银行未收" in zh


def test_reimport_and_overlap_add_nothing(cli, book, month, tmp_path):
    cli("bank", "import", str(month), "--account", "bank", book=book)
    before = snapshot(book)
    again = cli("bank", "import", str(month), "--account", "bank", "-f", "json", book=book)
    assert again.json["added"] == 0 and again.json["already_imported"] == 7
    part = tmp_path / "part.txt"
    part.write_bytes(statement(ROWS[3:]).encode("gbk"))
    assert cli("bank", "import", str(part), "--account", "bank", "-f", "json", book=book).json["added"] == 0
    assert snapshot(book) == before


def test_book_charges_turns_fees_and_interest_into_entries(cli, book, month):
    cli("bank", "import", str(month), "--account", "bank", book=book)
    r = cli("bank", "book-charges", "--account", "bank", "--month", "2026-11", "--format", "json", book=book)
    assert r.code == 0, r.out
    got = sorted((x["direction"], x["amount"], x["category"]) for x in r.json["recorded"])
    assert got == [("credit", "12.34", "interest"), ("debit", "25.00", "bank-fees")]
    j = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", "--format", "json", book=book).json
    assert j["bank_credits_not_booked"] == [] and j["bank_debits_not_booked"] == []
    assert j["book_balance"] == "59587.34" and j["balanced"]
    assert cli("check", book=book).code == 0


def test_manual_unmatch_and_match_are_recorded(cli, book, month):
    cli("bank", "import", str(month), "--account", "bank", book=book)
    j = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", "--format", "json", book=book).json
    m = next(m for m in j["matches"] if m["book"] == ["20261102-001"])
    line = m["lines"][0]
    assert cli("bank", "unmatch", "--account", "bank", "--line", line, book=book).code == 0
    j = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", "--format", "json", book=book).json
    assert line in [i["line"] for i in j["bank_credits_not_booked"]]
    assert "20261102-001" in [i["ref"] for i in j["deposits_in_transit"]]
    assert j["balanced"]  # the two sides cancel: listed, not an error
    bad = cli("bank", "match", "--account", "bank", "--entry", "20261102-001", "--line", j["bank_credits_not_booked"][0]["line"]
              if j["bank_credits_not_booked"][0]["line"] != line else j["bank_credits_not_booked"][1]["line"], book=book)
    assert bad.code == 2 and "match-mismatch" in bad.err
    assert cli("bank", "match", "--account", "bank", "--entry", "20261102-001", "--line", line, "--by", "会计李", book=book).code == 0
    j = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", "--format", "json", book=book).json
    assert {"book": ["20261102-001"], "lines": [line], "why": "manual: 会计李"} in j["matches"]
    assert (book / "journals/bank/bank/decisions.toml").read_text().count("[[decision]]") == 2


def test_an_unexplained_difference_exits_1(cli, book, month, tmp_path):
    rows = list(ROWS)
    rows[-1] = rows[-1][:7] + ("60,687.34",)  # the bank's balance is 100.00 more than its lines explain
    path = tmp_path / "odd.txt"
    path.write_bytes(statement(rows).encode("gbk"))
    imp = cli("bank", "import", str(path), "--account", "bank", "-f", "json", book=book)
    assert imp.code == 0 and imp.json["warnings"]  # the break in the running balance is reported at import
    r = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", "--format", "json", book=book)
    assert r.code == 1
    assert r.json["balanced"] is False and r.json["difference"] == "-100.00"
    table = cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", book=book)
    assert table.code == 1 and "NOT balanced" in table.out


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", HEADER.encode("gbk")[:30], "日期,金额\n2026-11-01,abc\n".encode()])
def test_broken_files_import_nothing(cli, book, tmp_path, content):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    before = snapshot(book)
    r = cli("bank", "import", str(path), "--account", "bank", book=book)
    assert r.code == 2 and "bad-statement" in r.err and "nothing was imported" in r.err and "Traceback" not in r.err
    assert snapshot(book) == before


def test_import_refuses_unknown_accounts_and_missing_files(cli, book, month, tmp_path):
    assert "not a bank account" in cli("bank", "import", str(month), "--account", "cash", book=book).err
    assert cli("bank", "import", str(tmp_path / "nope.csv"), "--account", "bank", book=book).code == 2
    assert cli("bank", "reconcile", "--account", "bank", "--month", "2026-13", book=book).code == 2
    assert cli("bank", "reconcile", "--account", "bank", "--month", "2026-11", book=book).code == 1  # nothing imported yet


# every real sample imports as before, and re-importing adds nothing: test_bank_imports.py
# (the account's number and currency must now match the file's)


def test_cheque_register_shows_cleared_and_outstanding(cli, book, month):
    cli("bank", "import", str(month), "--account", "bank", book=book)
    rows = {r["cheque"]: r["status"] for r in cli("report", "cheques", "--format", "json", book=book).json["cheques"]}
    assert rows == {"10203001": "cleared", "10203002": "outstanding"}
