"""The company's rules as a typed model of policies.toml.

Every figure of DOMAIN.md lives here as a setting with the source company's value as
its default (`DEFAULT_POLICIES` is the text `cashbook init` writes). This module only
describes and validates the settings; the rules that use them live in `rules.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .entries import Amount, AmountOrZero, Key

Severity = Literal["block", "warn"]

# the keys of accounts, categories, deposit types, roles and statement formats: names, never
# paths (an account key is a folder under journals/bank/); ASCII letters, digits and "-"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
NAMED_SECTIONS = ("accounts", "roles", "categories", "deposit_types", "bank_formats")


def is_name(key: object) -> bool:
    return isinstance(key, str) and NAME.fullmatch(key) is not None


def name_error(key: object) -> str:
    return (f"{key!r} is not a name; a key is 1 to 64 ASCII letters, digits and '-', "
            "starting with a letter or digit (e.g. petty-cash, icbc-2)")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


class Book(_Model):
    name: str = "cashbook"
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"
    utc_offset: Annotated[str, Field(pattern=r"^([+-](0\d|1[0-4]):[0-5]\d)?$")] = ""
    """Offset written on new entries (e.g. "+08:00"); empty = the machine's local time."""
    lang: Literal["en", "zh"] = "en"
    """The book's language for output when neither --lang nor $CASHBOOK_LANG says (not a rule)."""


class Account(_Model):
    type: Literal["cash", "bank"]
    name: str
    bank: str = ""
    number: str = ""
    export_name: str = ""
    """Name used by `cashbook export` (e.g. "Assets:Bank:ICBC"); derived when empty."""
    statement: bool = True
    """A bank account whose bank sends statements (the default): a month closes only when
    its statement is imported and reconciled. ``false`` for one that has none."""
    overdraft: AmountOrZero = Decimal("0.00")
    """How far a bank account may go below zero (an agreed overdraft); cash never may."""
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"
    """The account's currency: a bank statement in another currency is refused at import."""

    def floor(self) -> Decimal:
        """The lowest balance the account may have: 0 for cash, −overdraft for a bank."""
        return Decimal("0.00") if self.type == "cash" else -self.overdraft


class Category(_Model):
    type: Literal["income", "expense", "liability"]
    name: str
    export_name: str = ""


class DepositType(_Model):
    name: str
    amount: AmountOrZero | None = None
    """Fixed amount per unit (50 per construction-permit card); None = as agreed."""
    refund_approvers: tuple[Key, ...] = ()
    """Roles that must sign a refund (the type's sign-off chain)."""
    refund_wait_days: int = Field(0, ge=0, le=36500)
    """Days after the merchant leaves before a refund is allowed (quality: 365)."""


PersonName = Annotated[str, Field(min_length=1, max_length=200)]


class Holders(_Model):
    """Who holds an approval role (审批人), and who may stand in for them (可先付款后补签)."""

    names: tuple[PersonName, ...] = ()
    deputies: tuple[PersonName, ...] = ()
    """Designated people who may approve when the holder is away; the entry then awaits the
    holder's own signature (`cashbook sign`)."""


class Rule(_Model):
    """Common settings of a rule: severity and who may override a block."""

    severity: Severity = "block"
    override: tuple[Key, ...] = ()
    """Roles whose explicit approval lets a blocked entry through (recorded, reported)."""


class LimitRule(Rule):
    limit: Amount


class CashOverLimit(LimitRule):
    severity: Severity = "warn"
    limit: Amount = Decimal("2000.00")


class CashPaymentLimit(LimitRule):
    limit: Amount = Decimal("1000.00")
    override: tuple[Key, ...] = ("gm",)


class NoCashCategory(Rule):
    categories: tuple[Key, ...] = ("fixed-assets", "office-supplies", "labour-protection", "welfare")


class NeedsInvoice(Rule):
    threshold: Amount = Decimal("100.00")


class SittingPayment(Rule):
    override: tuple[Key, ...] = ("gm",)


