from gonghui.members.forms import TransferRequestForm
from gonghui.organisations.models import Organisation, OrganisationKind


def test_a_union_named_exactly_is_found_even_when_other_names_contain_it(fed):
    for prefix in ("0", "1"):
        Organisation.objects.add_child(
            fed.town_b,
            instance=Organisation(
                code=f"HN-XC-9{prefix}", name=f"{prefix}{fed.union_b1.name}", kind=OrganisationKind.ENTERPRISE_UNION
            ),
        )
    form = TransferRequestForm({"to_union": fed.union_b1.name})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["to_union"] == fed.union_b1


def test_a_name_part_shared_by_several_unions_asks_for_the_code(fed):
    form = TransferRequestForm({"to_union": "工会"})
    assert not form.is_valid()
    assert "请输入工会代码" in str(form.errors["to_union"])
