#!/usr/bin/env python3
"""The big soak: random kills, concurrent writers and fuzzed input at scale.

    python bench/soak.py [--kills 1000] [--procs 4] [--appends 200] [--fuzz 10000]
                         [--workers 2] [--seed 1] [--only kills,procs,args,journal,policy,statement,fs,bigday]
                         [--time-limit SECONDS] [--out bench/soak-failures]
    python bench/soak.py --replay args:1234      # re-run one fuzzed example, print what it did

Sections (tests/test_soak_small.py and tests/test_hostile_*.py are the same in small; the tests run a
fixed sample of each surface below through the same generator and oracles, bench/harness.py):

- kills: SIGKILL a writer process at a random instant while it appends entries, closes days
  (count + seal) or imports bank statements; after each kill `cashbook check` must be clean,
  every acknowledged id / seal / import (printed by the writer) must be there, nothing twice,
  no temporary file left behind.
- procs: P processes × A appends at once through the CLI entry point, plus a few real
  `cashbook` console-script processes at once: all succeed, ids unique, balance exact.
- args / journal / policy / statement: N fuzzed inputs each, run in-process (same entry point
  and error boundary as the console script): exit 0/1/2, never a traceback or an "internal
  error", nothing changed on exit 2 or by a read-only command, an accepted command leaves a book
  that still reads, `check` answers 0/1 with file:line messages on damaged files, a damaged book
  refuses entries, a statement import exits 0 or 2.
- fs: the file system around the book (issue 19): a FIFO, a link to /dev/zero or a huge sparse
  file as a day file, policies.toml, seal log, lock or statement; links out of the book (a year
  folder, the bank folder, the cache, the lock, a day file); bad file names; a killed writer's
  temporary file; export --output at a FIFO, a link or the book's own files. Then one command:
  no hang (an alarm after 30 s), no internal error, nothing written outside the book, nothing
  changed on exit 2, no write through on a damaged book, the leftover swept by a write.
- bigday: a valid 50 MB day file: how long `check` takes, and that it finishes.

Every failure is grouped by signature; the first few of each are saved with a reproducer under
--out (the book as it was, the input, the output, and a `repro.sh`). No failure is forgiven as
known: exit status 1 when any was found. The fuzz surfaces run in turns, each example under an
alarm (a hang is a failure), so `--time-limit` cuts every surface alike.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "samples" / "statements"
SAVE_PER_SIGNATURE = 3

sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
# one CLI runner, one outcome rule and one kill harness for the tests and this soak
from harness import (FILE_ERRORS, NOW, RAW_CONTROL, Result, contract_breach, invoke, kill_at_random,  # noqa: E402
                     snap, start_writer, tmp_leftovers)
import harness  # noqa: E402


def cli(*args, book: Path | None = None, env: dict | None = None) -> Result:
    return invoke(*args, book=book, env=env)


class Failure(Exception):
    def __init__(self, signature: str, detail: str = ""):
        super().__init__(signature)
        self.signature, self.detail = signature, detail


def sane(args, r: Result) -> bool:
    """Raises Failure when the outcome breaks the contract for any input (no bug is forgiven:
    a fixed one that comes back counts as new)."""
    breach = contract_breach(r)
    if breach:
        raise Failure(breach, (r.out + r.err)[-3000:])
    return True


def file_problems(book: Path) -> list[dict]:
    """File errors as the files say (`check` re-reads every file; the cache is dropped all the same)."""
    from cashbook.store.cache import cache_dir

    shutil.rmtree(cache_dir(book), ignore_errors=True)
    r = cli("check", "--format", "json", book=book)
    sane(["check"], r)
    if r.code == 2:
        return [{"code": "check-refused", "message": r.err[-500:]}]
    return [p for p in r.json["problems"] if p["code"] in FILE_ERRORS | {"bad-file-name"}]


# -- the template book -----------------------------------------------------------------------

def build_template(root: Path) -> dict:
    os.environ["CASHBOOK_NOW"] = NOW
    return harness.build_template(root)


# -- generators (random.Random: an example is (surface, seed), replayable) -------------------

AMOUNTS = ["1e30", "1E3", "999999999999.99", "1000000000000.00", "999999999999.999", "1000000000000", "-5", "+5", "0", "0.00",
           "-0.00", "NaN", "inf", "-inf", "Infinity", "1,000", "1,00", "1,0000.00", "１００", "0x10", " 5 ", "5.", ".5", "1_000",
           "١٢٣", "5.5.5", "", " ", "5\n", "9" * 5000, "0." + "0" * 400 + "1", "1" + "0" * 30, "12345678901234567890.12",
           "¥100", "100元", "1e-2", "0.01", "0.1", "00000001.10", "5", "80", "1200", "1,250.50", "2000.01", "1000.00"]
DATES = ["0001-01-01", "0001-01-02", "0999-12-31", "1000-01-01", "1969-12-31", "1970-01-01", "9999-12-31", "9999-12",
         "2026-02-29", "2024-02-29", "2026-11-20", "2026-11-21", "2026-11-19", "2026-11-02", "2026-11-01", "20261101",
         "2026-W45-1", "2026W451", "2026-11-1", "2026-13-01", "2026-00-10", "0000-01-01", "", " ", "2026-11-02T10:00",
         "+02026-11-02", "2026/11/02", "99999-01-01", "today", "2026-11-03", "2026-11-05", "2026-10-31"]
MONTHS = ["2026-11", "2026-13", "0001-01", "9999-12", "0000-01", "2026-1", "2026", "", "2026-11-02", "99999-01", "2026-10"]
TIMES = ["00:00", "23:59", "24:00", "12:00+05:00", "12:00:00.123456", "T12", "", " ", "12", "12:60", "-1:00", "１２:00", "12:00Z", "09:30"]
TEXTS = ["", " ", "\n", "\t", "\r\n", "\x1b[31m", "\u202e", "\ufeff", "家具城", "🧾", "a" * 20000, "\\", '"', "'", '"""', "'''",
         "[[entry]]", ']]\n[[entry]]\nid = "x"', "../../../etc/passwd", "--from", "-x", "=", "#", "A", "ACME", "张三", "\x7f\x01"]
ACCOUNTS = ["cash", "bank", "CASH", "bank2", "", "../x", "cash ", "opening-balances", "category:rent"]
CATEGORIES = ["rent", "office", "postage", "wages", "travel", "deposit", "collection", "bank-fees", "fixed-assets", "", "RENT", "lottery"]
APPROVALS = ["gm:王总", "dept-head:赵", "finance-manager:钱", "store-manager:孙", ":", "gm:", ":x", "a:b:c", "gm :王", "GM:王", "nobody:x"]
METHODS = ["cash", "cheque", "transfer", "pos", "CASH", "", "bitcoin"]
FORMATS = ["table", "json", "csv", "xml", ""]
DEPOSIT_TYPES = ["site", "quality", "fit-out", "construction-permit", "electricity", "telephone", "banner", ""]


def rtext(rng: random.Random, n: int = 30) -> str:
    pools = ["abcxyz ", "0123456789-.:,", "家具城张三收款付款", "\t\n\r\x0b\x0c\x1b\x7f\x85\u2028\u202e\ufeff", "🧾💴",
             "\\\"'[]{}=#", "ÀéïõüÑ"]
    pool = "".join(rng.sample(pools, rng.randint(1, len(pools))))
    return "".join(rng.choice(pool) for _ in range(rng.randint(0, n)))


def pick(rng, vocab, weird=0.2):
    return rtext(rng) if rng.random() < weird else rng.choice(vocab)


def rand_amount(rng):
    r = rng.random()
    if r < 0.5:
        return rng.choice(AMOUNTS)
    if r < 0.7:
        return f"{rng.uniform(0, 10 ** rng.randint(0, 13)):.{rng.randint(0, 3)}f}"
    if r < 0.85:
        return str(rng.randint(-(10 ** 15), 10 ** 15))
    return rtext(rng, 12)


