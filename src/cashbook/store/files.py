"""Safe file primitives: the book lock, atomic replacement and bounded reading.

A crash or kill at any instant leaves a file either as it was or complete: new
content goes to a temporary file in the same folder, is flushed to disk, and then
`os.replace`d over the old one. Writers take an exclusive lock on the book so two
processes recording at once serialise instead of losing an entry.

The book's boundary is kept here too: `read_regular` reads only a regular file and at
most a size limit (a FIFO, a device or a link to /dev/zero is refused, never waited on
or swallowed whole); `atomic_write(..., inside=root)` refuses a folder that a link leads
out of the book; the lock is never opened through a link.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import os
import re
import stat
import tempfile
import time
from pathlib import Path

from ..core.problems import CashbookError, Problem

LOCK_NAME = ".cashbook.lock"

# the most a file of each kind may hold (bytes): far above any real one, low enough that a
# hostile or mistaken file (a link to /dev/zero, a disk image) is refused, not read whole
MiB = 1024 * 1024
LIMITS = {"journal": 64 * MiB, "policy": 4 * MiB, "statement": 64 * MiB, "seal log": 64 * MiB}


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: Path | str, what: str = "journal", inside: Path | None = None) -> bytes:
    """The bytes of ``path``, a regular file of at most ``LIMITS[what]`` bytes.

    Anything else raises `OSError` whose ``strerror`` says why in words (callers already
    turn an unreadable file into a message): a FIFO would block the reader for ever, a
    device or a huge file would fill the memory. With ``inside``, a file reached through
    a link that leads out of that folder is refused too."""
    limit = LIMITS[what]
    st = os.stat(path)  # before opening: opening a device can have effects of its own
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, f"it is {_kind(st.st_mode)}, not a regular file", str(path))
    if inside is not None and not _read_inside(path, inside):
        raise OSError(errno.EXDEV, f"it is a link to {os.path.realpath(path)}, outside the book", str(path))
    if st.st_size > limit:
        raise OSError(errno.EFBIG, _too_big(st.st_size, limit, what), str(path))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)  # it may have been swapped between the stat and the open
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, f"it is {_kind(st.st_mode)}, not a regular file", str(path))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(limit + 1 - size, 4 * MiB) or 1)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:  # it grew while being read
        raise OSError(errno.EFBIG, _too_big(size, limit, what), str(path))
    return b"".join(chunks)


def _too_big(size: int, limit: int, what: str) -> str:
    return f"it holds over {limit // MiB} MiB ({size} bytes), more than a {what} file may (a copy of something else?)"


def is_inside(path: Path | str, folder: Path | str) -> bool:
    """Whether ``path``, every link followed (the part that exists), is ``folder`` or under it."""
    real, top = os.path.realpath(path), _real(str(folder))
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _read_inside(path: Path | str, folder: Path | str) -> bool:
    """`is_inside` for reading many files: a folder is resolved once, a file only when it is a link."""
    if os.path.islink(path):
        return is_inside(path, folder)
    parent, _ = os.path.split(os.path.abspath(path))
    real, top = _real(parent), _real(str(folder))
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


@functools.lru_cache(maxsize=4096)
def _real(folder: str) -> str:
    """A book's folder resolved once per look at the book (reading checks every file against it)."""
    return os.path.realpath(folder)


def forget_resolved() -> None:
    """Resolve folders afresh: called as the book is scanned, so a folder swapped for a link
    since (in a long-lived process: tests, the soak) is seen."""
    _real.cache_clear()


def cache_inside(root: Path) -> bool:
    """Whether the cache folder (``.cashbook``) would be in the book: a link out of it turns
    the cache off (it is disposable) rather than writing a database elsewhere."""
    return is_inside(root / ".cashbook", root)


def refuse_outside(path: Path, inside: Path) -> None:
    """A write to ``path`` must land in the book: its folder, links followed, is under ``inside``."""
    if not is_inside(path.parent, inside):
        raise CashbookError(Problem(
            "outside-book", f"{path.parent} leads out of {inside} (a link to {os.path.realpath(path.parent)}); "
            "cashbook writes only inside the book's own folders: replace the link with a real folder; nothing was written"))
_held = 0  # how many book locks this process holds (no worker processes are forked meanwhile)


def holding_lock() -> bool:
    return _held > 0


