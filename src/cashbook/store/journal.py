"""Day journal files: ``journals/YYYY/YYYY-MM-DD.toml``, entries as ``[[entry]]`` tables.

`read_day` parses one file and reports every problem in it (``file:line: code:
message``), not only the first. `entry_text` renders one entry in the canonical
layout cashbook writes; `append_entry` adds it atomically.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w
from pydantic import ValidationError

from ..core.entries import KINDS, EntryBase
from ..core.problems import Problem
from .canonical import read_canonical
from .files import atomic_write, read_regular
from .tomlmap import key_lines, line_of

DAY_FILE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.toml$")
HEADER = "# cashbook day journal {date}: entries are appended; correct by `cashbook void`, never by editing.\n"

#: The file problems that make the book unsafe to extend (an id could be reused, a balance
#: could be wrong): recording, and the reports that read such a file, stop until it is fixed.
UNREADABLE = frozenset({"toml-syntax", "bad-encoding", "unreadable", "duplicate-id", "unknown-kind", "missing-field",
                        "bad-amount", "bad-field", "wrong-day"})

AMOUNT_FIELDS = {"amount", "returned", "spent", "total", "book_balance", "counted"}


@dataclass
class DayFile:
    """What one day file holds: its entries (valid ones), their lines, and its problems."""

    path: Path
    day: dt.date | None
    entries: list[EntryBase] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # entry id -> line of its [[entry]]
    problems: list[Problem] = field(default_factory=list)
    raw: bytes = b""
    texts: list[str] | None = None  # each entry as the cache stores it, when a parsing worker encoded them
    unread: bool = False  # the file could not be read at all (``raw`` is empty for want of bytes, not an empty file)


def day_path(root: Path, day: dt.date) -> Path:
    return root / "journals" / f"{day:%Y}" / f"{day:%Y-%m-%d}.toml"


def journals_of(day_file: Path) -> Path:
    """The journals folder a day file (``ROOT/journals/YYYY/YYYY-MM-DD.toml``) belongs to: its
    writes stay inside it (journals/ itself may be a link, to keep the journals on another disk)."""
    return day_file.parent.parent


def day_of(path: Path | str) -> dt.date | None:
    """The day a file name stands for (``YYYY-MM-DD.toml``), else None."""
    name = path if isinstance(path, str) else path.name
    if len(name) != 15 or not DAY_FILE.match(name):
        return None
    try:
        return dt.date(int(name[:4]), int(name[5:7]), int(name[8:10]))
    except ValueError:
        return None


def name_problem(path: Path | str, shown: str) -> Problem | None:
    """The `bad-file-name` of a file under journals/, from its path alone (no reading): a
    name that is no real day, or a day file outside its year's folder. Such a file is never
    read as part of the book, so recording waits until it is renamed (an entry in it would be lost)."""
    folder, name = os.path.split(os.fspath(path))
    day = day_of(name)
    if day is None:
        return Problem("bad-file-name", "a day journal is named YYYY-MM-DD.toml with a real date (e.g. 2026-09-01.toml)", file=shown)
    if os.path.basename(folder) != name[:4]:
        return Problem("bad-file-name", f"a day journal for {day} belongs in journals/{day:%Y}/", file=shown)
    return None


def parse_day(path: Path, data: bytes, shown: str | None = None) -> DayFile:
    """Parse the bytes of one day file; never raises for bad content."""
    shown = shown or str(path)
    day = day_of(path)
    out = DayFile(path=path, day=day, raw=data)

    def problem(code: str, message: str, line: int | None = None, entry_id: str | None = None) -> None:
        out.problems.append(Problem(code, message, file=shown, line=line, entry_id=entry_id))

    bad_name = name_problem(path, shown)
    if bad_name:
        out.problems.append(bad_name)
    if day is None:
        return out
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = " (it looks GBK/GB18030-encoded: convert it with `iconv -f GB18030 -t UTF-8`)"
        except UnicodeDecodeError:
            pass
        problem("bad-encoding", f"journal files are UTF-8; byte {exc.start} is not valid UTF-8{hint}", line)
        return out
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        problem("bad-encoding", "the file contains a NUL byte; journal files are plain UTF-8 text", text[: text.index("\x00")].count("\n") + 1)
        return out
    canonical = read_canonical(text)  # the layout cashbook writes, read fast; else tomllib
    if canonical is not None:
        doc, lines = canonical
    else:
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"line (\d+)", str(exc))
            problem("toml-syntax", f"not valid TOML: {exc}; fix the line by hand or restore the file from git", int(m[1]) if m else None)
            return out
        except RecursionError:
            problem("toml-syntax", "not valid TOML: nesting too deep")
            return out
        except ValueError as exc:  # tomllib lets some value errors through (a 5000-digit integer, year 0)
            problem("toml-syntax", f"not valid TOML: {exc}")
            return out
        lines = key_lines(text)
    for key in doc:
        if key != "entry":
            problem("bad-field", f"unexpected top-level key {key!r}; a day journal holds only [[entry]] tables", line_of(lines, (key,)))
    raw_entries = doc.get("entry", [])
    if not isinstance(raw_entries, list):
        problem("bad-field", "`entry` must be an array of tables written [[entry]]", line_of(lines, ("entry",)))
        return out
    for i, raw in enumerate(raw_entries):
        at = line_of(lines, ("entry", i))
        if not isinstance(raw, dict):
            problem("bad-field", "each entry must be a [[entry]] table", at)
            continue
        eid = raw.get("id") if isinstance(raw.get("id"), str) else None
        kind = raw.get("kind")
        if kind is None:
            problem("missing-field", f"entry has no `kind`; one of: {', '.join(KINDS)}", at, eid)
            continue
        model = KINDS.get(kind) if isinstance(kind, str) else None
        if model is None:
            problem("unknown-kind", f"unknown kind {kind!r}; one of: {', '.join(KINDS)}", line_of(lines, ("entry", i, "kind")) or at, eid)
            continue
        try:
            entry = model.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                loc = err["loc"]
                name = str(loc[0]) if loc else ""
                where = line_of(lines, ("entry", i, name)) or at
                if err["type"] == "missing":
                    problem("missing-field", f"{kind} entry needs `{name}`", at, eid)
                elif name in AMOUNT_FIELDS:
                    problem("bad-amount", f"`{name}`: {_clean(err['msg'])}", where, eid)
                elif err["type"] == "extra_forbidden":
                    problem("bad-field", f"unknown field `{name}` for a {kind} entry", where, eid)
                else:
                    problem("bad-field", f"`{'.'.join(str(x) for x in loc)}`: {_clean(err['msg'])}", where, eid)
            continue
        if entry.id in out.lines:
            problem("duplicate-id", f"id {entry.id} is used twice in this file (first at line {out.lines[entry.id]})", at, entry.id)
            continue
        if entry.date != day:
            problem("wrong-day", f"entry dated {entry.date} is in the file for {day}; it belongs in {day_path(Path('journals').parent, entry.date).as_posix()}", line_of(lines, ("entry", i, "time")) or at, entry.id)
            continue
        out.entries.append(entry)
        out.lines[entry.id] = at or 0
    return out


def _clean(msg: str) -> str:
    return msg.removeprefix("Value error, ")


def read_day(path: Path, shown: str | None = None) -> DayFile:
    try:
        data = read_regular(path, "journal", inside=_journals_above(path))
    except OSError as exc:
        out = DayFile(path=path, day=day_of(path), unread=True)
        out.problems.append(Problem("unreadable", f"cannot read the file: {exc.strerror}", file=shown or str(path)))
        return out
    return parse_day(path, data, shown)


def _journals_above(path: Path) -> Path | None:
    """The ``journals`` folder a file under it belongs to (a link in it may not lead out)."""
    for folder in Path(path).parents:
        if folder.name == "journals":
            return folder
    return None


def entry_text(entry: EntryBase) -> str:
    """One entry in the canonical layout: a ``[[entry]]`` header and ``key = value`` lines."""
    return table_text("entry", entry.to_record())


def table_text(name: str, row: dict) -> str:
    """One ``[[name]]`` table. Written by hand around tomli_w's key = value lines: tomli_w
    would render a short row as an inline ``name = [{...}]`` array, which appended after
    other tables would silently become a key of the last one."""
    body = tomli_w.dumps(row)
    return f"[[{name}]]\n" + (body if body.endswith("\n") else body + "\n")


def append_entry(path: Path, entry: EntryBase) -> int:
    """Append ``entry`` to its day file atomically (the caller holds the book lock);
    returns the line of its ``[[entry]]`` header."""
    try:
        old = read_regular(path, "journal")
    except FileNotFoundError:
        old = HEADER.format(date=entry.date).encode()
    except OSError as exc:
        from ..core.problems import CashbookError, Problem

        raise CashbookError(Problem("write-failed", f"cannot read {path} to append to it: {exc.strerror}; nothing was written")) from None
    sep = b"" if not old or old.endswith(b"\n\n") else (b"\n" if old.endswith(b"\n") else b"\n\n")
    prefix = old + sep
    atomic_write(path, prefix + entry_text(entry).encode("utf-8"), inside=journals_of(path))
    return prefix.count(b"\n") + 1


def seal_day(path: Path, make_close) -> EntryBase:
    """Append the day-close record: ``make_close(digest)`` builds it from the digest of
    the file's bytes as they stand before the record (what `verify_seals` recomputes)."""
    old = read_regular(path, "journal")
    sep = b"" if old.endswith(b"\n\n") else (b"\n" if old.endswith(b"\n") else b"\n\n")
    prefix = old + sep
    from ..core.close import file_digest

    entry = make_close(file_digest(prefix))
    atomic_write(path, prefix + entry_text(entry).encode("utf-8"), inside=journals_of(path))
    return entry
