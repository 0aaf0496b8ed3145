"""Machine output with a contract (issue 17, 6): report JSON carries ``schema`` (command and
version) and the JSON Schemas in docs/schemas/ are what the pydantic models generate; real
output of the demo book validates against them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cashbook.reports.schemas import FOLDER, MODELS, generated
from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
NOW = {"CASHBOOK_NOW": "2026-11-29T10:00:00+08:00"}


def test_committed_schemas_match_the_models():
    committed = {p.name: p.read_text("utf-8") for p in (ROOT / FOLDER).glob("*.schema.json")}
    assert committed == generated(), "regenerate with `python -m cashbook.reports.schemas`"


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


GM = "gm:王建国"


@pytest.mark.parametrize("args, name, codes", [
    (("receive", "500", "--from", "张三家具", "--category", "rent"), "recorded", (0,)),
    (("count", "2026-11-27", "100x11", "50x1", "20x2", "5x1", "1x4", "0.5x1"), "recorded", (0, 1)),
    (("check",), "check", (0, 1)),
    (("pay", "1300", "--to", "家具城", "--category", "office", "--approved-by", GM), "error", (2,)),  # a refusal
    (("receive", "12x", "--from", "张三家具", "--category", "rent"), "error", (2,)),  # bad input
    (("words", "1005.50"), "words", (0,)),
    (("advance", "--estimate", "1460", "380", "100", "3"), "advance.estimate", (0,)),
], ids=lambda a: a if isinstance(a, str) else None)
def test_recording_check_and_error_json_validate_and_name_their_schema(demo, args, name, codes):
    r = run_cli(*args, "-f", "json", book=None if args[0] == "words" else demo, env=NOW)
    assert r.code in codes, r.err
    data = json.loads(r.out)
    assert data["schema"] == f"cashbook.{name}/1"
    MODELS[name].model_validate(data)


def test_the_other_json_outputs_name_their_schema(demo):
    r = run_cli("bank", "book-charges", "--account", "cmb", "--month", "2026-11", "-f", "json", book=demo, env=NOW)
    assert r.code == 0, r.err
    assert json.loads(r.out)["schema"] == "cashbook.bank.book-charges/1"
    # a cached refusal (a sealed day) and a book that is not there: the error object still says what it is
    r = run_cli("receive", "10", "--from", "a", "--category", "rent", "--date", "2026-11-02", "-f", "json", book=demo, env=NOW)
    assert r.code == 2 and json.loads(r.out)["schema"] == "cashbook.error/1"


@pytest.mark.parametrize("args, said", [
    (("receive", "10", "--category", "rent", "-f", "json"), "Missing option '--from'"),  # a missing option
    (("receive", "-f", "json"), "Missing argument"),  # a missing argument
    (("report", "nosuch", "--format=json"), "No such command 'nosuch'"),
    (("receive", "10", "--nosuch", "-fjson"), "No such option: --nosuch"),
    (("words", "1", "2", "-f", "json", "--lang", "zh"), "unexpected extra argument"),  # English in JSON, as refusals
], ids=lambda a: " ".join(a[:3]) if isinstance(a, tuple) else None)
def test_usage_errors_under_json_print_the_error_object(demo, args, said):
    r = run_cli(*args, book=None if args[0] == "words" else demo, env=NOW)
    assert r.code == 2 and r.err == "", r.err
    data = json.loads(r.out)
    MODELS["error"].model_validate(data)
    assert (data["schema"], data["ok"], data["exit_code"]) == ("cashbook.error/1", False, 2)
    (p,) = data["problems"]
    assert p["code"] == "bad-option" and said in p["message"] and p["severity"] == "block"
