#!/usr/bin/env python3
"""Time cashbook against ledger, hledger and beancount on the same generated data.

    python bench/run.py [--sizes 10000,100000,1000000] [--repeats 5] [--timeout 300]
                        [--seed 1] [--data bench/data] [--only REGEX] [--results bench/RESULTS.md]

For each size it generates (or reuses) ``bench/data/n<SIZE>-s<SEED>/`` with ``bench/generate.py``,
then times, one command at a time, each ``--repeats`` times: the median wall time and the
largest peak resident memory (``ru_maxrss`` of that child, from ``os.wait4``) over the runs.
A command whose run passes ``--timeout`` seconds is killed and not repeated; it is shown as
a timeout in the table and skipped at the larger sizes. Another tool's command is also skipped
(and the table says so) where its time at the previous size, scaled by the size ratio, passes
that bound; cashbook's own rows always run. Every command runs with
``CASHBOOK_NOW`` fixed at the evening of the data's last day, ``LC_ALL=C.UTF-8``, output to
/dev/null, and the real scripts next to this Python (not pyenv shims).

Writes ``bench/RESULTS.md`` (machine, versions, the table, the ratios the issue asks for and
whether each target is met) and ``bench/data/results.json`` (every run). See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py)

BIN = Path(sys.executable).parent


def tool(name: str) -> str | None:
    """The real script next to this interpreter (a pyenv shim adds ~50 ms), else PATH."""
    local = BIN / name
    if local.exists():
        return str(local)
    return shutil.which(name)


def label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


# -- measuring one child ---------------------------------------------------------------
@dataclass
class Run:
    seconds: float
    peak_mb: float
    rc: int
    timed_out: bool = False
    err: str = ""


def run_once(cmd: list[str], env: dict, timeout: float | None, cwd: str | None = None) -> Run:
    """Wall time and peak RSS of one child (and its own children it waited for)."""
    with tempfile.TemporaryFile() as errf:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errf, env=env, cwd=cwd,
                             start_new_session=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            if timer:
                timer.cancel()
        seconds = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        errf.seek(0)
        err = errf.read()[-2000:].decode("utf-8", "replace")
    return Run(round(seconds, 4), round(usage.ru_maxrss / 1024, 1), p.returncode, killed.is_set(), err)


@dataclass
class Result:
    """A command at one size: its runs and how it went."""

    status: str  # ok | timeout | skipped | missing | error
    runs: list[Run] = field(default_factory=list)
    note: str = ""
    cmd: list[str] = field(default_factory=list)
    ok_codes: tuple[int, ...] = (0,)

    @property
    def seconds(self) -> float | None:
        good = [r.seconds for r in self.runs if not r.timed_out]
        return statistics.median(good) if good and self.status in ("ok", "error") else None

    @property
    def peak_mb(self) -> float | None:
        good = [r.peak_mb for r in self.runs if not r.timed_out]
        return max(good) if good and self.status in ("ok", "error") else None

    def as_json(self) -> dict:
        return {"status": self.status, "seconds": self.seconds, "peak_mb": self.peak_mb, "note": self.note,
                "cmd": self.cmd, "runs": [asdict(r) for r in self.runs]}


def measure(cmd: list[str], env: dict, repeats: int, timeout: float, ok_codes=(0,),
            setup=None, log=print, warmup: bool = False) -> Result:
    """``repeats`` runs; ``setup(i)`` (untimed) may return a replacement command and a clean-up.
    With ``warmup``, one untimed run first (a "warm" command is the second run)."""
    res = Result("ok", cmd=cmd, ok_codes=tuple(ok_codes))
    if warmup:
        w = run_once(cmd, env, timeout)
        log(f"    warm-up (untimed): {w.seconds:.3f} s, exit {w.rc}" + (" TIMEOUT" if w.timed_out else ""))
        if w.timed_out:
            res.status, res.note = "timeout", f"warm-up run killed after {timeout:g} s"
            res.runs.append(w)
            return res
    for i in range(repeats):
        run_cmd, cleanup = cmd, None
        if setup is not None:
            run_cmd, cleanup = setup(i)
        try:
            r = run_once(run_cmd, env, timeout)
        finally:
            if cleanup:
                cleanup()
        res.runs.append(r)
        log(f"    run {i + 1}/{repeats}: {r.seconds:.3f} s, {r.peak_mb:.0f} MB, exit {r.rc}" + (" TIMEOUT" if r.timed_out else ""))
        if r.timed_out:
            res.status = "timeout"
            res.note = f"killed after {timeout:g} s"
            break
        if r.rc not in res.ok_codes:
            res.status = "error"
            tail = [line for line in r.err.strip().splitlines() if line.strip()][-3:]
            res.note = f"exit {r.rc}: " + " / ".join(tail)
    return res


# -- what is measured -------------------------------------------------------------------
CASHBOOK_ROWS = [
    ("cb-check-cold", "cashbook check, cold (no cache)"),
    ("cb-check-warm", "cashbook check, warm (second run)"),
    ("cb-month", "cashbook report month (middle month)"),
    ("cb-balances", "cashbook report balances"),
    ("cb-day", "cashbook report day (last day)"),
    ("cb-append", "cashbook receive: one append (in place, warm cache)"),
    ("cb-check-append", "cashbook check after one append (warm cache)"),
    ("cb-journal-range", "cashbook report journal --account cash --from <last month's start>"),
    ("cb-report-append", "first report after one append: report day (last day)"),
]
OTHER_ROWS = [
    ("ledger-bal", "ledger bal"),
    ("ledger-reg", "ledger reg (to /dev/null)"),
    ("hledger-bal", "hledger bal"),
    ("hledger-bal-M", "hledger bal -M"),
    ("bean-check", "bean-check, cold (BEANCOUNT_DISABLE_LOAD_CACHE=1)"),
    ("bean-check-warm", "bean-check, warm (beancount's pickle cache)"),
    ("bean-query", "bean-query: month total by account (warm)"),
]
REFERENCE_ROWS = [
    ("cb-help", "cashbook --help"),
    ("typer-help", "baseline Typer app --help"),
    ("typer-noop", "baseline Typer app, do-nothing command"),
    ("cb-append-empty", "cashbook receive on an empty book"),
]


def now_for(last_day: str) -> str:
    return f"{last_day}T18:00:00{generate.OFFSET}"


def append_argv(cashbook: str, day: str, book: Path) -> list[str]:
    """The benchmark's append: one receipt dated ``day`` (the data's last day) into ``book``."""
    return [cashbook, "receive", "1", "--from", "基准测试", "--category", "rent", "--date", day, "--book", str(book)]


def baseline(*args: str) -> list[str]:
    """The do-nothing Typer app (`typer_baseline.py`) with ``args``."""
    return [sys.executable, str(HERE / "typer_baseline.py"), *args]


def base_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASHBOOK_")}
    env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8", PYTHONDONTWRITEBYTECODE="1", COLUMNS="120")
    return env


def compile_cashbook(env: dict) -> str:
    """Byte-compile the cashbook package the runs import, as installing it from a wheel does:
    an editable checkout run with PYTHONDONTWRITEBYTECODE=1 (as every run here is) would
    otherwise compile its modules from source on every start, which the Typer baseline
    (installed, compiled) never does. Returns the package folder."""
    found = subprocess.run([sys.executable, "-c", "import cashbook, os; print(os.path.dirname(cashbook.__file__))"],
                           capture_output=True, text=True, env=env)
    folder = found.stdout.strip()
    if found.returncode == 0 and folder:
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder], capture_output=True, env=env)
    return folder


def has_no_cache(cashbook: str, env: dict) -> bool:
    out = subprocess.run([cashbook, "check", "--help"], capture_output=True, text=True, env=env)
    return "--no-cache" in out.stdout


class Bench:
    def __init__(self, args):
        self.args = args
        self.cashbook = tool("cashbook")
        self.ledger = shutil.which("ledger")
        self.hledger = shutil.which("hledger")
        self.bean_check = tool("bean-check")
        self.bean_query = tool("bean-query")
        self.env = base_env()
        # cashbook's cache lives in the user's cache folder: keep the runs' caches with the data
        self.env.setdefault("XDG_CACHE_HOME", str(Path(args.data).resolve() / "xdg-cache"))
        self.no_cache = bool(self.cashbook) and has_no_cache(self.cashbook, self.env)
        self.results: dict[str, dict[int, Result]] = {}
        self.data: dict[int, dict] = {}
        self.timed_out_at: dict[str, int] = {}
        self.tmp = Path(args.data) / "tmp"
        self.rx = re.compile(args.only) if args.only else None

    def log(self, text: str) -> None:
        print(text, flush=True)

    def wanted(self, key: str) -> bool:
        return self.rx is None or bool(self.rx.search(key))

    # -- data
    def ensure_data(self, size: int) -> Path:
        out = Path(self.args.data) / f"n{size}-s{self.args.seed}"
        meta_path = out / "meta.json"
        if meta_path.exists():
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("generator") == generate.GENERATOR_VERSION and meta.get("entries") == size and meta.get("metadata", True):
                self.log(f"reusing {out} ({label(size)} entries, generated in {meta['seconds']} s)")
                self.data[size] = meta
                return out
        self.log(f"generating {label(size)} entries into {out} ...")
        r = run_once([sys.executable, str(HERE / "generate.py"), "--entries", str(size), "--out", str(out),
                      "--seed", str(self.args.seed)], self.env, None)
        if r.rc != 0:
            raise SystemExit(f"generate.py failed: {r.err}")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["generation_peak_mb"] = r.peak_mb
        meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.log(f"  generated in {meta['seconds']} s, peak {r.peak_mb:.0f} MB")
        self.data[size] = meta
        return out

    # -- one row at one size
    def row(self, key: str, size: int, cmd: list[str] | None, env: dict, ok_codes=(0,), setup=None, warmup=False) -> None:
        if not self.wanted(key):
            return
        self.log(f"  {key} @ {label(size)}: {' '.join(cmd) if cmd else '-'}")
        if cmd is None or cmd[0] is None:
            res = Result("missing", note="tool not installed")
        elif key in self.timed_out_at and self.timed_out_at[key] < size:
            res = Result("skipped", note=f"timed out at {label(self.timed_out_at[key])}", cmd=cmd)
        elif (guess := self.predicted(key, size)) is not None and guess > self.args.timeout:
            prev, seconds = self.last_measured(key, size)
            res = Result("skipped", note=f"one run at {label(prev)} took {seconds:.1f} s; at {label(size)} that is about "
                                         f"{guess:.0f} s, past the {self.args.timeout:.0f} s bound", cmd=cmd)
        else:
            res = measure(cmd, env, self.args.repeats, self.args.timeout, ok_codes, setup, log=self.log, warmup=warmup)
            if res.status == "timeout":
                self.timed_out_at.setdefault(key, size)
        self.results.setdefault(key, {})[size] = res

    def last_measured(self, key: str, size: int) -> tuple[int, float] | None:
        done = [(s, r.seconds) for s, r in self.results.get(key, {}).items() if s < size and r.seconds is not None]
        return max(done) if done else None

    def predicted(self, key: str, size: int) -> float | None:
        """Seconds one run at ``size`` would take, scaled linearly from the largest smaller size
        (the other tools read the whole journal each time: their time grows with it)."""
        if key.startswith("cb-"):
            return None  # cashbook's rows are the subject: always run (the timeout still applies)
        last = self.last_measured(key, size)
        return last[1] * size / last[0] if last else None

    def copy_setup(self, book: Path, cmd_for, env: dict):
        """Before each run (untimed): a fresh copy of ``book``, warmed by one run of the same command.

        A copy has new inodes and ctimes, which cashbook's cache treats as changed files, so
        the copy starts cold; the warm-up append (the cashier's previous entry) brings the
        cache to the state a book in daily use is in. The timed append is the second one.
        """
        def setup(i: int):
            self.tmp.mkdir(parents=True, exist_ok=True)
            dst = Path(tempfile.mkdtemp(prefix="append-", dir=self.tmp)) / "cashbook"
            shutil.copytree(book, dst, symlinks=True, ignore=shutil.ignore_patterns(".cashbook.lock"))
            w = run_once(cmd_for(dst), env, self.args.timeout)
            self.log(f"    fresh copy, warm-up append (untimed): {w.seconds:.3f} s, exit {w.rc}" + (" TIMEOUT" if w.timed_out else ""))
            return cmd_for(dst), lambda: shutil.rmtree(dst.parent, ignore_errors=True)
        return setup

    def in_place_setup(self, book: Path, day: str, cmd: list, env: dict, timed: list | None = None):
        """Before each run (untimed): the day file put back as generated, then one warm-up
        append (the cashier's previous entry); the run times ``timed`` (default: another
        append). After the run the file is put back again.

        Appending in place keeps the warm cache of the rest of the book, as in daily use
        (a copy of a large book would start cold: new inodes and ctimes). The warm-up's
        amount differs from run to run: the same bytes again would find the cache's record
        of an earlier run's day file (a check after the append would then judge nothing)."""
        path = book / "journals" / day[:4] / f"{day}.toml"
        original = path.read_bytes() if path.exists() else None

        def restore():
            if original is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(original)

        def setup(i: int):
            restore()
            warm = list(cmd)
            if "receive" in warm:
                warm[warm.index("receive") + 1] = f"{i + 1}.00"
            w = run_once(warm, env, self.args.timeout)
            self.log(f"    day file restored, warm-up append (untimed): {w.seconds:.3f} s, exit {w.rc}" + (" TIMEOUT" if w.timed_out else ""))
            return timed or cmd, restore
        return setup

    def run_size(self, size: int) -> None:
        out = self.ensure_data(size)
        meta = self.data[size]
        book = out / "cashbook"
        journal = str(out / "ledger.journal")
        bean = str(out / "book.beancount")
        env = dict(self.env, CASHBOOK_NOW=now_for(meta["last_day"]))
        cb = self.cashbook
        last, month = meta["last_day"], meta["middle_month"]
        cache = book / ".cashbook"

        if any(self.wanted(k) for k, _ in CASHBOOK_ROWS):
            if self.no_cache:
                self.row("cb-check-cold", size, [cb, "check", "--no-cache", "--book", str(book)], env)
            else:
                def drop_cache(i):
                    shutil.rmtree(cache, ignore_errors=True)
                    return [cb, "check", "--book", str(book)], None
                self.row("cb-check-cold", size, [cb, "check", "--book", str(book)], env, setup=drop_cache)
            # make sure the cache is there for the warm check runs (untimed); the other warm rows
            # have their own untimed first run
            if self.wanted("cb-check-warm") or self.wanted("cb-check-append"):
                prime = run_once([cb, "check", "--book", str(book)], env, self.args.timeout)
                self.log(f"  primed the cache: {prime.seconds:.1f} s, exit {prime.rc}" + (" TIMEOUT" if prime.timed_out else ""))
                self.primes = getattr(self, "primes", {})
                self.primes[size] = asdict(prime)
            self.row("cb-check-warm", size, [cb, "check", "--book", str(book)], env)
            self.row("cb-month", size, [cb, "report", "month", month, "--book", str(book)], env, ok_codes=(0, 1), warmup=True)
            self.row("cb-balances", size, [cb, "report", "balances", "--book", str(book)], env, warmup=True)
            self.row("cb-day", size, [cb, "report", "day", last, "--book", str(book)], env, ok_codes=(0, 1), warmup=True)
            append = lambda b: append_argv(cb, last, b)  # noqa: E731
            self.row("cb-append", size, append(book), env, setup=self.in_place_setup(book, last, append(book), env))
            check = [cb, "check", "--book", str(book)]
            self.row("cb-check-append", size, check, env, ok_codes=(0, 1), setup=self.in_place_setup(book, last, append(book), env, timed=check))
            # the cashier's most used report: the cash journal of the month so far (warm: one untimed run first)
            self.row("cb-journal-range", size, [cb, "report", "journal", "--account", "cash", "--from", last[:8] + "01", "--book", str(book)],
                     env, warmup=True)
            # the report right after recording: its first run sees the book just changed (exits 1: the day is open)
            day_report = [cb, "report", "day", last, "--book", str(book)]
            self.row("cb-report-append", size, day_report, env, ok_codes=(0, 1),
                     setup=self.in_place_setup(book, last, append(book), env, timed=day_report))
        self.row("ledger-bal", size, [self.ledger, "-f", journal, "bal"], env)
        self.row("ledger-reg", size, [self.ledger, "-f", journal, "reg"], env)
        self.row("hledger-bal", size, [self.hledger, "-f", journal, "bal"], env)
        self.row("hledger-bal-M", size, [self.hledger, "-f", journal, "bal", "-M"], env)
        # beancount keeps a pickle of the parsed file next to it (.book.beancount.picklecache) and reuses it
        # while the file is unchanged: bean-check cold runs without it, the warm row and bean-query with it
        self.row("bean-check", size, [self.bean_check, bean], dict(env, BEANCOUNT_DISABLE_LOAD_CACHE="1"))
        self.row("bean-check-warm", size, [self.bean_check, bean], env, warmup=True)
        year, mon = month.split("-")
        query = (f"SELECT account, sum(position) AS total WHERE year = {int(year)} AND month = {int(mon)} "
                 "GROUP BY account ORDER BY account")
        self.row("bean-query", size, [self.bean_query, bean, query], env, warmup=True)

    def run_reference(self) -> None:
        last = generate.LAST_DAY.isoformat()
        env = dict(self.env, CASHBOOK_NOW=now_for(last))
        self.log("reference points")
        self.row("cb-help", 0, [self.cashbook, "--help"], env)
        self.row("typer-help", 0, baseline("--help"), env)
        self.row("typer-noop", 0, baseline("noop", "1", "--from", "X"), env)
        if self.wanted("cb-append-empty"):
            empty = self.empty_book()
            append = lambda b: append_argv(self.cashbook, last, b)  # noqa: E731
            self.row("cb-append-empty", 0, append(empty), env, setup=self.copy_setup(empty, append, env))

    def empty_book(self) -> Path:
        """A book with the generated policies and no entry, made afresh under the data folder:
        the reference an append at size is compared with."""
        empty = Path(self.args.data) / "empty" / "cashbook"
        shutil.rmtree(empty.parent, ignore_errors=True)
        (empty / "journals").mkdir(parents=True)
        (empty / "policies.toml").write_text(generate.policies_text(), encoding="utf-8")
        return empty


# -- report -----------------------------------------------------------------------------
def read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def source_digest() -> str:
    """sha256 of cashbook's source files, to tell whether the code changed during the run."""
    import hashlib

    h = hashlib.sha256()
    for f in sorted((REPO / "src").rglob("*")):
        if f.is_file() and f.suffix in (".py", ".toml"):
            h.update(f.relative_to(REPO).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


def machine() -> dict:
    cpu = re.search(r"^model name\s*:\s*(.+)$", read("/proc/cpuinfo"), re.M)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", read("/proc/meminfo"), re.M)
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    return {"nproc": nproc, "memory_gb": round(int(mem[1]) / 1024 / 1024, 1) if mem else None,
            "cpu": cpu[1].strip() if cpu else platform.processor(), "os": platform.platform(),
            "python": sys.version.split()[0]}


def first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "not installed"


def versions(b: Bench) -> dict:
    def dist(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"], capture_output=True, text=True).stdout.strip()
    return {
        "cashbook": f"{dist('cashbook')} (git {head or '?'}{', with uncommitted changes in src/' if dirty else ''}); "
                    f"cold check {'`check --no-cache`' if b.no_cache else 'by deleting .cashbook/ then `check`'}",
        "ledger": first_line([b.ledger, "--version"]) if b.ledger else "not installed",
        "hledger": first_line([b.hledger, "--version"]) if b.hledger else "not installed",
        "beancount": dist("beancount"), "beanquery": dist("beanquery"),
        "typer": dist("typer"), "click": dist("click"), "pydantic": dist("pydantic"),
    }


def cell(res: Result | None) -> str:
    if res is None:
        return "—"
    if res.status == "timeout":
        return f"timeout (>{res.runs[-1].seconds:.0f} s)" if res.runs else "timeout"
    if res.status == "skipped":
        return f"skipped ({res.note})"
    if res.status == "missing":
        return "not installed"
    s, mb = res.seconds, res.peak_mb
    text = f"{s:.3f} s · {mb:.0f} MB" if s < 10 else f"{s:.1f} s · {mb:.0f} MB"
    codes = sorted({r.rc for r in res.runs})
    if res.status == "error":
        text += f" (failed: exit {','.join(map(str, codes))})"
    elif codes != [0]:
        text += f" (exit {','.join(map(str, codes))})"
    return text


def ratio_line(results, name, a_key, b_key, size, what, target, b_size=None) -> str:
    a = results.get(a_key, {}).get(size)
    b = results.get(b_key, {}).get(size if b_size is None else b_size)
    where = f" at {label(size)}" if size else ""
    if not a or not b or (a.seconds if what == "time" else a.peak_mb) is None or (b.seconds if what == "time" else b.peak_mb) is None:
        why = "no result" if not a or not b else f"{a.status if a.status != 'ok' else b.status}"
        return f"| {name}{where} | n/a ({why}) | ≤ {target:g} | not measured |" if target else f"| {name}{where} | n/a ({why}) | — | — |"
    x = a.seconds if what == "time" else a.peak_mb
    y = b.seconds if what == "time" else b.peak_mb
    value = x / y if y else float("inf")
    unit = "s" if what == "time" else "MB"
    shown = f"{value:.3f} ({x:.3f} {unit} / {y:.3f} {unit})" if what == "time" else f"{value:.3f} ({x:.0f} MB / {y:.0f} MB)"
    if not target:
        return f"| {name}{where} | {shown} | — | — |"
    return f"| {name}{where} | {shown} | ≤ {target:g} | {'**met**' if value <= target else '**missed**'} |"


def limit_line(results, name, key, size, limit_mb) -> str:
    """A row against an absolute bound of peak memory."""
    a = results.get(key, {}).get(size)
    where = f" at {label(size)}" if size else ""
    if not a or a.peak_mb is None:
        return f"| {name}{where} | n/a ({a.status if a else 'no result'}) | ≤ {limit_mb:g} MB | not measured |"
    return f"| {name}{where} | {a.peak_mb:.0f} MB | ≤ {limit_mb:g} MB | {'**met**' if a.peak_mb <= limit_mb else '**missed**'} |"


def write_results(b: Bench, sizes: list[int], started: dt.datetime, load0, load1, argv: list[str]) -> str:
    m = machine()
    v = versions(b)
    res = b.results
    lines = [
        "# Benchmark results: cashbook vs ledger, hledger and beancount",
        "",
        f"Produced by `python bench/run.py {' '.join(argv)}` on {started:%Y-%m-%d %H:%M} "
        f"(finished {dt.datetime.now():%H:%M}); see bench/README.md for what each row measures.",
        "Each cell: median wall time over the repeats · largest peak resident memory (MB) of the process.",
        "",
        "## Machine",
        "",
        f"- CPUs (nproc): {m['nproc']}; memory: {m['memory_gb']} GB; CPU: {m['cpu']}",
        f"- {m['os']}; Python {m['python']}",
        f"- load average (1/5/15 min) at start: {' / '.join(f'{x:.2f}' for x in load0)}; at the end: {' / '.join(f'{x:.2f}' for x in load1)}"
        + (" — the machine was busy with other work, so the times are noisy" if max(load0[0], load1[0]) > 1.0 else ""),
        "",
        "## Versions",
        "",
    ] + [f"- {k}: {val}" for k, val in v.items()] + [
        f"- cashbook source digest (src/**/*.py, *.toml) at the start: {b.sources[0]}, at the end: {b.sources[1]}"
        + (" — **the source changed during the run**: rows measured before and after the change ran different code"
           if b.sources[0] != b.sources[1] else " (unchanged during the run)"),
        "",
        "## Data",
        "",
        "Generated by `bench/generate.py` (seed "
        f"{b.args.seed}): the same entries as a cashbook book, a ledger/hledger journal and a beancount file "
        "(the last two are what `cashbook export` writes for the book, byte for byte). "
        "Business days Monday to Friday ending 2025-12-31. The generated policies are cashbook's default rules with one figure "
        "changed: the cash-on-hand limit is 50,000.00 (not 2,000.00); every rule keeps its default severity and the data obey "
        "them all (`cashbook check`: no error, no warning).",
        "",
        "| size | business days | span | entries per day | cashbook book | ledger.journal | book.beancount | generated in |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size in sizes:
        d = b.data.get(size)
        if not d:
            continue
        mb = {k: (f"{val / 1e6:.0f} MB" if val >= 1e7 else f"{val / 1e6:.1f} MB") for k, val in d["bytes"].items()}
        gen = f"{d['seconds']} s" + (f", {d['generation_peak_mb']:.0f} MB" if d.get("generation_peak_mb") else "")
        lines.append(f"| {label(size)} | {d['days']} | {d['first_day']} .. {d['last_day']} | {size / d['days']:.0f} | "
                     f"{mb['cashbook']} | {mb['ledger.journal']} | {mb['book.beancount']} | {gen} |")
    lines += ["", "## Timings", "",
              f"Repeats: {b.args.repeats}; timeout per run: {b.args.timeout:g} s (a command that passes it is not repeated and "
              "is skipped at the larger sizes; another tool's command whose time at the previous size, scaled by the size ratio, "
              "passes it is skipped and its cell says why).", "",
              "| command | " + " | ".join(label(s) for s in sizes) + " |",
              "|---|" + "---|" * len(sizes)]
    for key, name in CASHBOOK_ROWS + OTHER_ROWS:
        if key in res:
            lines.append(f"| {name} | " + " | ".join(cell(res[key].get(s)) for s in sizes) + " |")
    lines += ["", "Reference points (size-independent):", "", "| command | time · memory |", "|---|---|"]
    for key, name in REFERENCE_ROWS:
        if key in res:
            lines.append(f"| {name} | {cell(res[key].get(0))} |")
    big = max((s for s in sizes if any(r.get(s) and r[s].seconds is not None for r in res.values())), default=None)
    lines += ["", "## Ratios against the issue's targets", ""]
    if big is None:
        lines.append("No size produced results.")
    else:
        if big != 1_000_000:
            lines += [f"The issue's targets are set at 1M entries; this run's largest size with results is {label(big)}, "
                      "so the ratios below are at that size.", ""]
        lines += ["| ratio | value | target | |", "|---|---|---|---|"]
        lines.append(ratio_line(res, "warm month report / ledger bal, time", "cb-month", "ledger-bal", big, "time", 0.02))
        lines.append(ratio_line(res, "warm month report / ledger bal, peak memory", "cb-month", "ledger-bal", big, "mem", 0.05))
        lines.append(ratio_line(res, "balances / ledger bal, time", "cb-balances", "ledger-bal", big, "time", 0.02))
        lines.append(ratio_line(res, "balances / ledger bal, peak memory", "cb-balances", "ledger-bal", big, "mem", 0.05))
        lines.append(ratio_line(res, "cold check / ledger bal, time", "cb-check-cold", "ledger-bal", big, "time", 1.0))
        lines.append(ratio_line(res, "check after one append / ledger bal, time", "cb-check-append", "ledger-bal", big, "time", 0.1))
        lines.append(ratio_line(res, "journal of the month so far (cash) / ledger bal, time", "cb-journal-range", "ledger-bal", big, "time", 0.1))
        lines.append(limit_line(res, "journal of the month so far (cash), peak memory", "cb-journal-range", big, 200))
        lines.append(ratio_line(res, "first report after one append / ledger bal, time", "cb-report-append", "ledger-bal", big, "time", 0.1))
        lines.append(ratio_line(res, "cold check / bean-check (cold), time", "cb-check-cold", "bean-check", big, "time", 0.2))
        lines.append(ratio_line(res, "append / append on an empty book, time", "cb-append", "cb-append-empty", big, "time", 1.1, b_size=0))
        lines.append(ratio_line(res, "`cashbook --help` / baseline Typer --help, time", "cb-help", "typer-help", 0, "time", 1.2))
        lines.append(ratio_line(res, "`cashbook receive` / baseline do-nothing command, time", "cb-append", "typer-noop", big, "time", 1.5, b_size=0))
    notes = []
    for key, by_size in res.items():
        for size, r in by_size.items():
            if r.status in ("error", "timeout"):
                tail = [ln for ln in (r.runs[-1].err if r.runs else "").strip().splitlines() if ln.strip()][-2:]
                notes.append(f"- {key} @ {label(size) if size else 'ref'}: {r.status}"
                             + (f"; {r.note}" if r.note else "")
                             + (f"; exit {sorted({x.rc for x in r.runs})}" if r.runs else "")
                             + (f"; last stderr: `{' / '.join(tail)[:300]}`" if tail and r.status != "timeout" else ""))
    lines += ["", "## Notes", "",
              "- `cashbook report day` on the last day exits 1 by design: that day is still open (no cash count yet, as at "
              "the moment the cashier asks for the close); `report month` exits 1 when a control fails (e.g. the month's "
              "bank reconciliation was never done — the generated data has no bank statements).",
              "- Warm rows (check, month, balances, day) are the second run: one untimed run of the same command first "
              "(for check, the priming `cashbook check` after the cold runs).",
              "- The append runs in the generated book itself with its warm cache: before each run (untimed) the last "
              "day's file is put back as generated and one warm-up append is made (the cashier's previous entry); the "
              "timed append is the second; the file is put back afterwards. The empty-book reference runs on a fresh "
              "copy of an empty book, warmed the same way.",
              f"- Cold check: {'`cashbook check --no-cache`' if b.no_cache else 'the cache folder `.cashbook/` is deleted before each run (this cashbook has no `check --no-cache`)'}.",
              "- Peak memory is `ru_maxrss` of the measured process (from `os.wait4`), the largest over the repeats.",
              f"- Before the runs, the cashbook package the runs import ({getattr(b, 'compiled', '') or '?'}) is byte-compiled "
              "(`python -m compileall`), as installing it from a wheel does: with PYTHONDONTWRITEBYTECODE=1 an editable "
              "checkout would otherwise be compiled from source on every start, which the installed Typer baseline never is.",
              "- `report journal --account cash --from` the first day of the last day's month: warm (one untimed run first). "
              "The first report after an append is `report day LAST_DAY` run right after the two appends of the append row's "
              "set-up (the book just changed; exits 1: the day is open).",
              ] + notes
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated entry counts")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=300, help="seconds one run may take before it is killed and skipped")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default=str(HERE / "data"), help="where generated data go (reused when present)")
    ap.add_argument("--only", default=None, help="regex of row keys to run (e.g. 'ledger|hledger', 'cb-'); default all")
    ap.add_argument("--no-reference", action="store_true", help="skip the size-independent reference points")
    ap.add_argument("--results", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--json", default=None, help="raw results (default: DATA/results.json)")
    args = ap.parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    started = dt.datetime.now()
    load0 = os.getloadavg()
    src0 = source_digest()
    b = Bench(args)
    if not b.cashbook:
        raise SystemExit("cashbook is not installed (pip install -e .)")
    b.compiled = compile_cashbook(b.env)
    for size in sizes:
        b.log(f"== {label(size)} entries")
        b.run_size(size)
    if not args.no_reference:
        b.run_reference()
    load1 = os.getloadavg()
    b.sources = (src0, source_digest())
    text = write_results(b, sizes, started, load0, load1, argv)
    Path(args.results).write_text(text, encoding="utf-8")
    raw = {"argv": argv, "started": started.isoformat(), "machine": machine(), "data": b.data,
           "primes": getattr(b, "primes", {}),
           "results": {k: {str(s): r.as_json() for s, r in v.items()} for k, v in b.results.items()}}
    raw_path = Path(args.json) if args.json else Path(args.data) / "results.json"
    raw_path.parent.mkdir(parents=True, exist_ok=True)
    raw_path.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.rmtree(b.tmp, ignore_errors=True)
    b.log(f"wrote {args.results} and {raw_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
