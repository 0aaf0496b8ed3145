"""The typed entry kinds of the book, one frozen pydantic model each.

An entry is what one line of the cashier's journal records. Every kind resolves to
postings (account, signed amount) that sum to zero, so the book is double-entry
compatible and exports exactly. Posting accounts are named:

- an account key from policies.toml (``cash``, ``icbc``) for cash and bank accounts;
- ``category:KEY`` for an income, expense or liability category;
- ``deposits:TYPE`` for merchant deposits held (押金), a liability;
- ``advances:PERSON`` for staff advances (借款), a receivable;
- ``opening-balances`` for the equity side of 期初余额;
- ``cash-over-short`` for counted overage/shortage (长款/短款) adjustments.

Debits are positive, credits negative. Amounts are stored as two-place strings.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, ClassVar, Literal, NamedTuple, Union

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from .money import ZERO, AmountError, fmt, parse_amount


_CANONICAL_AMOUNT = re.compile(r"[0-9]{1,12}\.[0-9]{2}", re.ASCII)  # as cashbook writes them: parse_amount's result, directly


def _amount(allow_zero: bool, signed: bool = False):
    def check(value):
        if type(value) is str and _CANONICAL_AMOUNT.fullmatch(value):
            amount = Decimal(value)
            if amount or allow_zero:
                return amount
        if isinstance(value, Decimal):  # made by the program: held to what the file reader will accept
            value = fmt(value) if value.is_finite() else str(value)
        if not isinstance(value, str):
            raise ValueError(f'amounts are stored as quoted text like "1250.00", not {type(value).__name__}')
        try:
            return parse_amount(value, allow_zero=allow_zero, signed=signed)
        except AmountError as e:
            raise ValueError(str(e)) from None

    return check


_ser = PlainSerializer(fmt, return_type=str)
Amount = Annotated[Decimal, BeforeValidator(_amount(False)), _ser]
"""A positive two-place amount."""
AmountOrZero = Annotated[Decimal, BeforeValidator(_amount(True)), _ser]
SignedAmount = Annotated[Decimal, BeforeValidator(_amount(True, signed=True)), _ser]

Method = Literal["cash", "cheque", "transfer", "pos"]
Key = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Text = Annotated[str, Field(max_length=500)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class Approval(BaseModel):
    """A sign-off: the policy role that approved (``gm``) and the person's name."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    role: Key
    name: Name

    def __str__(self) -> str:
        return f"{self.role}:{self.name}"


def _approvals(value):
    """Approvals are stored as ``"role:name"`` strings; accept those or dicts."""
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if isinstance(item, str):
                role, sep, name = item.partition(":")
                if not sep:
                    raise ValueError(f'approval {item!r} must be written ROLE:NAME, e.g. "gm:王总"')
                out.append({"role": role.strip(), "name": name.strip()})
            else:
                out.append(item)
        return out
    return value


Approvals = Annotated[
    tuple[Approval, ...],
    BeforeValidator(_approvals),
    PlainSerializer(lambda v: [str(a) for a in v], return_type=list),
]


class Posting(NamedTuple):
    """One leg of an entry: an account and a signed amount (debit +, credit −)."""

    account: str
    amount: Decimal


def _postings(value):
    """Stored as ``[["cash", "-100.00"], ["category:rent", "100.00"]]``."""
    if not isinstance(value, (list, tuple)):
        raise ValueError('postings are written [["account", "amount"], ...]')
    out = []
    for item in value:
        if isinstance(item, Posting):
            out.append(item)
        elif isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str):
            out.append(Posting(item[0], _amount(True, signed=True)(item[1])))
        else:
            raise ValueError(f'a posting is written ["account", "amount"], not {item!r}')
    return tuple(out)


StoredPostings = Annotated[
    tuple,
    BeforeValidator(_postings),
    PlainSerializer(lambda v: [[p.account, fmt(p.amount)] for p in v], return_type=list),
]


