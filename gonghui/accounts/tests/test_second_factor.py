from urllib.parse import parse_qs, urlparse

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import Account, ApiToken
from gonghui.core.access import Role
from gonghui.core.models import AuditEntry
from gonghui.testing import PASSWORD, totp_code


def password_only(client: Client, username: str) -> str:
    """Sign in through the form with the password; returns where the site sent us."""
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response["Location"]


def test_staff_with_only_a_password_are_sent_to_the_code_step(client, fed):
    password_only(client, "town_a")
    response = client.get(reverse("members:list"))
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert location.path == reverse("accounts:second_factor")
    assert parse_qs(location.query)["next"] == [reverse("members:list")]
    assert "张伟" not in client.get(reverse("members:list"), follow=True).content.decode()


def test_the_api_refuses_a_session_without_the_code(client, fed):
    password_only(client, "town_a")
    response = client.get("/api/v1/members")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "请先输入动态验证码完成登录",
        "field": None,
        "code": "second_factor_required",
    }


def test_a_wrong_code_is_refused_and_logged(client, fed):
    verify_url = password_only(client, "town_a")
    response = client.post(verify_url, {"token": "000000" if totp_code(fed.town_a_staff) != "000000" else "111111"})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert client.get(reverse("members:list")).status_code == 302
    failed = AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_IN_FAILED).get()
    assert failed.detail["step"] == "second_factor" and failed.actor == fed.town_a_staff


def test_the_right_code_opens_the_pages_and_rotates_the_session(client, fed):
    verify_url = password_only(client, "town_a")
    key_after_password = client.cookies["sessionid"].value
    response = client.post(verify_url, {"token": totp_code(fed.town_a_staff)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies["sessionid"].value != key_after_password
    assert client.get(reverse("members:list")).status_code == 200
    assert client.get("/api/v1/members").status_code == 200
    steps = [e.detail["step"] for e in AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_IN).order_by("pk")]
    assert steps == ["password", "second_factor"]


def test_a_code_cannot_be_used_twice(client, fed):
    code = totp_code(fed.town_a_staff)
    client.post(password_only(client, "town_a"), {"token": code})
    other = Client()
    response = other.post(password_only(other, "town_a"), {"token": code})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()


def test_new_staff_set_up_their_authenticator_on_first_sign_in(client, fed):
    newcomer = User.objects.create_user(username="newcomer", password=PASSWORD)
    Account.objects.create(user=newcomer, role=Role.UNION, organisation=fed.union_a1)
    enrol_url = password_only(client, "newcomer")
    assert urlparse(enrol_url).path == reverse("accounts:second_factor_enrol")
    assert urlparse(client.get(reverse("members:list"))["Location"]).path == reverse("accounts:second_factor_enrol")
    text = client.get(enrol_url).content.decode()
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    assert "otpauth://totp/" in text and "<svg" in text
    # The same secret on a reload, so what was scanned stays valid.
    secret = parse_qs(urlparse(device.config_url).query)["secret"][0]
    assert secret in client.get(enrol_url).content.decode().replace(" ", "")

    response = client.post(enrol_url, {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=newcomer).confirmed
    assert client.get(reverse("organisations:workbench")).status_code == 200


def test_enrolment_is_closed_once_a_device_is_confirmed(client, fed):
    password_only(client, "town_a")
    response = client.get(reverse("accounts:second_factor_enrol"))
    assert urlparse(response["Location"]).path == reverse("accounts:second_factor")
    assert "otpauth" not in client.get(reverse("accounts:second_factor")).content.decode()


def test_members_sign_in_with_a_password_alone(client, fed):
    password_only(client, "member_a1")
    assert client.get(reverse("members:my_membership")).status_code == 200
    assert client.get("/api/v1/members/me").status_code == 200


def test_a_bearer_token_is_its_own_credential(client, fed):
    _, key = ApiToken.issue(user=fed.town_a_staff, name="同步")
    password_only(client, "town_a")  # the same browser holds a password-only session
    response = client.get("/api/v1/members", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    refused = client.get("/api/v1/members", HTTP_AUTHORIZATION="Bearer not-a-key")
    assert refused.status_code == 401


def test_the_admin_needs_the_second_factor(client, fed):
    staff = fed.city_staff
    staff.is_staff = True
    staff.save()
    assert urlparse(client.get("/admin/").url).path in {"/admin/login/", reverse("accounts:login")}
    login_redirect = client.get("/admin/login/?next=/admin/")
    assert urlparse(login_redirect["Location"]).path == reverse("accounts:login")
    password_only(client, "city")
    response = client.get("/admin/")
    assert urlparse(response["Location"]).path == reverse("accounts:second_factor")
    client.post(reverse("accounts:second_factor") + "?next=/admin/", {"token": totp_code(staff)})
    assert client.get("/admin/").status_code == 200


def test_superusers_without_a_role_need_the_second_factor_too(client, fed):
    root = User.objects.create_superuser(username="root", password=PASSWORD)
    TOTPDevice.objects.create(user=root, name="x", confirmed=True)
    password_only(client, "root")
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/v1/organisations").status_code == 401
