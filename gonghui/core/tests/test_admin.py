from django.contrib.auth.models import Permission


def _admin_login(client, user):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_person", "view_membership"]))
    client.force_login(user)


def test_admin_member_list_is_for_the_city_and_masked(client, fed):
    _admin_login(client, fed.town_b_staff)
    refused = client.get("/admin/members/person/", follow=True).content.decode()
    assert "李娜" not in refused and "张伟" not in refused
    _admin_login(client, fed.city_staff)
    page = client.get("/admin/members/person/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "李娜" in text and "张伟" in text
    assert fed.member_b1.person.id_number not in text


def test_admin_refuses_another_towns_member(client, fed):
    _admin_login(client, fed.town_b_staff)
    page = client.get(f"/admin/members/person/{fed.member_a1.person_id}/change/", follow=True)
    assert "张伟" not in page.content.decode()
    assert fed.member_a1.person.id_number not in page.content.decode()


def test_admin_cannot_change_members_directly(client, fed):
    _admin_login(client, fed.city_staff)
    page = client.post(f"/admin/members/person/{fed.member_a1.person_id}/change/", {"name": "改名"})
    assert page.status_code == 403
    fed.member_a1.person.refresh_from_db()
    assert fed.member_a1.person.name == "张伟"