class EntryBase(BaseModel):
    """Fields every entry has."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True)
    id: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9\-]+$")]
    """Stable unique id, ``YYYYMMDD-NNN`` (the day and its sequence number)."""
    time: Annotated[AwareDatetime, PlainSerializer(lambda t: t.isoformat(), return_type=str)]
    """Local date-time with UTC offset when the entry happened."""
    memo: Text = ""
    """Free summary (摘要)."""
    overrides: Approvals = ()
    """Approvals given to override a ``block`` rule, recorded with the entry."""
    to_sign: tuple[Key, ...] = ()
    """Roles approved by a deputy whose holder signs later (可先付款后补签, `cashbook sign`)."""

    carries_receipt: ClassVar[bool] = False
    """Whether entries of this kind use a receipt number (``doc``) of the book's receipt
    series (收据号): one such number is used once, from an issued receipt book."""

    @property
    def date(self) -> dt.date:
        return self.time.date()

    def postings(self) -> list[Posting]:
        return []

    def field(self, name: str, default=None):
        """A field this kind may not have (cheaper than getattr on a pydantic model)."""
        return self.__dict__.get(name, default)

    def to_record(self) -> dict:
        """The entry as written to a journal file (amounts as strings, no defaults)."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        data["kind"] = self.kind  # type: ignore[attr-defined]
        order = ["id", "kind", "time"]
        return {k: data[k] for k in order} | {k: v for k, v in data.items() if k not in order}


def _pair(debit: str, credit: str, amount: Decimal) -> list[Posting]:
    return [Posting(debit, amount), Posting(credit, -amount)]


class Opening(EntryBase):
    """期初余额: an account's opening balance."""

    kind: Literal["opening"] = "opening"
    account: Key
    amount: AmountOrZero

    def postings(self) -> list[Posting]:
        return _pair(self.account, "opening-balances", self.amount)


class _Moves(EntryBase):
    """Base for kinds with one amount against one cash/bank account."""

    account: Key = "cash"
    """The cash or bank account key the money moves through."""
    amount: Amount
    method: Method = "cash"


class Receipt(_Moves):
    """收款: money received for an income (or liability) category."""

    kind: Literal["receipt"] = "receipt"
    carries_receipt: ClassVar[bool] = True
    party: Name
    """Who paid (交款单位/人)."""
    category: Key
    doc: Text = ""
    """Receipt number (收据号) issued for it."""

    def postings(self) -> list[Posting]:
        return _pair(self.account, f"category:{self.category}", self.amount)


class Collection(_Moves):
    """代收: money collected on behalf of another party; a liability, not income."""

    kind: Literal["collection"] = "collection"
    carries_receipt: ClassVar[bool] = True
    party: Name
    on_behalf_of: Name
    category: Key = "collection"
    doc: Text = ""

    def postings(self) -> list[Posting]:
        return _pair(self.account, f"category:{self.category}", self.amount)


class Payment(_Moves):
    """付款: money paid out for an expense (or to settle a liability)."""

    kind: Literal["payment"] = "payment"
    party: Name
    """Who was paid (收款单位/人)."""
    category: Key
    cheque: Text = ""
    """Cheque number when paid by cheque (支票号)."""
    invoice: Text = ""
    """Invoice or voucher number (发票号/凭证号)."""
    invoice_party: Text = ""
    """The party named on the invoice, when known (must equal the cheque payee)."""
    contract_party: Text = ""
    """The party named on the contract (must equal the cheque payee when the policy asks)."""
    words: Text = ""
    """The amount in Chinese capital numerals as written on the voucher (大写)."""
    department: Text = ""
    """The payee's department, when a member of staff or a department is paid (for the
    rule on earlier advances not yet accounted for)."""
    taken_by: Text = ""
    """Who took the cheque (领用人), for the cheque register."""
    cheque_limit: AmountOrZero | None = None
    """The limit written on the cheque (限额); the amount paid may not exceed it."""
    handler: Text = ""
    """Who handled a compensation paid in advance (先行赔付经办人): answerable until it is recovered."""
    on_behalf_of: Text = ""
    """The supplier a compensation was paid for, from whom it is recovered."""
    approvals: Approvals = ()

    def postings(self) -> list[Posting]:
        return _pair(f"category:{self.category}", self.account, self.amount)


class BankDeposit(_Moves):
    """送存: cash taken from the drawer and deposited into a bank account."""

    kind: Literal["bank-deposit"] = "bank-deposit"
    cash_account: Key = "cash"
    slip: Text = ""
    """Deposit slip number (送款单号)."""

    def postings(self) -> list[Posting]:
        return _pair(self.account, self.cash_account, self.amount)


class Withdrawal(_Moves):
    """提现: cash drawn from a bank account into the drawer."""

    kind: Literal["withdrawal"] = "withdrawal"
    cash_account: Key = "cash"
    cheque: Text = ""
    """Cash cheque number (现金支票号)."""
    approvals: Approvals = ()

    def postings(self) -> list[Posting]:
        return _pair(self.cash_account, self.account, self.amount)