def atomic_write(path: Path, data: bytes, inside: Path | None = None) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a mix.
    With ``inside`` (the book), a folder on the way that a link leads out of it is refused."""
    if inside is not None:
        refuse_outside(path, inside)
    if _noted and holding_lock():
        _sweep_noted()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if inside is not None:  # a link may have been made by the mkdir's race; check the folder made
            refuse_outside(path, inside)
        for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a writer killed mid-write (we hold the lock)
            with contextlib.suppress(OSError):
                stale.unlink()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise CashbookError(Problem("write-failed", f"could not write {path}: {exc.strerror or exc}; nothing was changed")) from None
    try:
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.fchmod(fd, mode)  # mkstemp makes 0600; keep the file's (or the usual) permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise CashbookError(Problem("write-failed", f"could not write {path}: {exc.strerror or exc}; nothing was changed")) from None
        raise
    _fsync_dir(path.parent)


_TEMP = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.tmp")  # mkstemp's ``.NAME.XXXXXXXX.tmp`` (see atomic_write)


_noted: set[str] = set()  # leftovers the book's scan of its day folders came across (see `note_temp`)


def note_temp(item: os.DirEntry) -> None:
    """Called by the book's scan for each hidden name in a day folder: a temporary file of a
    killed writer is noted, and the next `atomic_write` under the lock removes it (the scan
    already lists every day folder; the lock's own sweep looks only at the few top folders)."""
    try:
        if item.name.endswith(".tmp") and _TEMP.fullmatch(item.name) and item.is_file(follow_symlinks=False):
            _noted.add(item.path)
    except OSError:
        pass


def leftover_temps(root: Path, deep: bool = True) -> list[Path]:
    """Temporary files of `atomic_write` left in the book by a writer killed mid-write: in the
    book folder and under journals/ (its year folders and bank folders), never through a link.
    Not ``deep``: the book folder, journals/ and the bank folders only, not the day folders."""
    found: list[Path] = []
    folders = [root, root / "journals"]
    while folders:
        folder = folders.pop()
        if not deep and folder.parent.name == "journals" and folder.name != "bank":
            continue
        try:
            items = list(os.scandir(folder))
        except OSError:
            continue
        for item in items:
            name = item.name
            if name.endswith(".toml"):  # most of a book: day files, looked at by name only
                continue
            try:
                if name.startswith("."):
                    if name.endswith(".tmp") and _TEMP.fullmatch(name) and item.is_file(follow_symlinks=False):
                        found.append(Path(item.path))
                elif folder != root and item.is_dir(follow_symlinks=False):
                    folders.append(Path(item.path))
            except OSError:
                continue
    return sorted(found)


def sweep_temps(root: Path, deep: bool = True) -> list[Path]:
    """Remove the leftovers of killed writers; the caller holds the book lock, so no writer is
    running (their content was never acknowledged: the old file is what stands)."""
    swept = []
    for path in leftover_temps(root, deep):
        with contextlib.suppress(OSError):
            path.unlink()
            swept.append(path)
    return swept


def _sweep_noted() -> None:
    """Remove the leftovers the scan noted (under the lock: no writer of the book is running)."""
    while _noted:
        with contextlib.suppress(OSError):
            os.unlink(_noted.pop())


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def book_lock(root: Path, timeout: float | None = None):  # not money: seconds
    """Hold the book's exclusive writer lock; give up with a clear message after ``timeout`` s."""
    if timeout is None:
        raw = os.environ.get("CASHBOOK_LOCK_TIMEOUT", "30")
        try:
            timeout = float(raw)  # not money: the lock wait in seconds
            if not 0 <= timeout < 1e6:
                raise ValueError
        except ValueError:
            raise CashbookError(Problem("bad-option", f"$CASHBOOK_LOCK_TIMEOUT={raw!r} is not a number of seconds (e.g. 30)")) from None
    path = root / LOCK_NAME
    try:  # never through a link: it would create or lock a file elsewhere
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK, 0o644)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(errno.EINVAL, "it is not a regular file")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise CashbookError(Problem("write-failed", f"the book lock {path} is a link; cashbook writes only inside the book: "
                                        "remove the link (the next command makes a new lock); nothing was written")) from None
        raise CashbookError(Problem("write-failed", f"cannot open the book lock {path}: {exc.strerror}; is the book read-only?")) from None
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise CashbookError(Problem(
                        "book-locked",
                        f"another cashbook process has held {path} for over {timeout:g} s; "
                        "wait for it to finish (or raise CASHBOOK_LOCK_TIMEOUT) and try again; nothing was written",
                    )) from None
                time.sleep(0.01)
        global _held
        _held += 1
        try:
            if _held == 1:
                _noted.clear()  # noted before the lock: perhaps a live writer's; the scan under the lock notes again
                sweep_temps(root, deep=False)
            yield
        finally:
            _held -= 1
    finally:
        os.close(fd)  # closing releases the flock
