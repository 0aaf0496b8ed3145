"""OFX, camt.053, MT940 and mapped-CSV behaviour on small fixtures; format detection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from cashbook.statements import StatementError, detect_format, parse_statement
from cashbook.statements.common import parse_money

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "statements"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="samples absent")
def test_detect_every_sample():
    expected = {".csv": "csv", ".xls": "xls", ".ofx": "ofx", ".xml": "camt053", ".sta": "mt940", ".940": "mt940"}
    for path in SAMPLES.iterdir():
        if path.suffix in expected:
            assert detect_format(path.read_bytes()) == expected[path.suffix], path.name


def test_parse_money_forms():
    assert parse_money("1,234.56") == D("1234.56")
    assert parse_money("¥28.16") == D("28.16")
    assert parse_money("+10000.00") == D("10000.00")
    assert parse_money("-2,600.00") == D("-2600.00")
    assert parse_money("(12.30)") == D("-12.30")
    assert parse_money("12.30-") == D("-12.30")
    assert parse_money("50.0") == D("50.00")
    assert parse_money("8.850") == D("8.85")
    assert parse_money("1.234,56", decimal_comma=True) == D("1234.56")
    for bad in ("1.234", "1e3", "NaN", "12,34", "abc", "１２", "", "-", "9" * 16):
        with pytest.raises(StatementError):
            parse_money(bad)


# --------------------------------------------------------------------------- OFX

OFX_CC = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102
CHARSET:1252

<OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS><CURDEF>EUR<CCACCTFROM><ACCTID>4111</CCACCTFROM>
<BANKTRANLIST>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240105<DTAVAIL>20240107<TRNAMT>-12,50<FITID>A1<NAME>Caf\xe9 &amp; Bar</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240106120000[-5:EST]<TRNAMT>100<FITID>A2<CHECKNUM>0042<MEMO>refund</STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>-50.00<DTASOF>20240131</LEDGERBAL>
</CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>
"""


def test_ofx_credit_card_sgml_cp1252():
    (st,) = parse_statement(OFX_CC)
    assert (st.account, st.currency, st.closing_balance) == ("4111", "EUR", D("-50.00"))
    a, b = st.lines
    assert (a.date, a.value_date, a.amount, a.ref, a.counterparty) == (
        dt.date(2024, 1, 5), dt.date(2024, 1, 7), D("-12.50"), "A1", "Café & Bar")
    assert (b.date, b.amount, b.cheque, b.memo) == (dt.date(2024, 1, 6), D("100.00"), "0042", "refund chq 0042")


def test_ofx_errors_name_the_line():
    with pytest.raises(StatementError) as err:
        parse_statement(OFX_CC.replace(b"<TRNAMT>100", b"<TRNAMT>lots"))
    assert err.value.line == 9 and "TRNAMT" in err.value.message
    with pytest.raises(StatementError, match="no bank .* statement"):
        parse_statement(b"OFXHEADER:100\n<OFX><SIGNONMSGSRSV1></SIGNONMSGSRSV1></OFX>")


# --------------------------------------------------------------------------- camt.053

CAMT_BATCH = b"""<?xml version="1.0" encoding="UTF-8"?>
<c:Document xmlns:c="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <c:BkToCstmrStmt>
  <c:GrpHdr><c:MsgId>M1</c:MsgId></c:GrpHdr>
  <c:Stmt>
   <c:Id>S-1</c:Id>
   <c:Acct><c:Id><c:IBAN>DE89370400440532013000</c:IBAN></c:Id><c:Ccy>EUR</c:Ccy></c:Acct>
   <c:Bal><c:Tp><c:CdOrPrtry><c:Cd>PRCD</c:Cd></c:CdOrPrtry></c:Tp><c:Amt Ccy="EUR">1000.00</c:Amt>
     <c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:Dt>2024-02-29</c:Dt></c:Dt></c:Bal>
   <c:Bal><c:Tp><c:CdOrPrtry><c:Cd>CLBD</c:Cd></c:CdOrPrtry></c:Tp><c:Amt Ccy="EUR">700.00</c:Amt>
     <c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:Dt>2024-03-01</c:Dt></c:Dt></c:Bal>
   <c:Ntry>
    <c:NtryRef>N-1</c:NtryRef>
    <c:Amt Ccy="EUR">300.00</c:Amt><c:CdtDbtInd>DBIT</c:CdtDbtInd><c:Sts><c:Cd>BOOK</c:Cd></c:Sts>
    <c:BookgDt><c:Dt>2024-03-01</c:Dt></c:BookgDt><c:ValDt><c:Dt>2024-03-01</c:Dt></c:ValDt>
    <c:AcctSvcrRef>BANK-REF-9</c:AcctSvcrRef>
    <c:NtryDtls>
     <c:Btch><c:NbOfTxs>3</c:NbOfTxs></c:Btch>
     <c:TxDtls><c:Refs><c:EndToEndId>E1</c:EndToEndId></c:Refs><c:Amt Ccy="EUR">100.00</c:Amt><c:CdtDbtInd>DBIT</c:CdtDbtInd>
      <c:RltdPties><c:Cdtr><c:Pty><c:Nm>Alpha</c:Nm></c:Pty></c:Cdtr><c:CdtrAcct><c:Id><c:IBAN>NL01</c:IBAN></c:Id></c:CdtrAcct></c:RltdPties>
      <c:RmtInf><c:Ustrd>Invoice 1</c:Ustrd></c:RmtInf></c:TxDtls>
     <c:TxDtls><c:Refs><c:EndToEndId>E2</c:EndToEndId></c:Refs><c:Amt Ccy="EUR">150.00</c:Amt><c:CdtDbtInd>DBIT</c:CdtDbtInd>
      <c:RltdPties><c:Cdtr><c:Pty><c:Nm>Beta</c:Nm></c:Pty></c:Cdtr></c:RltdPties><c:RmtInf><c:Ustrd>Invoice 2</c:Ustrd></c:RmtInf></c:TxDtls>
     <c:TxDtls><c:Refs><c:EndToEndId>NOTPROVIDED</c:EndToEndId><c:TxId>T3</c:TxId></c:Refs><c:Amt Ccy="EUR">50.00</c:Amt>
      <c:RltdPties><c:Cdtr><c:Nm>Gamma</c:Nm></c:Cdtr></c:RltdPties></c:TxDtls>
    </c:NtryDtls>
   </c:Ntry>
   <c:Ntry>
    <c:Amt Ccy="EUR">5.00</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Sts><c:Cd>PDNG</c:Cd></c:Sts>
    <c:ValDt><c:Dt>2024-03-02</c:Dt></c:ValDt>
   </c:Ntry>
  </c:Stmt>
 </c:BkToCstmrStmt>
</c:Document>
"""


