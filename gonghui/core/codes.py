"""Random codes people read aloud, copy by hand and type back (an account's activation code,
an application's reference): Crockford's base32, which has no I, L, O or U, in dash-joined
groups, and typed text folded back the same way whatever its width, case or spacing."""

from __future__ import annotations

import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# What people type for the letters the alphabet leaves out.
READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
GROUP = 4


def random_code(length: int) -> str:
    """`length` random characters (5 bits each) in groups of four: "7K3M-9Q2X"."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + GROUP] for i in range(0, length, GROUP))


def typed_code(text: str) -> str:
    """The characters of a code as typed: fullwidth folded, case, spaces and dashes ignored."""
    folded = unicodedata.normalize("NFKC", text or "").upper().translate(READ_AS)
    return "".join(char for char in folded if char in ALPHABET)
