"""Matching a bank account's book items to its statement lines, and the bank
reconciliation statement (银行存款余额调节表).

Pure and deterministic: the same book, statement and decisions always give the same
matches, and every match records why it matched. Passes, in order:

1. the accountant's own decisions (`cashbook bank match` / `unmatch`);
2. reference: a cheque number, transfer reference, slip number or statement line id
   found on both sides, same direction and amount;
3. one-to-one: same direction, exact amount, dates within the method's window
   (longer for cheques), nearest date first;
4. many-to-one: several book items settled as one bank line (a POS batch, several
   days' takings banked together), bounded in count and days;
5. one-to-many: one book item split over several bank lines, bounded likewise.

Four kinds of items in transit remain (DOMAIN 3): bank credits not booked (银收企未收),
bank debits not booked (银付企未付), deposits in transit (企收银未收) and outstanding
payments (企付银未付). Adjusted book = book + 银收 − 银付; adjusted statement =
statement + 企收 − 企付; any remaining difference is an error to investigate.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from .money import ZERO


@dataclass(frozen=True)
class BookItem:
    """A movement on the bank account in our books (one posting of an entry)."""

    id: str
    date: dt.date
    amount: Decimal  # + into the bank account, − out of it
    kind: str
    method: str = "transfer"
    refs: tuple[str, ...] = ()  # cheque number, transfer ref, slip, statement line id
    memo: str = ""


@dataclass(frozen=True)
class BankLine:
    """A statement line as stored in the book."""

    uid: str
    date: dt.date
    amount: Decimal  # + credit (money in), − debit
    ref: str = ""
    cheque: str = ""
    memo: str = ""
    counterparty: str = ""


@dataclass(frozen=True)
class Decision:
    """The accountant's decision: match these book items with these lines, or keep a line unmatched."""

    action: str  # "match" | "unmatch"
    book: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    by: str = ""


@dataclass(frozen=True)
class Match:
    book: tuple[str, ...]
    lines: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Windows:
    """Days a bank line may lag (or lead) its book item, per method."""

    default: int = 5
    cheque: int = 45
    group_days: int = 7  # many-to-one / one-to-many span
    group_size: int = 6  # at most this many items in one group


@dataclass
class Matching:
    matches: list[Match] = field(default_factory=list)
    book_left: list[BookItem] = field(default_factory=list)
    lines_left: list[BankLine] = field(default_factory=list)


def match(items: list[BookItem], lines: list[BankLine], decisions: list[Decision], windows: Windows = Windows()) -> Matching:
    items = sorted(items, key=lambda i: (i.date, i.id))
    lines = sorted(lines, key=lambda l: (l.date, l.uid))
    free_items = {i.id: i for i in items}
    free_lines = {l.uid: l for l in lines}
    held: set[str] = set()  # lines the accountant keeps unmatched
    out = Matching()

    def take(book_ids, line_ids, why):
        for b in book_ids:
            free_items.pop(b, None)
        for u in line_ids:
            free_lines.pop(u, None)
        out.matches.append(Match(tuple(book_ids), tuple(line_ids), why))

    # 1. decisions, in the order they were made (a later unmatch undoes an earlier match)
    manual: dict[tuple, Decision] = {}
    for d in decisions:
        if d.action == "match":
            manual[(d.book, d.lines)] = d
            held.difference_update(d.lines)
        elif d.action == "unmatch":
            for key in [k for k in manual if set(k[1]) & set(d.lines)]:
                del manual[key]
            held.update(d.lines)
    for (book_ids, line_ids), d in manual.items():
        if all(b in free_items for b in book_ids) and all(u in free_lines for u in line_ids):
            take(book_ids, line_ids, f"manual{': ' + d.by if d.by else ''}")
    for u in held:
        free_lines.pop(u, None)

    def window(item: BookItem) -> int:
        return windows.cheque if item.method == "cheque" else windows.default

    # 2. references
    for line in list(free_lines.values()):
        keys = {k for k in (line.ref, line.cheque, line.uid) if k}
        for item in list(free_items.values()):
            if item.amount != line.amount or not keys.intersection(item.refs):
                continue
            shared = sorted(keys.intersection(item.refs))[0]
            if shared != line.uid and abs((line.date - item.date).days) > window(item) + 30:
                continue  # a reused reference far away in time is a coincidence; a line id never is
            take([item.id], [line.uid], f"reference {shared}")
            break

    # 3. one-to-one by amount and date
    for line in sorted(free_lines.values(), key=lambda l: (l.date, l.uid)):
        best = None
        for item in free_items.values():
            if item.amount != line.amount:
                continue
            lag = (line.date - item.date).days
            if -2 <= lag <= window(item):
                key = (abs(lag), item.date, item.id)
                if best is None or key < best[0]:
                    best = (key, item, lag)
        if best:
            _, item, lag = best
            take([item.id], [line.uid], f"amount and date ({lag} day(s) apart)" if lag else "amount and date")

    # 4. many book items -> one bank line
    for line in sorted(free_lines.values(), key=lambda l: (l.date, l.uid)):
        pool = [i for i in free_items.values()
                if (i.amount > 0) == (line.amount > 0) and 0 <= (line.date - i.date).days <= windows.group_days]
        combo = _subset(pool, line.amount, windows.group_size)
        if combo:
            take([i.id for i in combo], [line.uid], f"sum of {len(combo)} book items")

    # 5. one book item -> many bank lines
    for item in sorted(free_items.values(), key=lambda i: (i.date, i.id)):
        pool = [l for l in free_lines.values()
                if (l.amount > 0) == (item.amount > 0) and 0 <= (l.date - item.date).days <= windows.group_days]
        combo = _subset(pool, item.amount, windows.group_size, key=lambda l: (l.date, l.uid))
        if combo:
            take([item.id], [l.uid for l in combo], f"sum of {len(combo)} statement lines")

    out.book_left = sorted(free_items.values(), key=lambda i: (i.date, i.id))
    out.lines_left = sorted([l for l in lines if l.uid in free_lines or l.uid in held], key=lambda l: (l.date, l.uid))
    return out


