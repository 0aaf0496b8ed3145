"""The one load pipeline: scan the journals folder -> parse each day file (`scan.Scanner`:
cache or disk, on every core) -> fold the entries into a `BookState` in book order
(`core.state.fold`, the only replay loop) -> verify the seals -> a `Loaded` book, or a
`Period` of it on top of the state before it (`state_after`: the latest snapshot plus
the files after it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ..core.entries import EntryBase
from ..core.problems import Problem
from ..core.decide import Checker, judge
from ..core.state import BookState, fold, replay
from .cache import Layered, Scanned, chain
from .journal import DayFile
from .parallel import PARALLEL_FROM, ChunkFailed, Worker, can_fork, long_lived_objects, sealed_digests, workers
from .seallog import read_seal_log, seal_problems_of, sealed_files
from .snapshot import SnapshotState

if TYPE_CHECKING:
    from ..core.rules import Neighbours

__all__ = ["Checker", "Loaded", "Loader", "Period", "receipt_neighbours"]


@dataclass
class Loaded:
    """The whole book read from disk."""

    state: BookState
    files: list[DayFile]
    problems: list[Problem] = field(default_factory=list)
    order: list[EntryBase] = field(default_factory=list)  # every valid entry, book order
    where: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> (file, line)
    per_file: list[list[Problem]] = field(default_factory=list)  # each file's problems, in order (as in ``problems``)
    counts: list[int] = field(default_factory=list)  # each file's entries applied

    def add(self, shown: str, df: DayFile, applied: list[EntryBase]) -> None:
        """Note the entries of ``df`` just applied: book order and where each one is."""
        for entry in applied:
            self.order.append(entry)
            self.where[entry.id] = (shown, df.lines.get(entry.id) or 0)

    def duplicate(self, shown: str, where: "dict[str, tuple[str, int]] | _FirstUse | None" = None) -> Callable[[EntryBase, int | None], Problem]:
        """The problem for an id used again in ``shown``, naming where it was first used."""
        where = self.where if where is None else where

        def problem(entry: EntryBase, line: int | None) -> Problem:
            first = where[entry.id]
            return Problem("duplicate-id", f"id {entry.id} is already used at {first[0]}:{first[1]}", shown, line, entry.id)

        return problem


@dataclass
class Period:
    """Entries of a span of days replayed on the state before it (see `Book.period`)."""

    first: dt.date
    last: dt.date
    opening: dict  # account balances before ``first``
    state: BookState  # after ``last``
    files: list[DayFile] = field(default_factory=list)
    entries: list[EntryBase] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    where: dict[str, tuple[str, int]] = field(default_factory=dict)
    unsealed: list[dt.date] = field(default_factory=list)  # days up to ``last`` with entries, not closed
    later_seal: dt.date | None = None


class Loader:
    """Folding the book (mixed into `Book`, with `Scanner` for the files and ``cache``,
    ``policy``, ``policies`` and ``progress``)."""

    def load(self, checker: Checker | None = None, today: dt.date | None = None, refuse_damaged: bool = True,
             keep: dict[int, str] | None = None, scanned: list[Scanned] | None = None) -> Loaded:
        """Read and replay the whole book; problems are collected, never raised.

        With a ``checker`` (the rules), every entry is also checked against the state
        just before it, as `cashbook check` does. Every file is read as it is now (nothing
        of the book comes from the cache). Where many files need their rules run, that
        work is spread over every core (`_load_in_chunks`). A damaged book is refused
        (`_refuse_if_damaged`) unless ``refuse_damaged`` is off, as for `cashbook check`,
        which lists what is wrong. With ``keep`` (a check's), a snapshot of the state after
        each of the last files is kept in the cache, ``keep`` noting each one's key. ``scanned``:
        the folder as this command scanned it already, if it did.
        """
        cash = frozenset(self.policy.cash_accounts())
        loaded = Loaded(state=BookState(), files=[])
        scanned = self.scan() if scanned is None else scanned
        kept = self._snapshot_at(scanned, keep)
        first_read = None
        if refuse_damaged:
            first_read = self.parsed(scanned)
            self._refuse_if_damaged(scanned, first_read, doing="report")
        checked = _Checked(self, scanned, checker, today)
        if checker is not None and can_fork() and len(scanned) > PARALLEL_FROM:
            try:
                with long_lived_objects():
                    return self._load_in_chunks(scanned, checked, cash, loaded, kept)
            except ChunkFailed:  # a worker died (out of memory?): do it all here instead
                loaded = Loaded(state=BookState(), files=[])
                checked = _Checked(self, scanned, checker, today)
        with long_lived_objects():
            fresh = self.parsed(scanned, everything=True) if first_read is None else first_read
            for i, s in enumerate(scanned):
                df = self.day_file(s, fresh)
                loaded.files.append(df)
                loaded.problems.extend(df.problems)
                problems, applied = checked.replay(i, df, loaded.state, cash, loaded.duplicate(s.shown))
                loaded.problems += problems
                loaded.add(s.shown, df, applied)
                loaded.per_file.append(df.problems + problems)
                loaded.counts.append(len(applied))
                kept(i, loaded.state)
        return loaded

    def _snapshot_at(self, scanned: list[Scanned], keep: dict[int, str] | None) -> Callable[[int, BookState], None]:
        """What `load` calls after each file: with ``keep``, the state after each of the last
        files goes to the cache (for `check`'s record, see `checkmemo`), and the state at the
        end of the month before the last file's (where the cashier's journal of the month so
        far starts, `state_before`: after a rebuilt cache, it need not replay the book)."""
        from .checkmemo import KEEP_AT

        if keep is None or self.cache is None or not scanned or any(s.day is None for s in scanned):
            return lambda i, state: None
        this_month = scanned[-1].day.replace(day=1)
        month_end = max((i for i, s in enumerate(scanned) if s.day < this_month), default=None)

        def kept(i: int, state: BookState) -> None:
            if i >= len(scanned) - KEEP_AT:
                keep[i] = self.files_key(scanned[:i + 1])
                self.cache.save_snapshot(scanned[i].day, keep[i], state)
            elif i == month_end:
                self.cache.save_snapshot(scanned[i].day, self.files_key(scanned[:i + 1]), state)
        return kept

    def _load_in_chunks(self, scanned: list[Scanned], checked: "_Checked", cash: frozenset, loaded: Loaded,
                        kept: Callable[[int, BookState], None]) -> Loaded:
        """`load` with the rules run in forked workers, a run of consecutive files each.

        This process reads the files in order and applies their entries (no rules), which
        gives the state at the start of each run; before applying a run it forks a worker
        that inherits that state and the run's files, checks them with the rules exactly
        as `load` would, and sends back only the problems. Reading here while workers
        check uses every core, and no entry ever crosses a pipe.
        """
        cores = workers()
        size = max(16, -(-len(scanned) // (cores * 8)))  # runs: enough to keep every core busy, few enough forks
        per_file: list[list[Problem] | None] = [None] * len(scanned)
        applied_in: list[list[EntryBase]] = []  # per file; the book's order and index are built after the workers end
        running: list[Worker] = []
        tick = self.progress(len(scanned)) if self.progress else None
        try:
            for first in range(0, len(scanned), size):
                run = range(first, min(first + size, len(scanned)))
                fresh = self.parsed([scanned[i] for i in run], complete=False, parallel=False, everything=True)
                files = [self.day_file(scanned[i], fresh) for i in run]
                while len(running) >= max(1, cores - 1):  # this process reads on a core of its own
                    running.pop(0).collect(per_file)
                running.append(Worker.start(lambda: checked.check_run(run, files, loaded.state, cash, loaded), run))
                for i, df in zip(run, files):
                    loaded.files.append(df)
                    applied_in.append(replay(loaded.state, df.entries, cash))
                    kept(i, loaded.state)
                if tick:
                    tick(len(run))
            for worker in running:
                worker.collect(per_file)
            running.clear()
            for s, df, applied, problems in zip(scanned, loaded.files, applied_in, per_file):
                loaded.add(s.shown, df, applied)
                loaded.problems += problems or []
                loaded.per_file.append(problems or [])
                loaded.counts.append(len(applied))
        finally:
            for worker in running:
                worker.kill()
        if self.cache:
            self._forget_gone(scanned)
        return loaded

    def check(self, checker: Checker) -> tuple[list[Problem], int, int]:
        """`cashbook check`: every problem of the book (its files, each entry against the rules,
        the book-wide checks, the seal chain and each sealed day's figures) and how many files
        and entries were read. Never an answer from the cache: every file is read and hashed
        on every run, and the seals are verified from those bytes. The rules run again only
        on files after the first ones whose contents an earlier check saw (`checkmemo`)."""
        from ..core.close import seal_figures
        from ..core.rules import book_checks

        if not self.judging:
            self.judging, self._policy, self._history = True, None, None  # the policy validated from its file
        scanned = self.scan()
        found = self._check_on_record(checker, scanned) if self.cache else None
        if found is None:
            keep: dict[int, str] = {}
            loaded = self.load(checker=checker, refuse_damaged=False, keep=keep, scanned=scanned)
            figures = seal_figures(loaded.state, self.policy, loaded.where)
            sealed = sealed_files(self, loaded)
            digests = sealed_digests(sealed)
            problems = (loaded.problems + book_checks(loaded.state, self.policy, loaded.where) + seal_problems_of(self, sealed, digests)
                        + figures + self.policies.problems(checker))
            if keep:
                self._keep_whole_check(loaded, keep, figures, digests)
            found = problems, len(loaded.files), len(loaded.order)
        broken = [p.file for p in found[0] if p.code == "seal-broken" and p.file]
        if broken and self.cache:  # read again by the next command, whose refusal then sees the broken seal
            self.cache.forget(broken)
        return found

    def state_before(self, day: dt.date, scanned: list[Scanned] | None = None, fresh: dict | None = None,
                     from_files: bool = False) -> BookState:
        """The book state after every entry dated before ``day``: from the latest valid
        snapshot in the cache plus the days after it (the whole book without a cache, or
        ``from_files``)."""
        if scanned is None or fresh is None:
            scanned = self.scan() if scanned is None else scanned
            fresh = self.parsed(scanned, everything=from_files) if fresh is None else fresh
            self._refuse_if_damaged(scanned, fresh, day - dt.timedelta(days=1), doing="report")
        return self.state_after([s for s in scanned if s.day is not None and s.day < day], fresh, from_files)

    def state_after(self, files: list[Scanned], fresh: dict, from_files: bool = False) -> BookState:
        """The book state after ``files`` (day files in order, from the first): the latest
        snapshot stored under the contents of a prefix of them (`files_key`), plus the files
        after it; with ``from_files``, every file replayed. A snapshot is saved at each month
        end and at the last file replayed, so the next command starts there."""
        cash = frozenset(self.policy.cash_accounts())
        cache = None if from_files else self.cache
        state, start, upto = BookState(), 0, None
        if cache:
            keys = chain((s.shown, self.digest_of(s)) for s in files)
            key_at = {s.day: (i, keys[i]) for i, s in enumerate(files)}
            for snap_day, key in cache.snapshots():
                if snap_day in key_at and key_at[snap_day][1] == key:
                    parts = cache.load_snapshot(snap_day, key, BookState.__dataclass_fields__)
                    if parts is not None:
                        state, start, upto = SnapshotState.from_parts(parts), key_at[snap_day][0] + 1, snap_day
                        for s in files[:start]:  # what the snapshot stands for was read
                            self._note("file", s.shown, self.digest_of(s))
                        break
            for name, index in cache.indexes(upto).items():
                setattr(state, name, index)
        seen: set[str] = set()  # a duplicate id (an error `check` reports) is applied once
        # a long replay (the cache rebuilt: after an upgrade, the whole book) makes millions of
        # objects that live as long as the command: the garbage collector is kept off meanwhile
        with long_lived_objects() if len(files) - start > PARALLEL_FROM else contextlib.nullcontext():
            for i in range(start, len(files)):
                s = files[i]
                replay(state, self.day_file(s, fresh).entries, cash, seen)
                month_ends = i + 1 < len(files) and files[i + 1].day.month != s.day.month
                if cache and (month_ends or i == len(files) - 1):
                    cache.save_snapshot(s.day, keys[i], state)  # month ends too, for later month reports
        return state

    def period(self, first: dt.date, last: dt.date, checker: Checker | None = None, from_files: bool = False) -> "Period":
        """The entries of ``first``..``last`` replayed (and checked) on top of the state
        before ``first``: what day and month reports need, without the whole book (with
        ``from_files``, the state before is replayed from every file, no snapshot)."""
        policy = self.policy
        cash = frozenset(policy.cash_accounts())
        scanned = self.scan()
        fresh = self.parsed(scanned, everything=from_files)
        self._refuse_if_damaged(scanned, fresh, last, doing="report")
        state = self.state_before(first, scanned, fresh, from_files)
        view = Period(first, last, dict(state.balances), state)
        checked = _Checked(self, scanned, checker, None)
        for i, s in enumerate(scanned):
            if s.day is None or not first <= s.day <= last:
                continue
            df = self.day_file(s, fresh)
            view.files.append(df)
            view.problems.extend(df.problems)

            def duplicate(entry, line, shown=s.shown):
                return Problem("duplicate-id", f"id {entry.id} is used twice", shown, line, entry.id)

            problems, applied = checked.replay(i, df, state, cash, duplicate)
            view.problems += problems
            for entry in applied:
                view.entries.append(entry)
                view.where[entry.id] = (s.shown, df.lines.get(entry.id) or 0)
        seal_days = {d for d, _ in (read_seal_log(self)[0] or [])}
        view.later_seal = max((d for d in seal_days if d > last), default=None)
        view.unsealed = sorted({s.day for s in scanned if s.day is not None and s.day <= last and s.day not in state.seals
                                and s.day not in seal_days and self.day_file(s, fresh).entries})
        return view

    def between(self, first: dt.date, last: dt.date) -> tuple[dict, list[EntryBase]]:
        """The account balances before ``first`` and the entries of ``first``..``last`` in
        book order: the state at ``first`` from a snapshot (`state_before`) plus the files of
        the range, no other day file read. What a journal over a range needs."""
        scanned = self.scan()
        fresh = self.parsed(scanned)
        self._refuse_if_damaged(scanned, fresh, last, doing="report")
        opening = dict(self.state_before(first, scanned, fresh).balances)
        entries: list[EntryBase] = []
        seen: set[str] = set()  # a duplicate id (an error `check` reports) counts once
        for s in scanned:
            if s.day is not None and first <= s.day <= last:
                for entry in self.day_file(s, fresh).entries:
                    if entry.id not in seen:
                        seen.add(entry.id)
                        entries.append(entry)
        return opening, entries


class _Checked:
    """Replays day files with their checks (the references and, given a ``checker``, the
    rules run on every entry, every time), through the one fold (`core.state.fold`)."""

    def __init__(self, book: Loader, scanned: list[Scanned], checker: Checker | None, today: dt.date | None):
        self.book, self.checker, self.today = book, checker, today
        self.scanned = scanned
        self._judge = None
        if checker is not None:
            book.policies.ready()

    def replay(self, i: int, df: DayFile, state: BookState, cash: frozenset, duplicate) -> tuple[list[Problem], list[EntryBase]]:
        """Apply the entries of file ``i`` to ``state``, each checked against the state just
        before it; return the file's problems (an id used before: ``duplicate``'s) and the
        entries applied."""
        if self._judge is None:
            self._judge = judge(self.book.policies.at, self.checker, self.today)
        shown, lines = self.scanned[i].shown, df.lines
        problems, applied = [], []
        for entry, found in fold(state, df.entries, cash, self._judge):
            line = lines.get(entry.id)
            if found is None:
                problems.append(duplicate(entry, line))
                continue
            problems += [Problem(p.code, p.message, shown, line, entry.id, p.severity, p.data) for p in found]
            applied.append(entry)
        return problems, applied

    def check_run(self, run: range, files: list[DayFile], state: BookState, cash: frozenset, loaded: Loaded) -> list:
        """In a worker: `replay` over a run of files; returns the problems of each file."""
        out = []
        where = _FirstUse(self.scanned, loaded.files)
        for i, df in zip(run, files):
            shown = self.scanned[i].shown
            problems, applied = self.replay(i, df, state, cash, loaded.duplicate(shown, where))
            for entry in applied:
                where.here[entry.id] = (shown, df.lines.get(entry.id) or 0)
            out.append(df.problems + problems)
        return out


class _FirstUse:
    """Where each id was first used, for a worker's duplicate-id messages: the ids of its own
    run as it goes, else the first earlier file holding the id (a rare look-up, so the book's
    whole index need not be built while workers share this process's memory)."""

    def __init__(self, scanned: list[Scanned], files: list[DayFile]):
        self.scanned, self.files, self.here = scanned, files, {}

    def __getitem__(self, entry_id: str) -> tuple[str, int]:
        if entry_id in self.here:
            return self.here[entry_id]
        for s, df in zip(self.scanned, self.files):
            if entry_id in df.lines:
                return s.shown, df.lines[entry_id] or 0
        raise KeyError(entry_id)


def receipt_neighbours(numbers) -> "Neighbours":
    """The book's receipt numbers near a period's (see `core.rules.gaps_closed_in`): from the
    cache's index when the state has one, else from the numbers in memory."""
    from ..core.rules import receipt_series

    def near(prefix: str, width: int, lo: int, hi: int) -> list[int]:
        lo_s, hi_s = f"{prefix}{lo:0{width}d}", f"{prefix}{hi:0{width}d}"
        local = numbers.local if isinstance(numbers, Layered) and numbers.near else numbers
        inside, below = numbers.near(lo_s, hi_s) if local is not numbers else ([], [])
        values, floor = [], None
        for number in (*local, *inside):
            found = receipt_series(number)
            if found and found[:2] == (prefix, width):
                if lo <= found[2] <= hi:
                    values.append(found[2])
                elif found[2] < lo and (floor is None or found[2] > floor):
                    floor = found[2]
        for (number,) in below:  # greatest first: the first of the series is the floor on disk
            found = receipt_series(number)
            if found and found[:2] == (prefix, width):
                floor = found[2] if floor is None else max(floor, found[2])
                break
        return values + ([floor] if floor is not None else [])

    return near

