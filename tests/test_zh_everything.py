"""Full Chinese (issue 17, 2): every command run in zh on a copy of the demo book (each recording
kind, every report, bank, close, check, refusals of each kind, bad input and click's own usage
errors) prints no English word outside codes, ids, account/category/payee keys, option names,
placeholders and file paths; the language comes from --lang, else $CASHBOOK_LANG, else
policies.toml [book] lang, else en."""

from __future__ import annotations

import html
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from conftest import copy_demo, run_cli

ROOT = Path(__file__).resolve().parent.parent
NOW = {"CASHBOOK_NOW": "2026-11-29T10:00:00+08:00", "COLUMNS": "200"}
GM = "gm:王建国"

# (arguments, exit codes accepted): run in this order on one copy of the demo book
STEPS: list[tuple[tuple[str, ...], tuple[int, ...]]] = [
    # recording, each kind
    (("receive", "500", "--from", "张三家具", "--category", "rent", "--doc", "SJ0467"), (0,)),
    (("collect", "300", "--from", "李四", "--for", "物业公司", "--doc", "SJ0468"), (0,)),
    (("pay", "50", "--to", "邮局", "--category", "postage", "--invoice", "F778", "--approved-by", GM), (0,)),
    (("bank-deposit", "300", "--account", "icbc", "--slip", "S1"), (0,)),
    (("withdraw", "1000", "--account", "icbc", "--approved-by", GM), (0,)),
    (("transfer", "100", "--from-account", "icbc", "--to-account", "cmb"), (0,)),
    (("advance", "--estimate", "1460", "380", "100", "3"), (0,)),
    (("advance", "200", "--to", "徐静", "--purpose", "差旅", "--due", "2026-12-05", "--approved-by", "dept-head:张部长",
      "--approved-by", GM, "--method", "transfer", "--account", "icbc"), (0, 2)),
    (("hold-deposit", "--from", "恒森实木家具", "--type", "construction-permit", "--units", "2", "--doc", "SJ0469"), (0,)),
    (("issue-cheques", "20000001", "20000025", "--account", "cmb"), (0,)),
    (("spoil-cheque", "20000001", "--account", "cmb", "--reason", "写错"), (0,)),
    (("handover", "200", "--till", "一楼服务台收银台", "--from", "赵晓燕", "--to", "陈静"), (0,)),
    (("spoil-receipt", "SJ0470", "--reason", "写错"), (0,)),
    (("count", "2026-11-27", "100x11", "50x1", "20x2", "5x1", "1x4", "0.5x1"), (0, 1)),
    (("sign", "20261111-007", "--by", GM), (2,)),  # signed already
    (("void", "LAST", "--reason", "录错"), (0,)),
    # reports
    (("report", "journal", "--account", "cash", "--from", "2026-11-20"), (0,)),
    (("report", "balances"), (0,)),
    (("report", "day", "2026-11-27"), (0, 1)),
    (("report", "month", "2026-10"), (0, 1)),
    (("report", "quarter", "2026-Q3"), (0, 1)),
    (("report", "year", "2026"), (0, 1)),
    (("report", "count", "2026-10-15"), (0, 1)),
    (("report", "advances"), (0,)),
    (("report", "deposits"), (0,)),
    (("report", "cheques"), (0,)),
    (("report", "receipts"), (0, 1)),
    (("report", "receipt-books"), (0,)),
    (("report", "unsigned", "--date", "2026-11-12"), (0,)),
    (("report", "handovers", "--from", "2026-11-20"), (0,)),
    (("report", "exceptions"), (0, 1)),
    (("report", "compensation"), (0,)),
    (("words", "1005.50"), (0,)),
    # the printable sheets (html: the same page as the pdf)
    (("report", "count", "2026-10-15", "-f", "html"), (0, 1)),
    (("report", "day", "2026-10-15", "-f", "html"), (0, 1)),
    (("bank", "reconcile", "--account", "icbc", "--month", "2026-10", "-f", "html"), (0, 1)),
    (("report", "journal", "--account", "cash", "--from", "2026-10-01", "--to", "2026-10-05", "-f", "html"), (0,)),
    (("report", "month", "2026-10", "-f", "html"), (0, 1)),
    # bank
    (("bank", "imports", "--account", "icbc"), (0,)),
    (("bank", "reconcile", "--account", "icbc", "--month", "2026-10"), (0,)),
    (("bank", "reconcile", "--account", "icbc", "--month", "2026-11"), (0, 1)),
    (("bank", "book-charges", "--account", "cmb", "--month", "2026-11"), (0,)),
    # close
    (("close", "day", "2026-11-27"), (0, 1)),
    (("close", "day", "2026-11-28"), (1, 2)),
    (("close", "month", "2026-10"), (0, 1)),
    (("close", "month", "2026-11"), (2,)),
    (("close", "day", "--guided"), (2,)),
    (("check",), (0, 1)),
    # refusals, each kind
    (("pay", "1300", "--to", "家具城", "--category", "office", "--approved-by", GM), (2,)),  # cash-payment-limit
    (("pay", "50", "--to", "邮局", "--category", "postage", "--invoice", "F779"), (2,)),  # needs-approval
    (("pay", "150", "--to", "邮局", "--category", "postage", "--approved-by", GM), (2,)),  # needs-invoice
    (("receive", "10", "--from", "张三家具", "--category", "rent", "--date", "2026-11-20"), (2,)),  # day-sealed
    (("receive", "10", "--from", "张三家具", "--category", "rent", "--date", "2026-12-20"), (2,)),  # future-date
    (("receive", "10", "--from", "张三家具", "--category", "nosuch"), (2,)),  # unknown-category
    (("receive", "10", "--from", "张三家具", "--category", "rent", "--account", "nosuch"), (2,)),  # unknown-account
    (("pay", "9999999", "--to", "x", "--category", "postage", "--method", "transfer", "--account", "cmb",
      "--approved-by", GM, "--invoice", "F1"), (2,)),  # balance-negative
    (("advance", "100", "--to", "徐静", "--purpose", "差旅", "--due", "2026-12-05", "--approved-by", GM), (2,)),  # overdue
    (("settle", "20261102-999", "--returned", "10"), (2,)),  # unknown-advance
    (("void", "20261102-999", "--reason", "x"), (2,)),  # unknown-entry
    (("refund-deposit", "20261019-014", "--approved-by", GM), (2,)),  # needs-approval of a refund chain
    (("pay", "50", "--to", "邮局", "--category", "postage", "--invoice", "F780", "--approved-by", GM,
      "--words", "伍拾元"), (2,)),  # words-mismatch
    (("receive", "10", "--from", "张三家具", "--category", "rent", "--doc", "SJ0101"), (2,)),  # receipt-number-used
    # bad input
    (("receive", "12x", "--from", "张三家具", "--category", "rent"), (2,)),  # bad-amount
    (("receive", "10", "--from", "张三家具", "--category", "rent", "--date", "2026-13-01"), (2,)),  # bad-option
    (("receive", "10", "--from", "张三家具", "--category", "rent", "--time", "25:00"), (2,)),
    (("report", "month", "2026-13"), (2,)),
    (("report", "balances", "--date", "yesterday"), (2,)),
    (("bank", "reconcile", "--account", "nosuch", "--month", "2026-10"), (2,)),
    (("count", "100x"), (2,)),
    # click's own usage errors
    (("receive", "10", "--category", "rent"), (2,)),  # missing option
    (("receive",), (2,)),  # missing argument
    (("report", "balances", "-f", "xml"), (2,)),  # bad choice
    (("receive", "10", "--nosuch"), (2,)),  # no such option
    (("report", "nosuch"), (2,)),  # no such command
    (("words", "1", "2"), (2,)),  # an extra argument
]


