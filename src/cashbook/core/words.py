"""Amounts in Chinese capital numerals (大写金额), as written on receipts and cheques.

`to_words` writes the one canonical form of an amount following the People's Bank rules
(《支付结算办法》 and its annex 《正确填写票据和结算凭证的基本规定》); `from_words` strictly
reads back the forms those rules (and cashiers) allow; `words_agree` cross-checks a typed
amount against typed words. Pure and exact: amounts are two-place `Decimal`s.

Canonical choices, where the rules permit more than one form:

* A leading 拾 is always written 壹拾 (15 → 壹拾伍元整, 100000 → 壹拾万元整), and a bare 拾
  is refused when read: a digit could be slipped in front of it (拾伍 → 叁拾伍).
* One 零 stands for a run of skipped digits (1005 → 壹仟零伍元整, 100010000 → 壹亿零壹万元整).
  Zeros at the end of a 万 or 亿 group are carried by the group unit and get no 零
  (107000.53 → 壹拾万柒仟元零伍角叁分, the rules' own first-listed form).
* 零 is written after 元 when the 元 digit is 0 and 角 follows (1680.32 → 壹仟陆佰捌拾元零叁角贰分,
  again the first-listed form), and always when 角 is 0 and 分 follows (325.04 → 叁佰贰拾伍元零肆分).
* 整 follows 元 or 角 when nothing smaller follows; never after 分. Below one yuan there is no
  元 (0.05 → 伍分, 0.50 → 伍角整); zero is 零元整.
"""

from __future__ import annotations

import re
from decimal import Decimal

from cashbook.core.money import CENT, MAX_AMOUNT

__all__ = ["to_words", "from_words", "words_agree"]

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_NONZERO = {c: i for i, c in enumerate(_DIGITS) if i}
_SMALL_UNITS = {"拾": 1, "佰": 2, "仟": 3}
_GROUP_UNITS = {"亿": 8, "万": 4}
# Traditional forms the rules say must also be accepted (贰陆亿万圆 written as 貳陸億萬圓).
_TRADITIONAL = str.maketrans("貳陸億萬圓", "贰陆亿万圆")
_ZERO_WORDS = re.compile(r"零[元圆][整正]")
_FRACTION = re.compile(r"(?:(零)?([壹贰叁肆伍陆柒捌玖])角)?(?:(零)?([壹贰叁肆伍陆柒捌玖])分)?([整正])?")


def _check(amount: Decimal) -> Decimal:
    """Validate an amount for words; return it quantized to two places."""
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        raise TypeError(f"amount must be a Decimal, got {type(amount).__name__}")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise ValueError(f"amount {amount} is not a number")
    if amount < 0:
        raise ValueError(f"amount {amount} is negative; words are written for amounts of 0 or more")
    if amount > MAX_AMOUNT:
        raise ValueError(f"amount {amount} is too large; the largest is {MAX_AMOUNT}")
    value = amount.quantize(CENT)
    if value != amount:
        raise ValueError(f"amount {amount} has more than two decimals")
    return value


