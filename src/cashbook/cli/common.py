"""Options shared by every command and the helpers that turn them into values.

Heavy modules (pydantic models, the store) are imported inside functions so that
`cashbook --help` stays fast.
"""

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Optional

import typer


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class PaperFormat(str, Enum):
    """Formats of a report that can also be printed: html and pdf lay it out as a sheet."""

    table = "table"
    json = "json"
    csv = "csv"
    html = "html"
    pdf = "pdf"


class Lang(str, Enum):
    en = "en"
    zh = "zh"


class Session:
    """Per-invocation facts the error boundary needs (output format), the clock read once,
    and the book opened (its `utc_offset` sets the command's clock)."""

    format: str = "table"
    book: Optional[str] = None
    now: dt.datetime | None = None  # the instant of this command, aware
    fixed_zone: bool = False  # $CASHBOOK_NOW gave its own offset: it stands in for the machine's zone
    opened = None  # the Book of this command, once opened
    cache_off = False  # the cache failed mid-command and was dropped: this run reads the files alone
    lang: str = "en"  # the language of this command's output: --lang, else $CASHBOOK_LANG, else the book's, else en


def clock() -> dt.datetime:
    """The one clock read of a command, as an aware instant: the machine's clock in the
    machine's zone, or $CASHBOOK_NOW (for tests and demos; without an offset it is the
    machine's local time, with one that offset stands in for the machine's zone)."""
    if Session.now is None:
        import os

        fixed = os.environ.get("CASHBOOK_NOW")
        if fixed:
            try:
                instant = dt.datetime.fromisoformat(fixed)
            except ValueError:
                fail("bad-option", f"$CASHBOOK_NOW={fixed!r} is not an ISO date-time like 2026-11-29T10:00+08:00")
            if not FIRST_YEAR < instant.year < LAST_YEAR:  # a day either side must still be a date
                fail("bad-option", f"$CASHBOOK_NOW={fixed!r} is outside the years {FIRST_YEAR} to {LAST_YEAR} a book can hold")
            Session.fixed_zone = instant.tzinfo is not None
            if instant.tzinfo is None:
                try:
                    instant = instant.astimezone()
                except (OverflowError, OSError, ValueError):
                    fail("bad-option", f"$CASHBOOK_NOW={fixed!r} is outside the dates this machine's clock can show")
            Session.now = instant
        else:
            Session.now = dt.datetime.now().astimezone()
    return Session.now


def now() -> dt.datetime:
    """This command's moment on the book's clock: the instant in the book's `utc_offset`
    (policies.toml [book]), in the machine's zone only where the book sets none. "Today",
    entry times and the day an entry lands on all come from here."""
    from ..core.problems import CashbookError

    instant = clock()
    book = Session.opened if Session.opened is not None else open_book(None)
    try:
        zone = book.policy.tz()
    except CashbookError as exc:  # no book here (head office's company folder): the machine's clock
        if any(p.code == "no-book" for p in exc.problems):
            return instant
        raise
    if zone is None:
        return instant
    try:
        return instant.astimezone(zone)
    except (OverflowError, ValueError):
        fail("bad-option", f"the clock {instant.isoformat()} is outside the dates a book can hold in its zone {book.policy.book.utc_offset}")


def today() -> dt.date:
    """Today on the book's clock."""
    return now().date()


BookOpt = Annotated[Optional[str], typer.Option("--book", help="Book folder (default: $CASHBOOK_BOOK, else the current directory).", show_default=False)]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output: table for people, json or csv for scripts.")]
TableOrJsonOpt = Annotated[Format, typer.Option("--format", "-f", help="table or json.")]
PaperFormatOpt = Annotated[PaperFormat, typer.Option("--format", "-f", help="Output: table for people, json or csv for scripts, "
                                                     "html or pdf for the printable sheet (with --output FILE).")]
OutputOpt = Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write the output to FILE instead of "
                                                  "standard output (needed for pdf).", show_default=False)]
class Encoding(str, Enum):
    utf8sig = "utf-8-sig"
    utf8 = "utf-8"
    gbk = "gbk"


EncodingOpt = Annotated[Encoding, typer.Option("--encoding", help="CSV text encoding: utf-8-sig (with the BOM Excel needs "
                                               "to read Chinese), utf-8, or gbk.")]
SectionOpt = Annotated[Optional[str], typer.Option("--section", metavar="NAME", help="CSV of a report with several tables: "
                                                   "the table NAME (the first one by default).", show_default=False)]
