"""Reference numbers of applications: what a worker is given on submitting and types, with
their phone number, to see how their application stands. Random rather than counted, so one
reference says nothing about how many others there are or what theirs are; 40 bits, and
the status page wants the phone number too and counts attempts (enrolment.selectors)."""

from __future__ import annotations

import secrets
import unicodedata

# Crockford's base32: no I, L, O or U, so a reference read over the phone survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_reference() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_reference(text: str) -> str:
    """As stored: "7k3m 9q2x" and "７Ｋ３Ｍ－９Ｑ２Ｘ" are 7K3M-9Q2X; anything else stays unmatched."""
    folded = unicodedata.normalize("NFKC", text or "").upper().translate(READ_AS)
    kept = "".join(char for char in folded if char in ALPHABET)
    return f"{kept[:4]}-{kept[4:]}" if len(kept) == LENGTH else ""
