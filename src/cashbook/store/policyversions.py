"""Every version of the policies a book has used: ``journals/policies/YYYY-MM-DD.toml``.

A kept version is policies.toml exactly as it was, under a three-line header that names
the first day it judges and the sha256 of the text below it. Each day is judged by the
latest version dated on or before it; the first version also judges the days before it.
A book without any kept version is judged by policies.toml alone (as before versions).

When policies.toml says something else than the latest kept version (comments and the
``effective`` date alone do not count), the next write command (recording an entry,
sealing a day) keeps it as a new version at its ``effective`` date, or refuses with
``policy-retroactive`` (exit 2, nothing written) when that date would change the rules of
a day already judged: a sealed day, a day of a version that already judged entries, or
an open day whose recorded entries the new rules would judge differently. The refusal
names the first date that would be accepted. Without an ``effective`` date a change is
refused once a day is sealed; before that (a book being set up) it is kept from that
first accepted date.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..core.entries import EntryBase
from ..core.policy import Policy
from ..core.problems import CashbookError, Problem
from .files import atomic_write
from .journal import day_of
from .policyfile import POLICY_FILE, parse_policy
from .tomlmap import key_lines, line_of

if TYPE_CHECKING:
    from .book import Book

VERSIONS_DIR = "policies"  # under journals/; the day-file scanner skips it
HEADER_LINES = 3
_DIGEST = re.compile(r"^# sha256 of the text below: ([0-9a-f]{64})$")
_FIRST = re.compile(r"^# cashbook policy version: the rules in force from (\d{4}-\d{2}-\d{2})\b")


def versions_dir(root: Path) -> Path:
    return root / "journals" / VERSIONS_DIR


def version_bytes(day: dt.date, kept_on: dt.date, body: bytes) -> bytes:
    """A kept version's file: the header, then policies.toml's bytes unchanged."""
    header = (f"# cashbook policy version: the rules in force from {day} until a later version (kept on {kept_on}).\n"
              f"# sha256 of the text below: {hashlib.sha256(body).hexdigest()}\n"
              "# Never edit this file (`cashbook check` reports it): change the rules in policies.toml with a later `effective` date.\n")
    return header.encode() + body


def keep_first_version(root: Path, today: dt.date) -> Path:
    """Keep policies.toml as the book's first version (the demo generator; a book's first
    write does the same on its own): under its ``effective`` date, else ``today``."""
    raw = (root / POLICY_FILE).read_bytes()
    policy = parse_policy(raw.decode("utf-8-sig"), str(root / POLICY_FILE))
    day = policy.effective or today
    path = versions_dir(root) / f"{day}.toml"
    atomic_write(path, version_bytes(day, today, raw))
    return path


@dataclass
class Kept:
    """One file under journals/policies/ as read: its day (from the name), its text after
    the header, and what is wrong with it (a bad name, a header or digest that no longer match)."""

    path: Path
    shown: str
    day: dt.date | None
    raw: bytes
    body: bytes | None = None
    problems: list[Problem] = field(default_factory=list)
    _policy: Policy | None = None
    _invalid: list[Problem] | None = None

    @classmethod
    def read(cls, path: Path, shown: str) -> "Kept":
        try:
            raw = path.read_bytes()
        except OSError as exc:
            k = cls(path, shown, None, b"")
            k.problems.append(Problem("policy-version-invalid", f"cannot read a kept policy version: {exc.strerror}", shown))
            return k
        k = cls(path, shown, day_of(path.name), raw)
        if k.day is None:
            k.problems.append(Problem("policy-version-invalid", "a kept policy version is named YYYY-MM-DD.toml after the first "
                                      "day it judges; rename it or move it out of journals/policies/", shown))
            return k
        lines = raw.split(b"\n", HEADER_LINES)
        first = _FIRST.match(lines[0].decode("utf-8", "replace")) if lines else None
        digest = _DIGEST.match(lines[1].decode("utf-8", "replace")) if len(lines) > 1 else None
        if len(lines) <= HEADER_LINES or first is None or digest is None:
            k.problems.append(Problem("policy-version-edited", "the header cashbook wrote on this kept policy version is gone or "
                                      "changed; restore the file from version control (`git checkout -- " + shown + "`)", shown, 1))
            return k
        k.body = lines[HEADER_LINES]
        if first[1] != f"{k.day}":
            k.problems.append(Problem("policy-version-edited", f"the header says the rules in force from {first[1]}, the file name "
                                      f"{k.day}: a kept version was renamed; restore it from version control", shown, 1))
        if hashlib.sha256(k.body).hexdigest() != digest[1]:
            k.problems.append(Problem("policy-version-edited", "this kept policy version was edited after it was kept (its text no "
                                      "longer matches the sha256 in its header): the days it judged were judged by the text kept; "
                                      f"restore it from version control (`git checkout -- {shown}`) and change the rules in "
                                      f"{POLICY_FILE} with a later `effective` date instead", shown, 2))
        return k

    def policy(self) -> Policy | None:
        """The version's policy (None when it does not validate: see `invalid`)."""
        if self._policy is None and self._invalid is None:
            try:
                body = self.body if self.body is not None else self.raw  # policies.toml may start with a BOM
                header = self.raw[: len(self.raw) - len(body)].decode("utf-8")
                self._policy = parse_policy(header + body.decode("utf-8-sig"), self.shown)
            except UnicodeDecodeError:
                self._invalid = [Problem("policy-version-invalid", "a kept policy version must be UTF-8 text", self.shown)]
            except CashbookError as exc:
                self._invalid = [Problem("policy-version-invalid", p.message, p.file, p.line) for p in exc.problems]
            else:
                if self._policy.effective is not None and self._policy.effective != self.day:
                    self._invalid = [Problem("policy-version-invalid", f"its effective date {self._policy.effective} is not the "
                                             f"day in its name ({self.day}); restore it from version control", self.shown,
                                             line_of(key_lines(self.raw.decode("utf-8-sig")), ("effective",)))]
                    self._policy = None
        return self._policy

    def invalid(self) -> list[Problem]:
        self.policy()
        return self._invalid or []


