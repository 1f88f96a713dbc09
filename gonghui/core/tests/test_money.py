from decimal import Decimal

import pytest

from gonghui.core.money import MoneyError, format_money, money, round_money


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1000", "1000.00"), ("1,000.5", "1000.50"), (" 60 ", "60.00"), (60, "60.00"), (Decimal("0.1"), "0.10")],
)
def test_amounts_typed_or_given_become_two_place_decimals(typed, amount):
    assert money(typed) == Decimal(amount)
    assert str(money(typed)) == amount


@pytest.mark.parametrize("bad", [0.1, True, "1.005", Decimal("0.001"), "十元", "NaN", "Infinity", "1e12", None])
def test_floats_fractions_of_a_fen_and_non_numbers_are_refused(bad):
    with pytest.raises(MoneyError):
        money(bad)


def test_a_computed_amount_rounds_half_up_to_the_fen():
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("2.345")) == Decimal("2.35")  # half-even would give 2.34
    assert round_money(Decimal("-2.345")) == Decimal("-2.35")
    with pytest.raises(MoneyError):
        round_money(2.345)  # type: ignore[arg-type]


def test_amounts_are_shown_with_thousands_and_two_places():
    assert format_money(Decimal("14196100")) == "14,196,100.00"
    assert format_money(Decimal("0.5")) == "0.50"


@pytest.mark.parametrize("vast", ["1e30", "-1E+27", "9" * 40])
def test_a_vast_amount_is_refused_as_too_large_not_a_crash(vast):
    with pytest.raises(MoneyError, match="上限"):
        money(vast)