OutputDirOpt = Annotated[Optional[str], typer.Option("--output-dir", metavar="DIR", help="CSV: one file per table, "
                                                     "DIR/NAME.csv.", show_default=False)]
LANG_HELP = "English or Chinese (default: $CASHBOOK_LANG, else the book's lang in policies.toml, else en)."
LangOpt = Annotated[Lang, typer.Option("--lang", envvar="CASHBOOK_LANG", help=LANG_HELP)]


def book_lang(book: str | None) -> str:
    """The book's own `lang` (policies.toml [book]), read alone and cheaply: "en" where there is
    no book or no valid setting (a bad value is refused as `bad-policy` when the book is opened)."""
    import os
    import tomllib
    from pathlib import Path

    folder = book or Session.book or os.environ.get("CASHBOOK_BOOK") or "."
    from ..store.files import read_regular

    try:  # a FIFO or a device named policies.toml is refused here, never waited on
        head = read_regular(Path(folder) / "policies.toml", "policy")
    except OSError:
        return "en"
    if b"lang" not in head and b"\\u" not in head and b"\\U" not in head:
        return "en"  # no key can spell `lang`: spare the parse (every command asks, some twice)
    if _LANG_SEEN.get(head) is None:
        try:
            value = tomllib.loads(head.decode("utf-8")).get("book", {}).get("lang", "en")
        except Exception:  # noqa: BLE001 - any unreadable policy (nested past the parser's depth too) is refused when opened
            value = "en"
        _LANG_SEEN.clear()
        _LANG_SEEN[head] = value if value in ("en", "zh") else "en"
    return _LANG_SEEN[head]


_LANG_SEEN: dict[bytes, str] = {}  # the last policies.toml bytes read and the lang they set


def lang_env() -> str | None:
    import os

    value = os.environ.get("CASHBOOK_LANG", "").strip()
    return value if value in ("en", "zh") else None


def resolve_lang(ctx, param, value):
    """--lang's callback: the flag, else $CASHBOOK_LANG, else the book's `lang`, else en; kept on
    the Session for the error boundary and the printers that take no --lang of their own."""

    source = ctx.get_parameter_source(param.name) if ctx is not None else None
    name = getattr(source, "name", "")
    if value is not None and name in ("COMMANDLINE", "ENVIRONMENT"):
        chosen = getattr(value, "value", value)
    else:
        chosen = lang_env() or book_lang((ctx.params.get("book") if ctx is not None else None))
    set_lang(chosen)
    return Lang(chosen)


def set_lang(lang: str) -> None:
    from ..core.lang import Current

    Session.lang = Current.lang = lang
DateOpt = Annotated[Optional[str], typer.Option("--date", help="YYYY-MM-DD (default: today).", show_default=False)]
TimeOpt = Annotated[Optional[str], typer.Option("--time", help="HH:MM (default: now, or 12:00 for another day).", show_default=False)]
ApprovalsOpt = Annotated[Optional[list[str]], typer.Option("--approved-by", help="ROLE:NAME of a sign-off, e.g. gm:王总; repeat for each.", show_default=False)]
OverrideOpt = Annotated[Optional[list[str]], typer.Option("--override", help="ROLE:NAME approving an override of a blocking rule the policy lets that role override.", show_default=False)]
MemoOpt = Annotated[str, typer.Option("--memo", help="Summary text (摘要).")]
FromOpt = Annotated[Optional[str], typer.Option("--from", help="First day, YYYY-MM-DD.", show_default=False)]
ToOpt = Annotated[Optional[str], typer.Option("--to", help="Last day, YYYY-MM-DD.", show_default=False)]
AsOfOpt = Annotated[Optional[str], typer.Option("--date", help="As of this day (default: today).", show_default=False)]


def lang_option():
    """A ``--lang`` option like the reports' own, for commands that declare none (recording,
    check, close ...): it sets only the language of what they print."""
    import copy

    import typer
    from typer.main import get_command

    probe = typer.Typer()

    @probe.command()
    def _probe(lang: LangOpt = Lang.en) -> None:  # pragma: no cover - never run
        pass

    option = copy.copy(next(p for p in get_command(probe).params if p.name == "lang"))
    option.expose_value = False
    return option


