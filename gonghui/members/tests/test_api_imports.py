import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from gonghui.members.models import ImportJob, Membership
from gonghui.members.tests.rosterfiles import HEADERS, csv_bytes, person_row

URL = "/api/v1/imports"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, union_code: str, rows, *, name: str = "名册.csv"):
    file = SimpleUploadedFile(name, csv_bytes([HEADERS, *rows]), content_type="text/csv")
    return client.post(URL, {"union": union_code, "file": file})


def test_upload_imports_a_clean_file_and_reports_its_status(fed):
    client = signed_in(fed.union_a1_officer)
    response = upload(client, fed.union_a1.code, [person_row(fed.employer_a1.name)])
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("union_code", "filename", "status", "total_rows", "created_count", "error_count")} == {
        "union_code": fed.union_a1.code,
        "filename": "名册.csv",
        "status": "done",
        "total_rows": 1,
        "created_count": 1,
        "error_count": 0,
    }
    status = client.get(f"{URL}/{body['id']}")
    assert (status.status_code, status.json()["status_label"]) == (200, "已导入")
    assert Membership.objects.filter(import_job_id=body["id"]).count() == 1
    listed = client.get(URL).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]


def test_a_file_with_errors_is_rejected_and_its_report_can_be_read_as_json_or_xlsx(fed):
    client = signed_in(fed.town_a_staff)
    response = upload(client, fed.union_a1.code, [person_row(fed.employer_a1.name), person_row("无名公司")])
    job = response.json()
    assert (response.status_code, job["status"], job["error_count"]) == (201, "rejected", 1)
    report = client.get(f"{URL}/{job['id']}/errors").json()
    assert report == {
        "job_id": job["id"],
        "status": "rejected",
        "error_count": 1,
        "listed": 1,
        "errors": [
            {
                "row": 3,
                "column": "工作单位",
                "message": "工作单位「无名公司」不是本工会覆盖的单位，请先登记该单位或核对名称",
            }
        ],
        "warning_count": 0,
        "warnings": [],
    }
    xlsx = client.get(f"{URL}/{job['id']}/errors", {"format": "xlsx"})
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[1][:3] == ("错误", 3, "工作单位")
    assert not Membership.objects.filter(import_job_id=job["id"]).exists()


def test_the_template_downloads_in_both_formats(fed):
    client = signed_in(fed.union_a1_officer)
    xlsx = client.get(f"{URL}/template")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = client.get(f"{URL}/template", {"format": "csv"})
    assert csv.status_code == 200 and csv.content.startswith("\ufeff姓名".encode())
    assert client.get(f"{URL}/template", {"format": "xls"}).status_code == 400


def test_another_towns_officer_can_neither_import_into_nor_read_a_union_outside_their_scope(fed):
    job = upload(signed_in(fed.union_a1_officer), fed.union_a1.code, [person_row(fed.employer_a1.name)]).json()
    outsider = signed_in(fed.town_b_staff)
    refused = upload(outsider, fed.union_a1.code, [person_row(fed.employer_a1.name)])
    assert (refused.status_code, refused.json()["field"]) == (404, "organisation")
    assert outsider.get(f"{URL}/{job['id']}").status_code == 404
    assert outsider.get(f"{URL}/{job['id']}/errors").status_code == 404
    assert outsider.get(URL).json()["items"] == []
    assert ImportJob.objects.count() == 1


def test_a_member_and_an_anonymous_caller_are_refused(fed):
    member = signed_in(fed.member_user)
    assert upload(member, fed.union_a1.code, [person_row(fed.employer_a1.name)]).status_code == 404
    assert Client().get(URL).status_code == 401
    anonymous = upload(Client(), fed.union_a1.code, [person_row(fed.employer_a1.name)])
    assert anonymous.status_code == 401
    assert not ImportJob.objects.exists()


def test_a_town_federation_or_a_wrong_file_type_is_a_400_naming_the_field(fed):
    client = signed_in(fed.city_staff)
    not_grassroots = upload(client, fed.town_a.code, [person_row(fed.employer_a1.name)])
    assert (not_grassroots.status_code, not_grassroots.json()["field"]) == (400, "union")
    wrong_type = upload(client, fed.union_a1.code, [], name="名册.numbers")
    assert (wrong_type.status_code, wrong_type.json()["field"]) == (400, "file")


def test_the_union_code_is_found_however_it_was_typed(fed):
    client = signed_in(fed.town_a_staff)
    response = upload(client, "ｈｎ－ｘｆ－\u200b００１", [person_row(fed.employer_a1.name)])
    assert (response.status_code, response.json()["union_code"]) == (201, "HN-XF-001")
