"""The one way an entry gets written: under the book lock, the state up to the entry's day
(`Loader.state_after`), its id, the decision (`core.decide`), the back-dating check, the
atomic append and the cache told what the file now holds; and the day close that seals a
day (`close_day_in_book`)."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..core.close import DayCloseReport, close_day, seal_value
from ..core.decide import decide, judge
from ..core.entries import KINDS, DayClose, EntryBase
from ..core.problems import CashbookError, Problem
from ..core.state import BookState, fold, replay
from .cache import Scanned, digest, file_key
from .files import book_lock, read_regular
from .journal import DayFile, append_entry, day_path, entry_text, seal_day
from .loader import Checker
from .parallel import PARALLEL_FROM
from .seallog import read_seal_log, repair_seal_log, write_seal_log

if TYPE_CHECKING:
    from .book import Book


class Writer:
    """`Book.record` and `Book.next_id` (mixed into `Book`)."""

    def next_id(self, day: dt.date, df: DayFile | None, ids: list[str] | None = None) -> str:
        """The id after the day's last one, from the day file ``df`` (or from its ``ids``)."""
        seq = 0
        prefix = f"{day:%Y%m%d}-"
        for entry_id in ids if ids is not None else [e.id for e in df.entries] if df else ():
            if entry_id.startswith(prefix) and entry_id[len(prefix):].isdigit():
                seq = max(seq, int(entry_id[len(prefix):]))
        if df is not None and df.problems:
            # a damaged file may hide ids: count its [[entry]] headers too
            seq = max(seq, df.raw.count(b"[[entry]]"))
        return f"{prefix}{seq + 1:03d}"

    def _ids_of_day(self, s: Scanned, fresh: dict[str, DayFile]) -> tuple[list[str] | None, DayFile | None]:
        """The ids in the day's own file so far, from the cache's index when the file's stat is
        as the cache last saw it and it read clean then (a busy day's file is not parsed again
        for each entry), else the file parsed now."""
        cache = self.cache
        if cache and s.shown not in fresh:
            seen = cache.files().get(s.shown)
            if seen and seen[0] == s.key:
                ids = cache.ids_in(s.shown)
                if ids is not None:
                    self._digests[s.shown] = seen[1]
                    self._note("file", s.shown, seen[1])
                    return ids, None
        return None, self.day_file(s, fresh)

    def record(
        self,
        draft: dict | Callable[[BookState], dict],
        today: dt.date,
        checker: Checker | None = None,
        time: dt.datetime | None = None,
    ) -> tuple[EntryBase, BookState, list[Problem]]:
        """Check and append one entry built from ``draft`` (a record without ``id``).

        ``draft`` may be a function of the current state, for entries that refer to
        earlier ones (a void copies its target's postings, a settlement its advance's
        person), so the look-up happens under the lock; its ``time`` is then given apart.
        Only the days since the cache's last snapshot are replayed, never the whole book.

        Returns the entry, the state after it, and the warnings recorded with it.
        Raises `CashbookError` (nothing written) for bad input or a blocking rule.
        """
        policy = self.policy
        cash = frozenset(policy.cash_accounts())
        for attempt in range(2):
            with book_lock(self.root):
                scanned = self.scan()
                if attempt == 0 and self._many_unparsed(scanned):
                    pass  # a cold cache is filled on every core, outside the lock (below)
                else:
                    self.policies_for_write(today, checker, (time or draft["time"]).date())
                    return self._record_locked(draft, today, checker, time, scanned, cash)
            self.parsed(scanned)
        raise AssertionError("unreachable")  # the second attempt always records or raises

    def _many_unparsed(self, scanned: list[Scanned]) -> bool:
        cache = self.cache
        if cache is None:
            return False
        known = cache.files()
        return sum(1 for s in scanned if known.get(s.shown, ("",))[0] != s.key) > PARALLEL_FROM

    def _record_locked(self, draft, today, checker, time, scanned, cash) -> tuple[EntryBase, BookState, list[Problem]]:
        """`record` under the book lock, on the files as ``scanned`` just now. A draft function
        may return a list of drafts (a void with its dependants): they are checked one after
        the other on the state each leaves, and written only when none is refused; the last
        one is what is returned."""
        fresh = self.parsed(scanned)
        self._refuse_if_damaged(scanned, fresh)
        when = time or draft["time"]
        day = when.date()
        path = day_path(self.root, day)
        # the state after the day's own file so far (a snapshot of it is kept after each entry)
        through = [s for s in scanned if s.day is not None and s.day <= day]
        today_file = through[-1] if through and through[-1].file == str(path) else None
        state = self.state_after(through, fresh)
        ids, df = self._ids_of_day(today_file, fresh) if today_file else (None, None)
        drafts = draft(state) if callable(draft) else draft
        then = self.policy_at(day)
        entries: list[EntryBase] = []
        problems: list[Problem] = []
        next_id = self.next_id(day, df, ids)
        for one in drafts if isinstance(drafts, list) else [drafts]:
            entry, problems = decide({**one, "time": when, "id": next_id}, then, state, today, checker)
            if entry is None:
                raise CashbookError(problems)
            replay(state, [entry], cash)  # before writing: reading the state can still fail (see cache._Part)
            entries.append(entry)
            next_id = f"{day:%Y%m%d}-{int(next_id.rsplit('-', 1)[1]) + 1:03d}"
        later = [s for s in scanned if s.day is not None and s.day > day]
        if later:
            self._refuse_if_later_breaks(entries, through, later, fresh, checker, cash)
        self.policies.keep()
        key = None
        clean = df is None or not df.problems  # a file the cache's index holds (ids) read clean
        for entry in entries:
            line = append_entry(path, entry)
            key = self._remember_append(path, day, clean, entry, line)
        cache = self.cache
        if cache and key:
            now_through = [s for s in through if s.day < day] + [Scanned(str(path), self.shown(path), day, key)]
            cache.save_snapshot(day, self.files_key(now_through), state)
        return entries[-1], state, problems

    def _refuse_if_later_breaks(self, entries: list[EntryBase], through: list[Scanned], later: list[Scanned], fresh: dict,
                                checker: Checker | None, cash: frozenset) -> None:
        """A back-dated entry is judged against the book as it would become: every later entry
        (all on open days: a sealed day is never written before) is checked again with the new
        entry in place, and the first one that would now be refused (a balance below its floor,
        a limit, a sitting payment, a settlement above what is outstanding ...) refuses it."""
        def replayed(with_entry: bool) -> list[tuple[EntryBase, list[Problem]]]:
            state = self.state_after(through, fresh)
            replay(state, entries if with_entry else (), cash)
            later_entries = (e for s in later for e in self.day_file(s, fresh).entries)
            # each day by the rules in force on it; a duplicate (None) is for the damaged-book refusal
            return [(e, [p for p in found if p.severity == "block"])
                    for e, found in fold(state, later_entries, cash, judge(self.policy_at, checker)) if found is not None]

        before = {e.id: {p.code for p in problems} for e, problems in replayed(False)}
        for e, problems in replayed(True):
            new = [p for p in problems if p.code not in before.get(e.id, set())]
            if new:
                where = self.shown(day_path(self.root, e.date))
                entry = entries[-1]
                raise CashbookError([
                    Problem(p.code, f"recorded on {entry.date}, this {entry.kind} would break the later {e.kind} {e.id} "
                            f"of {e.date}: {p.message}; record it on or after {e.date}, or change it",
                            file=where, entry_id=e.id, data={**p.data, "later_entry": e.id})
                    for p in new])

    def _remember_append(self, path: Path, day: dt.date, clean: bool, entry: EntryBase, line: int) -> str | None:
        """Tell the cache what the file holds now (its content digest and the new entry), so
        the next entry need not parse it again; returns the file's new stat key (None when
        the cache was not told, as for a file that did not read clean)."""
        cache = self.cache
        if cache is None or not clean:
            return None
        try:  # cache the entry as the file reader sees it, never only as the writer meant it
            again = KINDS[entry.kind].model_validate(tomllib.loads(entry_text(entry))["entry"][0])
        except Exception:  # noqa: BLE001 - any doubt: let the next command parse the file
            again = None
        if again != entry:
            cache.forget([self.shown(path)])
            return None
        try:
            key = file_key(path.stat())
            content = digest(read_regular(path, "journal"))
        except OSError:
            return None
        self._digests[self.shown(path)] = content
        cache.add_entry(Scanned(str(path), self.shown(path), day, key), content, entry)
        return key


