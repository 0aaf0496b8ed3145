"""`cashbook bank ...`: import statements, match, reconcile, book bank-only charges."""

import re
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import BookOpt, Format, Session, TableOrJsonOpt, begin, fail, now, open_book
from .output import Output, report_command
from .reconciling import bank_month, reconciliation

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


@bank_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Statement file (- reads standard input): CSV/XLS/XLSX of a Chinese bank, generic CSV, OFX, camt.053 (also in a .zip), MT940.")],
    account: AccountOpt,
    format_: Annotated[str, typer.Option("--statement-format", metavar="KIND", help="The file's kind: auto | csv | xls | xlsx | ofx | camt053 | mt940 (-f/--format is the output, as everywhere).")] = "auto",
    profile: Annotated[Optional[str], typer.Option("--profile", help="Chinese bank profile (icbc, ccb, cmb, boc, abc, bocom, spdb, citic, ...) or a bank_formats name from policies.toml.", show_default=False)] = None,
    statement_account: Annotated[Optional[str], typer.Option("--statement-account", help="Import only the file's statements of this account number (or CURRENCY, or NUMBER:CURRENCY).", show_default=False)] = None,
    accept_gaps: Annotated[bool, typer.Option("--accept-gaps", help="Import even where the lines do not explain the opening and closing balances (the gap is recorded), or a file cut short (its whole lines, the cut named).")] = False,
    book: BookOpt = None,
    out_format: Annotated[Format, typer.Option("--format", "-f", "--output-format", help="Output: table, json or csv.")] = Format.table,
):
    """Import a bank statement; re-importing the same or an overlapping file adds nothing.

    The file's account and currency are checked against policies.toml; every line read is
    reported as imported, already present or skipped (with the reason)."""
    import hashlib

    from ..statements import StatementError, parse_statement
    from ..statements.select import ImportRefused, choose, gaps
    from ..store.bankfiles import import_lines
    from ..store.files import book_lock, read_regular

    begin(out_format, book)
    b = open_book(book)
    _bank_account(b, account)
    stdin = str(file) == "-"
    shown = "(stdin)" if stdin else file.name
    try:
        data = sys.stdin.buffer.read() if stdin else read_regular(file, "statement")
    except OSError as exc:
        fail("unreadable", f"cannot read {file}: {exc.strerror}")
    mapping = b.policy.bank_formats.get(profile) if profile else None
    try:
        statements = parse_statement(data, "" if stdin else file.name, format_, None if mapping else profile, mapping, accept_gaps=accept_gaps)
    except StatementError as exc:
        where = f"{shown}:{exc.line}" if exc.line else shown
        fail("bad-statement", f"{where}: {exc.message}; nothing was imported")
    except ValueError as exc:
        fail("bad-option", str(exc))
    acct = b.policy.accounts[account]
    try:
        choice = choose(statements, account, acct.number, acct.currency, statement_account)
    except ImportRefused as exc:
        fail(exc.code, f"{shown}: {exc.message}")
    found_gaps = gaps(choice.statements)
    if found_gaps and not accept_gaps:
        fail("statement-gap", f"{shown}: the lines do not explain the balances the bank states: "
             + "; ".join(map(str, found_gaps)) + "; a line is missing from the file (export it again) or, "
             "if you know why, import with --accept-gaps (the gap is recorded); nothing was imported")
    skipped = [sk for st in choice.statements for sk in st.skipped]
    skip_warnings = {sk.warning for sk in skipped}
    record = {"file": shown, "sha256": hashlib.sha256(data).hexdigest(), "time": now().isoformat(),
              "format": choice.statements[0].format if choice.statements else format_,
              "statement_account": choice.account, "currency": choice.currency,
              "lines_read": sum(len(st.lines) for st in choice.statements) + len(skipped),
              "skipped": len(skipped), "gaps": [str(g) for g in found_gaps]}
    with book_lock(b.root):
        result = import_lines(b.root, account, choice.statements, shown, record)
    warnings = [w for w in result.warnings if w not in skip_warnings]
    warnings += [f"gap accepted: {g}" for g in found_gaps]
    warnings += [f"left out (another account or currency): {a or '(no account number)'} {c}, {n} line(s)"
                 for a, c, n in choice.left_out]
    rows = [{**o, "reason": ""} for o in result.outcomes]
    rows += [{"line": sk.source_line, "date": None, "amount": sk.amount, "uid": "", "ref": "", "memo": sk.memo,
              "status": "skipped", "reason": sk.reason} for sk in skipped]
    rows.sort(key=lambda r: r["line"])
    info = {"account": account, "file": shown, "format": record["format"], "import_id": result.import_id or None,
            "statement_account": choice.account, "currency": choice.currency,
            "lines_read": record["lines_read"], "lines": result.lines, "added": result.added,
            "already_imported": result.skipped, "skipped": len(skipped),
            "skipped_lines": [{"line": r["line"], "amount": r["amount"], "memo": r["memo"], "reason": r["reason"]}
                              for r in rows if r["status"] == "skipped"],
            "gaps": record["gaps"], "checks": choice.notes,
            "from": result.first, "to": result.last, "warnings": warnings}
    from ..render import render_report
    from ..reports.imports import import_report

    render_report(import_report(info, rows), out_format.value, Session.lang)
    from ..render.zh import import_zh

    for w in warnings:
        print(f"提醒：{import_zh(w)}" if Session.lang == "zh" else f"warning: {w}", file=sys.stderr)


