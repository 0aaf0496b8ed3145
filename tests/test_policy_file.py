"""policies.toml: the defaults load, and every malformed or contradictory setting is refused with its line."""

from __future__ import annotations

import pytest

from cashbook.core.problems import CashbookError
from cashbook.store.policyfile import default_policy_text, parse_policy

DEFAULT = default_policy_text()


def test_defaults_carry_the_source_companys_figures():
    p = parse_policy(DEFAULT)
    assert str(p.rules.cash_over_limit.limit) == "2000.00"
    assert str(p.rules.cash_payment_limit.limit) == "1000.00"
    assert str(p.rules.needs_invoice.threshold) == "100.00"
    assert p.rules.advance_overdue.days == 7
    assert str(p.deposit_types["construction-permit"].amount) == "50.00"
    assert str(p.deposit_types["telephone"].amount) == "1000.00"
    assert p.deposit_types["quality"].refund_wait_days == 365
    assert set(p.rules.no_cash_category.categories) == {"fixed-assets", "office-supplies", "labour-protection", "welfare"}
    for key in ("gm", "center-gm", "store-manager", "finance-manager", "dept-head"):
        assert key in p.roles
    for key in ("rent", "management-fee", "electricity", "advertising", "other-income", "deposit", "collection", "wages",
                "travel", "entertainment", "telecom", "office", "vehicle", "postage", "fixed-assets", "office-supplies",
                "labour-protection", "welfare", "bank-fees", "compensation"):
        assert key in p.categories
    assert set(p.deposit_types) >= {"site", "quality", "fit-out", "construction-permit", "electricity", "telephone", "banner"}


def line_of_line(text: str, needle: str) -> int:
    return next(i for i, l in enumerate(text.splitlines(), 1) if needle in l)


@pytest.mark.parametrize("old,new,needle,fragment", [
    ('limit = "2000.00"', 'limit = "-5.00"', 'limit = "-5.00"', "negative"),
    ('limit = "2000.00"', 'limit = 2000', "limit = 2000", "quoted"),
    ('threshold = "100.00"', 'threshold = "1e2"', 'threshold = "1e2"', "not an amount"),
    ('roles = ["store-manager"]', 'roles = ["boss"]', 'roles = ["boss"]', "unknown role 'boss'"),
    ('override = ["gm"]\n\n[rules.no-cash', 'override = ["chairman"]\n\n[rules.no-cash', 'override = ["chairman"]', "unknown role"),
    ('severity = "warn"\nlimit = "2000.00"', 'severity = "maybe"\nlimit = "2000.00"', 'severity = "maybe"', "block"),
    ('days = 7', 'days = -1', "days = -1", "greater than or equal"),
    ('days = 7', 'dayz = 7', "dayz = 7", "unknown setting"),
    ('below = "3000.00"', 'below = "5000.00"', "# 先行赔付 from 3000", "overlaps"),
    ('type = "cash"', 'type = "wallet"', 'type = "wallet"', "cash"),
    ('categories = ["fixed-assets",', 'categories = ["yachts", "fixed-assets",', 'categories = ["yachts"', "unknown category"),
])
def test_bad_settings_are_refused_with_their_line(old, new, needle, fragment):
    assert old in DEFAULT
    text = DEFAULT.replace(old, new, 1)
    with pytest.raises(CashbookError) as exc:
        parse_policy(text, "policies.toml")
    problems = exc.value.problems
    assert any(fragment in p.message for p in problems), [p.message for p in problems]
    assert any(p.line == line_of_line(text, needle) for p in problems), ([p.line for p in problems], line_of_line(text, needle))
    assert all(p.file == "policies.toml" and p.code == "bad-policy" for p in problems)


def test_broken_toml_is_refused_with_its_line():
    text = DEFAULT.replace('name = "库存现金"', 'name = "库存现金', 1)
    with pytest.raises(CashbookError) as exc:
        parse_policy(text)
    assert exc.value.problems[0].line == line_of_line(text, 'name = "库存现金')


def test_cli_refuses_a_broken_policy_without_traceback(cli, book):
    (book / "policies.toml").write_text(DEFAULT.replace('limit = "2000.00"', 'limit = "two thousand"'))
    r = cli("receive", "10", "--from", "A", "--category", "rent", book=book)
    assert r.code == 2 and "policies.toml:" in r.err and "Traceback" not in r.err
    (book / "policies.toml").write_bytes(DEFAULT.encode("gbk", errors="replace"))
    r = cli("report", "balances", book=book)
    assert r.code == 2 and "UTF-8" in r.err
    (book / "policies.toml").write_text("")
    r = cli("check", book=book)
    assert r.code == 2 and "accounts" in r.err
