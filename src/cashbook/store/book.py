"""A book on disk: policies.toml plus journals/YYYY/YYYY-MM-DD.toml day files.

`Book.load()` reads every day file and replays it into a `BookState`, collecting
file problems as values. `Book.record()` is the one way an entry gets written: under
the book lock it reloads the state, gives the entry its id, runs the checks, and
appends it atomically only when nothing blocks.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..core.close import DayCloseReport, SealedFile, close_day, parse_seal_log, seal_value, verify_seals
from ..core.entries import KINDS, DayClose, EntryBase
from ..core.policy import Policy
from ..core.problems import CashbookError, Problem
from ..core.state import BookState
from ..core.validate import check_references
from .files import atomic_write, book_lock
from .journal import DayFile, append_entry, day_of, day_path, read_day, seal_day
from .policyfile import load_policy

Checker = Callable[[EntryBase, Policy, BookState, dt.date], list[Problem]]


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


class Book:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._policy: Policy | None = None

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            self._policy = load_policy(self.root)
        return self._policy

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

    def day_files(self) -> list[Path]:
        """Every *.toml under journals/, day files in date order, odd names last."""
        if not self.journals.is_dir():
            return []
        files = [p for p in self.journals.rglob("*.toml")
                 if not p.name.startswith(".") and p.relative_to(self.journals).parts[0] != "bank"]
        return sorted(files, key=lambda p: (day_of(p) or dt.date.max, str(p)))

    def load(self, checker: Checker | None = None, today: dt.date | None = None) -> Loaded:
        """Read and replay the whole book; problems are collected, never raised.

        With a ``checker`` (the rules), every entry is also checked against the state
        just before it, as `cashbook check` does.
        """
        policy = self.policy
        cash = frozenset(policy.cash_accounts())
        state = BookState()
        loaded = Loaded(state=state, files=[])
        for path in self.day_files():
            shown = self.shown(path)
            df = read_day(path, shown)
            loaded.files.append(df)
            loaded.problems.extend(df.problems)
            for entry in df.entries:
                line = df.lines.get(entry.id)
                if entry.id in state.entries:
                    first = loaded.where[entry.id]
                    loaded.problems.append(Problem("duplicate-id", f"id {entry.id} is already used at {first[0]}:{first[1]}", shown, line, entry.id))
                    continue
                found = check_references(entry, policy, state)
                if checker is not None:
                    found += checker(entry, policy, state, today or entry.date)
                for p in found:
                    loaded.problems.append(Problem(p.code, p.message, shown, line, entry.id, p.severity, p.data))
                state.apply(entry, cash)
                loaded.order.append(entry)
                loaded.where[entry.id] = (shown, line or 0)
        return loaded

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
    ) -> tuple[EntryBase, BookState, list[Problem]]:
        """Check and append one entry built from ``draft`` (a record without ``id``).

        ``draft`` may be a function of the current state, for entries that refer to
        earlier ones (a void copies its target's postings, a settlement its advance's
        person), so the look-up happens under the lock.

        Returns the entry, the state after it, and the warnings recorded with it.
        Raises `CashbookError` (nothing written) for bad input or a blocking rule.
        """
        policy = self.policy
        with book_lock(self.root):
            loaded = self.load()
            broken = [p for p in loaded.problems if p.severity == "block" and p.code in _UNREADABLE]
            if broken:
                raise CashbookError([*broken, Problem("book-damaged", "the book has damaged files (above); fix them before recording, `cashbook check` lists everything")])
            if callable(draft):
                draft = draft(loaded.state)
            model = KINDS[draft["kind"]]
            day = draft["time"].date()
            path = day_path(self.root, day)
            df = next((f for f in loaded.files if f.path == path), None)
            entry = model.model_validate({**draft, "id": self.next_id(day, df)})
            problems = check_references(entry, policy, loaded.state)
            if checker is not None:
                problems += checker(entry, policy, loaded.state, today)
            blocking = [p for p in problems if p.severity == "block"]
            if blocking:
                raise CashbookError(problems)
            append_entry(path, entry)
            loaded.state.apply(entry, frozenset(policy.cash_accounts()))
            return entry, loaded.state, problems


# file problems that make the book unsafe to extend (an id could be reused, a
# balance could be wrong): recording stops until they are fixed
_UNREADABLE = {"toml-syntax", "bad-encoding", "unreadable", "duplicate-id", "unknown-kind", "missing-field", "bad-amount", "bad-field", "wrong-day"}


SEAL_LOG = "seals.log"
SEAL_LOG_HEADER = "# cashbook seal log: one line per closed day, `date seal`; `cashbook check` verifies it against the day files\n"


def read_seal_log(book: Book) -> tuple[list | None, list[Problem]]:
    try:
        text = book.seal_log.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, []
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem("seal-broken", f"cannot read the seal log: {exc}", file=book.shown(book.seal_log))]
    return parse_seal_log(text, book.shown(book.seal_log))


def seal_problems(book: Book, loaded: Loaded) -> list[Problem]:
    """`cashbook check`'s tamper evidence: the seal chain of the day files and the seal log."""
    files = [SealedFile(df.day, book.shown(df.path), df.raw, df.entries, df.lines) for df in loaded.files if df.day]
    log, problems = read_seal_log(book)
    return problems + verify_seals(files, log, book.shown(book.seal_log))


