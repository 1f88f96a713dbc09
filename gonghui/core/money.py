"""Money, defined once: CNY as a `Decimal` with two places (yuan and fen), never a float.

Every amount the platform stores goes through `MoneyField` (14 digits, 2 places: up to
999,999,999,999.99) and every amount typed in or computed through `money()` or
`round_money()`. More places are refused rather than rounded away unnoticed: Django's own
DecimalField rounds half-to-even on save without a word, so a rule that computed 0.005 would
lose or gain a fen silently."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext

CURRENCY = "CNY"
CURRENCIES = (CURRENCY,)
MAX_DIGITS = 14
PLACES = 2
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
LIMIT = Decimal(10) ** (MAX_DIGITS - PLACES)  # the first amount too large to store


class MoneyError(ValueError):
    """An amount that is not money: a float, more than two places, too large, not a number."""


def money(value: Any) -> Decimal:
    """An exact amount from a Decimal, an int or a string ("1,000.50" and "1000.5" too),
    with two places; refuses floats (0.1 is not 0.1 as a float) and fractions of a fen."""
    if isinstance(value, bool | float):
        raise MoneyError("float or bool is not money; pass a Decimal, an int or a string")
    if isinstance(value, str):
        value = value.strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise MoneyError(gettext("金额应为数字，如 1000 或 1000.50")) from None
    if not amount.is_finite():
        raise MoneyError(gettext("金额应为数字，如 1000 或 1000.50"))
    if abs(amount) >= LIMIT:  # first: quantizing a vast amount overflows the decimal context
        raise MoneyError(gettext("金额超出上限"))
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise MoneyError(gettext("金额最多两位小数（到分）"))
    return amount.quantize(CENT)


def round_money(value: Decimal) -> Decimal:
    """A computed amount (a ratio applied) rounded to the fen, half up as cashiers do."""
    if not isinstance(value, Decimal):
        raise MoneyError("round_money takes a Decimal")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal) -> str:
    """ "12,345.60": thousands separated, always two places (for explanations and pages)."""
    return f"{value:,.2f}"  # the format rounds as quantize(CENT) would (half even)


class MoneyField(models.DecimalField):
    """A DecimalField of the platform's one precision that refuses, on every write and
    lookup, a float or an amount with more than two places instead of rounding it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", PLACES)
        super().__init__(*args, **kwargs)

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return super().get_prep_value(value)
        return money(value)
