"""What core itself adds to its registries: the staff's "my jobs" page in the navigation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import navigation

navigation.registry.register(
    navigation.NavEntry(
        "core.jobs", _("我的任务"), "jobs", order=55, current=navigation.at_url_names("jobs", "job_detail")
    )
)