class Transfer(EntryBase):
    """转账: money moved between two of the company's bank (or cash) accounts."""

    kind: Literal["transfer"] = "transfer"
    from_account: Key
    to_account: Key
    amount: Amount
    method: Method = "transfer"
    ref: Text = ""
    approvals: Approvals = ()

    def postings(self) -> list[Posting]:
        return _pair(self.to_account, self.from_account, self.amount)


class Advance(_Moves):
    """借款: money advanced to a member of staff, to be settled by a due date."""

    kind: Literal["advance"] = "advance"
    person: Name
    purpose: Text
    due: dt.date
    department: Text = ""
    """The person's department (所在部门): while the advance is open, neither gets a payment."""
    approvals: Approvals = ()

    def postings(self) -> list[Posting]:
        return _pair(f"advances:{self.person}", self.account, self.amount)


class Settlement(EntryBase):
    """报销/还款: an advance settled by cash returned and/or spending with invoices."""

    kind: Literal["settlement"] = "settlement"
    advance: str
    """Id of the advance being settled."""
    person: Name
    account: Key = "cash"
    returned: AmountOrZero = ZERO
    spent: AmountOrZero = ZERO
    category: Key | None = None
    invoice: Text = ""
    approvals: Approvals = ()

    @property
    def amount(self) -> Decimal:
        return self.returned + self.spent

    def postings(self) -> list[Posting]:
        out = []
        if self.returned:
            out.append(Posting(self.account, self.returned))
        if self.spent:
            out.append(Posting(f"category:{self.category}", self.spent))
        out.append(Posting(f"advances:{self.person}", -self.amount))
        return out


class Recovery(_Moves):
    """追偿: a compensation paid in advance (先行赔付) recovered from the supplier it was paid
    for, or from the handler (withheld from wages); it credits the compensation's category."""

    kind: Literal["recovery"] = "recovery"
    payment: str
    """Id of the compensation payment being recovered."""
    party: Name
    """Who paid it back (the supplier, or the handler)."""
    category: Key = "compensation"

    def postings(self) -> list[Posting]:
        return _pair(self.account, f"category:{self.category}", self.amount)


class ReceiptBook(EntryBase):
    """收据领用: a book of numbered receipts issued to a till, ``first``..``last`` (收据领取台帐)."""

    kind: Literal["receipt-book"] = "receipt-book"
    first: Name
    last: Name
    till: Name
    """The till (收银台) or desk that uses it."""
    to: Name
    """Who took the book."""


class ReceiptBookReturn(EntryBase):
    """收据交回: a receipt book handed back (销号交回); its unused numbers can never be used."""

    kind: Literal["receipt-book-return"] = "receipt-book-return"
    book: str
    """Id of the receipt-book entry."""
    by: Name


class ReceiptSpoiled(EntryBase):
    """收据作废: a spoiled receipt, kept with all its copies; its number is used, never reused."""

    kind: Literal["receipt-spoiled"] = "receipt-spoiled"
    carries_receipt: ClassVar[bool] = True
    doc: Name
    reason: Text


class HandOver(EntryBase):
    """收款交接: a till's takings handed to the cashier (time, amount, giver, receiver)."""

    kind: Literal["handover"] = "handover"
    till: Name
    amount: Amount
    giver: Name
    receiver: Name


class Sign(EntryBase):
    """补签: the holder of a role signs an entry a deputy approved in their absence."""

    kind: Literal["sign"] = "sign"
    target: str
    """Id of the entry signed."""
    approvals: Approvals


class ChequeBook(EntryBase):
    """支票领购: a cheque book of a bank account, numbers ``first``..``last``."""

    kind: Literal["cheque-book"] = "cheque-book"
    account: Key
    first: Name
    last: Name


class ChequeSpoiled(EntryBase):
    """支票作废: a spoiled cheque, kept (not destroyed); its number is never used again."""

    kind: Literal["cheque-spoiled"] = "cheque-spoiled"
    account: Key
    cheque: Name
    reason: Text


class DepositHold(_Moves):
    """押金收取: a deposit taken from a merchant and held as a liability."""

    kind: Literal["deposit-hold"] = "deposit-hold"
    carries_receipt: ClassVar[bool] = True
    party: Name
    type: Key
    doc: Text = ""
    """Receipt number given to the merchant (the refund needs its customer copy)."""
    units: Annotated[int, Field(ge=1, le=100000)] = 1
    """Cards or lines, for deposit types with a fixed amount per unit."""

    def postings(self) -> list[Posting]:
        return _pair(self.account, f"deposits:{self.type}", self.amount)


