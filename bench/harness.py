"""One CLI runner and one kill harness, shared by the tests (tests/conftest.py imports this file)
and by bench/soak.py, so that the suite and the soak judge an outcome the same way.

- ``invoke(*args, book=...)`` runs ``cashbook ARGS`` in this process, through the same entry point
  and error boundary as the console script (stdout has a ``.buffer``, as a real one has);
  ``run_cli`` runs it as a real subprocess; ``run_bytes`` passes arguments that are not UTF-8.
- ``contract_breach(r)`` is the one rule for any input: exit 0, 1 or 2 and never a traceback or an
  ``internal error``. It returns a short signature of the breach, or None.
- ``snap`` / ``tmp_leftovers``: what a refusal must leave unchanged, and what a writer must not leave.
- ``DRIVER`` / ``start_writer`` / ``kill_at_random``: a writer process that loops over the CLI
  entry point and prints each acknowledged piece of work; SIGKILL at a random instant; what it
  printed and which of its processes outlived it.

Nothing here imports cashbook at module level: the caller puts its sources first on the path.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

NOW = "2026-11-20T10:00:00+08:00"  # a fixed clock for every command: nothing depends on the real date
# problems that mean "this file cannot be trusted": recording must stop (README, "The book on disk")
FILE_ERRORS = {"toml-syntax", "bad-encoding", "unreadable", "duplicate-id", "unknown-kind", "missing-field",
               "bad-amount", "bad-field", "wrong-day"}


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


def _stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="surrogateescape", newline="", write_through=True)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8", "replace")


def invoke(*args: str, book: Path | None = None, env: dict | None = None) -> Result:
    """Run `cashbook ARGS` in this process. An exception that escapes the CLI's own error boundary
    becomes exit 99 and a 'Traceback' line, so that every caller counts it as a breach; a
    BaseException that is not an Exception (a caller's alarm, Ctrl-C) goes through."""
    from cashbook.cli import common
    from cashbook.cli.main import run

    common.Session.now = common.Session.book = None
    common.Session.format = "table"
    old_argv = sys.argv
    old_env = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    sys.argv = ["cashbook", *args] + (["--book", str(book)] if book is not None else [])
    out, err = _stream(), _stream()
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                run()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except Exception as exc:  # the error boundary itself let something through
                code = 99
                err.write(f"Traceback (escaped the boundary): {type(exc).__name__}: {exc}")
    finally:
        sys.argv = old_argv
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return Result(code, _text(out), _text(err))


def run_cli(*args: str, book: Path | None = None, env: dict | None = None, timeout: float = 120) -> Result:
    """Run `cashbook ARGS` in a real subprocess."""
    full_env = {**os.environ, "CASHBOOK_NOW": NOW, "COLUMNS": "200", **(env or {})}
    cmd = [sys.executable, "-m", "cashbook", *args]
    if book is not None:
        cmd += ["--book", str(book)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=timeout)
    return Result(p.returncode, p.stdout, p.stderr)


def run_bytes(args: list[bytes], book: Path, timeout: float = 120) -> Result:
    """A real subprocess with arguments that need not be UTF-8 (argv holds bytes, never NUL)."""
    env = {**os.environ, "CASHBOOK_NOW": NOW, "COLUMNS": "200"}
    env.pop("CASHBOOK_DEBUG", None)
    p = subprocess.run([sys.executable.encode(), b"-m", b"cashbook", *args, b"--book", bytes(book)],
                       capture_output=True, env=env, timeout=timeout)
    return Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


def contract_breach(r: Result) -> str | None:
    """None when the outcome keeps the contract for any input (exit 0, 1 or 2, no traceback, no
    internal error); else a short signature of the breach, digits folded so that alike ones group."""
    text = r.out + r.err
    if r.code not in (0, 1, 2) or "Traceback" in text:
        return f"exit {r.code} / traceback"
    if "internal error" in r.err:
        m = re.search(r"internal error: (\w+): (.{0,80})", r.err)
        return f"internal error: {m[1]}: {re.sub(r'[0-9]+', 'N', m[2])}" if m else "internal error"
    return None


# raw control characters a table or CSV must never print (a newline ends a line, a tab is a tab;
# a CSV line may end in CR; ESC, BEL, backspace, DEL, C1 and bidi overrides are shown escaped)
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def snap(root: Path) -> dict[str, object]:
    """Every file and symlink of a book, with contents; not the lock or the disposable cache."""
    out: dict[str, object] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        rel_folder = Path(folder).relative_to(root)
        if rel_folder.parts[:1] == (".cashbook",):
            continue
        for name in dirs + files:
            p = Path(folder) / name
            rel = str(rel_folder / name)
            if name == ".cashbook.lock" or rel == ".cashbook":
                continue
            if p.is_symlink():
                out[rel] = ("symlink", os.readlink(p))
            elif p.is_dir():
                continue  # an empty folder left by a refused write is not data
            elif p.is_file():
                try:
                    out[rel] = p.read_bytes()
                except OSError as exc:
                    out[rel] = ("unreadable", exc.errno)
            else:
                out[rel] = ("special", p.stat().st_mode)
    return out


def tmp_leftovers(root: Path) -> list[str]:
    return [str(p) for p in root.rglob(".*.tmp")]


def build_template(root: Path, call=invoke) -> dict[str, str]:
    """A small, realistic book: Nov 1 sealed, Nov 2 open with every kind of entry. Returns the ids."""
    ids: dict[str, str] = {}
    env = {"CASHBOOK_NOW": NOW}
    r = call("init", str(root), env=env)
    assert r.code == 0, (r.out, r.err)

    def ok(*a):
        r = call(*a, book=root, env=env)
        assert r.code == 0, (a, r.out, r.err)
        return r

    ok("opening", "cash", "1500", "--date", "2026-11-01")
    ok("opening", "bank", "50000", "--date", "2026-11-01")
    ok("count", "2026-11-01", "100x15")
    ok("close", "day", "2026-11-01")
    d = ("--date", "2026-11-02", "--format", "json")
    ids["receipt"] = ok("receive", "1200", "--from", "张三家具", "--category", "rent", "--doc", "SJ0001", *d).json["id"]
    ids["payment"] = ok("pay", "80", "--to", "邮局", "--category", "postage", "--approved-by", "gm:王总", *d).json["id"]
    ids["deposit"] = ok("bank-deposit", "1200", "--account", "bank", *d).json["id"]
    ids["advance"] = ok("advance", "300", "--to", "李四", "--purpose", "trip", "--due", "2026-11-30", "--approved-by", "gm:王总",
                        "--approved-by", "dept-head:赵", *d).json["id"]
    ids["hold"] = ok("hold-deposit", "500", "--from", "红星", "--type", "site", "--doc", "SJ0002", *d).json["id"]
    ids["permit"] = ok("hold-deposit", "--from", "红星", "--type", "construction-permit", "--units", "2", *d).json["id"]
    return ids


# -- the kill harness ---------------------------------------------------------------------------

# A writer: runs the real CLI entry point in a loop (one process, so a kill lands in the middle of
# the work rather than in Python's start-up) and prints what it was told succeeded.
DRIVER = textwrap.dedent('''
    import contextlib, io, json, sys
    from cashbook.cli import common
    from cashbook.cli.main import run
    book, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]

    def call(*a):
        common.Session.now = common.Session.book = None
        common.Session.format = "table"
        sys.argv = ["cashbook", *a, "--book", book]
        out = io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            try:
                run()
            except SystemExit as exc:
                code = exc.code
        return code, out.getvalue()

    print("ready", flush=True)
    if mode == "append":
        tag, n = args[0], int(args[1])
        for i in range(n):
            code, out = call("receive", "1.00", "--from", f"{tag}-{i}", "--category", "rent", "--account", "bank",
                             "--method", "transfer", "--date", "2026-11-05", "--format", "json")
            if code != 0:
                print("FAILED", code, out.replace("\\n", " ")[:500], flush=True)
                sys.exit(3)
            print("id", json.loads(out)["id"], flush=True)
    elif mode == "close":
        for day in args:
            code, out = call("count", day, "100x15")
            if code == 2:
                continue  # sealed already (a kill after the seal, before our print)
            code, out = call("close", "day", day, "--format", "json")
            if code == 0 and json.loads(out)["sealed"]:
                print("sealed", day, flush=True)
            else:
                print("FAILED", code, out.replace("\\n", " ")[:500], flush=True)
                sys.exit(3)
    elif mode == "import":
        for f in args:
            code, out = call("bank", "import", f, "--account", "bank", "--output-format", "json")
            if code != 0:
                print("FAILED", code, out.replace("\\n", " ")[:500], flush=True)
                sys.exit(3)
            print("imported", f, json.loads(out)["added"], flush=True)
''')


def start_writer(book: Path, mode: str, *args: str, now: str | None = None) -> subprocess.Popen:
    """A DRIVER process (append TAG N | close DAY... | import FILE...) in its own process group."""
    env = {**os.environ, "CASHBOOK_NOW": now or os.environ.get("CASHBOOK_NOW", NOW)}
    env.pop("CASHBOOK_DEBUG", None)
    return subprocess.Popen([sys.executable, "-c", DRIVER, str(book), mode, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)


def process_group(pgid: int) -> list[int]:
    """Live processes of a process group (a killed writer's pool workers would show here)."""
    out = []
    for d in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


@dataclass
class Killed:
    lines: list[str]  # what the writer printed before it died
    err: str
    failed: list[str] = field(default_factory=list)  # its "FAILED ..." lines: work refused after an earlier kill
    orphans: int = 0  # processes of its group that outlived it (then killed by us)
    started: bool = True


def kill_at_random(p: subprocess.Popen, rng: random.Random, upto: float, timeout: float = 120) -> Killed:
    """Let the writer start, SIGKILL it (the writer only, as a crash or `kill -9 PID` would) a random
    instant into its work; then clean up whatever of its group survived, and say what it printed."""
    first = p.stdout.readline().strip()
    if first != "ready":
        out, err = p.communicate(timeout=timeout)
        return Killed([], err[-3000:], started=False)
    time.sleep(rng.uniform(0, upto))
    p.send_signal(signal.SIGKILL)
    p.wait()
    time.sleep(0.2)
    left = process_group(p.pid)
    if left:
        with contextlib.suppress(OSError):
            os.killpg(p.pid, signal.SIGKILL)
    out, err = p.communicate(timeout=timeout)
    lines = out.splitlines()
    return Killed(lines, err, [l for l in lines if l.startswith("FAILED")], len(left))


def ids_in(path: Path) -> list[str]:
    """The entry ids of a day file, in file order."""
    if not path.exists():
        return []
    return [e["id"] for e in tomllib.loads(path.read_text(encoding="utf-8")).get("entry", [])]