def begin(fmt: Format | str = "table", book: str | None = None) -> None:
    Session.format = fmt.value if isinstance(fmt, Format) else fmt
    Session.opened = None  # a new command: its book is opened afresh (tests run many in one process)
    book_given(book)
    if book:
        Session.book = book


def book_given(book: str | None) -> None:
    """``--book ''`` names no folder: refused, never read as the current directory."""
    if book is not None and not book.strip():
        fail("bad-option", f"--book {book!r} names no folder; give the book's folder (e.g. --book ~/books/shop) or leave --book out")


def fail(code: str, message: str) -> None:
    from ..core.problems import CashbookError, Problem

    raise CashbookError(Problem(code, message))


def open_book(book: str | None, use_cache: bool = True):
    from ..store.book import Book, find_root

    opened = Book(find_root(book or Session.book), use_cache=use_cache and not Session.cache_off, progress=progress_bar())
    Session.opened = opened
    return opened


def progress_bar():
    """A progress bar for long reads, on a terminal only (scripts and pipes stay quiet)."""
    import sys

    if not sys.stderr.isatty():
        return None

    def start(total: int):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from ..render import console

        bar = Progress(TextColumn("读取日记账" if Session.lang == "zh" else "reading journals"), BarColumn(), MofNCompleteColumn(), console=console(stderr=True), transient=True)
        bar.start()
        task = bar.add_task("read", total=total)

        def tick(n: int) -> None:
            bar.advance(task, n)
            if bar.tasks[0].completed >= total:
                bar.stop()

        return tick

    return start


FIRST_YEAR, LAST_YEAR = 1900, 2999  # a book's dates; outside them is a typing accident
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_date(text: str | None, option: str = "--date") -> dt.date:
    if text is None:
        return today()
    try:
        if not ISO_DAY.fullmatch(text.strip(" ")):  # fromisoformat also takes 20261101, 2026-W48-1, a trailing newline
            raise ValueError(text)
        day = dt.date.fromisoformat(text.strip(" "))
    except ValueError:
        fail("bad-option", f"{option} {text!r} is not a date; write YYYY-MM-DD, e.g. 2026-09-01")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        fail("bad-option", f"{option} {text!r} is outside the years {FIRST_YEAR} to {LAST_YEAR} a book can hold")
    return day


def entry_time(date: str | None, time: str | None, policy) -> dt.datetime:
    """The local date-time with offset for a new entry, on the book's clock (`now`):
    future days are refused."""
    current = now()
    day = parse_date(date)
    if day > current.date():
        fail("future-date", f"--date {day} is after today ({current.date()} on the book's clock, "
                            f"{_zone_name(policy)}); record entries on the day they happen")
    if time is not None:
        try:
            clock_time = dt.time.fromisoformat(time.strip())
        except ValueError:
            fail("bad-option", f"--time {time!r} is not a time; write HH:MM, e.g. 09:30")
        if clock_time.tzinfo is not None:
            fail("bad-option", f"--time {time!r}: give the local time HH:MM; the offset comes from policies.toml [book] utc_offset")
    elif day == current.date():
        clock_time = current.time().replace(microsecond=0)
    else:
        clock_time = dt.time(12, 0)
    local = dt.datetime.combine(day, clock_time.replace(tzinfo=None))
    zone = policy.tz()
    if zone is not None:
        return local.replace(tzinfo=zone)
    if Session.fixed_zone or day == current.date() and time is None:
        return local.replace(tzinfo=current.tzinfo)
    try:
        return local.astimezone()  # the machine's zone, with that day's offset (summer time)
    except (OverflowError, OSError, ValueError):
        return local.replace(tzinfo=current.tzinfo)


def _zone_name(policy) -> str:
    return f"UTC{policy.book.utc_offset} from policies.toml" if policy.book.utc_offset else "this machine's zone"


def amount_arg(text: str, name: str = "AMOUNT", allow_zero: bool = False):
    from ..core.money import AmountError, parse_amount

    try:
        return parse_amount(text, allow_zero=allow_zero)
    except AmountError as exc:
        fail("bad-amount", f"{name}: {exc}")


def approvals_arg(values: list[str] | None, option: str = "--approved-by") -> list[str]:
    out = []
    for value in values or []:
        role, sep, name = value.partition(":")
        if not sep or not role.strip() or not name.strip():
            fail("bad-option", f"{option} {value!r}: write ROLE:NAME, e.g. gm:王总")
        out.append(f"{role.strip()}:{name.strip()}")
    return out
