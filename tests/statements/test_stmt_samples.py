"""Every real sample file parses, with values checked by reading each file by hand."""

from __future__ import annotations

from pathlib import Path

import datetime as dt
from decimal import Decimal as D

import pytest

from cashbook.statements import Statement, parse_statement

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "statements"


def read_sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"sample {name} not found in {SAMPLES}")
    return path.read_bytes()

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"samples absent: {SAMPLES}")


def one(name: str, **kw) -> Statement:
    statements = parse_statement(read_sample(name), filename=name, **kw)
    assert len(statements) == 1
    return statements[0]


def test_every_sample_parses_with_exact_amounts():
    files = [p for p in sorted(SAMPLES.iterdir()) if p.suffix not in (".md", ".json")]
    assert len(files) == 17
    for path in files:
        statements = parse_statement(path.read_bytes(), filename=path.name)
        assert statements, path.name
        for st in statements:
            assert st.currency and len(st.currency) == 3
            for line in st.lines:
                assert isinstance(line.amount, D) and line.amount == line.amount.quantize(D("0.01"))
                assert line.amount.as_tuple().exponent == -2
                assert line.source_line > 0
                assert line.memo == " ".join(line.memo.split())


def test_icbc_personal_v2():
    st = one("cn_icbc_debit_v2.csv")
    assert (st.format, st.profile, st.account, st.currency) == ("icbc", "icbc", "1234****9876", "CNY")
    assert len(st.lines) == 11  # the 人民币合计 footer and the blank line are not lines
    first, last = st.lines[0], st.lines[-1]
    assert (first.source_line, first.date, first.amount) == (8, dt.date(2023, 5, 2), D("-13.40"))
    assert first.counterparty == "深圳市财付通支付科技有限公司"
    assert first.memo.startswith("消费")
    assert first.balance is None  # masked "xx,yyyy.zz"
    assert (last.source_line, last.date, last.amount) == (18, dt.date(2023, 2, 8), D("1.04"))
    assert st.lines[2].amount == D("1234.56") and st.lines[2].counterparty == "李四"  # 他行汇入, 收入
    assert sum(ln.amount for ln in st.lines if ln.amount > 0) == D("2841.74")
    assert sum(ln.amount for ln in st.lines if ln.amount < 0) == D("-4241.08")
    assert all(ln.ref == "" for ln in st.lines)
    assert st.opening_balance is None and st.closing_balance is None
    assert st.warnings == ()


def test_cmb_personal_signed_amounts_unsorted():
    st = one("cn_cmb_debit.csv")
    assert (st.format, st.profile) == ("cmb", "cmb")
    assert [ln.date.isoformat() for ln in st.lines] == [
        "2024-01-01", "2024-01-01", "2024-01-27", "2024-01-20", "2024-01-23"]  # file order kept
    assert [ln.amount for ln in st.lines] == [D("1234.00"), D("-1000.00"), D("-3.00"), D("-1000.00"), D("-10.14")]
    assert st.lines[0].balance == D("1271.66") and st.lines[-1].balance == D("1218.24")
    assert st.lines[0].counterparty == "北京住房公积金管理中心"  # account digits cut off 对手信息
    assert st.lines[1].counterparty == "张三"
    assert st.lines[3].counterparty == ""
    assert st.lines[0].memo == "代发住房公积金 01月01日约定提取"
    # the sample's balances only chain for the first two rows
    assert [w.split(":")[0] for w in st.warnings] == ["line 4", "line 5", "line 6"]
    assert "does not follow from previous 271.66 + -3.00" in st.warnings[0]


def test_boc_personal_newest_first_balance_chain():
    st = one("cn_boc_debit.csv")
    assert (st.format, st.account, st.currency) == ("boc", "3167", "CNY")
    assert len(st.lines) == 17
    first, last = st.lines[0], st.lines[-1]
    assert (first.source_line, first.date, first.amount, first.balance) == (3, dt.date(2025, 8, 22), D("-71.89"), D("3240.28"))
    assert first.counterparty == "张三" and first.memo == "无卡支付"  # "----------" 附言 is empty
    assert (last.source_line, last.date, last.amount, last.balance) == (19, dt.date(2025, 8, 1), D("1000.00"), D("3813.58"))
    salary = st.lines[11]
    assert (salary.amount, salary.memo, salary.counterparty) == (D("5771.00"), "工资", "美金数据有限公司")
    assert st.lines[7].amount == D("-2600.00")  # "-2,600.00"
    # newest first, every running balance follows: opening/closing derived from the chain
    assert st.warnings == ()
    assert st.opening_balance == D("2813.58") and st.closing_balance == D("3240.28")
    assert st.opening_balance + sum(ln.amount for ln in st.lines) == st.closing_balance