def _subset(pool, target: Decimal, limit: int, key=lambda i: (i.date, i.id)):
    """The first (smallest, earliest) group of 2..limit items summing exactly to target; bounded search."""
    pool = sorted(pool, key=key)[:16]  # the search stays small: at most C(16, limit) tries
    for size in range(2, min(limit, len(pool)) + 1):
        for combo in itertools.combinations(pool, size):
            if sum((c.amount for c in combo), ZERO) == target:
                return list(combo)
    return None


@dataclass
class Reconciliation:
    account: str
    month: str
    book_balance: Decimal
    statement_balance: Decimal
    statement_balance_source: str
    bank_credits_not_booked: list[dict]
    bank_debits_not_booked: list[dict]
    deposits_in_transit: list[dict]
    outstanding_payments: list[dict]
    matches: list[Match]

    @property
    def adjusted_book_balance(self) -> Decimal:
        return (self.book_balance + _total(self.bank_credits_not_booked) - _total(self.bank_debits_not_booked))

    @property
    def adjusted_statement_balance(self) -> Decimal:
        return (self.statement_balance + _total(self.deposits_in_transit) - _total(self.outstanding_payments))

    @property
    def difference(self) -> Decimal:
        return self.adjusted_book_balance - self.adjusted_statement_balance

    @property
    def balanced(self) -> bool:
        return self.difference == 0


def _total(items: list[dict]) -> Decimal:
    return sum((i["amount"] for i in items), ZERO)


def reconcile(account: str, month: str, month_end: dt.date, book_balance: Decimal, statement_balance: Decimal, source: str,
              items: list[BookItem], lines: list[BankLine], decisions: list[Decision], windows: Windows = Windows()) -> Reconciliation:
    """The reconciliation statement at ``month_end`` from everything recorded up to it.

    Matching runs over all items and lines up to the month end, so an item unmatched in
    an earlier month carries forward until it is matched.
    """
    items = [i for i in items if i.date <= month_end]
    lines = [l for l in lines if l.date <= month_end]
    m = match(items, lines, decisions, windows)

    def item_row(i: BookItem) -> dict:
        return {"date": i.date, "amount": abs(i.amount), "ref": i.id, "memo": i.memo}

    def line_row(l: BankLine) -> dict:
        return {"date": l.date, "amount": abs(l.amount), "ref": l.ref or l.cheque or l.uid, "memo": l.memo or l.counterparty, "line": l.uid}

    return Reconciliation(
        account=account, month=month, book_balance=book_balance, statement_balance=statement_balance,
        statement_balance_source=source,
        bank_credits_not_booked=[line_row(l) for l in m.lines_left if l.amount > 0],
        bank_debits_not_booked=[line_row(l) for l in m.lines_left if l.amount < 0],
        deposits_in_transit=[item_row(i) for i in m.book_left if i.amount > 0],
        outstanding_payments=[item_row(i) for i in m.book_left if i.amount < 0],
        matches=m.matches,
    )


def statement_balance_at(date: dt.date, lines: list[BankLine], anchors: list[tuple[dt.date, Decimal]],
                         fallback_opening: Decimal) -> tuple[Decimal, str]:
    """The statement's balance at the end of ``date``.

    From the nearest balance the bank stated (a running balance or a closing balance)
    on or before the day, plus the lines after it; else from the nearest later one,
    less the lines in between; else the book's opening plus every line (said so).
    """
    by_date = sorted(anchors)
    before = [a for a in by_date if a[0] <= date]
    if before:
        anchor_date, balance = before[-1]
        moved = sum((l.amount for l in lines if anchor_date < l.date <= date), ZERO)
        return balance + moved, f"bank balance of {anchor_date}" + (" plus later lines" if moved else "")
    after = [a for a in by_date if a[0] > date]
    if after:
        anchor_date, balance = after[0]
        moved = sum((l.amount for l in lines if date < l.date <= anchor_date), ZERO)
        return balance - moved, f"bank balance of {anchor_date} less the lines after {date}"
    total = sum((l.amount for l in lines if l.date <= date), ZERO)
    return fallback_opening + total, "derived: opening balance plus statement lines (the statement gave no balance)"


def statement_covers(first: dt.date, last: dt.date, lines: list[BankLine], anchors: list[tuple[dt.date, Decimal]]) -> bool:
    """Whether the imported statement speaks for the month ``first``..``last``: a line or a
    balance the bank stated, dated in the month or later (a later statement carries the
    month's end balance). Without one there is nothing to reconcile the month against."""
    return any(l.date >= first for l in lines) or any(d >= first for d, _ in anchors)
