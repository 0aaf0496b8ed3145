"""Shared test helpers: a fresh book on disk, and the CLI run in-process or as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# a fixed clock for every command: tests must not depend on the real date
NOW = "2026-11-20T10:00:00+08:00"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


def run_cli(*args: str, book: Path | None = None, env: dict | None = None) -> Result:
    """Run `cashbook ARGS` in a real subprocess."""
    full_env = {**os.environ, "CASHBOOK_NOW": NOW, "COLUMNS": "200", **(env or {})}
    cmd = [sys.executable, "-m", "cashbook", *args]
    if book is not None:
        cmd += ["--book", str(book)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=120)
    return Result(p.returncode, p.stdout, p.stderr)


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
def cli(monkeypatch, capsys):
    """Run the CLI in-process (fast): same entry point and error boundary as the console script."""
    from cashbook.cli import common
    from cashbook.cli.main import run

    def invoke(*args: str, book: Path | None = None) -> Result:
        monkeypatch.setenv("CASHBOOK_NOW", NOW)
        monkeypatch.setenv("COLUMNS", "200")
        common.Session.now = None
        common.Session.book = None
        common.Session.format = "table"
        argv = ["cashbook", *args] + (["--book", str(book)] if book is not None else [])
        monkeypatch.setattr(sys, "argv", argv)
        capsys.readouterr()
        try:
            run()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


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