def test_abc_personal_compact_dates_and_journal_numbers():
    st = one("cn_abc_debit.csv")
    assert st.format == "abc" and len(st.lines) == 5
    first = st.lines[0]
    assert (first.date, first.amount, first.ref, first.counterparty, first.balance) == (
        dt.date(2024, 1, 1), D("10000.00"), "369396693", "哈哈", D("11000.00"))
    assert first.memo == "转存 转账"
    assert st.lines[2].date == dt.date(2024, 1, 3) and st.lines[2].amount == D("-12345.89")  # empty time cell
    interest = st.lines[3]
    assert (interest.amount, interest.ref, interest.counterparty) == (D("0.01"), "", "")  # 0000000000, "--"
    assert st.lines[-1].amount == D("0.00") and st.lines[-1].source_line == 6
    assert len(st.warnings) == 3 and st.warnings[0].startswith("line 3: running balance 11,000.00")


def test_bocom_direction_column():
    st = one("cn_bocom_debit.csv")
    assert st.format == "bocom" and len(st.lines) == 6
    assert [ln.amount for ln in st.lines] == [D("1.23"), D("-3.21"), D("0.02"), D("10.00"), D("-10.00"), D("-100.79")]
    assert st.lines[0].date == dt.date(2025, 1, 1) and st.lines[1].date == dt.date(2024, 2, 2)  # not sorted
    assert st.lines[0].counterparty == "应付个人活期储蓄存款利息"
    assert st.lines[-1].balance == D("3154.93") and st.lines[-1].source_line == 7
    assert "基金理财产品申购" in st.lines[-1].memo
    assert len(st.warnings) == 5  # the sample's balances are made up


def test_ccb_personal_xls():
    st = one("cn_ccb_debit.xls")
    assert (st.format, st.profile, st.account, st.currency) == ("ccb", "ccb", "xxxxx*********xxxx", "CNY")
    assert len(st.lines) == 6
    first, last = st.lines[0], st.lines[-1]
    assert (first.source_line, first.date, first.amount, first.balance) == (7, dt.date(2025, 1, 1), D("-67.00"), D("2176.91"))
    assert first.counterparty == "中***融科技有限公司"
    assert first.memo == "消费 支付宝-支付宝外部商户-中移动金融科技有限公司"
    assert (last.source_line, last.date, last.amount, last.balance) == (12, dt.date(2025, 1, 6), D("-66.40"), D("1494.65"))
    assert st.lines[1].amount == D("-16.78")  # float cell 16.78 read through its repr, exact
    # 2,140.13 - 515.02 is 1,625.11, the file says 1,579.11: a row is missing from the sample
    assert len(st.warnings) == 1 and st.warnings[0].startswith("line 10: running balance 1,579.11")


def test_ccb_xls_forced_format_and_profile():
    data = read_sample("cn_ccb_debit.xls")
    assert parse_statement(data, fmt="xls", profile="ccb")[0].lines == one("cn_ccb_debit.xls").lines


def test_alipay_gbk_personal_payment_export():
    st = one("cn_alipay_gbk.csv")
    assert (st.format, st.account, st.personal_payment) == ("alipay", "xx@gmail.com", True)
    assert [ln.source_line for ln in st.lines] == [26, 27, 30, 34, 35]
    first = st.lines[0]
    assert (first.date, first.amount, first.ref, first.counterparty, first.memo) == (
        dt.date(2023, 2, 12), D("-49.74"), "202302xxxxxx0011000103xxxxxx", "xxxxxxxxxxxx", "亲情卡")
    assert st.lines[2].amount == D("222228.50")  # 收入
    assert st.lines[-1].amount == D("-82.00") and st.lines[-1].date == dt.date(2023, 7, 10)
    neutral = [w for w in st.warnings if "neutral" in w]
    assert [w.split(":")[0] for w in neutral] == ["line 28", "line 29", "line 31", "line 32"]
    assert any(w.startswith("line 33: skipped row with status '交易关闭'") for w in st.warnings)


