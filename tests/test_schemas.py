"""Machine output with a contract (issue 17, 6): report JSON carries ``schema`` (command and
version) and the JSON Schemas in docs/schemas/ are what the pydantic models generate; real
output of the demo book validates against them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cashbook.reports.schemas import FOLDER, MODELS, generated
from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
NOW = {"CASHBOOK_NOW": "2026-11-29T10:00:00+08:00"}


def test_committed_schemas_match_the_models():
    committed = {p.name: p.read_text("utf-8") for p in (ROOT / FOLDER).glob("*.schema.json")}
    assert committed == generated(), "regenerate with `python -m cashbook.reports.schemas`"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    shutil.copy(ROOT / "policies.toml", root / "policies.toml")
    shutil.copytree(ROOT / "journals", root / "journals")
    return root


@pytest.mark.parametrize("args", [
    ("report", "day", "2026-10-15"), ("bank", "reconcile", "--account", "icbc", "--month", "2026-10"),
    ("report", "count", "2026-10-15"), ("report", "journal", "--from", "2026-10-01", "--to", "2026-10-03"),
    ("report", "balances", "--date", "2026-10-31"),
], ids=lambda a: " ".join(a[:2]))
def test_outputs_validate_and_name_their_schema(demo, args):
    r = run_cli(*args, "-f", "json", book=demo, env=NOW)
    assert r.code in (0, 1), r.err
    data = json.loads(r.out)
    name = ".".join(args[:2])
    assert data["schema"] == f"cashbook.{name}/1"
    MODELS[name].model_validate(data)


@pytest.mark.parametrize("args", [("report", "month", "2026-10"), ("report", "cheques"), ("report", "receipts")])
def test_every_report_json_has_a_schema(demo, args):
    data = json.loads(run_cli(*args, "-f", "json", book=demo, env=NOW).out)
    assert data["schema"] == f"cashbook.{'.'.join(args[:2])}/1"
