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

from ..core.describe import summary_bi
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
    skipped: int = 0  # lines already stored (by an earlier import)
    lines: int = 0
    months: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    first: dt.date | None = None
    last: dt.date | None = None
    outcomes: list[dict] = field(default_factory=list)  # per line read: line, date, amount, uid, status
    added_uids: list[str] = field(default_factory=list)
    added_balances: list[str] = field(default_factory=list)  # "YYYY-MM-DD amount"
    import_id: str = ""


def import_lines(root: Path, account: str, statements, source: str, record: dict | None = None) -> ImportResult:
    """Add the statements' lines not yet stored (the caller holds the book lock).

    With ``record`` (file, sha256, time, ...), an import that adds anything is listed in
    ``imports.toml`` with the lines and balances it added, so that it can be undone."""
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
            outcome = {"line": sl.source_line, "date": sl.date, "amount": sl.amount, "uid": uid,
                       "ref": sl.ref, "memo": sl.memo}
            result.outcomes.append(outcome)
            if uid in known:
                result.skipped += 1
                outcome["status"] = "already present"
                continue
            outcome["status"] = "imported"
            result.added_uids.append(uid)
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
                result.added_balances.append(f"{date} {fmt(amount)}")
    folder = account_dir(root, account)
    if record is not None and (result.added_uids or result.added_balances):
        result.import_id = _add_import(root, account, record, result)
    for month in sorted(set(new_lines) | set(new_balances)):
        path = folder / f"{month}.toml"
        old = read_regular(path, "statement").decode("utf-8") if path.exists() else (
            f"# cashbook: statement lines of {account} for {month}, as imported (do not edit; re-import is idempotent)\n")
        tables = [table_text("line", r) for r in new_lines.get(month, [])]
        tables += [table_text("balance", r) for r in new_balances.get(month, [])]
        atomic_write(path, (old.rstrip("\n") + "\n\n" + "\n".join(tables)).encode("utf-8"), inside=root / "journals")
        result.months.append(month)
    return result


IMPORTS = "imports.toml"


def load_imports(root: Path, account: str) -> list[dict]:
    """The recorded imports of ``account``, oldest first (each: id, file, sha256, time, lines, ...)."""
    path = account_dir(root, account) / IMPORTS
    if not path.exists():
        return []
    shown = path.relative_to(root).as_posix()
    rows = _read_toml(path, shown).get("import", [])
    for row in rows if isinstance(rows, list) else [None]:
        ok = isinstance(row, dict) and isinstance(row.get("id"), str) and all(
            isinstance(row.get(k, []), list) and all(isinstance(v, str) for v in row.get(k, []))
            for k in ("lines", "balances"))
        if not ok:
            raise CashbookError(Problem("bad-statement-store", f"an import record in {shown} is damaged (each needs an "
                                        "id and lists of line ids and balances); restore it from git", file=shown))
    return list(rows)


def _add_import(root: Path, account: str, record: dict, result: ImportResult) -> str:
    path = account_dir(root, account) / IMPORTS
    done = load_imports(root, account)
    number = 1 + max((int(str(r.get("id", "")).rpartition(":")[2]) for r in done
                      if str(r.get("id", "")).rpartition(":")[2].isdigit()), default=0)
    import_id = f"{account}:{number}"
    row = {"id": import_id, **{k: v for k, v in record.items() if v not in (None, "", [])},
           "from": result.first, "to": result.last, "imported": result.added,
           "already_present": result.skipped, "lines": result.added_uids}
    if result.added_balances:
        row["balances"] = result.added_balances
    row = {k: v for k, v in row.items() if v is not None}
    old = path.read_text(encoding="utf-8") if path.exists() else (
        "# cashbook: statement imports of this account, appended (`cashbook bank unimport ID` removes one)\n")
    atomic_write(path, (old.rstrip("\n") + "\n\n" + table_text("import", row)).encode("utf-8"), inside=root / "journals")
    return import_id


def unrecorded_imports(root: Path, account: str, recorded: list[dict]) -> list[dict]:
    """Lines stored before imports were recorded (or by a tool that does not record them),
    grouped by the file they came from, as records with the id ``ACCOUNT:@FILE``."""
    known = {u for r in recorded for u in r.get("lines", ())}
    known_bal = {(r.get("file", ""), b) for r in recorded for b in r.get("balances", ())}
    groups: dict[str, dict] = {}
    folder = account_dir(root, account)
    for path in sorted(folder.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].toml")) if folder.is_dir() else ():
        doc = _read_toml(path, path.relative_to(root).as_posix())
        for row in doc.get("line", []):
            uid, source = row.get("uid", ""), str(row.get("source", "")).rpartition(":")[0]
            if uid and uid not in known:
                g = groups.setdefault(source, {"lines": [], "balances": [], "dates": []})
                g["lines"].append(uid)
                g["dates"].append(row.get("date"))
        for row in doc.get("balance", []):
            source, key = str(row.get("source", "")), f"{row.get('date')} {row.get('amount')}"
            if (source, key) not in known_bal:
                groups.setdefault(source, {"lines": [], "balances": [], "dates": []})["balances"].append(key)
    out = []
    for source, g in groups.items():
        dates = [d for d in g["dates"] if d is not None]
        out.append({"id": f"{account}:@{source}", "file": source, "sha256": "", "time": "", "unrecorded": True,
                    "from": min(dates, default=None), "to": max(dates, default=None), "lines_read": len(g["lines"]),
                    "imported": len(g["lines"]), "already_present": 0, "skipped": 0,
                    "lines": g["lines"], "balances": g["balances"]})
    return out


