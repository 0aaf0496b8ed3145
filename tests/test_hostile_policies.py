"""Hostile input, surface 3: policies.toml. Mutated text (hypothesis), values out of range, a
folder where the file belongs, names that are not names and bad denomination lists: `check`
and every command refuse with exit 2 naming policies.toml, and nothing is written."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostile import FUZZ, _soak, sane, snap
from hostile import fresh, no_debug, soak_sample, template  # noqa: F401, F811 (fixtures)


@pytest.mark.parametrize("cmd", [["check"], ["report", "balances"], ["receive", "5", "--from", "A", "--category", "rent"]])
def test_policies_toml_being_a_directory(cli, fresh, cmd):
    book = fresh()
    (book / "policies.toml").unlink()
    (book / "policies.toml").mkdir()
    before = snap(book)
    r = cli(*cmd, book=book)
    sane(r)
    assert r.code == 2 and "policies.toml" in r.err and "internal error" not in r.err
    assert snap(book) == before


# -- (c) policies.toml -------------------------------------------------------------------------

@settings(max_examples=25, **FUZZ)
@given(data=st.data())
def test_fuzzed_policies(cli, fresh, data):
    book = fresh()
    policy = book / "policies.toml"
    rng = data.draw(st.randoms(use_true_random=False), label="mutations")
    content, must_refuse = _soak().mutate_policy(rng, policy.read_text(encoding="utf-8"))  # the soak's own mutations
    policy.write_bytes(content)
    before = snap(book)
    r = cli("check", book=book)
    sane(r)
    if must_refuse:
        assert r.code == 2, f"{must_refuse} must be refused: {r.out[-500:]}"
    if r.code == 2:
        assert "policies.toml" in r.err, r.err[-1500:]
    assert snap(book) == before
    args = ["receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03"]
    w = cli(*args, book=book)
    sane(w)
    if r.code == 2:
        assert w.code == 2 and "policies.toml" in w.err, "a policy that `check` refuses must stop recording too"
    if w.code == 2:
        assert snap(book) == before


def test_fixed_utc_offset_out_of_range(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: utc_offset = '+99:00' passes the
    policy validator (pattern \\d{2}:\\d{2}) and `check` says ok, then every recording command reaches
    'internal error: ValueError: offset must be a timedelta strictly between...' (core/policy.py:28 and
    Policy.tz line 205)"""
    book = fresh()
    p = book / "policies.toml"
    p.write_text(p.read_text().replace('utc_offset = ""', 'utc_offset = "+99:00"'))
    r = cli("receive", "5", "--from", "A", "--category", "rent", book=book)
    sane(r)
    assert r.code == 2 and "policies.toml" in r.err and "internal error" not in r.err


def test_fixed_huge_integer_in_policies(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: an integer of more than 4300
    digits in policies.toml reaches 'internal error: ValueError: Exceeds the limit' (store/policyfile.py
    parse_policy catches only TOMLDecodeError/RecursionError)"""
    book = fresh()
    p = book / "policies.toml"
    p.write_text(p.read_text().replace("refund_wait_days = 365", "refund_wait_days = " + "9" * 5000))
    r = cli("check", book=book)
    sane(r)
    assert r.code == 2 and "policies.toml" in r.err and "internal error" not in r.err


def test_fixed_refund_wait_days_unbounded(cli, fresh):
    book = fresh()
    p = book / "policies.toml"
    p.write_text(p.read_text().replace("refund_wait_days = 365", "refund_wait_days = 99999999999"))
    r = cli("hold-deposit", "500", "--from", "M", "--type", "quality", "--date", "2026-11-03", book=book)
    sane(r)
    assert r.code == 2 and "policies.toml" in r.err and "refund_wait_days" in r.err



@pytest.mark.parametrize("table", ["[accounts.\"..\"]\ntype = 'bank'\nname = 'x'", "[accounts.\"a/b\"]\ntype = 'cash'\nname = 'x'",
                                   "[categories.\"../x\"]\ntype = 'expense'\nname = 'x'", "[deposit_types.\"a b\"]\nname = 'x'"])
def test_a_key_that_is_not_a_name_is_refused(cli, fresh, table):
    """Issue 19 finding 3: a name from policies.toml becomes a path (`bank import --account ..`)."""
    book = fresh()
    p = book / "policies.toml"
    p.write_text(p.read_text() + "\n" + table + "\n")
    before = snap(book)
    for args in (["check"], ["receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03"]):
        r = cli(*args, book=book)
        sane(r)
        assert r.code == 2 and "policies.toml" in r.err, (args, r.err)
    assert snap(book) == before


@pytest.mark.parametrize("value", ["[]", '["0.00"]', '["100.00", "100.00"]'])
def test_a_bad_denomination_list_is_refused(cli, fresh, value):
    book = fresh()
    p = book / "policies.toml"
    p.write_text(f"denominations = {value}\n" + p.read_text())
    r = cli("check", book=book)
    sane(r)
    assert r.code == 2 and "denominations" in r.err, r.err


def test_soak_sample_of_policies(soak_sample):
    """bench/soak.py's policy mutations and oracles, names that are not names and bad denominations included."""
    soak_sample("policy", 25)
