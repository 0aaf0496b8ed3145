"""Renderers: a `Report` (or a recorded entry, or problems) as table, JSON or CSV.

Data goes to stdout, messages and errors to stderr. Rich consoles have markup off so
user text like ``[ACME]`` prints as written. Control characters in stored text (an
escape sequence that would clear the screen, a bidi override that would reorder a
line) are shown escaped in tables and CSV (`shown`); JSON and the files keep them exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sys
from decimal import Decimal

from ..core.money import fmt, fmt_grouped
from ..reports.model import Bi, Report, Table


def to_jsonable(value):
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def dumps(value) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, indent=2)


# C0 and C1 controls, DEL, and the invisible format characters that reorder or hide text
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _escape(m: re.Match) -> str:
    c = ord(m[0])
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def shown(text: str) -> str:
    """``text`` safe for a terminal: each control character as ``\\xNN`` / ``\\uNNNN``."""
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def in_lang(text, lang: str) -> str:
    """A note or cell in ``lang``: a `ProblemNote` worded from its code, a `Bi` as its Chinese."""
    if lang != "zh":
        return str(text)
    problem = getattr(text, "problem", None)
    if problem is not None:
        from .zh import message_zh, problem_line

        if not getattr(text, "whole", True):
            return message_zh(problem.code, problem.message, problem.as_json())
        return problem_line(problem, lang, with_severity=True)
    return getattr(text, "zh", None) or str(text)


def _cell(value, kind: str, grouped: bool) -> str:
    if value is None:
        return ""
    if getattr(value, "problem", None) is not None:
        return value
    if getattr(value, "zh", None) is not None:  # text with its Chinese: the column shows the one asked for
        return Bi(shown(str(value)), shown(value.zh))
    if isinstance(value, Decimal):
        return fmt_grouped(value) if grouped else fmt(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return shown(str(value))


def console(stderr: bool = False):
    import os

    stream = sys.stderr if stderr else sys.stdout
    # piped output (a script, a file) gets a wide page instead of rich's 80 columns
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 200
    out = _console_class()(stderr=stderr, markup=False, highlight=False, emoji=False, soft_wrap=False, width=width)
    out.on_broken_pipe = _pipe_closed
    return out


_CONSOLE: list = []


def _console_class():
    """rich's Console, laying out a table cell that fits its column without rich's text
    machinery when the output has no colours (a pipe, a file): the same characters, about
    five times faster on a journal of thousands of lines. Anything else is rich's own."""
    if _CONSOLE:
        return _CONSOLE[0]
    from rich.cells import cell_len
    from rich.console import Console
    from rich.padding import Padding
    from rich.segment import Segment

    class PlainTableConsole(Console):
        def render_lines(self, renderable, options=None, *, style=None, pad=True, new_lines=False):
            if (type(renderable) is Padding and type(renderable.renderable) is str and options is not None
                    and self.color_system is None and pad and not new_lines and options.height is None
                    and renderable.expand and not renderable.top and not renderable.bottom
                    and options.justify in ("left", "right") and not options.highlight and options.markup is not True):
                text, left, right = renderable.renderable, renderable.left, renderable.right
                room = options.max_width - left - right
                if room > 0 and "\n" not in text and text.isprintable() and text == text.strip() and cell_len(text) <= room:
                    gap = " " * (room - cell_len(text))
                    body = text + gap if options.justify == "left" else gap + text
                    return [[Segment(" " * left + body + " " * right)]]
            return super().render_lines(renderable, options, style=style, pad=pad, new_lines=new_lines)

    from rich.measure import Measurement
    from rich.table import Table as RichTable

    def measure(console, options, cell) -> Measurement:
        """`Measurement.get` of a padded plain text cell, as rich computes it, without a Text."""
        width = options.max_width
        if width < 1:
            return Measurement(0, 0)
        extra = cell.left + cell.right
        if width - extra < 1:
            padded = Measurement(width, width)
        else:
            text = cell.renderable
            lines = text.splitlines()
            widest = max(map(cell_len, lines)) if lines else 0
            words = text.split()
            inner = Measurement(max(map(cell_len, words)) if words else widest, widest).normalize().with_maximum(width)
            inner = Measurement(0, 0) if inner.maximum < 1 else inner.normalize()
            padded = Measurement(inner.minimum + extra, inner.maximum + extra).with_maximum(width)
        padded = padded.normalize().with_maximum(width)
        return Measurement(0, 0) if padded.maximum < 1 else padded.normalize()

    class PlainTable(RichTable):
        """rich's Table measuring plain text cells without building a Text for each."""

        def _measure_column(self, console, options, column):
            if options.max_width < 1 or column.width is not None or options.markup is True:
                return super()._measure_column(console, options, column)
            padding_width = self._get_padding_width(column._index)
            mins, maxes = [], []
            for cell in self._get_cells(console, column._index, column):
                r = cell.renderable
                if type(r) is Padding and type(r.renderable) is str and r.renderable.isprintable():
                    low, high = measure(console, options, r)
                else:
                    low, high = Measurement.get(console, options, r)
                mins.append(low)
                maxes.append(high)
            found = Measurement(max(mins) if mins else 1, max(maxes) if maxes else options.max_width).with_maximum(options.max_width)
            return found.clamp(None if column.min_width is None else column.min_width + padding_width,
                               None if column.max_width is None else column.max_width + padding_width)

    PlainTableConsole.table_class = PlainTable
    _CONSOLE.append(PlainTableConsole)
    return PlainTableConsole


