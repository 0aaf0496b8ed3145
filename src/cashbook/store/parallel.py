"""Reading on every core: process pools that parse day files, forked workers that check
runs of files (`Worker`), threads that hash sealed files, and the garbage-collector
tuning that keeps a whole-book read from walking its own objects again and again."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
from typing import Callable

from ..core.close import SealedFile, sealed_digest
from .cache import Scanned
from .files import holding_lock
from .journal import DayFile, read_day

PARALLEL_FROM = 64  # files to parse before it pays to start worker processes


@contextlib.contextmanager
def long_lived_objects():
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


def workers() -> int:
    return min(os.cpu_count() or 1, 8)


def can_fork() -> bool:
    """Forked workers: on a POSIX system with more than one core, never while holding the book
    lock (a worker would inherit it and, if this process were killed, keep the book locked
    for as long as it lived), and not when the user turned them off."""
    return (hasattr(os, "fork") and workers() > 1 and not holding_lock()
            and os.environ.get("CASHBOOK_WORKERS", "") != "1")


def parse_many(items: list[Scanned], progress=None, parallel: bool = True) -> dict[str, DayFile]:
    """Parse day files, on every core when there are many (files are independent)."""
    out: dict[str, DayFile] = {}
    if not items:
        return out
    cores = workers()
    tick = progress(len(items)) if progress and len(items) > 50 else None
    if parallel and len(items) > PARALLEL_FROM and can_fork():
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(1, len(items) // (cores * 8))
        try:
            with ProcessPoolExecutor(max_workers=cores, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
                for s, df in zip(items, pool.map(parse_one, [(s.path, s.shown) for s in items], chunksize=chunk)):
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


class ChunkFailed(Exception):
    """A worker of `Loader._load_in_chunks` could not be started or ended without its answer."""


class Worker:
    """A forked process running one job on what it inherited; its answer comes back pickled
    through a pipe. It dies with this process (see `die_with_parent`)."""

    def __init__(self, pid: int, fd: int, run: range):
        self.pid, self.fd, self.run = pid, fd, run

    @classmethod
    def start(cls, job: Callable[[], object], run: range) -> "Worker":
        import pickle  # not from disk: a forked worker's answer through a pipe, never stored

        parent = os.getpid()
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise ChunkFailed from None
        if pid == 0:  # the worker: never returns into the caller's code
            code = 1
            try:
                os.close(read)
                die_with_parent(parent)
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
            raise ChunkFailed
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


def die_with_parent(parent: int) -> None:
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


def parse_one(args) -> DayFile:
    """A pool worker's file: parsed, and its entries encoded for the cache's index too, so
    that the parent, which stores them, does not encode a whole book on one core."""
    from .cache import encode

    path, shown = args
    df = read_day(path, shown)
    try:
        df.texts = [encode(e) for e in df.entries]
    except TypeError:  # not a value the codec knows: the parent encodes (and skips) it
        df.texts = None
    return df


def sealed_digests(files: list[SealedFile]) -> dict[dt.date, str | None]:
    """Each sealed file's `sealed_digest`, on every core (hashing releases the interpreter
    lock): a long book has thousands of sealed days, a gigabyte to hash."""
    if len(files) < 8 or workers() < 2:
        return {f.date: sealed_digest(f) for f in files}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers()) as pool:
        return dict(zip((f.date for f in files), pool.map(sealed_digest, files)))
