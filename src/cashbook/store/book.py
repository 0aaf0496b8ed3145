"""A book on disk: policies.toml plus journals/YYYY/YYYY-MM-DD.toml day files.

`Book.load()` reads every day file and replays it into a `BookState`, collecting
file problems as values. `Book.record()` is the one way an entry gets written: under
the book lock it reloads the state, gives the entry its id, runs the checks, and
appends it atomically only when nothing blocks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TypeVar

from ..core.close import DayCloseReport, SealedFile, close_day, parse_seal_log, seal_value, sealed_digest, verify_seals
from ..core.drafts import decide_kind
from ..core.entries import KINDS, DayClose, EntryBase
from ..core.policy import Policy
from ..core.problems import CashbookError, Problem
from ..core.state import BookState
from ..core.validate import check_references
from .cache import Cache, Layered, Scanned, chain, decode_day, digest, file_key, parse_key
from .files import atomic_write, book_lock, cache_inside, forget_resolved, holding_lock, note_temp, read_regular
from .journal import DayFile, append_entry, day_of, day_path, entry_text, name_problem, read_day, seal_day
from .policyfile import POLICY_FILE, read_policy
from .policyversions import VERSIONS_DIR, PolicyHistory, for_write, history

if TYPE_CHECKING:
    from ..core.rules import Neighbours

Checker = Callable[[EntryBase, Policy, BookState, dt.date], list[Problem]]
T = TypeVar("T")


def find_root(book: str | os.PathLike | None) -> Path:
    """--book DIR, else $CASHBOOK_BOOK, else the current directory."""
    if book:
        return Path(book)
    env = os.environ.get("CASHBOOK_BOOK")
    return Path(env) if env else Path.cwd()


@dataclass
class Loaded:
    """The whole book read from disk."""

    state: BookState
    files: list[DayFile]
    problems: list[Problem] = field(default_factory=list)
    order: list[EntryBase] = field(default_factory=list)  # every valid entry, book order
    where: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> (file, line)

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


class Book:
    def __init__(self, root: Path, use_cache: bool = True, progress=None):
        self.root = Path(root)
        self._policy: Policy | None = None
        self._history: PolicyHistory | None = None
        self.use_cache = use_cache and os.environ.get("CASHBOOK_NO_CACHE", "") == "" and cache_inside(self.root)
        self._cache: Cache | None = None
        self.progress = progress  # callable(total) -> advance(n) context, for long reads on a terminal
        self._digests: dict[str, str] = {}  # day file -> content digest, as this command knows it
        self._reads: dict[tuple[str, str], str] | None = None  # what a remembered computation read (`remembered`)

    @property
    def policy(self) -> Policy:
        """The policy, validated from policies.toml by every command (never from the cache:
        a rule's severity is whatever the file says now)."""
        if self._policy is None:
            self._policy, self._policy_digest = read_policy(self.root)
        return self._policy

    @property
    def policies(self) -> PolicyHistory:
        """Every version of the policies the book has kept, and which one judges each day."""
        if self._history is None:
            self._history = history(self)
        return self._history

    def policy_at(self, day: dt.date) -> Policy:
        """The policy in force on ``day`` (rules in force when an entry was recorded judge it)."""
        return self.policies.at(day)

    def policies_for_write(self, today: dt.date, checker: Checker | None, day: dt.date) -> None:
        """Under the lock, before a write on ``day``: a changed policies.toml is planned as a new
        version (written by `PolicyHistory.keep` just before the write) or refused (exit 2)."""
        self._history = for_write(self, today, checker, day)

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

    @property
    def cache(self) -> Cache | None:
        if self.use_cache and self._cache is None:
            self._cache = Cache(self.root)
        return self._cache if self._cache is not None and self._cache.on else None

    def _note(self, kind: str, name: str, value: str) -> None:
        """A remembered computation read ``name`` as it is now (``value``: its digest)."""
        if self._reads is not None:
            self._reads[(kind, name)] = value

    def scan(self) -> list[Scanned]:
        """Every *.toml under journals/ (not journals/bank/ nor journals/policies/), one stat each: day files in date order, odd names last."""
        found: list[Scanned] = []
        visited: set[str] = set()
        forget_resolved()

        def walk(folder: str, shown: str, top: bool) -> None:
            real = os.path.realpath(folder)
            if real in visited:  # a symlink loop is walked once
                return
            visited.add(real)
            try:
                items = list(os.scandir(folder))
            except OSError:
                return
            for item in items:
                name = item.name
                if name.startswith("."):
                    note_temp(item)  # a killed writer's leftover: the next write sweeps it (store/files.py)
                    continue
                if name.endswith(".toml"):
                    try:
                        key = file_key(item.stat(follow_symlinks=True))
                    except OSError:
                        key = "unreadable"
                    found.append(Scanned(item.path, shown + name, day_of(name), key))
                    continue
                try:
                    is_dir = item.is_dir(follow_symlinks=True)
                except OSError:
                    is_dir = False
                if is_dir and not (top and name in ("bank", VERSIONS_DIR)):
                    walk(item.path, f"{shown}{name}/", False)

        if self.journals.is_dir():
            walk(str(self.journals), self.shown(self.journals) + "/", True)
        out = sorted(found, key=lambda s: (s.day or dt.date.max, s.shown))
        self._note("scan", "journals", digest("\n".join(s.shown for s in out).encode()))
        return out

    def parsed(self, scanned: list[Scanned], complete: bool = True, parallel: bool = True, everything: bool = False) -> dict[str, DayFile]:
        """Read the files the cache does not know as they are (in parallel when there are
        many), note each one's content digest, bring the cache's index of entries up to date,
        and return the files read now; the others are read when asked for (`day_file`).

        A file whose stat is as the cache last saw it keeps the content digest noted then;
        with ``everything`` (a whole-book read, as `check` does) every file is read and its
        digest taken from its bytes. With ``complete``, ``scanned`` is the whole book and the
        cache forgets files gone from it."""
        cache = self.cache
        known = cache.files() if cache else {}
        if not everything:
            for s in scanned:
                seen = known.get(s.shown)
                if seen and seen[0] == s.key:
                    self._digests[s.shown] = seen[1]
        todo = scanned if everything else [s for s in scanned if known.get(s.shown, ("",))[0] != s.key]
        fresh, contents = self._stored_parses(todo) if everything and cache else ({}, {})
        misses = [s for s in todo if s.shown not in fresh]
        fresh.update(_parse_many(misses, self.progress if parallel else None, parallel))
        changed, gone, parsed_now = [], [], {s.shown for s in misses}
        for s in todo:
            content = self._digests[s.shown] = contents.get(s.shown) or digest(fresh[s.shown].raw)
            seen = known.get(s.shown)
            if seen is None or seen[1] != content:
                changed.append((s, content, fresh[s.shown], True))
                if seen is not None:
                    gone.append(parse_key(s.shown, seen[1]))
            elif seen[0] != s.key or everything and s.shown in parsed_now:
                changed.append((s, content, fresh[s.shown] if s.shown in parsed_now else None, False))  # same bytes: the index stands
        if cache:
            # a whole-book read also keeps what it parsed, by content, for the next one
            cache.put_files(changed, parses=everything, gone=gone)
            if complete:
                self._forget_gone(scanned)
        return fresh

    def _stored_parses(self, todo: list[Scanned]) -> tuple[dict[str, DayFile], dict[str, str]]:
        """Every file of ``todo`` read and hashed; those the cache holds a parse of for exactly
        these bytes come from it (entries re-validated). Returns those files and each read
        file's content digest."""
        read: dict[str, tuple[bytes, str]] = {}
        for s in todo:
            try:
                raw = read_regular(s.path, "journal")
            except OSError:  # parsed as usual: the reader says what is wrong
                continue
            read[s.shown] = (raw, digest(raw))
        texts = self.cache.parses([parse_key(shown, content) for shown, (_, content) in read.items()])
        found: dict[str, DayFile] = {}
        for s in todo:
            raw, content = read.get(s.shown, (b"", ""))
            text = texts.get(parse_key(s.shown, content)) if content else None
            if text is not None:
                try:
                    found[s.shown] = decode_day(text, s.path, s.day, raw)
                except ValueError:  # not what this code stores: parse the file instead
                    pass
        return found, {shown: read[shown][1] for shown in found}

    def _forget_gone(self, scanned: list[Scanned]) -> None:
        """The cache forgets the files no longer in the book (``scanned`` is all of it)."""
        present = {s.shown for s in scanned}
        gone = [k for k in self.cache.files() if k not in present]
        if gone:
            self.cache.forget(gone)

    def day_file(self, s: Scanned, fresh: dict[str, DayFile]) -> DayFile:
        """The file ``s`` as read now (from ``fresh``, else from disk)."""
        df = fresh.get(s.shown)
        if df is None:
            df = read_day(s.path, s.shown)
            content = digest(df.raw)
            if self._digests.get(s.shown) != content:  # changed since its stat was taken: note it as read
                self._digests[s.shown] = content
                if self.cache:
                    self.cache.put_files([(s, content, df, True)])
        self._note("file", s.shown, self._digests[s.shown])
        return df

    def digest_of(self, s: Scanned) -> str:
        """The content digest of ``s``: as noted by this command, else by the cache when
        the file's stat is unchanged, else from its bytes."""
        if s.shown not in self._digests:
            seen = self.cache.files().get(s.shown) if self.cache else None
            if seen and seen[0] == s.key:
                self._digests[s.shown] = seen[1]
            else:
                self._digests[s.shown] = digest(_raw(s.path)) if s.path.exists() else "absent"
        return self._digests[s.shown]

    def files_key(self, files: list[Scanned]) -> str:
        """Names the contents of ``files`` (day files in order, from the first): a snapshot's key."""
        return chain((s.shown, self.digest_of(s)) for s in files)[-1] if files else ""

    def load(self, checker: Checker | None = None, today: dt.date | None = None, refuse_damaged: bool = True) -> Loaded:
        """Read and replay the whole book; problems are collected, never raised.

        With a ``checker`` (the rules), every entry is also checked against the state
        just before it, as `cashbook check` does. Every file is read as it is now (nothing
        of the book comes from the cache). Where many files need their rules run, that
        work is spread over every core (`_load_in_chunks`). A damaged book is refused
        (`_refuse_if_damaged`) unless ``refuse_damaged`` is off, as for `cashbook check`,
        which lists what is wrong.
        """
        cash = frozenset(self.policy.cash_accounts())
        loaded = Loaded(state=BookState(), files=[])
        scanned = self.scan()
        first_read = None
        if refuse_damaged:
            first_read = self.parsed(scanned)
            self._refuse_if_damaged(scanned, first_read, doing="report")
        checked = _Checked(self, scanned, checker, today)
        if checker is not None and _can_fork() and len(scanned) > PARALLEL_FROM:
            try:
                with _long_lived_objects():
                    return self._load_in_chunks(scanned, checked, cash, loaded)
            except _ChunkFailed:  # a worker died (out of memory?): do it all here instead
                loaded = Loaded(state=BookState(), files=[])
                checked = _Checked(self, scanned, checker, today)
        with _long_lived_objects():
            fresh = self.parsed(scanned, everything=True) if first_read is None else first_read
            for i, s in enumerate(scanned):
                df = self.day_file(s, fresh)
                loaded.files.append(df)
                loaded.problems.extend(df.problems)
                problems, applied = checked.replay(i, df, loaded.state, cash, loaded.duplicate(s.shown))
                loaded.problems += problems
                loaded.add(s.shown, df, applied)
        return loaded

    def _load_in_chunks(self, scanned: list[Scanned], checked: "_Checked", cash: frozenset, loaded: Loaded) -> Loaded:
        """`load` with the rules run in forked workers, a run of consecutive files each.

        This process reads the files in order and applies their entries (no rules), which
        gives the state at the start of each run; before applying a run it forks a worker
        that inherits that state and the run's files, checks them with the rules exactly
        as `load` would, and sends back only the problems. Reading here while workers
        check uses every core, and no entry ever crosses a pipe.
        """
        workers = _workers()
        size = max(16, -(-len(scanned) // (workers * 8)))  # runs: enough to keep every core busy, few enough forks
        per_file: list[list[Problem] | None] = [None] * len(scanned)
        applied_in: list[list[EntryBase]] = []  # per file; the book's order and index are built after the workers end
        running: list[_Worker] = []
        tick = self.progress(len(scanned)) if self.progress else None
        try:
            for first in range(0, len(scanned), size):
                run = range(first, min(first + size, len(scanned)))
                fresh = self.parsed([scanned[i] for i in run], complete=False, parallel=False, everything=True)
                files = [self.day_file(scanned[i], fresh) for i in run]
                while len(running) >= max(1, workers - 1):  # this process reads on a core of its own
                    running.pop(0).collect(per_file)
                running.append(_Worker.start(lambda: checked.check_run(run, files, loaded.state, cash, loaded), run))
                for df in files:
                    loaded.files.append(df)
                    applied_in.append(checked.apply_only(df, loaded.state, cash))
                if tick:
                    tick(len(run))
            for worker in running:
                worker.collect(per_file)
            running.clear()
            for s, df, applied, problems in zip(scanned, loaded.files, applied_in, per_file):
                loaded.add(s.shown, df, applied)
                loaded.problems += problems or []
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
        on every run, and the seals are verified from those bytes."""
        from ..core.close import seal_figures
        from ..core.rules import book_checks

        loaded = self.load(checker=checker, refuse_damaged=False)
        problems = (loaded.problems + book_checks(loaded.state, self.policy, loaded.where) + seal_problems(self, loaded)
                    + seal_figures(loaded.state, self.policy, loaded.where) + self.policies.problems(checker))
        return problems, len(loaded.files), len(loaded.order)

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
                        state, start, upto = BookState.from_parts(parts), key_at[snap_day][0] + 1, snap_day
                        for s in files[:start]:  # what the snapshot stands for was read
                            self._note("file", s.shown, self.digest_of(s))
                        break
            for name, index in cache.indexes(upto).items():
                setattr(state, name, index)
        seen: set[str] = set()  # a duplicate id (an error `check` reports) is applied once
        for i in range(start, len(files)):
            s = files[i]
            for entry in self.day_file(s, fresh).entries:
                if entry.id not in seen:
                    seen.add(entry.id)
                    state.apply(entry, cash)
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

    def remembered(self, name: str, compute: Callable[[], "T"], types: tuple[type, ...] = ()) -> "T":
        """``compute()``, kept in the cache with the record of what it read: every day file
        it was given (and those a snapshot it started from stands for), the list of files,
        the seal log, the policy and the bank statements, each by its content digest. A
        repeat is a look-up while all of those are unchanged; any change computes it again.
        ``types``: the dataclasses the value is made of (see `cache.encode`)."""
        cache = self.cache
        if cache is None:
            return compute()
        found = cache.memo(name, types)
        if found is not None and self._unchanged(found[0]):
            return found[1]
        outer, self._reads = self._reads, {}
        try:
            value = compute()
            reads = self._reads
        finally:
            self._reads = outer
        if outer is not None:
            outer.update(reads)
        self.policy
        reads[("policy", POLICY_FILE)] = self.policies.digest  # policies.toml and every kept version
        reads[("bank", "journals/bank")] = _folder_digest(self.journals / "bank")
        cache.put_memo(name, [(kind, what, seen) for (kind, what), seen in sorted(reads.items())], value, types)
        return value

    def _unchanged(self, reads: list[tuple[str, str, str]]) -> bool:
        """Is every input in ``reads`` as it was (see `remembered`)?"""
        listing: list[Scanned] | None = None
        for kind, what, value in reads:
            if kind in ("file", "scan") and listing is None:
                listing = self.scan()
                by_name = {s.shown: s for s in listing}
            if kind == "file":
                s = by_name.get(what)
                now = self.digest_of(s) if s else "absent"
            elif kind == "scan":
                now = digest("\n".join(s.shown for s in listing).encode())
            elif kind == "seals":
                now = _file_digest(self.seal_log)
            elif kind == "policy":
                now = self.policies.digest
            elif kind == "bank":
                now = _folder_digest(self.journals / "bank")
            else:
                return False
            if now != value:
                return False
        return True

    def next_id(self, day: dt.date, df: DayFile | None) -> str:
        seq = 0
        prefix = f"{day:%Y%m%d}-"
        for entry in df.entries if df else ():
            if entry.id.startswith(prefix) and entry.id[len(prefix):].isdigit():
                seq = max(seq, int(entry.id[len(prefix):]))
        if df is not None and df.problems:
            # a damaged file may hide ids: count its [[entry]] headers too
            seq = max(seq, df.raw.count(b"[[entry]]"))
        return f"{prefix}{seq + 1:03d}"

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
        df = self.day_file(today_file, fresh) if today_file else None
        drafts = draft(state) if callable(draft) else draft
        then = self.policy_at(day)
        entries: list[EntryBase] = []
        problems: list[Problem] = []
        next_id = self.next_id(day, df)
        for one in drafts if isinstance(drafts, list) else [drafts]:
            one = decide_kind({**one, "time": when}, then)
            entry = KINDS[one["kind"]].model_validate({**one, "id": next_id})
            found = check_references(entry, then, state)
            if checker is not None:
                found += checker(entry, then, state, today)
            if any(p.severity == "block" for p in found):
                raise CashbookError(found)
            problems = found
            state.apply(entry, cash)  # before writing: reading the state can still fail (see cache._Part)
            entries.append(entry)
            next_id = f"{day:%Y%m%d}-{int(next_id.rsplit('-', 1)[1]) + 1:03d}"
        later = [s for s in scanned if s.day is not None and s.day > day]
        if later:
            self._refuse_if_later_breaks(entries, through, later, fresh, checker, cash)
        self.policies.keep()
        key = None
        for entry in entries:
            line = append_entry(path, entry)
            key = self._remember_append(path, day, df, entry, line)
            df = DayFile(path=path, day=day, entries=[*(df.entries if df else ()), entry],
                         lines={**(df.lines if df else {}), entry.id: line}, problems=list(df.problems) if df else [])
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
        def judge(with_entry: bool) -> list[tuple[EntryBase, list[Problem]]]:
            state = self.state_after(through, fresh)
            for entry in entries if with_entry else ():
                state.apply(entry, cash)
            found = []
            for s in later:
                for e in self.day_file(s, fresh).entries:
                    if e.id in state.entries:  # a duplicate: the damaged-book refusal names it
                        continue
                    then = self.policy_at(e.date)  # each day by the rules in force on it
                    problems = check_references(e, then, state)
                    if checker is not None:
                        problems += checker(e, then, state, e.date)
                    found.append((e, [p for p in problems if p.severity == "block"]))
                    state.apply(e, cash)
            return found

        before = {e.id: {p.code for p in problems} for e, problems in judge(False)}
        for e, problems in judge(True):
            new = [p for p in problems if p.code not in before.get(e.id, set())]
            if new:
                where = self.shown(day_path(self.root, e.date))
                entry = entries[-1]
                raise CashbookError([
                    Problem(p.code, f"recorded on {entry.date}, this {entry.kind} would break the later {e.kind} {e.id} "
                            f"of {e.date}: {p.message}; record it on or after {e.date}, or change it",
                            file=where, entry_id=e.id, data={**p.data, "later_entry": e.id})
                    for p in new])

    def _remember_append(self, path: Path, day: dt.date, df: DayFile | None, entry: EntryBase, line: int) -> str | None:
        """Tell the cache what the file holds now (its content digest and the new entry), so
        the next entry need not parse it again; returns the file's new stat key (None when
        the cache was not told)."""
        cache = self.cache
        if cache is None or (df is not None and df.problems):
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

    def _refuse_if_damaged(self, scanned: list[Scanned], fresh: dict[str, DayFile], upto: dt.date | None = None,
                           doing: str = "recording") -> None:
        """A damaged file could hide an id or a movement, and an edited sealed day changes
        figures that were signed: recording, and every report that reads the files (those
        up to ``upto``, odd names included), waits until it is fixed."""
        if upto is not None:
            scanned = [s for s in scanned if s.day is None or s.day <= upto]
        cache = self.cache
        if cache:
            bad_names = set(cache.unsafe_files())
            suspects = [s for s in scanned if s.shown in bad_names]
        else:
            suspects = scanned
        broken = [p for s in scanned if (p := name_problem(s.file, s.shown))]  # from the names alone, cache or not
        broken += [p for s in suspects for p in self.day_file(s, fresh).problems if p.code in _UNREADABLE]
        shown = {s.shown for s in scanned}
        if cache:
            dups = [d for d in cache.duplicates() if d[1] in shown or d[2] in shown]
        else:
            first: dict[str, str] = {}
            dups = []
            for s in scanned:
                for e in self.day_file(s, fresh).entries:
                    if e.id in first:
                        dups.append((e.id, s.shown, first[e.id]))
                    first.setdefault(e.id, s.shown)
        broken += [Problem("duplicate-id", f"id {i} is used in {a} and in {b}", file=a, entry_id=i) for i, a, b in dups]
        broken += self._seals_broken(scanned, fresh, upto)
        if broken:
            raise CashbookError([*broken, Problem(
                "book-damaged", f"the book has damaged files (above): no {doing} until they are fixed; restore each file "
                "from your backup or version control (`git checkout -- FILE`), then `cashbook check` lists anything left")])

    def _seals_broken(self, scanned: list[Scanned], fresh: dict[str, DayFile], upto: dt.date | None) -> list[Problem]:
        """Sealed days that no longer hold what was sealed. Every file read from disk in this
        command is hashed against its day close and the seal log; a file the cache already
        held unchanged (same size, times and inode) was verified when it was read, so only
        `cashbook check`, which re-hashes everything, looks at it again."""
        log, _ = read_seal_log(self)
        logged = dict(log or [])
        days = {s.day for s in scanned if s.day is not None}
        problems = [Problem("seal-broken", f"{d} was sealed (seal log) but its day file is gone", file=self.shown(self.seal_log))
                    for d in sorted(logged) if d not in days and (upto is None or d <= upto)]
        for s in scanned:
            df = fresh.get(s.shown)
            if df is None or s.day is None:
                continue
            closes = [e for e in df.entries if e.kind == "day-close"]
            if not closes:
                if s.day in logged:
                    problems.append(Problem("seal-broken", f"{s.day} was sealed (seal log) but its day close is gone", file=s.shown))
                continue
            close = closes[-1]
            digest = sealed_digest(SealedFile(df.day, s.shown, df.raw or _raw(df.path), df.entries, df.lines))
            if (digest != close.digest or seal_value(s.day, close.digest, close.previous, close.book_balance, close.counted) != close.seal
                    or (s.day in logged and logged[s.day] != close.seal)):
                problems.append(Problem("seal-broken", f"{s.day} was changed after it was sealed ({close.id})", file=s.shown,
                                        line=df.lines.get(close.id), entry_id=close.id))
        if problems and self.cache:  # keep them unread by the cache, so the next command looks again
            self.cache.forget([p.file for p in problems if p.file])
        return problems


PARALLEL_FROM = 64  # files to parse before it pays to start worker processes


@contextlib.contextmanager
def _long_lived_objects():
    """Reading a whole book makes millions of objects that live until the command ends: the
    cyclic garbage collector is kept off while they are made (it would walk them all again
    and again, and in a forked worker copy every page it walked), then told to leave them be."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_on:
            gc.enable()


def _workers() -> int:
    return min(os.cpu_count() or 1, 8)


def _can_fork() -> bool:
    """Forked workers: on a POSIX system with more than one core, never while holding the book
    lock (a worker would inherit it and, if this process were killed, keep the book locked
    for as long as it lived), and not when the user turned them off."""
    return (hasattr(os, "fork") and _workers() > 1 and not holding_lock()
            and os.environ.get("CASHBOOK_WORKERS", "") != "1")


def _parse_many(items: list[Scanned], progress=None, parallel: bool = True) -> dict[str, DayFile]:
    """Parse day files, on every core when there are many (files are independent)."""
    out: dict[str, DayFile] = {}
    if not items:
        return out
    workers = _workers()
    tick = progress(len(items)) if progress and len(items) > 50 else None
    if parallel and len(items) > PARALLEL_FROM and _can_fork():
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(1, len(items) // (workers * 8))
        try:
            with ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
                for s, df in zip(items, pool.map(_parse_one, [(s.path, s.shown) for s in items], chunksize=chunk)):
                    out[s.shown] = df
                    if tick:
                        tick(1)
            return out
        except (OSError, RuntimeError):  # no processes to be had: read them here
            out.clear()
    for s in items:
        out[s.shown] = read_day(s.path, s.shown)
        if tick:
            tick(1)
    return out


class _Checked:
    """Replays day files with their checks (the rules run on every entry, every time)."""

    def __init__(self, book: Book, scanned: list[Scanned], checker: Checker | None, today: dt.date | None):
        self.book, self.checker, self.today = book, checker, today
        self.scanned = scanned
        if checker is not None:
            book.policies.ready()

    def replay(self, i: int, df: DayFile, state: BookState, cash: frozenset, duplicate) -> tuple[list[Problem], list[EntryBase]]:
        """Apply the entries of file ``i`` to ``state``; return its problems and the entries applied."""
        problems, skipped, applied = self.check_file(i, df, state, cash, duplicate)
        return problems, applied

    def check_file(self, i: int, df: DayFile, state: BookState, cash: frozenset, duplicate) -> tuple[list[Problem], set[str], list[EntryBase]]:
        """Check each entry of file ``i`` against the state just before it, and apply it."""
        book, checker, shown = self.book, self.checker, self.scanned[i].shown
        policy_at = book.policies.at
        problems, skipped, applied = [], set(), []
        for entry in df.entries:
            line = df.lines.get(entry.id)
            if entry.id in state.entries:
                problems.append(duplicate(entry, line))
                skipped.add(entry.id)
                continue
            policy = policy_at(entry.date)
            found = check_references(entry, policy, state)
            if checker is not None:
                found += checker(entry, policy, state, self.today or entry.date)
            problems += [Problem(p.code, p.message, shown, line, entry.id, p.severity, p.data) for p in found]
            state.apply(entry, cash)
            applied.append(entry)
        return problems, skipped, applied

    @staticmethod
    def apply_only(df: DayFile, state: BookState, cash: frozenset) -> list[EntryBase]:
        """Apply the entries of a file as `check_file` does, without the rules."""
        applied = []
        for entry in df.entries:
            if entry.id not in state.entries:
                state.apply(entry, cash)
                applied.append(entry)
        return applied

    def check_run(self, run: range, files: list[DayFile], state: BookState, cash: frozenset, loaded: Loaded) -> list:
        """In a worker: `check_file` over a run of files; returns the problems of each file."""
        out = []
        where = _FirstUse(self.scanned, loaded.files)
        for i, df in zip(run, files):
            shown = self.scanned[i].shown
            problems, skipped, applied = self.check_file(i, df, state, cash, loaded.duplicate(shown, where))
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


class _ChunkFailed(Exception):
    """A worker of `Book._load_in_chunks` could not be started or ended without its answer."""


class _Worker:
    """A forked process running one job on what it inherited; its answer comes back pickled
    through a pipe. It dies with this process (see `_die_with_parent`)."""

    def __init__(self, pid: int, fd: int, run: range):
        self.pid, self.fd, self.run = pid, fd, run

    @classmethod
    def start(cls, job: Callable[[], object], run: range) -> "_Worker":
        import pickle  # not from disk: a forked worker's answer through a pipe, never stored

        parent = os.getpid()
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise _ChunkFailed from None
        if pid == 0:  # the worker: never returns into the caller's code
            code = 1
            try:
                os.close(read)
                _die_with_parent(parent)
                data = pickle.dumps(job(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        return cls(pid, read, run)

    def collect(self, per_file: list) -> None:
        """Wait for the answer: each file's problems."""
        import pickle  # not from disk: the pipe from the worker this process forked

        with os.fdopen(self.fd, "rb") as answer:
            self.fd = -1
            data = answer.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if status != 0 or not data:
            raise _ChunkFailed
        for i, problems in zip(self.run, pickle.loads(data)):  # not from disk: our own child's pipe
            per_file[i] = problems

    def kill(self) -> None:
        import signal

        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0


def _file_digest(path: Path) -> str:
    try:
        return digest(read_regular(path, "seal log"))
    except OSError:
        return "absent"


def _folder_digest(folder: Path) -> str:
    """Names every file under ``folder`` and its bytes (the bank statements: a few small files)."""
    out = []
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        out += [f"{top}/{name}={_file_digest(Path(top, name))}" for name in sorted(files)]
    return digest("\n".join(out).encode())


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


def _die_with_parent(parent: int) -> None:
    """A parsing worker ends when the process that started it is killed (Linux prctl),
    including when that happened before the worker got this far."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(0)


def _parse_one(args) -> DayFile:
    path, shown = args
    return read_day(path, shown)


# file problems that make the book unsafe to extend (an id could be reused, a
# balance could be wrong): recording stops until they are fixed
_UNREADABLE = {"toml-syntax", "bad-encoding", "unreadable", "duplicate-id", "unknown-kind", "missing-field", "bad-amount", "bad-field", "wrong-day"}


SEAL_LOG = "seals.log"
SEAL_LOG_HEADER = "# cashbook seal log: one line per closed day, `date seal`; `cashbook check` verifies it against the day files\n"


def read_seal_log(book: Book) -> tuple[list | None, list[Problem]]:
    try:
        data = read_regular(book.seal_log, "seal log")
        book._note("seals", SEAL_LOG, digest(data))
        text = data.decode("utf-8")
    except FileNotFoundError:
        book._note("seals", SEAL_LOG, "absent")
        return None, []
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem("seal-broken", f"cannot read the seal log: {exc}", file=book.shown(book.seal_log))]
    return parse_seal_log(text, book.shown(book.seal_log))


def seal_problems(book: Book, loaded: Loaded) -> list[Problem]:
    """`cashbook check`'s tamper evidence: the seal chain of the day files and the seal log."""
    files = [SealedFile(df.day, book.shown(df.path), df.raw or _raw(df.path), df.entries, df.lines)
             for df in loaded.files if df.day and any(e.kind == "day-close" for e in df.entries)]
    log, problems = read_seal_log(book)
    return problems + verify_seals(files, log, book.shown(book.seal_log), _digests(files))


def _digests(files: list[SealedFile]) -> dict[dt.date, str | None]:
    """Each sealed file's `sealed_digest`, on every core (hashing releases the interpreter
    lock): a long book has thousands of sealed days, a gigabyte to hash."""
    if len(files) < 8 or _workers() < 2:
        return {}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=_workers()) as pool:
        return dict(zip((f.date for f in files), pool.map(sealed_digest, files)))


def _raw(path: Path) -> bytes:
    try:
        return read_regular(path, "journal")
    except OSError:
        return b""




def repair_seal_log(book: Book, seals: dict) -> bool:
    """Add the seal of the latest sealed day when the log lacks only that line (what a kill
    between writing the sealed day file and the log leaves); more missing lines are not a
    crash but a change `check` reports, and stay. Returns whether the log was written."""
    log, problems = read_seal_log(book)
    if problems or not seals:
        return False
    logged = {d for d, _ in (log or [])}
    missing = [d for d in seals if d not in logged]
    if missing != [max(seals)] or (log is None and len(seals) > 1):
        return False
    lines = [f"{d} {s}" for d, s in (log or [])] + [f"{missing[0]} {seals[missing[0]].seal}"]
    atomic_write(book.seal_log, (SEAL_LOG_HEADER + "\n".join(lines) + "\n").encode(), inside=book.journals)
    return True


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
        lines = [f"{d} {s}" for d, s in (log or [])]
        logged = {d for d, _ in (log or [])}
        for d, close in sorted(view.state.seals.items()):  # repair a tail lost to a crash
            if d not in logged:
                lines.append(f"{d} {close.seal}")
        lines.append(f"{date} {entry.seal}")
        atomic_write(book.seal_log, (SEAL_LOG_HEADER + "\n".join(lines) + "\n").encode(), inside=book.journals)
        report.sealed = True
        report.seal_id = entry.id
        return report