def read_kept(book: "Book") -> list[Kept]:
    """Every *.toml under journals/policies/, in name order (dated names sort by day)."""
    folder = versions_dir(book.root)
    try:
        names = sorted(p for p in folder.iterdir() if p.name.endswith(".toml") and not p.name.startswith("."))
    except OSError:
        return []
    return [Kept.read(p, book.shown(p)) for p in names]


@dataclass
class Change:
    """policies.toml differs from the latest kept version: where it would be kept, or why not."""

    day: dt.date | None  # None: refused (with ``problem``), or undecided (a read without the rules to judge entries)
    problem: Problem | None = None


class PolicyHistory:
    """The versions in force over time, and the change policies.toml makes to them (if any)."""

    def __init__(self, book: "Book", kept: list[Kept], current: Policy, raw: bytes):
        self.book, self.kept, self.current, self.raw = book, kept, current, raw
        self.valid = [k for k in kept if k.day is not None and k.body is not None]
        self.change: Change | None = None
        self.pending: tuple[dt.date, dt.date] | None = None  # (day, kept_on) to write on `keep`
        self.dropped: list[Kept] = []  # later versions that judged nothing, replaced on `keep`
        self._days: list[dt.date] = []
        self._versions: list[Kept | None] = []  # None: the current file
        h = hashlib.sha1(raw)
        for k in kept:
            h.update(f"\0{k.shown}\0".encode() + hashlib.sha1(k.raw).digest())
        self.digest = h.hexdigest()

    @property
    def key(self) -> str:
        """Names the versions and which days each judges (what a kept check result depends on)."""
        return hashlib.sha1(f"{self.digest}\0{[(d.isoformat(), k.shown if k else '') for d, k in zip(self._days, self._versions)]}".encode()).hexdigest()

    # -- which rules judge a day ------------------------------------------------------
    def timeline(self, versions: list[tuple[dt.date, Kept | None]]) -> None:
        self._days = [d for d, _ in versions]
        self._versions = [k for _, k in versions]

    def at(self, day: dt.date) -> Policy:
        """The policy in force on ``day``: the latest version dated on or before it, the first
        version for days before every version, policies.toml when no version is kept."""
        versions = self._versions
        if len(versions) <= 1:
            k = versions[0] if versions else None
        else:
            k = versions[max(0, bisect.bisect_right(self._days, day) - 1)]
        if k is None or k.body == self.raw:
            return self.current
        policy = k.policy()
        if policy is None:  # an invalid version (`check` says so): the one before it, else the current file
            i = self._versions.index(k)
            return self.at(self._days[i - 1]) if i > 0 else self.current
        return policy

    def ready(self) -> None:
        """Validate every version in force now (before forked workers, which would each do it)."""
        for k in self._versions:
            if k is not None and k.body != self.raw:
                k.policy()

    # -- a change of policies.toml ----------------------------------------------------
    def changed(self) -> bool:
        if not self.valid:
            return False
        latest = self.valid[-1]
        if latest.body == self.raw:
            return False
        kept = latest.policy()
        if kept is None:
            return True
        same = {"effective": True, "book": {"lang"}}  # the output language judges nothing
        return kept.model_dump(exclude=same) != self.current.model_dump(exclude=same)

    def decide(self, today: dt.date | None, checker: Callable | None) -> Change:
        """Where the changed policies.toml would be kept, or the `policy-retroactive` refusal
        naming the first effective date that would be accepted. Without a ``checker`` the
        entries of open days cannot be judged again: a date on or before the last day with
        entries is then left undecided (``day`` None, no problem)."""
        book = self.book
        latest = self.valid[-1]
        scanned = book.scan()
        days = [s.day for s in scanned if s.day is not None]
        floor = max(days) if days else None  # the last day with a journal file
        effective = self.current.effective
        if floor is None:  # no entry yet: no version judged anything; the new one replaces any from its day on
            return Change(day=effective or today or dt.date.min)
        from .seallog import read_seal_log

        seals = [d for d, _ in (read_seal_log(book)[0] or [])]
        sealed = max(seals) if seals else None
        used = floor >= latest.day or len(self.valid) == 1
        earliest = max(latest.day + dt.timedelta(days=1) if used else latest.day,
                       sealed + dt.timedelta(days=1) if sealed else dt.date.min)
        if checker is None and (effective is None or effective <= floor):
            return Change(None)
        rejudged = last_rejudged(self, earliest, checker) if checker is not None and earliest <= floor else None
        if rejudged is not None:
            earliest = max(earliest, rejudged[0].date + dt.timedelta(days=1))
        line = line_of(key_lines(self.raw.decode("utf-8-sig", "replace")), ("effective",))
        if effective is None and sealed is None:  # a book still being set up: kept from the first day it judges alike
            return Change(earliest)
        if effective is None:
            return Change(None, self._refusal(
                f"{POLICY_FILE} differs from the rules kept in {latest.shown} and has no `effective` date, and days are "
                f"sealed (up to {sealed}); add `effective = \"{earliest}\"` (or a later day) at the top of "
                f"{POLICY_FILE}: the first day the new rules judge", earliest, None))
        if effective >= earliest:
            return Change(effective)
        entry_id = None
        if sealed and effective <= sealed:
            why = f"is on or before {sealed}, the last sealed day: sealed days keep the rules they were closed under"
        elif effective < latest.day:
            why = f"is before {latest.day}, the first day of the latest kept version ({latest.shown})"
        elif effective == latest.day and used:
            why = f"is the first day of the version kept in {latest.shown}, which already judged entries"
        else:
            entry, codes = rejudged
            entry_id = entry.id
            why = (f"would judge entry {entry.id} of {entry.date}, recorded under the rules then in force, differently "
                   f"({', '.join(codes)}): rules in force when an entry was recorded judge it for good")
        problem = self._refusal(f"effective = \"{effective}\" {why}; set `effective = \"{earliest}\"` or a later day",
                                earliest, line)
        return Change(None, Problem(problem.code, problem.message, problem.file, problem.line, entry_id, data=problem.data))

    def _refusal(self, message: str, earliest: dt.date, line: int | None) -> Problem:
        return Problem("policy-retroactive", message, POLICY_FILE, line, data={"accepted_from": earliest})

    def plan(self, today: dt.date | None, checker: Callable | None, day: dt.date | None = None) -> Change | None:
        """Settle the timeline: the kept versions, plus policies.toml from the day it would be kept at.
        For a write (``today`` given) on ``day``, a book without versions keeps policies.toml as
        its first, dated by its ``effective`` date, else the first day with entries."""
        if not self.valid:
            self.timeline([(dt.date.min, None)])
            if today is not None and self.raw:
                first = [s.day for s in self.book.scan()[:1] if s.day is not None]
                self.pending = (self.current.effective or min([*first, day or today]), today)
            return None
        versions: list[tuple[dt.date, Kept | None]] = [(k.day, k) for k in self.valid]
        self.timeline(versions)
        if not self.changed():
            return None
        change = self.change = self.decide(today, checker)
        if change.day is None:
            return change
        self.timeline([v for v in versions if v[0] < change.day] + [(change.day, None)])
        if today is not None:
            self.pending = (change.day, today)
            self.dropped = [k for k in self.valid if k.day > change.day]  # only in a book without entries
        return change

    def keep(self) -> None:
        """Write the version planned (just before the write command writes its own file)."""
        if self.pending is not None:
            day, kept_on = self.pending
            atomic_write(versions_dir(self.book.root) / f"{day}.toml", version_bytes(day, kept_on, self.raw))
            for k in self.dropped:
                k.path.unlink(missing_ok=True)
            self.pending, self.dropped = None, []

    def problems(self, checker: Callable | None) -> list[Problem]:
        """`cashbook check`: kept versions edited or not valid, and a change that would be refused."""
        out = [p for k in self.kept for p in k.problems]
        out += [p for k in self.valid if not k.problems for p in k.invalid()]
        if out:  # the kept versions first: a change is judged against them
            return out
        undecided = self.change is None or (self.change.day is None and self.change.problem is None)
        if undecided and self.valid and self.changed():
            self.change = self.decide(None, checker)
        if self.change is not None and self.change.problem is not None:
            out.append(self.change.problem)
        return out

    def write_blockers(self) -> list[Problem]:
        """What stops a write: a kept version whose header, name or digest is wrong."""
        return [p for k in self.kept for p in k.problems]


