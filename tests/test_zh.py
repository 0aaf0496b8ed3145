"""--lang zh (issue 17, 2), the part done so far: journals' 摘要, statuses, the reconciliation
statement and its notes in Chinese; CASHBOOK_LANG sets the default; JSON keys stay the same."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
NOW = {"CASHBOOK_NOW": "2026-11-29T10:00:00+08:00", "COLUMNS": "200"}


def english_words(text: str, demo: Path) -> set[str]:
    """Latin words that are not codes: account and category keys, ids and document numbers are allowed."""
    policy = tomllib.loads((demo / "policies.toml").read_text("utf-8"))
    allowed = set(policy["accounts"]) | set(policy["categories"]) | set(policy.get("deposit_types", {}))
    words = set(re.findall(r"(?<![\w-])[A-Za-z][A-Za-z-]+(?![\w-])", text))
    return {w for w in words if w not in allowed and not re.fullmatch(r"[A-Z]{1,4}", w)}


@pytest.mark.parametrize("args", [
    ("report", "journal", "--account", "cash", "--from", "2026-10-01", "--to", "2026-10-31"),
    ("report", "journal", "--account", "icbc", "--from", "2026-10-01", "--to", "2026-10-31"),
    ("report", "cheques"),
], ids=lambda a: " ".join(a[:3]))
def test_tables_in_chinese(demo, args):
    r = run_cli(*args, "--lang", "zh", book=demo, env=NOW)
    assert r.code == 0, r.err
    assert english_words(r.out, demo) == set(), r.out[:3000]


def test_reconciliation_statement_in_chinese(demo):
    r = run_cli("bank", "reconcile", "--account", "icbc", "--month", "2026-10", book=demo, env={**NOW, "CASHBOOK_LANG": "zh"})
    assert r.code == 0
    statement = r.out.split("银收企未收")[0]
    notes = r.out.strip().splitlines()[-3:]
    assert english_words(statement + "\n".join(notes), demo) == set()
    assert "调节后余额相符" in r.out and "编制" in r.out


def test_json_keys_the_same_in_both_languages(demo):
    args = ("report", "journal", "--account", "cash", "--from", "2026-10-01", "--to", "2026-10-02", "-f", "json")
    en = run_cli(*args, book=demo, env=NOW).json
    zh = run_cli(*args, "--lang", "zh", book=demo, env=NOW).json
    assert en.keys() == zh.keys()
    assert [sorted(l) for l in en["accounts"][0]["lines"]] == [sorted(l) for l in zh["accounts"][0]["lines"]]
    assert en["accounts"][0]["lines"][0]["summary"].startswith("receipt from")
    assert zh["accounts"][0]["lines"][0]["summary"].startswith("收")
