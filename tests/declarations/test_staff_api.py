"""/api/v1/staff/declarations/: same scoping and services as the pages, JSON errors."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from declarations.models import Declaration

from .factories import DeclarationFactory
from .staff_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
BASE = "/api/v1/staff/declarations/"


@pytest.fixture
def api():
    return APIClient()


def endpoints(d):
    code = d.reference_code
    return [
        ("get", BASE, None),
        ("get", f"{BASE}{code}/", None),
        ("post", f"{BASE}{code}/check/", {}),
        ("post", f"{BASE}{code}/approve/", {}),
        ("post", f"{BASE}{code}/reject/", {"reason": "x"}),
        ("post", f"{BASE}{code}/return/", {"items": [{"field": "phone", "reason": "other"}]}),
    ]


def test_anonymous_and_citizens_are_refused_on_every_endpoint(api, declaration_q4, citizen_user):
    for method, url, data in endpoints(declaration_q4):
        assert getattr(api, method)(url, data).status_code in (401, 403), url
    api.force_authenticate(citizen_user)
    for method, url, data in endpoints(declaration_q4):
        assert getattr(api, method)(url, data).status_code == 403, url
    declaration_q4.refresh_from_db()
    assert declaration_q4.status == "submitted"


def test_clerk_of_another_office_gets_404_and_an_empty_list(api, declaration_q4, clerk_q1):
    api.force_authenticate(clerk_q1)
    for method, url, data in endpoints(declaration_q4)[1:]:
        response = getattr(api, method)(url, data, format="json")
        assert response.status_code == 404, url
    listing = api.get(BASE, {"status": "all"}).json()
    assert listing["count"] == 0 and listing["results"] == []
    declaration_q4.refresh_from_db()
    assert declaration_q4.status == "submitted"


def test_list_filters_and_searches_like_the_queue(api, offices, clerk_q4, admin_user):
    DeclarationFactory(office=offices.q4, full_name="Nguyễn Văn An")
    DeclarationFactory(office=offices.q4, full_name="Hồ Thị Lan", submission_mode="by_post")
    DeclarationFactory(office=offices.q4, full_name="Võ Minh", approved=True)
    DeclarationFactory(office=offices.q1, full_name="Nguyễn Văn Ánh")
    api.force_authenticate(clerk_q4)
    data = api.get(BASE, {"q": "nguyen van"}).json()
    assert [r["full_name"] for r in data["results"]] == ["Nguyễn Văn An"]
    data = api.get(BASE, {"submission_mode": "by_post"}).json()
    assert [r["full_name"] for r in data["results"]] == ["Hồ Thị Lan"]
    assert api.get(BASE, {"status": "approved"}).json()["count"] == 1
    assert api.get(BASE).json()["count"] == 2
    api.force_authenticate(admin_user)
    assert api.get(BASE, {"q": "nguyen van"}).json()["count"] == 2


def test_bad_filters_answer_a_field_map(api, clerk_q4):
    api.force_authenticate(clerk_q4)
    response = api.get(BASE, {"status": "nope", "date_from": "2026-05-02", "date_to": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"status", "date_to"}
    response = api.get(BASE, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.json() == {"date_to": ["“Đến ngày” phải sau hoặc bằng “Nộp từ ngày”."]}


def test_detail_has_registry_comparison_and_history(api, declaration_q4, clerk_q4):
    api.force_authenticate(clerk_q4)
    api.post(f"{BASE}{declaration_q4.reference_code}/check/")
    data = api.get(f"{BASE}{declaration_q4.reference_code}/").json()
    assert data["status"] == "received" and data["registry_found"] is True
    assert all(row["matches"] for row in data["registry_comparison"])
    assert [(e["action"], e["actor"]) for e in data["history"]] == [("checked", "canbo.quan4")]


def test_check_approve_creates_the_account(api, declaration_q4, clerk_q4):
    api.force_authenticate(clerk_q4)
    code = declaration_q4.reference_code
    response = api.post(f"{BASE}{code}/approve/")
    assert response.status_code == 409
    assert "Chưa kiểm tra giấy tờ" in response.json()["non_field_errors"][0]
    assert api.post(f"{BASE}{code}/check/").json()["status"] == "received"
    response = api.post(f"{BASE}{code}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert User.objects.get(username=declaration_q4.insurance_number).must_change_password
    again = api.post(f"{BASE}{code}/approve/")
    assert again.status_code == 409
    assert "Đã duyệt" in again.json()["non_field_errors"][0]


def test_reject_requires_a_reason(api, declaration_q4, clerk_q4):
    api.force_authenticate(clerk_q4)
    url = f"{BASE}{declaration_q4.reference_code}/reject/"
    response = api.post(url, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["Vui lòng chọn hoặc nhập lý do từ chối."]}
    response = api.post(url, {"reason": "Ảnh mờ"}, format="json")
    assert response.json()["status"] == "rejected" and response.json()["reject_reason"] == "Ảnh mờ"
    assert Declaration.objects.get().events.get().reason == "Ảnh mờ"


def test_staff_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "/api/v1/staff/declarations/" in paths
    assert "post" in paths["/api/v1/staff/declarations/{code}/reject/"]
    assert "post" in paths["/api/v1/staff/declarations/{code}/approve/"]
