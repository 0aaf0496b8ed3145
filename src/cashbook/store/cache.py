"""A derived, disposable cache outside the book, in a form that cannot run code.

It lives in the user's own cache folder, ``$XDG_CACHE_HOME/cashbook/<book id>/cache.sqlite``
(else ``~/.cache/cashbook/<book id>/``; folders created owner-only), where ``<book id>``
is a digest of the book folder's resolved path: a book folder copied from a colleague
or a shared drive never carries a cache, and nothing in it is ever unpickled. Values
are JSON in plain SQLite columns, decoded by `decode`, which knows a short list of
value types (numbers as text, dates, entries re-validated by their pydantic models)
and refuses anything else.

Never the source of truth, and never trusted by `cashbook check`:

- ``files``: each day file's content digest (sha256) and the stat it was seen with, so
  a command other than `check` need not re-read an unchanged file to know its digest;
- ``entries``: an index of the entries of those files by id, cheque and receipt number,
  so recording looks up what it needs without the whole book in memory;
- ``snapshots`` and ``parts``: the book state after a day, stored under the digest
  chain of every file up to that day (`chain`); each field a part stored once under
  the sha256 of its own text, so a part is checked against its name when read;
- ``parses``: each day file as parsed (entries, their lines, its problems), under the
  digest of its name and bytes, so a whole-book read (`check` too) hashes every file
  but re-validates only the entries of a file it already parsed;
- ``memos``: finished reports, each with the list of what it read (files and their
  digests, the policy, the seal log, the bank statements); a memo is reused only
  while every one of those is unchanged (`Book.remembered`).

Every row carries a digest of its key and value: a row that does not match, does not
decode, or was written by other code (``meta.version`` names this code) is dropped and
rebuilt. Any SQLite trouble turns the cache off for that command; results are the
same, only slower.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import stat
import weakref
from collections.abc import MutableMapping
from dataclasses import fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from ..core.problems import CashbookError, Problem
from .journal import UNREADABLE

CACHE_FILE = "cache.sqlite"


class Scanned(NamedTuple):
    """A day file as seen by one stat: where it is, its day, and its stat key."""

    file: str
    shown: str
    day: dt.date | None
    key: str

    @property
    def path(self) -> Path:
        return Path(self.file)


def file_key(st: os.stat_result) -> str:
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def digest(data: bytes) -> str:
    """A file's content digest: what every cache key is made of."""
    return hashlib.sha256(data).hexdigest()


_CODE_DIGEST: list[str] = []


def code_digest() -> str:
    """Names this version of cashbook's code (every module's name and bytes): a cache
    written by other code is dropped, never read."""
    if not _CODE_DIGEST:
        package = Path(__file__).resolve().parent.parent
        h = hashlib.sha256(b"cashbook cache 6\n")
        for folder, dirs, files in sorted(os.walk(package)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".py", ".toml")):
                    rel = os.path.relpath(os.path.join(folder, name), package)
                    with open(os.path.join(folder, name), "rb") as f:
                        h.update(f"{rel}\0".encode() + hashlib.sha256(f.read()).digest())
        _CODE_DIGEST.append(h.hexdigest())
    return _CODE_DIGEST[0]


def chain(pairs) -> list[str]:
    """Rolling digest: element i stands for files 0..i, each by its name and content digest."""
    out, h = [], hashlib.sha256(b"files\n")
    for shown, content in pairs:
        h.update(f"{shown}\0{content}\n".encode())
        out.append(h.hexdigest())
    return out


def cache_dir(root: Path) -> Path:
    """Where the cache of the book at ``root`` lives: outside the book, the user's own."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        top = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    except RuntimeError:  # no home folder to be found
        top = Path(".cache")
    if not top.is_absolute():
        raise OSError("no cache folder: neither $XDG_CACHE_HOME nor a home folder is set")
    book_id = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:24]
    return top / "cashbook" / book_id


def _private_dir(folder: Path) -> None:
    """Make ``folder`` (and its parent ``cashbook/``) owner-only; refuse a folder that is
    someone else's or that others may write."""
    for f in (folder.parent, folder):
        f.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(f, follow_symlinks=False)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            raise OSError(f"{f} is not a folder of this user")
        if st.st_mode & 0o077:
            os.chmod(f, 0o700)