def gen_args(rng: random.Random, ids: dict) -> list[str]:
    eid = lambda: pick(rng, sorted(ids.values()) + ["20261101-001", "20261101-999", "x", "", "20261102-1", "../20261102-001"])
    common = {"--date": lambda: pick(rng, DATES), "--time": lambda: pick(rng, TIMES), "--format": lambda: rng.choice(FORMATS),
              "--memo": lambda: pick(rng, TEXTS, 0.5), "--override": lambda: pick(rng, APPROVALS)}
    T = lambda: pick(rng, TEXTS, 0.5)
    A = lambda: pick(rng, ACCOUNTS)
    C = lambda: pick(rng, CATEGORIES)
    P = lambda: pick(rng, APPROVALS)
    M = lambda: pick(rng, METHODS)
    RA = lambda: rand_amount(rng)
    cmds = {
        "receive": ([RA], {"--from": T, "--category": C, "--account": A, "--method": M, "--doc": T, **common}),
        "pay": ([RA], {"--to": T, "--category": C, "--account": A, "--method": M, "--cheque": T, "--invoice": T,
                                "--invoice-party": T, "--approved-by": P, "--words": lambda: pick(rng, ["壹佰元整", "捌拾元整", "零元整"], 0.5), **common}),
        "bank-deposit": ([RA], {"--account": A, "--cash-account": A, "--slip": T, **common}),
        "withdraw": ([RA], {"--account": A, "--approved-by": P, "--cash-account": A, "--cheque": T, **common}),
        "transfer": ([RA], {"--from-account": A, "--to-account": A, "--ref": T, "--approved-by": P, **common}),
        "advance": ([RA], {"--to": T, "--purpose": T, "--due": lambda: pick(rng, DATES), "--approved-by": P,
                                    "--account": A, "--method": M, **common}),
        "settle": ([eid], {"--returned": RA, "--spent": RA, "--category": C, "--invoice": T, "--account": A, **common}),
        "hold-deposit": ([RA], {"--from": T, "--type": lambda: pick(rng, DEPOSIT_TYPES),
                                         "--units": lambda: pick(rng, ["1", "2", "0", "-1", "99999999999999999999", "20000000000", "x"]),
                                         "--doc": T, "--account": A, "--method": M, **common}),
        "refund-deposit": ([eid], {"--approved-by": P, "--amount": RA, "--left-on": lambda: pick(rng, DATES),
                                   "--lost-receipt": T, "--account": A, "--method": M, **common}),
        "void": ([eid], {"--reason": T, "--date": common["--date"], "--time": common["--time"], "--format": common["--format"]}),
        "count": ([lambda: pick(rng, DATES + ["2026-11-20"])], {"--account": A, "--time": common["--time"], "--format": common["--format"]}),
        "opening": ([A, RA], {"--date": common["--date"], "--format": common["--format"]}),
        "collect": ([RA], {"--from": T, "--for": T, "--category": C, **common}),
        "adjust": ([lambda: rng.choice(["overage", "shortage", "", "x"]), RA], {"--approved-by": P, "--date": common["--date"]}),
    }
    reports = {
        ("report", "journal"): {"--account": A, "--from": common["--date"], "--to": common["--date"], "--lang": lambda: rng.choice(["en", "zh", "fr"])},
        ("report", "balances"): {"--date": common["--date"]},
        ("report", "advances"): {"--date": common["--date"]},
        ("report", "deposits"): {"--date": common["--date"]},
        ("report", "cheques"): {"--from": common["--date"], "--to": common["--date"]},
        ("report", "receipts"): {"--from": common["--date"], "--to": common["--date"]},
        ("report", "exceptions"): {"--from": common["--date"], "--to": common["--date"]},
        ("report", "day"): {"": common["--date"]},
        ("report", "month"): {"": lambda: pick(rng, MONTHS)},
        ("close", "day"): {"": common["--date"], "--dry-run": None},
        ("close", "month"): {"": lambda: pick(rng, MONTHS)},
        ("words",): {"": RA},
        ("check",): {},
        ("export",): {"--to": lambda: pick(rng, ["beancount", "ledger", "csv", "xml", ""] + DATES), "--from": common["--date"],
                      "--until": common["--date"]},
        ("bank", "reconcile"): {"--account": A, "--month": lambda: pick(rng, MONTHS)},
        ("bank", "book-charges"): {"--account": A, "--month": lambda: pick(rng, MONTHS), "--date": common["--date"]},
    }
    if rng.random() < 0.25:
        head = rng.choice(sorted(reports))
        args = list(head)
        opts = reports[head]
        for opt in rng.sample(sorted(opts), rng.randint(0, len(opts))) if opts else []:
            if opt == "":
                args.append(opts[opt]())
            elif opts[opt] is None:
                args.append(opt)
            else:
                args += [opt, opts[opt]()]
        if rng.random() < 0.5:
            args += ["--format", rng.choice(FORMATS)]
    else:
        name = rng.choice(sorted(cmds))
        positional, opts = cmds[name]
        args = [name] + [g() for g in positional if rng.random() < 0.9]
        for opt in sorted(opts):
            if rng.random() < 0.33:
                continue
            args += [opt, opts[opt]()]
            if opt in ("--approved-by", "--override") and rng.random() < 0.5:
                args += [opt, opts[opt]()]
    if rng.random() < 0.1:
        args.insert(rng.randint(1, len(args)), rng.choice(["--bogus", "-", "--", "-x", "--date", "extra", "--format=json"]))
    return args


READ_ONLY = [("report",), ("words",), ("check",), ("export",), ("bank", "reconcile")]


def is_read_only(args) -> bool:
    return any(tuple(args[: len(k)]) == k for k in READ_ONLY) or (args[:2] == ["close", "day"] and "--dry-run" in args)


INVALID_UTF8 = [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe4\xb8", b"\x80"]
TIMES_OUT = ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-23:59", "9999-12-31T23:59:59+08:00", "2026-02-29T10:00:00+08:00",
             "2026-11-02T24:00:00+08:00", "2026-11-02T10:00:00+24:00", "2026-11-02T10:00:00", "2026-11-02", "1970-01-01T00:00:00Z"]
VALUES = ['"1e400"', '"-0.00"', '"999999999999.995"', "1.5", "inf", "nan", '"1000000000000.00"', "[]", "{}", "true", '"\\u0000"',
          "2026-11-02", "99999999999999999999", '""', '"  100.00  "', '"100,00"', "9" * 5000]


def mutate_day(rng: random.Random, original: bytes, big: bool = True) -> bytes:
    """A day file's bytes damaged 1-4 ways. ``rng`` may be hypothesis' ``st.randoms()`` (the
    tests draw through it and shrink); ``big=False`` keeps the huge lines and nests test-sized."""
    data = bytearray(original)
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["flip", "truncate", "nul", "utf8", "dup-line", "dup-entry", "nest", "huge-line", "time", "value", "crlf",
                           "bom", "cr", "delete-line", "swap-entries", "bigint", "header", "id", "kind", "insert-text", "flip-many"])
        pos = rng.randint(0, max(0, len(data) - 1))
        text = data.decode("utf-8", "replace")
        lines = text.split("\n")
        if kind == "flip" and data:
            data[pos] = rng.randint(0, 255)
        elif kind == "flip-many" and data:
            for _ in range(rng.randint(2, 20)):
                data[rng.randint(0, len(data) - 1)] = rng.randint(0, 255)
        elif kind == "truncate":
            del data[pos:]
        elif kind == "nul":
            data[pos:pos] = b"\x00"
        elif kind == "utf8":
            data[pos:pos] = rng.choice(INVALID_UTF8)
        elif kind in ("dup-line", "delete-line") and len(lines) > 1:
            i = rng.randint(0, len(lines) - 1)
            lines.insert(i, lines[i]) if kind == "dup-line" else lines.pop(i)
            data = bytearray("\n".join(lines).encode("utf-8", "surrogateescape"))
        elif kind in ("dup-entry", "swap-entries"):
            parts = text.split("[[entry]]")
            if len(parts) > 2:
                i, j = rng.randint(1, len(parts) - 1), rng.randint(1, len(parts) - 1)
                if kind == "dup-entry":
                    parts.insert(i, parts[i])
                else:
                    parts[i], parts[j] = parts[j], parts[i]
                data = bytearray("[[entry]]".join(parts).encode())
        elif kind == "nest":
            d = rng.choice([50, 500, 3000, 20000] if big else [50, 500, 3000])
            data += f"\nx = {'[' * d}{']' * d}\n".encode()
        elif kind == "huge-line":
            data += ('\n[[entry]]\nid = "20261102-099"\nkind = "receipt"\ntime = "2026-11-02T09:00:00+08:00"\n'
                     f'amount = "1.00"\nparty = "{"长" * rng.choice([1000, 200_000, 1_000_000] if big else [1000, 50_000])}"\ncategory = "rent"\n').encode()
        elif kind == "time":
            data = bytearray(re.sub(rb'time = "[^"]*"', b'time = "' + rng.choice(TIMES_OUT).encode() + b'"', bytes(data), count=rng.randint(1, 3)))
        elif kind == "value":
            key = rng.choice([b"amount", b"time", b"id", b"kind", b"due", b"units", b"party", b"category", b"approvals", b"doc"])
            value = key + b" = " + rng.choice(VALUES).encode()
            data = bytearray(re.sub(key + rb" = [^\n]*", lambda m: value, bytes(data), count=1))
        elif kind == "crlf":
            data = bytearray(bytes(data).replace(b"\n", b"\r\n"))
        elif kind == "cr":
            data = bytearray(bytes(data).replace(b"\n", b"\r", 1))
        elif kind == "bom":
            data[0:0] = b"\xef\xbb\xbf"
        elif kind == "bigint":
            data += b"\nn = " + b"9" * 5000 + b"\n"
        elif kind == "header":
            data = bytearray(bytes(data).replace(b"[[entry]]", rng.choice([b"[entry]", b"[[entry]", b"[[ entry ]]", b"[[entries]]", b"[[entry.x]]"]), 1))
        elif kind == "id":
            data = bytearray(re.sub(rb'id = "[^"]*"', b'id = "' + rng.choice([b"20261102-001", b"20261101-001", b"x", b"",
                                                                            b"20261102-999999999999999999"]) + b'"', bytes(data), count=1))
        elif kind == "kind":
            data = bytearray(re.sub(rb'kind = "[^"]*"', b'kind = "' + rng.choice([b"void", b"day-close", b"opening", b"cash-count",
                                                                                b"gift", b""]) + b'"', bytes(data), count=1))
        elif kind == "insert-text":
            data[pos:pos] = rtext(rng).encode("utf-8", "surrogatepass")
    return bytes(data)


