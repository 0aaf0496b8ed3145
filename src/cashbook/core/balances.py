"""Each account's balance and movements over a stretch of the book: the one place where the
postings of a range of entries are summed by account (the month report's columns, the book
side of a bank reconciliation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from .entries import EntryBase
from .money import ZERO


@dataclass
class Movements:
    """What ``account_movements`` found: ``figures[account]`` holds ``opening``, ``receipts``,
    ``payments`` and ``closing``; ``between`` is the money moved between the accounts themselves;
    ``daily_cash`` the cash account's balance at the end of each day with entries."""

    figures: dict[str, dict[str, Decimal]]
    between: Decimal = ZERO
    daily_cash: dict[dt.date, Decimal] = field(default_factory=dict)


def account_movements(entries: Iterable[EntryBase], accounts: Iterable[str], opening: dict | None = None,
                      cash: str | None = None, last: dt.date | None = None) -> Movements:
    """Each of ``accounts``' 期初, receipts, payments and 期末 over ``entries`` (in book order, up
    to ``last`` when given) on top of the balances ``opening``, so that opening + receipts −
    payments = closing:

    - 期初 (``opening``) is the balance before the entries plus any opening balance (期初余额)
      set among them, or voided among them: an opening balance is never a receipt;
    - a void is a red-ink entry (红字冲销): it nets out of its target's column, a reversed
      receipt lessens receipts and a reversed payment lessens payments (a column may go
      below zero when the voided entry is in an earlier period), so the columns agree with
      the totals by category, where a void also nets out;
    - money moved between the accounts (送存, 提现, transfers) is a receipt of one and a
      payment of the other; its total is ``between``.

    With ``cash``, also the balance of that account at the end of each day with entries."""
    opening = opening or {}
    balances = {a: opening.get(a, ZERO) for a in accounts}
    opened = dict.fromkeys(balances, ZERO)
    received = dict.fromkeys(balances, ZERO)
    paid = dict.fromkeys(balances, ZERO)
    between = ZERO
    daily_cash: dict[dt.date, Decimal] = {}
    for e in entries:
        if last is not None and e.date > last:
            continue
        postings = e.postings()
        own = [p for p in postings if p.account in balances]
        if not own:
            if cash is not None:
                daily_cash[e.date] = balances[cash]
            continue
        void = e.kind == "void"
        is_opening = e.kind == "opening" or void and any(p.account == "opening-balances" for p in postings)
        for p in own:
            balances[p.account] += p.amount
            if is_opening:
                opened[p.account] += p.amount
            elif void:  # red ink: a reversed receipt (now negative) lessens receipts, a reversed payment payments
                if p.amount < 0:
                    received[p.account] += p.amount
                else:
                    paid[p.account] -= p.amount
            elif p.amount > 0:
                received[p.account] += p.amount
            else:
                paid[p.account] -= p.amount
        if len(own) > 1 and not is_opening:
            moved = min(sum((p.amount for p in own if p.amount > 0), ZERO), -sum((p.amount for p in own if p.amount < 0), ZERO))
            between += -moved if void else moved
        if cash is not None:
            daily_cash[e.date] = balances[cash]
    figures = {a: {"opening": opening.get(a, ZERO) + opened[a], "receipts": received[a], "payments": paid[a],
                   "closing": balances[a]} for a in balances}
    return Movements(figures, between, daily_cash)


def balance_at(entries: Iterable[EntryBase], account: str, last: dt.date) -> Decimal:
    """``account``'s balance at the end of ``last`` (every posting to it on or before that day)."""
    return account_movements(entries, [account], last=last).figures[account]["closing"]


def opening_balance(entries: Iterable[EntryBase], account: str, last: dt.date) -> Decimal:
    """The opening balances (期初余额) set for ``account`` on or before ``last``."""
    return sum((e.amount for e in entries if e.kind == "opening" and e.account == account and e.date <= last), ZERO)
