"""Daily cash close (日结) and the seal chain; month-end figures (月结).

Pure functions: the CLI loads the book, these compute what the close says, and the
store writes the seal. A day seals only when every cash account's count equals its
book balance and no block-level exception remains; an overage (长款) or shortage
(短款) is never adjusted silently: it needs an approved `adjustment` entry.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .entries import CashCount, DayClose, EntryBase
from .money import ZERO, AmountError, fmt, fmt_grouped, parse_amount
from .policy import Policy
from .problems import Problem
from .state import BookState


# -- cash count -------------------------------------------------------------------

def parse_count(items: list[str], policy: Policy) -> tuple[list[str], Decimal]:
    """Parse ``100x12 50x3 0.5x2`` against the policy's denominations: (canonical items, total)."""
    allowed = {d: d for d in policy.denominations}
    seen: dict[Decimal, int] = {}
    problems = []
    for item in items:
        text = item.strip().lower().replace("×", "x").replace("*", "x")
        denom_text, sep, count_text = text.partition("x")
        if not sep:
            problems.append(f"{item!r}: write DENOMINATIONxCOUNT, e.g. 100x12 or 0.5x3")
            continue
        try:
            denom = parse_amount(denom_text)
        except AmountError:
            problems.append(f"{item!r}: {denom_text!r} is not a denomination")
            continue
        if denom not in allowed:
            problems.append(f"{item!r}: {fmt(denom)} is not a denomination of this book ({', '.join(_denom(d) for d in policy.denominations)})")
            continue
        if not count_text.isascii() or not count_text.isdigit() or len(count_text) > 7:
            problems.append(f"{item!r}: the count {count_text!r} must be a whole number of notes or coins (0 to 9999999)")
            continue
        if denom in seen:
            problems.append(f"{item!r}: {_denom(denom)} is counted twice; give each denomination once")
            continue
        seen[denom] = int(count_text)
    if problems:
        raise ValueError("; ".join(problems))
    if not seen:
        raise ValueError("a count needs at least one DENOMINATIONxCOUNT, e.g. 100x12 50x3")
    canonical = [f"{_denom(d)}x{seen[d]}" for d in sorted(seen, reverse=True)]
    total = sum((d * n for d, n in seen.items()), ZERO)
    return canonical, total


def _denom(d: Decimal) -> str:
    """100.00 -> "100", 0.50 -> "0.5": denominations as people write them."""
    return f"{d.normalize():f}"


# -- the daily close ------------------------------------------------------------------

@dataclass
class CashDay:
    account: str
    opening: Decimal
    receipts: Decimal
    payments: Decimal
    book_balance: Decimal
    counted: Decimal | None
    difference: Decimal | None
    over_limit: Decimal
    takings: Decimal
    banked: Decimal
    undeposited: Decimal
    count: CashCount | None


@dataclass
class DayCloseReport:
    date: dt.date
    cash: list[CashDay]
    problems: list[Problem] = field(default_factory=list)
    sealed: bool = False
    seal_id: str | None = None
    entries: int = 0

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "block"]

    @property
    def exceptions(self) -> list[Problem]:
        """What the close reports for action: everything the close itself found (any
        severity: a difference, cash over the limit, takings not banked) and every block."""
        return [p for p in self.problems if p.severity == "block" or not p.entry_id]