POLICY_VALUES = ['"-5"', '"1e400"', "1.5", '"NaN"', "2026-01-01", '"+99:00"', '"+24:00"', '"-23:59"', "-1", "99999999999", "true",
                 "[]", "{}", '""', '"x"', '"block"', '"warn"', '["gm"]', '["nobody"]', "[1, 2]", '"999999999999.99"', '"0.00"',
                 '"1000000000000.00"', '{ type = "crypto" }', '{ type = "income" }', "9" * 5000, "0", "3650000"]


# names that are not names (letters, digits, "-"): from a policy they would become paths
BAD_NAMES = ['".."', '"../x"', '"a/b"', '"."', '"a b"', '"x\\u0000"', '"\\u202e"', '"a\\\\b"', '"~"', '"con.toml"']
BAD_NAME_TABLES = ["\n[accounts.{k}]\ntype = 'bank'\nname = 'x'\n", "\n[accounts.{k}]\ntype = 'cash'\nname = 'x'\n",
                   "\n[categories.{k}]\ntype = 'expense'\nname = 'x'\n", "\n[deposit_types.{k}]\nname = 'x'\n"]
BAD_DENOMINATIONS = ["[]", '["0.00"]', '["100.00", "100.00"]', '["-1.00"]', '["1e400"]', '["x"]', '["100.00", "100"]']


def mutate_policy(rng: random.Random, original: str) -> tuple[bytes, str | None]:
    """A mutated policies.toml, and why it must be refused whatever else was done to it (or None)."""
    text = original
    must_refuse = None
    if rng.random() < 0.1:
        key = rng.choice(BAD_NAMES)
        text += rng.choice(BAD_NAME_TABLES).format(k=key)
        must_refuse = f"a key {key} that is not a name"
    elif rng.random() < 0.06:
        value = rng.choice(BAD_DENOMINATIONS)
        text = f"denominations = {value}\n" + text
        must_refuse = f"denominations = {value}"
    if must_refuse:
        return text.encode("utf-8"), must_refuse
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["flip", "truncate", "dup-line", "delete-line", "value", "value", "value", "nul", "utf8", "nest", "table", "insert"])
        lines = text.split("\n")
        i = rng.randint(0, len(lines) - 1)
        if kind == "flip" and text:
            pos = rng.randint(0, len(text) - 1)
            text = text[:pos] + rtext(rng, 1) + text[pos + 1:]
        elif kind == "truncate":
            text = text[: rng.randint(0, len(text))]
        elif kind == "dup-line":
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif kind == "delete-line":
            del lines[i]
            text = "\n".join(lines)
        elif kind == "value":
            m = [j for j, l in enumerate(lines) if re.match(r"^\s*[\w\-]+\s*=", l)]
            if m:
                j = rng.choice(m)
                lines[j] = lines[j].split("=")[0] + "= " + rng.choice(POLICY_VALUES)
                text = "\n".join(lines)
        elif kind == "nul":
            text = text[:i] + "\x00" + text[i:]
        elif kind == "utf8":
            return text.encode("utf-8") + rng.choice(INVALID_UTF8) + b"\n", None
        elif kind == "nest":
            d = rng.choice([10, 3000])
            text += f"\nx = {'[' * d}{']' * d}\n"
        elif kind == "table":
            text += rng.choice(["\n[book]\nname = 'y'\n", "\n[accounts.x]\ntype = 'cash'\nname = 'x'\n", "\n[accounts.bank2]\ntype = 'bank'\nname = 'b2'\n",
                                "\n[[rules.needs-approval.bands]]\n", "\n[rules.unknown-rule]\nseverity = 'block'\n", "\n[categories]\n"])
        elif kind == "insert":
            text = text[:i] + rtext(rng, 20) + text[i:]
    return text.encode("utf-8", "surrogatepass"), None


SAMPLE_FILES = sorted(p for p in SAMPLES.glob("*") if p.is_file() and p.suffix not in (".md", ".json")) if SAMPLES.is_dir() else []


def gen_statement(rng: random.Random) -> tuple[str, bytes, str]:
    fmt = rng.choice(["auto", "auto", "auto", "csv", "xls", "ofx", "camt053", "mt940"])
    if not SAMPLE_FILES or rng.random() < 0.15:
        return "random.bin", bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 3000))), fmt
    path = rng.choice(SAMPLE_FILES)
    data = bytearray(path.read_bytes())
    for _ in range(rng.randint(0, 5)):
        if not data:
            break
        kind = rng.choice(["flip", "delete", "insert", "truncate", "duplicate", "year", "amount"])
        pos = rng.randint(0, len(data) - 1)
        if kind == "flip":
            data[pos] = rng.randint(0, 255)
        elif kind == "delete":
            del data[pos:pos + rng.randint(1, 40)]
        elif kind == "insert":
            data[pos:pos] = rng.choice([b"\n", b",", b"\t", b"<", b":61:", b"\x00", b"9" * 30, b"\xff", b"-", b'"'])
        elif kind == "truncate":
            del data[pos:]
        elif kind == "duplicate":
            end = min(len(data), pos + rng.randint(1, 300))
            data[pos:pos] = data[pos:end]
        elif kind == "year":
            data = bytearray(re.sub(rb"(?<![0-9])20[0-2][0-9](?=[-/]?[01][0-9][-/]?[0-3][0-9])", rng.choice([b"0001", b"9999", b"0000", b"1000"]),
                                    bytes(data), count=rng.randint(1, 3)))
        elif kind == "amount":
            data = bytearray(re.sub(rb"[0-9]+\.[0-9]{2}", rng.choice([b"999999999999999.99", b"1e30", b"-0.00", b"0.001"]), bytes(data), count=rng.randint(1, 3)))
    return path.name, bytes(data), fmt


# -- one fuzzed example per surface: raises Failure ------------------------------------------

# the clock a command reads ($CASHBOOK_NOW): out of the years a book holds, not a time, an offset out of range
HOSTILE_CLOCKS = ["9999-12-31T23:59+00:00", "0001-01-01T00:00+14:00", "yesterday", "", "2026-11-20T10:00:00+99:00",
                  "1899-12-31T23:59:59+08:00", "3000-01-01T00:00:00+08:00", "2026-11-20", "2026-11-20T10:00:00\n"]
DATE_OPTIONS = ("--date", "--due", "--left-on")
STRICT_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
RECORDERS = {"receive", "pay", "bank-deposit", "withdraw", "transfer", "advance", "settle", "hold-deposit", "refund-deposit",
             "void", "count", "opening", "collect", "adjust"}


def _raw_on_screen(book: Path) -> str | None:
    """A raw control character in the journal as a table or as CSV (each account), or None."""
    span = ("--from", "1900-01-01", "--to", "2999-12-31")
    for extra in (["--format", "table"], ["--format", "csv", "--account", "cash"], ["--format", "csv", "--account", "bank"]):
        x = cli("report", "journal", *span, *extra, book=book)
        sane(["report", "journal", *extra], x)
        m = RAW_CONTROL.search(x.out)
        if m:
            return f"{extra[1]}: {m[0]!r} in ...{x.out[max(0, m.start() - 60):m.end() + 20]!r}"
    return None


