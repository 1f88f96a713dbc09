"""Reference numbers of applications: what a worker is given on submitting and types, with
their phone number, to see how their application stands. Random rather than counted, so one
reference says nothing about how many others there are or what theirs are; 40 bits, and
the status page wants the phone number too and counts attempts (enrolment.selectors)."""

from __future__ import annotations

from gonghui.core.codes import random_code, typed_code

LENGTH = 8


def new_reference() -> str:
    return random_code(LENGTH)


def normalise_reference(text: str) -> str:
    """As stored: "7k3m 9q2x" and "７Ｋ３Ｍ－９Ｑ２Ｘ" are 7K3M-9Q2X; anything else stays unmatched."""
    kept = typed_code(text)
    return f"{kept[:4]}-{kept[4:]}" if len(kept) == LENGTH else ""