def test_wechat_personal_payment_export():
    st = one("cn_wechat.csv")
    assert (st.format, st.personal_payment) == ("wechat", True)
    assert len(st.lines) == 16
    first = st.lines[0]
    assert (first.source_line, first.date, first.amount, first.ref, first.counterparty) == (
        18, dt.date(2019, 9, 26), D("-28.16"), "3985734", "云膳过桥米线(传奇广场店)")
    assert st.lines[1].amount == D("0.35")
    assert [ln.amount for ln in st.lines if ln.source_line == 42] == [D("-50.00")]  # "¥50.0"
    last = st.lines[-1]
    assert (last.source_line, last.amount, last.ref) == (44, D("-0.01"), "4200002168202406076349888061")
    assert [w.split(":")[0] for w in st.warnings] == [f"line {n}" for n in range(23, 34)]  # "/" neutral rows


def test_ofx_102_sgml():
    st = one("ofx102_sgml_checking.ofx")
    assert (st.format, st.account, st.currency) == ("ofx", "1452687~7", "USD")
    assert st.closing_balance == D("100.99") and st.opening_balance is None
    assert [(ln.date, ln.amount, ln.ref) for ln in st.lines] == [
        (dt.date(2011, 3, 31), D("0.01"), "0000486"),
        (dt.date(2011, 4, 5), D("-34.51"), "0000487"),
        (dt.date(2011, 4, 7), D("-25.00"), "0000488"),
    ]
    cheque = st.lines[2]
    assert cheque.cheque == "319" and cheque.memo.endswith("chq 319")
    assert cheque.counterparty == "RETURNED CHECK FEE, CHECK # 319"
    assert st.lines[0].source_line == 46


def test_ofx_200_xml():
    st = one("ofx200_xml_suncorp.ofx")
    assert (st.format, st.account, st.currency, st.closing_balance) == ("ofx", "123456789", "AUD", D("1234.12"))
    (line,) = st.lines
    assert (line.date, line.amount, line.ref, line.cheque) == (dt.date(2013, 12, 15), D("-16.85"), "1", "")
    assert line.counterparty == "EFTPOS WDL HANDYWAY ALDI STORE"  # CDATA, trailing spaces trimmed
    assert line.memo == "EFTPOS WDL HANDYWAY ALDI STORE GEELONG WEST VICAU"


def test_mt940_abnamro():
    statements = parse_statement(read_sample("mt940_abnamro_nl.sta"))
    assert [len(s.lines) for s in statements] == [8, 2]
    a, b = statements
    assert (a.account, a.currency, a.statement_id) == ("517852257", "EUR", "19321/1")
    assert (a.opening_balance, a.closing_balance) == (D("3236.28"), D("876.84"))
    assert (a.lines[0].date, a.lines[0].value_date, a.lines[0].amount) == (dt.date(2011, 5, 24), dt.date(2011, 5, 24), D("-9.00"))
    # :61:1105210523D11,59 : value date 21 May, entry (booking) date 23 May
    assert (a.lines[1].date, a.lines[1].value_date, a.lines[1].amount) == (dt.date(2011, 5, 23), dt.date(2011, 5, 21), D("-11.59"))
    assert a.lines[0].memo.startswith("GIRO 428428 KPN - DIGITENNE") and a.lines[0].memo.endswith("INCL. 1,44 BTW")
    assert a.lines[-1].amount == D("-141.48") and a.lines[-1].source_line == 25
    assert all(ln.ref == "" for ln in a.lines)  # NONREF, no bank reference
    # the sample's totals do not add up: reported, not raised
    assert any("opening balance 3,236.28 + lines -321.44" in w for w in a.warnings)
    assert (b.opening_balance, b.closing_balance) == (D("2876.84"), D("1849.75"))  # :60M: / :62M:
    assert any("previous statement's closing balance 876.84" in w for w in b.warnings)


