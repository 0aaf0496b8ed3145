"""`cashbook export --to beancount|ledger|csv`: the book for other accounting tools."""

import sys
from typing import Annotated, Optional

import typer

from .common import BookOpt, begin, fail, open_book, parse_date

FORMATS = ("beancount", "ledger", "csv")


def _split_to(values: list[str] | None, until: str | None) -> tuple[str, str | None]:
    """``--to`` names the format (beancount|ledger|csv) and, given a date, the last day."""
    fmts, dates = [], []
    for value in values or []:
        v = value.strip()
        if v.lower() in FORMATS:
            fmts.append(v)
        elif v[:1].isdigit():
            dates.append(v)
        else:
            fail("bad-option", f"--to {value!r} is neither a format (beancount, ledger, csv) nor a last day (YYYY-MM-DD)")
    if until is not None:
        dates.append(until)
    if len(fmts) != 1:
        fail("bad-option", "give the format once: --to beancount, --to ledger or --to csv"
             + (f" (got {', '.join(fmts)})" if fmts else ""))
    if len(dates) > 1:
        fail("bad-option", f"give the last day once (--to YYYY-MM-DD or --until YYYY-MM-DD), got {', '.join(dates)}")
    return fmts[0].lower(), (dates[0] if dates else None)


def _check_output(target, root, fmt: str) -> None:
    """``--output`` names a regular file or a new path outside the book's own files: the
    write replaces it, so a device, a link or a journal must never be it."""
    import os
    import stat
    from pathlib import Path

    from ..store.files import LOCK_NAME, is_inside
    from ..store.policyfile import POLICY_FILE

    try:
        st = os.lstat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        fail("bad-option", f"--output {target}: {exc.strerror}")
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            fail("bad-option", f"--output {target} is a folder; give a file name, e.g. {Path(target) / ('book.' + fmt)}")
        if stat.S_ISLNK(st.st_mode):
            fail("bad-option", f"--output {target} is a link (to {os.path.realpath(target)}); the export would replace the link: "
                 "name the file itself or a new path")
        if not stat.S_ISREG(st.st_mode):
            fail("bad-option", f"--output {target} is not a regular file (a device, FIFO or socket); give a file name or a new path")
    for own in (root / POLICY_FILE, root / "journals", root / ".cashbook", root / LOCK_NAME):
        if is_inside(target, own):
            fail("bad-option", f"--output {target} is the book's own {own.name}; an export goes to a file outside the book's "
                 "journals, policies and cache, e.g. --output book." + fmt)


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export(
        to: Annotated[Optional[list[str]], typer.Option(
            "--to", help="Format: beancount, ledger (ledger 3 and hledger) or csv. Given a date (--to YYYY-MM-DD) "
            "it is the last day exported.", show_default=False)] = None,
        start: Annotated[Optional[str], typer.Option(
            "--from", help="First day, YYYY-MM-DD; earlier entries become one balance-forward transaction.",
            show_default=False)] = None,
        until: Annotated[Optional[str], typer.Option("--until", help="Last day, YYYY-MM-DD (same as --to DATE).",
                                                     show_default=False)] = None,
        output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write to FILE (atomically) instead of stdout.",
                                                      show_default=False)] = None,
        book: BookOpt = None,
    ):
        """Exact export for beancount, ledger/hledger or CSV: every entry as a balanced transaction."""
        from pathlib import Path

        from ..core.problems import CashbookError, Problem
        from ..export import Options, render
        from ..store.book import UNREADABLE

        begin("table", book)
        fmt, end_text = _split_to(to, until)
        first = parse_date(start, "--from") if start else None
        last = parse_date(end_text, "--to") if end_text else None
        if first and last and first > last:
            fail("bad-option", f"--from {first} is after --to {last}; give a first day on or before the last")
        b = open_book(book)
        if output:
            _check_output(Path(output), b.root, fmt)
        policy = b.policy
        loaded = b.load()
        damaged = [p for p in loaded.problems if p.severity == "block" and p.code in UNREADABLE]
        if damaged:
            raise CashbookError([*damaged, Problem(
                "book-damaged", "the book has damaged files (above), so an export would not be exact; "
                "fix them first (`cashbook check` lists everything)")])
        text, warnings = render(fmt, loaded.order, policy, Options(first, last))
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
        if output:
            from ..store.files import atomic_write

            target = Path(output)
            _check_output(target, b.root, fmt)  # again: the export took a while
            atomic_write(target, text.encode("utf-8"))
            count = sum(1 for e in loaded.order if (first is None or e.date >= first) and (last is None or e.date <= last))
            print(f"exported {count} entries as {fmt} to {output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
