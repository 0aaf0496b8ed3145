"""The first stages of the load pipeline: scan the journals folder (one stat per file) and
parse the day files (from disk on every core, or a parse the cache holds for exactly these
bytes), noting each file's content digest and what a remembered computation read.
"""

from __future__ import annotations

import datetime as dt
import os

from ..core.problems import CashbookError, Problem
from .cache import Scanned, chain, decode_day, digest, file_key, parse_key
from .files import forget_resolved, note_temp, read_regular
from .journal import DayFile, day_of, read_day
from .parallel import parse_many
from .policyversions import VERSIONS_DIR
from .seallog import raw_bytes


class Scanner:
    """Scanning and parsing (mixed into `Book`, which holds ``root``, ``cache``, ``progress``,
    ``_digests`` and ``_reads``)."""

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
        elif os.path.lexists(self.journals):  # a file or a dangling link: read as an empty book, it would show no money
            raise CashbookError([Problem("unreadable", "journals is not a folder: the day journals of the book live in the "
                                         "folder journals/; move what is there away and restore the folder", file="journals")])
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
        fresh.update(parse_many(misses, self.progress if parallel else None, parallel))
        changed, gone, parsed_now = [], [], {s.shown for s in misses}
        for s in todo:
            content = self._digests[s.shown] = contents.get(s.shown) or content_digest(fresh[s.shown])
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
            content = content_digest(df)
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
                self._digests[s.shown] = digest(raw_bytes(s.path)) if s.path.exists() else "absent"
        return self._digests[s.shown]

    def files_key(self, files: list[Scanned]) -> str:
        """Names the contents of ``files`` (day files in order, from the first): a snapshot's key."""
        return chain((s.shown, self.digest_of(s)) for s in files)[-1] if files else ""


def content_digest(df: DayFile) -> str:
    """What a day file's bytes are known by. A file that could not be read at all (a FIFO,
    a huge file, a broken link) is not an empty one: were it known by the digest of no
    bytes, a cache that had seen the file empty would take it for unchanged and clean."""
    return "unreadable" if df.unread else digest(df.raw)
