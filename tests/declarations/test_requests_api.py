"""/api/v1/me/requests/ and /api/v1/staff/requests/: the same forms, services and
rules as the pages, JSON in and out, field maps for errors."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from declarations.requests.models import ServiceRequest
from notifications.models import Message

from .helpers import image_upload
from .request_fixtures import *  # noqa: F403
from .staff_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/requests/"
STAFF = "/api/v1/staff/requests/"


@pytest.fixture
def api_an(an):
    client = APIClient()
    client.force_authenticate(an)
    return client


@pytest.fixture
def api_clerk(clerk_q4):
    client = APIClient()
    client.force_authenticate(clerk_q4)
    return client


def test_filing_by_api_validates_like_the_form_and_returns_the_request(api_an, an_card):
    response = api_an.post(ME, {"kind": "card_reissue", "delivery": "by_post"}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"reason", "address", "commitment"}
    assert errors["reason"] == ["Vui lòng chọn lý do cấp lại thẻ."]
    assert api_an.post(ME, {"kind": "lottery"}, format="json").json() == {
        "kind": ["Loại yêu cầu không hợp lệ."]
    }
    assert ServiceRequest.objects.count() == 0

    body = {
        "kind": "card_reissue",
        "reason": "damaged",
        "delivery": "at_office",
        "commitment": True,
    }
    response = api_an.post(ME, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert response.status_code == 201
    data = response.json()
    assert data["kind"] == "card_reissue" and data["status"] == "submitted"
    assert data["office_code"] == "07914" and data["acknowledge_due_at"]
    assert {"label": "Lý do cấp lại", "value": "Thẻ bị hỏng, rách, mờ chữ", "name": "reason"} in (
        data["payload_display"]
    )
    assert data["history"][0]["action"] == "submitted"
    # A retried call with the same key gets the same request.
    again = api_an.post(ME, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert again.status_code == 201 and again.json()["reference_code"] == data["reference_code"]
    # Another one while it is open: refused, with its code.
    refused = api_an.post(ME, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    assert refused.status_code == 400
    assert data["reference_code"] in refused.json()["non_field_errors"][0]
    listing = api_an.get(ME).json()
    assert [r["reference_code"] for r in listing["results"]] == [data["reference_code"]]
    detail = api_an.get(f"{ME}{data['reference_code']}/").json()
    assert detail["status_label"] == "Đã nộp"


def test_a_data_correction_by_api_needs_its_photo_and_it_is_re_encoded(api_an, person):
    fields = {
        "kind": "data_correction",
        "wrong_fields": ["id_number"],
        "id_number": "079090009999",
        "document": "cccd",
        "commitment": "true",
    }
    response = api_an.post(ME, fields, format="multipart")
    assert response.status_code == 400 and "attachment" in response.json()
    response = api_an.post(ME, {**fields, "attachment": image_upload(gps=True)}, format="multipart")
    assert response.status_code == 201, response.json()
    req = ServiceRequest.objects.get()
    stored = req.attachment.read()
    assert stored.startswith(b"\xff\xd8") and b"Exif" not in stored
    assert req.payload == {
        "wrong_fields": ["id_number"],
        "id_number": "079090009999",
        "document": "cccd",
        "note": "",
    }
    photo = api_an.get(f"{ME}{req.reference_code}/attachment/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


def test_correction_by_api_sends_only_the_marked_fields(api_an, api_clerk, an_card, clerk_q4):
    body = {"kind": "card_reissue", "reason": "lost", "delivery": "by_post", "address": "1 A"}
    code = api_an.post(ME, {**body, "commitment": True}, format="json").json()["reference_code"]
    response = api_clerk.post(
        f"{STAFF}{code}/return/",
        {"items": [{"field": "address", "reason": "incomplete", "note": "Thiếu quận"}]},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "returned"
    detail = api_an.get(f"{ME}{code}/").json()
    assert detail["correction_request"][0]["field"] == "address"
    assert detail["correction_request"][0]["note"] == "Thiếu quận"
    url = f"{ME}{code}/correction/"
    assert api_an.post(url, {"commitment": True}, format="json").status_code == 400
    response = api_an.post(
        url,
        {"correction_round": 1, "address": "", "commitment": True},
        format="json",
    )
    assert response.status_code == 400 and "address" in response.json()
    response = api_an.post(
        url,
        {"correction_round": 1, "address": "1 A, Quận 4", "reason": "damaged", "commitment": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    req = ServiceRequest.objects.get(reference_code=code)
    assert req.status == "submitted" and req.payload["address"] == "1 A, Quận 4"
    assert req.payload["reason"] == "lost"  # not marked: ignored
    response = api_an.post(
        url, {"correction_round": 1, "address": "x", "commitment": True}, format="json"
    )
    assert response.status_code == 409


def test_staff_api_lists_filters_and_decides_like_the_pages(
    api_an, api_clerk, an_card, clerk_q4, person
):
    api_an.post(
        ME,
        {"kind": "card_reissue", "reason": "lost", "delivery": "at_office", "commitment": True},
        format="json",
    )
    report = api_an.post(
        ME,
        {
            "kind": "contribution_report",
            "from_month": "2024-03",
            "to_month": "03/2024",
            "problem": "missing",
            "description": "Thiếu tháng 3",
            "commitment": True,
        },
        format="json",
    ).json()
    assert report["payload"]["to_month"] == "2024-03"
    listing = api_clerk.get(STAFF).json()
    assert listing["count"] == 2
    only = api_clerk.get(STAFF, {"kind": "contribution_report"}).json()
    assert [r["reference_code"] for r in only["results"]] == [report["reference_code"]]
    by_number = api_clerk.get(STAFF, {"q": person.insurance_number}).json()
    assert by_number["count"] == 2
    by_code = api_clerk.get(STAFF, {"q": report["reference_code"].lower()}).json()
    assert by_code["count"] == 1
    assert api_clerk.get(STAFF, {"status": "nonsense"}).status_code == 400

    code = report["reference_code"]
    response = api_clerk.post(f"{STAFF}{code}/approve/", {}, format="json")
    assert response.status_code == 409  # not checked yet
    api_clerk.post(f"{STAFF}{code}/check/")
    response = api_clerk.post(f"{STAFF}{code}/approve/", {"answer": ""}, format="json")
    assert response.status_code == 400 and "answer" in response.json()
    response = api_clerk.post(
        f"{STAFF}{code}/approve/", {"answer": "Đã điều chỉnh tháng 3."}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "approved" and data["answer"] == "Đã điều chỉnh tháng 3."
    assert [e["action"] for e in data["history"]] == ["submitted", "checked", "approved"]
    again = api_clerk.post(f"{STAFF}{code}/reject/", {"reason": "x"}, format="json")
    assert again.status_code == 409
    overdue = api_clerk.get(STAFF, {"status": "overdue"}).json()
    assert overdue["count"] == 0


def test_an_approved_request_tells_the_owner_by_a_pointer_only(api_an, api_clerk, person):
    response = api_an.post(
        ME,
        {
            "kind": "data_correction",
            "wrong_fields": ["date_of_birth"],
            "date_of_birth": "1990-05-16",
            "document": "birth_certificate",
            "commitment": "on",
            "attachment": image_upload(),
        },
        format="multipart",
    )
    code = response.json()["reference_code"]
    api_clerk.post(f"{STAFF}{code}/check/")
    api_clerk.post(f"{STAFF}{code}/approve/", {}, format="json")
    person.refresh_from_db()
    assert person.date_of_birth == dt.date(1990, 5, 16)
    for message in Message.objects.filter(template__startswith="service_request_"):
        text = message.subject + message.text + message.html
        for personal in ("Nguyễn Văn An", "7901234567", "079090001234", "16/05/1990", "1990"):
            assert personal not in text, (message.template, message.channel)
        assert f"/ca-nhan/yeu-cau/{code}/" in text


def test_the_api_never_files_for_someone_elses_child(api_an, an_card, other_citizen):
    from accounts.models import User

    stranger_child = User.objects.create_user("7912121212", guardian=other_citizen)
    response = api_an.post(
        ME,
        {
            "kind": "card_reissue",
            "child_id": stranger_child.pk,
            "reason": "lost",
            "delivery": "at_office",
            "commitment": True,
        },
        format="json",
    )
    assert response.status_code == 404
    assert (
        api_an.post(ME, {"kind": "card_reissue", "child_id": "x"}, format="json").status_code == 400
    )
    assert ServiceRequest.objects.count() == 0


def test_fields_a_client_must_not_set_are_ignored(api_an, an_card, offices):
    response = api_an.post(
        ME,
        {
            "kind": "card_reissue",
            "reason": "lost",
            "delivery": "at_office",
            "commitment": True,
            "status": "approved",
            "office": offices.q1.pk,
            "answer": "Tự duyệt",
            "outcome": {"x": 1},
        },
        format="json",
    )
    assert response.status_code == 201
    req = ServiceRequest.objects.get()
    assert req.status == "submitted" and req.office == offices.q4
    assert req.answer == "" and req.outcome == {}
