"""Masks for personal numbers shown in lists and exports (full view needs a permission)."""

import re

# A run of digits long enough to be someone's number (mobiles are 11, identity numbers 15 or
# 18, the last maybe X), perhaps written in groups ("139 1234 5678"). Eight digits are left
# alone: that is a date written 20240301.
_NUMBER_RUN = re.compile(r"\d(?:[ -]?\d){8,}[Xx]?")
_SHORTER_RUN = re.compile(r"\d(?:[ -]?\d){6,}[Xx]?")
ID_NUMBER_MIN = 15
MOBILE_LENGTH = 11


def mask_id_number(value: str) -> str:
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}********{value[-4:]}"


def mask_mobile(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


def _mask_run(match: re.Match[str]) -> str:
    run = match.group()
    digits = sum(char.isdigit() for char in run)
    if digits >= ID_NUMBER_MIN:
        return mask_id_number(run)
    if digits >= MOBILE_LENGTH:
        return mask_mobile(run)
    # Shorter than a mobile: its last four would be most of it, so only the prefix shows.
    return run[:3] + "*" * (len(run) - 3)


def mask_numbers(text: str, *, mobile: bool = False) -> str:
    """`text` (a cell quoted in a message) with every number that could be an identity or
    mobile number masked, mistyped ones too. With `mobile` the text is a mobile cell, where
    seven digits already say too much."""
    return (_SHORTER_RUN if mobile else _NUMBER_RUN).sub(_mask_run, text)


def mask_name(value: str) -> str:
    """The first character and a star for each of the others (张**): enough for an officer to
    tell a mistyped identity number from a person who changed their name, no more."""
    return value[:1] + "*" * (len(value) - 1)


def mask_account(value: str) -> str:
    """A bank account number as lists show it: the bank's first four and the last four
    (6222 **** **** 1234), enough for a member to know their card, no more."""
    digits = value.replace(" ", "")
    if len(digits) < 10:
        return "*" * len(digits)
    return f"{digits[:4]} **** **** {digits[-4:]}"
