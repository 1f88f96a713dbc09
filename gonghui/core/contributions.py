"""What core itself adds to its registries: the staff's "my jobs" page in the navigation, and
the finished jobs waiting to be downloaded on the workbench."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import navigation, todos
from gonghui.core.access import Scope
from gonghui.core.jobs import jobs_to_download

navigation.registry.register(
    navigation.NavEntry(
        "core.jobs", _("我的任务"), "jobs", order=55, current=navigation.at_url_names("jobs", "job_detail")
    )
)


def _jobs_to_download(scope: Scope) -> int:
    scope.require_staff()  # a member's own download is on their page, not a workbench
    return jobs_to_download(scope=scope).count()


todos.registry.register(
    todos.Todo("core.jobs_to_download", _("已完成待下载的任务"), _jobs_to_download, "jobs", order=90)
)
