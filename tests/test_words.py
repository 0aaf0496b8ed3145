"""Chinese capital-numeral amounts: a hand-checked table, round trips, variants, refusals."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashbook.core.words import from_words, to_words, words_agree

# Each row checked by hand against 《正确填写票据和结算凭证的基本规定》 (leading 拾 as 壹拾).
TABLE = [
    ("0", "零元整"),
    ("0.01", "壹分"),
    ("0.05", "伍分"),
    ("0.10", "壹角整"),
    ("0.15", "壹角伍分"),
    ("0.50", "伍角整"),
    ("1", "壹元整"),
    ("1.01", "壹元零壹分"),
    ("2.30", "贰元叁角整"),
    ("10", "壹拾元整"),
    ("10.50", "壹拾元零伍角整"),
    ("15", "壹拾伍元整"),
    ("20.00", "贰拾元整"),
    ("100", "壹佰元整"),
    ("100.05", "壹佰元零伍分"),
    ("101", "壹佰零壹元整"),
    ("110", "壹佰壹拾元整"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("1005", "壹仟零伍元整"),
    ("1010", "壹仟零壹拾元整"),
    ("1250", "壹仟贰佰伍拾元整"),
    ("1409.50", "壹仟肆佰零玖元伍角整"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("10000", "壹万元整"),
    ("10001", "壹万零壹元整"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("20600.07", "贰万零陆佰元零柒分"),
    ("60036.00", "陆万零叁拾陆元整"),
    ("100000.01", "壹拾万元零壹分"),
    ("107000.53", "壹拾万柒仟元零伍角叁分"),
    ("1000000", "壹佰万元整"),
    ("1010000", "壹佰零壹万元整"),
    ("10001000", "壹仟万壹仟元整"),
    ("100000000", "壹亿元整"),
    ("100001000", "壹亿零壹仟元整"),
    ("100010000", "壹亿零壹万元整"),
    ("1000000000", "壹拾亿元整"),
    ("1000000001", "壹拾亿零壹元整"),
    ("1010000000", "壹拾亿壹仟万元整"),
    ("300000000010.10", "叁仟亿零壹拾元零壹角整"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("amount", "words"), TABLE)
def test_table(amount: str, words: str) -> None:
    value = Decimal(amount)
    assert to_words(value) == words
    assert from_words(words) == value
    assert from_words(words).as_tuple().exponent == -2
    assert words_agree(value, words)


# Amounts: uniform cents, plus digit strings heavy in zeros to exercise every 零 rule.
_uniform = st.integers(0, 99_999_999_999_999)
_sparse = st.lists(st.sampled_from("0000000123456789"), min_size=1, max_size=14).map(lambda ds: int("".join(ds)))
amounts = st.one_of(_uniform, _sparse).map(lambda cents: Decimal(cents).scaleb(-2))


@given(amounts)
def test_round_trip(x: Decimal) -> None:
    assert from_words(to_words(x)) == x


@given(amounts)
def test_invariants(x: Decimal) -> None:
    w = to_words(x)
    assert w.endswith("整") or w.endswith("分")
    assert w.endswith("整") == (x * 100 % 10 == 0)  # 整 exactly when there is no 分
    assert w.count("整") <= 1 and w.count("元") <= 1
    assert "零零" not in w
    assert not re.search(r"零[拾佰仟万亿元角分整]", w) or w == "零元整"
    assert not w.startswith("零") or (x == 0 and w == "零元整")
    assert not w.startswith("拾")
    assert ("元" in w) == (x >= 1 or x == 0)
    nonzero_digits = sum(1 for c in f"{x:f}" if c in "123456789")
    assert sum(1 for c in w if c in "壹贰叁肆伍陆柒捌玖") == nonzero_digits


@given(amounts)
def test_variants_accepted(x: Decimal) -> None:
    w = to_words(x)
    assert from_words(w.replace("元", "圆")) == x
    assert from_words("人民币" + w) == x
    assert from_words(w.replace("整", "正")) == x
    if w.endswith("角整"):
        assert from_words(w.removesuffix("整")) == x  # after 角, 整 may be left out
    elif w.endswith("元整"):
        with pytest.raises(ValueError):
            from_words(w.removesuffix("整"))  # after 元, 整 is required
    if w.startswith("壹拾"):
        with pytest.raises(ValueError):
            from_words(w.removeprefix("壹"))  # a ten is 壹拾, never a bare 拾


@pytest.mark.parametrize(
    ("words", "amount"),
    [
        ("壹拾万零柒仟元伍角叁分", "107000.53"),  # the rules' second form
        ("壹仟陆佰捌拾元叁角贰分", "1680.32"),  # the rules' second form
        ("伍角", "0.50"),
        ("人民币零圆正", "0"),
        ("壹佰貳拾圓整", "120"),  # traditional forms the rules say must be accepted
        ("壹億零壹萬元整", "100010000"),
        ("  壹元整 ", "1"),
    ],
)
def test_accepted_forms(words: str, amount: str) -> None:
    assert from_words(words) == Decimal(amount)


@pytest.mark.parametrize("amount", ["-1", "-0.01", "1.005", "0.001", "1000000000000", "999999999999.995", "NaN", "Infinity"])
def test_to_words_refuses(amount: str) -> None:
    with pytest.raises(ValueError):
        to_words(Decimal(amount))


def test_to_words_refuses_float() -> None:
    with pytest.raises(TypeError):
        to_words(1.5)  # type: ignore[arg-type]


def test_trailing_zero_decimals_are_fine() -> None:
    assert to_words(Decimal("1.000")) == "壹元整"
    assert to_words(12) == "壹拾贰元整"  # type: ignore[arg-type]


GARBAGE = [
    "",
    "   ",
    "abc",
    "1000元整",
    "一千元整",
    "壹仟",  # no 元
    "元整",
    "整",
    "零",
    "壹仟元整整",
    "壹仟元 整",
    "壹分整",  # nothing after 分
    "伍角伍角",
    "壹元伍",  # digit without unit
    "壹元伍分叁角",
    "零伍分",  # leading 零
    "零元伍分",
    "零壹元整",
    "壹仟零零伍元整",
    "壹仟零伍佰元整",  # 零 where nothing is skipped
    "壹拾伍元零伍角整",
    "壹拾零万元整",  # 零 before a unit
    "壹佰零元整",
    "壹元零角整",
    "壹拾拾元整",
    "壹佰壹佰元整",
    "壹佰拾元整",  # bare 拾 only at the start
    "壹拾壹佰元整",
    "壹万壹亿元整",
    "壹亿万元整",
    "壹万万元整",
    "壹万亿元整",
    "壹元壹元",
    "壹元圆整",
    "贰两元整",
    "人民币",
    "壹仟元整人民币",
    "拾伍元整",  # a ten is 壹拾 (finding 15: these were accepted before)
    "拾元",
    "拾万元整",
    "壹仟伍元整",  # 零 between digits
    "零元",  # 整 after 元
    "壹佰元",
]


@pytest.mark.parametrize("words", GARBAGE)
def test_from_words_refuses(words: str) -> None:
    with pytest.raises(ValueError):
        from_words(words)
    assert not words_agree(Decimal("1000"), words)


def test_words_agree() -> None:
    assert words_agree(Decimal("1680.32"), "人民币壹仟陆佰捌拾元零叁角贰分")
    assert not words_agree(Decimal("15.00"), "拾伍元整")
    assert not words_agree(Decimal("1680.23"), "壹仟陆佰捌拾元零叁角贰分")
    assert not words_agree(Decimal("1680.32"), "not words")
    with pytest.raises(ValueError):
        words_agree(Decimal("-1"), "壹元整")
