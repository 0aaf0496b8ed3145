"""Imported bank statements and the accountant's matching decisions, as plain text in the book.

```
journals/bank/<account>/YYYY-MM.toml     [[line]] statement lines, [[balance]] balances the bank stated
journals/bank/<account>/decisions.toml   [[decision]] manual match / unmatch, appended
```

A line's identity is the bank's reference where present, else account + date + amount
+ text + its occurrence in the file, so re-importing the same or an overlapping file
adds nothing while two genuine identical lines on one day both stay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..core.describe import summary
from ..core.entries import EntryBase
from ..core.money import ZERO, fmt
from ..core.problems import CashbookError, Problem
from ..core.reconcile import BankLine, BookItem, Decision
from .files import atomic_write, read_regular
from .journal import table_text

BANK_DIR = "bank"


@dataclass
class StoredStatement:
    lines: list[BankLine] = field(default_factory=list)
    anchors: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # uid -> "file:line"


def account_dir(root: Path, account: str) -> Path:
    from ..core.policy import is_name, name_error

    if not is_name(account):  # it becomes a folder: never "..", never a path
        raise CashbookError(Problem("bad-option", f"bank account {name_error(account)}"))
    return root / "journals" / BANK_DIR / account


def _read_toml(path: Path, shown: str) -> dict:
    try:
        return tomllib.loads(read_regular(path, "statement").decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CashbookError(Problem("bad-statement-store", f"cannot read {shown}: {exc}; restore it from git", file=shown)) from None


def load_statement(root: Path, account: str) -> StoredStatement:
    out = StoredStatement()
    folder = account_dir(root, account)
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].toml")):
        shown = path.relative_to(root).as_posix()
        doc = _read_toml(path, shown)
        try:
            for row in doc.get("line", []):
                line = BankLine(uid=row["uid"], date=row["date"], amount=Decimal(row["amount"]), ref=row.get("ref", ""),
                                cheque=row.get("cheque", ""), memo=row.get("memo", ""), counterparty=row.get("counterparty", ""))
                out.lines.append(line)
                out.sources[line.uid] = row.get("source", "")
            for row in doc.get("balance", []):
                out.anchors.append((row["date"], Decimal(row["amount"])))
        except (KeyError, TypeError, ArithmeticError) as exc:
            raise CashbookError(Problem("bad-statement-store", f"a stored statement line is damaged ({exc}); restore it from git", file=shown)) from None
    return out


def line_uid(account: str, date: dt.date, amount: Decimal, ref: str, memo: str, counterparty: str) -> str:
    """A line's identity before its occurrence number: the bank's reference (with the amount,
    as a bank may reuse one reference for a charge and its refund), else a digest of its text."""
    if ref:
        return f"{date:%Y%m%d}-{ref}-{fmt(amount)}"
    digest = hashlib.sha1(f"{account}|{date}|{fmt(amount)}|{memo}|{counterparty}".encode()).hexdigest()[:10]
    return f"{date:%Y%m%d}-{digest}"


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0
    lines: int = 0
    months: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    first: dt.date | None = None
    last: dt.date | None = None


def import_lines(root: Path, account: str, statements, source: str) -> ImportResult:
    """Add the statements' lines not yet stored (the caller holds the book lock)."""
    existing = load_statement(root, account)
    known = {l.uid for l in existing.lines}
    known_anchors = set(existing.anchors)
    result = ImportResult()
    new_lines: dict[str, list[dict]] = {}
    new_balances: dict[str, list[dict]] = {}
    seen: dict[str, int] = {}
    for st in statements:
        result.warnings += list(st.warnings)
        by_day: dict[dt.date, Decimal] = {}
        for sl in st.lines:
            if not 1900 <= sl.date.year <= 2999:
                raise CashbookError(Problem("bad-statement", f"{source}:{sl.source_line}: date {sl.date} is outside the years "
                                            "1900 to 2999; nothing was imported"))
            result.lines += 1
            base = line_uid(account, sl.date, sl.amount, sl.ref, sl.memo, sl.counterparty)
            occurrence = seen.get(base, 0)  # two genuine identical lines in one file both stay
            seen[base] = occurrence + 1
            uid = f"{base}-{occurrence}"
            result.first = min(result.first or sl.date, sl.date)
            result.last = max(result.last or sl.date, sl.date)
            if sl.balance is not None:
                by_day[sl.date] = sl.balance  # the last line of the day, in file order
            if uid in known:
                result.skipped += 1
                continue
            known.add(uid)
            row = {"uid": uid, "date": sl.date, "amount": fmt(sl.amount)}
            for name in ("ref", "cheque", "memo", "counterparty"):
                value = getattr(sl, name, "")
                if value:
                    row[name] = value
            if sl.balance is not None:
                row["balance"] = fmt(sl.balance)
            row["source"] = f"{source}:{sl.source_line}"
            new_lines.setdefault(f"{sl.date:%Y-%m}", []).append(row)
            result.added += 1
        anchors = list(by_day.items())
        if st.lines and st.closing_balance is not None:
            anchors.append((max(l.date for l in st.lines), st.closing_balance))
        if st.lines and st.opening_balance is not None:
            anchors.append((min(l.date for l in st.lines) - dt.timedelta(days=1), st.opening_balance))
        for date, amount in anchors:
            if (date, amount) not in known_anchors:
                known_anchors.add((date, amount))
                new_balances.setdefault(f"{date:%Y-%m}", []).append({"date": date, "amount": fmt(amount), "source": source})
    folder = account_dir(root, account)
    for month in sorted(set(new_lines) | set(new_balances)):
        path = folder / f"{month}.toml"
        old = read_regular(path, "statement").decode("utf-8") if path.exists() else (
            f"# cashbook: statement lines of {account} for {month}, as imported (do not edit; re-import is idempotent)\n")
        tables = [table_text("line", r) for r in new_lines.get(month, [])]
        tables += [table_text("balance", r) for r in new_balances.get(month, [])]
        atomic_write(path, (old.rstrip("\n") + "\n\n" + "\n".join(tables)).encode("utf-8"), inside=root / "journals")
        result.months.append(month)
    return result