def example_args(rng, book: Path, ids: dict, work: Path) -> dict:
    args = gen_args(rng, ids)
    env = {"CASHBOOK_NOW": rng.choice(HOSTILE_CLOCKS)} if rng.random() < 0.04 else None
    empty_book = rng.random() < 0.01  # --book '' (it once meant the current folder)
    before = snap(book)
    r = cli(*args, book="" if empty_book else book, env=env)
    info = {"args": args, "env": env, "empty_book": empty_book, "code": r.code, "out": r.out[-4000:], "err": r.err[-4000:]}
    try:
        sane(args, r)
        after = snap(book)
        if empty_book and r.code != 2:
            raise Failure("--book '' was not refused")
        if (r.code == 2 or is_read_only(args)) and after != before:
            raise Failure("refused or read-only command changed the book", json.dumps(args, ensure_ascii=False)[:500])
        if r.code == 2 and tmp_leftovers(book):
            raise Failure("temporary file left behind")
        if r.code == 2 and not (r.err.strip() or r.out.strip()):
            raise Failure("a refusal that does not say why")
        if r.code == 0 and args[0] in RECORDERS and "--" not in args:
            for opt in DATE_OPTIONS:
                at = [i for i, a in enumerate(args[:-1]) if a == opt]
                value = args[at[-1] + 1] if at else None
                if value is not None and not value.startswith("-") and not STRICT_DAY.fullmatch(value.strip(" ")):
                    raise Failure(f"{opt} that is not YYYY-MM-DD was accepted", repr(value))
        if r.code == 0 and after != before:
            bad = file_problems(book)
            if bad:
                raise Failure("accepted command left the book damaged: " + ",".join(sorted({p["code"] for p in bad})), json.dumps(bad, ensure_ascii=False)[:2000])
            if RAW_CONTROL.search("".join(args)):
                raw = _raw_on_screen(book)
                if raw:
                    raise Failure("a raw control character reached the screen", raw)
    except Failure as f:
        f.info = info
        raise
    return info


def _parse_errors(path: Path) -> set[str]:
    """The problem codes of parsing ``path`` alone (what makes it a damaged file)."""
    from cashbook.store.journal import read_day

    if not path.is_file() or path.is_symlink():
        return {"unreadable"}
    return {p.code for p in read_day(path).problems}


def _damaged_checks(book: Path, named: str, info: dict) -> None:
    before = snap(book)
    r = cli("check", book=book)
    info.update(check_code=r.code, check_out=r.out[-3000:], check_err=r.err[-2000:])
    sane(["check"], r)
    if r.code not in (0, 1):
        raise Failure(f"check exited {r.code} on a damaged file", r.err[-1500:])
    if snap(book) != before:
        raise Failure("check changed the book")
    if r.code == 1:
        errors = [l for l in r.out.splitlines() if l.strip() and not l.endswith("(warning)")]
        if not errors:
            raise Failure("check exit 1 without a message")
        bad = [l for l in errors if not (re.match(r"^(\S+?)(:\d+)?: [a-z][a-z0-9-]*: ", l) or re.match(r"^[a-z][a-z0-9-]*: ", l))]
        if bad:
            raise Failure("check message not in file:line: code: message form", bad[0][:300])
        day = re.search(r"\d{4}-\d{2}-\d{2}", named)
        if not any(named in l or (day and day[0] in l) for l in errors):
            raise Failure("check did not name the damaged file", "\n".join(errors[:5]))
    rj = cli("check", "--format", "json", book=book) if r.code == 1 else None
    codes = {p["code"] for p in rj.json["problems"]} if rj else set()
    # damage is what the file itself says when parsed, or an id it shares: a well-formed entry that
    # breaks a rule (an advance due before its date is `bad-field` too) is an error `check` names,
    # not damage, exactly as a hand-written payment over the limit
    damaged = bool(codes & {"duplicate-id", "bad-file-name"}) or bool(_parse_errors(book / named) & FILE_ERRORS)
    before = snap(book)
    args = ["receive", "7", "--from", "Z", "--category", "rent", "--account", "bank", "--date", "2026-11-03", "--format", "json"]
    w = cli(*args, book=book)
    info.update(receive_code=w.code, receive_out=w.out[-2000:], receive_err=w.err[-2000:])
    sane(args, w)
    if w.code == 0 and damaged:
        raise Failure("a book with file errors accepted a new entry: " + ",".join(sorted(_parse_errors(book / named) | codes & {"duplicate-id", "bad-file-name"})))
    if w.code == 2 and snap(book) != before:
        raise Failure("refused entry changed the book")
    if w.code == 0:
        after = cli("check", "--format", "json", book=book)
        if any(p["code"] == "duplicate-id" and p.get("entry") == w.json["id"] for p in after.json["problems"]):
            raise Failure("a new entry reused an id")


def example_journal(rng, book: Path, ids: dict, work: Path) -> dict:
    target = rng.choice(["journals/2026/2026-11-02.toml", "journals/2026/2026-11-01.toml"])
    path = book / target
    shape = rng.random()
    info = {"file": target}
    if shape < 0.04:
        path.unlink()
        how = rng.choice(["dangling", "dir", "symlink-dir", "loop", "empty"])
        info["shape"] = how
        if how == "dangling":
            path.symlink_to(work / "nowhere.toml")
        elif how == "dir":
            path.mkdir()
        elif how == "symlink-dir":
            (work / "adir").mkdir(exist_ok=True)
            path.symlink_to(work / "adir")
        elif how == "loop":
            path.symlink_to(path.name)
        else:
            path.write_bytes(b"")
    else:
        content = mutate_day(rng, path.read_bytes())
        path.write_bytes(content)
        info["content"] = content
    try:
        _damaged_checks(book, target, info)
    except Failure as f:
        f.info = info
        raise
    return info


def example_policy(rng, book: Path, ids: dict, work: Path) -> dict:
    p = book / "policies.toml"
    content, must_refuse = mutate_policy(rng, p.read_text(encoding="utf-8"))
    p.write_bytes(content)
    info = {"policies.toml": content, "must_refuse": must_refuse}
    try:
        before = snap(book)
        r = cli("check", book=book)
        info.update(check_code=r.code, check_err=r.err[-2000:])
        sane(["check"], r)
        if r.code == 2 and "policies.toml" not in r.err:
            raise Failure("a refused policy is not named", r.err[-500:])
        if must_refuse and r.code != 2:
            raise Failure("check took a policy it must refuse: " + re.sub(r"[0-9]+", "N", must_refuse.split(" ")[0]), must_refuse)
        if snap(book) != before:
            raise Failure("check changed the book")
        others = [["refund-deposit", ids["hold"], "--approved-by", "finance-manager:a", "--approved-by", "store-manager:b",
                   "--approved-by", "gm:c", "--left-on", "2026-11-02"],
                  ["close", "day", "2026-11-02", "--dry-run"], ["report", "month", "2026-11"]]
        # a refused policy must stop every command; a taken one is exercised by recording and one more
        for args in [["receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03"],
                     *(others if r.code == 2 else [rng.choice(others)])]:
            w = cli(*args, book=book)
            info[f"{args[0]}_code"], info[f"{args[0]}_err"] = w.code, w.err[-1500:]
            sane(args, w)
            if r.code == 2 and w.code != 2:
                raise Failure("a policy `check` refuses did not stop " + args[0])
            if w.code == 2 and snap(book) != before:
                raise Failure("refused command changed the book")
    except Failure as f:
        f.info = info
        raise
    return info


BAD_IMPORT_ACCOUNTS = ["..", "../x", "bank/..", "", "a b", "cash", "nope", "bank/", "/tmp/x", "\u202ebank"]
CSV_SAMPLES = [p for p in SAMPLE_FILES if p.suffix == ".csv"]
DATED_LINE = re.compile(rb'^[\s"\t]*(\d{4}[-/.]?\d{1,2}[-/.]?\d{1,2}|\d{4}\xe5\xb9\xb4)')  # a row that starts with a date


def _cut_mid_line(rng: random.Random, data: bytes) -> bytes | None:
    """``data`` cut (as `head -c` would) inside a dated line, or None when it has none."""
    starts, pos = [], 0
    for line in data.splitlines(keepends=True):
        body = line.rstrip(b"\r\n")
        if DATED_LINE.match(body) and len(body) > 2:
            starts.append((pos, len(body)))
        pos += len(line)
    if not starts:
        return None
    at, length = rng.choice(starts)
    return data[: at + rng.randint(1, length - 1)]


def _import_json(book: Path, f: Path, account: str = "bank") -> Result:
    return cli("bank", "import", str(f), "--account", account, "--output-format", "json", book=book)


def example_statement(rng, book: Path, ids: dict, work: Path) -> dict:
    shape = rng.random()
    if shape < 0.12 and CSV_SAMPLES:
        return _example_cut_statement(rng, book, work)
    if shape < 0.18:
        return _example_bad_import_account(rng, book, work)
    name, blob, fmt = gen_statement(rng)
    f = work / f"stmt-{name}"
    f.write_bytes(blob)
    args = ["bank", "import", str(f), "--account", "bank", "--statement-format", fmt]
    info = {"statement_name": name, "format": fmt, "statement": blob}
    try:
        before = snap(book)
        r = cli(*args, book=book)
        info.update(code=r.code, out=r.out[-2000:], err=r.err[-2000:])
        sane(args, r)
        if r.code not in (0, 2):
            raise Failure(f"bank import exited {r.code}")
        if r.code == 2:
            if snap(book) != before:
                raise Failure("refused import changed the book")
            return info
        stored = [p.name for p in (book / "journals/bank/bank").glob("*.toml")] if (book / "journals/bank/bank").is_dir() else []
        if any(not re.match(r"^(\d{4}-\d{2}|decisions|imports)\.toml$", n) for n in stored):
            raise Failure("statement stored under a name the book never reads", ",".join(stored))
        again = cli(*args, "--output-format", "json", book=book)
        sane(args, again)
        if again.code != 0 or again.json.get("added") != 0:
            raise Failure("re-import added lines or failed", again.out[-500:] + again.err[-500:])
        for extra in (["check"], ["bank", "reconcile", "--account", "bank", "--month", "2026-11"]):
            x = cli(*extra, book=book)
            sane(extra, x)
            if "bad-statement-store" in x.err:
                raise Failure("import left an unreadable statement store", x.err[-500:])
    except Failure as f:
        f.info = info
        raise
    return info