def _id(step) -> str:
    return f"{STEPS.index(step):02d} " + " ".join(step[0][:5])


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("demo"))
    shutil.copytree(ROOT / "demo", root / "demo")
    return root


def allowed_words(book: Path) -> set[str]:
    """Keys the user wrote in policies.toml (accounts, categories, deposit types, roles, tills, people)."""
    policy = tomllib.loads((book / "policies.toml").read_text("utf-8"))
    out: set[str] = set()
    for table in ("accounts", "categories", "deposit_types", "roles", "people", "staff", "tills"):
        out |= set(policy.get(table, {}))
    out |= set((policy.get("rules") or {}))
    out |= set(re.findall(r"[A-Za-z]+", policy.get("book", {}).get("name", "")))  # the company's name
    for table in ("accounts", "categories", "deposit_types", "roles", "people", "staff", "tills"):  # their names
        for value in (policy.get(table) or {}).values():
            texts = [value] if isinstance(value, str) else [v for v in value.values() if isinstance(v, str)] \
                if isinstance(value, dict) else []
            out |= {w for t in texts for w in re.findall(r"[A-Za-z][A-Za-z']+", t)}
    return out


CODE_SPANS = [
    r"`[^`\n]*`",  # a command or setting quoted to type as is
    r"\b[a-z_]+(?:\.[\w-]+)+",  # a setting's key: rules.cash-over-limit.limit
    r"(?<![\w-])--?[a-z][a-z-]*",  # option names
    r"\b[a-z]+(?:-[a-z]+)+\b",  # codes and kinds: cash-over-limit, bank-deposit
    r"(?:[\w.-]*/)+[\w.-]+",  # file paths
    r"\b[\w-]+\.(?:toml|csv|txt|xls|xlsx|ofx|xml|sta|pdf|html|json|sqlite)\b",
    r"\b[A-Z][A-Z0-9_:-]+\b",  # placeholders (AMOUNT, ROLE:NAME) and upper-case ids (SJ0101, CNY)
    r"\b\w*\d\w*\b",  # ids and figures with digits (20261102-003, 100x11, F778)
    r"\bcashbook(?: [a-z][a-z-]*)*",  # the program's name and a command of it
    r"'[^'\n]*'",  # a value as the user typed it
]


