"""A derived, disposable cache under the book: ``.cashbook/cache.sqlite``.

Never the source of truth: every row is derived from a day file and keyed on that
file's (size, mtime, ctime, inode), so an edit, a replacement (even with the same
size and mtime: the ctime and inode still change), a deletion or a new file is seen
on the next command. Deleting the folder only costs one slower run. It holds:

- ``files``: each day file parsed (entries, line numbers, problems), so a warm run
  parses nothing;
- ``entries``: an index of every entry by id, cheque number and receipt number, so
  the rules look those up without holding the whole book in memory;
- ``snapshots``: the book state at the end of a day, with the signature of every file
  up to that day, so recording an entry replays only the days since the last snapshot.

Any SQLite trouble (a corrupt file, a read-only book, a locked database) turns the
cache off for that command; results are the same, only slower.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import sqlite3
from collections.abc import MutableMapping
from typing import NamedTuple
from pathlib import Path

from .journal import DayFile

CACHE_DIR = ".cashbook"
CACHE_FILE = "cache.sqlite"
def _version() -> str:
    """Changes whenever a cached structure changes shape (the state's fields, an entry kind's
    fields), so an older cache is dropped instead of misread."""
    from dataclasses import fields

    from ..core.entries import KINDS
    from ..core.state import BookState, DayFigures, OpenItem

    shape = [f.name for cls in (BookState, DayFigures, OpenItem) for f in fields(cls)]
    shape += [f"{k}:{','.join(m.model_fields)}" for k, m in sorted(KINDS.items())]
    return "5-" + hashlib.sha1("|".join(shape).encode()).hexdigest()[:12]


VERSION = _version()
UNSAFE_CODES = {"duplicate-id", "toml-syntax", "bad-encoding", "unreadable", "unknown-kind", "missing-field", "bad-amount", "bad-field", "wrong-day"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, day TEXT, fkey TEXT, unsafe INTEGER, data BLOB);
CREATE TABLE IF NOT EXISTS entries (id TEXT, day TEXT, file TEXT, cheque TEXT, doc TEXT, data BLOB);
CREATE INDEX IF NOT EXISTS entries_id ON entries(id);
CREATE INDEX IF NOT EXISTS entries_file ON entries(file);
CREATE INDEX IF NOT EXISTS entries_cheque ON entries(cheque) WHERE cheque IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_doc ON entries(doc) WHERE doc IS NOT NULL;
CREATE TABLE IF NOT EXISTS snapshots (upto TEXT PRIMARY KEY, signature TEXT, data BLOB);
CREATE TABLE IF NOT EXISTS parts (hash TEXT PRIMARY KEY, data BLOB);
CREATE TABLE IF NOT EXISTS dups (id TEXT, file TEXT, other TEXT);
CREATE TABLE IF NOT EXISTS checks (path TEXT PRIMARY KEY, signature TEXT, data BLOB);
CREATE TABLE IF NOT EXISTS reports (name TEXT PRIMARY KEY, signature TEXT, data BLOB);
"""


class Scanned(NamedTuple):
    """A day file as seen by one stat: where it is, its day, and its cache key."""

    file: str
    shown: str
    day: dt.date | None
    key: str

    @property
    def path(self) -> Path:
        return Path(self.file)


def file_key(st: os.stat_result) -> str:
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


_CODE_DIGEST: list[str] = []


