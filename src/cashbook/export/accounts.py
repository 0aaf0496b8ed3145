"""Mapping cashbook posting accounts to ledger/hledger/beancount account names.

One mapping serves every export format, so a figure can be compared across tools:

- a cash account → ``Assets:Cash`` (the first cash account; others ``Assets:Cash:<Key>``);
- a bank account → ``Assets:Bank:<KEY>`` (the key upper-cased: ``icbc`` → ``Assets:Bank:ICBC``);
- ``category:KEY`` → ``Income:<Key>``, ``Expenses:<Key>`` or ``Liabilities:<Key>`` by the
  category's type (``management-fee`` → ``Income:Management-Fee``);
- ``deposits:TYPE`` → ``Liabilities:Deposits:<Type>``;
- ``advances:PERSON`` → ``Assets:Receivables:Advances:<Person>``;
- ``opening-balances`` → ``Equity:Opening-Balances``;
- ``cash-over-short`` → ``Expenses:Cash-Over-Short``.

An ``export_name`` in policies.toml wins: a full name (``Assets:Bank:ICBC-Main``) or a
single last component (``ICBC-Main``) that replaces the derived one.

Every name obeys beancount's rules (the strictest of the three tools): the root is one
of the five account types, each further component starts with A–Z or a digit and holds
only ASCII letters, digits and dashes. A person's name that is not already such a
component (张三, ``li si``) becomes ``U`` + the upper-case hex of its UTF-8 bytes
(张三 → ``UE5BCA0E4B889``): deterministic, reversible, never dropped; the original is
kept as the account's ``name`` metadata.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ..core.policy import Policy
from ..core.problems import CashbookError, Problem

ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")
COMPONENT = re.compile(r"^[A-Z0-9][A-Za-z0-9-]*$")
OPENING = "Equity:Opening-Balances"
OVER_SHORT = "Expenses:Cash-Over-Short"
_CATEGORY_ROOT = {"income": "Income", "expense": "Expenses", "liability": "Liabilities"}
_MAX_HEX = 64  # longer names get a hash instead of their whole hex


def titled(key: str) -> str:
    """A policy key as an account component: ``management-fee`` → ``Management-Fee``."""
    parts = [p for p in re.split(r"[-_.\s]+", key) if p]
    out = "-".join(p[:1].upper() + p[1:] for p in parts)
    return _safe(out, key)


def upper(key: str) -> str:
    """A bank key as an account component: ``icbc`` → ``ICBC``, ``boc_2`` → ``BOC-2``."""
    parts = [p for p in re.split(r"[-_.\s]+", key) if p]
    return _safe("-".join(p.upper() for p in parts), key)


def person(name: str) -> str:
    """A person's name as an account component, ASCII-safe and deterministic.

    A name that already is a valid component (``Zhang-San``, ``Li``) is kept; any other
    (张三, ``li si``) becomes ``U`` + hex of its UTF-8 bytes, or ``U`` + 32 hex digits of
    its SHA-256 when that would be longer than 64 characters.
    """
    if COMPONENT.match(name):
        return name
    return _hexed(name)


def _hexed(text: str) -> str:
    raw = text.encode("utf-8").hex().upper()
    if len(raw) > _MAX_HEX:
        raw = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32].upper()
    return "U" + raw


def _safe(component: str, original: str) -> str:
    return component if COMPONENT.match(component) else _hexed(original)


def valid_account(name: str) -> str | None:
    """Why ``name`` is not a valid account name for every tool, or None when it is."""
    parts = name.split(":")
    if parts[0] not in ROOTS:
        return f"it must start with one of {', '.join(ROOTS)}"
    if len(parts) < 2:
        return "it needs at least two components, e.g. Assets:Bank:ICBC"
    for part in parts[1:]:
        if not COMPONENT.match(part):
            return (f"component {part!r} must start with a capital letter A-Z or a digit and hold only "
                    "ASCII letters, digits and dashes")
    return None


@dataclass
class AccountMap:
    """Cashbook posting account → export account name, with what the tools should know."""

    policy: Policy
    names: dict[str, str] = field(default_factory=dict)  # cashbook account -> export name
    info: dict[str, dict[str, str]] = field(default_factory=dict)  # export name -> metadata for its open
    warnings: list[str] = field(default_factory=list)
    _owner: dict[str, str] = field(default_factory=dict)  # export name -> cashbook account (derived only)

    def __post_init__(self) -> None:
        self._check_policy()

    # -- policy-level names ------------------------------------------------------------
    def _explicit(self, where: str, value: str, parent: str) -> str:
        """An ``export_name``: a full account name, or a last component under ``parent``."""
        value = value.strip()
        full = value if ":" in value else f"{parent}:{value}"
        why = valid_account(full)
        if why:
            raise CashbookError(Problem(
                "bad-export-name",
                f"policies.toml {where}.export_name {value!r} is not a valid account name: {why} "
                f"(e.g. \"{parent}:Main\" or just \"Main\")",
                file="policies.toml",
            ))
        return full

    def _check_policy(self) -> None:
        """Resolve every policy account and category once, so bad names fail early."""
        for key in self.policy.accounts:
            self.account(key)
        for key in self.policy.categories:
            self.account(f"category:{key}")
        for key in self.policy.deposit_types:
            self.account(f"deposits:{key}")

    def primary_cash(self) -> str:
        return self._cash_primary() or "cash"

    def _cash_primary(self) -> str | None:
        cash = self.policy.cash_accounts()
        return "cash" if "cash" in cash else (cash[0] if cash else None)

    def _derive(self, account: str) -> tuple[str, dict[str, str], bool]:
        """(export name, metadata, explicit?) for a cashbook posting account."""
        policy = self.policy
        if account == "opening-balances":
            return OPENING, {}, False
        if account == "cash-over-short":
            return OVER_SHORT, {}, False
        prefix, sep, rest = account.partition(":")
        if sep and prefix == "category":
            cat = policy.categories.get(rest)
            if cat is None:
                self.warnings.append(f"category {rest!r} is not in policies.toml; exported as Equity:Unknown-Category:{titled(rest)}")
                return f"Equity:Unknown-Category:{titled(rest)}", {"key": rest}, False
            parent = _CATEGORY_ROOT[cat.type]
            meta = {"key": rest, "name": cat.name}
            if cat.export_name:
                return self._explicit(f"categories.{rest}", cat.export_name, parent), meta, True
            return f"{parent}:{titled(rest)}", meta, False
        if sep and prefix == "deposits":
            dtype = policy.deposit_types.get(rest)
            meta = {"key": rest, "name": dtype.name} if dtype else {"key": rest}
            return f"Liabilities:Deposits:{titled(rest)}", meta, False
        if sep and prefix == "advances":
            return f"Assets:Receivables:Advances:{person(rest)}", {"name": rest}, False
        acct = policy.accounts.get(account)
        if acct is None:
            self.warnings.append(f"account {account!r} is not in policies.toml; exported as Assets:Unknown:{upper(account)}")
            return f"Assets:Unknown:{upper(account)}", {"key": account}, False
        meta = {"key": account, "name": acct.name}
        if acct.bank:
            meta["bank"] = acct.bank
        if acct.number:
            meta["number"] = acct.number
        if acct.type == "cash":
            parent = "Assets:Cash"
            derived = parent if account == self._cash_primary() else f"{parent}:{titled(account)}"
        else:
            parent = "Assets:Bank"
            derived = f"{parent}:{upper(account)}"
        if acct.export_name:
            where = f"accounts.{account}"
            return self._explicit(where, acct.export_name, parent), meta, True
        return derived, meta, False

    def account(self, account: str) -> str:
        """The export name of a cashbook posting account (``cash``, ``category:rent`` ...)."""
        name = self.names.get(account)
        if name is not None:
            return name
        name, meta, explicit = self._derive(account)
        if not explicit:
            other = self._owner.get(name)
            if other is not None and other != account:
                if account.startswith("advances:"):
                    # two people whose names give one component: keep both apart by hash
                    name = f"Assets:Receivables:Advances:{_hexed(account.partition(':')[2])}"
                    name = name if name not in self._owner else name + "-" + hashlib.sha256(account.encode()).hexdigest()[:8].upper()
                else:
                    raise CashbookError(Problem(
                        "bad-export-name",
                        f"{other!r} and {account!r} would both export as {name}; set an export_name "
                        "for one of them in policies.toml",
                        file="policies.toml",
                    ))
            self._owner[name] = account
        self.names[account] = name
        if name not in self.info or not self.info[name]:
            self.info[name] = meta
        return name


def root(name: str) -> str:
    return name.split(":", 1)[0]
