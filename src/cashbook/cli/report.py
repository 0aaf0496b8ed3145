"""`cashbook report ...`: journal, balances and the registers, as table, JSON or CSV."""

import datetime as dt
from typing import Annotated, Optional

import typer

from .common import (BookOpt, Encoding, EncodingOpt, Format, FormatOpt, Lang, LangOpt, OutputDirOpt, OutputOpt, PaperFormat,
                     PaperFormatOpt, SectionOpt, begin, now, open_book, parse_date, today)

report_app = typer.Typer(help="Reports: journal, balances, advances, deposits, cheques, receipts, exceptions.", no_args_is_help=True)

FromOpt = Annotated[Optional[str], typer.Option("--from", help="First day, YYYY-MM-DD.", show_default=False)]
ToOpt = Annotated[Optional[str], typer.Option("--to", help="Last day, YYYY-MM-DD.", show_default=False)]
AsOfOpt = Annotated[Optional[str], typer.Option("--date", help="As of this day (default: today).", show_default=False)]


def show(report, fmt: Format, lang: Lang, output: str | None = None, encoding=None, section: str | None = None,
         output_dir: str | None = None) -> None:
    from ..render import render_report
    from .common import fail

    if fmt.value == "json":  # the contract: which output, which version (docs/schemas/)
        import copy

        report = copy.copy(report)
        report.data = {"schema": schema_name(), **report.data}
    if (section or output_dir) and fmt.value != "csv":
        fail("bad-option", "--section and --output-dir are for -f csv (one table per CSV file)")
    if fmt.value == "csv":
        write_csv(report, lang.value, output, getattr(encoding, "value", encoding) or "utf-8-sig", section, output_dir)
    elif fmt.value in ("html", "pdf") or output:
        write_output(report, fmt.value, lang.value, output)
    else:
        render_report(report, fmt.value, lang.value)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def schema_name() -> str:
    """``cashbook.report.day/1``: the command that printed the JSON, and its version."""
    from ..reports.schemas import schema_id

    try:
        from typer._click.globals import get_current_context

        ctx = get_current_context(silent=True)
        path = ctx.command_path.split()[1:] if ctx else []
    except (ImportError, AttributeError):
        path = []
    return schema_id(".".join(path) or "report")


def write_csv(report, lang: str, output: str | None, encoding: str, section: str | None, output_dir: str | None) -> None:
    """One table per CSV (Excel reads a file as one sheet): the first, the one ``section``
    names, or each into ``output_dir``/NAME.csv; encoded for Excel (BOM) unless told
    otherwise; a header line even when there are no rows."""
    import contextlib
    import io
    import sys
    from pathlib import Path

    from ..render import render_report
    from ..reports.model import Report
    from ..store.files import atomic_write
    from .common import fail

    names = [t.section() for t in report.tables]

    def encoded(table) -> bytes:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            render_report(Report(report.data, [table]), "csv", lang)
        text = buf.getvalue()
        try:
            return text.encode(encoding)
        except UnicodeEncodeError as exc:
            fail("bad-option", f"--encoding {encoding}: {text[exc.start:exc.end]!r} in the {table.section()} table has no "
                               f"{encoding} form; use --encoding utf-8-sig")

    if output_dir:
        folder = Path(output_dir)
        if not folder.is_dir():
            fail("bad-option", f"--output-dir {output_dir!r} is not a folder; create it first")
        chosen = [t for t in report.tables if not section or t.section() == section]
        if section and not chosen:
            fail("bad-option", f"--section {section!r}: this report's tables are {', '.join(names)}")
        for table in chosen:
            atomic_write(folder / f"{table.section()}.csv", encoded(table))
            print(f"wrote {folder / (table.section() + '.csv')}", file=sys.stderr)
        return
    if section:
        table = next((t for t in report.tables if t.section() == section), None)
        if table is None:
            fail("bad-option", f"--section {section!r}: this report's tables are {', '.join(names)}")
    elif report.tables:
        table = report.tables[0]
        if len(names) > 1:
            print(f"note: CSV of the first table ({names[0]}); the others: {', '.join(names[1:])} "
                  "(--section NAME, or --output-dir DIR for all)", file=sys.stderr)
    else:
        return
    data = encoded(table)
    if output and output != "-":
        target = Path(output)
        if target.is_dir() or not target.parent.exists():
            fail("bad-option", f"--output {output!r}: not a file in an existing folder")
        atomic_write(target, data)
        print(f"wrote {output} ({len(data):,} bytes)", file=sys.stderr)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def write_output(report, fmt: str, lang: str, output: str | None) -> None:
    """html or pdf (a printable sheet), or any format, into ``output`` (atomically) or to stdout."""
    import contextlib
    import io
    import sys
    from pathlib import Path

    from ..store.files import atomic_write
    from .common import fail

    if fmt == "pdf":
        if not output or output == "-" and sys.stdout.isatty():
            fail("bad-option", "pdf is written to a file: add --output FILE, e.g. --output sheet.pdf")
        from ..render.pdf import render_pdf

        data = render_pdf(report, lang)
    elif fmt == "html":
        from ..render.html import render_html

        data = render_html(report, lang).encode("utf-8")
    else:
        from ..render import render_report

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            render_report(report, fmt, lang, output, encoding, section, output_dir)
        data = buf.getvalue().encode("utf-8")
    if not output or output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(output)
    if target.is_dir():
        fail("bad-option", f"--output {output!r} is a folder; give a file name, e.g. {output.rstrip('/')}/sheet.{fmt}")
    if not target.parent.exists():
        fail("bad-option", f"--output {output!r}: the folder {str(target.parent)!r} does not exist")
    try:
        atomic_write(target, data)
    except OSError as exc:
        fail("bad-option", f"--output {output!r} cannot be written: {exc.strerror or exc}")
    print(f"wrote {output} ({len(data):,} bytes)", file=sys.stderr)


