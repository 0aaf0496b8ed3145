"""The cash count, overage/shortage adjustments, and the daily and month-end close."""

import re
from typing import Annotated, Optional

import typer

from .common import (ApprovalsOpt, BookOpt, DateOpt, Format, FormatOpt, Lang, LangOpt, TableOrJsonOpt, begin, fail, now, open_book,
                     parse_date)

close_app = typer.Typer(help="Daily close (日结, seals the day) and month-end close (月结).", no_args_is_help=True)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def register(app: typer.Typer) -> None:
    @app.command("count")
    def count(
        items: Annotated[list[str], typer.Argument(help="[DATE] then DENOMINATIONxCOUNT items: 100x12 50x3 0.5x2.", show_default=False)],
        account: Annotated[str, typer.Option("--account", help="Cash account counted.")] = "cash",
        time: Annotated[Optional[str], typer.Option("--time", help="HH:MM.", show_default=False)] = None,
        book: BookOpt = None,
        fmt: TableOrJsonOpt = Format.table,
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
        date: DateOpt = None,
        book: BookOpt = None,
        fmt: TableOrJsonOpt = Format.table,
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
    guided: Annotated[bool, typer.Option("--guided", help="On a terminal: count the drawer denomination by denomination "
                                         "against the book, see 长款/短款 and what to bank, then confirm the seal.")] = False,
    account: Annotated[str, typer.Option("--account", help="Cash account counted with --guided.")] = "cash",
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.en,
):
    """日结 Daily cash close: with a matching count and no blocking exception it seals the day; exit 0 when it sealed
    with nothing to report, 1 on a difference or any exception (cash over the limit, takings not banked), sealed or not."""
    from ..core.rules import check_entry
    from ..reports.close import day_report
    from ..store.book import close_day_in_book
    from .output import show

    begin(fmt, book)
    b = open_book(book)
    day = parse_date(date, "DATE")
    if day > now().date():
        fail("future-date", f"{day} has not happened yet")
    if guided:
        if not guided_count(b, day, account, date, book, dry_run):
            raise typer.Exit(1)
        b = open_book(book)
    result = close_day_in_book(b, day, now(), check_entry, seal=not dry_run)
    if result.sealed and not dry_run:
        from .sync import after_close

        after_close(b, result)  # a branch book commits the sealed day
    show(day_report(result), fmt, lang)


def guided_count(b, day, account: str, date: str | None, book: str | None, dry_run: bool) -> bool:
    """Ask the count note by note with a running total against the book; record it when the
    cashier confirms. False when cancelled (nothing written)."""
    import sys

    from ..core.close import parse_count
    from ..core.money import ZERO, fmt_grouped
    from ..core.rules import check_entry
    from ..store.book import close_day_in_book
    from .record import record

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        fail("not-a-terminal", f"--guided asks questions on a terminal; without one count with `cashbook count {day} 100xN 50xN …` "
                               f"and close with `cashbook close day {day}`")
    if account not in b.policy.cash_accounts():
        fail("unknown-account", f"--account {account!r} is not a cash account; cash accounts: {', '.join(b.policy.cash_accounts())}")
    before = close_day_in_book(b, day, now(), check_entry, seal=False)
    cash = next(c for c in before.cash if c.account == account)
    if before.sealed:
        fail("day-sealed", f"{day} is already sealed; nothing to count")
    book_balance = cash.book_balance
    print(f"日结 {day} {account}: book balance 账存 {fmt_grouped(book_balance)}. Count each denomination "
          "(Enter = 0, q = cancel).")
    items, total = [], ZERO
    try:
        for denom in b.policy.denominations:
            while True:
                answer = input(f"  {denom.normalize():f} 元 × ").strip().lower()
                if answer in ("q", "quit"):
                    print("cancelled: nothing was written")
                    return False
                if answer == "":
                    answer = "0"
                if answer.isascii() and answer.isdigit() and len(answer) <= 7:
                    break
                print("    a whole number of notes or coins, e.g. 12 (q cancels)")
            n = int(answer)
            if n:
                items.append(f"{denom.normalize():f}x{n}")
            total += denom * n
            diff = total - book_balance
            print(f"    running total 实存 {fmt_grouped(total)}; against the book {'+' if diff > 0 else ''}{fmt_grouped(diff)}")
    except (EOFError, KeyboardInterrupt):
        print("\ncancelled: nothing was written")
        return False
    diff = total - book_balance
    verdict = "账实相符 matches the book" if diff == 0 else (f"长款 overage {fmt_grouped(diff)}" if diff > 0 else
                                                         f"短款 shortage {fmt_grouped(-diff)}")
    limit = b.policy.rules.cash_over_limit.limit
    print(f"counted 实存 {fmt_grouped(total)}, book 账存 {fmt_grouped(book_balance)}: {verdict}")
    print(f"to bank: takings not yet banked {fmt_grouped(cash.undeposited)}; above the limit {fmt_grouped(limit)}: "
          f"{fmt_grouped(max(total - limit, ZERO))}")
    if not items:
        print("nothing counted: cancelled, nothing was written")
        return False
    question = "Record this count (dry run: no seal)? [y/N] " if dry_run else f"Record this count and seal {day}? [y/N] "
    try:
        answer = input(question).strip().lower()
    except (EOFError, KeyboardInterrupt):
        answer = ""
    if answer not in ("y", "yes", "是"):
        print("cancelled: nothing was written")
        return False
    parse_count(items, b.policy)  # the same check as `cashbook count`
    record(book, Format.table, dict(kind="cash-count", account=account, counts=items, total=total), str(day), None)
    return True


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
