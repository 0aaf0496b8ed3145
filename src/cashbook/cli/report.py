"""`cashbook report ...`: journal, balances and the registers, as table, JSON or CSV."""

import datetime as dt
from typing import Annotated, Optional

import typer

from .common import BookOpt, Format, FormatOpt, Lang, LangOpt, begin, now, open_book, parse_date, today

report_app = typer.Typer(help="Reports: journal, balances, advances, deposits, cheques, receipts, exceptions.", no_args_is_help=True)

FromOpt = Annotated[Optional[str], typer.Option("--from", help="First day, YYYY-MM-DD.", show_default=False)]
ToOpt = Annotated[Optional[str], typer.Option("--to", help="Last day, YYYY-MM-DD.", show_default=False)]
AsOfOpt = Annotated[Optional[str], typer.Option("--date", help="As of this day (default: today).", show_default=False)]


def show(report, fmt: Format, lang: Lang) -> None:
    from ..render import render_report

    render_report(report, fmt.value, lang.value)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def _state_as_of(book, day):
    """The book state at the end of ``day`` (from the cache's snapshots: no full replay)."""
    return book.state_before(day + dt.timedelta(days=1))


@report_app.command("journal")
def journal(
    account: Annotated[Optional[list[str]], typer.Option("--account", help="Account key; repeat for several (default: all).", show_default=False)] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """Cash and bank journals (现金/银行存款日记账) with running balances."""
    from ..reports.journal import journal_report
    from .common import fail

    begin(fmt, book)
    b = open_book(book)
    first = parse_date(start, "--from") if start else None
    last = parse_date(end, "--to") if end else None
    for a in account or []:
        if a not in b.policy.accounts:
            fail("unknown-account", f"--account {a!r} is not in policies.toml; accounts: {', '.join(b.policy.accounts)}")
    loaded = b.load()
    show(journal_report(loaded.order, b.policy, account, first, last), fmt, lang)


@report_app.command("balances")
def balances(
    date: AsOfOpt = None,
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """Balance of every cash and bank account."""
    begin(fmt, book)
    b = open_book(book)
    show(balances_of(b, parse_date(date)), fmt, lang)


def balances_of(b, day: dt.date):
    """One book's balances report (also a column of `cashbook company report balances`)."""
    from ..reports.journal import balances_report

    return balances_report(_state_as_of(b, day).balances, b.policy, day)


@report_app.command("advances")
def advances(
    date: AsOfOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Include settled advances.")] = False,
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """Staff advances open and overdue (overdue ones are receivables)."""
    begin(fmt, book)
    b = open_book(book)
    show(advances_of(b, parse_date(date), all_), fmt, lang)


def advances_of(b, day: dt.date, all_: bool = False):
    from ..reports.registers import advances_report

    return advances_report(_state_as_of(b, day), b.policy, day, all_)


@report_app.command("deposits")
def deposits(
    date: AsOfOpt = None,
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """Merchant deposits held, by type and merchant."""
    begin(fmt, book)
    b = open_book(book)
    show(deposits_of(b, parse_date(date)), fmt, lang)


def deposits_of(b, day: dt.date):
    from ..reports.registers import deposits_report

    return deposits_report(_state_as_of(b, day), b.policy, day)


@report_app.command("compensation")
def compensation(
    date: AsOfOpt = None,
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """先行赔付 Compensation paid in advance not yet recovered, and what to withhold from wages."""
    from ..reports.registers import compensation_report

    begin(fmt, book)
    b = open_book(book)
    day = parse_date(date)
    show(compensation_report(_state_as_of(b, day), b.policy, day), fmt, lang)


@report_app.command("cheques")
def cheques(
    start: FromOpt = None,
    end: ToOpt = None,
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """The cheque register: issued, voided, outstanding."""
    begin(fmt, book)
    b = open_book(book)
    show(cheques_of(b, parse_date(start, "--from") if start else None, parse_date(end, "--to") if end else None), fmt, lang)


def cheques_of(b, first: dt.date | None, last: dt.date | None):
    from ..reports.registers import cheques_report

    loaded = b.load()
    return cheques_report(loaded.order, loaded.state, cleared_entries(b, loaded), first, last)


def cleared_entries(book, loaded) -> set[str]:
    """Entries matched to a bank statement line (a cheque that has cleared)."""
    from ..store.bankfiles import load_statement
    from .bank import reconciliation

    month = f"{now():%Y-%m}"
    cleared: set[str] = set()
    for account in book.policy.bank_accounts():
        stored = load_statement(book.root, account)
        if stored.lines:
            result, _ = reconciliation(book, account, month, loaded, stored)
            cleared.update(i for m in result.matches for i in m.book)
    return cleared


@report_app.command("receipts")
def receipts(
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """Receipt numbers used and gaps in their sequences (exit 1 on a gap)."""
    from ..reports.registers import receipts_report

    begin(fmt, book)
    b = open_book(book)
    show(receipts_report(b.load().state), fmt, lang)


@report_app.command("unsigned")
def unsigned(
    date: AsOfOpt = None,
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """待补签 Entries a deputy approved that await the holder's signature (`cashbook sign`)."""
    from ..reports.registers import unsigned_report

    begin(fmt, book)
    b = open_book(book)
    day = parse_date(date)
    show(unsigned_report(_state_as_of(b, day), day), fmt, lang)


@report_app.command("receipt-books")
def receipt_books(
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """收据领取台帐 Receipt books issued to tills: range, used, spoiled, unused, returned."""
    from ..reports.registers import receipt_books_report

    begin(fmt, book)
    b = open_book(book)
    show(receipt_books_report(b.load().state), fmt, lang)


@report_app.command("handovers")
def handovers(
    start: FromOpt = None,
    end: ToOpt = None,
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """收款交接台帐 The till hand-over log: time, till, amount, giver, receiver."""
    from ..reports.registers import handovers_report

    begin(fmt, book)
    b = open_book(book)
    show(handovers_report(b.load().state, parse_date(start, "--from") if start else None,
                          parse_date(end, "--to") if end else None), fmt, lang)


@report_app.command("exceptions")
def exceptions(
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """Rule exceptions: warnings and overrides recorded, and any violations (exit 1 on a violation)."""
    from ..core.rules import book_checks, check_entry
    from ..reports.registers import exceptions_report

    begin(fmt, book)
    b = open_book(book)
    loaded = b.load(checker=check_entry)
    found = loaded.problems + book_checks(loaded.state, b.policy, loaded.where)
    rule_problems = [p for p in found if "rule" in p.data or p.code == "day-sealed"]
    show(exceptions_report(rule_problems, loaded.state.entries), fmt, lang)


@report_app.command("day")
def day(
    date: Annotated[Optional[str], typer.Argument(help="YYYY-MM-DD (default: today).", show_default=False)] = None,
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """The daily close report without sealing (exit 1 while the day is open or something is wrong)."""
    begin(fmt, book)
    b = open_book(book)
    show(day_of(b, parse_date(date, "DATE")), fmt, lang)


def day_of(b, day: dt.date):
    from ..core.rules import check_entry
    from ..reports.close import day_report
    from ..store.book import close_day_in_book

    return day_report(close_day_in_book(b, day, now(), check_entry, seal=False))


@report_app.command("month")
def month(
    month_: Annotated[str, typer.Argument(metavar="YYYY-MM", help="The month.")],
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
    require_sealed: Annotated[bool, typer.Option(hidden=True)] = False,
):
    """Month report: accounts, categories, registers, exceptions and a chart of daily cash (exit 1 on a control failure)."""
    from ..core.close import month_bounds
    from ..core.problems import CashbookError, Problem
    from .common import fail

    begin(fmt, book)
    b = open_book(book)
    try:
        first, last = month_bounds(month_)
    except ValueError as exc:
        fail("bad-option", str(exc))
    if require_sealed:  # `close month`: only a month that is over
        current = today()
        if current <= last:
            raise CashbookError(Problem("period-not-over", f"{month_} is not over: today is {current} on the book's clock and "
                                        f"the month ends on {last}; close it after that day "
                                        f"(`cashbook report month {month_}` shows it so far)",
                                        data={"today": current, "last_day": last}), exit_code=2)
    report = month_of(b, month_)
    unsealed = report.data["unsealed_days"]
    refused = []
    if require_sealed and unsealed:
        refused.append(Problem("days-open", f"{month_} has days not closed: {', '.join(str(d) for d in unsealed)}; "
                               "close them with `cashbook close day DATE` first", data={"days": unsealed}))
    if require_sealed:  # a bank month without its statement is not a closed month
        refused += [Problem("statement-missing", f"{r['account']}: {r['status']}", data={"account": r["account"]})
                    for r in report.data["reconciliation"] if r.get("code") == "statement-missing"]
    if refused:
        raise CashbookError(refused, exit_code=1)
    show(report, fmt, lang)


def month_of(b, month_: str):
    """One book's month report (also a column of `cashbook company report month`)."""
    from ..core.close import month_bounds
    from ..core.rules import book_checks, check_entry
    from ..reports.close import month_report
    from ..reports.model import Column, Report, Table
    from ..reports.registers import add_unsigned
    from ..store.book import receipt_neighbours
    from .common import fail

    try:
        first, last = month_bounds(month_)
    except ValueError as exc:
        fail("bad-option", str(exc))

    def compute():
        view = b.period(first, last, checker=check_entry)
        unsealed = [d for d in view.unsealed if d >= first]
        used = [e.doc for e in view.entries if e.kind in ("receipt", "collection", "deposit-hold") and e.doc]
        gaps = book_checks(view.state, b.policy, view.where, period=(used, receipt_neighbours(view.state.receipt_numbers)))
        return add_unsigned(month_report(month_, first, last, view.opening, view.entries, view.state, b.policy, view.problems,
                                         unsealed, gaps, reconciliation_status(b, month_)), view.state, last)

    return b.remembered(f"month {month_}", compute, types=(Report, Table, Column))


def _month_like(b, label: str, first, last, reconciliation: list[dict]):
    """The month report's figures over ``first``..``last`` (a month, a quarter, a year)."""
    from ..core.rules import book_checks, check_entry
    from ..reports.close import month_report
    from ..store.book import receipt_neighbours

    view = b.period(first, last, checker=check_entry)
    unsealed = [d for d in view.unsealed if d >= first]
    used = [e.doc for e in view.entries if e.kind in ("receipt", "collection", "deposit-hold") and e.doc]
    gaps = book_checks(view.state, b.policy, view.where, period=(used, receipt_neighbours(view.state.receipt_numbers)))
    from ..reports.registers import add_unsigned

    return add_unsigned(month_report(label, first, last, view.opening, view.entries, view.state, b.policy, view.problems,
                                     unsealed, gaps, reconciliation), view.state, last)


def _period_command(kind: str, label: str, book, fmt: Format, lang: Lang) -> None:
    from ..core.close import month_bounds
    from ..reports.periods import months_of, period_report, quarter_bounds, year_bounds
    from .common import fail

    begin(fmt, book)
    b = open_book(book)
    try:
        first, last = (quarter_bounds if kind == "quarter" else year_bounds)(label)
    except ValueError as exc:
        fail("bad-option", str(exc))
    months = []
    reconciliation = []
    for m in months_of(first, last):
        status = [{**r, "month": m, "status": f"{m}: {r['status']}"} for r in reconciliation_status(b, m)]
        reconciliation += status
        months.append(_month_like(b, m, *month_bounds(m), status))
    whole = _month_like(b, label, first, last, reconciliation)
    show(period_report(kind, label, whole, months), fmt, lang)


@report_app.command("quarter")
def quarter(
    quarter_: Annotated[str, typer.Argument(metavar="YYYY-QN", help="The quarter, e.g. 2026-Q4.")],
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """季报 Quarter report: the month report over three months, with a line per month (exit 1 on a control failure)."""
    _period_command("quarter", quarter_, book, fmt, lang)


@report_app.command("year")
def year(
    year_: Annotated[str, typer.Argument(metavar="YYYY", help="The year, e.g. 2026.")],
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """年报 Annual report: the month report over twelve months, with a line per month (exit 1 on a control failure)."""
    _period_command("year", year_, book, fmt, lang)


def reconciliation_status(book, month_: str) -> list[dict]:
    """Each bank account's reconciliation status for the month."""
    from .bank import month_status

    return month_status(book, month_)
