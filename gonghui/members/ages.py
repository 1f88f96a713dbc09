"""Ages at joining. Nobody joins before the minimum working age (16, Labour Law art. 15);
an age past the usual working life is accepted but worth a look, as it more often means a
mistyped date or identity number than a worker of that age."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.utils.translation import gettext


class JoinAge(NamedTuple):
    """What a join date says about its worker's age: an error that refuses it, or a warning."""

    problem: str | None
    warning: str | None


NOTHING = JoinAge(None, None)


def age_on(birth: date, on: date) -> int:
    """Whole years of age on a day (someone born on 29 February is a year older on 1 March)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def join_age_limits() -> tuple[int, int]:
    """(the minimum age at joining, the age above which joining is worth a warning)."""
    return settings.GONGHUI_MIN_JOIN_AGE, settings.GONGHUI_JOIN_AGE_WARNING


def join_age_check(birth: date, joined_on: date, *, limits: tuple[int, int] | None = None) -> JoinAge:
    """Joining before the minimum working age is refused; over the warning age is flagged.
    A join date before the birth date is the caller's own error and is not judged here."""
    minimum, warn_over = limits or join_age_limits()
    if joined_on < birth:
        return NOTHING
    age = age_on(birth, joined_on)
    if age < minimum:
        message = gettext("入会时年满%(age)s岁，未满%(minimum)s周岁（最低就业年龄）")
        return JoinAge(message % {"age": age, "minimum": minimum}, None)
    if age > warn_over:
        message = gettext("入会时已年满%(age)s岁（超过%(limit)s岁），请核对入会时间和身份证号")
        return JoinAge(None, message % {"age": age, "limit": warn_over})
    return NOTHING
