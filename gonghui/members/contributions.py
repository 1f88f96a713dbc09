"""What the member registry adds to core's registries and to the hooks the organisations app
announces (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.accounts import hooks as account_hooks
from gonghui.core import audit, demo, figures, navigation, personal_data, todos
from gonghui.members import demo as member_demo
from gonghui.members import figures as member_figures
from gonghui.members import jobs  # noqa: F401  (registers its background job kinds)
from gonghui.members import personal_data as member_data
from gonghui.members import todos as member_todos
from gonghui.members.models import Membership, MembershipStatus
from gonghui.members.selectors import person_queryset
from gonghui.members.services import memberships_move_all
from gonghui.organisations import hooks

figures.registry.register_all(member_figures.FIGURES)
figures.breakdowns.register_all(member_figures.BREAKDOWNS)
personal_data.registry.register_all(member_data.PARTS)
todos.registry.register_all(member_todos.TODOS)

navigation.registry.register_all(
    (
        navigation.NavEntry(
            "members.list",
            _("会员"),
            "members:list",
            order=20,
            current=navigation.in_namespace("members", except_names=("import", "import_job", "transfers")),
        ),
        navigation.NavEntry(
            "members.transfers", _("转接"), "members:transfers", order=30, current=navigation.at_url_names("transfers")
        ),
        navigation.NavEntry(
            "members.import",
            _("花名册导入"),
            "members:import",
            order=40,
            current=navigation.at_url_names("import", "import_job"),
        ),
        navigation.NavEntry(
            "members.my_membership",
            _("我的会籍"),
            "members:my_membership",
            order=10,
            roles=navigation.MEMBERS,
            current=navigation.in_namespace("members"),  # mutual aid adds the member's cover
        ),
    )
)

audit.audited_models.register_all(
    (
        audit.AuditedModel("members.person", person_of=lambda person: person.pk),
        audit.AuditedModel("members.membership"),
        # A transfer is about the worker whose membership it moves.
        audit.AuditedModel("members.transfer", person_of=lambda transfer: transfer.membership.person_id),
    )
)


def _move_members(closure: hooks.UnionClosure) -> int:
    return memberships_move_all(
        from_union=closure.union, to_union=closure.target, on=closure.on, reason=closure.reason, actor=closure.actor
    )


hooks.closure_hooks.register(hooks.ClosureHook("members.memberships", _move_members, order=10))
hooks.subtree_counts.register(
    hooks.SubtreeCount("members", lambda: Membership.objects.filter(status=MembershipStatus.ACTIVE), "union__")
)
demo.registry.register(member_demo.HISTORY)
account_hooks.people_seen.register(
    account_hooks.PeopleSeen("members.people", lambda scope: person_queryset(scope=scope))
)