@report_command(bank_app, "imports", paper=False)
def imports_cmd(b, out: Output, account: AccountOpt):
    """List the statement imports of an account (id, file, hash, when, lines) — what `bank unimport` can undo."""
    from ..reports.imports import imports_report
    from ..store.bankfiles import load_imports, unrecorded_imports

    _bank_account(b, account)
    recorded = load_imports(b.root, account)
    rows = [{"id": r.get("id"), "file": r.get("file", ""), "sha256": r.get("sha256", ""), "time": r.get("time", ""),
             "format": r.get("format", ""), "statement_account": r.get("statement_account", ""),
             "from": r.get("from"), "to": r.get("to"), "lines_read": r.get("lines_read", 0),
             "imported": r.get("imported", 0), "already_present": r.get("already_present", 0),
             "skipped": r.get("skipped", 0), "gaps": r.get("gaps", []), "recorded": not r.get("unrecorded", False)}
            for r in recorded + unrecorded_imports(b.root, account, recorded)]
    return imports_report(account, rows)


@bank_app.command("unimport")
def unimport_cmd(
    import_id: Annotated[str, typer.Argument(metavar="IMPORT_ID", help="The import's id from `bank imports` (ACCOUNT:N).")],
    book: BookOpt = None,
):
    """Take one import's lines out again, unless a line is matched in a reconciled month or booked as a charge."""
    from ..store.bankfiles import find_import, load_imports, load_statement, remove_import
    from ..store.files import book_lock

    begin("table", book)
    b = open_book(book)
    with book_lock(b.root):
        found = find_import(b.root, b.policy.bank_accounts(), import_id)
        if found is None:
            known = [r.get("id") for a in b.policy.bank_accounts() for r in load_imports(b.root, a)]
            fail("unknown-import", f"{import_id!r} is not a recorded import; recorded: {', '.join(known) or '(none)'} "
                 "(see `cashbook bank imports --account A`)")
        account, record = found
        uids = set(record.get("lines", ()))
        stored = load_statement(b.root, account)
        loaded = b.load()
        blockers = []
        voided = loaded.state.voided
        voids = set(voided.values())
        for e in loaded.order:
            line = getattr(e, "line", "")
            if line in uids and e.id not in voided and e.id not in voids:
                blockers.append(f"line {line} is booked as {e.id} (a bank charge/interest entry; void it first)")
        months = sorted({f"{u[:4]}-{u[4:6]}" for u in uids if re.match(r"\d{8}-", u)})
        for month in months:
            result, _ = reconciliation(b, account, month, loaded, stored)
            if not result.balanced:
                continue
            for m in result.matches:
                for u in m.lines:
                    if u in uids:
                        blockers.append(f"line {u} is matched with {', '.join(m.book)} in {month}, a reconciled month")
        if blockers:
            more = f"; ... and {len(blockers) - 10} more" if len(blockers) > 10 else ""
            fail("import-in-use", f"import {import_id} ({record.get('file', '')}) cannot be taken out: "
                 + "; ".join(blockers[:10]) + more + "; nothing was changed")
        months_changed = remove_import(b.root, account, record)
    months = f" ({', '.join(months_changed)})" if months_changed else ""
    if Session.lang == "zh":
        print(f"已撤销导入 {import_id}（{record.get('file', '')}）：从 {account} 移除 {len(uids)} 行{months}")
    else:
        print(f"removed import {import_id} ({record.get('file', '')}): {len(uids)} line(s) taken out of {account}{months}")