def _state_as_of(book, day):
    """The book state at the end of ``day`` (from the cache's snapshots: no full replay)."""
    return book.state_before(day + dt.timedelta(days=1))


@report_app.command("journal")
def journal(
    account: Annotated[Optional[list[str]], typer.Option("--account", help="Account key; repeat for several (default: all).", show_default=False)] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """Cash and bank journals (现金/银行存款日记账) with running balances; -f pdf prints them with 对方科目 and
    承前页/过次页 on each page.

    Example: cashbook report journal --account cash --from 2026-10-01 --to 2026-10-31 -f pdf -o 现金日记账.pdf"""
    from ..reports.journal import journal_report
    from .common import fail

    begin(fmt, book)
    b = open_book(book)
    first = parse_date(start, "--from") if start else None
    last = parse_date(end, "--to") if end else None
    for a in account or []:
        if a not in b.policy.accounts:
            fail("unknown-account", f"--account {a!r} is not in policies.toml; accounts: {', '.join(b.policy.accounts)}")
    if first is not None and (last is None or last >= first):  # the balances at its start and the range's days only
        opening, entries = b.between(first, last or dt.date.max)
    else:
        opening, entries = None, b.load().order
    report = journal_report(entries, b.policy, account, first, last, lang.value, opening)
    if fmt.value in ("html", "pdf"):
        from ..reports.sheets import journal_sheets

        report.sheets = journal_sheets(report.data, entries, b.policy)
    show(report, fmt, lang, output, encoding, section, output_dir)


@report_app.command("balances")
def balances(
    date: AsOfOpt = None,
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """Balance of every cash and bank account."""
    begin(fmt, book)
    b = open_book(book)
    show(balances_of(b, parse_date(date)), fmt, lang, output, encoding, section, output_dir)


def balances_of(b, day: dt.date):
    """One book's balances report (also a column of `cashbook company report balances`)."""
    from ..reports.journal import balances_report

    return balances_report(_state_as_of(b, day).balances, b.policy, day)


@report_app.command("advances")
def advances(
    date: AsOfOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Include settled advances.")] = False,
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """Staff advances open and overdue (overdue ones are receivables)."""
    begin(fmt, book)
    b = open_book(book)
    show(advances_of(b, parse_date(date), all_), fmt, lang, output, encoding, section, output_dir)


def advances_of(b, day: dt.date, all_: bool = False):
    from ..reports.registers import advances_report

    return advances_report(_state_as_of(b, day), b.policy, day, all_)


@report_app.command("deposits")
def deposits(
    date: AsOfOpt = None,
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """Merchant deposits held, by type and merchant."""
    begin(fmt, book)
    b = open_book(book)
    show(deposits_of(b, parse_date(date)), fmt, lang, output, encoding, section, output_dir)


def deposits_of(b, day: dt.date):
    from ..reports.registers import deposits_report

    return deposits_report(_state_as_of(b, day), b.policy, day)


@report_app.command("compensation")
def compensation(
    date: AsOfOpt = None,
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """先行赔付 Compensation paid in advance not yet recovered, and what to withhold from wages."""
    from ..reports.registers import compensation_report

    begin(fmt, book)
    b = open_book(book)
    day = parse_date(date)
    show(compensation_report(_state_as_of(b, day), b.policy, day), fmt, lang, output, encoding, section, output_dir)


@report_app.command("cheques")
def cheques(
    start: FromOpt = None,
    end: ToOpt = None,
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """The cheque register: issued, voided, outstanding."""
    begin(fmt, book)
    b = open_book(book)
    show(cheques_of(b, parse_date(start, "--from") if start else None, parse_date(end, "--to") if end else None), fmt, lang, output, encoding, section, output_dir)


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
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """Receipt numbers used and gaps in their sequences (exit 1 on a gap)."""
    from ..reports.registers import receipts_report

    begin(fmt, book)
    b = open_book(book)
    show(receipts_report(b.load().state), fmt, lang, output, encoding, section, output_dir)


@report_app.command("unsigned")
def unsigned(
    date: AsOfOpt = None,
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """待补签 Entries a deputy approved that await the holder's signature (`cashbook sign`)."""
    from ..reports.registers import unsigned_report

    begin(fmt, book)
    b = open_book(book)
    day = parse_date(date)
    show(unsigned_report(_state_as_of(b, day), day), fmt, lang, output, encoding, section, output_dir)


@report_app.command("receipt-books")
def receipt_books(
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """收据领取台帐 Receipt books issued to tills: range, used, spoiled, unused, returned."""
    from ..reports.registers import receipt_books_report

    begin(fmt, book)
    b = open_book(book)
    show(receipt_books_report(b.load().state), fmt, lang, output, encoding, section, output_dir)


@report_app.command("handovers")
def handovers(
    start: FromOpt = None,
    end: ToOpt = None,
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """收款交接台帐 The till hand-over log: time, till, amount, giver, receiver."""
    from ..reports.registers import handovers_report

    begin(fmt, book)
    b = open_book(book)
    show(handovers_report(b.load().state, parse_date(start, "--from") if start else None,
                          parse_date(end, "--to") if end else None), fmt, lang, output, encoding, section, output_dir)


@report_app.command("exceptions")
def exceptions(
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
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
    show(exceptions_report(rule_problems, loaded.state.entries), fmt, lang, output, encoding, section, output_dir)


@report_app.command("day")
def day(
    date: Annotated[Optional[str], typer.Argument(help="YYYY-MM-DD (default: today).", show_default=False)] = None,
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """The daily close report without sealing (exit 1 while the day is open or something is wrong); -f pdf prints
    the 现金日报.

    Example: cashbook report day 2026-10-15 -f pdf -o 现金日报-2026-10-15.pdf"""
    begin(fmt, book)
    b = open_book(book)
    show(day_of(b, parse_date(date, "DATE"), sheet=fmt.value in ("html", "pdf")), fmt, lang, output, encoding, section, output_dir)


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


@report_app.command("count")
def count_sheet_cmd(
    date: Annotated[Optional[str], typer.Argument(metavar="DATE", help="YYYY-MM-DD (default: today).", show_default=False)] = None,
    account: Annotated[str, typer.Option("--account", metavar="ACCOUNT", help="Cash account counted.")] = "cash",
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """现金盘点表 The day's cash count by denomination against the book (账存, 实存, 长款/短款), to sign.

    Example: cashbook report count 2026-10-15 -f pdf -o 现金盘点表-2026-10-15.pdf"""
    from ..core.rules import check_entry
    from ..reports.model import Column, Report, Table
    from ..reports.sheets import count_sheet
    from ..store.book import close_day_in_book
    from .common import fail

    begin(fmt, book)
    b = open_book(book)
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
    notes = [f"book 账存 {body['book_balance']}; counted 实存 {body['counted'] if body['counted'] is not None else '(no count)'}; "
             f"difference {body['difference'] if body['difference'] is not None else '-'}"]
    report = Report(data, [table], notes, exit_code=0 if body["difference"] == 0 else 1, sheets=[sheet])
    show(report, fmt, lang, output, encoding, section, output_dir)




@report_app.command("month")
def month(
    month_: Annotated[str, typer.Argument(metavar="YYYY-MM", help="The month.")],
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
    require_sealed: Annotated[bool, typer.Option(hidden=True)] = False,
):
    """Month report: accounts, categories, registers, exceptions and a chart of daily cash (exit 1 on a control failure);
    -f pdf prints it with the chart of cash on hand against the limit.

    Example: cashbook report month 2026-10 -f pdf -o 月报-2026-10.pdf"""
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
    if fmt.value in ("html", "pdf"):
        import copy

        from ..reports.sheets import month_sheet

        report = copy.copy(report)  # the remembered report stays as it was
        report.sheets = [month_sheet(report.data, b.policy)]
    show(report, fmt, lang, output, encoding, section, output_dir)


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


def _period_command(kind: str, label: str, book, fmt: Format, lang: Lang, output: str | None = None, encoding=None,
                    section: str | None = None, output_dir: str | None = None) -> None:
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
    show(period_report(kind, label, whole, months), fmt, lang, output, encoding, section, output_dir)


@report_app.command("quarter")
def quarter(
    quarter_: Annotated[str, typer.Argument(metavar="YYYY-QN", help="The quarter, e.g. 2026-Q4.")],
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """季报 Quarter report: the month report over three months, with a line per month (exit 1 on a control failure)."""
    _period_command("quarter", quarter_, book, fmt, lang, output, encoding, section, output_dir)


@report_app.command("year")
def year(
    year_: Annotated[str, typer.Argument(metavar="YYYY", help="The year, e.g. 2026.")],
    book: BookOpt = None,
    fmt: PaperFormatOpt = PaperFormat.table,
    output: OutputOpt = None,
    encoding: EncodingOpt = Encoding.utf8sig,
    section: SectionOpt = None,
    output_dir: OutputDirOpt = None,
    lang: LangOpt = Lang.en,
):
    """年报 Annual report: the month report over twelve months, with a line per month (exit 1 on a control failure)."""
    _period_command("year", year_, book, fmt, lang, output, encoding, section, output_dir)


def reconciliation_status(book, month_: str) -> list[dict]:
    """Each bank account's reconciliation status for the month."""
    from .bank import month_status

    return month_status(book, month_)
