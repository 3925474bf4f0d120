"""The lifecycle through the API: a clerk sends back, the mobile client reads
the request with code + phone and answers it; clocks in the status."""

import pytest
from rest_framework.test import APIClient

from declarations.models import Declaration

from .conftest import jpeg_bytes
from .staff_fixtures import *  # noqa: F403
from .test_services import submit

pytestmark = pytest.mark.django_db
STAFF = "/api/v1/staff/declarations/"


@pytest.fixture
def api():
    return APIClient()


def send_back(api, clerk, declaration, items):
    api.force_authenticate(clerk)
    response = api.post(
        f"{STAFF}{declaration.reference_code}/return/",
        {"items": items, "note": "Chụp lại giúp"},
        format="json",
    )
    api.force_authenticate(None)
    return response


def test_clerk_returns_through_the_api_with_field_errors_as_json(api, person, offices, clerk_q4):
    declaration = submit(offices)
    bad = send_back(api, clerk_q4, declaration, [{"field": "phone", "reason": "nope"}])
    assert bad.status_code == 400 and "items" in bad.json()
    empty = send_back(api, clerk_q4, declaration, [])
    assert empty.status_code == 400 and "ít nhất một" in " ".join(empty.json()["items"])
    other = send_back(api, clerk_q4, declaration, [{"field": "phone", "reason": "other"}])
    assert other.status_code == 400 and "ghi rõ" in " ".join(other.json()["phone"])
    ok = send_back(api, clerk_q4, declaration, [{"field": "id_front", "reason": "unreadable"}])
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "returned" and body["acknowledged_at"]
    assert body["correction_request"][0]["field"] == "id_front"
    assert body["correction_request"][0]["reason_label"].startswith("Ảnh mờ")
    again = send_back(api, clerk_q4, declaration, [{"field": "id_front", "reason": "unreadable"}])
    assert again.status_code == 409


def test_citizen_reads_and_answers_the_request_with_code_and_phone(api, person, offices, clerk_q4):
    declaration = submit(offices)
    send_back(
        api,
        clerk_q4,
        declaration,
        [
            {"field": "contact_address", "reason": "incomplete", "note": "Thiếu phường"},
            {"field": "id_front", "reason": "unreadable"},
        ],
    )
    url = f"/api/v1/declarations/{declaration.reference_code}/correction"
    assert api.get(url, {"phone": "0900000000"}).status_code == 404
    request = api.get(url, {"phone": "0912345678"})
    assert request.status_code == 200
    data = request.json()
    assert [line["field"] for line in data["correction_request"]] == ["contact_address", "id_front"]
    assert data["current_values"] == {"contact_address": declaration.contact_address}
    assert data["correction_note"] == "Chụp lại giúp"
    status = api.get(
        f"/api/v1/declarations/{declaration.reference_code}/status", {"phone": "0912345678"}
    ).json()
    assert status["status"] == "returned" and status["acknowledged_at"]
    assert status["correction_request"][0]["note"] == "Thiếu phường"

    from django.core.files.uploadedfile import SimpleUploadedFile

    missing = api.post(
        url,
        {
            "phone": "0912345678",
            "correction_round": 1,
            "commitment": "true",
            "contact_address": "12 Đường số 3, Phường Khánh Hội, TP. Hồ Chí Minh",
        },
        format="multipart",
    )
    assert missing.status_code == 400 and "id_front" in missing.json()
    answered = api.post(
        url,
        {
            "phone": "0912345678",
            "correction_round": 1,
            "commitment": "true",
            "contact_address": "12 Đường số 3, Phường Khánh Hội, TP. Hồ Chí Minh",
            "id_front": SimpleUploadedFile("truoc.jpg", jpeg_bytes(), content_type="image/jpeg"),
            "id_number": "000000000000",  # not marked: ignored
        },
        format="multipart",
    )
    assert answered.status_code == 200, answered.json()
    assert answered.json()["status"] == "submitted"
    declaration.refresh_from_db()
    assert declaration.contact_address.startswith("12 Đường số 3, Phường Khánh Hội")
    assert declaration.id_number == "079090001234"
    assert api.get(url, {"phone": "0912345678"}).status_code == 409


def test_status_shows_the_clocks_and_the_reason_of_a_rejection(api, person, offices, clerk_q4):
    declaration = submit(offices)
    url = f"/api/v1/declarations/{declaration.reference_code}/status"
    fresh = api.get(url, {"phone": "0912345678"}).json()
    assert fresh["acknowledge_due_at"] and fresh["acknowledged_at"] is None
    assert fresh["decided_at"] is None and fresh["correction_request"] == []
    api.force_authenticate(clerk_q4)
    api.post(f"{STAFF}{declaration.reference_code}/reject/", {"reason": "Trùng hồ sơ"})
    api.force_authenticate(None)
    done = api.get(url, {"phone": "0912345678"}).json()
    assert done["status"] == "rejected" and done["reject_reason"] == "Trùng hồ sơ"
    assert done["decided_at"] and done["acknowledged_at"]
    assert Declaration.objects.get(pk=declaration.pk).decided_at is not None


def test_queue_api_filters_overdue_and_matches_and_orders_by_deadline(
    api, person, offices, clerk_q4
):
    import datetime as dt

    from django.utils import timezone

    from .factories import DeclarationFactory

    late = DeclarationFactory(
        office=offices.q4, acknowledge_due_at=timezone.now() - dt.timedelta(hours=1)
    )
    DeclarationFactory(office=offices.q4, acknowledge_due_at=timezone.now() + dt.timedelta(hours=5))
    matching = submit(offices)
    api.force_authenticate(clerk_q4)
    overdue = api.get(STAFF, {"status": "overdue"}).json()
    assert [row["reference_code"] for row in overdue["results"]] == [late.reference_code]
    assert overdue["results"][0]["overdue"] is True
    matches = api.get(STAFF, {"registry_match": "true"}).json()
    assert [row["reference_code"] for row in matches["results"]] == [matching.reference_code]
    ordered = api.get(STAFF, {"order": "due"}).json()["results"]
    assert ordered[0]["reference_code"] == late.reference_code
