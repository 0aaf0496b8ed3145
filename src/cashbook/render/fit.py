"""Fitting a table to the terminal: amounts, ids and dates are never cut. Text columns
wrap; when even that cannot make room, descriptive columns are left out (the least
needed first) and the table says so."""

from __future__ import annotations

from rich.cells import cell_len as _cell_len


def cell_len(text: str) -> int:
    """Terminal cells ``text`` takes (rich's count; plain ASCII is one a character)."""
    return len(text) if text.isascii() else _cell_len(text)

# columns that must show whole: identifiers (amounts, dates and counts are whole by kind)
WHOLE = {"id", "account", "cheque", "entry", "code", "line", "ref", "doc"}
# identifiers that may be left out (the entry id leads to them) before the 摘要 goes
SECONDARY = ["doc", "ref", "line", "cheque"]
# what goes first when there is no room, least needed first; any other text column after these
DROP_ORDER = ["number", "bank", "type", "name", "memo", "counterparty", "summary", "message", "status"]
MIN_TEXT = 10  # a text column narrower than this reads as noise


def whole(col) -> bool:
    return col.kind != "text" or col.key in WHOLE


def natural(col, table, lang: str, cell) -> int:
    cells = [cell(row.get(col.key), col.kind, True) for row in table.rows]
    if table.totals:
        cells.append(cell(table.totals.get(col.key), col.kind, True))
    return max([cell_len(col.heading(lang))] + [cell_len(c) for c in cells])


def fit(table, width: int, lang: str, cell) -> tuple[list, list, dict, bool]:
    """The columns to show, the ones left out, each shown whole column's width, and whether
    the columns must go closer together (one space apart, no edges) to fit."""
    widths = {c.key: natural(c, table, lang, cell) for c in table.columns}
    shown = list(table.columns)
    dropped = []

    compact = False

    def needed() -> int:
        gaps = len(shown) - 1 if compact else 3 * len(shown) - 1
        return sum(widths[c.key] if whole(c) else min(widths[c.key], MIN_TEXT) for c in shown) + gaps

    rank = DROP_ORDER[:DROP_ORDER.index("summary")] + SECONDARY + DROP_ORDER[DROP_ORDER.index("summary"):]
    order = sorted((c for c in shown if not whole(c) or c.key in SECONDARY),
                   key=lambda c: rank.index(c.key) if c.key in rank else len(rank))
    keep_longest = {"summary", "message", "status", "item"}  # what a line is about: closer together before these go
    for col in [c for c in order if c.key not in keep_longest]:
        if needed() <= width:
            break
        shown.remove(col)
        dropped.append(col)
    if needed() > width:
        compact = True
    for col in [c for c in order if c.key in keep_longest]:
        if needed() <= width:
            break
        shown.remove(col)
        dropped.append(col)
    if needed() > width:  # ids and amounts alone overflow: drop the ids that are not the entry's own
        for col in [c for c in shown if c.kind == "text" and c.key not in ("id", "account")]:
            if needed() <= width:
                break
            shown.remove(col)
            dropped.append(col)
    return shown, dropped, {c.key: widths[c.key] for c in shown if whole(c)}, compact