def _pipe_closed() -> None:
    """The reader of a pipe left (`| head`): it has what it wanted, so exit 0 (rich's own exits 1)."""
    raise BrokenPipeError


def _zh_value(col, text: str, lang: str) -> str:
    """Codes in a type, kind or status column (income, payment, issued ...) and the totals
    label, in Chinese under --lang zh; names and keys the user wrote stay as written."""
    if lang != "zh" or not text:
        return str(text) if text is not None else text
    from .zh import VALUES

    if getattr(text, "problem", None) is not None:
        return shown(in_lang(text, lang))

    if text in ("total / 合计", "total 合计"):
        return "合计"
    return VALUES.get(text, text) if col.key in ("type", "kind", "status", "result", "direction", "severity") else text


def print_table(table: Table, lang: str, out=None) -> None:
    from rich import box
    from rich.table import Table as RichTable

    from .fit import fit

    out = out or console()
    columns, dropped, whole, compact = fit(table, out.width, lang, _cell)
    title = table.title(lang)
    rt = getattr(out, "table_class", RichTable)(title=title or None, box=box.SIMPLE_HEAVY, padding=(0, 0 if compact else 1), show_edge=not compact, title_justify="left", show_footer=table.totals is not None,
                   min_width=min(len(title) + 4, 100))
    for col in columns:
        footer = _zh_value(col, col.shown(_cell(table.totals.get(col.key), col.kind, True), lang), lang) if table.totals else ""
        fixed = col.key in whole
        rt.add_column(col.heading(lang), justify="right" if col.kind in ("money", "int") else "left", footer=footer,
                      overflow="fold", no_wrap=fixed, min_width=whole.get(col.key))
    cells = [[_zh_value(c, c.shown(_cell(row.get(c.key), c.kind, True), lang), lang) for c in columns] for row in table.rows]
    lines = _plain_lines(out, title, columns, [c.heading(lang) for c in columns], cells,
                         [_zh_value(c, c.shown(_cell(table.totals.get(c.key), c.kind, True), lang), lang) for c in columns]
                         if table.totals else None, whole, compact, min(len(title) + 4, 100))
    if lines is None:
        for row in cells:
            rt.add_row(*row)
        lines = _wrapped_lines(out, rt, title, columns, whole, compact)
    if lines is not None:
        try:
            out.file.write("".join(line + "\n" for line in lines))
            out.file.flush()
        except BrokenPipeError:  # the reader left (`| head`): as rich's own print, the console says what then
            out.on_broken_pipe()
    else:
        out.print(rt)
    if dropped and lang == "zh":
        out.print(f"（终端宽 {out.width} 列：未显示 {'、'.join(c.heading(lang) for c in dropped)}；加宽窗口或用 -f csv 可看全部）")
    elif dropped:
        out.print(f"({out.width} columns: left out {', '.join(c.heading(lang) for c in dropped)}; a wider terminal or -f csv shows all)")


def _plain(text) -> bool:
    """A cell rich prints as it is: plain text, printable, no space at either end."""
    return type(text) is str and (not text or (text.isprintable() and text == text.strip()))


