"""`cashbook report ...`: journal, balances and the registers, as table, JSON or CSV."""

import datetime as dt
from typing import Annotated, Optional

import typer

from .common import AsOfOpt, FromOpt, ToOpt, now, parse_date, today
from .output import Output, report_command
from .reconciling import cleared_entries, month_status

report_app = typer.Typer(help="Reports: journal, balances, advances, deposits, cheques, receipts, exceptions.", no_args_is_help=True)


def _state_as_of(book, day):
    """The book state at the end of ``day`` (from the cache's snapshots: no full replay)."""
    return book.state_before(day + dt.timedelta(days=1))


@report_command(report_app, "journal")
def journal(
    b, out: Output,
    account: Annotated[Optional[list[str]], typer.Option("--account", help="Account key; repeat for several (default: all).", show_default=False)] = None,
    start: FromOpt = None,
    end: ToOpt = None,
):
    """Cash and bank journals (现金/银行存款日记账) with running balances; -f pdf prints them with 对方科目 and
    承前页/过次页 on each page.

    Example: cashbook report journal --account cash --from 2026-10-01 --to 2026-10-31 -f pdf -o 现金日记账.pdf"""
    from ..reports.journal import journal_report
    from .common import fail

    first = parse_date(start, "--from") if start else None
    last = parse_date(end, "--to") if end else None
    for a in account or []:
        if a not in b.policy.accounts:
            fail("unknown-account", f"--account {a!r} is not in policies.toml; accounts: {', '.join(b.policy.accounts)}")
    if first is not None and (last is None or last >= first):  # the balances at its start and the range's days only
        opening, entries = b.between(first, last or dt.date.max)
    else:
        opening, entries = None, b.load().order
    report = journal_report(entries, b.policy, account, first, last, out.lang.value, opening)
    if out.sheet:
        from ..reports.sheets import journal_sheets

        report.sheets = journal_sheets(report.data, entries, b.policy)
    return report


@report_command(report_app, "balances")
def balances(
    b, out: Output,
    date: AsOfOpt = None,
):
    """Balance of every cash and bank account."""
    return balances_of(b, parse_date(date))


def balances_of(b, day: dt.date):
    """One book's balances report (also a column of `cashbook company report balances`)."""
    from ..reports.journal import balances_report

    return balances_report(_state_as_of(b, day).balances, b.policy, day)


@report_command(report_app, "advances")
def advances(
    b, out: Output,
    date: AsOfOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Include settled advances.")] = False,
):
    """Staff advances open and overdue (overdue ones are receivables)."""
    return advances_of(b, parse_date(date), all_)


def advances_of(b, day: dt.date, all_: bool = False):
    from ..reports.registers import advances_report

    return advances_report(_state_as_of(b, day), b.policy, day, all_)


@report_command(report_app, "deposits")
def deposits(
    b, out: Output,
    date: AsOfOpt = None,
):
    """Merchant deposits held, by type and merchant."""
    return deposits_of(b, parse_date(date))


def deposits_of(b, day: dt.date):
    from ..reports.registers import deposits_report

    return deposits_report(_state_as_of(b, day), b.policy, day)


@report_command(report_app, "compensation")
def compensation(
    b, out: Output,
    date: AsOfOpt = None,
):
    """先行赔付 Compensation paid in advance not yet recovered, and what to withhold from wages."""
    from ..reports.registers import compensation_report

    day = parse_date(date)
    return compensation_report(_state_as_of(b, day), b.policy, day)


@report_command(report_app, "cheques")
def cheques(
    b, out: Output,
    start: FromOpt = None,
    end: ToOpt = None,
):
    """The cheque register: issued, voided, outstanding."""
    return cheques_of(b, parse_date(start, "--from") if start else None, parse_date(end, "--to") if end else None)


def cheques_of(b, first: dt.date | None, last: dt.date | None):
    from ..reports.registers import cheques_report

    loaded = b.load()
    return cheques_report(loaded.order, loaded.state, cleared_entries(b, loaded), first, last)


