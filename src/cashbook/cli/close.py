"""The cash count, overage/shortage adjustments, and the daily and month-end close."""

import re
from typing import Annotated, Optional

import typer

from .common import (ApprovalsOpt, BookOpt, DateOpt, Format, FormatOpt, Lang, LangOpt, Session, TableOrJsonOpt, begin, fail, now, open_book,
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
    zh = Session.lang == "zh"

    def say(en: str, cn: str) -> None:
        print(cn if zh else en)

    say(f"日结 {day} {account}: book balance 账存 {fmt_grouped(book_balance)}. Count each denomination (Enter = 0, q = cancel).",
        f"日结 {day} {account}：账存 {fmt_grouped(book_balance)}。请逐项清点各面额（回车 = 0，q = 取消）。")
    items, total = [], ZERO
    try:
        for denom in b.policy.denominations:
            while True:
                answer = input(f"  {denom.normalize():f} 元 × ").strip().lower()
                if answer in ("q", "quit"):
                    say("cancelled: nothing was written", "已取消：未写入任何内容")
                    return False
                if answer == "":
                    answer = "0"
                if answer.isascii() and answer.isdigit() and len(answer) <= 7:
                    break
                say("    a whole number of notes or coins, e.g. 12 (q cancels)", "    请输入张（枚）数，整数，如 12（q 取消）")
            n = int(answer)
            if n:
                items.append(f"{denom.normalize():f}x{n}")
            total += denom * n
            diff = total - book_balance
            sign = '+' if diff > 0 else ''
            say(f"    running total 实存 {fmt_grouped(total)}; against the book {sign}{fmt_grouped(diff)}",
                f"    累计实存 {fmt_grouped(total)}；与账存相差 {sign}{fmt_grouped(diff)}")
    except (EOFError, KeyboardInterrupt):
        say("\ncancelled: nothing was written", "\n已取消：未写入任何内容")
        return False
    diff = total - book_balance
    verdict = "账实相符 matches the book" if diff == 0 else (f"长款 overage {fmt_grouped(diff)}" if diff > 0 else
                                                         f"短款 shortage {fmt_grouped(-diff)}")
    verdict_zh = "账实相符" if diff == 0 else (f"长款 {fmt_grouped(diff)}" if diff > 0 else f"短款 {fmt_grouped(-diff)}")
    limit = b.policy.rules.cash_over_limit.limit
    above = fmt_grouped(max(total - limit, ZERO))
    say(f"counted 实存 {fmt_grouped(total)}, book 账存 {fmt_grouped(book_balance)}: {verdict}",
        f"实存 {fmt_grouped(total)}，账存 {fmt_grouped(book_balance)}：{verdict_zh}")
    say(f"to bank: takings not yet banked {fmt_grouped(cash.undeposited)}; above the limit {fmt_grouped(limit)}: {above}",
        f"待送存：未送存的收入 {fmt_grouped(cash.undeposited)}；超过限额 {fmt_grouped(limit)} 的部分：{above}")
    if not items:
        say("nothing counted: cancelled, nothing was written", "没有清点任何现金：已取消，未写入任何内容")
        return False
    if zh:
        question = "记录本次盘点（试运行：不封账）？[y/N] " if dry_run else f"记录本次盘点并封账 {day}？[y/N] "
    else:
        question = "Record this count (dry run: no seal)? [y/N] " if dry_run else f"Record this count and seal {day}? [y/N] "
    try:
        answer = input(question).strip().lower()
    except (EOFError, KeyboardInterrupt):
        answer = ""
    if answer not in ("y", "yes", "是"):
        say("cancelled: nothing was written", "已取消：未写入任何内容")
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