def _example_cut_statement(rng, book: Path, work: Path) -> dict:
    """A real export cut mid-line (`head -c`): refused, or its partial line is read or named, never
    dropped without a word (the prefix of whole lines alone imports the same, in another book)."""
    src = rng.choice(CSV_SAMPLES)
    cut = _cut_mid_line(rng, src.read_bytes())
    info = {"statement_name": src.name, "cut": True, "statement": cut}
    if cut is None:
        return info
    f, whole = work / f"cut-{src.name}", work / f"whole-{src.name}"
    f.write_bytes(cut)
    whole.write_bytes(cut[: max(cut.rfind(b"\n"), cut.rfind(b"\r")) + 1])
    other = work / "other"
    shutil.copytree(book, other, symlinks=True)  # the same book, for the whole lines alone
    try:
        before = snap(book)
        r = _import_json(book, f)
        info.update(code=r.code, out=r.out[-2000:], err=r.err[-2000:])
        sane(["bank", "import", "cut"], r)
        if r.code == 2:
            if snap(book) != before:
                raise Failure("refused import changed the book")
            return info
        if r.code != 0:
            raise Failure(f"bank import exited {r.code}")
        p = _import_json(other, whole)
        sane(["bank", "import", "whole lines"], p)
        if p.code == 0:
            seen = lambda j: (j["lines_read"], j["skipped"], len(j["warnings"]), len(j.get("gaps") or []))
            if seen(r.json) == seen(p.json):
                raise Failure("a statement cut mid-line imported without a word about its last line",
                              f"{src.name}: {cut[-120:]!r}")
    except Failure as f:
        f.info = info
        raise
    return info


def _example_bad_import_account(rng, book: Path, work: Path) -> dict:
    """`bank import --account NAME` with a name that is no bank account of the book: refused, nothing written."""
    account = rng.choice(BAD_IMPORT_ACCOUNTS)
    src = rng.choice(SAMPLE_FILES) if SAMPLE_FILES else None
    f = work / "stmt.csv"
    f.write_bytes(src.read_bytes() if src else "交易日期,摘要,收入金额,支出金额\n2026-11-02,存入,100.00,\n".encode())
    info = {"account": account, "statement_name": src.name if src else "stmt.csv"}
    try:
        before = snap(book)
        r = _import_json(book, f, account)
        info.update(code=r.code, out=r.out[-2000:], err=r.err[-2000:])
        sane(["bank", "import", "--account", account], r)
        if r.code != 2:
            raise Failure("bank import into an account that is not a bank account of the book was not refused", repr(account))
        if snap(book) != before:
            raise Failure("refused import changed the book")
    except Failure as f:
        f.info = info
        raise
    return info


# -- the file system around the book: links, FIFOs, devices, huge files, bad names, leftovers ----

FS_SHAPES = ("fifo-day", "fifo-new-day", "fifo-policy", "fifo-seal-log", "fifo-lock", "zero-day", "zero-policy",
             "huge-day", "huge-policy", "link-year-out", "link-bank-out", "link-cache-out", "link-lock-out",
             "link-day-out", "bad-name", "wrong-year", "leftover-temp", "unreadable-day", "journals-link",
             "link-policy-out", "link-seals-out", "leftover-temp-root", "read-only-year")
FS_COMMANDS = (["check"], ["receive", "5", "--from", "A", "--category", "rent"],
               ["receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03"],
               ["report", "balances"], ["report", "journal", "--format", "csv"], ["close", "day", "2026-11-02"],
               ["count", "2026-11-02", "100x12"], ["export", "--to", "csv", "--output", "OUT"],
               ["bank", "import", "STATEMENT", "--account", "bank"])
WRITES = ("receive", "close", "count", "bank")
FS_TIMEOUT_S = 30  # a hang (a reader blocked on a FIFO) ran until killed; an answer takes a second or two


class _Hang(BaseException):  # not an Exception: the CLI's error boundary must not turn it into a message
    pass