@report_command(report_app, "receipts")
def receipts(b, out: Output):
    """Receipt numbers used and gaps in their sequences (exit 1 on a gap)."""
    from ..reports.registers import receipts_report

    return receipts_report(b.load().state)


@report_command(report_app, "unsigned")
def unsigned(
    b, out: Output,
    date: AsOfOpt = None,
):
    """待补签 Entries a deputy approved that await the holder's signature (`cashbook sign`)."""
    from ..reports.registers import unsigned_report

    day = parse_date(date)
    return unsigned_report(_state_as_of(b, day), day)


@report_command(report_app, "receipt-books")
def receipt_books(b, out: Output):
    """收据领取台帐 Receipt books issued to tills: range, used, spoiled, unused, returned."""
    from ..reports.registers import receipt_books_report

    return receipt_books_report(b.load().state)


@report_command(report_app, "handovers")
def handovers(
    b, out: Output,
    start: FromOpt = None,
    end: ToOpt = None,
):
    """收款交接台帐 The till hand-over log: time, till, amount, giver, receiver."""
    from ..reports.registers import handovers_report

    return handovers_report(b.load().state, parse_date(start, "--from") if start else None,
                            parse_date(end, "--to") if end else None)


@report_command(report_app, "exceptions")
def exceptions(b, out: Output):
    """Rule exceptions: warnings and overrides recorded, and any violations (exit 1 on a violation)."""
    from ..core.rules import book_checks, check_entry
    from ..reports.registers import exceptions_report

    loaded = b.load(checker=check_entry)
    found = loaded.problems + book_checks(loaded.state, b.policy, loaded.where)
    rule_problems = [p for p in found if "rule" in p.data or p.code == "day-sealed"]
    return exceptions_report(rule_problems, loaded.state.entries)


@report_command(report_app, "day")
def day(
    b, out: Output,
    date: Annotated[Optional[str], typer.Argument(help="YYYY-MM-DD (default: today).", show_default=False)] = None,
):
    """The daily close report without sealing (exit 1 while the day is open or something is wrong); -f pdf prints
    the 现金日报.

    Example: cashbook report day 2026-10-15 -f pdf -o 现金日报-2026-10-15.pdf"""
    return day_of(b, parse_date(date, "DATE"), sheet=out.sheet)


def day_of(b, day: dt.date, sheet: bool = False):
    """One book's day report; with ``sheet``, the printable 现金日报 too (for html/pdf)."""
    from ..core.rules import check_entry
    from ..reports.close import day_report
    from ..store.book import close_day_in_book

    result = close_day_in_book(b, day, now(), check_entry, seal=False)
    report = day_report(result)
    if sheet:
        from ..reports.sheets import day_sheet

        report.sheets = [day_sheet(result, b.policy)]
    return report


@report_command(report_app, "count")
def count_sheet_cmd(
    b, out: Output,
    date: Annotated[Optional[str], typer.Argument(metavar="DATE", help="YYYY-MM-DD (default: today).", show_default=False)] = None,
    account: Annotated[str, typer.Option("--account", metavar="ACCOUNT", help="Cash account counted.")] = "cash",
):
    """现金盘点表 The day's cash count by denomination against the book (账存, 实存, 长款/短款), to sign.

    Example: cashbook report count 2026-10-15 -f pdf -o 现金盘点表-2026-10-15.pdf"""
    from ..core.rules import check_entry
    from ..reports.model import Bi, Column, Report, Table
    from ..reports.sheets import count_sheet
    from ..store.book import close_day_in_book
    from .common import fail

    if account not in b.policy.cash_accounts():
        fail("unknown-account", f"--account {account!r} is not a cash account; cash accounts: {', '.join(b.policy.cash_accounts())}")
    day = parse_date(date, "DATE")
    result = close_day_in_book(b, day, now(), check_entry, seal=False)
    sheet = count_sheet(result, b.policy, account)
    body = sheet.body
    data = {"date": day, "account": account, "counted": body["counted"], "book_balance": body["book_balance"],
            "difference": body["difference"], "overage": body["overage"], "shortage": body["shortage"],
            "counted_words": body["counted_words"], "counted_at": body["time"] or None,
            "denominations": [{"denomination": r["denomination"], "pieces": r["pieces"], "amount": r["amount"]} for r in body["rows"]]}
    cols = [Column("denomination", "Denomination", "面额", "money"), Column("pieces", "Pieces", "张(枚)数", "int"),
            Column("amount", "Amount", "金额", "money")]
    table = Table(cols, data["denominations"], f"Cash count {account} {day}", f"现金盘点表 {account} {day}",
                  totals={"denomination": None, "amount": body["counted"]})
    counted, diff = body['counted'] if body['counted'] is not None else None, body['difference'] if body['difference'] is not None else '-'
    notes = [Bi(f"book 账存 {body['book_balance']}; counted 实存 {counted if counted is not None else '(no count)'}; difference {diff}",
                f"账存 {body['book_balance']}；实存 {counted if counted is not None else '（未盘点）'}；差额 {diff}")]
    return Report(data, [table], notes, exit_code=0 if body["difference"] == 0 else 1, sheets=[sheet])