class Band(_Model):
    """An approval band: entries of `kind` (and `category`, amount in [from, below)) need `roles`."""

    kind: str
    category: Key | None = None
    from_: AmountOrZero | None = Field(None, alias="from")
    below: Amount | None = None
    roles: tuple[Key, ...]

    def matches(self, kind: str, category: str | None, amount: Decimal) -> bool:
        if self.kind != kind:
            return False
        if self.category is not None and self.category != category:
            return False
        if self.from_ is not None and amount < self.from_:
            return False
        if self.below is not None and amount >= self.below:
            return False
        return True


class NeedsApproval(Rule):
    bands: tuple[Band, ...] = ()
    split_days: int = Field(7, ge=0, le=366)
    """Payments of one kind to one party within this many days count together for a band's
    amount (a payment split to stay under a band); 0 = each alone."""

    @cached_property
    def _by_kind(self) -> dict[str, tuple[Band, ...]]:
        out: dict[str, list[Band]] = {}
        for band in self.bands:
            out.setdefault(band.kind, []).append(band)
        return {kind: tuple(bands) for kind, bands in out.items()}

    def bands_for(self, kind: str) -> tuple[Band, ...]:
        """The bands of one kind of entry, in policy order (checked once per entry: kept)."""
        return self._by_kind.get(kind, ())


class AdvanceOverdue(Rule):
    days: int = Field(7, ge=0, le=36500)


class UnsettledAdvance(Rule):
    override: tuple[Key, ...] = ("gm",)


class CompensationUnsettled(Rule):
    days: int = Field(30, ge=0, le=36500)
    """A compensation paid in advance is recovered within this many days (一个月内处理完毕)."""
    categories: tuple[Key, ...] = ("compensation",)


class ReceiptNumberFar(Rule):
    severity: Severity = "warn"
    max_jump: int = Field(100, ge=1, le=10**9)
    """How far beyond the numbers used so far a receipt number may be before it is flagged."""


class ChequePayee(Rule):
    require_invoice_party: bool = True
    """A cheque paying an invoice names the invoice's party (--invoice-party), compared with the payee."""
    contract: bool = False
    """A cheque also names the contract's party (--contract-party), compared with the payee."""


class Sync(_Model):
    """A branch book synced over git (`cashbook sync`)."""

    author: str = ""
    """"Name <email>" written as the author of the book's commits; empty = git's own user.name/email."""
    require_signed: bool = False
    """`cashbook check` reports a sealed day whose commit is unsigned or badly signed."""