def close_day(date: dt.date, state: BookState, policy: Policy, day_problems: list[Problem], entries: int,
              unsealed_before: list[dt.date]) -> DayCloseReport:
    """What the close of ``date`` shows, and the problems that stop it sealing."""
    report = DayCloseReport(date=date, cash=[], entries=entries)
    limit = policy.rules.cash_over_limit.limit
    for account in policy.cash_accounts():
        fig = state.days.get((date, account))
        count = state.counts.get((date, account))
        if fig is None:
            opening = _balance_at(state, account, date)
            receipts = payments = takings = banked = ZERO
        else:
            opening, receipts, payments, takings, banked = fig.opening, fig.receipts, fig.payments, fig.takings, fig.banked
        book = opening + receipts - payments
        counted = count.total if count else None
        cd = CashDay(account, opening, receipts, payments, book, counted,
                     None if counted is None else counted - book, max(book - limit, ZERO), takings, banked,
                     max(takings - banked, ZERO), count)
        report.cash.append(cd)
        if fig is None and count is None and len(policy.cash_accounts()) > 1:
            continue  # an idle second till needs no count
        if counted is None:
            report.problems.append(Problem("no-count", f"{account}: no cash count for {date}; count the drawer: "
                                           f"cashbook count {date} 100xN 50xN …", severity="block"))
        elif cd.difference:
            kind = "overage (长款)" if cd.difference > 0 else "shortage (短款)"
            settings = policy.rules.count_difference
            report.problems.append(Problem("count-difference",
                                           f"{account}: counted {fmt_grouped(counted)} but the book says {fmt_grouped(book)}: "
                                           f"{kind} of {fmt_grouped(abs(cd.difference))}; find it, or book it with "
                                           f"`cashbook adjust {'overage' if cd.difference > 0 else 'shortage'} {fmt(abs(cd.difference))} "
                                           "--approved-by ROLE:NAME` and count again", severity=settings.severity,
                                           data={"rule": "count-difference", "figure": cd.difference}))
        if cd.over_limit > 0:
            settings = policy.rules.cash_over_limit
            report.problems.append(Problem("cash-over-limit", f"{account}: {fmt_grouped(book)} on hand at close is above the limit "
                                           f"{fmt_grouped(limit)}; bank {fmt_grouped(cd.over_limit)}", severity=settings.severity,
                                           data={"rule": "cash-over-limit", "figure": book, "limit": limit}))
        if cd.undeposited > 0:
            settings = policy.rules.undeposited_takings
            report.problems.append(Problem("undeposited-takings", f"{account}: {fmt_grouped(takings)} taken today, "
                                           f"{fmt_grouped(banked)} banked: {fmt_grouped(cd.undeposited)} not yet banked "
                                           "(每日收入当日存入银行)", severity=settings.severity,
                                           data={"rule": "undeposited-takings", "figure": cd.undeposited}))
    if unsealed_before:
        shown = ", ".join(str(d) for d in unsealed_before[:10]) + (" …" if len(unsealed_before) > 10 else "")
        report.problems.append(Problem("earlier-days-open", f"earlier days are not closed yet: {shown}; close them first, "
                                       "in order (日清)", severity="block", data={"days": unsealed_before}))
    report.problems += day_problems
    report.sealed = date in state.seals
    if report.sealed:
        report.seal_id = state.seals[date].id
    return report


def _balance_at(state: BookState, account: str, date: dt.date) -> Decimal:
    """Book balance at the start of ``date`` from the nearest earlier day's figures."""
    earlier = [d for (d, a) in state.days if a == account and d < date]
    if not earlier:
        return ZERO
    fig = state.days[(max(earlier), account)]
    return fig.opening + fig.receipts - fig.payments


def seal_figures(state: BookState, policy: Policy, where: dict[str, tuple[str, int]],
                 closes: dict[dt.date, DayClose] | None = None) -> list[Problem]:
    """Each sealed day's recorded figures (book balance, counted cash and so their difference)
    against the book replayed from the files (``state``: the whole book): a day sealed from
    figures other than the book's is found even when its seal chain is intact. With
    ``closes`` (day -> its seal), only those days: a sealed day's figures depend on the files
    up to it alone, so `check` keeps what it found of the earlier ones (`checkmemo`)."""
    accounts = policy.cash_accounts()
    if closes is None:
        closes = state.seals
    if not accounts or not closes:
        return []
    account = accounts[0]  # the account a close seals (see `close_day`)
    closing = {d: f.opening + f.receipts - f.payments for (d, a), f in state.days.items() if a == account}
    moved = sorted(closing)
    out = []
    for date, close in sorted(closes.items()):
        i = bisect.bisect_right(moved, date)
        book = closing[moved[i - 1]] if i else ZERO
        count = state.counts.get((date, account))
        counted = count.total if count else None
        if close.book_balance == book and close.counted == counted:
            continue
        file, line = where.get(close.id, (None, None))
        files_say = (f"book balance {fmt_grouped(book)}, counted {fmt_grouped(counted)}, difference {fmt_grouped(counted - book)}"
                     if counted is not None else f"book balance {fmt_grouped(book)} and no cash count")
        out.append(Problem("seal-figures", f"the close of {date} sealed book balance {fmt_grouped(close.book_balance)}, counted "
                           f"{fmt_grouped(close.counted)}, difference {fmt_grouped(close.counted - close.book_balance)}, but the "
                           f"files give {files_say}: the day was sealed from figures that are not the book's",
                           file, line, close.id, data={"date": date, "sealed_book_balance": close.book_balance,
                                                       "book_balance": book, "sealed_counted": close.counted, "counted": counted}))
    return out


