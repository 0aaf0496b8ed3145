"""Book-level commands: init, check, words."""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import BookOpt, Format, FormatOpt, begin, fail, open_book


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        directory: Annotated[Optional[str], typer.Argument(help="Folder for the new book (default: --book, $CASHBOOK_BOOK or the current directory).", show_default=False)] = None,
        book: BookOpt = None,
    ):
        """Create a book with the default policies and an empty journals/ folder; never overwrites."""
        from ..store.book import find_root
        from ..store.files import atomic_write
        from ..store.policyfile import POLICY_FILE, default_policy_text

        begin("table", book)
        root = Path(directory) if directory else find_root(book)
        if root.exists() and not root.is_dir():
            fail("bad-option", f"{root} exists and is not a folder")
        policy = root / POLICY_FILE
        journals = root / "journals"
        if policy.exists() or (journals.is_dir() and any(journals.iterdir())):
            fail("book-exists", f"{root} already holds a book ({POLICY_FILE} or journals/); init never overwrites one")
        try:
            root.mkdir(parents=True, exist_ok=True)
            journals.mkdir(exist_ok=True)
        except OSError as exc:
            fail("write-failed", f"cannot create {root}: {exc.strerror}")
        atomic_write(policy, default_policy_text().encode("utf-8"))
        gitignore = root / ".gitignore"
        if not gitignore.exists():
            atomic_write(gitignore, b"# cashbook: lock file and disposable cache\n.cashbook.lock\n.cashbook/\n")
        print(f"created book in {root}: edit {POLICY_FILE} (accounts, roles, limits), then `cashbook opening cash AMOUNT`")

    @app.command("check")
    def check(
        book: BookOpt = None,
        fmt: FormatOpt = Format.table,
        no_cache: Annotated[bool, typer.Option("--no-cache", help="Read and parse every file afresh, ignoring (and not touching) the cache: proves the cache agrees with the files.")] = False,
    ):
        """Validate every file, entry and rule of the book and the seal chain; exit 1 with file:line: code: message lines."""
        from ..core.rules import check_entry
        from ..render import dumps

        begin(fmt, book)
        b = open_book(book, use_cache=not no_cache)
        problems, files, entries = b.check(check_entry)
        errors = [p for p in problems if p.severity == "block"]
        warnings = [p for p in problems if p.severity != "block"]
        if fmt == Format.json:
            sys.stdout.write(dumps({"ok": not errors, "files": files, "entries": entries,
                                    "errors": len(errors), "warnings": len(warnings),
                                    "problems": [p.as_json() for p in problems]}) + "\n")
        elif fmt == Format.csv:  # one table, with its header also when the book is clean
            from ..reports.model import Column, Report, Table
            from .report import write_csv

            cols = [Column(k, k, k) for k in ("file", "line", "code", "severity", "entry", "message")]
            rows = [{"file": p.file, "line": p.line, "code": p.code, "severity": p.severity, "entry": p.entry_id,
                     "message": p.message} for p in problems]
            write_csv(Report({}, [Table(cols, rows, "Problems", "问题", name="problems")]), "en", None, "utf-8-sig", None, None)
        else:
            for p in errors:
                print(str(p))
            for p in warnings:
                print(f"{p} (warning)")
            verdict = "ok" if not errors else f"{len(errors)} error(s)"
            print(f"checked {files} file(s), {entries} entries: {verdict}, {len(warnings)} warning(s)", file=sys.stderr)
        raise typer.Exit(1 if errors else 0)

    @app.command("words")
    def words(
        amount: Annotated[str, typer.Argument(help="Amount, e.g. 1250.00.")],
        fmt: FormatOpt = Format.table,
    ):
        """The amount in Chinese capital numerals (大写), e.g. 壹仟贰佰伍拾元整."""
        from ..core.words import to_words
        from ..render import dumps
        from .common import amount_arg

        begin(fmt)
        value = amount_arg(amount, allow_zero=True)
        text = to_words(value)
        if fmt == Format.json:
            sys.stdout.write(dumps({"amount": value, "words": text}) + "\n")
        else:
            print(text)