def test_mt940_sepa_structured_86():
    a, b = parse_statement(read_sample("mt940_sepa_de.sta"))
    assert (a.account, a.opening_balance, a.closing_balance) == ("50880050/0194787400888", D("766656.49"), D("1125250.40"))
    assert len(a.lines) == 4 and a.warnings == ()  # 766,656.49 + 358,593.91 - 1,500.00 = 1,125,250.40
    first = a.lines[0]
    assert (first.date, first.value_date, first.amount, first.ref) == (
        dt.date(2007, 9, 4), dt.date(2007, 9, 7), D("50990.05"), "0724710333343453")
    assert first.counterparty == "KARL KAUFMANN"  # ?32 + ?33
    assert first.memo == "GUTSCHRIFT EREF+EndToEndId TFNR 22 004 00001 SVWZ+Verw CTSc-01 BC-PPP TFNr 22 004"
    assert a.lines[1].memo.endswith("SVWZ+Strukturierter Verwendungszweck 30030004 DE")
    assert a.lines[3].amount == D("-1500.00") and a.lines[3].ref == "536D80EFEC56ACF8"
    assert (b.opening_balance, b.closing_balance, len(b.lines)) == (D("-1970431.87"), D("-4472049.09"), 7)
    assert b.lines[-1].amount == D("-3572569.03") and b.lines[-1].memo == "SAMMLER 0904059001"
    assert b.lines[3].counterparty == "Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx"
    assert len(b.warnings) == 1 and "difference 300.08" in b.warnings[0]


def test_mt940_asn_swift_envelopes():
    statements = parse_statement(read_sample("mt940_asnb_swiftblocks.940"))
    assert len(statements) == 31  # one per day, most of them without lines
    assert [s.statement_id for s in statements[:3]] == ["1/1", "2/1", "3/1"]
    assert sum(len(s.lines) for s in statements) == 8
    assert all(s.warnings == () for s in statements)  # every day adds up and follows the previous
    first = statements[0]
    assert (first.account, first.opening_balance, first.closing_balance) == ("NL81ASNB9999999999", D("444.29"), D("379.29"))
    (line,) = first.lines
    assert (line.date, line.amount, line.counterparty, line.source_line) == (
        dt.date(2020, 1, 1), D("-65.00"), "hr gjlm paulissen", 6)
    assert line.memo == "NL47INGB9999999999 hr gjlm paulissen Betaling sieraden"
    card = statements[4].lines[1]
    assert card.amount == D("-801.55") and "Betaling aan ICS 99999999999" in card.memo  # 65-char line joined
    assert statements[-1].closing_balance == D("501.23")
    assert sum(ln.amount for s in statements for ln in s.lines) == D("56.94")


def test_camt053_v2_multi_statement():
    a, b = parse_statement(read_sample("genkgo_camt053.v2.multi.statement.xml"))
    assert (a.statement_id, a.account, a.currency) == ("253EURNL26VAYB8060476890", "NL26VAYB8060476890", "EUR")
    assert (a.opening_balance, a.closing_balance) == (D("18.15"), D("27.00"))
    (line,) = a.lines
    assert (line.date, line.value_date, line.amount, line.ref, line.counterparty, line.memo) == (
        dt.date(2014, 12, 31), dt.date(2015, 1, 2), D("8.85"), "000000001", "Company Name 1", "Transaction Description 1")
    assert (b.opening_balance, b.closing_balance, b.lines[0].amount) == (D("27.00"), D("20.00"), D("-7.00"))
    assert a.warnings == () and b.warnings == ()


def test_camt053_all_balance_types_and_v4_v8():
    st = one("genkgo_camt053.v2.all-balance-types.xml")
    assert (st.opening_balance, st.closing_balance) == (D("1.01"), D("4.04"))  # OPBD before PRCD, CLBD
    assert st.lines[0].amount == D("8.85")  # written 8.850
    assert st.account == "CH2801234000123456789" and st.currency == "EUR"
    assert any("1.01 + lines 8.85 = 9.86" in w for w in st.warnings)
    for name in ("genkgo_camt053.v4.xml", "genkgo_camt053.v8.xml"):
        st = one(name)
        assert (st.opening_balance, st.closing_balance) == (D("18.15"), D("-27.00"))  # CLBD is DBIT 27.00 SEK
        assert any("closing balance CLBD is in SEK" in w for w in st.warnings)
        (line,) = st.lines
        assert (line.ref, line.counterparty, line.memo) == ("AAAASESS-FP-CN_98765/01", "NAME NAME", "4654654654654654")
        assert line.date == dt.date(2014, 12, 31) and line.source_line == 110