def _shape(rng, how: str, book: Path, outside: Path) -> bool:
    """Make the hostile shape ``how`` in ``book``; True when it damages the book (writes must stop)."""
    day2 = book / "journals/2026/2026-11-02.toml"
    if how == "fifo-day":
        day2.unlink()
        os.mkfifo(day2)
        return True
    if how == "fifo-new-day":
        os.mkfifo(book / "journals/2026/2026-11-04.toml")
        return True
    if how == "fifo-policy":
        (book / "policies.toml").unlink()
        os.mkfifo(book / "policies.toml")
        return True
    if how == "fifo-seal-log":
        (book / "journals/seals.log").unlink(missing_ok=True)
        os.mkfifo(book / "journals/seals.log")
        return False
    if how == "fifo-lock":
        (book / ".cashbook.lock").unlink(missing_ok=True)
        os.mkfifo(book / ".cashbook.lock")
        return True
    if how in ("zero-day", "zero-policy"):
        target = day2 if how == "zero-day" else book / "policies.toml"
        target.unlink()
        target.symlink_to("/dev/zero")  # read only: a test never writes to a real device
        return True
    if how in ("huge-day", "huge-policy"):
        target = day2 if how == "huge-day" else book / "policies.toml"
        with open(target, "ab") as fh:
            fh.truncate(rng.choice([64, 65, 1024]) * 1024 * 1024 + 1 if how == "huge-day" else 4 * 1024 * 1024 + 1)
        return True
    if how == "link-year-out":
        shutil.move(str(book / "journals/2026"), outside / "2026")
        (book / "journals/2026").symlink_to(outside / "2026")
        return True  # a write there would leave the book
    if how == "link-bank-out":
        (book / "journals/bank").symlink_to(outside)
        return False
    if how == "link-cache-out":  # the book's cache folder (in the user's cache) a link to somewhere else
        from cashbook.store.cache import cache_dir

        folder = cache_dir(book)
        shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.symlink_to(outside)
        return False
    if how == "link-policy-out":  # policies.toml read through a link that leaves the book
        (outside / "policies.toml").write_bytes((book / "policies.toml").read_bytes())
        (book / "policies.toml").unlink()
        (book / "policies.toml").symlink_to(outside / "policies.toml")
        return True
    if how == "link-seals-out":
        log = book / "journals/seals.log"
        (outside / "seals.log").write_bytes(log.read_bytes() if log.exists() else b"")
        log.unlink(missing_ok=True)
        log.symlink_to(outside / "seals.log")
        return False  # like an unreadable seal log: `check` names it (seal-broken); recording goes on
    if how == "leftover-temp-root":  # a killed writer's temporary file beside policies.toml or in the bank folder
        folder = book / rng.choice([".", "journals", "journals/bank/bank"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f".{rng.choice(['policies.toml', 'seals.log', '2026-11.toml'])}.{rng.randrange(10**8):08d}.tmp").write_bytes(b"x")
        return False
    if how == "read-only-year":  # permissions (root writes anyway: then the write simply succeeds)
        (book / "journals/2026").chmod(0o555)
        return False
    if how == "link-lock-out":
        (book / ".cashbook.lock").unlink(missing_ok=True)
        (book / ".cashbook.lock").symlink_to(outside / "made-by-cashbook")
        return True
    if how == "link-day-out":
        (outside / "secret.toml").write_bytes(day2.read_bytes())
        (book / "journals/2026/2026-11-05.toml").symlink_to(outside / "secret.toml")
        return True
    if how == "bad-name":
        (book / "journals/2026" / rng.choice(["2026-02-30.toml", "2026-13-01.toml", "notes.toml", "2026-11-2.toml"])).write_bytes(b"")
        return True
    if how == "wrong-year":
        (book / "journals/2025").mkdir(exist_ok=True)
        shutil.copy(day2, book / "journals/2025/2026-11-02.toml")
        return True
    if how == "leftover-temp":
        (book / "journals/2026" / f".2026-11-0{rng.randint(1, 9)}.toml.{rng.randrange(10**8):08d}.tmp").write_bytes(b"[[entry]]\n")
        return False
    if how == "unreadable-day":
        day2.chmod(0)  # root reads it anyway: then the book is whole
        return os.geteuid() != 0
    if how == "journals-link":  # allowed: the journals kept on another disk
        disk = outside.parent / "other-disk"  # not `outside`: writes belong there
        disk.mkdir()
        shutil.move(str(book / "journals"), disk / "journals")
        (book / "journals").symlink_to(disk / "journals")
        return False
    raise ValueError(how)


# what `check` must name (exit 1, or 2 for policies.toml; a leftover is a warning, exit 0) after each shape
CHECK_NAMES = {"fifo-day": "2026-11-02.toml", "fifo-new-day": "2026-11-04.toml", "fifo-policy": "policies.toml",
               "fifo-seal-log": "seals.log", "zero-day": "2026-11-02.toml", "zero-policy": "policies.toml",
               "huge-day": "2026-11-02.toml", "huge-policy": "policies.toml", "link-day-out": "2026-11-05.toml",
               "link-policy-out": "policies.toml", "link-seals-out": "seals.log", "wrong-year": "journals/2025",
               "leftover-temp": ".tmp", "link-year-out": "journals/2026"}


def _outside_state(outside: Path) -> dict:
    out = {}
    for folder, dirs, files in os.walk(outside, followlinks=False):
        for name in files:
            q = Path(folder) / name
            out[str(q.relative_to(outside))] = q.stat().st_size if q.is_file() and not q.is_symlink() else "special"
    return out


def example_fs(rng, book: Path, ids: dict, work: Path) -> dict:
    import signal as _signal

    outside = work / "outside"
    outside.mkdir()
    how = rng.choice(FS_SHAPES)
    damaged = _shape(rng, how, book, outside)
    args = list(rng.choice(FS_COMMANDS))
    out_target = rng.choice([work / "out.csv", book / "policies.toml", book / "journals/seals.log", work / "fifo-out",
                             work / "link-out"])
    if out_target.name == "fifo-out":
        os.mkfifo(out_target)
    elif out_target.name == "link-out":
        out_target.symlink_to(outside / "victim.csv")
    statement = rng.choice([SAMPLES / "cn_icbc_debit_v2.csv", work / "stmt-fifo", Path("/dev/zero"), work / "stmt-huge"])
    if statement.name == "stmt-fifo":
        os.mkfifo(statement)
    elif statement.name == "stmt-huge":
        with open(statement, "wb") as fh:
            fh.truncate(64 * 1024 * 1024 + 1)
    args = [str(out_target) if a == "OUT" else str(statement) if a == "STATEMENT" else a for a in args]
    info = {"shape": how, "args": args}
    before, outside_before = snap(book), _outside_state(outside)

    hung: list[bool] = []

    def alarm(*_):
        hung.append(True)
        raise _Hang()

    old = _signal.signal(_signal.SIGALRM, alarm)
    _signal.alarm(FS_TIMEOUT_S)
    try:
        try:
            r = cli(*args, book=book)
        except _Hang:
            hung.append(True)
        finally:
            _signal.alarm(0)
            _signal.signal(_signal.SIGALRM, old)
        if hung:
            raise Failure(f"hang: {how} / {args[0]}", json.dumps(args))
        info.update(code=r.code, out=r.out[-2000:], err=r.err[-2000:])
        sane(args, r)
        if _outside_state(outside) != outside_before:
            raise Failure(f"a write left the book: {how} / {args[0]}", json.dumps(_outside_state(outside))[:500])
        if r.code == 2 and snap(book) != before:
            raise Failure(f"refused command changed the book: {how} / {args[0]}")
        if damaged and args[0] in WRITES and r.code == 0 and how not in ("huge-policy",) and "bank" != args[0]:
            raise Failure(f"a write went through on a damaged book: {how} / {args[0]}")
        if how.startswith("leftover-temp") and args[0] in ("receive",) and r.code == 0 and tmp_leftovers(book):
            raise Failure("a write did not sweep a leftover temporary file")
        if args == ["check"] and how in CHECK_NAMES and (r.code == 0 and how != "leftover-temp" or CHECK_NAMES[how] not in r.out + r.err):
            raise Failure(f"check did not name the {how}", (r.out + r.err)[-1500:])
        if args[0] == "export" and r.code == 0 and out_target.name != "out.csv":
            raise Failure(f"export replaced {out_target.name}")
    except Failure as f:
        f.info = info
        raise
    return info


SURFACES = {"args": example_args, "journal": example_journal, "policy": example_policy, "statement": example_statement,
            "fs": example_fs}


def _save(out_dir: Path, surface: str, seed: int, book_before: Path, f: Failure) -> Path:
    d = out_dir / f"{surface}-{seed}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    shutil.copytree(book_before, d / "book", symlinks=True)
    info = getattr(f, "info", {}) or {}
    meta = {"surface": surface, "seed": seed, "signature": f.signature, "detail": f.detail[-3000:]}
    for k, v in info.items():
        if isinstance(v, bytes):
            (d / k.replace("/", "_")).write_bytes(v)
            meta[k] = f"(saved as {k.replace('/', '_')}, {len(v)} bytes)"
        else:
            meta[k] = v
    (d / "failure.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    (d / "repro.sh").write_text(f"#!/bin/sh\n# {f.signature}\ncd \"$(dirname \"$0\")/../../..\" && "
                                f"python bench/soak.py --replay {surface}:{seed}\n")
    return d


EXAMPLE_TIMEOUT_S = 120  # an example (a few commands on a small book) that runs longer is a hang


def _fuzz_worker(job) -> dict:
    """Seeds ``seeds`` of every surface, in turns (surface by surface within each seed), so that
    a time limit cuts every surface alike. Each example has an alarm: a hang is a failure."""
    surfaces, seeds, base_seed, out_dir, deadline = job
    os.environ["CASHBOOK_NOW"] = NOW
    for k in ("CASHBOOK_DEBUG", "CASHBOOK_BOOK", "CASHBOOK_NO_CACHE"):
        os.environ.pop(k, None)
    per: dict[str, dict] = {s: {"tried": 0, "counts": Counter(), "saved": defaultdict(list), "examples": {}} for s in surfaces}

    def alarm(*_):
        raise _Hang()

    with tempfile.TemporaryDirectory(prefix="soak-fuzz-") as tmp:
        tmp = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(tmp / "xdg-cache")  # never the user's own cache
        os.chdir(tmp)  # a command that wrongly took the current folder for the book writes here, not in the project
        template = tmp / "template"
        ids = build_template(template)
        for n, seed in enumerate(seeds):
            if time.time() > deadline:
                break
            for surface in surfaces:
                m = per[surface]
                rng = random.Random(f"{base_seed}:{surface}:{seed}")
                work = tmp / f"w{seed}"
                work.mkdir()
                book = work / "book"
                shutil.copytree(template, book, symlinks=True)
                pristine = work / "pristine"
                old = signal.signal(signal.SIGALRM, alarm)
                signal.alarm(EXAMPLE_TIMEOUT_S)
                try:
                    try:
                        SURFACES[surface](rng, book, ids, work)
                    except _Hang:
                        raise Failure(f"hang: {surface} (over {EXAMPLE_TIMEOUT_S} s)")
                    finally:
                        signal.alarm(0)
                        signal.signal(signal.SIGALRM, old)
                    m["counts"]["ok"] += 1
                except Failure as f:
                    m["counts"][f.signature] += 1
                    m["examples"].setdefault(f.signature, seed)
                    if len(m["saved"][f.signature]) < SAVE_PER_SIGNATURE:
                        shutil.copytree(template, pristine, symlinks=True)
                        m["saved"][f.signature].append(str(_save(Path(out_dir), surface, seed, pristine, f)))
                except Exception as exc:  # a bug in this harness, not in cashbook: count it apart
                    m["counts"][f"harness error: {type(exc).__name__}: {str(exc)[:80]}"] += 1
                finally:
                    for folder in work.rglob("*"):  # a read-only folder an example made
                        with contextlib.suppress(OSError):
                            if folder.is_dir() and not folder.is_symlink():
                                folder.chmod(0o755)
                    shutil.rmtree(work, ignore_errors=True)
                m["tried"] += 1
            if n % 100 == 99:
                print(f"  [{os.getpid()}] {time.strftime('%H:%M:%S')} {n + 1} seeds x {len(surfaces)} surfaces", file=sys.stderr, flush=True)
    return [{"surface": s, "tried": m["tried"], "counts": dict(m["counts"]), "saved": dict(m["saved"]), "examples": m["examples"]}
            for s, m in per.items()]


def run_fuzz(surfaces, n, workers, base_seed, out_dir, deadline) -> dict:
    jobs = [(list(surfaces), list(range(w, n, workers)), base_seed, str(out_dir), deadline) for w in range(workers)]
    ctx = mp.get_context("fork")
    with ctx.Pool(workers) as pool:
        results = [r for rs in pool.map(_fuzz_worker, jobs, chunksize=1) for r in rs]
    merged: dict = {}
    for r in results:
        m = merged.setdefault(r["surface"], {"tried": 0, "counts": Counter(), "saved": defaultdict(list), "examples": {}})
        m["tried"] += r["tried"]
        m["counts"].update(r["counts"])
        for k, v in r["saved"].items():
            m["saved"][k] += v
        for k, v in r["examples"].items():
            m["examples"].setdefault(k, v)
    return merged


def replay(spec: str, base_seed: int) -> None:
    surface, seed = spec.split(":")
    os.environ["CASHBOOK_NOW"] = NOW
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ids = build_template(tmp / "template")
        work = tmp / "w"
        work.mkdir()
        shutil.copytree(tmp / "template", work / "book", symlinks=True)
        rng = random.Random(f"{base_seed}:{surface}:{int(seed)}")
        try:
            info = SURFACES[surface](rng, work / "book", ids, work)
            print("no failure", json.dumps(info, ensure_ascii=False, default=lambda b: f"<{len(b)} bytes>")[:3000])
        except Failure as f:
            print("FAILURE:", f.signature)
            print(f.detail[-3000:])
            print(json.dumps(getattr(f, "info", {}), ensure_ascii=False, indent=1, default=lambda b: b[:400].decode("utf-8", "replace"))[:6000])


# -- kills -----------------------------------------------------------------------------------

ORPHANS = Counter()
KILL_WITHIN_S = 6.0  # a writer's start-up takes a second or two on a loaded machine: kills must land in its work too


def _kill(p: subprocess.Popen, rng: random.Random, upto: float) -> list[str]:
    k = kill_at_random(p, rng, upto)
    if not k.started:
        raise Failure("writer did not start", k.err[-1500:])
    if k.orphans:  # its parsing pool's workers outlived it (they would hold the book lock)
        ORPHANS["rounds"] += 1
        ORPHANS["processes"] += k.orphans
    if k.failed:
        raise Failure("writer refused work after an earlier kill: " + re.sub(r"[0-9]+", "N", k.failed[0][:120]), k.failed[0] + k.err[-1500:])
    return k.lines


def _driver(book: Path, mode: str, *args: str) -> subprocess.Popen:
    return start_writer(book, mode, *args)


def _ids_in(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [e["id"] for e in tomllib.loads(path.read_text(encoding="utf-8")).get("entry", [])]


def _check_clean(book: Path) -> None:
    r = cli("check", "--format", "json", book=book)
    sane(["check"], r)
    try:
        errors = [p for p in r.json["problems"] if p["severity"] == "block"]
    except ValueError:
        raise Failure(f"check exit {r.code} after a kill", r.err[-1500:])
    if r.code != 0 or errors:
        raise Failure("check not clean after a kill: " + ",".join(sorted({p["code"] for p in errors})), json.dumps(errors[:5], ensure_ascii=False))


def _days(n: int) -> list[str]:
    import datetime as dt

    return [(dt.date(2026, 1, 1) + dt.timedelta(days=i)).isoformat() for i in range(n)]


def _new_book(tmp: Path, name: str, opening_day: str = "2026-11-01") -> Path:
    book = tmp / name
    shutil.rmtree(book, ignore_errors=True)
    assert cli("init", str(book)).code == 0
    assert cli("opening", "cash", "1500", "--date", opening_day, book=book).code == 0
    assert cli("opening", "bank", "50000", "--date", opening_day, book=book).code == 0
    return book


def _write_days(book: Path, days: list[str]) -> None:
    for d in days:
        c = d.replace("-", "")
        path = book / "journals" / d[:4] / f"{d}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'[[entry]]\nid = "{c}-001"\nkind = "receipt"\ntime = "{d}T09:00:00+08:00"\namount = "100.00"\nparty = "P"\n'
                        f'category = "rent"\n\n[[entry]]\nid = "{c}-002"\nkind = "bank-deposit"\ntime = "{d}T10:00:00+08:00"\n'
                        f'account = "bank"\namount = "100.00"\n', encoding="utf-8")


def _statements(folder: Path, n: int, rng: random.Random) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n * 10 + 10):
        amount = rng.randint(1, 9999)
        income = rng.random() < 0.5
        rows.append(f"2026-{1 + (i // 28) % 10:02d}-{1 + i % 28:02d},{'存入' if income else '支付'} {i},{amount if income else ''},{'' if income else amount}")
    files = []
    for k in range(n):
        f = folder / f"stmt{k:04d}.csv"
        f.write_text("交易日期,摘要,收入金额,支出金额\n" + "\n".join(rows[k * 10: k * 10 + 20]) + "\n", encoding="utf-8")
        files.append(f)
    return files


