"""Bank statement files -> neutral statement lines (pure parsing: no files written, no clock).

    from cashbook.statements import parse_statement
    for st in parse_statement(Path("x.csv").read_bytes(), filename="x.csv"):
        st.format, st.account, st.currency, st.opening_balance, st.closing_balance
        for line in st.lines: line.date, line.amount, line.ref, line.memo, line.counterparty

Formats: Chinese bank CSV/.xls exports by profile (icbc ccb cmb boc abc bocom, their
corporate *_corp layouts, alipay and wechat personal payment exports), generic CSV by
column mapping, OFX 1.x/2.x, camt.053, MT940.
"""

from .api import parse_statement
from .camt053 import parse_camt053
from .chinese_csv import PROFILE_IDS, PROFILES, Profile, parse_chinese_csv, parse_rows
from .detect import FORMAT_CHOICES, detect_format
from .generic_csv import parse_generic_csv
from .model import FORMATS, SkippedLine, Statement, StatementError, StatementLine, TransactionDetail
from .mt940 import parse_mt940
from .ofx import parse_ofx
from .xls import parse_xls

__all__ = [
    "FORMATS",
    "FORMAT_CHOICES",
    "PROFILES",
    "PROFILE_IDS",
    "SkippedLine",
    "Profile",
    "Statement",
    "StatementError",
    "StatementLine",
    "TransactionDetail",
    "detect_format",
    "parse_camt053",
    "parse_chinese_csv",
    "parse_generic_csv",
    "parse_mt940",
    "parse_ofx",
    "parse_rows",
    "parse_statement",
    "parse_xls",
]