def code_digest() -> str:
    """Names this version of cashbook's code (every module's name, size and mtime): check
    results and reports computed by other code are not reused."""
    if not _CODE_DIGEST:
        package = Path(__file__).resolve().parent.parent
        h = hashlib.sha1(VERSION.encode())
        for folder, dirs, files in sorted(os.walk(package)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".py"):
                    st = os.stat(os.path.join(folder, name))
                    h.update(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        _CODE_DIGEST.append(h.hexdigest())
    return _CODE_DIGEST[0]


def signatures(scanned: list[Scanned]) -> list[str]:
    """Rolling signature: element i stands for files 0..i (path and key), as read by this
    version of the code (a snapshot pickled by other code is not trusted)."""
    out, h = [], hashlib.sha1(code_digest().encode())
    for s in scanned:
        h.update(f"{s.shown}\0{s.key}\n".encode())
        out.append(h.hexdigest())
    return out


class Cache:
    def __init__(self, root: Path):
        self.path = root / CACHE_DIR / CACHE_FILE
        self.db: sqlite3.Connection | None = None
        self._keys: dict[str, str] | None = None
        try:
            self._open()
        except (sqlite3.Error, OSError):
            try:  # a corrupt cache is thrown away and built again
                self.path.unlink(missing_ok=True)
                self._open()
            except (sqlite3.Error, OSError):
                self.db = None

    def _open(self) -> None:
        self.path.parent.mkdir(exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA synchronous=OFF")  # disposable: a torn cache is rebuilt, never trusted blindly
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
        if row is None or row[0] != VERSION:
            db.executescript("DELETE FROM files; DELETE FROM entries; DELETE FROM snapshots; DELETE FROM parts; DELETE FROM checks; DELETE FROM reports;")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (VERSION,))
        self.db = db

    @property
    def on(self) -> bool:
        return self.db is not None

    def _run(self, fn, default=None):
        """Run a cache operation; on any SQLite error turn the cache off for this command."""
        if self.db is None:
            return default
        try:
            return fn(self.db)
        except (sqlite3.Error, pickle.PickleError, EOFError, AttributeError, TypeError, ValueError):
            self.db = None
            return default

    # -- parsed files ----------------------------------------------------------------
    def keys(self) -> dict[str, str]:
        """Each cached file's key. Read once per command: a key that went stale since (another
        process cached a newer file) only makes this command parse that file again."""
        if self._keys is None:
            self._keys = self._run(lambda db: dict(db.execute("SELECT path, fkey FROM files")), {})
        return self._keys

    def get_file(self, shown: str) -> DayFile | None:
        row = self._run(lambda db: db.execute("SELECT data FROM files WHERE path=?", (shown,)).fetchone())
        if not row:
            return None
        return self._run(lambda db: pickle.loads(row[0]))

    def put_files(self, items: list[tuple[Scanned, DayFile]]) -> None:
        def write(db):
            db.execute("BEGIN")
            for s, df in items:
                raw, df.raw = df.raw, b""
                blob = pickle.dumps(df, protocol=pickle.HIGHEST_PROTOCOL)
                df.raw = raw
                unsafe = int(any(p.code in UNSAFE_CODES for p in df.problems))
                if self._keys is not None:
                    self._keys[s.shown] = s.key
                db.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)",
                           (s.shown, s.day.isoformat() if s.day else None, s.key, unsafe, blob))
                db.execute("DELETE FROM entries WHERE file=?", (s.shown,))
                db.execute("DELETE FROM dups WHERE file=? OR other=?", (s.shown, s.shown))
                db.executemany("INSERT INTO entries VALUES (?,?,?,?,?,?)", [
                    (e.id, e.date.isoformat(), s.shown, _cheque_key(e), _doc_key(e), pickle.dumps(e, protocol=pickle.HIGHEST_PROTOCOL))
                    for e in df.entries])
                # an id used in another file too (a hand edit): recording must wait until it is fixed
                db.execute("INSERT INTO dups SELECT DISTINCT d.id, d.file, e.file FROM entries d JOIN entries e ON e.id = d.id "
                           "WHERE d.file = ? AND e.file != ?", (s.shown, s.shown))
            db.execute("COMMIT")
        self._run(write)

    def duplicates(self) -> list[tuple[str, str, str]]:
        return self._run(lambda db: db.execute("SELECT id, file, other FROM dups LIMIT 20").fetchall(), [])

    def add_entry(self, s: Scanned, df: DayFile, entry) -> None:
        """The file ``s`` now holds ``df``: one entry was appended (no re-index of the others)."""
        def write(db):
            db.execute("BEGIN")
            db.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)",
                       (s.shown, s.day.isoformat() if s.day else None, s.key, 0, pickle.dumps(df, protocol=pickle.HIGHEST_PROTOCOL)))
            db.execute("INSERT INTO entries VALUES (?,?,?,?,?,?)", (entry.id, entry.date.isoformat(), s.shown, _cheque_key(entry),
                                                                   _doc_key(entry), pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)))
            db.execute("COMMIT")
        self._run(write)
        if self._keys is not None:
            self._keys[s.shown] = s.key

    def forget(self, gone: list[str]) -> None:
        for shown in gone:
            if self._keys is not None:
                self._keys.pop(shown, None)

        def write(db):
            db.execute("BEGIN")
            for shown in gone:
                db.execute("DELETE FROM files WHERE path=?", (shown,))
                db.execute("DELETE FROM entries WHERE file=?", (shown,))
                db.execute("DELETE FROM dups WHERE file=? OR other=?", (shown, shown))
            db.execute("COMMIT")
        self._run(write)

    def unsafe_files(self) -> list[str]:
        return self._run(lambda db: [r[0] for r in db.execute("SELECT path FROM files WHERE unsafe=1")], [])

    # -- rule checks of a day file, valid for one signature of everything before it ----
    def checks(self, shown: str, signature: str):
        """What checking the file ``shown`` found (problems, skipped ids) when the book up to and
        including it, the policy and the rules were exactly as ``signature`` says; else None."""
        row = self._run(lambda db: db.execute("SELECT data FROM checks WHERE path=? AND signature=?", (shown, signature)).fetchone())
        return self._run(lambda db: pickle.loads(row[0])) if row else None

    def put_checks(self, items: list[tuple[str, str, object]]) -> None:
        def write(db):
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO checks VALUES (?,?,?)",
                           [(shown, sig, pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)) for shown, sig, found in items])
            db.execute("COMMIT")
        if items:
            self._run(write)

    # -- the policy as validated, by the digest of its file ---------------------------------
    def policy(self, digest: str):
        """The policy validated from a file with this digest, by this version of the code."""
        row = self._run(lambda db: db.execute("SELECT value FROM meta WHERE key=?", (f"policy {digest} {code_digest()}",)).fetchone())
        return self._run(lambda db: pickle.loads(bytes.fromhex(row[0]))) if row else None

    def put_policy(self, digest: str, policy) -> None:
        key = f"policy {digest} {code_digest()}"
        if self._run(lambda db: db.execute("SELECT 1 FROM meta WHERE key=?", (key,)).fetchone()):
            return
        def write(db):
            blob = pickle.dumps(policy, protocol=pickle.HIGHEST_PROTOCOL).hex()
            db.execute("BEGIN")
            db.execute("DELETE FROM meta WHERE key LIKE 'policy %'")
            db.execute("INSERT INTO meta VALUES (?, ?)", (key, blob))
            db.execute("COMMIT")
        self._run(write)

    # -- finished reports, valid for one signature of everything they read --------------
    def report(self, name: str, signature: str):
        row = self._run(lambda db: db.execute("SELECT data FROM reports WHERE name=? AND signature=?", (name, signature)).fetchone())
        return self._run(lambda db: pickle.loads(row[0])) if row else None

    def put_report(self, name: str, signature: str, value) -> None:
        self._run(lambda db: db.execute("INSERT OR REPLACE INTO reports VALUES (?,?,?)",
                                        (name, signature, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))))

    # -- snapshots --------------------------------------------------------------------
    def snapshots(self) -> list[tuple[dt.date, str]]:
        rows = self._run(lambda db: db.execute("SELECT upto, signature FROM snapshots ORDER BY upto DESC").fetchall(), [])
        return [(dt.date.fromisoformat(u), s) for u, s in rows]

    def load_snapshot(self, upto: dt.date, fields) -> dict | None:
        """The snapshot's fields, each a function that reads and unpickles it on first use
        (most commands read the balances and a few small fields, not every deposit held)."""
        def read(db):
            row = db.execute("SELECT data FROM snapshots WHERE upto=?", (upto.isoformat(),)).fetchone()
            names = pickle.loads(row[0]) if row else None
            if not isinstance(names, dict) or set(names) != set(fields) or not all(isinstance(h, str) for h in names.values()):
                return None
            wanted = sorted(set(names.values()))
            found = {h for (h,) in db.execute(f"SELECT hash FROM parts WHERE hash IN ({','.join('?' * len(wanted))})", wanted)}
            if found != set(wanted):
                return None
            return {name: _Part(h, self) for name, h in names.items()}
        return self._run(read)

    def part(self, digest: str) -> bytes | None:
        row = self._run(lambda db: db.execute("SELECT data FROM parts WHERE hash=?", (digest,)).fetchone())
        return row[0] if row else None

    def save_snapshot(self, upto: dt.date, signature: str, state) -> None:
        """Store ``state`` as it is after the files named by ``signature``. Each field is a
        part stored once by its digest, so what did not change (most of the book: every
        deposit ever held) is shared with earlier snapshots, not written again."""
        def write(db):
            parts = {}
            for name, value in state.snapshot_fields(keep_unread=True).items():
                if isinstance(value, _Part):  # never read: stored already, under its digest
                    parts[name] = (value.hash, None)
                else:
                    blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                    parts[name] = (hashlib.sha1(blob).hexdigest(), blob)
            names = pickle.dumps({name: h for name, (h, _) in parts.items()}, protocol=pickle.HIGHEST_PROTOCOL)
            db.execute("BEGIN")
            db.executemany("INSERT OR IGNORE INTO parts VALUES (?,?)", [p for p in parts.values() if p[1] is not None])
            db.execute("INSERT OR REPLACE INTO snapshots VALUES (?,?,?)", (upto.isoformat(), signature, names))
            # keep month ends and the latest few, and the parts they use
            rows = [dt.date.fromisoformat(r[0]) for r in db.execute("SELECT upto FROM snapshots ORDER BY upto DESC")]
            keep = set(rows[:4]) | {d for d in rows if (d + dt.timedelta(days=1)).day == 1}
            for d in rows:
                if d not in keep:
                    db.execute("DELETE FROM snapshots WHERE upto=?", (d.isoformat(),))
            used = set()
            for (data,) in db.execute("SELECT data FROM snapshots"):
                found = pickle.loads(data)
                if isinstance(found, dict):
                    used.update(h for h in found.values() if isinstance(h, str))
            db.executemany("DELETE FROM parts WHERE hash=?", [(h,) for (h,) in db.execute("SELECT hash FROM parts").fetchall() if h not in used])
            db.execute("COMMIT")
        self._run(write)

    # -- look-ups the rules need, limited to days up to a snapshot -----------------------
    def indexes(self, upto: dt.date | None) -> dict[str, "Layered"]:
        limit = upto.isoformat() if upto else "0000-00-00"

        def one(sql, key_fn=lambda k: (k,)):
            def fetch(key):
                row = self._run(lambda db: db.execute(sql, (*key_fn(key), limit)).fetchone())
                return row[0] if row else None
            return fetch

        def entry(key):
            row = self._run(lambda db: db.execute("SELECT data FROM entries WHERE id=? AND day<=? ORDER BY day LIMIT 1", (key, limit)).fetchone())
            return self._run(lambda db: pickle.loads(row[0])) if row else None

        def doc_keys():
            return [r[0] for r in self._run(lambda db: db.execute("SELECT DISTINCT doc FROM entries WHERE doc IS NOT NULL AND day<=?", (limit,)).fetchall(), [])]

        def cheque_keys():
            rows = self._run(lambda db: db.execute("SELECT DISTINCT cheque FROM entries WHERE cheque IS NOT NULL AND day<=?", (limit,)).fetchall(), [])
            return [tuple(r[0].split("\0", 1)) for r in rows]

        def entry_keys():
            return [r[0] for r in self._run(lambda db: db.execute("SELECT id FROM entries WHERE day<=?", (limit,)).fetchall(), [])]

        def docs_near(lo: str, hi: str) -> tuple[list[str], "sqlite3.Cursor | list"]:
            """Receipt numbers in lo..hi, and a cursor over those below lo, greatest first."""
            inside = self._run(lambda db: [r[0] for r in db.execute(
                "SELECT doc FROM entries WHERE doc >= ? AND doc <= ? AND day <= ?", (lo, hi, limit))], [])
            below = self._run(lambda db: db.execute(
                "SELECT doc FROM entries WHERE doc < ? AND day <= ? ORDER BY doc DESC", (lo, limit)), [])
            return inside, below

        receipts = Layered(one("SELECT id FROM entries WHERE doc=? AND day<=? ORDER BY day LIMIT 1"), doc_keys)
        receipts.near = docs_near
        return {
            "entries": Layered(entry, entry_keys),
            "cheques": Layered(one("SELECT id FROM entries WHERE cheque=? AND day<=? ORDER BY day LIMIT 1", lambda k: ("\0".join(k),)), cheque_keys),
            "receipt_numbers": receipts,
        }