class CacheDamaged(CashbookError):
    """A cached value read mid-command failed its digest or did not decode: the cache is
    dropped, and the command (which wrote nothing) is to be run again."""

    def __init__(self, folder: Path):
        super().__init__(Problem("cache-busy", f"the cache at {folder} changed while this command read it (another command "
                                 "was updating it, or it was damaged and is now dropped); nothing was written: run the command again"))


# -- the codec: JSON with a few tagged types, nothing that can run code -------------------

def encode(value, types: tuple[type, ...] = ()) -> str:
    """Text for a value made of None, bool, int, str, list, tuple, dict, Decimal, dates,
    entries, problems, the state's items and instances of the dataclasses ``types`` (the
    caller's: a report model); anything else raises TypeError."""
    return json.dumps(_Codec(types).enc(value), ensure_ascii=False, separators=(",", ":"))


def decode(text: str | bytes, types: tuple[type, ...] = ()):
    """The value `encode` made; ValueError for anything else (never runs code)."""
    try:
        return _Codec(types).dec(json.loads(text))
    except (ValueError, TypeError, KeyError, IndexError, InvalidOperation, RecursionError, AttributeError) as exc:
        raise ValueError(f"undecodable cache value: {exc}") from None


class _Codec:
    def __init__(self, types: tuple[type, ...]):
        self.types = {t.__name__: t for t in types}

    def enc(self, v):
        return _enc(v, self)

    def dec(self, v):
        return _dec(v, self)


def _enc(v, codec: _Codec):
    t = type(v)
    if v is None or t is str or t is int or t is bool:
        return v
    if t is list:  # plain items inline: a long list of [day, id] pairs is most of some snapshots
        return [x if type(x) is str or type(x) is int else _enc(x, codec) for x in v]
    if t is Decimal:
        return {"D": str(v)}
    if t is dt.date:
        return {"d": v.isoformat()}
    if t is dt.datetime:
        return {"t": v.isoformat()}
    if t is tuple:
        return {"T": [_enc(x, codec) for x in v]}
    if t is dict:
        return {"M": [[_enc(k, codec), _enc(x, codec)] for k, x in v.items()]}
    from ..core.entries import EntryBase
    from ..core.state import DayFigures, OpenItem
    from .snapshot import DayBook, OpenItems, day_figures_tuple, open_item_tuple

    if isinstance(v, EntryBase):
        return {"E": v.to_record()}
    if t.__module__ == _POLICY_MODULE and hasattr(t, "__pydantic_fields__"):  # policies.toml validated: each model, every field
        return {"Y": [t.__name__, sorted(v.model_fields_set), [[name, _enc(getattr(v, name), codec)] for name in t.model_fields]]}
    if t is Problem:
        return {"P": [v.code, v.message, v.file, v.line, v.entry_id, v.severity, _enc(v.data, codec)]}
    if t is OpenItems:  # compact tuples stay compact
        return {"C": [[_enc(k, codec), list(x)] for k, x in v.packed().items()]}
    if t is DayBook:  # a row per (day, cash account): the day, the account, the figures
        return {"B": [[_day_iso(day), account, *x] for (day, account), x in v.packed().items()]}
    if t is OpenItem:
        return {"O": [v.id, *open_item_tuple(v)]}
    if t is DayFigures:
        return {"F": list(day_figures_tuple(v))}
    if codec.types.get(t.__name__) is t:
        if hasattr(t, "codec_args"):  # text that carries more (a `Bi`'s Chinese, a note's problem): rebuilt from its arguments
            return {"S": [t.__name__, *(_enc(a, codec) for a in v.codec_args())]}
        return {"A": [t.__name__, *(_enc(getattr(v, f.name), codec) for f in fields(v))]}
    raise TypeError(f"the cache does not store {t.__name__}")


