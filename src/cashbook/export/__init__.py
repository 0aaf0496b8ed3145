"""Exact export of the book for beancount, ledger/hledger and CSV.

Pure functions of (entries in book order, policy, options) that return text; the
`cashbook export` command does the reading and writing. Every money-moving entry
becomes one balanced transaction whose postings are the entry's own, with accounts
named by `accounts.AccountMap`; amounts are printed exactly as stored.
"""

from __future__ import annotations

from ..core.entries import EntryBase
from ..core.policy import Policy
from .model import Export, Options, build

FORMATS = ("beancount", "ledger", "csv")


def render(fmt: str, entries: list[EntryBase], policy: Policy, options: Options = Options()) -> tuple[str, list[str]]:
    """(text, warnings) of the export of ``entries`` in format ``fmt`` (one of `FORMATS`)."""
    export = build(entries, policy, options)
    if fmt == "beancount":
        from .beancount import write
    elif fmt == "ledger":
        from .ledger import write
    elif fmt == "csv":
        from .csv import write
    else:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    return write(export), export.warnings


__all__ = ["FORMATS", "Export", "Options", "build", "render"]