def _plain_lines(out, title: str, columns, headings: list[str], rows: list[list], footer: list | None,
                 whole: dict, compact: bool, min_width: int) -> list[str] | None:
    """The lines rich prints for `print_table`'s table, laid out here without rich's text
    machinery (a journal of thousands of lines in a fraction of the time), or None where
    rich's own layout is needed: colours or styles, a cell that must wrap, a table rich
    would widen or narrow, text rich treats specially. `tests/test_render_lines.py` holds
    the two to the same characters."""
    from .fit import cell_len

    if out.color_system is not None or compact or getattr(out, "table_class", None) is None or out.is_terminal:
        return None
    every = [headings, *rows] + ([footer] if footer is not None else [])
    widths = [0] * len(columns)
    sizes = []  # each line's cell widths
    for line in every:
        size = []
        for i, text in enumerate(line):
            if not _plain(text):
                return None
            n = cell_len(text)
            size.append(n)
            if n > widths[i]:
                widths[i] = n
        sizes.append(size)
    for i, col in enumerate(columns):
        widths[i] = max(widths[i], whole.get(col.key) or 0)
    if 0 in widths:  # an empty column: rich's own measure
        return None
    total = sum(widths) + 3 * len(columns) + 1  # each cell padded and ruled, and the two edges
    if not columns or total > out.width or total < min_width or cell_len(title) > total:
        return None
    right = [col.kind in ("money", "int") for col in columns]

    def row_line(n: int) -> str:
        parts = []
        for text, size, w, r in zip(every[n], sizes[n], widths, right):
            gap = " " * (w - size)
            parts.append(" " + (gap + text if r else text + gap) + " ")
        return " " + " ".join(parts) + " "

    return _framed(title, total, [[row_line(n)] for n in range(len(every))], footer is not None)


def _framed(title: str, total: int, rows: list[list[str]], footer: bool) -> list[str]:
    """The lines rich prints for a SIMPLE_HEAVY table ``total`` cells wide, given each row's
    printed lines (the heading row first, the footer row last when ``footer``): the title,
    a blank line, the heading, a rule, the rows, a rule and the footer, a blank line."""
    from .fit import cell_len

    lines = [title + " " * (total - cell_len(title))] if title else []
    blank, rule = " " * total, " " + "━" * (total - 2) + " "
    lines.append(blank)
    for n, row in enumerate(rows):
        if n and footer and n == len(rows) - 1:
            lines.append(rule)
        lines += row
        if n == 0:
            lines.append(rule)
    lines.append(blank)
    return lines


def _rich_widths(rt, every: list, max_width: int) -> list[int] | None:
    """The column widths rich's `Table._calculate_column_widths` gives a table of plain text
    cells (``every``: its rows of text, heading and footer included), computed from each
    column's longest cell and longest word instead of measuring every cell twice."""
    from rich._ratio import ratio_distribute, ratio_reduce
    from rich.measure import Measurement

    from .fit import cell_len

    longest = [0] * len(rt.columns)  # per column: the widest cell, and its longest word
    word = [0] * len(rt.columns)
    for row in every:
        for i, text in enumerate(row):
            if type(text) is not str:
                return None
            n = cell_len(text)
            if n > longest[i]:
                longest[i] = n
            if n > word[i]:
                w = max((cell_len(x) for x in text.split()), default=n)
                if w > word[i]:
                    word[i] = w

    def measure(i: int, width: int) -> Measurement:  # rich's measure of the column's widest cells at ``width``
        if width < 1:
            return Measurement(0, 0)
        column = rt.columns[i]
        pad = rt._get_padding_width(column._index)
        if width - pad < 1:
            cell = Measurement(width, width)
        else:
            inner = Measurement(word[i] if longest[i] else 0, longest[i]).normalize().with_maximum(width)
            inner = Measurement(0, 0) if inner.maximum < 1 else inner.normalize()
            cell = Measurement(inner.minimum + pad, inner.maximum + pad).with_maximum(width)
        cell = cell.normalize().with_maximum(width)
        cell = Measurement(0, 0) if cell.maximum < 1 else cell.normalize()
        found = Measurement(cell.minimum, cell.maximum).with_maximum(width)
        return found.clamp(None if column.min_width is None else column.min_width + pad,
                           None if column.max_width is None else column.max_width + pad)

    columns = rt.columns
    if rt.expand or any(c.width is not None or c.ratio for c in columns):
        return None
    widths = [measure(i, max_width).maximum or 1 for i in range(len(columns))]
    table_width = sum(widths)
    if table_width > max_width:
        widths = rt._collapse_widths(widths, [(c.width is None and not c.no_wrap) for c in columns], max_width)
        table_width = sum(widths)
        if table_width > max_width:
            widths = ratio_reduce(table_width - max_width, [1] * len(widths), widths, widths)
            table_width = sum(widths)
        widths = [measure(i, w).maximum or 0 for i, w in enumerate(widths)]
    if rt.min_width is not None and table_width < rt.min_width - rt._extra_width:
        room = min(rt.min_width - rt._extra_width, max_width)
        widths = [w + pad for w, pad in zip(widths, ratio_distribute(room - table_width, widths))]
    return widths