def _dec(v, codec: _Codec):
    if v is None or type(v) in (str, int, bool):
        return v
    if type(v) is list:
        return [x if type(x) is str or type(x) is int else _dec(x, codec) for x in v]
    if type(v) is not dict or len(v) != 1:
        raise ValueError("unknown value")
    (tag, x), = v.items()
    if tag == "D":
        return Decimal(_str(x))
    if tag == "d":
        return dt.date.fromisoformat(_str(x))
    if tag == "t":
        return dt.datetime.fromisoformat(_str(x))
    if tag == "T":
        return tuple(_dec(i, codec) for i in _list(x))
    if tag == "M":  # text keys and plain values inline: some maps of a long book's state hold tens of thousands
        out = {}
        for k, i in (_pair(p) for p in _list(x)):
            out[k if type(k) is str else _dec(k, codec)] = i if type(i) is str or type(i) is int else _dec(i, codec)
        return out
    from ..core.entries import KINDS
    from ..core.state import DayFigures, OpenItem
    from .snapshot import DayBook, OpenItems, open_item

    if tag == "Y":
        return _policy_model(*_list(x), codec)
    if tag == "E":
        if type(x) is not dict:
            raise ValueError("an entry is a record")
        return KINDS[_str(x.get("kind"))].model_validate(x)  # validated as if read from its file
    if tag == "P":
        code, message, file, line, entry_id, severity, data = _list(x)
        data = _dec(data, codec)
        if severity not in ("block", "warn") or type(data) is not dict:
            raise ValueError("bad problem")
        return Problem(_str(code), _str(message), _opt(file, str), _opt(line, int), _opt(entry_id, str), severity, data)
    if tag == "C":
        size = len(fields(OpenItem)) - 1  # as many values as `compact` gives: an OpenItem's fields but its id
        out = {}
        for k, item in (_pair(p) for p in _list(x)):
            if type(item) is not list or len(item) != size or not set(map(type, item)) <= _TEXT_OR_INT:
                raise ValueError("bad item")
            out[k if type(k) is str else _dec(k, codec)] = tuple(item)
        return OpenItems(out)
    if tag == "B":  # a long book has a row for every day it ever moved cash: read without the codec's walk
        size = len(fields(DayFigures)) + 2
        out, days = {}, {}
        for row in _list(x):
            if type(row) is not list or len(row) != size or not all(type(i) is str for i in row):
                raise ValueError("bad day")
            day = days.get(row[0]) or days.setdefault(row[0], dt.date.fromisoformat(row[0]))
            out[(day, row[1])] = tuple(row[2:])
        return DayBook(out)
    if tag == "O":
        return open_item(_str(x[0]), *_list(x)[1:])
    if tag == "F":
        return DayFigures(*map(Decimal, map(_str, _list(x))))
    if tag == "S":
        name, *args = _list(x)
        cls = codec.types[_str(name)]
        if not hasattr(cls, "codec_args"):
            raise ValueError("not a text type")
        return cls(*(_dec(a, codec) for a in args))
    if tag == "A":
        name, *values = _list(x)
        cls = codec.types[_str(name)]
        if len(values) != len(fields(cls)):
            raise ValueError("bad value")
        return cls(*(_dec(i, codec) for i in values))
    raise ValueError(f"unknown tag {tag!r}")


_TEXT_OR_INT = {str, int}


def _day_iso(day) -> str:
    if type(day) is not dt.date:
        raise TypeError("a day book is keyed by (date, account)")
    return day.isoformat()


_POLICY_MODULE = "cashbook.core.policy"


def _policy_model(name, fields_set, values, codec: _Codec):
    """A model of the policy rebuilt as it was validated: one of `core.policy`'s models, given
    every one of its fields (no validator runs: the value was validated when it was stored)."""
    from pydantic import BaseModel

    from ..core import policy

    cls = vars(policy).get(_str(name))
    if not (isinstance(cls, type) and issubclass(cls, BaseModel) and cls.__module__ == _POLICY_MODULE):
        raise ValueError("not a model of the policy")
    given = {_str(k): _dec(v, codec) for k, v in (_pair(p) for p in _list(values))}
    if set(given) != set(cls.model_fields) or not set(_list(fields_set)) <= set(given):
        raise ValueError("not the model's fields")
    fields = cls.model_fields
    return cls.model_construct(set(fields_set), **{fields[k].alias or k: v for k, v in given.items()})


