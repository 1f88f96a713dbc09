"""core.figures' ways to ask for many values at once: by child organisation, by period, and
the helpers behind the monthly chart and the rates. Whatever the shortcut, the answer is
the figure computed one value at a time."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from gonghui.core.figures import Period, all_figures, figure_series, month_periods, ratio_percent, values_by_child
from gonghui.members import services as member_services
from gonghui.testing import make_member, new_id_number


def test_month_periods_run_to_the_day_given_across_year_ends():
    months = month_periods(ending=date(2026, 3, 15), count=4)
    assert months == [
        Period(date(2025, 12, 1), date(2025, 12, 31)),
        Period(date(2026, 1, 1), date(2026, 1, 31)),
        Period(date(2026, 2, 1), date(2026, 2, 28)),
        Period(date(2026, 3, 1), date(2026, 3, 15)),
    ]
    assert len(month_periods(ending=date(2024, 12, 31), count=24)) == 24
    assert month_periods(ending=date(2024, 2, 29), count=1) == [Period(date(2024, 2, 1), date(2024, 2, 29))]


def test_a_ratio_has_one_decimal_and_none_over_nothing():
    assert ratio_percent(1, 3) == Decimal("33.3") and ratio_percent(2, 3) == Decimal("66.7")
    assert ratio_percent(0, 5) == Decimal("0.0") and ratio_percent(None, 5) == Decimal("0.0")
    assert ratio_percent(3, 0) is None and ratio_percent(3, None) is None


def test_every_series_equals_its_figure_month_by_month(fed):
    months = month_periods(ending=date(2024, 12, 31), count=24)
    scope = fed.scope(fed.town_a_staff)
    member_services.member_join(
        scope=scope, union=fed.union_a2, id_number=new_id_number(), name="赵敏", joined_on=date(2023, 4, 10)
    )
    transfer = member_services.transfer_start(
        scope=scope, membership=fed.member_a1, to_union=fed.union_b1, on=date(2024, 6, 1)
    )
    member_services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=transfer, on=date(2024, 6, 1))
    left = make_member(union=fed.union_b1, name="钱多多", joined_on=date(2023, 1, 31))
    member_services.membership_leave(
        scope=fed.scope(fed.town_b_staff), membership=left, on=date(2023, 2, 1), reason="离职"
    )
    with_series = [f for f in all_figures() if f.series is not None]
    assert {f.name for f in with_series} >= {"members.members", "members.new_members"}
    for figure in all_figures():
        for org in (fed.city, fed.town_a, fed.town_b, fed.union_a2):
            expected = [figure.compute(org.path, p) for p in months]
            assert figure_series(figure, org.path, months) == expected, (figure.name, org.name)


def test_without_a_tree_field_each_child_is_computed_alone(fed):
    make_member(union=fed.union_a2, name="赵敏")
    period = Period(date(2024, 1, 1), date(2024, 12, 31))
    children = [fed.union_a1.path, fed.union_a2.path]
    for figure in all_figures():
        grouped = values_by_child(figure, fed.town_a.path, children, period)
        alone = values_by_child(replace(figure, tree_field=None), fed.town_a.path, children, period)
        assert grouped.children == alone.children and grouped.total == alone.total, figure.name
        assert alone.own is None
