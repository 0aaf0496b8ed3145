"""What every report returns: data for JSON, tables for the terminal and CSV.

Reports are pure functions of (book state, options) that return a `Report`; the
renderers in `cashbook.render` turn it into rich tables, JSON or CSV. A new format
is a new renderer, never an edit in every report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..core.describe import Bi  # noqa: F401  (text with its Chinese; reports build it)

ColumnKind = Literal["text", "money", "date", "int"]


class ProblemNote(str):
    """A note that is a problem (``severity: code: message``); the renderer words it in the
    output language from the problem's code and data."""

    problem: object
    whole = True

    def __new__(cls, problem):
        text = super().__new__(cls, f"{problem.severity}: {problem.code}: {problem.message}")
        text.problem = problem
        return text

    def codec_args(self) -> tuple:
        """What rebuilds it (``cls(*args)``): how a kept report stores it."""
        return (self.problem,)


class ProblemMessage(ProblemNote):
    """A problem's message alone (a table's message column), worded like a `ProblemNote`."""

    whole = False

    def __new__(cls, problem):
        text = str.__new__(cls, problem.message)
        text.problem = problem
        return text


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    zh: str
    kind: ColumnKind = "text"
    zh_values: tuple = ()  # (value, 中文) pairs: codes in the data (statuses) shown in Chinese with --lang zh

    def heading(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def shown(self, text: str, lang: str) -> str:
        if lang == "zh" and getattr(text, "zh", None) is not None:
            return text.zh
        return dict(self.zh_values).get(text, text) if lang == "zh" and self.zh_values else text


@dataclass
class Table:
    columns: list[Column]
    rows: list[dict]
    title_en: str = ""
    title_zh: str = ""
    totals: dict | None = None  # a footer row, keyed like the rows
    name: str = ""  # the section name of a report with several tables (CSV --section), else from the title

    def section(self) -> str:
        import re

        return self.name or re.sub(r"[^a-z0-9]+", "-", self.title_en.lower()).strip("-") or "table"

    def title(self, lang: str) -> str:
        return (self.title_zh or self.title_en) if lang == "zh" else self.title_en


@dataclass
class Report:
    """A report: ``data`` is its JSON form; ``tables`` its table and CSV form."""

    data: dict
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lines printed after the tables
    exit_code: int = 0
    chart: list[str] = field(default_factory=list)  # preformatted lines (small terminal charts)
    sheets: list = field(default_factory=list)  # printable forms (reports.sheets.Sheet) for html and pdf