class DepositRefund(_Moves):
    """押金退还: a held deposit paid back to the merchant."""

    kind: Literal["deposit-refund"] = "deposit-refund"
    deposit: str
    """Id of the deposit-hold entry being refunded."""
    party: Name
    type: Key
    lost_receipt: Text = ""
    """Loss declaration when the customer's receipt copy is lost; it names the receipt number."""
    left_on: dt.date | None = None
    """The day the merchant left, for deposit types refundable only after a wait."""
    approvals: Approvals = ()

    def postings(self) -> list[Posting]:
        return _pair(f"deposits:{self.type}", self.account, self.amount)


class BankEntry(_Moves):
    """A bank-only item the accountant accepts into the books: a fee, interest, a direct debit."""

    kind: Literal["bank-entry"] = "bank-entry"
    direction: Literal["credit", "debit"]
    """credit: money the bank put in (interest); debit: money it took (fees)."""
    category: Key
    line: Text = ""
    """The statement line this books (its id in the imported statement)."""
    method: Method = "transfer"

    def postings(self) -> list[Posting]:
        if self.direction == "credit":
            return _pair(self.account, f"category:{self.category}", self.amount)
        return _pair(f"category:{self.category}", self.account, self.amount)


class CashCount(EntryBase):
    """盘点: the drawer counted by denomination (``"100x12"`` = twelve 100-yuan notes)."""

    kind: Literal["cash-count"] = "cash-count"
    account: Key = "cash"
    counts: tuple[str, ...]
    total: AmountOrZero


class Adjustment(_Moves):
    """长款/短款: a counted overage or shortage booked explicitly, with approval."""

    kind: Literal["adjustment"] = "adjustment"
    direction: Literal["overage", "shortage"]
    approvals: Approvals = ()

    def postings(self) -> list[Posting]:
        if self.direction == "overage":
            return _pair(self.account, "cash-over-short", self.amount)
        return _pair("cash-over-short", self.account, self.amount)


class DayClose(EntryBase):
    """日结: the day's close, sealing it; holds the seal chain digests."""

    kind: Literal["day-close"] = "day-close"
    book_balance: SignedAmount
    counted: AmountOrZero
    digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    """sha256 of the day file's bytes before this record."""
    previous: Annotated[str, Field(pattern=r"^([0-9a-f]{64})?$")] = ""
    """The previous day close's seal (empty for the first)."""
    seal: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    """sha256 over (date, digest, previous): the link of the chain."""


class Void(EntryBase):
    """冲销: a reversal of an earlier entry, which stays in the book untouched."""

    kind: Literal["void"] = "void"
    target: str
    """Id of the entry reversed."""
    reason: Text
    reverses: StoredPostings
    """The target's postings, negated (kept here so the entry is self-contained)."""
    approvals: Approvals = ()

    @property
    def amount(self) -> Decimal:
        return sum((p.amount for p in self.reverses if p.amount > 0), ZERO)

    @property
    def account(self) -> str:
        return next((p.account for p in self.reverses if ":" not in p.account and p.account != "opening-balances"), "cash")

    def postings(self) -> list[Posting]:
        return list(self.reverses)


Entry = Annotated[
    Union[
        Opening, Receipt, Collection, Payment, BankDeposit, Withdrawal, Transfer, Advance,
        Settlement, DepositHold, DepositRefund, BankEntry, CashCount, Adjustment, DayClose, Void,
        Recovery, ReceiptBook, ReceiptBookReturn, ReceiptSpoiled, HandOver, ChequeBook, ChequeSpoiled, Sign,
    ],
    Field(discriminator="kind"),
]

KINDS: dict[str, type[EntryBase]] = {
    m.model_fields["kind"].default: m
    for m in (Opening, Receipt, Collection, Payment, BankDeposit, Withdrawal, Transfer, Advance,
              Settlement, DepositHold, DepositRefund, BankEntry, CashCount, Adjustment, DayClose, Void,
              Recovery, ReceiptBook, ReceiptBookReturn, ReceiptSpoiled, HandOver, ChequeBook, ChequeSpoiled, Sign)
}

#: Kinds whose entries use a receipt number of the book's series (see `EntryBase.carries_receipt`).
RECEIPT_KINDS = frozenset(k for k, m in KINDS.items() if m.carries_receipt)

#: Kinds a void may reverse (counts, closes and voids themselves are not money movements).
VOIDABLE = frozenset(KINDS) - {"cash-count", "day-close", "void", "receipt-book", "receipt-book-return", "receipt-spoiled",
                                "cheque-book", "cheque-spoiled", "sign"}


def reversal(entry: EntryBase) -> tuple[Posting, ...]:
    """The postings that undo ``entry``."""
    return tuple(Posting(p.account, -p.amount) for p in entry.postings())
