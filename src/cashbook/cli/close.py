"""The cash count, overage/shortage adjustments, and the daily and month-end close."""

import re
from typing import Annotated, Optional

import typer

from .common import ApprovalsOpt, BookOpt, Format, FormatOpt, Lang, LangOpt, begin, fail, now, open_book, parse_date

close_app = typer.Typer(help="Daily close (日结, seals the day) and month-end close (月结).", no_args_is_help=True)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def register(app: typer.Typer) -> None:
    @app.command("count")
    def count(
        items: Annotated[list[str], typer.Argument(help="[DATE] then DENOMINATIONxCOUNT items: 100x12 50x3 0.5x2.", show_default=False)],
        account: Annotated[str, typer.Option("--account", help="Cash account counted.")] = "cash",
        time: Annotated[Optional[str], typer.Option("--time", help="HH:MM.", show_default=False)] = None,
        book: BookOpt = None,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    ):
        """盘点 Record a cash count by denomination; a re-count replaces the day's earlier one."""
        from ..core.close import parse_count
        from .record import record

        begin(fmt, book)
        date = items[0] if items and DAY.match(items[0]) else None
        rest = items[1:] if date else items
        if date:
            parse_date(date, "DATE")  # its error names the positional date, not --date
        b = open_book(book)
        from ..core.validate import iou_in_count

        if iou_in_count(rest):
            fail("iou-in-count", iou_in_count(rest))
        try:
            counts, total = parse_count(rest, b.policy)
        except ValueError as exc:
            fail("bad-count", str(exc))
        record(book, fmt, dict(kind="cash-count", account=account, counts=counts, total=total), date, time)

    @app.command("adjust")
    def adjust(
        direction: Annotated[str, typer.Argument(help="overage (长款) or shortage (短款).")],
        amount: Annotated[str, typer.Argument(help="Amount of the difference.")],
        approved_by: ApprovalsOpt = None,
        account: Annotated[str, typer.Option("--account", help="Cash account.")] = "cash",
        memo: Annotated[str, typer.Option("--memo", help="What was found.")] = "",
        date: Annotated[Optional[str], typer.Option("--date", help="YYYY-MM-DD (default: today).", show_default=False)] = None,
        book: BookOpt = None,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    ):
        """长款/短款 Book a counted overage or shortage, with the approval the policy names."""
        from .common import amount_arg, approvals_arg
        from .record import record

        begin(fmt, book)
        if direction not in ("overage", "shortage"):
            fail("bad-option", f"{direction!r}: say overage (counted more than the book) or shortage (less)")
        value = amount_arg(amount)
        record(book, fmt, dict(kind="adjustment", direction=direction, amount=value, account=account,
                               approvals=approvals_arg(approved_by), memo=memo), date, None)

    app.add_typer(close_app, name="close")


@close_app.command("day")
def close_day(
    date: Annotated[Optional[str], typer.Argument(help="YYYY-MM-DD (default: today).", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the close without sealing.")] = False,
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """日结 Daily cash close: with a matching count and no blocking exception it seals the day; exit 0 when it sealed
    with nothing to report, 1 on a difference or any exception (cash over the limit, takings not banked), sealed or not."""
    from ..core.rules import check_entry
    from ..reports.close import day_report
    from ..store.book import close_day_in_book
    from .report import show

    begin(fmt, book)
    b = open_book(book)
    day = parse_date(date, "DATE")
    if day > now().date():
        fail("future-date", f"{day} has not happened yet")
    result = close_day_in_book(b, day, now(), check_entry, seal=not dry_run)
    if result.sealed and not dry_run:
        from .sync import after_close

        after_close(b, result)  # a branch book commits the sealed day
    show(day_report(result), fmt, lang)


@close_app.command("month")
def close_month(
    month_: Annotated[str, typer.Argument(metavar="YYYY-MM", help="The month.")],
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """月结 Month-end close: refuses a month that is not over (exit 2), and (exit 1) while a day of it with entries
    is unsealed or a bank account has no statement imported for it; else the month report (exit 1 on a control failure)."""
    from .report import month

    month(month_=month_, book=book, fmt=fmt, lang=lang, require_sealed=True)
