"""Amount parsing: what a person writes is accepted, everything else refused with a clear message."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashbook.core.money import MAX_AMOUNT, AmountError, fmt, fmt_grouped, parse_amount


@pytest.mark.parametrize("text,value", [
    ("1250", "1250.00"), ("1250.5", "1250.50"), ("1,250.50", "1250.50"), ("0.05", "0.05"), (".5", "0.50"),
    (" 12 ", "12.00"), ("1,000,000", "1000000.00"), ("999999999999.99", "999999999999.99"), ("007", "7.00"),
])
def test_accepts_amounts_as_people_write_them(text, value):
    assert parse_amount(text) == Decimal(value)
    assert str(parse_amount(text)) == value


@pytest.mark.parametrize("text,fragment", [
    ("-5", "never negative"), ("+5", "never negative"), ("1.234", "more than two decimals"), ("1e3", "not an amount"),
    ("NaN", "not an amount"), ("inf", "not an amount"), ("", "empty"), ("   ", "empty"), ("１２３", "full-width"),
    ("12,34", "not an amount"), ("1,2345.00", "not an amount"), ("12.", "not an amount"), ("0", "zero"),
    ("0.00", "zero"), ("1000000000000", "too large"), ("¥12", "not an amount"), ("12 34", "not an amount"),
    ("0x10", "not an amount"), ("1_000", "not an amount"), ("١٢", "not an amount"),
])
def test_refuses_with_a_message_saying_what_is_accepted(text, fragment):
    with pytest.raises(AmountError) as exc:
        parse_amount(text)
    assert fragment in str(exc.value)


def test_zero_only_where_allowed_and_sign_only_for_stored_postings():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")
    assert parse_amount("-3.5", signed=True) == Decimal("-3.50")


@given(st.decimals(min_value=Decimal("0.01"), max_value=MAX_AMOUNT, places=2))
def test_round_trips_through_its_own_formats(value):
    assert parse_amount(fmt(value)) == value
    assert parse_amount(fmt_grouped(value)) == value


@given(st.text(max_size=20))
def test_never_raises_anything_but_amount_error(text):
    try:
        value = parse_amount(text)
    except AmountError:
        return
    assert value == value.quantize(Decimal("0.01")) and Decimal("0") < value <= MAX_AMOUNT


def test_floats_are_not_money():
    from cashbook.core.money import to_money

    with pytest.raises(TypeError):
        to_money(0.1)
    with pytest.raises(AmountError):
        parse_amount(12.5)  # type: ignore[arg-type]
