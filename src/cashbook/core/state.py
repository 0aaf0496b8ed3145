"""The state of the book after a run of entries: what the checks and reports need.

`BookState.apply(entry)` folds one entry in; `fold` replays a run of entries in order
(day by day, file order within a day), which gives the state at any point. It holds
only plain values (dicts, lists, dataclasses of Decimals and dates); how a snapshot
of it is stored and resumed is the store's business (`store/snapshot.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from .entries import (
    RECEIPT_KINDS,
    Advance,
    CashCount,
    DayClose,
    DepositHold,
    DepositRefund,
    EntryBase,
    Payment,
    Settlement,
    Void,
    Withdrawal,
)
from .money import ZERO


@dataclass
class DayFigures:
    """Cash movements of one day on one account, for the close and sitting payment."""

    opening: Decimal = ZERO
    receipts: Decimal = ZERO  # all money in (receipts, deposits held, withdrawals ...)
    payments: Decimal = ZERO  # all money out
    takings: Decimal = ZERO  # cash received from customers/merchants (not withdrawals)
    withdrawals: Decimal = ZERO  # cash drawn from the bank that day
    cash_paid: Decimal = ZERO  # cash paid out for payments, advances, refunds
    banked: Decimal = ZERO  # cash deposited into the bank that day
    float_banked: Decimal = ZERO  # of which not takings: the float (or withdrawn cash) banked, no longer there to pay from


@dataclass
class OpenItem:
    """An advance or a held deposit, and what of it is still open."""

    id: str
    date: dt.date
    party: str
    type: str  # advance purpose or deposit type
    amount: Decimal
    outstanding: Decimal
    due: dt.date | None = None
    doc: str = ""
    account: str = "cash"


#: a receipt number: its series' prefix and its digits (``SJ0042`` -> ``SJ``, ``0042``)
NUMBERED = re.compile(r"^(.*?)(\d+)$")

#: days of payments kept per payee for split payments (rules.needs-approval.split_days is at most this)
SPLIT_KEEP = 366


@dataclass
class BookState:
    balances: dict[str, Decimal] = field(default_factory=dict)
    entries: dict[str, EntryBase] = field(default_factory=dict)  # id -> entry (MutableMapping)
    voided: dict[str, str] = field(default_factory=dict)  # target id -> void id
    advances: dict[str, OpenItem] = field(default_factory=dict)  # every advance ever recorded
    deposits: dict[str, OpenItem] = field(default_factory=dict)  # every deposit ever held
    cheques: dict[tuple[str, str], str] = field(default_factory=dict)  # (account, number) -> entry id
    receipt_numbers: dict[str, str] = field(default_factory=dict)  # receipt doc number -> entry id
    days: dict[tuple[dt.date, str], DayFigures] = field(default_factory=dict)  # one per day an account moved
    counts: dict[tuple[dt.date, str], CashCount] = field(default_factory=dict)
    seals: dict[dt.date, DayClose] = field(default_factory=dict)
    last_seal: str = ""
    last_sealed: dt.date | None = None  # days up to and including this one are frozen
    last_date: dt.date | None = None
    openings: dict[str, list[str]] = field(default_factory=dict)  # account -> opening entry ids
    advances_of: dict[str, list[str]] = field(default_factory=dict)  # person -> advance ids
    advances_of_dept: dict[str, list[str]] = field(default_factory=dict)  # department -> advance ids
    settled_by: dict[str, list[str]] = field(default_factory=dict)  # advance id -> settlement ids
    refunded_by: dict[str, list[str]] = field(default_factory=dict)  # deposit id -> refund ids
    compensations: dict[str, OpenItem] = field(default_factory=dict)  # 先行赔付: payment id -> open item (party: handler)
    compensations_of: dict[str, list[str]] = field(default_factory=dict)  # handler -> compensation payment ids, in date order
    recovered_by: dict[str, list[str]] = field(default_factory=dict)  # compensation payment id -> recovery ids
    payments_to: dict[str, list[list]] = field(default_factory=dict)  # payee -> [[day ordinal, payment id]] of the last SPLIT_KEEP days, in day order
    receipt_books: list[str] = field(default_factory=list)  # receipt-book entry ids, in order issued
    receipt_books_returned: dict[str, str] = field(default_factory=dict)  # receipt-book id -> return entry id
    handovers: list[str] = field(default_factory=list)  # handover entry ids (收款交接台帐)
    cheque_books: list[str] = field(default_factory=list)  # cheque-book entry ids (支票领购)
    receipt_runs: dict[tuple[str, int], list[list[int]]] = field(default_factory=dict)  # (prefix, width) -> [[lo, hi], ...] numbers used, in order
    awaiting_signature: dict[str, list[str]] = field(default_factory=dict)  # entry id -> roles a deputy approved, unsigned
    # (list, its person, department or handler) -> where the list's open items start: every item
    # before it is closed (settled, recovered or voided). A short cut for `_open`, no figure.
    open_from: dict[tuple[str, str], int] = field(default_factory=dict)

    # -- queries -------------------------------------------------------------------
    def balance(self, account: str) -> Decimal:
        return self.balances.get(account, ZERO)

    def day(self, date: dt.date, account: str) -> DayFigures:
        key = (date, account)
        if key not in self.days:
            self.days[key] = DayFigures(opening=self.balance(account))
        return self.days[key]

    def open_advances_of(self, who: str, department: bool = False) -> list[OpenItem]:
        """A person's (or a department's) advances still outstanding (not settled in full, not
        voided), in the order recorded."""
        if department:
            return self._open(self.advances, "advances_of_dept", who)
        return self._open(self.advances, "advances_of", who)

    def open_compensations(self, handler: str, before: dt.date | None = None) -> list[OpenItem]:
        """A handler's compensations paid in advance not yet recovered in full; with ``before``,
        only those paid before that day (the list is in date order: the look stops there)."""
        return self._open(self.compensations, "compensations_of", handler, before)

    def _open(self, items: dict[str, OpenItem], name: str, key: str, before: dt.date | None = None) -> list[OpenItem]:
        """The open items of the list the field ``name`` holds for ``key``, looked for from where
        they start (`open_from`), which moves on past the items found closed: a person's years
        of settled advances are not walked again at every entry. A voided item stays closed; one that opens again (`_reopened`), or
        one put in before the start (`_in_date_order`), puts the start back. With ``before``
        (a list in date order), the items from that day on are not looked at."""
        ids = getattr(self, name).get(key, ())
        start = self.open_from.get((name, key), 0)
        found, first = [], len(ids)
        for n in range(start, len(ids)):
            item = items.get(ids[n])
            if before is not None and item is not None and item.date >= before:
                first = min(first, n)
                break
            if ids[n] in self.voided:
                continue
            if item is not None and item.outstanding > 0:
                if not found:
                    first = n
                found.append(item)
        if first != start:
            self.open_from[(name, key)] = first
        return found

    def _in_date_order(self, name: str, items: dict[str, OpenItem], key: str, entry: EntryBase) -> None:
        """Add ``entry``'s id to the list the field ``name`` holds for ``key``, kept in date order
        (a back-dated entry goes in after the others of its day; the start of the open items
        moves back to it if need be)."""
        ids = getattr(self, name).setdefault(key, [])
        date = entry.date
        if not ids or items[ids[-1]].date <= date:
            ids.append(entry.id)
            return
        at = bisect_right(ids, date, key=lambda i: items[i].date)
        ids.insert(at, entry.id)
        if self.open_from.get((name, key), 0) > at:
            self.open_from[(name, key)] = at

    def _reopened(self, item: OpenItem, *where: tuple[str, str]) -> None:
        """``item`` may be open again (a settlement or recovery of it voided): its lists are
        looked at from their first item again."""
        if item.outstanding > 0:
            for name_key in where:
                self.open_from.pop(name_key, None)

    def dependants(self, entry_id: str) -> list[str]:
        """The live entries that rest on ``entry_id``: the settlements of an advance, the
        refunds of a held deposit (voided ones no longer count). Voiding the entry alone
        would leave them pointing at nothing."""
        ids = self.settled_by.get(entry_id, []) + self.refunded_by.get(entry_id, []) + self.recovered_by.get(entry_id, [])
        return [i for i in ids if i not in self.voided]

    def is_sealed(self, date: dt.date) -> bool:
        """A sealed day, or any day before the last seal (its balance is carried into a sealed day)."""
        return self.last_sealed is not None and date <= self.last_sealed

    # -- folding entries in --------------------------------------------------------
    def apply(self, entry: EntryBase, cash_accounts: frozenset[str] = frozenset({"cash"})) -> None:
        date = entry.time.date()
        if self.last_date is None or date > self.last_date:
            self.last_date = date
        balances = self.balances
        for account, amount in entry.postings():
            if account in cash_accounts:
                self._count_cash(entry, account, amount)
            balances[account] = balances.get(account, ZERO) + amount
        self.entries[entry.id] = entry
        self._track(entry)

    def _count_cash(self, entry: EntryBase, account: str, amount: Decimal) -> None:
        """Add a cash posting to the day's figures, by what kind of movement it is.

        A void counts as a negative movement of its target's kind (红字冲销), so
        opening + receipts − payments is always the book balance.
        """
        fig = self.day(entry.date, account)
        kind = entry.kind
        if kind == "opening":
            fig.opening += amount
            return
        if kind == "void":
            target = self.entries.get(entry.target)  # type: ignore[attr-defined]
            kind = target.kind if target is not None else "void"
        if amount < 0 and entry.kind == "void" or amount > 0 and entry.kind != "void":
            fig.receipts += amount
            if kind in ("withdrawal", "transfer"):
                fig.withdrawals += amount
            elif kind not in ("adjustment", "void"):
                fig.takings += amount
        else:
            fig.payments -= amount
            if kind in ("bank-deposit", "transfer"):
                if entry.kind != "void":  # takings are banked first; the rest of a deposit is the float leaving
                    fig.float_banked += max(-amount - max(fig.takings - fig.banked, ZERO), ZERO)
                fig.banked -= amount
            elif kind not in ("adjustment", "void"):
                fig.cash_paid -= amount

    def _track(self, entry: EntryBase) -> None:
        kind = entry.kind
        if entry.__dict__.get("to_sign"):
            self.awaiting_signature[entry.id] = list(entry.to_sign)
        if kind in RECEIPT_KINDS:  # receipts and collections are most of a book: the short way
            if entry.doc:
                self.receipt_numbers[entry.doc] = entry.id
                self._runs(entry.doc)
            if kind != "deposit-hold":
                return
        if kind == "payment":
            if entry.cheque:
                self.cheques[(entry.account, entry.cheque)] = entry.id
            recent = self.payments_to.setdefault(entry.party, [])  # in day order
            day = entry.time.date().toordinal()
            if recent and recent[0][0] < day - SPLIT_KEEP:  # only recent payments can be parts of a split one
                del recent[:bisect_left(recent, day - SPLIT_KEEP, key=_first)]
            if not recent or recent[-1][0] <= day:
                recent.append([day, entry.id])
            else:  # a back-dated payment: in its place, after the others of its day
                recent.insert(bisect_right(recent, day, key=_first), [day, entry.id])
            if entry.handler:
                self._in_date_order("compensations_of", self.compensations, entry.handler, entry)
                self.compensations[entry.id] = OpenItem(entry.id, entry.date, entry.handler, entry.on_behalf_of, entry.amount,
                                                        entry.amount, doc=entry.party, account=entry.account)
            return
        if kind == "receipt-book":
            self.receipt_books.append(entry.id)
            return
        if kind == "receipt-book-return":
            self.receipt_books_returned[entry.book] = entry.id
            return
        if kind == "sign":
            left = [r for r in self.awaiting_signature.get(entry.target, ()) if r not in {a.role for a in entry.approvals}]
            if left:
                self.awaiting_signature[entry.target] = left
            else:
                self.awaiting_signature.pop(entry.target, None)
            return
        if kind == "cheque-book":
            self.cheque_books.append(entry.id)
            return
        if kind == "cheque-spoiled":
            self.cheques[(entry.account, entry.cheque)] = entry.id
            return
        if kind == "handover":
            self.handovers.append(entry.id)
            return
        if kind == "recovery":
            self.recovered_by.setdefault(entry.payment, []).append(entry.id)
            item = self.compensations.get(entry.payment)
            if item:
                item.outstanding -= entry.amount
            return
        if kind == "opening":
            self.openings.setdefault(entry.account, []).append(entry.id)
        if isinstance(entry, Advance):
            self.advances_of.setdefault(entry.person, []).append(entry.id)
            if entry.department:
                self.advances_of_dept.setdefault(entry.department, []).append(entry.id)
            self.advances[entry.id] = OpenItem(entry.id, entry.date, entry.person, entry.purpose, entry.amount, entry.amount, due=entry.due, account=entry.account)
        elif isinstance(entry, Settlement):
            self.settled_by.setdefault(entry.advance, []).append(entry.id)
            item = self.advances.get(entry.advance)
            if item:
                item.outstanding -= entry.amount
        elif isinstance(entry, DepositHold):
            self.deposits[entry.id] = OpenItem(entry.id, entry.date, entry.party, entry.type, entry.amount, entry.amount, doc=entry.doc, account=entry.account)
        elif isinstance(entry, DepositRefund):
            self.refunded_by.setdefault(entry.deposit, []).append(entry.id)
            item = self.deposits.get(entry.deposit)
            if item:
                item.outstanding -= entry.amount
        elif isinstance(entry, (Payment, Withdrawal)) and entry.cheque:
            self.cheques[(entry.account, entry.cheque)] = entry.id
        elif isinstance(entry, CashCount):
            self.counts[(entry.date, entry.account)] = entry
        elif isinstance(entry, DayClose):
            self.seals[entry.date] = entry
            self.last_seal = entry.seal
            if self.last_sealed is None or entry.date > self.last_sealed:
                self.last_sealed = entry.date
        elif isinstance(entry, Void):
            self.voided[entry.target] = entry.id
            target = self.entries.get(entry.target)
            if isinstance(target, Advance) and target.id in self.advances:
                self.advances[target.id].outstanding -= target.amount
            elif isinstance(target, Settlement) and target.advance in self.advances:
                item = self.advances[target.advance]
                item.outstanding += target.amount
                advance = self.entries.get(item.id)
                self._reopened(item, ("advances_of", item.party), ("advances_of_dept", getattr(advance, "department", "")))
            elif isinstance(target, DepositHold) and target.id in self.deposits:
                self.deposits[target.id].outstanding -= target.amount
            elif isinstance(target, DepositRefund) and target.deposit in self.deposits:
                self.deposits[target.deposit].outstanding += target.amount
            elif isinstance(target, Payment) and target.id in self.compensations:
                self.compensations[target.id].outstanding -= target.amount
            elif target is not None and target.kind == "recovery" and target.payment in self.compensations:
                item = self.compensations[target.payment]
                item.outstanding += target.amount
                self._reopened(item, ("compensations_of", item.party))

    def _runs(self, doc: str) -> None:
        """Keep the numbers used of ``doc``'s series as runs of consecutive numbers: the gaps
        between runs are the missing numbers (收据缺号), known without reading every number,
        and the first and last runs span the numbers used (a far jump is flagged)."""
        m = NUMBERED.match(doc)
        if not m:
            return
        n = int(m[2])
        runs = self.receipt_runs.setdefault((m[1], len(m[2])), [])
        if not runs or n > runs[-1][1] + 1:  # after a gap (or the first)
            runs.append([n, n])
            return
        if n == runs[-1][1] + 1:  # the usual case: the next number
            runs[-1][1] = n
            return
        i = bisect_right(runs, n, key=_first)  # runs[i - 1] starts at or below n
        if i and runs[i - 1][1] >= n:
            return  # used already
        joins_left = i > 0 and runs[i - 1][1] == n - 1
        joins_right = i < len(runs) and runs[i][0] == n + 1
        if joins_left and joins_right:
            runs[i - 1][1] = runs.pop(i)[1]
        elif joins_left:
            runs[i - 1][1] = n
        elif joins_right:
            runs[i][0] = n
        else:
            runs.insert(i, [n, n])

    def receipt_gaps(self) -> list[tuple[str, str, str]]:
        """Missing numbers in each series (same prefix and width), in order: (prefix, first
        missing, last missing)."""
        gaps = []
        for (prefix, width), runs in sorted(self.receipt_runs.items()):
            for (_, a), (b, _) in zip(runs, runs[1:]):
                gaps.append((prefix, f"{prefix}{a + 1:0{width}d}", f"{prefix}{b - 1:0{width}d}"))
        return gaps


def _first(pair: list) -> int:
    return pair[0]


def fold(state: BookState, entries: Iterable[EntryBase], cash_accounts: frozenset[str],
         judge: Callable[[EntryBase, BookState], list] | None = None, seen=None) -> Iterator[tuple[EntryBase, list | None]]:
    """The one replay loop of the book: each of ``entries`` in order is judged (``judge``, see
    `core.decide.judge`) against the state just before it, then applied to ``state``, and
    yielded with its problems. An id already applied (in ``seen``, else in the state's own
    entries) is not applied again: it is yielded with None (a duplicate id, which `check`
    reports). Every entry is applied before the next is yielded, so a caller that only
    wants the state consumes it (`replay`)."""
    ids = state.entries if seen is None else seen
    for entry in entries:
        if entry.id in ids:
            yield entry, None
            continue
        found = judge(entry, state) if judge is not None else []
        state.apply(entry, cash_accounts)
        if seen is not None:
            seen.add(entry.id)
        yield entry, found


def replay(state: BookState, entries: Iterable[EntryBase], cash_accounts: frozenset[str], seen=None) -> list[EntryBase]:
    """`fold` without checks: ``entries`` applied to ``state``; returns those applied."""
    return [entry for entry, found in fold(state, entries, cash_accounts, None, seen) if found is not None]
