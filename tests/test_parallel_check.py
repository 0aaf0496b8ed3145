"""`cashbook check` spread over forked workers finds exactly what one process finds.

A generated book of 100 day files is damaged the ways a hand edit damages a book (entries
copied into other days: duplicate ids, reused cheque and receipt numbers, sealed days
changed; a file rewritten by hand outside the canonical layout; a file broken outright),
then checked both ways.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cashbook.core.rules import check_entry
from cashbook.store import book as book_module
from cashbook.store.book import Book

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import generate  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="workers need fork and two cores")


@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("parallel") / "data"
    generate.generate(3000, out, seed=11, days=100, meta=False)
    root = out / "cashbook"
    files = sorted((root / "journals").glob("[0-9]*/*.toml"))  # day files only (journals/policies/ holds the policy versions)
    assert len(files) > book_module.PARALLEL_FROM
    rng = random.Random(5)
    blocks = []
    for f in files[:60]:
        blocks += ["[[entry]]\n" + b for b in f.read_text(encoding="utf-8").split("[[entry]]\n")[1:]]
    for k in range(40):  # an entry of an early day copied into a later one, dated that day, half with new ids
        target = rng.choice(files[40:])
        block = re.sub(r'time = "[0-9-]{10}', f'time = "{target.stem}', rng.choice(blocks))
        if k % 2:
            block = re.sub(r'id = "[^"]*"', f'id = "{target.stem.replace("-", "")}-9{k:02d}"', block, count=1)
        with target.open("a", encoding="utf-8") as fh:
            fh.write("\n" + block.rstrip("\n") + "\n")
    hand = files[70]  # rewritten by hand: same content, another TOML layout (the general reader)
    hand.write_text(hand.read_text(encoding="utf-8").replace(" = ", "="), encoding="utf-8")
    broken = files[85]
    broken.write_text(broken.read_text(encoding="utf-8") + "\n[[entry]\nid = \n", encoding="utf-8")
    return root


def _check(root: Path, monkeypatch, workers: str):
    monkeypatch.setenv("CASHBOOK_WORKERS", workers)
    return Book(root, use_cache=False).load(checker=check_entry, refuse_damaged=False)  # as `check` reads it


def test_workers_find_what_one_process_finds(damaged, monkeypatch):
    ran = []
    real = Book._load_in_chunks

    def spy(self, *args):
        out = real(self, *args)
        ran.append(True)  # reached only when every worker answered (no silent fallback)
        return out

    monkeypatch.setattr(Book, "_load_in_chunks", spy)
    one = _check(damaged, monkeypatch, "1")
    assert not ran
    many = _check(damaged, monkeypatch, "")
    assert ran, "the check ran in workers"
    assert [p.as_json() for p in many.problems] == [p.as_json() for p in one.problems]
    codes = {p.code for p in one.problems}
    assert {"duplicate-id", "toml-syntax", "receipt-number-used", "day-sealed"} <= codes, codes
    assert [e.id for e in many.order] == [e.id for e in one.order]
    assert many.where == one.where
    assert many.state.balances == one.state.balances
    assert dict(many.state.receipt_numbers) == dict(one.state.receipt_numbers)
    assert many.state.seals.keys() == one.state.seals.keys()
    assert [f.path for f in many.files] == [f.path for f in one.files]


def _cli(root: Path, *args: str, workers: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASHBOOK_")}
    env.update(CASHBOOK_NOW=f"{generate.LAST_DAY}T18:00:00{generate.OFFSET}", LC_ALL="C.UTF-8")
    if workers:
        env["CASHBOOK_WORKERS"] = workers
    return subprocess.run([sys.executable, "-m", "cashbook", *args, "--book", str(root)], capture_output=True,
                          text=True, env=env, timeout=600)


def test_check_command_answers_the_same_with_workers_and_cache(damaged, tmp_path):
    root = tmp_path / "book"
    shutil.copytree(damaged, root)
    alone = _cli(root, "check", "--no-cache", "--format", "json", workers="1")
    spread = _cli(root, "check", "--no-cache", "--format", "json")
    assert alone.returncode == spread.returncode == 1, alone.stderr
    assert spread.stdout == alone.stdout
    assert "Traceback" not in spread.stderr
    cold = _cli(root, "check", "--format", "json")  # fills the cache through the workers
    warm = _cli(root, "check", "--format", "json")  # checks come from the cache
    assert cold.stdout == warm.stdout == alone.stdout
    assert json.loads(alone.stdout)["errors"] > 0