class _Part:
    """One field of a snapshot, read and unpickled when called (see `BookState.from_parts`)."""

    __slots__ = ("hash", "cache")

    def __init__(self, hash: str, cache: "Cache"):
        self.hash, self.cache = hash, cache

    def __call__(self):
        blob = self.cache.part(self.hash)
        if blob is None:  # pruned by another command since this one read the snapshot
            from ..core.problems import CashbookError, Problem

            raise CashbookError(Problem("cache-busy", "the cache under .cashbook/ changed while this command read it "
                                        "(another command was updating it); nothing was written: run the command again"))
        return pickle.loads(blob)


def _cheque_key(entry) -> str | None:
    if entry.kind in ("payment", "withdrawal", "cheque-spoiled") and getattr(entry, "cheque", ""):
        return f"{entry.account}\0{entry.cheque}"
    return None


def _doc_key(entry) -> str | None:
    if entry.kind in ("receipt", "collection", "deposit-hold", "receipt-spoiled") and getattr(entry, "doc", ""):
        return entry.doc
    return None


class Layered(MutableMapping):
    """A mapping of what was applied in memory over what the cache holds on disk."""

    def __init__(self, fetch, all_keys):
        self.local: dict = {}
        self._fetch = fetch
        self._all_keys = all_keys
        self.near = None  # (lo, hi) -> (keys in lo..hi on disk, keys below lo on disk, greatest first)

    def __getitem__(self, key):
        if key in self.local:
            return self.local[key]
        value = self._fetch(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key) -> bool:
        return key in self.local or self._fetch(key) is not None

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def __setitem__(self, key, value) -> None:
        self.local[key] = value

    def __delitem__(self, key) -> None:
        del self.local[key]

    def __iter__(self):
        seen = set()
        for key in self._all_keys():
            seen.add(key)
            yield key
        for key in self.local:
            if key not in seen:
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)
