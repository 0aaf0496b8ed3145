"""Unreadable input: StatementError naming the line and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from cashbook.statements import StatementError, parse_statement

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "statements"

ICBC_HEADER = "交易日期,摘要,记账金额(收入),记账金额(支出),余额,对方户名,对方账户\n"


def err(data: bytes, **kw) -> StatementError:
    with pytest.raises(StatementError) as info:
        parse_statement(data, **kw)
    return info.value


def test_error_renders_line():
    e = StatementError("bad", 7)
    assert (str(e), e.message, e.line) == ("line 7: bad", "bad", 7)
    assert str(StatementError("bad")) == "bad"


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_empty_file(data):
    assert "empty" in err(data).message


def test_undecodable_bytes_name_the_line():
    e = err(ICBC_HEADER.encode() + b"2024-01-01,\x80\xff,1.00,,,x,y\n")
    assert e.line == 2 and "neither UTF-8 nor GB18030" in e.message


def test_wrong_declared_encoding():
    e = err(("Date,Amount\n2024-01-01,1\n2024-01-02,é\n").encode("utf-8"),
            mapping={"date": "Date", "amount": "Amount", "encoding": "ascii"})
    assert e.line == 3 and "not valid ascii" in e.message


def test_non_amount_in_amount_column():
    e = err((ICBC_HEADER + "2024-01-01,消费,,12.3x,,商户,1\n").encode())
    assert e.line == 2 and "记账金额(支出) value '12.3x' is not an amount" in e.message


def test_three_decimals_refused():
    e = err((ICBC_HEADER + "2024-01-01,消费,,12.345,,商户,1\n").encode())
    assert e.line == 2 and "more than two decimals" in e.message


def test_bad_date():
    e = err((ICBC_HEADER + "2024-01-01,消费,,1.00,,商户,1\n2023-13-45,消费,,2.00,,商户,1\n").encode("gbk"))
    assert e.line == 3 and "'2023-13-45' is not a valid calendar date" in e.message
    e = err((ICBC_HEADER + "01/02/2024,消费,,2.00,,商户,1\n").encode())
    assert e.line == 2 and "expected YYYY-MM-DD" in e.message


def test_both_or_neither_split_amount():
    assert err((ICBC_HEADER + "2024-01-01,x,1.00,2.00,,a,1\n").encode()).message.startswith("both")
    assert err((ICBC_HEADER + "2024-01-01,x,-,-,,a,1\n").encode()).message.startswith("neither")


def test_missing_columns_named():
    e = err("交易日期,摘要,记账金额(收入),余额,对方户名,对方账户\n2024-01-01,x,1.00,,a,1\n".encode())
    assert e.line == 1 and "lacks column(s) 记账金额(支出)" in e.message


def test_shuffled_columns_caught_by_the_values():
    # header of the CMB export, data rows in another column order
    data = "记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要\n2024-01-01,CNY,转账汇款,271.66,-1000.00,张三,转账\n"
    e = err(data.encode())
    assert e.line == 2 and "交易金额 value '转账汇款' is not an amount" in e.message
    data = "记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要\n转账汇款,CNY,-1000.00,271.66,2024-01-01,张三,转账\n"
    assert err(data.encode()).line == 2


def test_unknown_layout_and_options():
    assert "no header row found" in err(b"a,b,c\n1,2,3\n").message
    assert "unknown format" in err(b"x", fmt="pdf").message
    assert "unknown statement profile" in err((ICBC_HEADER + "2024-01-01,x,1,,,a,1\n").encode(), profile="hsbc").message
    e = err((ICBC_HEADER + "2024-01-01,x,1,,,a,1\n").encode(), profile="bocom")
    assert "no header row" in e.message or "lacks column" in e.message
    assert "applies to CSV" in err(b"OFXHEADER:100\n<OFX></OFX>", profile="icbc").message


def test_direction_value_must_be_known():
    data = "序号,交易日期,交易时间,交易类型,借贷,交易金额,余额,对方账号,对方户名,交易地点,摘要\n1,2025-01-01,00:00:00,利息,??,1.23,1.23,1,a,b,\n"
    e = err(data.encode())
    assert e.line == 2 and "not a direction" in e.message


def test_xls_damaged_or_xlsx():
    assert "damaged or unreadable" in err(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600).message
    assert ".xlsx" in err(b"PK\x03\x04rest-of-zip").message
    assert "not a binary .xls" in err(b"\x01\x02\x03garbage", fmt="xls").message


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="samples absent")
def test_truncated_samples():
    for name, fmt in (("genkgo_camt053.v4.xml", "auto"), ("ofx200_xml_suncorp.ofx", "camt053")):
        data = (SAMPLES / name).read_bytes()
        e = err(data[: len(data) // 2], fmt=fmt)
        assert e.line is not None and "truncated" in e.message
    xls = (SAMPLES / "cn_ccb_debit.xls").read_bytes()
    assert "xls" in err(xls[:5000]).message


def test_html_disguised_as_xls():
    e = err(b"<html><body><table><tr><td>\xe4\xba\xa4\xe6\x98\x93\xe6\x97\xa5\xe6\x9c\x9f</td></tr></table></body></html>",
            filename="mingxi.xls")
    assert "HTML page" in e.message


def test_unexpected_failures_still_surface_as_statement_error(monkeypatch):
    import cashbook.statements.api as api

    def broken(data):
        raise KeyError("boom")

    monkeypatch.setattr(api, "parse_ofx", broken)
    e = err(b"OFXHEADER:100\n<OFX></OFX>")
    assert api.INTERNAL_ERROR in e.message and "KeyError" in e.message


def test_non_bytes_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_statement("text, not bytes")  # type: ignore[arg-type]
