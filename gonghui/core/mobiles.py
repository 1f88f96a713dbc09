"""Mainland mobile numbers: 11 digits starting 13-19, the one pattern every app checks a
typed number against (members, enrolment, staff accounts). python-stdnum has no module for
phone numbers and the whole phonenumbers database is heavy for one pattern."""

from __future__ import annotations

import re

from django.utils.translation import gettext_noop

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
MOBILE_FORM = gettext_noop("手机号码应为11位，以13-19开头")
