"""The format-neutral export: entries in a date window as transactions and notes.

`build(entries, policy, options)` turns the book's entries (all of them, in book order)
into what every writer prints: an optional balance-forward transaction, one balanced
transaction per money-moving entry (voids as reversing transactions linked to their
original), and notes for entries that move no money (cash counts, day closes).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.entries import EntryBase
from ..core.money import ZERO, fmt
from ..core.policy import Policy
from .accounts import OPENING, AccountMap, root

BALANCE_FORWARD = "balance-forward"

# entry fields that are not metadata: the header, the amounts and the accounts (they
# are the postings), the payee, and the seal-chain digests
_NOT_META = {
    "id", "kind", "time", "amount", "account", "cash_account", "from_account", "to_account", "category",
    "returned", "spent", "reverses", "party", "target", "digest", "previous", "seal", "counts", "total",
    "book_balance", "counted",
}


@dataclass(frozen=True)
class Options:
    """What to export: entries dated ``start``..``end`` (inclusive; None = unbounded)."""

    start: dt.date | None = None
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"--from {self.start} is after --to {self.end}")


@dataclass
class Txn:
    date: dt.date
    id: str
    kind: str
    payee: str
    narration: str
    postings: list[tuple[str, Decimal]]
    meta: list[tuple[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    doc: str = ""


@dataclass
class Note:
    date: dt.date
    id: str
    kind: str
    account: str
    text: str
    meta: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Export:
    currency: str
    title: str
    options: Options
    items: list[Txn | Note]
    accounts: AccountMap
    first_day: dt.date | None

    @property
    def used(self) -> list[str]:
        """Every export account used, sorted."""
        names: set[str] = set()
        for item in self.items:
            if isinstance(item, Txn):
                names.update(a for a, _ in item.postings)
            else:
                names.add(item.account)
        return sorted(names)

    @property
    def warnings(self) -> list[str]:
        return list(dict.fromkeys(self.accounts.warnings))


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def payee_of(entry: EntryBase) -> str:
    for name in ("party", "person"):
        value = getattr(entry, name, "")
        if value:
            return value
    return ""


def document_of(entry: EntryBase) -> str:
    for name in ("doc", "invoice", "cheque", "slip", "ref"):
        value = getattr(entry, name, "")
        if value:
            return value
    return ""


def narration_of(entry: EntryBase) -> str:
    """What happened, in a few words; the payee is not repeated, the memo (摘要) follows."""
    e = entry
    k = entry.kind
    if k == "opening":
        base = f"opening balance of {e.account}"
    elif k == "receipt":
        base = f"receipt for {e.category}"
    elif k == "collection":
        base = f"collected for {e.on_behalf_of} ({e.category})"
    elif k == "payment":
        base = f"payment for {e.category}" + (f" by cheque {e.cheque}" if e.cheque else "")
    elif k == "bank-deposit":
        base = f"cash banked into {e.account}"
    elif k == "withdrawal":
        base = f"cash withdrawn from {e.account}"
    elif k == "transfer":
        base = f"transfer {e.from_account} -> {e.to_account}"
    elif k == "advance":
        base = f"advance for {e.purpose}, due {e.due}"
    elif k == "settlement":
        base = f"settlement of advance {e.advance}"
    elif k == "deposit-hold":
        base = f"{e.type} deposit held"
    elif k == "deposit-refund":
        base = f"{e.type} deposit {e.deposit} refunded"
    elif k == "adjustment":
        base = f"cash {e.direction}"
    elif k == "void":
        base = f"void of {e.target}: {e.reason}"
    else:
        base = k
    return f"{base} - {entry.memo}" if entry.memo else base


def metadata(entry: EntryBase, voided_by: str = "") -> list[tuple[str, str]]:
    """id, kind and time first, then every other field the entry records, as text."""
    meta = [("id", entry.id), ("kind", entry.kind), ("time", entry.time.isoformat())]
    record = entry.to_record()
    target = record.get("target")
    if target:
        meta.append(("voids", str(target)))
    for key, value in record.items():
        if key in _NOT_META or value in ("", None, [], ()):
            continue
        meta.append((key, _text(value)))
    if voided_by:
        meta.append(("voided_by", voided_by))
    return meta


def _note_text(entry: EntryBase, currency: str) -> str:
    if entry.kind == "cash-count":
        return f"cash count {entry.id}: {' '.join(entry.counts)} = {fmt(entry.total)} {currency}"  # type: ignore[attr-defined]
    if entry.kind == "day-close":
        return (f"day close {entry.id}: book balance {fmt(entry.book_balance)} {currency}, "  # type: ignore[attr-defined]
                f"counted {fmt(entry.counted)} {currency}, seal {entry.seal}")  # type: ignore[attr-defined]
    return f"{entry.kind} {entry.id}" + (f": {entry.memo}" if entry.memo else "")


def build(entries: list[EntryBase], policy: Policy, options: Options = Options()) -> Export:
    """The export of ``entries`` (all of the book's, in book order) within ``options``' window."""
    amap = AccountMap(policy)
    currency = policy.book.currency
    start, end = options.start, options.end
    before = [e for e in entries if start is not None and e.date < start]
    chosen = [e for e in entries if (start is None or e.date >= start) and (end is None or e.date <= end)]
    by_id = {e.id: e for e in entries}
    voided_by = {getattr(e, "target"): e.id for e in chosen if e.kind == "void"}

    items: list[Txn | Note] = []
    if before:
        forward = _balance_forward(before, amap, start - dt.timedelta(days=1))  # type: ignore[operator]
        if forward is not None:
            items.append(forward)

    for entry in chosen:
        postings = entry.postings()
        if not postings:
            account = amap.account(getattr(entry, "account", None) or amap.primary_cash())
            items.append(Note(entry.date, entry.id, entry.kind, account, _note_text(entry, currency), metadata(entry)))
            continue
        payee = payee_of(entry)
        links: list[str] = []
        if entry.kind == "void":
            target_id = getattr(entry, "target")
            target = by_id.get(target_id)
            if not payee and target is not None:
                payee = payee_of(target)
            links.append(target_id)
        elif entry.id in voided_by:
            links.append(entry.id)
        txn = Txn(
            date=entry.date, id=entry.id, kind=entry.kind, payee=payee, narration=narration_of(entry),
            postings=[(amap.account(p.account), p.amount) for p in postings],
            meta=metadata(entry, voided_by.get(entry.id, "")), links=links, doc=document_of(entry),
        )
        items.append(txn)

    dates = [i.date for i in items]
    first_day = min(dates) if dates else None
    return Export(currency, policy.book.name, options, items, amap, first_day)


def _balance_forward(before: list[EntryBase], amap: AccountMap, day: dt.date) -> Txn | None:
    """Balances of asset and liability accounts at ``day``, against Equity:Opening-Balances.

    Income, expense and equity balances from before the window fold into
    Equity:Opening-Balances (as a year-end close would), so the window's income and
    expenses are its own while every asset and liability balance stays exact.
    """
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in before:
        for p in entry.postings():
            totals[amap.account(p.account)] += p.amount
    carried = [(name, amount) for name, amount in sorted(totals.items())
               if amount != 0 and root(name) in ("Assets", "Liabilities")]
    if not carried:
        return None
    rest = -sum((a for _, a in carried), ZERO)
    postings = carried + ([(OPENING, rest)] if rest else [])
    return Txn(
        date=day, id="", kind=BALANCE_FORWARD, payee="", narration=f"balance brought forward at {day}",
        postings=postings, meta=[("kind", BALANCE_FORWARD), ("as_of", day.isoformat())],
    )


def window_text(export: "Export") -> str:
    """The date window of an export for its header comment ("" for the whole book)."""
    o = export.options
    if o.start is None and o.end is None:
        return ""
    return f" ({o.start or 'start'} .. {o.end or 'end'})"


def posting_lines(postings, indent: str, currency: str) -> list[str]:
    """A transaction's postings with accounts and amounts aligned (same layout for both tools)."""
    width = max(len(a) for a, _ in postings)
    amounts = [fmt(v) for _, v in postings]
    aw = max(len(a) for a in amounts)
    return [f"{indent}{account:<{width}}  {amount:>{aw}} {currency}" for (account, _), amount in zip(postings, amounts)]
