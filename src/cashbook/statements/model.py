"""Neutral statement records shared by every format reader.

A reader turns a bank file's bytes into `Statement` objects holding `StatementLine`s.
Amounts are signed two-place Decimals from the account holder's side: positive is
money into the account (the bank's credit, 贷方, 收入), negative is money out (借方, 支出).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

_CENT = Decimal("0.01")


def _money(value: Decimal | None, what: str) -> Decimal | None:
    """Exactly two places, and never a negative zero (which would print as "-0.00")."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} must be a Decimal, got {type(value).__name__}")
    quantized = value.quantize(_CENT)
    if quantized != value:
        raise ValueError(f"{what} {value} has more than two decimals")
    return quantized.copy_abs() if quantized.is_zero() else quantized


class StatementError(Exception):
    """A statement file that cannot be read; says where (line) and what was expected."""

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is not None:
            return f"line {self.line}: {self.message}"
        return self.message

    def __reduce__(self):  # keep pickling (multiprocessing, pytest-xdist) working
        return (type(self), (self.message, self.line))


@dataclass(frozen=True)
class TransactionDetail:
    """One transaction inside a batch entry (camt.053 NtryDtls/TxDtls)."""

    amount: Decimal | None  # signed like the entry; None when the file gives no per-transaction amount
    ref: str = ""
    memo: str = ""
    counterparty: str = ""
    counterparty_account: str = ""

    def __post_init__(self):
        object.__setattr__(self, "amount", _money(self.amount, "amount"))


@dataclass(frozen=True)
class StatementLine:
    date: datetime.date  # booking date
    amount: Decimal  # signed, two places: + into the account, - out of it
    ref: str = ""  # the bank's own reference / transaction id / 流水号, "" if the file has none
    memo: str = ""  # summary / 摘要 / narrative, whitespace-normalised
    counterparty: str = ""  # 对方户名 etc., "" if none
    balance: Decimal | None = None  # running balance after the line, when the file gives a real one
    value_date: datetime.date | None = None
    source_line: int = 0  # 1-based line in the file (xls: row number; XML: the element's line)
    details: tuple[TransactionDetail, ...] = ()  # camt.053 batch entries: the single transactions
    cheque: str = ""  # cheque number (OFX CHECKNUM), "" if none

    def __post_init__(self):
        if self.amount is None:
            raise TypeError("amount must be a Decimal, got None")
        object.__setattr__(self, "amount", _money(self.amount, "amount"))
        object.__setattr__(self, "balance", _money(self.balance, "balance"))


@dataclass(frozen=True)
class SkippedLine:
    """A transaction row of the file that was read but is not a movement of the account."""

    source_line: int
    reason: str  # why it was left out: "neutral (/)", "status 交易关闭", "not booked (PDNG)"
    amount: str = ""  # as written in the file
    memo: str = ""
    warning: str = ""  # the warning text the reader gave for it (reported once, as a skip)


@dataclass(frozen=True)
class Statement:
    format: str  # icbc ccb cmb boc abc bocom alipay wechat ofx camt053 mt940 csv
    account: str  # account number / IBAN found in the file, "" if none
    currency: str  # ISO code, "CNY" when the file does not say
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    lines: tuple[StatementLine, ...]
    warnings: tuple[str, ...] = ()
    profile: str = ""  # Chinese table layout used (e.g. "icbc", "icbc_corp"), "" for other formats
    personal_payment: bool = False  # Alipay / WeChat Pay personal export, not a bank account statement
    statement_id: str = ""  # camt.053 Stmt/Id, MT940 :28C: (or :20:), "" if none
    skipped: tuple[SkippedLine, ...] = ()  # rows read and left out, each with its reason

    def __post_init__(self):
        object.__setattr__(self, "skipped", tuple(self.skipped))
        object.__setattr__(self, "opening_balance", _money(self.opening_balance, "opening_balance"))
        object.__setattr__(self, "closing_balance", _money(self.closing_balance, "closing_balance"))
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "warnings", tuple(self.warnings))

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


FORMATS = ("icbc", "ccb", "cmb", "boc", "abc", "bocom", "alipay", "wechat", "spdb", "citic", "ofx", "camt053", "mt940", "csv")