def english_words(text: str, book: Path) -> list[str]:
    for span in CODE_SPANS:
        text = re.sub(span, " ", text)
    allowed = allowed_words(book)
    words = re.findall(r"[A-Za-z][A-Za-z']+", text)
    return sorted({w for w in words if w not in allowed})


@pytest.fixture(scope="module")
def outputs(demo) -> dict[str, tuple[int, str]]:
    return run_steps(demo)


def run_steps(demo: Path) -> dict[str, tuple[int, str]]:
    out = {}
    last = ""
    for step in STEPS:
        args = tuple(last if a == "LAST" else a for a in step[0])
        r = run_cli(*args, "--lang", "zh", book=None if args[0] == "words" else demo, env=NOW)
        m = re.search(r"\b(\d{8}-\d{3})\b", r.out)
        if args[0] in ("receive", "pay") and r.code == 0 and m:
            last = m[1]
        text = r.out
        if "html" in args:  # the page's text: no style sheet, tags or entities
            text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", text, flags=re.S)))
        out[_id(step)] = (r.code, text + "\n" + r.err)
    return out


@pytest.mark.parametrize("step", STEPS, ids=_id)
def test_every_command_speaks_chinese(outputs, demo, step):
    code, text = outputs[_id(step)]
    assert code in step[1], text
    assert "Traceback" not in text
    assert english_words(text, demo) == [], text[:4000]


def test_json_keys_and_codes_are_the_same_in_both_languages(demo):
    args = ("pay", "1300", "--to", "家具城", "--category", "office", "--approved-by", GM, "-f", "json")
    en, zh = run_cli(*args, book=demo, env=NOW), run_cli(*args, "--lang", "zh", book=demo, env=NOW)
    assert en.code == zh.code == 2
    assert [sorted(p) for p in en.json["problems"]] == [sorted(p) for p in zh.json["problems"]]
    assert [p["code"] for p in en.json["problems"]] == [p["code"] for p in zh.json["problems"]]


def test_the_language_comes_from_flag_then_environment_then_the_book(tmp_path):
    copy_demo(tmp_path)
    args = ("report", "balances")
    assert run_cli(*args, book=tmp_path, env=NOW).out.startswith("Balances")
    text = (tmp_path / "policies.toml").read_text("utf-8").replace('lang = "en"', 'lang = "zh"')
    (tmp_path / "policies.toml").write_text(text, "utf-8")
    assert "账户余额" in run_cli(*args, book=tmp_path, env=NOW).out
    assert run_cli(*args, book=tmp_path, env={**NOW, "CASHBOOK_LANG": "en"}).out.startswith("Balances")
    assert "账户余额" in run_cli(*args, "--lang", "zh", book=tmp_path, env={**NOW, "CASHBOOK_LANG": "en"}).out
    assert run_cli(*args, "--lang", "en", book=tmp_path, env={**NOW, "CASHBOOK_LANG": "zh"}).out.startswith("Balances")
    # a recording command's refusal follows the book's language too
    r = run_cli("receive", "12x", "--from", "a", "--category", "rent", book=tmp_path, env=NOW)
    assert r.code == 2 and "金额" in r.err
    assert run_cli("check", book=tmp_path, env=NOW).code == 0  # the language is no change of the rules


def test_a_bad_book_language_is_refused(tmp_path):
    copy_demo(tmp_path)
    text = (tmp_path / "policies.toml").read_text("utf-8").replace('lang = "en"', 'lang = "fr"')
    (tmp_path / "policies.toml").write_text(text, "utf-8")
    r = run_cli("check", book=tmp_path, env=NOW)
    assert r.code == 2 and "bad-policy" in r.err and "lang" in r.err
