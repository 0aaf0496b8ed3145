"""Shared test helpers: a fresh book on disk, and the CLI run in-process or as a real subprocess."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "bench"))

# one CLI runner for the tests and bench/soak.py (bench/harness.py); NOW is the fixed clock
from harness import NOW, Result, invoke, run_cli  # noqa: E402

__all__ = ["NOW", "ROOT", "SHARED", "Result", "run_cli", "snapshot"]


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory):
    """Fixtures of a wider scope (a template book made once) get a cache folder too, never the
    real ~/.cache."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-session"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Each test its own cache folder (the cache lives outside the book, in the user's cache
    folder): tests never share a cache, nor write into the real ~/.cache."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def cli(monkeypatch):
    """Run the CLI in-process (fast): same entry point and error boundary as the console script."""

    def call(*args: str, book: Path | None = None) -> Result:
        monkeypatch.setenv("CASHBOOK_NOW", NOW)
        monkeypatch.setenv("COLUMNS", "200")
        return invoke(*args, book=book)

    return call


def copy_demo(root: Path) -> Path:
    """The demo book (policies.toml and journals/) copied into ``root`` (made if need be)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "policies.toml", root / "policies.toml")
    shutil.copytree(ROOT / "journals", root / "journals")
    return root


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A copy of the demo book shared by one test module."""
    return copy_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def book(tmp_path, cli):
    """A new book with default policies, opening cash 1,500.00 and bank 50,000.00 on 2026-11-01."""
    root = tmp_path / "book"
    assert cli("init", str(root)).code == 0
    assert cli("opening", "cash", "1500", "--date", "2026-11-01", book=root).code == 0
    assert cli("opening", "bank", "50000", "--date", "2026-11-01", book=root).code == 0
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of a book (for 'nothing was written' assertions); the lock is not the book
    (and the cache lives outside it)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".cashbook.lock"}