def close_day_in_book(book: Book, date: dt.date, now: dt.datetime, checker: Checker, seal: bool) -> DayCloseReport:
    """Compute the close of ``date``; with ``seal``, write the day-close record when nothing blocks."""
    with book_lock(book.root):
        if seal:
            book.policies_for_write(now.date(), checker, date)
        view = book.period(date, date, checker, from_files=seal)  # what is sealed comes from the files
        unsealed = [d for d in view.unsealed if d < date]
        report = close_day(date, view.state, book.policy_at(date), view.problems, len(view.entries), unsealed)
        if seal and report.sealed:
            repair_seal_log(book, view.state.seals)  # a kill between the sealed file and its log line
        if not seal or report.sealed or report.blocking:
            return report
        if view.later_seal:
            report.problems.append(Problem("day-sealed", f"a later day ({view.later_seal}) is already sealed", severity="block"))
            return report
        path = day_path(book.root, date)
        df = view.files[0] if view.files else None
        cash = report.cash[0]
        previous = view.state.last_seal

        def make(digest: str) -> DayClose:
            when = now if now.date() == date else dt.datetime.combine(date, dt.time(23, 59), tzinfo=now.tzinfo)
            return DayClose(id=book.next_id(date, df), time=when, book_balance=cash.book_balance,
                            counted=cash.counted, digest=digest, previous=previous,
                            seal=seal_value(date, digest, previous, cash.book_balance, cash.counted))

        book.policies.keep()
        entry = seal_day(path, make)
        log, _ = read_seal_log(book)
        logged = {d for d, _ in (log or [])}
        lost = [(d, close.seal) for d, close in sorted(view.state.seals.items()) if d not in logged]  # a tail lost to a crash
        write_seal_log(book, [*(log or []), *lost, (date, entry.seal)])
        report.sealed = True
        report.seal_id = entry.id
        return report

