"""Corporate (对公) layouts reported second-hand; fixtures written here, read back as bytes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from cashbook.statements import parse_statement


def write(tmp_path: Path, name: str, text: str, encoding: str) -> bytes:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path.read_bytes()


ICBC_CORP = (
    "[HISTORYDETAIL]\n"
    "凭证号\t本方账号\t对方账号\t交易时间\t借/贷\t借方发生额\t贷方发生额\t对方行号\t摘要\t用途\t对方单位名称\t余额\n"
    "0001\t1202020709900123456\t6222020200001234567\t2024-03-01 09:15:22\t贷\t\t12,000.00\t102100099996\t货款\t3月货款\t上海某某商贸有限公司\t112,000.00\n"
    "0002\t1202020709900123456\t4000023009200123456\t2024-03-02 14:01:09\t借\t3,500.00\t\t102100000030\t电费\t2月电费\t国网上海市电力公司\t108,500.00\n"
    "\t1202020709900123456\t\t2024-03-03 00:00:00\t借\t25.00\t\t\t手续费\t\t\t108,475.00\n"
)


def test_icbc_corporate_historydetail_gbk_tabs(tmp_path):
    (st,) = parse_statement(write(tmp_path, "icbc.txt", ICBC_CORP, "gbk"), filename="icbc.txt")
    assert (st.format, st.profile, st.account) == ("icbc", "icbc_corp", "1202020709900123456")
    assert [ln.amount for ln in st.lines] == [D("12000.00"), D("-3500.00"), D("-25.00")]
    assert [ln.ref for ln in st.lines] == ["0001", "0002", ""]
    assert [ln.source_line for ln in st.lines] == [3, 4, 5]
    first = st.lines[0]
    assert (first.date, first.memo, first.counterparty, first.balance) == (
        dt.date(2024, 3, 1), "货款 3月货款", "上海某某商贸有限公司", D("112000.00"))
    assert (st.opening_balance, st.closing_balance) == (D("100000.00"), D("108475.00"))
    assert st.warnings == ()
    assert parse_statement(write(tmp_path, "icbc.xls", ICBC_CORP, "gbk"), fmt="xls")[0].lines == st.lines  # text ".xls"


CCB_CORP = (
    "中国建设银行单位账户交易明细\n"
    "账号,31050161393600000123\n"
    "账户名称,上海某某物业管理有限公司\n"
    "账号,账户名称,交易时间,借方发生额（支取）,贷方发生额（收入）,余额,币种,对方户名,对方账号,对方开户机构,记账日期,摘要,备注,账户明细编号-交易流水号,企业流水号,凭证种类,凭证号\n"
    '31050161393600000123,上海某某物业管理有限公司,2024-04-01 10:20:30,,"50,000.00","250,000.00",人民币,某某餐饮有限公司,6217000010001234567,建行上海分行,20240401,租金,4月租金,310501613936000001230001-20240401000123,,,\n'
    '31050161393600000123,上海某某物业管理有限公司,2024-04-02 11:00:00,"1,200.00",,"248,800.00",人民币,上海某某保洁服务有限公司,31001234567890,工行上海分行,20240403,转账支出,保洁费,310501613936000001230002-20240402000456,,,\n'
)


def test_ccb_corporate_fullwidth_parentheses(tmp_path):
    (st,) = parse_statement(write(tmp_path, "ccb.csv", CCB_CORP, "gb18030"))
    assert (st.format, st.profile, st.account, st.currency) == ("ccb", "ccb_corp", "31050161393600000123", "CNY")
    a, b = st.lines
    assert (a.date, a.amount, a.ref, a.memo, a.counterparty) == (
        dt.date(2024, 4, 1), D("50000.00"), "310501613936000001230001-20240401000123", "租金 4月租金", "某某餐饮有限公司")
    assert (b.date, b.amount, b.balance) == (dt.date(2024, 4, 3), D("-1200.00"), D("248800.00"))  # 记账日期, not 交易时间
    assert (st.opening_balance, st.closing_balance) == (D("200000.00"), D("248800.00"))


CMB_CORP = (
    "招商银行交易明细\n"
    "账号:,755912345610801\n"
    "账户名称:,深圳某某科技有限公司\n"
    "币种:,人民币\n"
    "起始日期:,20240501,终止日期:,20240531\n"
    "\n"
    "打印时间:,2024-06-01\n"
    "\n"
    "交易日,交易时间,起息日,交易类型,借方金额,贷方金额,余额,摘要,流水号,流程实例号,业务名称,用途,业务参考号,业务摘要,其它摘要,收(付)方分行名,收(付)方名称,收(付)方帐号\n"
    '20240506,10:11:12,20240506,汇入汇款,,"8,800.00","58,800.00",货款,G1234500001,,,,,货款,,深圳,客户甲有限公司,6225880012345678\n'
    '20240510,15:00:01,20240511,网银支付,"3,000.00",,"55,800.00",网银支付,G1234500002,,,,,房租,,深圳,业主乙,6225880087654321\n'
)


def test_cmb_corporate_header_on_row_9(tmp_path):
    (st,) = parse_statement(write(tmp_path, "cmb.csv", CMB_CORP, "utf-8"))
    assert (st.format, st.profile, st.account, st.currency) == ("cmb", "cmb_corp", "755912345610801", "CNY")
    a, b = st.lines
    assert (a.source_line, a.date, a.amount, a.ref, a.counterparty, a.memo) == (
        10, dt.date(2024, 5, 6), D("8800.00"), "G1234500001", "客户甲有限公司", "货款")
    assert (b.amount, b.value_date, b.memo, b.counterparty) == (D("-3000.00"), dt.date(2024, 5, 11), "网银支付 房租", "业主乙")
    assert (st.opening_balance, st.closing_balance) == (D("50000.00"), D("55800.00"))


BOC_HEADER = (
    "交易类型[ Transaction Type ],业务类型[ Business type ],付款人开户行号[ Account holding bank number of payer ],"
    "付款人开户行名[ Payer account bank ],付款人账号[ Debit Account No. ],付款人名称[ Payer's Name ],"
    "收款人开户行行号[ Account holding bank number of beneficiary ],收款人开户行名[ Beneficiary account bank ],"
    "收款人账号[ Payee's Account Number ],收款人名称[ Payee's Name ],交易日期[ Transaction Date ],"
    "交易时间[ Transaction time ],交易货币[ Trade Currency ],交易金额[ Trade Amount ],"
    "交易后余额[ After-transaction balance ],起息日期[ Value Date ],汇率[ Exchange rate ],"
    "交易流水号[ Transaction reference number ],摘要[ Reference ],用途[ Purpose ],交易附言[ Remark ],备注[ Remarks ]"
)
BOC_CORP = (
    "中国银行交易明细[ Transaction Details ]\n"
    "查询账号[ Inquirer account number ],456789012345\n"
    "账户名称[ Account name ],上海某某有限公司\n"
    "查询时间范围[ Time Range ],20240601-20240630\n"
    '借方发生总额[ Total Debit Amount ],"2,000.00"\n'
    '贷方发生总额[ Total Credit Amount ],"10,000.00"\n'
    + BOC_HEADER + "\n"
    '来账,转账,104100000004,中国银行北京分行,11001234567,北京客户丙有限公司,104290003791,中国银行上海分行,456789012345,上海某某有限公司,20240603,10:30:00,CNY,"10,000.00","60,000.00",20240603,,ZB2024060300001,货款,6月货款,,\n'
    '往账,转账,104290003791,中国银行上海分行,456789012345,上海某某有限公司,102290000011,工商银行上海分行,1001234509876,上海供应商丁有限公司,20240605,16:45:10,CNY,"2,000.00","58,000.00",20240606,,ZB2024060500002,采购,办公用品,,\n'
)


def test_boc_corporate_incoming_outgoing(tmp_path):
    (st,) = parse_statement(write(tmp_path, "boc.csv", BOC_CORP, "utf-8-sig"))
    assert (st.format, st.profile, st.account, st.currency) == ("boc", "boc_corp", "456789012345", "CNY")
    a, b = st.lines
    assert (a.source_line, a.date, a.amount, a.ref, a.counterparty, a.memo) == (
        8, dt.date(2024, 6, 3), D("10000.00"), "ZB2024060300001", "北京客户丙有限公司", "货款 6月货款")  # 来账: payer
    assert (b.amount, b.counterparty, b.value_date) == (D("-2000.00"), "上海供应商丁有限公司", dt.date(2024, 6, 6))  # 往账: payee
    assert (st.opening_balance, st.closing_balance) == (D("50000.00"), D("58000.00"))


ABC_CORP = (
    "中国农业银行账户明细\n"
    "账号:,12345678901234567\n"
    "交易日期,交易时间,收入金额,支出金额,账户余额,对方账号,对方户名,交易用途,摘要\n"
    '20240701,093000,"5,000.00",,"15,000.00",62284800001,客户戊,服务费,转账\n'
    "20240702,101500,,800.00,\"14,200.00\",62284800002,供应商己,材料款,转账\n"
    '20240703,110000,,"1,000.00","13,300.00",62284800003,供应商庚,运费,转账\n'
    '本页合计,,"5,000.00","1,800.00",,,,,\n'
    '总计,,"5,000.00","1,800.00",,,,,\n'
)


def test_abc_corporate_totals_skipped_and_balance_break_warned(tmp_path):
    (st,) = parse_statement(write(tmp_path, "abc.csv", ABC_CORP, "gbk"))
    assert (st.format, st.profile, st.account) == ("abc", "abc_corp", "12345678901234567")
    assert [ln.amount for ln in st.lines] == [D("5000.00"), D("-800.00"), D("-1000.00")]
    assert [ln.counterparty for ln in st.lines] == ["客户戊", "供应商己", "供应商庚"]
    assert st.lines[0].memo == "转账 服务费"  # 摘要 then 交易用途
    # 14,200.00 - 1,000.00 is 13,200.00, the file says 13,300.00
    assert st.warnings == (
        "line 6: running balance 13,300.00 does not follow from previous 14,200.00 + -1,000.00 (expected 13,200.00)",
    )
    assert st.opening_balance is None and st.closing_balance is None  # not derived from a broken chain


def test_profile_forced_by_bank_or_variant(tmp_path):
    data = write(tmp_path, "abc.csv", ABC_CORP, "gbk")
    assert parse_statement(data, profile="abc")[0].profile == "abc_corp"
    assert parse_statement(data, profile="abc_corp")[0].lines == parse_statement(data)[0].lines


def test_currencies_split_into_statements(tmp_path):
    text = (
        "交易日期,摘要,记账金额(收入),记账金额(支出),记账币种,余额,对方户名,对方账户\n"
        "2024-01-02,结汇,100.00,,美元,,张三,1\n"
        "2024-01-03,工资,\"5,000.00\",,人民币,,公司,2\n"
        "2024-01-04,消费,,12.00,美元,,商户,3\n"
    )
    usd, cny = parse_statement(write(tmp_path, "icbc.csv", text, "utf-8"))
    assert (usd.currency, [ln.amount for ln in usd.lines]) == ("USD", [D("100.00"), D("-12.00")])
    assert (cny.currency, [ln.amount for ln in cny.lines]) == ("CNY", [D("5000.00")])


def test_repeated_header_and_notes_are_not_lines(tmp_path):
    text = (
        "交易日期,交易金额,本次余额,交易摘要,对手信息,日志号\n"
        "20240101,+1.00,1.00,存入,张三,1\n"
        "交易日期,交易金额,本次余额,交易摘要,对手信息,日志号\n"
        "20240102,-0.50,0.50,取出,李四,2\n"
        "以上数据仅供参考\n"
    )
    (st,) = parse_statement(write(tmp_path, "abc.csv", text, "utf-8"))
    assert [ln.source_line for ln in st.lines] == [2, 4] and st.warnings == ()