def _wrapped_lines(out, rt, title: str, columns, whole: dict, compact: bool) -> list[str] | None:
    """`_plain_lines` for a table whose text columns must wrap: the column widths rich gives
    (its own measure), each cell laid out and wrapped where rich wraps it (`rich._wrap`), or
    None where rich's own layout is needed. `tests/test_render_lines.py` holds the two to
    the same characters."""
    from rich._wrap import divide_line

    from .fit import cell_len

    if out.color_system is not None or compact or out.is_terminal or getattr(out, "table_class", None) is None:
        return None
    try:
        every = [[c.header for c in rt.columns], *zip(*(c._cells for c in rt.columns))]
        if rt.show_footer:
            every.append([c.footer for c in rt.columns])
        widths = _rich_widths(rt, every, out.width - rt._extra_width)
    except Exception:  # noqa: BLE001 - another rich than the one this was written for: rich lays it out
        return None
    if widths is None:
        return None
    total = sum(widths) + rt._extra_width
    if not columns or cell_len(title) > total or total > out.width:
        return None
    inner = [w - 2 for w in widths]
    right = [col.kind in ("money", "int") for col in columns]
    fixed = [col.key in whole for col in columns]

    def laid_out(text, w: int, r: bool, no_wrap: bool) -> list[str] | None:
        if not _plain(text) or w < 1:
            return None
        n = cell_len(text)
        if n <= w:
            gap = " " * (w - n)
            return [gap + text if r else text + gap]
        if r or no_wrap:
            return None
        offsets = divide_line(text, w, fold=True)
        lines = []
        for a, b in zip([0, *offsets], [*offsets, len(text)]):
            piece = text[a:b]
            if len(piece) > w:  # the whitespace after the last word beyond the width goes
                excess = len(piece) - w
                spaces = len(piece) - len(piece.rstrip())
                piece = piece[:len(piece) - min(spaces, excess)]
            size = cell_len(piece)
            if size > w:  # cut to the width (rich's `truncate`): only trailing whitespace may go
                piece = piece.rstrip()
                size = cell_len(piece)
                if size > w:
                    return None
            lines.append(piece + " " * (w - size))
        return lines

    printed = []
    for row in every:
        cells = [laid_out(text, w, r, f) for text, w, r, f in zip(row, inner, right, fixed)]
        if any(c is None for c in cells):
            return None
        printed.append([" " + " ".join(" " + (c[k] if k < len(c) else " " * w) + " " for c, w in zip(cells, inner)) + " "
                        for k in range(max(len(c) for c in cells))])
    return _framed(title, total, printed, rt.show_footer)


def render_report(report: Report, fmt_: str, lang: str = "en") -> None:
    """Write ``report`` to stdout in the chosen format."""
    if fmt_ == "json":
        sys.stdout.write(dumps(report.data) + "\n")
    elif fmt_ == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        for i, table in enumerate(report.tables):
            if i:
                buf.write("\n")
            writer.writerow([c.key for c in table.columns])
            for row in table.rows:
                writer.writerow([_cell(row.get(c.key), c.kind, False) for c in table.columns])
        sys.stdout.write(buf.getvalue())
    else:
        out = console()
        for table in report.tables:
            print_table(table, lang, out)
        for line in report.chart:
            out.print(shown(in_lang(line, lang)))
        for note in report.notes:
            out.print(shown(in_lang(note, lang)))
