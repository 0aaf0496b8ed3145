"""The company's rules as a typed model of policies.toml.

Every figure of DOMAIN.md lives here as a setting with the source company's value as
its default (`DEFAULT_POLICIES` is the text `cashbook init` writes). This module only
describes and validates the settings; the rules that use them live in `rules.py`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .entries import Amount, AmountOrZero, Key

Severity = Literal["block", "warn"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


class Book(_Model):
    name: str = "cashbook"
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"
    utc_offset: Annotated[str, Field(pattern=r"^([+-](0\d|1[0-4]):[0-5]\d)?$")] = ""
    """Offset written on new entries (e.g. "+08:00"); empty = the machine's local time."""


class Account(_Model):
    type: Literal["cash", "bank"]
    name: str
    bank: str = ""
    number: str = ""
    export_name: str = ""
    """Name used by `cashbook export` (e.g. "Assets:Bank:ICBC"); derived when empty."""
    overdraft: AmountOrZero = Decimal("0.00")
    """How far a bank account may go below zero (an agreed overdraft); cash never may."""

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
    cheque_payee_mismatch: Rule = Field(default_factory=Rule, alias="cheque-payee-mismatch")
    words_mismatch: Rule = Field(default_factory=Rule, alias="words-mismatch")
    advance_overdue: AdvanceOverdue = Field(default_factory=AdvanceOverdue, alias="advance-overdue")
    deposit_refund_invalid: Rule = Field(default_factory=Rule, alias="deposit-refund-invalid")
    receipt_number_used: Rule = Field(default_factory=Rule, alias="receipt-number-used")
    receipt_number_gap: Rule = Field(default_factory=lambda: Rule(severity="warn"), alias="receipt-number-gap")
    undeposited_takings: Rule = Field(default_factory=lambda: Rule(severity="warn"), alias="undeposited-takings")
    count_difference: Rule = Field(default_factory=Rule, alias="count-difference")

    def by_code(self, code: str) -> Rule | None:
        return getattr(self, code.replace("-", "_"), None)


class Policy(_Model):
    """policies.toml, validated."""

    book: Book = Field(default_factory=Book)
    accounts: dict[Key, Account]
    roles: dict[Key, str]
    categories: dict[Key, Category]
    deposit_types: dict[Key, DepositType] = {}
    denominations: tuple[AmountOrZero, ...] = tuple(
        Decimal(d) for d in ("100.00", "50.00", "20.00", "10.00", "5.00", "1.00", "0.50", "0.10")
    )
    rules: Rules = Field(default_factory=Rules)
    sync: Sync = Field(default_factory=Sync)
    bank_formats: dict[Key, dict[str, str | list[str]]] = {}
    """Generic CSV statement mappings by name: column names for date, amount (or debit and
    credit, or amount and direction), ref, memo, counterparty, balance; date_format, encoding."""

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
        for i, band in enumerate(self.rules.needs_approval.bands):
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
        for key, dtype in self.deposit_types.items():
            for role in dtype.refund_approvers:
                if role not in known:
                    raise ValueError(f"deposit_types.{key}.refund_approvers: unknown role {role!r}")
        for code in ("no_cash_category",):
            for cat in getattr(self.rules, code).categories:
                if cat not in self.categories:
                    raise ValueError(f"rules.no-cash-category.categories: unknown category {cat!r}")
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