def _str(x) -> str:
    if type(x) is not str:
        raise ValueError("expected text")
    return x


def _list(x) -> list:
    if type(x) is not list:
        raise ValueError("expected a list")
    return x


def _pair(p) -> list:
    if type(p) is not list or len(p) != 2:
        raise ValueError("expected a pair")
    return p


def _opt(x, kind):
    if x is not None and type(x) is not kind:
        raise ValueError("bad field")
    return x


# -- the database -----------------------------------------------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, day TEXT, stat TEXT, hash TEXT, unsafe INTEGER);
CREATE TABLE IF NOT EXISTS entries (id TEXT, day TEXT, file TEXT, cheque TEXT, doc TEXT, data TEXT, sum TEXT);
CREATE INDEX IF NOT EXISTS entries_id ON entries(id);
CREATE INDEX IF NOT EXISTS entries_file ON entries(file);
CREATE INDEX IF NOT EXISTS entries_cheque ON entries(cheque) WHERE cheque IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_doc ON entries(doc) WHERE doc IS NOT NULL;
CREATE TABLE IF NOT EXISTS dups (id TEXT, file TEXT, other TEXT);
CREATE TABLE IF NOT EXISTS snapshots (upto TEXT PRIMARY KEY, key TEXT, data TEXT, sum TEXT);
CREATE TABLE IF NOT EXISTS parts (hash TEXT PRIMARY KEY, data TEXT);
CREATE TABLE IF NOT EXISTS memos (name TEXT PRIMARY KEY, data TEXT, sum TEXT);
CREATE TABLE IF NOT EXISTS parses (key TEXT PRIMARY KEY, data TEXT, sum TEXT);
"""
TABLES = ("files", "entries", "dups", "snapshots", "parts", "memos", "parses")



def _sum(*parts) -> str:
    """The digest a row carries over its key and value (and the code that wrote it); a row
    holding anything but text matches no digest."""
    if not all(type(p) is str for p in parts):
        return "not text"
    return hashlib.sha256("\0".join((code_digest(), *parts)).encode()).hexdigest()


_OPEN: "weakref.WeakSet[Cache]" = weakref.WeakSet()  # the caches this process opened


def close_all() -> None:
    """Close every cache connection this process opened: the command is over. (A command's
    objects may outlive it, frozen out of the garbage collector's reach by
    `parallel.long_lived_objects`; a process that runs several commands, as the tests and
    the soak do, would otherwise keep each one's database files open.)"""
    for cache in list(_OPEN):
        cache.close()


class Cache:
    def __init__(self, root: Path):
        self.db: sqlite3.Connection | None = None
        self._files: dict[str, tuple[str, str]] | None = None
        try:
            self.path = cache_dir(root) / CACHE_FILE
            _private_dir(self.path.parent)
        except OSError:  # no folder of our own for it: no cache for this command
            self.path = Path(os.devnull)
            return
        try:
            self._open()
        except (sqlite3.Error, OSError):
            try:  # a corrupt cache is thrown away and built again
                for name in (CACHE_FILE, CACHE_FILE + "-wal", CACHE_FILE + "-shm"):
                    (self.path.parent / name).unlink(missing_ok=True)
                self._open()
            except (sqlite3.Error, OSError):
                self.db = None

    def _open(self) -> None:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            os.chmod(self.path, 0o600)
            db.execute("PRAGMA synchronous=OFF")  # disposable: a torn cache is rebuilt, never trusted blindly
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            if row is None or row[0] != code_digest():
                db.executescript("".join(f"DELETE FROM {t};" for t in TABLES))
                db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (code_digest(),))
        except BaseException:
            db.close()
            raise
        self.db = db
        _OPEN.add(self)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    @property
    def on(self) -> bool:
        return self.db is not None

    def _run(self, fn, default=None):
        """Run a cache operation; on any SQLite error turn the cache off for this command."""
        if self.db is None:
            return default
        try:
            return fn(self.db)
        except sqlite3.Error:
            self.close()
            return default

    def drop(self) -> None:
        """Forget everything (a value failed its digest or did not decode)."""
        def wipe(db):
            db.executescript("".join(f"DELETE FROM {t};" for t in TABLES))
        self._run(wipe)
        self._files = None

    # -- day files: stat and content digest, and the index of their entries -----------
    def files(self) -> dict[str, tuple[str, str]]:
        """Each known file's (stat key, content digest). Read once per command."""
        if self._files is None:
            self._files = self._run(lambda db: {p: (s, h) for p, s, h in db.execute("SELECT path, stat, hash FROM files")}, {})
        return self._files

    def put_files(self, items: list[tuple[Scanned, str, object, bool]], parses: bool = False, gone: list[str] = ()) -> None:
        """Files read now: (scanned, content digest, the parsed file, whether its entries are
        to be indexed again (else only its stat is new)). With ``parses``, each parse is kept
        too, under `parse_key` (built from the same entry texts as the index); ``gone``: parse
        keys of contents no longer in the book."""
        def write(db):
            db.execute("BEGIN")
            for s, content, df, reindex in items:
                if self._files is not None:
                    self._files[s.shown] = (s.key, content)
                texts = None
                if reindex:
                    unsafe = int(any(p.code in UNREADABLE for p in df.problems))
                    db.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)",
                               (s.shown, s.day.isoformat() if s.day else None, s.key, content, unsafe))
                    db.execute("DELETE FROM entries WHERE file=?", (s.shown,))
                    db.execute("DELETE FROM dups WHERE file=? OR other=?", (s.shown, s.shown))
                    given = df.texts if df.texts is not None and len(df.texts) == len(df.entries) else [None] * len(df.entries)
                    rows = [_entry_row(s.shown, e, text) for e, text in zip(df.entries, given)]
                    df.texts = None  # stored: not kept in memory with the entries
                    texts = [r[5] for r in rows]
                    db.executemany("INSERT INTO entries VALUES (?,?,?,?,?,?,?)", rows)
                    # an id used in another file too (a hand edit): recording must wait until it is fixed
                    db.execute("INSERT INTO dups SELECT DISTINCT d.id, d.file, e.file FROM entries d JOIN entries e ON e.id = d.id "
                               "WHERE d.file = ? AND e.file != ?", (s.shown, s.shown))
                else:
                    db.execute("UPDATE files SET stat=? WHERE path=?", (s.key, s.shown))
                if parses and df is not None:
                    try:
                        text = "[[" + ",".join(texts if texts is not None else map(encode, df.entries)) + "]," + \
                            encode(df.lines) + "," + encode(df.problems) + "]"
                    except TypeError:  # a problem's data the codec does not know: parsed again next time
                        continue
                    key = parse_key(s.shown, content)
                    db.execute("INSERT OR REPLACE INTO parses VALUES (?,?,?)", (key, text, _sum("parse", key, text)))
            db.executemany("DELETE FROM parses WHERE key=?", [(k,) for k in gone])
            db.execute("COMMIT")
        if items or gone:
            self._run(write)

    # -- day files as parsed, by the digest of their bytes -----------------------------------
    def parses(self, keys: list[str]) -> dict[str, str]:
        """The stored parse (text) of each key that has one whose digest holds."""
        out: dict[str, str] = {}

        def read(db):
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                for key, data, total in db.execute(f"SELECT key, data, sum FROM parses WHERE key IN ({','.join('?' * len(chunk))})", chunk):
                    if type(data) is str and total == _sum("parse", key, data):
                        out[key] = data
        self._run(read)
        return out

    def duplicates(self) -> list[tuple[str, str, str]]:
        return self._run(lambda db: db.execute("SELECT id, file, other FROM dups LIMIT 20").fetchall(), [])

    def add_entry(self, s: Scanned, content: str, entry) -> None:
        """The file ``s`` (now with content digest ``content``) had ``entry`` appended."""
        def write(db):
            db.execute("BEGIN")
            db.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)",
                       (s.shown, s.day.isoformat() if s.day else None, s.key, content, 0))
            db.execute("INSERT INTO entries VALUES (?,?,?,?,?,?,?)", _entry_row(s.shown, entry))
            db.execute("COMMIT")
        self._run(write)
        if self._files is not None:
            self._files[s.shown] = (s.key, content)

    def forget(self, gone: list[str]) -> None:
        contents = self.files()
        parses = [parse_key(shown, contents[shown][1]) for shown in gone if shown in contents]
        for shown in gone:
            if self._files is not None:
                self._files.pop(shown, None)

        def write(db):
            db.execute("BEGIN")
            db.executemany("DELETE FROM parses WHERE key=?", [(k,) for k in parses])
            for shown in gone:
                db.execute("DELETE FROM files WHERE path=?", (shown,))
                db.execute("DELETE FROM entries WHERE file=?", (shown,))
                db.execute("DELETE FROM dups WHERE file=? OR other=?", (shown, shown))
            db.execute("COMMIT")
        self._run(write)

    def ids_in(self, shown: str) -> list[str] | None:
        """The ids of the entries the index holds for the file ``shown`` (each row checked
        against its digest, its id against its text); None when the file is unknown or was
        damaged when read."""
        def read(db):
            row = db.execute("SELECT unsafe FROM files WHERE path=?", (shown,)).fetchone()
            if row is None or row[0] != 0:
                return None
            ids = []
            for entry_id, data, total in db.execute("SELECT id, data, sum FROM entries WHERE file=?", (shown,)):
                if type(data) is not str or type(entry_id) is not str or total != _sum("entry", data) \
                        or f'"id":{json.dumps(entry_id, ensure_ascii=False)}' not in data:
                    return None
                ids.append(entry_id)
            return ids
        return self._run(read)

    def file_of(self, entry_id: str) -> str | None:
        """The first file (in book order) whose entries the index holds ``entry_id``."""
        row = self._run(lambda db: db.execute("SELECT file FROM entries WHERE id=? ORDER BY day, file LIMIT 1", (entry_id,)).fetchone())
        return row[0] if row and type(row[0]) is str else None

    def put_check(self, name: str, value) -> None:
        """Keep a check's record (see `checkmemo`); records whose snapshot is gone go."""
        self.put_memo(name, [], value)
        self._run(lambda db: db.execute("DELETE FROM memos WHERE name LIKE 'check:%' AND substr(name, 7, 64) NOT IN "
                                        "(SELECT key FROM snapshots)"))

    def unsafe_files(self) -> list[str]:
        return self._run(lambda db: [r[0] for r in db.execute("SELECT path FROM files WHERE unsafe=1")], [])

    def _entry(self, row):
        """An entry of the index, checked against its digest and re-validated."""
        if row is None:
            return None
        data, total = row
        try:
            if type(data) is not str or total != _sum("entry", data):
                raise ValueError("digest")
            return decode(data)
        except ValueError:
            self.drop()
            raise CacheDamaged(self.path.parent) from None

    # -- finished reports, with what they read -------------------------------------------
    def memo(self, name: str, types: tuple[type, ...] = ()):
        """(what the report read, the report) as stored; None when absent or damaged."""
        row = self._run(lambda db: db.execute("SELECT data, sum FROM memos WHERE name=?", (name,)).fetchone())
        if not row:
            return None
        try:
            if type(row[0]) is not str or row[1] != _sum("memo", name, row[0]):
                raise ValueError("digest")
            reads, value = decode(row[0], types)
            if type(reads) is not list or not all(type(r) is tuple and len(r) == 3 and all(type(x) is str for x in r) for r in reads):
                raise ValueError("reads")
            return reads, value
        except ValueError:
            self._run(lambda db: db.execute("DELETE FROM memos WHERE name=?", (name,)))
            return None

    def put_memo(self, name: str, reads: list[tuple[str, str, str]], value, types: tuple[type, ...] = ()) -> None:
        try:
            data = encode([[tuple(r) for r in reads], value], types)
        except TypeError:
            return  # not a value the cache can store: computed each time
        self._run(lambda db: db.execute("INSERT OR REPLACE INTO memos VALUES (?,?,?)", (name, data, _sum("memo", name, data))))

    # -- the policy, by the digest of policies.toml's bytes -----------------------------
    def policy(self, file_digest: str):
        """The policy validated before from bytes with this digest (`policyfile.read_policy`)."""
        from ..core.policy import Policy

        found = self.memo(f"policy:{file_digest}")
        return found[1] if found is not None and type(found[1]) is Policy else None

    def put_policy(self, file_digest: str, policy) -> None:
        self.put_memo(f"policy:{file_digest}", [], policy)

    # -- snapshots --------------------------------------------------------------------
    def snapshots(self) -> list[tuple[dt.date, str]]:
        rows = self._run(lambda db: db.execute("SELECT upto, key FROM snapshots ORDER BY upto DESC").fetchall(), [])
        out = []
        for u, k in rows:
            try:
                out.append((dt.date.fromisoformat(u), k))
            except (TypeError, ValueError):
                continue
        return out

    def load_snapshot(self, upto: dt.date, key: str, names) -> dict | None:
        """The snapshot's fields, each a function that decodes its part on first use (most
        commands read the balances and a few small fields, not every deposit held); None when
        the snapshot is not stored under ``key``, or it or any of its parts fails its digest
        (then it is dropped)."""
        def read(db):
            row = db.execute("SELECT data, sum FROM snapshots WHERE upto=? AND key=?", (upto.isoformat(), key)).fetchone()
            if row is None:
                return None
            try:
                if row[1] != _sum("snapshot", upto.isoformat(), key, row[0]):
                    raise ValueError("digest")
                parts = json.loads(row[0])
                if type(parts) is not dict or set(parts) != set(names) or not all(type(h) is str for h in parts.values()):
                    raise ValueError("fields")
                wanted = sorted(set(parts.values()))
                texts = dict(db.execute(f"SELECT hash, data FROM parts WHERE hash IN ({','.join('?' * len(wanted))})", wanted))
                if set(texts) != set(wanted) or not all(type(t) is str and hashlib.sha256(t.encode()).hexdigest() == h
                                                        for h, t in texts.items()):
                    raise ValueError("parts")
            except ValueError:
                db.execute("DELETE FROM snapshots WHERE upto=?", (upto.isoformat(),))
                return None
            return {name: _Part(texts[h], h, self.path.parent) for name, h in parts.items()}
        return self._run(read)

    def save_snapshot(self, upto: dt.date, key: str, state) -> None:
        """Store ``state`` as it is after the files named by ``key`` (see `chain`). Each field is
        a part stored once under its digest, so what did not change (most of the book: every
        deposit ever held) is shared with earlier snapshots, not written again."""
        from .snapshot import snapshot_fields

        def write(db):
            parts = {}
            for name, value in snapshot_fields(state, keep_unread=True).items():
                if isinstance(value, _Part):  # never read: as it was (put back if pruned meanwhile)
                    parts[name] = (value.hash, value.text)
                else:
                    text = encode(value)
                    parts[name] = (hashlib.sha256(text.encode()).hexdigest(), text)
            names = json.dumps({name: h for name, (h, _) in parts.items()}, sort_keys=True)
            db.execute("BEGIN")
            db.executemany("INSERT OR IGNORE INTO parts VALUES (?,?)", [p for p in parts.values() if p[1] is not None])
            db.execute("INSERT OR REPLACE INTO snapshots VALUES (?,?,?,?)", (upto.isoformat(), key, names, _sum("snapshot", upto.isoformat(), key, names)))
            # keep month ends and the latest few, and the parts they use
            rows = []
            for (u,) in db.execute("SELECT upto FROM snapshots ORDER BY upto DESC"):
                try:
                    rows.append(dt.date.fromisoformat(u))
                except (TypeError, ValueError):
                    db.execute("DELETE FROM snapshots WHERE upto=?", (u,))
            # the last snapshot of each month stands for its end (a month's last day file is often not
            # its last calendar day: a weekend, a holiday), where a report over a later range starts
            month_ends: dict[tuple[int, int], dt.date] = {}
            for d in rows:
                month_ends[(d.year, d.month)] = max(d, month_ends.get((d.year, d.month), d))
            keep = set(rows[:4]) | set(month_ends.values())
            for d in rows:
                if d not in keep:
                    db.execute("DELETE FROM snapshots WHERE upto=?", (d.isoformat(),))
            used = set()
            for (data,) in db.execute("SELECT data FROM snapshots"):
                try:
                    found = json.loads(data)
                except (TypeError, ValueError):
                    continue
                if isinstance(found, dict):
                    used.update(h for h in found.values() if isinstance(h, str))
            db.executemany("DELETE FROM parts WHERE hash=?", [(h,) for (h,) in db.execute("SELECT hash FROM parts").fetchall() if h not in used])
            db.execute("COMMIT")
        try:
            self._run(write)
        except TypeError:  # a value the codec does not know (raised before BEGIN): no snapshot
            pass

    # -- look-ups the rules need, limited to days up to a snapshot -----------------------
    def indexes(self, upto: dt.date | None) -> dict[str, "Layered"]:
        limit = upto.isoformat() if upto else "0000-00-00"

        def one(sql, key_fn=lambda k: (k,)):
            def fetch(key):
                row = self._run(lambda db: db.execute(sql, (*key_fn(key), limit)).fetchone())
                return row[0] if row else None
            return fetch

        def entry(key):
            return self._entry(self._run(lambda db: db.execute(
                "SELECT data, sum FROM entries WHERE id=? AND day<=? ORDER BY day LIMIT 1", (key, limit)).fetchone()))

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