def _stored(book: Path) -> list[str]:
    uids = []
    folder = book / "journals/bank/bank"
    for p in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        if p.name == "decisions.toml":
            continue
        uids += [l["uid"] for l in tomllib.loads(p.read_text(encoding="utf-8")).get("line", [])]
    return uids


def run_kills(total: int, base_seed: int, out_dir: Path, deadline: float) -> dict:
    os.environ["CASHBOOK_NOW"] = "2026-12-31T20:00:00+08:00"  # room for many days to close
    rng = random.Random(f"{base_seed}:kills")
    stats = {m: Counter() for m in ("append", "close", "import")}
    failures: Counter = Counter()
    saved: dict[str, list[str]] = defaultdict(list)
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="soak-kills-") as tmp:
        tmp = Path(tmp)
        books: dict[str, dict] = {}

        def fresh(mode: str) -> dict:
            n = stats[mode]["books"]
            stats[mode]["books"] += 1
            if mode == "append":
                return {"book": _new_book(tmp, f"append{n}"), "ack": []}
            if mode == "close":
                book = _new_book(tmp, f"close{n}", "2026-01-01")
                days = _days(120)
                _write_days(book, days[1:])
                return {"book": book, "days": days, "sealed": []}
            book = _new_book(tmp, f"import{n}")
            return {"book": book, "files": [str(f) for f in _statements(tmp / f"stmts{n}", 200, rng)], "done": []}

        i = 0
        while i < total and time.time() < deadline:
            mode = ("append", "close", "import")[i % 3]
            st = books.get(mode) or books.setdefault(mode, fresh(mode))
            book = st["book"]
            try:
                if mode == "append":
                    path = book / "journals/2026/2026-11-05.toml"
                    before = len(_ids_in(path))
                    printed = [l.split()[1] for l in _kill(_driver(book, "append", f"k{i}", "2000"), rng, KILL_WITHIN_S) if l.startswith("id ")]
                    st["ack"] += printed
                    ids = _ids_in(path)
                    if len(ids) != len(set(ids)):
                        raise Failure("append: an id written twice")
                    if len(ids) - before not in (len(printed), len(printed) + 1):
                        raise Failure("append: entries lost or extra", f"before {before} printed {len(printed)} now {len(ids)}")
                    if not set(st["ack"]) <= set(ids):
                        raise Failure("append: an acknowledged entry is missing")
                    stats[mode]["acknowledged"] += len(printed)
                    if len(ids) > 600:
                        books.pop(mode)
                elif mode == "close":
                    todo = [d for d in st["days"] if d not in st["sealed"]]
                    lines = _kill(_driver(book, "close", *todo), rng, KILL_WITHIN_S)
                    new = [l.split()[1] for l in lines if l.startswith("sealed ")]
                    st["sealed"] += new
                    stats[mode]["acknowledged"] += len(new)
                    for d in new[-3:]:
                        r = cli("report", "day", d, "--format", "json", book=book)
                        if not r.json.get("sealed"):
                            raise Failure("close: an acknowledged seal is missing", d)
                    if len(todo) - len(new) < 5:
                        books.pop(mode)
                else:
                    todo = [f for f in st["files"] if f not in st["done"]]
                    lines = _kill(_driver(book, "import", *todo), rng, KILL_WITHIN_S)
                    new = [l.split()[1] for l in lines if l.startswith("imported ")]
                    st["done"] += new
                    stats[mode]["acknowledged"] += len(new)
                    uids = _stored(book)
                    if len(uids) != len(set(uids)):
                        raise Failure("import: a statement line stored twice")
                    for f in rng.sample(st["done"], min(2, len(st["done"]))):
                        again = cli("bank", "import", f, "--account", "bank", "--output-format", "json", book=book)
                        sane(["bank", "import"], again)
                        if again.code != 0 or again.json["added"] != 0:
                            raise Failure("import: an acknowledged import is incomplete", again.out[-300:] + again.err[-300:])
                    if len(todo) - len(new) < 5:
                        books.pop(mode)
                _check_clean(book)
                left = tmp_leftovers(book)
                if left:  # a SIGKILL mid-write cannot clean up; count it (minor: the next write does not either)
                    stats[mode]["rounds_leaving_tmp_files"] += 1
                    stats[mode]["tmp_files_now"] = len(left)
                stats[mode]["kills"] += 1
            except Failure as f:
                stats[mode]["kills"] += 1
                failures[f.signature] += 1
                if len(saved[f.signature]) < SAVE_PER_SIGNATURE:
                    d = out_dir / f"kill-{mode}-{i}"
                    shutil.rmtree(d, ignore_errors=True)
                    shutil.copytree(book, d / "book", symlinks=True)
                    (d / "failure.json").write_text(json.dumps({"mode": mode, "round": i, "seed": base_seed, "signature": f.signature,
                                                                "detail": f.detail[-3000:]}, ensure_ascii=False, indent=2))
                    saved[f.signature].append(str(d))
                books.pop(mode, None)  # a broken book: start again
            i += 1
    elapsed = time.time() - t0
    if ORPHANS:
        failures["orphaned pool workers outlived a killed writer"] += ORPHANS["rounds"]
    return {"kills": i, "elapsed": elapsed, "per_minute": 60 * i / elapsed if elapsed else 0, "orphans": dict(ORPHANS),
            "by_mode": {m: dict(c) for m, c in stats.items()}, "failures": dict(failures), "saved": dict(saved)}