@report_command(bank_app, "reconcile")
def reconcile_cmd(b, out: Output, account: AccountOpt, month: MonthOpt):
    """The bank reconciliation statement (银行存款余额调节表): exit 0 when the adjusted balances agree, 1 when they
    differ; -f pdf prints it in the two-column form to sign.

    Example: cashbook bank reconcile --account icbc --month 2026-10 -f pdf -o 余额调节表-icbc-2026-10.pdf"""
    from ..core.reconcile import statement_covers
    from ..reports.reconcile import missing_statement_report, reconciliation_report

    _bank_account(b, account)
    first, last = bank_month(month)
    result, stored = reconciliation(b, account, month)
    if not statement_covers(first, last, stored.lines, stored.anchors):
        return missing_statement_report(account, month, result.book_balance, b.policy.accounts[account].statement)
    report = reconciliation_report(result, out.lang.value)
    if out.sheet:
        from ..reports.sheets import reconciliation_sheet

        report.sheets = [reconciliation_sheet(result, b.policy, last)]
    return report


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
    print(f"已勾对 {'、'.join(entry)} 与 {'、'.join(line)}" if Session.lang == "zh" else f"matched {', '.join(entry)} with {', '.join(line)}")


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
    print(f"已取消勾对 {'、'.join(line)}" if Session.lang == "zh" else f"unmatched {', '.join(line)}")


@bank_app.command("book-charges")
def book_charges(
    account: AccountOpt,
    month: MonthOpt,
    line: Annotated[Optional[list[str]], typer.Option("--line", help="Only these statement lines (default: fees and interest found by their text).", show_default=False)] = None,
    fee_category: Annotated[str, typer.Option("--fee-category", help="Expense category for bank debits.")] = "bank-fees",
    interest_category: Annotated[str, typer.Option("--interest-category", help="Income category for bank credits.")] = "interest",
    date: Annotated[Optional[str], typer.Option("--date", help="Date of the new entries (default: today; sealed days are refused).", show_default=False)] = None,
    book: BookOpt = None,
    fmt: TableOrJsonOpt = Format.table,
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
        sys.stdout.write(dumps({"schema": "cashbook.bank.book-charges/1", "account": account, "month": month, "recorded": recorded}) + "\n")
    else:
        for r in recorded:
            if Session.lang == "zh":
                print(f"已记账 {r['id']} 银行{'收入' if r['direction'] == 'credit' else '支出'} {r['amount']}（{r['category']}），对账单行 {r['line']}")
            else:
                print(f"recorded {r['id']} bank {r['direction']} {r['amount']} ({r['category']}) for line {r['line']}")
        if not recorded:
            print("没有要记的：没有未入账的手续费或利息行（其他行用 --line UID 指定）" if Session.lang == "zh" else
                  "nothing to book: no unbooked fee or interest lines (name others with --line UID)")
