"""One rule for the text people send us: no control characters.

C0 and C1 control characters (U+0000-U+001F, U+007F-U+009F: Unicode's category Cc) cannot
be seen on screen, cannot be written into a worksheet (an export holding one failed), and
NUL cannot even be stored on PostgreSQL; lone surrogates are not text at all. A name, a code
or any other one-line field holds none of them; a multi-line note may hold line breaks.

The rule refuses rather than strips, so what is stored is exactly what was sent, and it is
applied at every door by the adapters below: the API's schemas (`Line`, `Note`), the pages'
forms (`LineField`, `NoteField`), the public application, and the roster import's cells.
Zero-width characters and odd spaces are visible-enough text and are not this rule's job."""

from __future__ import annotations

import re
from typing import Annotated, Any

from django import forms
from django.utils.translation import gettext, gettext_noop
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

CONTROL_MESSAGE = gettext_noop("含有不可见的控制字符")
FIELD_CONTROL_MESSAGE = gettext_noop("%(field)s含有不可见的控制字符")
CONTROL_CODE = "control_character"

_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_IN_NOTE = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]|\r(?!\n)")  # line ends pass


class ControlCharacterError(ValueError):
    """The text holds a control character where none may be."""


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """True if the text breaks the rule; in multi-line text "\\n" and "\\r\\n" are allowed."""
    # isprintable() is a quick scan in C, true for nearly every real value (everything this
    # rule refuses is unprintable); the pattern runs only on the rest. An import of a
    # quarter of a million rows checks millions of cells.
    if text.isprintable():
        return False
    return (_IN_NOTE if multiline else _IN_LINE).search(text) is not None


def clean_text(text: str, *, multiline: bool = False) -> str:
    """The text as sent (a multi-line text's Windows line ends made plain "\\n"), or
    ControlCharacterError if it holds a control character."""
    if has_control_characters(text, multiline=multiline):
        raise ControlCharacterError(CONTROL_MESSAGE)
    return text.replace("\r\n", "\n") if multiline else text


# --- the API: pydantic types for ninja schemas ------------------------------------------------


def _schema_check(multiline: bool) -> AfterValidator:
    def check(value: str) -> str:
        try:
            return clean_text(value, multiline=multiline)
        except ControlCharacterError:
            # The error handler in api_support turns this code into "name：含有不可见的控制字符".
            raise PydanticCustomError(CONTROL_CODE, CONTROL_MESSAGE) from None

    return AfterValidator(check)


LINE_CHECK = _schema_check(multiline=False)
NOTE_CHECK = _schema_check(multiline=True)
Line = Annotated[str, LINE_CHECK]  # a name, a code, a number: one line, no control characters
Note = Annotated[str, NOTE_CHECK]  # a reason or a note: line breaks allowed


# --- the pages: Django form fields ----------------------------------------------------------


class LineField(forms.CharField):
    """A CharField under the rule. The check runs before the field strips the value: Python
    counts U+001C-U+001F as whitespace, and stripping them would hide what was sent."""

    multiline = False

    def to_python(self, value: Any) -> str | None:
        if isinstance(value, str):
            try:
                value = clean_text(value, multiline=self.multiline)
            except ControlCharacterError:
                message = gettext(FIELD_CONTROL_MESSAGE) % {"field": self.label or ""}
                raise forms.ValidationError(message, code=CONTROL_CODE) from None
        return super().to_python(value)


class NoteField(LineField):
    multiline = True