# -- concurrent writers ----------------------------------------------------------------------

def run_procs(procs: int, appends: int, cli_appends: int) -> dict:
    os.environ["CASHBOOK_NOW"] = NOW
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="soak-procs-") as tmp:
        book = _new_book(Path(tmp), "book")
        t0 = time.time()
        ps = [_driver(book, "append", f"p{i}", str(appends)) for i in range(procs)]
        outs = [p.communicate(timeout=3600) for p in ps]
        elapsed = time.time() - t0
        ids = [l.split()[1] for o, _ in outs for l in o.splitlines() if l.startswith("id ")]
        stored = _ids_in(book / "journals/2026/2026-11-05.toml")
        bal = cli("report", "balances", "--format", "json", book=book)
        problems = []
        if any(p.returncode != 0 for p in ps):
            problems.append("a writer failed: " + " | ".join(o[1][-300:] for o in outs if o[1]))
        if len(ids) != procs * appends or len(set(ids)) != len(ids):
            problems.append(f"ids: {len(ids)} printed, {len(set(ids))} unique, {procs * appends} expected")
        if sorted(stored) != sorted(ids):
            problems.append(f"stored {len(stored)} != printed {len(ids)}")
        if f'"{50000 + len(stored)}.00"' not in bal.out:
            problems.append("balance wrong")
        out["driver"] = {"processes": procs, "appends_each": appends, "ok": len(ids), "seconds": round(elapsed, 1),
                         "appends_per_second": round(len(ids) / elapsed, 1), "problems": problems}
        exe = shutil.which("cashbook")
        if exe and cli_appends:
            env = {**os.environ, "CASHBOOK_NOW": NOW}
            t0 = time.time()

            def clerk(tag):
                got = []
                for i in range(cli_appends):
                    p = subprocess.run([exe, "receive", "1.00", "--from", f"{tag}-{i}", "--category", "rent", "--account", "bank",
                                        "--date", "2026-11-06", "--format", "json", "--book", str(book)], capture_output=True, text=True, env=env)
                    got.append((p.returncode, p.stdout, p.stderr))
                return got

            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(procs) as pool:
                res = [x for r in pool.map(clerk, [f"c{i}" for i in range(procs)]) for x in r]
            elapsed = time.time() - t0
            ok = [json.loads(o)["id"] for c, o, e in res if c == 0]
            stored = _ids_in(book / "journals/2026/2026-11-06.toml")
            probs = []
            if len(ok) != len(res):
                probs.append(f"{len(res) - len(ok)} console-script appends failed: " + next((e[-300:] for c, o, e in res if c), ""))
            if len(set(ok)) != len(ok) or sorted(stored) != sorted(ok):
                probs.append("console-script ids not unique or not all stored")
            out["console_script"] = {"processes": procs, "appends_each": cli_appends, "ok": len(ok), "seconds": round(elapsed, 1),
                                     "problems": probs}
        chk = cli("check", book=book)
        out["check_after"] = chk.code
    return out


# -- a valid 50 MB day -----------------------------------------------------------------------

def run_bigday(mb: int) -> dict:
    os.environ["CASHBOOK_NOW"] = NOW
    with tempfile.TemporaryDirectory(prefix="soak-bigday-") as tmp:
        book = _new_book(Path(tmp), "book")
        lines = []
        size, n = 0, 0
        while size < mb * 2**20:
            n += 1
            e = (f'[[entry]]\nid = "20261105-{n:03d}"\nkind = "receipt"\ntime = "2026-11-05T09:00:00+08:00"\n'
                 f'amount = "1.00"\nparty = "{"P" * 150}"\nmemo = "{"M" * 150}"\ncategory = "rent"\naccount = "bank"\nmethod = "transfer"\n\n')
            lines.append(e)
            size += len(e)
        (book / "journals/2026/2026-11-05.toml").write_text("".join(lines), encoding="utf-8")
        t0 = time.time()
        r = cli("check", book=book)
        t_check = time.time() - t0
        t0 = time.time()
        r2 = cli("check", book=book)
        t_warm = time.time() - t0
        t0 = time.time()
        w = cli("receive", "1", "--from", "A", "--category", "rent", "--date", "2026-11-06", book=book)
        t_rec = time.time() - t0
        return {"megabytes": mb, "entries": n, "check_exit": r.code, "check_seconds": round(t_check, 1),
                "check_warm_seconds": round(t_warm, 1), "receive_exit": w.code, "receive_seconds": round(t_rec, 1),
                "tail": (r.out + r.err)[-300:], "internal_error": "internal error" in r.err + r2.err + w.err}


# -- main ------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=1000)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--appends", type=int, default=200)
    ap.add_argument("--cli-appends", type=int, default=10, help="console-script appends per process (each pays start-up)")
    ap.add_argument("--fuzz", type=int, default=10000, help="fuzzed inputs per surface")
    ap.add_argument("--workers", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default="kills,procs,args,journal,policy,statement,fs,bigday")
    ap.add_argument("--bigday-mb", type=int, default=50)
    ap.add_argument("--time-limit", type=float, default=0, help="stop starting new work after this many seconds (0: none)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "soak-failures"))
    ap.add_argument("--json", help="also write the summary here")
    ap.add_argument("--replay", help="SURFACE:SEED of one fuzzed example")
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if a.replay:
        replay(a.replay, a.seed)
        return 0
    out_dir = Path(a.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    only = set(a.only.split(","))
    t_start = time.time()
    deadline = t_start + a.time_limit if a.time_limit else float("inf")
    summary: dict = {"seed": a.seed, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    new_failures = 0

    def show(title, obj):
        print(f"\n== {title}", flush=True)
        print(json.dumps(obj, ensure_ascii=False, indent=2, default=str), flush=True)

    fuzz_surfaces = [s for s in ("args", "journal", "policy", "statement", "fs") if s in only]
    if fuzz_surfaces and a.fuzz:
        # share the time: fuzzing gets what is left after the other sections' rough needs
        t0 = time.time()
        res = run_fuzz(fuzz_surfaces, a.fuzz, a.workers, a.seed, out_dir, deadline)
        for s, m in res.items():
            fails = {k: v for k, v in m["counts"].items() if k != "ok"}
            new = {k: v for k, v in fails.items() if not k.startswith("known:")}
            new_failures += sum(new.values())
            summary[f"fuzz_{s}"] = {"tried": m["tried"], "ok": m["counts"].get("ok", 0), "failures": fails,
                                    "first_seed": m["examples"], "saved": dict(m["saved"])}
            show(f"fuzz {s}: {m['tried']} tried", summary[f"fuzz_{s}"])
        summary["fuzz_seconds"] = round(time.time() - t0, 1)
    if "kills" in only and a.kills:
        res = run_kills(a.kills, a.seed, out_dir, deadline)
        new_failures += sum(v for k, v in res["failures"].items() if not k.startswith("known:"))
        summary["kills"] = res
        show(f"kills: {res['kills']} in {res['elapsed']:.0f} s ({res['per_minute']:.1f}/min)", res)
    if "procs" in only and a.procs and time.time() < deadline:
        res = run_procs(a.procs, a.appends, a.cli_appends)
        new_failures += sum(len(v.get("problems", [])) for v in res.values() if isinstance(v, dict))
        summary["procs"] = res
        show("concurrent writers", res)
    if "bigday" in only and time.time() < deadline:
        res = run_bigday(a.bigday_mb)
        summary["bigday"] = res
        new_failures += int(res["internal_error"] or res["check_exit"] not in (0, 1))
        show("a valid big day file", res)
    summary["seconds"] = round(time.time() - t_start, 1)
    summary["new_failures"] = new_failures
    print(f"\n== done in {summary['seconds']} s: {new_failures} failure(s); reproducers under {out_dir}", flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return 1 if new_failures else 0


if __name__ == "__main__":
    sys.exit(main())
