"""Shared by the hostile-input tests (test_hostile_*.py, one file per surface: arguments, journals,
policies, statements, the file system): whatever a user types, a file holds or a bank sends,
cashbook answers with a message and exit 0, 1 or 2, never a traceback, and a refusal changes
nothing. No bug is forgiven: a fuzzer that meets an internal error fails.

Each surface also runs a small, fixed sample of bench/soak.py's own generator and oracles
(`soak_sample`), so the suite and the soak judge alike; the soak runs 10,000 per surface.
Set HOSTILE_SEED to draw another sample.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck

from conftest import NOW, ROOT, SHARED
from harness import FILE_ERRORS, build_template, contract_breach, snap, tmp_leftovers  # noqa: F401 (re-exported for the tests)

SAMPLES = SHARED / "samples" / "statements"
SAMPLE_FILES = sorted(p for p in SAMPLES.glob("*") if p.is_file() and p.suffix not in (".md", ".json")) if SAMPLES.is_dir() else []
FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                  HealthCheck.data_too_large, HealthCheck.large_base_example])
DAY2 = "journals/2026/2026-11-02.toml"
INVALID_UTF8 = [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe4\xb8", b"\x80"]


def sane(r) -> None:
    """The contract for any input: exit 0, 1 or 2, no traceback, no internal error."""
    breach = contract_breach(r)
    assert breach is None, (breach, r.code, r.out[-2000:], r.err[-2000:])


def file_problems(cli, book: Path) -> list[dict]:
    """File errors as the files say (check reads every file; the cache is dropped all the same)."""
    from cashbook.store.cache import cache_dir

    shutil.rmtree(cache_dir(book), ignore_errors=True)
    r = cli("check", "--format", "json", book=book)
    sane(r)
    if r.code == 2:
        return [{"code": "check-refused", "message": r.out + r.err}]
    return [p for p in r.json["problems"] if p["code"] in FILE_ERRORS | {"bad-file-name"}]


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    """A small, realistic book built once: Nov 1 sealed, Nov 2 open with every kind of entry."""
    from cashbook.store.cache import cache_dir

    root = tmp_path_factory.mktemp("template") / "book"
    with contextlib.redirect_stdout(io.StringIO()):
        ids = build_template(root)
    shutil.rmtree(cache_dir(root), ignore_errors=True)
    return root, ids


@pytest.fixture
def fresh(template, tmp_path):
    """Copy the template book into a new folder; call it once per hypothesis example."""
    root, ids = template
    counter = iter(range(10**9))

    def make() -> Path:
        dst = tmp_path / f"b{next(counter)}"
        shutil.copytree(root, dst, symlinks=True)
        return dst

    make.ids = ids
    return make


@pytest.fixture(autouse=True)
def no_debug(monkeypatch):
    monkeypatch.delenv("CASHBOOK_DEBUG", raising=False)
    monkeypatch.delenv("CASHBOOK_BOOK", raising=False)
    monkeypatch.delenv("CASHBOOK_NO_CACHE", raising=False)


def _soak():
    sys.path.insert(0, str(ROOT / "bench"))
    import soak

    return soak


@pytest.fixture
def soak_sample(template, tmp_path, monkeypatch):
    """``run(surface, n)``: n examples of bench/soak.py's generator for ``surface``, each judged by
    the soak's own oracles; every failure is listed with its signature and seed."""
    soak = _soak()
    monkeypatch.setenv("CASHBOOK_NOW", NOW)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)  # a command that took the current folder for the book would write here
    root, ids = template
    seed = os.environ.get("HOSTILE_SEED", "suite")

    def run(surface: str, n: int) -> None:
        failures = []
        for i in range(n):
            work = tmp_path / f"{surface}{i}"
            work.mkdir()
            book = work / "book"
            shutil.copytree(root, book, symlinks=True)
            try:
                soak.SURFACES[surface](random.Random(f"{seed}:{surface}:{i}"), book, ids, work)
            except soak.Failure as f:
                failures.append({"seed": f"{seed}:{surface}:{i}", "signature": f.signature, "detail": f.detail[-600:],
                                 "input": {k: v for k, v in getattr(f, "info", {}).items() if not isinstance(v, bytes)}})
            finally:
                for folder in book.rglob("*"):  # a read-only folder the example made
                    if folder.is_dir() and not folder.is_symlink():
                        folder.chmod(0o755)
        assert not failures, json.dumps(failures, ensure_ascii=False, indent=1, default=str)[:6000]
        assert not list(tmp_path.glob("policies.toml")) and not (tmp_path / "journals").exists(), "a command wrote into the current folder"

    return run
