"""Safe file primitives: the book lock and atomic replacement.

A crash or kill at any instant leaves a file either as it was or complete: new
content goes to a temporary file in the same folder, is flushed to disk, and then
`os.replace`d over the old one. Writers take an exclusive lock on the book so two
processes recording at once serialise instead of losing an entry.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from pathlib import Path

from ..core.problems import CashbookError, Problem

LOCK_NAME = ".cashbook.lock"
_held = 0  # how many book locks this process holds (no worker processes are forked meanwhile)


def holding_lock() -> bool:
    return _held > 0


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a mix."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
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


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def book_lock(root: Path, timeout: float | None = None):
    """Hold the book's exclusive writer lock; give up with a clear message after ``timeout`` s."""
    if timeout is None:
        raw = os.environ.get("CASHBOOK_LOCK_TIMEOUT", "30")
        try:
            timeout = float(raw)  # seconds, not money
            if not 0 <= timeout < 1e6:
                raise ValueError
        except ValueError:
            raise CashbookError(Problem("bad-option", f"$CASHBOOK_LOCK_TIMEOUT={raw!r} is not a number of seconds (e.g. 30)")) from None
    path = root / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
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
            yield
        finally:
            _held -= 1
    finally:
        os.close(fd)  # closing releases the flock
