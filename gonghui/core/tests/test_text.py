"""The one rule for text (core.text): no control characters in anything a person sends,
line breaks only in notes; and every door of the API is under it."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from ninja import Schema
from pydantic import BaseModel

from gonghui.api import api
from gonghui.core.text import LINE_CHECK, NOTE_CHECK, ControlCharacterError, clean_text, has_control_characters

CONTROL_CHARACTERS = [
    "\x00",
    "\x01",
    "\x08",
    "\t",
    "\n",
    "\r",
    "\x0b",
    "\x1b",
    "\x1f",
    "\x7f",
    "\x85",
    "\x9f",
    "\ud800",
]


@pytest.mark.parametrize("char", CONTROL_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_one_line_text_refuses_every_control_character(char: str) -> None:
    with pytest.raises(ControlCharacterError):
        clean_text(f"张{char}伟")
    assert has_control_characters(f"{char}张伟")


@pytest.mark.parametrize(
    "text",
    ["张伟", "海宁市 许村镇", "浙江省\u3000海宁市", "O'Brien", "李\u00a0娜", "王\u200b芳", "=cmd|' /C calc'!A0", ""],
)
def test_ordinary_text_passes_unchanged(text: str) -> None:
    assert clean_text(text) == text
    assert clean_text(text, multiline=True) == text


def test_a_note_may_span_lines_and_nothing_else() -> None:
    assert clean_text("调动\n新单位：许村家纺", multiline=True) == "调动\n新单位：许村家纺"
    assert clean_text("调动\r\n新单位", multiline=True) == "调动\n新单位"  # a Windows line end
    for text in ("调动\r新单位", "调动\t新单位", "调动\x1f新单位"):
        with pytest.raises(ControlCharacterError):
            clean_text(text, multiline=True)
    with pytest.raises(ControlCharacterError):
        clean_text("调动\n新单位")


def _text_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted name, field) of every text field in a body or form, through nested schemas."""
    found = []
    for name, field in model.model_fields.items():
        kinds = get_args(field.annotation) or (field.annotation,)
        for kind in kinds:
            if isinstance(kind, type) and issubclass(kind, Schema):
                found += _text_fields(kind, f"{prefix}{name}.")
        if str in kinds:
            found.append((f"{prefix}{name}", field))
    return found


def test_every_text_field_of_every_write_endpoint_is_under_the_rule() -> None:
    """A new endpoint joins this test without editing it: its text fields must be Line or Note."""
    unchecked, checked = [], 0
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                if not set(operation.methods) - {"GET", "HEAD", "OPTIONS"}:
                    continue
                for params in operation.models:
                    if params.__ninja_param_source__ not in {"body", "form"}:
                        continue
                    for name, field in _text_fields(params):
                        if LINE_CHECK in field.metadata or NOTE_CHECK in field.metadata:
                            checked += 1
                        else:
                            unchecked.append(f"{operation.methods} {prefix}{path} {name}")
    assert unchecked == []
    assert checked > 30  # the walk really reached the schemas
