"""Which statements of a file belong to a book account, and whether they add up.

Pure checks on parsed statements, run before anything is stored:

- `account_matches`: the file's account (number, IBAN, masked card) against the number
  in policies.toml; masked numbers (``1234****9876``, ``0200 0049 09** **** 617``) match
  on their visible digits at both ends.
- `choose`: one account and one currency per import; a file holding several is refused
  with a list of what it holds unless ``--statement-account`` picks one.
- `gaps`: where a statement gives opening and closing balances, its lines must explain
  the difference, and each statement must open where the previous one of the account closed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .common import ZERO, fmt_money
from .model import Statement

_MASKS = "*＊•●xX"
_DROP = re.compile(r"[\s\-/.:_]+")


class ImportRefused(Exception):
    """The statements cannot go into the account as they are: a stable code and a message."""

    def __init__(self, code: str, message: str):
        self.code, self.message = code, message
        super().__init__(message)


def norm_account(text: str) -> str:
    """Upper case, separators gone, every mask character as ``*`` (x/X only in an all-digit number)."""
    s = _DROP.sub("", text or "").upper()
    digits_only = all(c.isdigit() or c in _MASKS for c in s)
    out = []
    for c in s:
        if c in "*＊•●" or (digits_only and c == "X"):
            out.append("*")
        elif c.isalnum():
            out.append(c)
    return "".join(out)


def has_visible(text: str) -> bool:
    return bool(norm_account(text).strip("*"))


def account_matches(file_account: str, number: str) -> bool | None:
    """True/False, or None when either side shows no digit to compare."""
    a, p = norm_account(file_account), norm_account(number)
    if not a.strip("*") or not p.strip("*"):
        return None
    if "*" not in a and "*" not in p:
        if a == p:
            return True
        short, long_ = sorted((a, p), key=len)
        if len(short) < 6:  # 4 or 5 digits are no account number, only its end (BOC 借记卡号 "3167")
            return len(short) >= 4 and long_.endswith(short)
        return short in long_  # an IBAN holds the domestic number; BLZ/number in MT940
    a_pre, a_suf = a.split("*")[0], a.split("*")[-1]
    p_pre, p_suf = p.split("*")[0], p.split("*")[-1]
    prefix_ok = a_pre.startswith(p_pre) or p_pre.startswith(a_pre)
    suffix_ok = a_suf.endswith(p_suf) or p_suf.endswith(a_suf)
    compared = min(len(a_pre), len(p_pre)) + min(len(a_suf), len(p_suf))
    return prefix_ok and suffix_ok and compared >= 4


def holdings(statements: list[Statement]) -> list[tuple[str, str, int]]:
    """(account, currency, lines) of each distinct account/currency in the file, in file order."""
    out: dict[tuple[str, str], int] = {}
    for st in statements:
        key = (st.account if has_visible(st.account) else "", st.currency)
        out[key] = out.get(key, 0) + len(st.lines)
    return [(a, c, n) for (a, c), n in out.items()]


def describe_holdings(held: list[tuple[str, str, int]]) -> str:
    return "; ".join(f"{a or '(no account number)'} {c}: {n} line(s)" for a, c, n in held)


def _same_account(a: str, b: str) -> bool:
    return norm_account(a) == norm_account(b)


@dataclass
class Choice:
    statements: list[Statement]
    account: str  # the file's account number for these statements, "" if it names none
    currency: str
    left_out: list[tuple[str, str, int]] = field(default_factory=list)  # what --statement-account left aside
    notes: list[str] = field(default_factory=list)  # what was checked, or could not be


def choose(statements: list[Statement], key: str, number: str, currency: str, pick: str | None) -> Choice:
    """The statements to import into book account ``key`` (policy ``number`` and ``currency``)."""
    held = holdings(statements)
    chosen = list(statements)
    if pick:
        want_acct, _, want_ccy = pick.strip().partition(":")
        want_acct, want_ccy = want_acct.strip(), want_ccy.strip().upper()
        if not want_ccy and re.fullmatch(r"[A-Za-z]{3}", want_acct) and any(c == want_acct.upper() for _, c, _ in held):
            want_acct, want_ccy = "", want_acct.upper()
        if want_acct:
            chosen = [st for st in chosen if has_visible(st.account) and account_matches(st.account, want_acct)]
        if want_ccy:
            chosen = [st for st in chosen if st.currency == want_ccy]
        if not chosen:
            raise ImportRefused(
                "statement-account-mismatch",
                f"--statement-account {pick!r} matches nothing the file holds: {describe_holdings(held)}; "
                "nothing was imported")
    mine = holdings(chosen)
    accounts = list(dict.fromkeys(a for a, _, _ in mine))
    distinct = []
    for a in accounts:
        if not any(_same_account(a, b) for b in distinct):
            distinct.append(a)
    currencies = list(dict.fromkeys(c for _, c, _ in mine))
    if len(distinct) > 1 or len(currencies) > 1:
        what = "accounts" if len(distinct) > 1 else "currencies"
        raise ImportRefused(
            f"statement-several-{what}",
            f"the file holds statements of several {what}: {describe_holdings(mine)}; choose one with "
            "--statement-account NUMBER (or CURRENCY, or NUMBER:CURRENCY) and import each into its own "
            "account; nothing was imported")
    file_account = distinct[0] if distinct else ""
    file_currency = currencies[0] if currencies else currency
    notes: list[str] = []
    if file_account:
        ok = account_matches(file_account, number) if number else None
        if ok is False:
            raise ImportRefused(
                "statement-account-mismatch",
                f"the file is a statement of account {file_account}, but account {key!r} in policies.toml has "
                f"number {number!r}; import it into the account it belongs to (or pick another with "
                "--statement-account); nothing was imported")
        if ok:
            notes.append(f"the file's account {file_account} matches {key}'s number {number}")
        elif not number:
            notes.append(f"account number not checked: policies.toml gives no number for {key} "
                         f"(the file's account is {file_account})")
        else:
            notes.append(f"account number not checked: {number!r} shows no digit to compare with {file_account}")
    else:
        notes.append(f"account number not checked: the file names no account (it is imported into {key} as told)")
    if file_currency != currency:
        raise ImportRefused(
            "statement-currency-mismatch",
            f"the file's statement is in {file_currency}, but account {key!r} keeps {currency} "
            f"(accounts.{key}.currency in policies.toml); nothing was imported")
    left = [h for h in held if h not in mine]
    return Choice(chosen, file_account, file_currency, left, notes)


@dataclass(frozen=True)
class Gap:
    where: str
    opening: Decimal
    lines: Decimal
    closing: Decimal

    @property
    def difference(self) -> Decimal:
        return self.closing - self.opening - self.lines

    def __str__(self) -> str:
        return (f"{self.where}: opening {fmt_money(self.opening)} + lines {fmt_money(self.lines)} = "
                f"{fmt_money(self.opening + self.lines)}, but the closing balance is {fmt_money(self.closing)} "
                f"(difference {fmt_money(self.difference)})")


def gaps(statements: list[Statement]) -> list[Gap]:
    """Statements whose lines do not explain their opening and closing balances, and breaks
    between one statement's closing and the next one's opening."""
    out: list[Gap] = []
    previous: Statement | None = None
    for i, st in enumerate(statements, start=1):
        name = f"statement {st.statement_id}" if st.statement_id else f"statement {i}"
        if st.opening_balance is not None and st.closing_balance is not None and st.total != (
                st.closing_balance - st.opening_balance):
            out.append(Gap(name, st.opening_balance, st.total, st.closing_balance))
        if (previous is not None and previous.closing_balance is not None and st.opening_balance is not None
                and previous.closing_balance != st.opening_balance):
            out.append(Gap(f"between {prev_name} and {name}", previous.closing_balance, ZERO, st.opening_balance))
        previous, prev_name = st, name
    return out