@report_command(report_app, "month")
def month(
    b, out: Output,
    month_: Annotated[str, typer.Argument(metavar="YYYY-MM", help="The month.")],
    *,
    require_sealed: Annotated[bool, typer.Option(hidden=True)] = False,
):
    """Month report: accounts, categories, registers, exceptions and a chart of daily cash (exit 1 on a control failure);
    -f pdf prints it with the chart of cash on hand against the limit.

    Example: cashbook report month 2026-10 -f pdf -o 月报-2026-10.pdf"""
    from ..core.close import month_bounds
    from ..core.problems import CashbookError, Problem
    from .common import fail

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
    if out.sheet:
        import copy

        from ..reports.sheets import month_sheet

        report = copy.copy(report)  # the remembered report stays as it was
        report.sheets = [month_sheet(report.data, b.policy)]
    return report


def month_of(b, month_: str):
    """One book's month report (also a column of `cashbook company report month`)."""
    from ..core.close import month_bounds
    from ..reports.model import Column, Report, Table
    from .common import fail

    try:
        first, last = month_bounds(month_)
    except ValueError as exc:
        fail("bad-option", str(exc))

    def compute():
        return _month_like(b, month_, first, last, month_status(b, month_))

    from ..reports.model import Bi, ProblemMessage, ProblemNote

    return b.remembered(f"month {month_}", compute, types=(Report, Table, Column, Bi, ProblemNote, ProblemMessage))


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


def _period_report(b, kind: str, label: str):
    from ..core.close import month_bounds
    from ..reports.periods import months_of, period_report, quarter_bounds, year_bounds
    from .common import fail

    try:
        first, last = (quarter_bounds if kind == "quarter" else year_bounds)(label)
    except ValueError as exc:
        fail("bad-option", str(exc))
    months = []
    reconciliation = []
    for m in months_of(first, last):
        status = [{**r, "month": m, "status": f"{m}: {r['status']}"} for r in month_status(b, m)]
        reconciliation += status
        months.append(_month_like(b, m, *month_bounds(m), status))
    whole = _month_like(b, label, first, last, reconciliation)
    return period_report(kind, label, whole, months)


@report_command(report_app, "quarter")
def quarter(
    b, out: Output,
    quarter_: Annotated[str, typer.Argument(metavar="YYYY-QN", help="The quarter, e.g. 2026-Q4.")],
):
    """季报 Quarter report: the month report over three months, with a line per month (exit 1 on a control failure)."""
    return _period_report(b, "quarter", quarter_)


@report_command(report_app, "year")
def year(
    b, out: Output,
    year_: Annotated[str, typer.Argument(metavar="YYYY", help="The year, e.g. 2026.")],
):
    """年报 Annual report: the month report over twelve months, with a line per month (exit 1 on a control failure)."""
    return _period_report(b, "year", year_)
