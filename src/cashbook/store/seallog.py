"""The seal log (journals/seals.log): reading it, repairing a tail a crash lost, writing it,
and verifying sealed days against it (`seal_problems` for `check`, over the whole book;
`seals_broken` for the files a command read now). Both use `core.close`'s one per-file
verification."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.close import SealedFile, parse_seal_log, sealed_file_problems, verify_seals
from ..core.problems import Problem
from .cache import Scanned, digest
from .files import atomic_write, read_regular
from .journal import DayFile
from .layout import SEAL_LOG, SEAL_LOG_HEADER
from .parallel import sealed_digests

if TYPE_CHECKING:
    from .book import Book
    from .loader import Loaded


def read_seal_log(book: Book) -> tuple[list | None, list[Problem]]:
    """The seal log's `(date, seal)` lines (None when there is none) and its problems."""
    try:
        data = read_regular(book.seal_log, "seal log", inside=book.journals)
        book._note("seals", SEAL_LOG, digest(data))
        text = data.decode("utf-8")
    except FileNotFoundError:
        book._note("seals", SEAL_LOG, "absent")
        return None, []
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem("seal-broken", f"cannot read the seal log: {exc}", file=book.shown(book.seal_log))]
    return parse_seal_log(text, book.shown(book.seal_log))


def sealed_files(book: Book, loaded: Loaded) -> list[SealedFile]:
    """The sealed day files of a loaded book, with their bytes as read now."""
    return [SealedFile(df.day, book.shown(df.path), df.raw or raw_bytes(df.path), df.entries, df.lines)
            for df in loaded.files if df.day and any(e.kind == "day-close" for e in df.entries)]


def seal_problems(book: Book, loaded: Loaded) -> list[Problem]:
    """`cashbook check`'s tamper evidence: the seal chain of the day files and the seal log."""
    files = sealed_files(book, loaded)
    return seal_problems_of(book, files, sealed_digests(files))


def seal_problems_of(book: Book, files: list[SealedFile], digests: dict[dt.date, str | None]) -> list[Problem]:
    """`seal_problems` of the sealed files ``files``, given each one's `sealed_digest` (of its
    bytes as read now)."""
    log, problems = read_seal_log(book)
    return problems + verify_seals(files, log, book.shown(book.seal_log), digests)


def repair_seal_log(book: Book, seals: dict) -> bool:
    """Add the seals of the latest sealed days when the log lacks only those lines, after its
    last one (what kills between writing a sealed day file and the log leave, one per close
    killed so); a line missing before a logged one, or a log without lines while more than
    one day is sealed, is not a crash but a change `check` reports, and stays. Returns
    whether the log was written."""
    log, problems = read_seal_log(book)
    if problems or not seals:
        return False
    logged = {d for d, _ in (log or [])}
    missing = sorted(d for d in seals if d not in logged)
    if not missing or (logged and missing[0] < max(logged)) or (not logged and len(missing) > 1):
        return False
    write_seal_log(book, [*(log or []), *((d, seals[d].seal) for d in missing)])
    return True


def seals_broken(book: Book, scanned: list[Scanned], fresh: dict[str, DayFile], upto: dt.date | None) -> list[Problem]:
    """Sealed days that no longer hold what was sealed. Every file read from disk in this
    command (``fresh``) is verified as `check` verifies it (`sealed_file_problems`), and
    against the seal log; a file the cache already held unchanged (same size, times and
    inode) was verified when it was read, so only `cashbook check`, which re-hashes
    everything, looks at it again."""
    log, _ = read_seal_log(book)
    logged = dict(log or [])
    days = {s.day for s in scanned if s.day is not None}
    problems = [Problem("seal-broken", f"{d} was sealed (seal log) but its day file is gone", file=book.shown(book.seal_log))
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
        sealed = SealedFile(s.day, s.shown, df.raw or raw_bytes(df.path), df.entries, df.lines)
        problems += sealed_file_problems(sealed, closes[-1], logged=logged.get(s.day))
    if problems and book.cache:  # keep them unread by the cache, so the next command looks again
        book.cache.forget([p.file for p in problems if p.file])
    return problems


def write_seal_log(book: Book, seals: list[tuple[dt.date, str]]) -> None:
    """The seal log, one `date seal` line per sealed day, written atomically."""
    lines = [f"{d} {s}" for d, s in seals]
    atomic_write(book.seal_log, (SEAL_LOG_HEADER + "\n".join(lines) + "\n").encode(), inside=book.journals)


def raw_bytes(path: Path) -> bytes:
    """A file's bytes, empty when it cannot be read (the reader reports why)."""
    try:
        return read_regular(path, "journal")
    except OSError:
        return b""
