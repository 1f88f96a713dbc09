"""Masks for personal numbers shown in lists and exports (full view needs a permission)."""


def mask_id_number(value: str) -> str:
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}********{value[-4:]}"


def mask_mobile(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


def mask_name(value: str) -> str:
    """The first character and a star for each of the others (张**): enough for an officer to
    tell a mistyped identity number from a person who changed their name, no more."""
    return value[:1] + "*" * (len(value) - 1)
