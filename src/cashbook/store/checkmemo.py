"""`cashbook check` after a small change: the files that did not change are not judged again.

What `check` finds in files 0..k of the book (their parse problems, each entry against the
rules, each sealed day's figures against the book) is a pure function of those files' bytes
and the policy versions: the state coming into file i is the fold of the files before it,
and a day's figures are made by its own file. So a check keeps, under the rolling digest of
the contents of files 0..k (`cache.chain`) and the policies' digest, that prefix's problems,
its entry count, what the seal verification needs of its sealed files (their closes and the
digest of their bytes before the close) and the problems of their sealed figures, next to a
snapshot of the state after file k. The next check reads and hashes every file as
always; where the chain up to some file k is one it kept (files 0..k byte for byte those
on disk, as this run's digests of them say), it starts from there: it runs the rules and
compares sealed figures only on the files after k (after an append: the day's own file),
and verifies the whole seal chain (each close against the digest of its file's bytes, its
seal, the links, the log), the first files' digests before their closes taken from the
record. Without a usable record, or with any doubt (a file it cannot read, an odd name,
an index that does not match), it is the whole-book check.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..core.close import SealedFile, sealed_digest
from ..core.entries import EntryBase
from ..core.problems import Problem
from ..core.state import BookState
from .cache import Scanned, chain, digest
from .files import read_regular
from .journal import DayFile, name_problem, parse_day
from .snapshot import SnapshotState

if TYPE_CHECKING:
    from .loader import Loaded

#: the last files of the book after which a check keeps its record: the whole book, and the
#: book without its last day (what an append to the day's own file changes)
KEEP_AT = 2


def _sealed_facts(shown: str, df: DayFile, raw: bytes | None = None, digest: str | None = None) -> list | None:
    """What `core.close.verify_seals` reads of a sealed file: its day closes, the entry after
    the last one (if any), their lines, and the `sealed_digest` of its bytes (``digest``, else
    computed from ``raw``: the digest of the bytes before its close, a function of the bytes
    the record's key names); None when not sealed."""
    closes = [e for e in df.entries if e.kind == "day-close"]
    if not closes:
        return None
    last = df.entries.index(closes[-1])
    kept = closes + df.entries[last + 1:last + 2]
    lines = {e.id: df.lines.get(e.id) or 0 for e in kept}
    if digest is None and raw is not None:
        digest = sealed_digest(SealedFile(df.day, shown, raw, kept, lines))
    return [shown, df.day, kept, lines, digest]


class CheckMemo:
    """`Loader.check`'s record of what it found (mixed into `Book`)."""

    def _check_name(self, key: str) -> str:
        return f"check:{key}:{self.policies.key}"

    def _check_on_record(self, checker, scanned: list[Scanned]):
        """`check`'s answer from the record of an earlier check of the same first files plus
        the rules run on the files after them; None where there is no usable record."""
        from ..core.close import seal_figures
        from ..core.rules import book_checks
        from .loader import _Checked
        from .seallog import seal_problems_of

        cache = self.cache
        if cache is None or not scanned or any(s.day is None or name_problem(s.file, s.shown) for s in scanned):
            return None
        contents: dict[str, tuple[bytes, str]] = {}
        for s in scanned:  # every file read and hashed, as on every check
            try:
                raw = read_regular(s.path, "journal")
            except OSError:
                return None
            contents[s.shown] = (raw, digest(raw))
        keys = chain((s.shown, contents[s.shown][1]) for s in scanned)
        at = {(s.day, keys[i]): i for i, s in enumerate(scanned)}
        known = cache.files()
        start = record = parts = None
        for snap_day, key in cache.snapshots():
            i = at.get((snap_day, key))
            if i is None:
                continue
            # the cache's index of entries must hold exactly these files up to there
            if any(known.get(s.shown, ("", ""))[1] != contents[s.shown][1] for s in scanned[:i + 1]):
                return None
            found = cache.memo(self._check_name(key))
            if found is None:
                continue
            parts = cache.load_snapshot(snap_day, key, BookState.__dataclass_fields__)
            if parts is not None:
                start, record = i, found[1]
                break
        if start is None or not (type(record) is list and len(record) == 4):
            return None
        problems, count, sealed, figures = record
        if not (type(problems) is list and type(count) is int and type(sealed) is list and type(figures) is list
                and all(type(f) is list and len(f) == 5 and (f[4] is None or type(f[4]) is str) for f in sealed)):
            return None
        state = SnapshotState.from_parts(parts)
        for name, index in cache.indexes(scanned[start].day).items():
            setattr(state, name, index)
        for s in scanned:
            self._digests[s.shown] = contents[s.shown][1]
        problems, sealed, figures = list(problems), list(sealed), list(figures)
        where = _Where(self, scanned, contents)
        cash = frozenset(self.policy.cash_accounts())
        checked = _Checked(self, scanned, checker, None)
        rest = scanned[start + 1:]
        fresh = {s.shown: parse_day(s.path, contents[s.shown][0], s.shown) for s in rest}
        cache.put_files([(s, contents[s.shown][1], fresh[s.shown], True) for s in rest])
        for j, s in enumerate(rest, start + 1):
            df = fresh[s.shown]

            def duplicate(entry: EntryBase, line: int | None, shown=s.shown) -> Problem:
                first = where[entry.id]
                return Problem("duplicate-id", f"id {entry.id} is already used at {first[0]}:{first[1]}", shown, line, entry.id)

            found, applied = checked.replay(j, df, state, cash, duplicate)
            problems += df.problems + found
            count += len(applied)
            closes = {}
            for entry in applied:
                where.here.setdefault(entry.id, (s.shown, df.lines.get(entry.id) or 0))
                if entry.kind == "day-close":
                    closes[entry.date] = entry  # the last one is the day's seal, as in `BookState.seals`
            facts = _sealed_facts(s.shown, df, raw=contents[s.shown][0])
            if facts:
                sealed.append(facts)
            figures += seal_figures(state, self.policy, where, closes)
            if j >= len(scanned) - KEEP_AT:
                self._keep_check(keys[j], s.day, state, [problems, count, sealed, figures])
        files = [SealedFile(day, shown, contents[shown][0], kept, lines) for shown, day, kept, lines, _ in sealed]
        digests = {f[1]: f[4] for f in sealed}
        out = (problems + book_checks(state, self.policy, where) + seal_problems_of(self, files, digests)
               + figures + self.policies.problems(checker))
        self._forget_gone(scanned)
        return out, len(scanned), count

    def _keep_check(self, key: str, day: dt.date, state: BookState, record: list) -> None:
        """Keep the record of files up to the one ``key`` names (see the module's words). The
        state after them may be there already: the append that made the file saved it."""
        if (day, key) not in self.cache.snapshots():
            self.cache.save_snapshot(day, key, state)
        self.cache.put_check(self._check_name(key), [list(part) if type(part) is list else part for part in record])

    def _keep_whole_check(self, loaded: "Loaded", snapshots: dict[int, str], figures: list[Problem],
                          digests: dict[dt.date, str | None]) -> None:
        """After a whole-book check: its record at the last files (whose snapshots the load
        kept, ``snapshots``: file index -> chain key), with the whole book's sealed-figure
        problems, ``figures``, and its sealed files' `sealed_digest`s, ``digests``."""
        if self.cache is None or not len(loaded.per_file) == len(loaded.counts) == len(loaded.files):
            return
        problems: list[Problem] = []
        sealed: list = []
        count = 0
        for i, df in enumerate(loaded.files):
            problems += loaded.per_file[i]
            count += loaded.counts[i]
            facts = _sealed_facts(self.shown(df.path), df, digest=digests.get(df.day))
            if facts:
                sealed.append(facts)
            if i in snapshots:
                upto = [p for p in figures if df.day is None or p.data["date"] <= df.day]  # a file holds its own day only
                self.cache.put_check(self._check_name(snapshots[i]), [list(problems), count, list(sealed), upto])


class _Where:
    """Where each id is (file, line) for `check`'s book-wide problems: the ids of the files
    checked now as they go, else the cache's index says which earlier file, and that file
    (already read) gives the line. Asked only for the ids a problem names."""

    def __init__(self, book, scanned: list[Scanned], contents: dict[str, tuple[bytes, str]]):
        self.book, self.contents = book, contents
        self.by_name = {s.shown: s for s in scanned}
        self.here: dict[str, tuple[str, int]] = {}

    def get(self, entry_id, default=None):
        if entry_id in self.here:
            return self.here[entry_id]
        shown = self.book.cache.file_of(entry_id) if isinstance(entry_id, str) else None
        s = self.by_name.get(shown) if shown else None
        if s is None:
            return default
        df = parse_day(s.path, self.contents[shown][0], shown)
        for e in df.entries:
            self.here.setdefault(e.id, (shown, df.lines.get(e.id) or 0))
        return self.here.get(entry_id, default)

    def __getitem__(self, entry_id):
        found = self.get(entry_id)
        if found is None:
            raise KeyError(entry_id)
        return found

    def __contains__(self, entry_id) -> bool:
        return self.get(entry_id) is not None