class Rules(_Model):
    cash_over_limit: CashOverLimit = Field(default_factory=CashOverLimit, alias="cash-over-limit")
    cash_payment_limit: CashPaymentLimit = Field(default_factory=CashPaymentLimit, alias="cash-payment-limit")
    no_cash_category: NoCashCategory = Field(default_factory=NoCashCategory, alias="no-cash-category")
    needs_invoice: NeedsInvoice = Field(default_factory=NeedsInvoice, alias="needs-invoice")
    sitting_payment: SittingPayment = Field(default_factory=SittingPayment, alias="sitting-payment")
    needs_approval: NeedsApproval = Field(default_factory=NeedsApproval, alias="needs-approval")
    cheque_number_used: Rule = Field(default_factory=Rule, alias="cheque-number-used")
    cheque_overdraft: Rule = Field(default_factory=Rule, alias="cheque-overdraft")
    cheque_payee_mismatch: ChequePayee = Field(default_factory=ChequePayee, alias="cheque-payee-mismatch")
    cheque_not_issued: Rule = Field(default_factory=Rule, alias="cheque-not-issued")
    cheque_book_overlap: Rule = Field(default_factory=Rule, alias="cheque-book-overlap")
    cheque_over_limit: Rule = Field(default_factory=Rule, alias="cheque-over-limit")
    words_mismatch: Rule = Field(default_factory=Rule, alias="words-mismatch")
    advance_overdue: AdvanceOverdue = Field(default_factory=AdvanceOverdue, alias="advance-overdue")
    approver_twice: Rule = Field(default_factory=Rule, alias="approver-twice")
    unsettled_advance: UnsettledAdvance = Field(default_factory=UnsettledAdvance, alias="unsettled-advance")
    advance_no_department: Rule = Field(default_factory=lambda: Rule(severity="warn"), alias="advance-no-department")
    compensation_unsettled: CompensationUnsettled = Field(default_factory=CompensationUnsettled, alias="compensation-unsettled")
    deposit_refund_invalid: Rule = Field(default_factory=Rule, alias="deposit-refund-invalid")
    receipt_number_used: Rule = Field(default_factory=Rule, alias="receipt-number-used")
    receipt_number_far: ReceiptNumberFar = Field(default_factory=ReceiptNumberFar, alias="receipt-number-far")
    receipt_not_issued: Rule = Field(default_factory=Rule, alias="receipt-not-issued")
    receipt_book_overlap: Rule = Field(default_factory=Rule, alias="receipt-book-overlap")
    receipt_number_gap: Rule = Field(default_factory=lambda: Rule(severity="warn"), alias="receipt-number-gap")
    undeposited_takings: Rule = Field(default_factory=lambda: Rule(severity="warn"), alias="undeposited-takings")
    count_difference: Rule = Field(default_factory=Rule, alias="count-difference")
    adjustment_mismatch: Rule = Field(default_factory=Rule, alias="adjustment-mismatch")

    def by_code(self, code: str) -> Rule | None:
        return getattr(self, code.replace("-", "_"), None)


