"""Exact money: parsing amounts as a person writes them, two-place Decimals, formatting.

Money is `decimal.Decimal` quantized to two places everywhere; binary floats never
touch an amount. `parse_amount` is the one gate every amount typed by a user or read
from a journal passes through.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Largest amount accepted: a trillion yuan less a cent. Chinese capital numerals and
# every report column are built for this range; anything larger is a typing accident.
MAX_AMOUNT = Decimal("999999999999.99")

_PLAIN = re.compile(r"[0-9]+(\.[0-9]{1,2})?|\.[0-9]{1,2}", re.ASCII)
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]{1,2})?", re.ASCII)
_FULLWIDTH = re.compile(r"[０-９．，－＋]")


class AmountError(ValueError):
    """An amount that cannot be accepted; the message says what would be."""


ACCEPTED = "write it like 1250, 1250.5 or 1,250.50 (digits, at most two decimals, no sign)"


def parse_amount(text: str, *, allow_zero: bool = False, signed: bool = False) -> Decimal:
    """Parse a user- or file-written amount into a two-place Decimal.

    Accepts ``1250``, ``1250.5``, ``1,250.50``. Refuses signs (unless ``signed``, used for
    stored postings), more than two decimals, exponents, NaN/inf, empty text and
    full-width digits, each with a message that says what would be accepted.
    """
    if not isinstance(text, str):
        raise AmountError(f"amount must be text like \"1250.00\", got {type(text).__name__}")
    raw = text
    s = text.strip()
    if not s:
        raise AmountError(f"empty amount; {ACCEPTED}")
    if _FULLWIDTH.search(s):
        raise AmountError(f"amount {raw!r} uses full-width characters; type half-width digits: {ACCEPTED}")
    negative = False
    if s[0] in "+-":
        if not signed:
            raise AmountError(
                f"amount {raw!r} has a sign; amounts are never negative (the command says the direction); {ACCEPTED}"
            )
        negative = s[0] == "-"
        s = s[1:]
    if _GROUPED.fullmatch(s):
        s = s.replace(",", "")
    elif not _PLAIN.fullmatch(s):
        if re.fullmatch(r"[0-9][0-9,]*\.[0-9]{3,}|[0-9]*\.[0-9]{3,}", s):
            raise AmountError(f"amount {raw!r} has more than two decimals; {ACCEPTED}")
        raise AmountError(f"{raw!r} is not an amount; {ACCEPTED}")
    try:
        value = Decimal(s).quantize(CENT)
    except InvalidOperation:  # pragma: no cover - the regexes admit only digits
        raise AmountError(f"{raw!r} is not an amount; {ACCEPTED}") from None
    if value > MAX_AMOUNT:
        raise AmountError(f"amount {raw!r} is too large; the largest accepted is {fmt(MAX_AMOUNT)}")
    if value == 0 and not allow_zero:
        raise AmountError(f"amount {raw!r} is zero; {ACCEPTED}")
    return -value if negative else value


def to_money(value: Decimal | int | str) -> Decimal:
    """Quantize an exact value (Decimal, int or decimal string) to two places."""
    if isinstance(value, float):  # defensive: floats are a bug anywhere near money
        raise TypeError("floats are not money")
    return Decimal(value).quantize(CENT)


def fmt(value: Decimal) -> str:
    """Plain two-place string, as stored in journals and JSON: ``1250.00``, ``-3.50``."""
    return f"{value.quantize(CENT):f}"


def fmt_grouped(value: Decimal) -> str:
    """Two places with thousands separators, for tables: ``1,250.00``."""
    return f"{value.quantize(CENT):,.2f}"