def last_rejudged(history: PolicyHistory, start: dt.date, checker: Callable) -> tuple[EntryBase, list[str]] | None:
    """The last entry dated ``start`` or later that policies.toml would judge differently from
    the version it was recorded under, and the problem codes that differ; None when every one
    is judged alike (a change that adds an account, say)."""
    from ..core.decide import judge
    from ..core.state import fold

    book = history.book
    new = history.current
    cash = frozenset(new.cash_accounts())
    scanned = book.scan()
    fresh = book.parsed(scanned)
    state = book.state_before(start, scanned, fresh)
    under_its_own, under_new = judge(history.at, checker), judge(lambda _: new, checker)
    found = None

    def verdict(problems: list[Problem]) -> set[tuple[str, str]]:
        return {(p.code, p.severity) for p in problems}

    def rejudge(entry: EntryBase, state) -> list[Problem]:
        nonlocal found
        before, after = verdict(under_its_own(entry, state)), verdict(under_new(entry, state))
        if before != after:
            found = (entry, sorted({code for code, _ in before ^ after}))
        return []

    later = (e for s in scanned if s.day is not None and s.day >= start for e in book.day_file(s, fresh).entries)
    for _ in fold(state, later, cash, rejudge):
        pass
    return found


def _current_bytes(book: "Book") -> bytes:
    try:
        return (book.root / POLICY_FILE).read_bytes()
    except OSError:
        return b""


def history(book: "Book") -> PolicyHistory:
    """The versions in force, for a command that reads (a change not yet kept counts where a
    write would keep it, which can only be after the last day with entries)."""
    found = PolicyHistory(book, read_kept(book), book.policy, _current_bytes(book))
    found.plan(None, None)
    return found


def for_write(book: "Book", today: dt.date, checker: Callable | None, day: dt.date | None = None) -> PolicyHistory:
    """Under the book lock, before a write: the versions in force with policies.toml's change
    planned (kept by `PolicyHistory.keep` just before the write), or `CashbookError` (exit 2,
    nothing written) for a damaged kept version or a retroactive change."""
    found = PolicyHistory(book, read_kept(book), book.policy, _current_bytes(book))
    blockers = found.write_blockers()
    if blockers:
        raise CashbookError([*blockers, Problem("book-damaged", "a kept policy version is damaged (above): the rules that "
                                                "judged its days are unknown; restore it before recording")])
    change = found.plan(today, checker, day)
    if change is not None and change.day is None:
        raise CashbookError(change.problem)
    return found
