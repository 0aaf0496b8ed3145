"""Tests of the benchmark's data generator (bench/generate.py).

They generate small books and hold the generator to its promises: exactly N entries,
deterministic bytes, the canonical layout cashbook writes, a book `cashbook check` finds
clean (no error, no warning), and ledger/beancount files identical to `cashbook export`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import generate  # noqa: E402

N = 1500  # 37 business days of ~40 entries: openings, month starts, voids, closes, all kinds


def cashbook(*args: str, book: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASHBOOK_")}
    env.update(CASHBOOK_NOW=f"{generate.LAST_DAY}T18:00:00{generate.OFFSET}", LC_ALL="C.UTF-8")
    return subprocess.run([sys.executable, "-m", "cashbook", *args, "--book", str(book)], capture_output=True,
                          text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "data"
    generate.generate(N, out, seed=7)
    return out


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.name != "meta.json":
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def test_exact_count_and_shape(data):
    meta = json.loads((data / "meta.json").read_text(encoding="utf-8"))
    assert meta["entries"] == N and sum(meta["kinds"].values()) == N
    for kind in ("receipt", "payment", "bank-deposit", "withdrawal", "transfer", "void", "cash-count", "day-close",
                 "deposit-hold", "collection", "advance"):
        assert meta["kinds"].get(kind, 0) > 0, kind
    assert meta["categories"] >= 30 and meta["payees"] >= 500
    text = (data / "cashbook" / "journals" / generate.LAST_DAY.strftime("%Y") / f"{generate.LAST_DAY}.toml").read_text(encoding="utf-8")
    assert "day-close" not in text  # the last day stays open for the append benchmark


def test_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate.generate(600, a, seed=3)
    generate.generate(600, b, seed=3)
    assert digest(a) == digest(b)
    generate.generate(600, b, seed=4)
    assert digest(a) != digest(b)


def test_canonical_layout(data):
    """Every day file is what cashbook itself would have written, entry by entry."""
    from cashbook.store.journal import HEADER, entry_text, read_day

    files = sorted((data / "cashbook" / "journals").glob("[0-9][0-9][0-9][0-9]/*.toml"))
    assert files and (data / "cashbook" / "journals" / "policies").is_dir()  # the first policy version, as a book in use
    for path in files:
        df = read_day(path)
        assert not df.problems, df.problems[:3]
        expected = HEADER.format(date=df.day) + "".join("\n" + entry_text(e) for e in df.entries)
        assert path.read_text(encoding="utf-8") == expected, path


def test_cashbook_check_is_clean(data):
    r = cashbook("check", "--format", "json", book=data / "cashbook")
    report = json.loads(r.stdout)
    assert r.returncode == 0, r.stdout[:2000]
    assert report["entries"] == N
    assert report["errors"] == 0 and report["warnings"] == 0, report["problems"][:5]


@pytest.mark.parametrize("fmt,name", [("ledger", "ledger.journal"), ("beancount", "book.beancount")])
def test_same_as_cashbook_export(data, fmt, name):
    r = cashbook("export", "--to", fmt, book=data / "cashbook")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (data / name).read_text(encoding="utf-8")


@pytest.mark.skipif(not shutil.which("ledger"), reason="ledger not installed")
def test_ledger_balances(data):
    r = subprocess.run(["ledger", "-f", str(data / "ledger.journal"), "bal"], capture_output=True, text=True,
                       env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.rstrip().endswith("0")  # the postings of every transaction sum to zero


@pytest.mark.skipif(not shutil.which("hledger"), reason="hledger not installed")
def test_hledger_strict(data):
    r = subprocess.run(["hledger", "-f", str(data / "ledger.journal"), "check", "--strict"], capture_output=True, text=True,
                       env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert r.returncode == 0, r.stderr


def test_bean_check(data):
    loader = pytest.importorskip("beancount.loader")
    _, errors, _ = loader.load_file(str(data / "book.beancount"))
    assert not errors, errors[:3]


def test_helpers():
    assert generate.count_items(123_450) == ["100x12", "20x1", "10x1", "1x4", "0.5x1"]
    assert generate.count_items(12_350) == ["100x1", "20x1", "1x3", "0.5x1"]
    assert generate.money(-5) == "-0.05" and generate.money(123456) == "1234.56"


@pytest.mark.skipif(not shutil.which("ledger") or not shutil.which("hledger"), reason="ledger and hledger not installed")
def test_runner_appends_in_place_and_says_why_it_skips(tmp_path):
    BOUND = 8  # seconds: a toy append takes ~0.3 s alone, but a loaded 2-core machine can take several
    """bench/run.py end to end at toy sizes: the in-place append leaves the generated book
    as it was, and another tool predicted past the timeout is skipped with the reason."""
    data = tmp_path / "data"
    run = subprocess.run([sys.executable, str(Path(generate.__file__).with_name("run.py")), "--sizes", "300,9000",
                          "--repeats", "1", "--timeout", str(BOUND), "--no-reference", "--data", str(data),
                          "--only", "cb-append$|hledger-bal$", "--results", str(tmp_path / "R.md"),
                          "--json", str(tmp_path / "r.json")], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    fresh = tmp_path / "again"
    generate.generate(300, fresh, seed=1)
    assert digest(data / "n300-s1" / "cashbook" / "journals") == digest(fresh / "cashbook" / "journals")
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    assert results["cb-append"]["300"]["status"] == "ok"
    hledger = results["hledger-bal"]
    if hledger["300"]["status"] == "ok" and hledger["300"]["runs"][0]["seconds"] * 30 > BOUND:
        assert hledger["9000"]["status"] == "skipped" and f"past the {BOUND} s bound" in (tmp_path / "R.md").read_text()
