"""Where a book is: its folder (``--book``, ``$CASHBOOK_BOOK`` or the current directory),
its journals folder, its seal log, and how a path is shown to the user."""

from __future__ import annotations

import os
from pathlib import Path


def find_root(book: str | os.PathLike | None) -> Path:
    """--book DIR, else $CASHBOOK_BOOK, else the current directory."""
    if book:
        return Path(book)
    env = os.environ.get("CASHBOOK_BOOK")
    return Path(env) if env else Path.cwd()


SEAL_LOG = "seals.log"
SEAL_LOG_HEADER = "# cashbook seal log: one line per closed day, `date seal`; `cashbook check` verifies it against the day files\n"


class Layout:
    """The book's folders and names (mixed into `Book`, which holds ``root``)."""

    root: Path

    @property
    def journals(self) -> Path:
        return self.root / "journals"

    @property
    def seal_log(self) -> Path:
        return self.journals / SEAL_LOG

    def shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

