"""The damaged-book refusal: a day file that cannot be read, a duplicate id or an edited
sealed day could hide an id or a movement, so recording and the reports that read those
files wait until it is fixed."""

from __future__ import annotations

import datetime as dt

from ..core.problems import CashbookError, Problem
from .cache import Scanned
from .journal import UNREADABLE, DayFile, name_problem
from .seallog import seals_broken


class Damage:
    """`Book._refuse_if_damaged` (mixed into `Book`)."""

    def _refuse_if_damaged(self, scanned: list[Scanned], fresh: dict[str, DayFile], upto: dt.date | None = None,
                           doing: str = "recording") -> None:
        """A damaged file could hide an id or a movement, and an edited sealed day changes
        figures that were signed: recording, and every report that reads the files (those
        up to ``upto``, odd names included), waits until it is fixed."""
        if upto is not None:
            scanned = [s for s in scanned if s.day is None or s.day <= upto]
        cache = self.cache
        bad_names = set(cache.unsafe_files()) if cache else set()
        cached_dups = cache.duplicates() if cache else []
        if cache is not None and not cache.on:  # it failed just now (the answers above are its defaults): the files say
            cache = None
        suspects = [s for s in scanned if s.shown in bad_names] if cache else scanned
        broken = [p for s in scanned if (p := name_problem(s.file, s.shown))]  # from the names alone, cache or not
        broken += [p for s in suspects for p in self.day_file(s, fresh).problems if p.code in UNREADABLE]
        shown = {s.shown for s in scanned}
        if cache:
            dups = [d for d in cached_dups if d[1] in shown or d[2] in shown]
        else:
            first: dict[str, str] = {}
            dups = []
            for s in scanned:
                for e in self.day_file(s, fresh).entries:
                    if e.id in first:
                        dups.append((e.id, s.shown, first[e.id]))
                    first.setdefault(e.id, s.shown)
        broken += [Problem("duplicate-id", f"id {i} is used in {a} and in {b}", file=a, entry_id=i) for i, a, b in dups]
        broken += seals_broken(self, scanned, fresh, upto)
        if broken:
            raise CashbookError([*broken, Problem(
                "book-damaged", f"the book has damaged files (above): no {doing} until they are fixed; restore each file "
                "from your backup or version control (`git checkout -- FILE`), then `cashbook check` lists anything left")])