def load_decisions(root: Path, account: str) -> list[Decision]:
    path = account_dir(root, account) / "decisions.toml"
    if not path.exists():
        return []
    doc = _read_toml(path, path.relative_to(root).as_posix())
    return [Decision(d.get("action", ""), tuple(d.get("book", ())), tuple(d.get("lines", ())), d.get("by", ""))
            for d in doc.get("decision", [])]


def add_decision(root: Path, account: str, decision: Decision, when: dt.datetime) -> None:
    path = account_dir(root, account) / "decisions.toml"
    old = read_regular(path, "statement").decode("utf-8") if path.exists() else "# cashbook: the accountant's matching decisions, appended\n"
    row = {"action": decision.action, "book": list(decision.book), "lines": list(decision.lines), "time": when.isoformat()}
    if decision.by:
        row["by"] = decision.by
    atomic_write(path, (old.rstrip("\n") + "\n\n" + table_text("decision", row)).encode("utf-8"), inside=root / "journals")


def book_items(entries: list[EntryBase], account: str, voided: dict[str, str]) -> list[BookItem]:
    """Movements on ``account`` in the books, as matching sees them.

    Opening balances are not movements; an entry voided and its void cancel out and
    are left out together.
    """
    voids = set(voided.values())
    items = []
    for e in entries:
        if e.kind == "opening" or e.id in voided or e.id in voids:
            continue
        amount = sum((p.amount for p in e.postings() if p.account == account), ZERO)
        if not amount:
            continue
        refs = tuple(r for r in (getattr(e, n, "") for n in ("cheque", "ref", "slip", "line", "doc")) if r)
        items.append(BookItem(e.id, e.date, amount, e.kind, getattr(e, "method", "transfer"), refs, summary(e)))
    return items
