"""How a report leaves a command, and the one runner of the commands that print a report.

Every report command (`report …`, `bank reconcile`, `bank imports`) takes the same output
options, defined once here: ``-f/--format``, ``--output``, ``--encoding``, ``--section``,
``--output-dir`` and ``--lang``, after ``--book``. A command is written as a function of the
opened book, an `Output` and its own options that returns its report; `report_command`
registers it with the shared options appended and prints what it returns."""

import inspect
from dataclasses import dataclass
from typing import Callable, Optional

import typer

from .common import (BookOpt, Encoding, EncodingOpt, Format, FormatOpt, Lang, LangOpt, OutputDirOpt, OutputOpt, PaperFormat,
                     PaperFormatOpt, SectionOpt, begin, open_book)


@dataclass
class Output:
    """What the user asked of a report's output: format, language and, for a file, where and how."""

    fmt: Format | PaperFormat = Format.table
    lang: Lang = Lang.en
    output: Optional[str] = None
    encoding: Encoding | str | None = None
    section: Optional[str] = None
    output_dir: Optional[str] = None

    @property
    def sheet(self) -> bool:
        """A printable sheet (html or pdf) is wanted: the report should carry its sheets."""
        return self.fmt.value in ("html", "pdf")

    def show(self, report) -> None:
        show(report, self.fmt, self.lang, self.output, self.encoding, self.section, self.output_dir)


def option(name: str, annotation, default) -> inspect.Parameter:
    """A shared option as a parameter of a built command."""
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


# the options every printed report takes, in the order --help lists them
PAPER_OPTIONS = [option("book", BookOpt, None), option("fmt", PaperFormatOpt, PaperFormat.table),
                 option("output", OutputOpt, None), option("encoding", EncodingOpt, Encoding.utf8sig),
                 option("section", SectionOpt, None), option("output_dir", OutputDirOpt, None), option("lang", LangOpt, Lang.en)]
# a report that is no sheet: table, json or csv to standard output
PLAIN_OPTIONS = [option("book", BookOpt, None), option("fmt", FormatOpt, Format.table), option("lang", LangOpt, Lang.en)]
OUTPUT_FIELDS = ("fmt", "lang", "output", "encoding", "section", "output_dir")


def command_signature(fn: Callable, shared: list[inspect.Parameter], skip: int = 0) -> inspect.Signature:
    """The signature of a command built from ``fn``: its own parameters (after the first
    ``skip``, which the runner supplies), then the ``shared`` options, then ``fn``'s
    keyword-only parameters; all keyword-only, as Click passes them."""
    own = list(inspect.signature(fn).parameters.values())[skip:]
    first = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    last = [p for p in own if p.kind is inspect.Parameter.KEYWORD_ONLY]
    return inspect.Signature(first + shared + last)


def as_command(run: Callable, fn: Callable, signature: inspect.Signature) -> Callable:
    """``run`` dressed as ``fn`` for Typer: its name, its docstring (the help) and ``signature``."""
    run.__signature__ = signature
    run.__name__, run.__qualname__, run.__doc__, run.__module__ = fn.__name__, fn.__qualname__, fn.__doc__, fn.__module__
    return run


def report_command(app: typer.Typer, name: str, paper: bool = True) -> Callable:
    """Register ``fn(book, out, **own)`` (which returns a report, or None when it printed its
    own) as the command ``name``: its own parameters first, then --book and the output options
    (``paper``: also html/pdf and the file options), then its keyword-only parameters. The
    command opens the book, calls ``fn`` and shows the report (its exit code is the report's)."""

    def register(fn: Callable) -> Callable:
        def command(**given):
            out = Output(**{k: given.pop(k) for k in OUTPUT_FIELDS if k in given})
            book = given.pop("book", None)
            begin(out.fmt, book)
            report = fn(open_book(book), out, **given)
            if report is not None:
                out.show(report)

        app.command(name)(as_command(command, fn, command_signature(fn, PAPER_OPTIONS if paper else PLAIN_OPTIONS, skip=2)))
        return command

    return register


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
            render_report(report, fmt, lang)
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
