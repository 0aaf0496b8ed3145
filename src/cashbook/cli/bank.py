"""`cashbook bank ...`: import statements, match, reconcile, book bank-only charges."""

import re
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import BookOpt, Format, FormatOpt, Lang, LangOpt, begin, fail, now, open_book

bank_app = typer.Typer(help="Bank statements: import, reconcile (银行存款余额调节表), match, book charges.", no_args_is_help=True)
AccountOpt = Annotated[str, typer.Option("--account", help="Bank account key from policies.toml.")]
MonthOpt = Annotated[str, typer.Option("--month", help="YYYY-MM.")]
FEE_WORDS = re.compile(r"手续费|工本费|年费|管理费|短信|汇费|服务费|fee|charge|commission", re.I)
INTEREST_WORDS = re.compile(r"利息|结息|interest", re.I)


def _bank_account(book, account: str) -> None:
    acct = book.policy.accounts.get(account)
    if acct is None or acct.type != "bank":
        banks = ", ".join(book.policy.bank_accounts()) or "(none: add one to policies.toml)"
        fail("unknown-account", f"--account {account!r} is not a bank account of this book; bank accounts: {banks}")


def _month(text: str):
    from ..core.close import month_bounds

    try:
        return month_bounds(text)
    except ValueError as exc:
        fail("bad-option", f"--month {exc}")


@bank_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Statement file: CSV/XLS of a Chinese bank, generic CSV, OFX, camt.053, MT940.")],
    account: AccountOpt,
    format_: Annotated[str, typer.Option("--format", help="auto | csv | xls | ofx | camt053 | mt940.")] = "auto",
    profile: Annotated[Optional[str], typer.Option("--profile", help="Chinese bank profile (icbc, ccb, cmb, boc, abc, bocom, ...) or a bank_formats name from policies.toml.", show_default=False)] = None,
    book: BookOpt = None,
    out_format: Annotated[Format, typer.Option("--output-format", "-f", help="table or json.")] = Format.table,
    accept_gaps: Annotated[bool, typer.Option("--accept-gaps", help="Import a file cut short (a partial download): its whole lines, with the cut named.")] = False,
):
    """Import a bank statement; re-importing the same or an overlapping file adds nothing."""
    from ..render import dumps
    from ..statements import StatementError, parse_statement
    from ..store.bankfiles import import_lines
    from ..store.files import book_lock, read_regular

    begin(out_format, book)
    b = open_book(book)
    _bank_account(b, account)
    try:
        data = read_regular(file, "statement")
    except OSError as exc:
        fail("unreadable", f"cannot read {file}: {exc.strerror}")
    mapping = b.policy.bank_formats.get(profile) if profile else None
    try:
        statements = parse_statement(data, file.name, format_, None if mapping else profile, mapping, accept_gaps=accept_gaps)
    except StatementError as exc:
        where = f"{file}:{exc.line}" if exc.line else str(file)
        fail("bad-statement", f"{where}: {exc.message}; nothing was imported")
    except ValueError as exc:
        fail("bad-option", str(exc))
    with book_lock(b.root):
        result = import_lines(b.root, account, statements, file.name)
    info = {"account": account, "file": str(file), "format": statements[0].format if statements else format_,
            "lines": result.lines, "added": result.added, "already_imported": result.skipped,
            "from": result.first, "to": result.last, "warnings": result.warnings}
    if out_format == Format.json:
        sys.stdout.write(dumps(info) + "\n")
    else:
        print(f"imported {result.added} new line(s) of {result.lines} into {account} "
              f"({result.skipped} already imported), {result.first} to {result.last}")
        for w in result.warnings:
            print(f"warning: {w}", file=sys.stderr)


def reconciliation(b, account: str, month: str, loaded=None, stored=None):
    """Build the reconciliation of ``account`` for ``month`` from the book and stored statement."""
    from ..core.money import ZERO
    from ..core.reconcile import reconcile, statement_balance_at
    from ..store.bankfiles import book_items, load_decisions, load_statement

    first, last = _month(month)
    loaded = loaded or b.load()
    stored = stored or load_statement(b.root, account)
    items = book_items(loaded.order, account, loaded.state.voided)
    book_balance = sum((p.amount for e in loaded.order if e.date <= last for p in e.postings() if p.account == account), ZERO)
    opening = sum((e.amount for e in loaded.order if e.kind == "opening" and e.account == account and e.date <= last), ZERO)
    balance, source = statement_balance_at(last, stored.lines, stored.anchors, opening)
    return reconcile(account, month, last, book_balance, balance, source, items, stored.lines, load_decisions(b.root, account)), stored