def test_camt_batch_entry_keeps_total_and_details():
    (st,) = parse_statement(CAMT_BATCH)
    assert (st.account, st.currency, st.opening_balance, st.closing_balance) == (
        "DE89370400440532013000", "EUR", D("1000.00"), D("700.00"))
    (line,) = st.lines
    assert (line.amount, line.ref, line.date, line.source_line) == (D("-300.00"), "BANK-REF-9", dt.date(2024, 3, 1), 12)
    assert line.memo == "batch of 3 transactions" and line.counterparty == ""
    assert [(d.amount, d.ref, d.memo, d.counterparty) for d in line.details] == [
        (D("-100.00"), "E1", "Invoice 1", "Alpha"),
        (D("-150.00"), "E2", "Invoice 2", "Beta"),
        (D("-50.00"), "T3", "", "Gamma"),
    ]
    assert line.details[0].counterparty_account == "NL01"
    assert st.warnings == ("line 28: skipped entry with status PDNG (not booked): 5.00",)


def test_camt_batch_details_not_adding_up_is_warned():
    (st,) = parse_statement(CAMT_BATCH.replace(b"150.00", b"151.00"))
    assert any("batch details add up to -301.00, the entry total is -300.00" in w for w in st.warnings)


def test_camt_truncated_and_foreign_xml():
    with pytest.raises(StatementError) as err:
        parse_statement(CAMT_BATCH[:900])
    assert "damaged or truncated" in err.value.message and err.value.line is not None
    with pytest.raises(StatementError, match="only camt.053"):
        parse_statement(b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>')
    with pytest.raises(StatementError, match="DTD"):
        parse_statement(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Document><BkToCstmrStmt/></Document>',
                        fmt="camt053")
    with pytest.raises(StatementError) as err:
        parse_statement(CAMT_BATCH.replace(b"<c:CdtDbtInd>DBIT</c:CdtDbtInd><c:Sts>", b"<c:CdtDbtInd>XX</c:CdtDbtInd><c:Sts>"))
    assert err.value.line == 12 and "CRDT or DBIT" in err.value.message


# --------------------------------------------------------------------------- MT940

MT940 = """:20:STMT
:25:NL91ABNA0417164300
:28C:7/1
:60F:C231229EUR100,00
:61:2312290102C25,00NTRFREF1//B1
/EXTRA DETAILS
:86:/TRTP/SEPA OVERBOEKING/IBAN/NL02RABO0123456789/BIC/RABONL2U/NAME/J JANSEN/REMI/USTD//FACTUUR 12/EREF/NOTPROVIDED
:61:231229RD10,00NMSC
:86:reversed debit
:61:231229RC5,00NMSC
:62F:C240102EUR130,00
-
"""


def test_mt940_reversals_year_boundary_and_dutch_codes():
    (st,) = parse_statement(MT940.encode(), filename="x.sta")
    a, b, c = st.lines
    assert (a.value_date, a.date, a.amount, a.ref) == (dt.date(2023, 12, 29), dt.date(2024, 1, 2), D("25.00"), "B1")
    assert (a.counterparty, a.memo) == ("J JANSEN", "FACTUUR 12 SEPA OVERBOEKING")
    assert (b.amount, b.memo) == (D("10.00"), "reversed debit")  # RD: reversal of a debit, money back in
    assert c.amount == D("-5.00")  # RC: reversal of a credit
    assert st.opening_balance + sum(ln.amount for ln in st.lines) == st.closing_balance and st.warnings == ()


def test_mt940_bad_statement_line():
    with pytest.raises(StatementError) as err:
        parse_statement(MT940.replace(":61:231229RD10,00NMSC", ":61:2312XXRD10,00NMSC").encode())
    assert err.value.line == 8 and ":61:" in err.value.message
    with pytest.raises(StatementError) as err:
        parse_statement(MT940.replace("C231229EUR100,00", "C231229EUR").encode())
    assert err.value.line == 4


# --------------------------------------------------------------------------- generic CSV by mapping


def test_mapping_split_columns_day_first_dates():
    data = b"Date,Description,Debit,Credit,Balance,Ref\n31/01/2024,Rent,-1200.00,,800.00,R1\n01/02/2024,Salary,,2500.00,3300.00,R2\n"
    mapping = {"date": "Date", "debit": "Debit", "credit": "Credit", "balance": "Balance", "memo": "Description",
               "ref": "Ref", "date_format": "%d/%m/%Y", "currency": "gbp"}
    (st,) = parse_statement(data, mapping=mapping)
    assert (st.format, st.currency) == ("csv", "GBP")
    assert [(ln.date, ln.amount, ln.ref, ln.memo) for ln in st.lines] == [
        (dt.date(2024, 1, 31), D("-1200.00"), "R1", "Rent"), (dt.date(2024, 2, 1), D("2500.00"), "R2", "Salary")]
    assert (st.opening_balance, st.closing_balance) == (D("2000.00"), D("3300.00"))


def test_mapping_decimal_comma_semicolon_cp1252_direction():
    text = "Buchung;Betrag;S/H;Empfänger\n02.01.2024;1.234,56;H;Müller\n03.01.2024;9,99;S;Café\n"
    mapping = {"date": "Buchung", "amount": "Betrag", "direction": "S/H", "counterparty": "Empfänger",
               "credit_values": ["H"], "debit_values": ["S"], "date_format": "%d.%m.%Y", "decimal": ",",
               "delimiter": ";", "encoding": "cp1252"}
    (st,) = parse_statement(text.encode("cp1252"), fmt="csv", mapping=mapping)
    assert [(ln.amount, ln.counterparty) for ln in st.lines] == [(D("1234.56"), "Müller"), (D("-9.99"), "Café")]
    with pytest.raises(StatementError) as err:
        parse_statement(text.replace(";S;", ";X;").encode("cp1252"), mapping=mapping)
    assert err.value.line == 3 and "not a direction" in err.value.message


@pytest.mark.skipif(not (SAMPLES / "cn_ccb_debit.xls").is_file(), reason="samples absent")
def test_mapping_on_xls_rows():
    mapping = {"date": "记账日", "debit": "支出", "credit": "收入", "balance": "账户余额", "memo": ["摘要", "交易地点"]}
    (st,) = parse_statement((SAMPLES / "cn_ccb_debit.xls").read_bytes(), mapping=mapping)
    assert st.format == "csv" and [ln.amount for ln in st.lines][:2] == [D("-67.00"), D("-16.78")]


def test_mapping_is_validated():
    for bad in ({"date": "D"}, {"amount": "A"}, {"date": "D", "amount": "A", "debit": "X", "credit": "Y"},
                {"date": "D", "amount": "A", "colour": "red"}, {"date": "D", "debit": "X"}, "date=D"):
        with pytest.raises(StatementError):
            parse_statement(b"D,A\n2024-01-01,1\n", mapping=bad)
    with pytest.raises(StatementError, match="lacks the mapped column"):
        parse_statement(b"D,A\n2024-01-01,1\n", mapping={"date": "D", "amount": "Amount"})


def test_no_negative_zero_and_two_places_enforced():
    from cashbook.statements import StatementLine

    data = "序号,交易日期,交易时间,交易类型,借贷,交易金额,余额,对方账号,对方户名,交易地点,摘要\n1,2025-01-01,00:00:00,x,借 Dr,0.00,5.00,1,a,b,\n"
    (st,) = parse_statement(data.encode())
    assert str(st.lines[0].amount) == "0.00"
    with pytest.raises(ValueError):
        StatementLine(dt.date(2024, 1, 1), D("1.005"))
    with pytest.raises(TypeError):
        StatementLine(dt.date(2024, 1, 1), 1.5)  # type: ignore[arg-type]


def test_xls_number_cells_read_exactly():
    from cashbook.statements.xls import _number_text

    assert [_number_text(v) for v in (67.0, 16.78, 2176.91, 20250101.0, 0.1 + 0.2, 1e-05)] == [
        "67", "16.78", "2176.91", "20250101", "0.30", "0.00001"]