def _integer_words(n: int) -> str:
    """Words for a whole number of yuan, 1 ≤ n < 10**12, without 元."""
    out: list[str] = []
    zero = False  # zeros skipped since the last written digit
    for group, unit in (((n // 10**8) % 10**4, "亿"), ((n // 10**4) % 10**4, "万"), (n % 10**4, "")):
        if group == 0:
            zero = zero or bool(out)
            continue
        for power, small in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
            digit = group // 10**power % 10
            if digit == 0:
                zero = zero or bool(out)
                continue
            if zero:
                out.append("零")
                zero = False
            out.append(_DIGITS[digit] + small)
        out.append(unit)
        zero = False  # trailing zeros of a group are carried by its unit (壹拾万柒仟)
    return "".join(out)


def to_words(amount: Decimal) -> str:
    """Write `amount` (0 to 999999999999.99, two places) in Chinese capital numerals.

    Follows the PRC payment-settlement rules; a leading 拾 is always written 壹拾.
    Raises ValueError for negative amounts, more than two decimals, or too large.
    """
    cents = int(_check(amount) * 100)
    if cents == 0:
        return "零元整"
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    parts: list[str] = []
    if yuan:
        parts.append(_integer_words(yuan) + "元")
    if jiao:
        if yuan and yuan % 10 == 0:
            parts.append("零")
        parts.append(_DIGITS[jiao] + "角")
    if fen:
        if yuan and not jiao:
            parts.append("零")
        parts.append(_DIGITS[fen] + "分")
    else:
        parts.append("整")
    return "".join(parts)


def _parse_integer(text: str) -> list[tuple[int, int, bool]]:
    """Terms ``(position, digit, 零 before it)`` of the part before 元; raise on bad structure."""
    terms: list[tuple[int, int, bool]] = []
    pending: list[tuple[int, int, bool]] = []  # (offset in group, digit, 零 before)
    last_base = 12
    zero = False
    i = 0

    def commit(base: int) -> None:
        offsets = [off for off, _, _ in pending]
        if any(a <= b for a, b in zip(offsets, offsets[1:])):
            raise ValueError(f"units out of order in {text!r}")
        terms.extend((base + off, d, z) for off, d, z in pending)
        pending.clear()

    while i < len(text):
        c = text[i]
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if c == "零":
            if zero:
                raise ValueError("零 written twice in a row")
            zero, i = True, i + 1
        elif c == "拾":
            raise ValueError("a ten is written 壹拾 (a bare 拾 lets a digit be slipped in front)")
        elif c in _NONZERO:
            if nxt in _SMALL_UNITS:
                pending.append((_SMALL_UNITS[nxt], _NONZERO[c], zero))
                i += 2
            elif nxt in _GROUP_UNITS or nxt == "":
                pending.append((0, _NONZERO[c], zero))
                i += 1
            else:
                raise ValueError(f"digit {c} is not followed by a unit")
            zero = False
        elif c in _GROUP_UNITS:
            base = _GROUP_UNITS[c]
            if zero or not pending or base >= last_base:
                raise ValueError(f"{c} is misplaced")
            commit(base)
            last_base = base
            i += 1
        else:
            raise ValueError(f"unexpected {c!r}")
    if zero:
        raise ValueError("零 directly before 元")
    commit(0)
    return terms


def from_words(text: str) -> Decimal:
    """Read Chinese capital-numeral words back into a two-place amount.

    Strict, by the central bank's rules for bills and settlement vouchers: an optional 人民币
    prefix directly before the words, no blanks, 元 or 圆, 整 or 正 after 元 (required) or 角
    (optional), never after 分; a ten is 壹拾, never a bare 拾; 零 where digits are skipped
    (one for a run), left out only where the skipped run ends at the 万 or 元 place and the
    next digit is not 0 (壹拾万柒仟元 or 壹拾万零柒仟元; 壹仟陆佰捌拾元叁角 or …元零叁角);
    never 零 where nothing is skipped, twice in a row, or before a unit.
    """
    if not isinstance(text, str):
        raise TypeError(f"words must be text, got {type(text).__name__}")
    s = text.strip().translate(_TRADITIONAL).removeprefix("人民币")
    if _ZERO_WORDS.fullmatch(s):
        return Decimal("0.00")
    try:
        if s.count("元") + s.count("圆") > 1:
            raise ValueError("元 written more than once")
        cut = max(s.find("元"), s.find("圆"))
        integer, fraction = (s[:cut], s[cut + 1 :]) if cut >= 0 else ("", s)
        terms = _parse_integer(integer)
        if cut >= 0 and not terms:
            raise ValueError("元 without digits before it")
        m = _FRACTION.fullmatch(fraction)
        if not m:
            raise ValueError("only 角, 分 and 整 may follow 元")
        zj, jiao, zf, fen, end = m.groups()
        if fen and end:
            raise ValueError("nothing is written after 分")
        if cut >= 0 and not jiao and not fen and not end:
            raise ValueError("words ending at 元 take 整 (or 正)")
        if jiao:
            terms.append((-1, _NONZERO[jiao], bool(zj)))
        if fen:
            terms.append((-2, _NONZERO[fen], bool(zf)))
        if not terms:
            raise ValueError("no amount")
        for k, (pos, _, zero) in enumerate(terms):
            if zero and (k == 0 or terms[k - 1][0] - pos < 2):
                raise ValueError("零 where no digit is skipped")
            if not zero and k and terms[k - 1][0] - pos >= 2 and pos + 1 not in (8, 4, 0):
                raise ValueError("a 0 between digits is written 零 (only a run ending at the 亿, 万 or 元 place may go without)")
    except ValueError as e:
        raise ValueError(f"{text!r} is not an amount in capital numerals: {e}") from None
    return sum((Decimal(d).scaleb(pos) for pos, d, _ in terms), Decimal("0")).quantize(CENT)


def words_agree(amount: Decimal, text: str) -> bool:
    """True when `text` is well-formed words for exactly `amount`.

    Malformed words do not agree (False); an invalid `amount` raises like `to_words`.
    """
    value = _check(amount)
    try:
        return from_words(text) == value
    except ValueError:
        return False