@bank_app.command("reconcile")
def reconcile_cmd(
    account: AccountOpt,
    month: MonthOpt,
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """The bank reconciliation statement: exit 0 when the adjusted balances agree, 1 when they differ."""
    from ..reports.reconcile import reconciliation_report
    from .report import show

    begin(fmt, book)
    b = open_book(book)
    _bank_account(b, account)
    result, stored = reconciliation(b, account, month)
    if not stored.lines:
        fail("no-statement", f"no statement imported for {account}; run `cashbook bank import FILE --account {account}` first")
    show(reconciliation_report(result), fmt, lang)


@bank_app.command("match")
def match_cmd(
    account: AccountOpt,
    entry: Annotated[list[str], typer.Option("--entry", help="Book entry id; repeat for several.")],
    line: Annotated[list[str], typer.Option("--line", help="Statement line id; repeat for several.")],
    by: Annotated[str, typer.Option("--by", help="Who decided.")] = "",
    book: BookOpt = None,
):
    """Match book entries with statement lines by hand (amounts must agree)."""
    from ..core.money import ZERO
    from ..core.reconcile import Decision
    from ..store.bankfiles import add_decision, book_items, load_statement
    from ..store.files import book_lock

    begin("table", book)
    b = open_book(book)
    _bank_account(b, account)
    with book_lock(b.root):
        loaded = b.load()
        items = {i.id: i for i in book_items(loaded.order, account, loaded.state.voided)}
        lines = {l.uid: l for l in load_statement(b.root, account).lines}
        for e in entry:
            if e not in items:
                fail("unknown-entry", f"--entry {e!r} is not a movement on {account}")
        for u in line:
            if u not in lines:
                fail("unknown-line", f"--line {u!r} is not a statement line of {account}; see `cashbook bank reconcile`")
        left = sum((items[e].amount for e in entry), ZERO)
        right = sum((lines[u].amount for u in line), ZERO)
        if left != right:
            fail("match-mismatch", f"the book side totals {left} but the statement side {right}; a match must agree to the cent")
        add_decision(b.root, account, Decision("match", tuple(entry), tuple(line), by), now())
    print(f"matched {', '.join(entry)} with {', '.join(line)}")


@bank_app.command("unmatch")
def unmatch_cmd(
    account: AccountOpt,
    line: Annotated[list[str], typer.Option("--line", help="Statement line id to keep unmatched; repeat for several.")],
    by: Annotated[str, typer.Option("--by", help="Who decided.")] = "",
    book: BookOpt = None,
):
    """Undo a match and keep the statement line(s) unmatched until matched by hand."""
    from ..core.reconcile import Decision
    from ..store.bankfiles import add_decision, load_statement
    from ..store.files import book_lock

    begin("table", book)
    b = open_book(book)
    _bank_account(b, account)
    with book_lock(b.root):
        known = {l.uid for l in load_statement(b.root, account).lines}
        for u in line:
            if u not in known:
                fail("unknown-line", f"--line {u!r} is not a statement line of {account}")
        add_decision(b.root, account, Decision("unmatch", (), tuple(line), by), now())
    print(f"unmatched {', '.join(line)}")


@bank_app.command("book-charges")
def book_charges(
    account: AccountOpt,
    month: MonthOpt,
    line: Annotated[Optional[list[str]], typer.Option("--line", help="Only these statement lines (default: fees and interest found by their text).", show_default=False)] = None,
    fee_category: Annotated[str, typer.Option("--fee-category", help="Expense category for bank debits.")] = "bank-fees",
    interest_category: Annotated[str, typer.Option("--interest-category", help="Income category for bank credits.")] = "interest",
    date: Annotated[Optional[str], typer.Option("--date", help="Date of the new entries (default: today; sealed days are refused).", show_default=False)] = None,
    book: BookOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
):
    """Book bank-only items the accountant accepts (fees 银付企未付, interest 银收企未收) in one step."""
    from ..core.rules import check_entry
    from ..render import dumps
    from .common import entry_time

    begin(fmt, book)
    b = open_book(book)
    _bank_account(b, account)
    result, _ = reconciliation(b, account, month)
    pending = result.bank_credits_not_booked + result.bank_debits_not_booked
    if line:
        wanted = set(line)
        unknown = wanted - {p["line"] for p in pending}
        if unknown:
            fail("unknown-line", f"not an unbooked statement line of {account} in {month}: {', '.join(sorted(unknown))}")
        chosen = [p for p in pending if p["line"] in wanted]
    else:
        chosen = [p for p in pending if (FEE_WORDS if p in result.bank_debits_not_booked else INTEREST_WORDS).search(p["memo"] or "")]
    when = entry_time(date, None, b.policy)
    recorded = []
    for p in chosen:
        credit = p in result.bank_credits_not_booked
        draft = {"kind": "bank-entry", "time": when, "account": account, "amount": p["amount"],
                 "direction": "credit" if credit else "debit", "category": interest_category if credit else fee_category,
                 "line": p["line"], "memo": f"{p['date']} {p['memo']}".strip()}
        entry, state, _ = b.record(draft, today=now().date(), checker=check_entry)
        recorded.append({"id": entry.id, "line": p["line"], "direction": draft["direction"], "amount": p["amount"],
                         "category": draft["category"], "balance": state.balance(account)})
    if fmt == Format.json:
        sys.stdout.write(dumps({"account": account, "month": month, "recorded": recorded}) + "\n")
    else:
        for r in recorded:
            print(f"recorded {r['id']} bank {r['direction']} {r['amount']} ({r['category']}) for line {r['line']}")
        if not recorded:
            print("nothing to book: no unbooked fee or interest lines (name others with --line UID)")


def month_status(book, month: str) -> list[dict]:
    """Each bank account with a statement: is its reconciliation for ``month`` balanced?"""
    from ..core.money import fmt_grouped

    from ..store.bankfiles import load_statement

    out, loaded = [], None
    for account in book.policy.bank_accounts():
        stored = load_statement(book.root, account)
        if not stored.lines:
            out.append({"account": account, "balanced": None, "status": "no statement imported yet"})
            continue
        loaded = loaded or book.load()
        result, stored = reconciliation(book, account, month, loaded, stored)
        status = "reconciled, balanced" if result.balanced else f"not reconciled: difference {fmt_grouped(result.difference)}"
        out.append({"account": account, "balanced": result.balanced, "status": status, "difference": result.difference})
    return out
