"""Whatever the bytes, parse_statement returns statements or raises StatementError."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cashbook.statements import StatementError, parse_statement
from cashbook.statements.api import INTERNAL_ERROR

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "statements"
SAMPLE_FILES = sorted(
    p for p in SAMPLES.glob("*") if p.is_file() and p.suffix not in (".md", ".json")
) if SAMPLES.is_dir() else []
SAMPLE_BYTES = [p.read_bytes() for p in SAMPLE_FILES]
SEEDS = [
    (
        "[HISTORYDETAIL]\n凭证号\t本方账号\t对方账号\t交易时间\t借/贷\t借方发生额\t贷方发生额\t对方行号\t摘要\t用途\t对方单位名称\t余额\n"
        "0001\t12020207\t6222\t2024-03-01 09:15:22\t贷\t\t12,000.00\t1021\t货款\t3月货款\t上海某某\t112,000.00\n"
        "0002\t12020207\t4000\t2024-03-02 14:01:09\t借\t3,500.00\t\t1021\t电费\t2月电费\t国网\t108,500.00\n"
    ).encode("gbk"),
    b":20:S\n:25:NL91\n:28C:7/1\n:60F:C231229EUR100,00\n:61:2312290102C25,00NTRFREF1//B1\n/EXTRA\n"
    b":86:/TRTP/SEPA/NAME/J JANSEN/REMI/USTD//FACTUUR 12\n:61:231229RD10,00NMSC\n:86:166?00X?20A?32B\n"
    b":62F:C240102EUR135,00\n-\n",
]
FMTS = ("auto", "csv", "xls", "ofx", "camt053", "mt940")

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(data: bytes, fmt: str = "auto", filename: str = "") -> None:
    try:
        result = parse_statement(data, filename=filename, fmt=fmt)
    except StatementError as exc:
        assert INTERNAL_ERROR not in exc.message, exc.message
        assert str(exc)  # renders
        return
    assert isinstance(result, list) and result
    for statement in result:
        for line in statement.lines:
            assert line.amount == line.amount.quantize(line.amount.__class__("0.01"))


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(FMTS))
def test_random_bytes(data, fmt):
    check(data, fmt)


@FUZZ
@given(
    st.binary(max_size=200),
    st.sampled_from([b"OFXHEADER:100\n<OFX>", b"<?xml version='1.0'?>", b"{1:F01X}{4:\n:20:X\n", b":20:A\n:25:B\n",
                     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf\xe4\xba\xa4\xe6\x98\x93\xe6\x97\xa5\xe6\x9c\x9f,",
                     b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt><Stmt>"]),
)
def test_random_bytes_after_a_format_signature(tail, head):
    check(head + tail)


@st.composite
def mutated_sample(draw):
    data = bytearray(draw(st.sampled_from(SAMPLE_BYTES + SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "duplicate"]))
        pos = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 40))]
        elif kind == "insert":
            data[pos:pos] = draw(st.sampled_from([b"\n", b",", b"\t", b"<", b">", b":61:", b"?2", b"-", b"\"",
                                                  b"\x00", b"abc", b"9" * 30, b"</Ntry>", b"<STMTTRN>", b"\xff"]))
        elif kind == "truncate":
            del data[pos:]
        else:
            end = min(len(data), pos + draw(st.integers(1, 300)))
            data[pos:pos] = data[pos:end]
    return bytes(data)


@FUZZ
@given(mutated_sample(), st.sampled_from(FMTS))
def test_mutated_samples(data, fmt):
    check(data, fmt)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="0123456789-.,/ :¥+xX贷借收支入出\t", max_size=12), min_size=1, max_size=16),
                max_size=8))
def test_rows_under_real_headers(rows):
    headers = [
        "交易日期,摘要,交易详情,交易场所,交易国家或地区简称,钞/汇,交易金额(收入),交易金额(支出),交易币种,记账金额(收入),记账金额(支出),记账币种,余额,对方户名,对方账户",
        "序号,交易日期,交易时间,交易类型,借贷,交易金额,余额,对方账号,对方户名,交易地点,摘要",
        "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注",
    ]
    for header in headers:
        body = "\n".join(",".join(r) for r in rows)
        check((header + "\n" + body).encode("utf-8"))
        check((header + "\n" + body).encode("gb18030"))