def unsealed_days(loaded: Loaded, before: dt.date) -> list[dt.date]:
    """Days with entries before ``before`` that are not closed."""
    days = {e.date for e in loaded.order if e.date < before}
    return sorted(d for d in days if d not in loaded.state.seals)


def day_problems(loaded: Loaded, date: dt.date) -> list[Problem]:
    """Problems (file and rule) found on ``date``'s entries and file."""
    out = []
    for p in loaded.problems:
        entry = loaded.state.entries.get(p.entry_id or "")
        if (entry is not None and entry.date == date) or (p.file or "").endswith(f"{date:%Y-%m-%d}.toml") and entry is None:
            out.append(p)
    return out


def close_day_in_book(book: Book, date: dt.date, now: dt.datetime, checker: Checker, seal: bool) -> DayCloseReport:
    """Compute the close of ``date``; with ``seal``, write the day-close record when nothing blocks."""
    with book_lock(book.root):
        loaded = book.load(checker=checker, today=date)
        problems = day_problems(loaded, date)
        entries = sum(1 for e in loaded.order if e.date == date)
        report = close_day(date, loaded.state, book.policy, problems, entries, unsealed_days(loaded, date))
        if not seal or report.sealed or report.blocking:
            return report
        later = sorted(d for d in loaded.state.seals if d > date)
        if later:
            report.problems.append(Problem("day-sealed", f"a later day ({later[0]}) is already sealed", severity="block"))
            return report
        path = day_path(book.root, date)
        df = next((f for f in loaded.files if f.path == path), None)
        cash = report.cash[0]
        previous = loaded.state.last_seal

        def make(digest: str) -> DayClose:
            when = now if now.date() == date else dt.datetime.combine(date, dt.time(23, 59), tzinfo=now.tzinfo)
            return DayClose(id=book.next_id(date, df), time=when, book_balance=cash.book_balance,
                            counted=cash.counted, digest=digest, previous=previous,
                            seal=seal_value(date, digest, previous, cash.book_balance, cash.counted))

        entry = seal_day(path, make)
        log, _ = read_seal_log(book)
        lines = [f"{d} {s}" for d, s in (log or [])]
        logged = {d for d, _ in (log or [])}
        for d, close in sorted(loaded.state.seals.items()):  # repair a tail lost to a crash
            if d not in logged:
                lines.append(f"{d} {close.seal}")
        lines.append(f"{date} {entry.seal}")
        atomic_write(book.seal_log, (SEAL_LOG_HEADER + "\n".join(lines) + "\n").encode())
        report.sealed = True
        report.seal_id = entry.id
        return report