def parse_key(shown: str, content: str) -> str:
    """A parse is valid for a file's bytes under its name (problems name the file)."""
    return hashlib.sha256(f"{shown}\0{content}".encode()).hexdigest()


def decode_day(text: str, path: Path, day: dt.date | None, raw: bytes):
    """The `DayFile` `encode_day` stored, every entry re-validated; ValueError if it is not one."""
    from ..core.entries import EntryBase
    from ..core.problems import Problem as P
    from .journal import DayFile

    value = decode(text)
    if type(value) is not list or len(value) != 3:
        raise ValueError("not a day file")
    entries, lines, problems = value
    if (type(entries) is not list or not all(isinstance(e, EntryBase) for e in entries) or type(lines) is not dict
            or not all(type(k) is str and type(v) is int for k, v in lines.items()) or type(problems) is not list
            or not all(type(p) is P for p in problems)):
        raise ValueError("not a day file")
    return DayFile(path=path, day=day, entries=entries, lines=lines, problems=problems, raw=raw)


def _entry_row(shown: str, e, data: str | None = None) -> tuple:
    """The index row of entry ``e`` of the file ``shown`` (``data``: ``encode(e)``, if made already)."""
    data = encode(e) if data is None else data
    return (e.id, e.date.isoformat(), shown, _cheque_key(e), _doc_key(e), data, _sum("entry", data))


class _Part:
    """One field of a snapshot, its text checked already, decoded when called (see
    `snapshot.SnapshotState`)."""

    __slots__ = ("text", "hash", "folder")

    def __init__(self, text: str, hash: str, folder: Path):
        self.text, self.hash, self.folder = text, hash, folder

    def __call__(self):
        try:
            return decode(self.text)
        except ValueError:  # text that matches its digest yet does not decode: not this code's
            raise CacheDamaged(self.folder) from None


def _cheque_key(entry) -> str | None:
    if entry.kind in ("payment", "withdrawal", "cheque-spoiled") and getattr(entry, "cheque", ""):
        return f"{entry.account}\0{entry.cheque}"
    return None


def _doc_key(entry) -> str | None:
    from ..core.entries import RECEIPT_KINDS

    if entry.kind in RECEIPT_KINDS and getattr(entry, "doc", ""):
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