class Policy(_Model):
    """policies.toml, validated."""

    effective: dt.date | None = None
    """The first day these rules judge (a top-level key, ``effective = "2026-12-01"``); each
    day is judged by the version of the policies in force that day (store/policyversions.py)."""
    book: Book = Field(default_factory=Book)
    accounts: dict[Key, Account]
    roles: dict[Key, str]
    categories: dict[Key, Category]
    deposit_types: dict[Key, DepositType] = {}
    people: dict[Key, Holders] = {}
    """Role -> the people who hold it and their deputies; a role not listed accepts any name."""
    staff: dict[Annotated[str, Field(min_length=1, max_length=200)], Annotated[str, Field(min_length=1, max_length=200)]] = {}
    """Member of staff -> department (所在部门), for advances and payments that name no --department."""
    denominations: tuple[AmountOrZero, ...] = tuple(
        Decimal(d) for d in ("100.00", "50.00", "20.00", "10.00", "5.00", "1.00", "0.50", "0.10")
    )
    rules: Rules = Field(default_factory=Rules)
    sync: Sync = Field(default_factory=Sync)
    bank_formats: dict[Key, dict[str, str | list[str]]] = {}
    """Generic CSV statement mappings by name: column names for date, amount (or debit and
    credit, or amount and direction), ref, memo, counterparty, balance; date_format, encoding."""

    @field_validator("effective", mode="before")
    @classmethod
    def _a_day(cls, value):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            day = value
        elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"{value!r} is not a real date; write the first day these rules apply as \"YYYY-MM-DD\"") from None
        else:
            raise ValueError(f"{value!r}: write the first day these rules apply as \"YYYY-MM-DD\", e.g. \"2026-12-01\"")
        if not 1900 <= day.year <= 2999:
            raise ValueError(f"{day} is outside the years 1900 to 2999 a book can hold")
        return day

    @field_validator(*NAMED_SECTIONS, mode="before")
    @classmethod
    def _names(cls, value, info):
        if isinstance(value, dict):
            for key in value:
                if not is_name(key):
                    raise ValueError(f"key {name_error(key)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "Policy":
        if not any(a.type == "cash" for a in self.accounts.values()):
            raise ValueError("accounts: at least one account must have type = \"cash\"")
        known = set(self.roles)
        for code in type(self.rules).model_fields:
            rule = getattr(self.rules, code)
            for role in rule.override:
                if role not in known:
                    raise ValueError(f"rules.{rule_key(code)}.override: unknown role {role!r}; known roles: {', '.join(sorted(known))}")
        from .entries import KINDS

        signed = sorted(k for k, model in KINDS.items() if "approvals" in model.model_fields and k != "sign")
        for i, band in enumerate(self.rules.needs_approval.bands):
            if band.kind not in signed:
                raise ValueError(f"rules.needs-approval.bands[{i}].kind: {band.kind!r} is not a kind of entry that carries "
                                 f"approvals (--approved-by); kinds that do: {', '.join(signed)}")
            for role in band.roles:
                if role not in known:
                    raise ValueError(f"rules.needs-approval.bands[{i}].roles: unknown role {role!r}; known roles: {', '.join(sorted(known))}")
            if band.category is not None and band.category not in self.categories:
                raise ValueError(f"rules.needs-approval.bands[{i}].category: unknown category {band.category!r}")
            if band.from_ is not None and band.below is not None and band.from_ >= band.below:
                raise ValueError(f"rules.needs-approval.bands[{i}].below: from {band.from_} is not below {band.below}")
        bands = self.rules.needs_approval.bands
        for i, a in enumerate(bands):
            for j in range(i):
                b = bands[j]
                if a.kind == b.kind and a.category == b.category and _overlap(a, b):
                    raise ValueError(f"rules.needs-approval.bands[{i}]: overlaps band {j + 1} (same kind {a.kind!r} and category, "
                                     "amount ranges meet); give them from/below ranges that do not overlap")
        for role, holders in self.people.items():
            if role not in known:
                raise ValueError(f"people.{role}: unknown role {role!r}; known roles: {', '.join(sorted(known))}")
            both = set(holders.names) & set(holders.deputies)
            if both:
                raise ValueError(f"people.{role}: {', '.join(sorted(both))} is both a holder and a deputy")
        for key, dtype in self.deposit_types.items():
            for role in dtype.refund_approvers:
                if role not in known:
                    raise ValueError(f"deposit_types.{key}.refund_approvers: unknown role {role!r}")
        if not self.denominations:
            raise ValueError("denominations: the list is empty; a cash count needs the notes and coins in use, e.g. [\"100.00\", \"50.00\"]")
        for value in self.denominations:
            if value <= 0:
                raise ValueError(f"denominations: {value} is not a note or coin; each is above 0.00")
        seen = set()
        for value in self.denominations:
            if value in seen:
                raise ValueError(f"denominations: {value} is listed twice; give each note or coin once")
            seen.add(value)
        for code in ("no_cash_category", "compensation_unsettled"):
            for cat in getattr(self.rules, code).categories:
                if cat not in self.categories:
                    raise ValueError(f"rules.{rule_key(code)}.categories: unknown category {cat!r}")
        return self

    # -- look-ups used everywhere ---------------------------------------------------
    @cached_property
    def _keys_by_type(self) -> dict[str, tuple[str, ...]]:
        return {t: tuple(k for k, a in self.accounts.items() if a.type == t) for t in ("cash", "bank")}

    def cash_accounts(self) -> tuple[str, ...]:
        """The cash accounts' keys, in policy order (asked for by every rule check: kept)."""
        return self._keys_by_type["cash"]

    def bank_accounts(self) -> tuple[str, ...]:
        return self._keys_by_type["bank"]

    def tz(self) -> dt.tzinfo | None:
        if not self.book.utc_offset:
            return None
        sign = 1 if self.book.utc_offset[0] == "+" else -1
        hours, minutes = self.book.utc_offset[1:].split(":")
        return dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))


def _overlap(a: Band, b: Band) -> bool:
    lo = max(a.from_ or Decimal(0), b.from_ or Decimal(0))
    hi = min(a.below if a.below is not None else Decimal("Infinity"), b.below if b.below is not None else Decimal("Infinity"))
    return lo < hi


def rule_key(field_name: str) -> str:
    return field_name.replace("_", "-")