def find_import(root: Path, accounts, import_id: str) -> tuple[str, dict] | None:
    """(account, record) of the import ``import_id`` ("ACCOUNT:N", or "ACCOUNT:@FILE" for lines
    stored without a record) among ``accounts``."""
    account, _, rest = import_id.partition(":")
    for a in accounts:
        if a == account:
            recorded = load_imports(root, a)
            candidates = unrecorded_imports(root, a, recorded) if rest.startswith("@") else recorded
            for r in candidates:
                if r.get("id") == import_id:
                    return a, r
    return None


def remove_import(root: Path, account: str, record: dict) -> list[str]:
    """Take one import's lines and balances out of the stored statement and drop its record;
    returns the months rewritten (the caller holds the lock and has checked nothing depends on them)."""
    uids = set(record.get("lines", ()))
    balances = {tuple(b.split(" ", 1)) for b in record.get("balances", ())}
    source = record.get("file", "")
    folder = account_dir(root, account)
    months = []
    for path in sorted(folder.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].toml")):
        doc = _read_toml(path, path.relative_to(root).as_posix())
        lines = doc.get("line", [])
        bals = doc.get("balance", [])
        keep_lines = [r for r in lines if r.get("uid") not in uids]
        keep_bals = []
        for r in bals:
            key = (str(r.get("date")), str(r.get("amount")))
            if key in balances and r.get("source", "") == source:
                balances.discard(key)
                continue
            keep_bals.append(r)
        if len(keep_lines) == len(lines) and len(keep_bals) == len(bals):
            continue
        months.append(path.stem)
        if not keep_lines and not keep_bals:
            path.unlink()
            continue
        head = path.read_text(encoding="utf-8").split("\n", 1)[0]
        head = head + "\n" if head.startswith("#") else ""
        tables = [table_text("line", r) for r in keep_lines] + [table_text("balance", r) for r in keep_bals]
        atomic_write(path, (head + "\n" + "\n".join(tables)).encode("utf-8"), inside=root / "journals")
    path = folder / IMPORTS
    if record.get("unrecorded"):
        return months
    rest = [r for r in load_imports(root, account) if r.get("id") != record.get("id")]
    head = "# cashbook: statement imports of this account, appended (`cashbook bank unimport ID` removes one)\n"
    atomic_write(path, (head + "".join("\n" + table_text("import", r) for r in rest)).encode("utf-8"), inside=root / "journals")
    return months


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


def book_items(entries: list[EntryBase], account: str, voided: dict[str, str], upto: dt.date | None = None) -> list[BookItem]:
    """Movements on ``account`` in the books, as matching sees them.

    Opening balances are not movements; an entry voided and its void cancel out and
    are left out together, once the void is in the book: seen at ``upto`` (a month
    end), an entry voided only after it is still a movement of the book at that date.
    """
    if upto is not None:
        void_dates = {e.id: e.date for e in entries if e.kind == "void"}
        voided = {t: v for t, v in voided.items() if void_dates.get(v, dt.date.max) <= upto}
    voids = set(voided.values())
    items = []
    for e in entries:
        if e.kind == "opening" or e.id in voided or e.id in voids:
            continue
        amount = sum((p.amount for p in e.postings() if p.account == account), ZERO)
        if not amount:
            continue
        refs = tuple(r for r in (getattr(e, n, "") for n in ("cheque", "ref", "slip", "line", "doc")) if r)
        items.append(BookItem(e.id, e.date, amount, e.kind, getattr(e, "method", "transfer"), refs, summary_bi(e)))
    return items


def reconciliation(book, account: str, month: str, loaded=None, stored=None):
    """The reconciliation of ``account`` for ``month`` (``YYYY-MM``, valid) from the book (as
    ``loaded``, else loaded now) and its stored statement (``stored``, else read now), and
    that statement."""
    from ..core.balances import balance_at, opening_balance
    from ..core.close import month_bounds
    from ..core.reconcile import reconcile, statement_balance_at

    _, last = month_bounds(month)
    loaded = loaded or book.load()
    stored = stored or load_statement(book.root, account)
    items = book_items(loaded.order, account, loaded.state.voided, last)
    book_balance = balance_at(loaded.order, account, last)
    opening = opening_balance(loaded.order, account, last)
    balance, source = statement_balance_at(last, stored.lines, stored.anchors, opening)
    return reconcile(account, month, last, book_balance, balance, source, items, stored.lines, load_decisions(book.root, account)), stored
