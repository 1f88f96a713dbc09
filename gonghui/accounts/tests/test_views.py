from django.urls import reverse

from gonghui.testing import PASSWORD, totp_code


def test_sign_in_page_is_in_chinese_by_default(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_staff_signing_in_land_on_the_workbench(client, fed):
    response = client.post(reverse("accounts:login"), {"username": "town_a", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:second_factor"))
    response = client.post(response.redirect_chain[-1][0], {"token": totp_code(fed.town_a_staff)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("organisations:workbench")
    page = response.content.decode()
    assert "硖石街道总工会" in page and "退出登录" in page


def test_a_member_signing_in_lands_on_their_own_page(client, fed):
    response = client.post(reverse("accounts:login"), {"username": "member_a1", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("members:my_membership")
    assert "张伟" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, fed):
    response = client.post(reverse("accounts:login"), {"username": "town_a", "password": "wrong-password"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_need_a_sign_in(client, db):
    response = client.get(reverse("members:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_sign_out_ends_the_session(client, fed):
    client.force_login(fed.town_a_staff)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("organisations:workbench")).status_code == 302


def test_header_names_the_user_role_and_organisation(client, fed):
    client.force_login(fed.union_a1_officer)
    page = client.get(reverse("organisations:workbench")).content.decode()
    assert "union_a1" in page and "基层工会" in page and "海宁皮革城工会" in page


def test_language_switch_turns_the_page_english(client, fed):
    client.force_login(fed.town_a_staff)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("organisations:workbench")}, follow=True
    )
    page = response.content.decode()
    assert '<html lang="en"' in page
    assert "Workbench" in page and "Sign out" in page and "工作台" not in page


def test_an_unknown_address_gets_our_404_page(client, fed):
    client.force_login(fed.town_a_staff)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() and "退出登录" in response.content.decode()