def seal_value(date: dt.date, digest: str, previous: str, book_balance: Decimal, counted: Decimal) -> str:
    """The link of the seal chain: sha256 over the day, its file's digest, the previous seal
    and the close's own figures."""
    text = f"cashbook-seal|{date.isoformat()}|{digest}|{previous}|{fmt(book_balance)}|{fmt(counted)}"
    return hashlib.sha256(text.encode()).hexdigest()


def file_digest(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


# -- month ---------------------------------------------------------------------------

def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """``2026-09`` -> (first day, last day)."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        first = dt.date(year, mon, 1)
    except (ValueError, TypeError):
        raise ValueError(f"{month!r} is not a month; write YYYY-MM, e.g. 2026-09") from None
    return first, dt.date(year, mon, calendar.monthrange(year, mon)[1])


def category_totals(entries: list[EntryBase], policy: Policy, first: dt.date, last: dt.date) -> list[dict]:
    """Totals by category (income, expense, liability) over the period, from the postings."""
    totals: dict[str, Decimal] = {}
    for e in entries:
        if first <= e.date <= last:
            for p in e.postings():
                if p.account.startswith("category:"):
                    key = p.account.split(":", 1)[1]
                    totals[key] = totals.get(key, ZERO) + p.amount
    rows = []
    for key, amount in totals.items():
        cat = policy.categories.get(key)
        kind = cat.type if cat else "unknown"
        # income and liabilities are credits (negative postings): show them positive
        rows.append({"category": key, "name": cat.name if cat else key, "type": kind,
                     "amount": -amount if kind in ("income", "liability") else amount})
    order = {"income": 0, "liability": 1, "expense": 2}
    rows.sort(key=lambda r: (order.get(r["type"], 3), r["category"]))
    return rows


# -- the seal chain ----------------------------------------------------------------------

@dataclass
class SealedFile:
    """What verification needs of one day file."""

    date: dt.date
    shown: str
    raw: bytes
    entries: list[EntryBase]
    lines: dict[str, int]


def line_offset(raw: bytes, line: int) -> int:
    """Byte offset where 1-based ``line`` starts (the end when there are fewer lines). A
    day close is near its file's end: the newlines are walked from the nearer end."""
    if line <= 1:
        return 0
    total = raw.count(b"\n")
    if total < line - 1:
        return len(raw)
    pos = -1
    if line - 1 <= total - line + 1:  # newline number line - 1, from the start
        for _ in range(line - 1):
            pos = raw.find(b"\n", pos + 1)
    else:  # ... or from the end
        pos = len(raw)
        for _ in range(total - line + 2):
            pos = raw.rfind(b"\n", 0, pos)
    return pos + 1


def sealed_digest(f: SealedFile) -> str | None:
    """The digest of a sealed file's bytes before its (last) day close: what that close's
    ``digest`` must be. None when the close has no line."""
    closes = [e for e in f.entries if e.kind == "day-close"]
    line = f.lines.get(closes[-1].id) if closes else None
    return file_digest(memoryview(f.raw)[:line_offset(f.raw, line)]) if line else None


_UNKNOWN = "?"  # a sealed digest not computed ahead: `sealed_file_problems` computes it


def sealed_file_problems(f: SealedFile, close: DayClose, digest: str | None = _UNKNOWN, logged: str | None = None) -> list[Problem]:
    """One sealed day checked against its (last) day close ``close``: its bytes before the close
    against the close's digest (``digest``: its `sealed_digest`, when computed ahead), the
    close's seal against its own figures, and, given ``logged`` (the seal log's line for the
    day), that seal against the log. The one verification of a sealed file: `verify_seals`
    runs it on every sealed day, the store on each sealed file a command reads."""
    line = f.lines.get(close.id)
    problems = []
    if line and (sealed_digest(f) if digest == _UNKNOWN else digest) != close.digest:
        problems.append(Problem("seal-broken", f"{f.date} was changed after it was sealed: its entries no longer match the seal's "
                                "digest (an entry edited, inserted, deleted or reordered); restore the file from git",
                                file=f.shown, line=line))
    if seal_value(f.date, close.digest, close.previous, close.book_balance, close.counted) != close.seal:
        problems.append(Problem("seal-broken", f"the seal record of {f.date} was edited", file=f.shown, line=line))
    if logged is not None and logged != close.seal:
        problems.append(Problem("seal-broken", f"the seal of {f.date} differs from the one logged when it was closed",
                                file=f.shown, line=line))
    return problems


def verify_seals(files: list[SealedFile], log: list[tuple[dt.date, str]] | None, log_name: str,
                 digests: dict[dt.date, str | None] | None = None) -> list[Problem]:
    """Detect any edit, insertion, deletion or reordering in a sealed day, or a deleted sealed file.
    ``digests`` may give each file's `sealed_digest`, computed ahead (in parallel)."""
    problems: list[Problem] = []
    previous = ""
    chain: dict[dt.date, str] = {}

    def broken(shown: str, line: int | None, message: str, severity="block") -> None:
        problems.append(Problem("seal-broken", message, file=shown, line=line, severity=severity))

    for f in sorted(files, key=lambda f: f.date):
        closes = [e for e in f.entries if e.kind == "day-close"]
        if not closes:
            continue
        close = closes[-1]
        line = f.lines.get(close.id)
        if len(closes) > 1:
            broken(f.shown, line, f"{f.date} has {len(closes)} day closes; a day is sealed once")
        if f.entries[-1] is not close:
            late = f.entries[f.entries.index(close) + 1]
            broken(f.shown, f.lines.get(late.id), f"entry {late.id} comes after the seal of {f.date}: a sealed day was added to")
        problems += sealed_file_problems(f, close, digests[f.date] if digests and f.date in digests else _UNKNOWN)
        if close.previous != previous:
            broken(f.shown, line, f"the seal chain is broken before {f.date}: it follows seal {close.previous[:12] or '(none)'}, "
                   f"but the previous sealed day ends with {previous[:12] or '(none)'}; a sealed day before it was changed or deleted")
        previous = close.seal
        chain[f.date] = close.seal
    if log is None:
        if len(chain) == 1:  # a crash between the first seal and the log's first write looks the same
            broken(log_name, None, f"{log_name} is missing but {min(chain)} is sealed; the next close writes it", "warn")
        elif chain:
            broken(log_name, None, f"{log_name} is missing but {len(chain)} day(s) are sealed; it was deleted")
        return problems
    logged = dict(log)
    for date, seal in log:
        if date not in chain:
            broken(log_name, None, f"sealed day {date} is missing: its journal file was deleted or its close removed")
        elif chain[date] != seal:
            broken(log_name, None, f"the seal of {date} differs from the one logged when it was closed")
    unlogged = [d for d in chain if d not in logged]
    for d in unlogged:
        # the last closes may be missing from the log if a crash came between the two writes (each
        # close killed in that window adds one: the tail after the last logged seal); a gap before is a change
        last = d > max(logged) if logged else len(unlogged) == 1 and d == max(chain)
        broken(log_name, None, f"the seal of {d} is not in the seal log" + ("; the next close repairs it" if last else ""),
               "warn" if last else "block")
    return problems


_SEAL = re.compile(r"[0-9a-f]{64}")


def parse_seal_log(text: str, shown: str) -> tuple[list[tuple[dt.date, str]], list[Problem]]:
    entries, problems = [], []
    for no, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        try:
            date = dt.date.fromisoformat(parts[0])
            seal = parts[1]
            if len(parts) != 2 or not _SEAL.fullmatch(seal):
                raise ValueError
        except (ValueError, IndexError):
            problems.append(Problem("seal-broken", "a seal log line is `YYYY-MM-DD <64 hex digits>`", file=shown, line=no))
            continue
        entries.append((date, seal))
    return entries, problems
