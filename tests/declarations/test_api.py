import pytest

from declarations.models import Declaration
from tests.conftest import captcha_post_data

from .conftest import declarant_data, stored_files
from .factories import DeclarationFactory
from .helpers import image_upload

pytestmark = pytest.mark.django_db


def payload(**overrides) -> dict:
    captcha = captcha_post_data()
    data = {
        **declarant_data(),
        "office": "07914",
        "submission_mode": "at_office",
        "send_form_by_email": "true",
        "commitment": "true",
        "portrait": image_upload(width=600, height=800),
        "id_front": image_upload(gps=True),
        "id_back": image_upload(),
        "captcha_key": captcha["captcha_0"],
        "captcha_answer": "ABCD",
    }
    data.update(overrides)
    return data


def test_api_creates_a_declaration_and_returns_its_code_and_link(
    client, person, captcha_code, outbox
):
    response = client.post("/api/v1/declarations/", payload())
    assert response.status_code == 201, response.json()
    body = response.json()
    declaration = Declaration.objects.get()
    assert body["reference_code"] == declaration.reference_code
    assert body["status"] == "submitted"
    assert "/dang-ky/tai-to-khai/" in body["download_url"]
    assert len(outbox.messages("sms")) == 1


def test_api_errors_are_keyed_by_field(client, person, captcha_code):
    response = client.post(
        "/api/v1/declarations/",
        payload(
            phone="123",
            insurance_number="12",
            commitment="",
            id_back=image_upload(width=50, height=50),
        ),
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"phone", "insurance_number", "commitment", "id_back"}
    assert "Số điện thoại di động không hợp lệ" in errors["phone"][0]
    assert "ít nhất 300 điểm ảnh" in errors["id_back"][0]
    assert not Declaration.objects.exists()


def test_api_registry_mismatch_is_a_non_field_error(client, person, captcha_code, private_storage):
    response = client.post("/api/v1/declarations/", payload(full_name="Nguyễn Văn Bình"))
    assert response.status_code == 400
    assert "không khớp" in response.json()["non_field_errors"][0]
    assert stored_files(private_storage) == []


def test_api_refuses_a_wrong_captcha_before_looking_at_anything(client, person, captcha_code):
    response = client.post("/api/v1/declarations/", payload(captcha_answer="ZZZZ"))
    assert response.status_code == 400
    assert list(response.json()) == ["captcha_answer"]
    # A solved captcha cannot be replayed.
    data = payload()
    assert client.post("/api/v1/declarations/", data).status_code == 201
    again = {**data, **{k: image_upload() for k in ("portrait", "id_front", "id_back")}}
    replay = client.post("/api/v1/declarations/", again)
    assert replay.status_code == 400 and "captcha_answer" in replay.json()


def test_api_ignores_status_and_other_fields_a_client_must_not_set(client, person, captcha_code):
    response = client.post(
        "/api/v1/declarations/", payload(status="approved", is_staff="true", reject_reason="x")
    )
    assert response.status_code == 201
    assert Declaration.objects.get().status == "submitted"


def test_api_idempotency_key_makes_a_retry_return_the_same_declaration(
    client, person, captcha_code
):
    first = client.post("/api/v1/declarations/", payload(), HTTP_IDEMPOTENCY_KEY="abc-123")
    second = client.post("/api/v1/declarations/", payload(), HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == second.status_code == 201
    assert first.json()["reference_code"] == second.json()["reference_code"]
    assert Declaration.objects.count() == 1


def test_api_captcha_failures_are_rate_limited(client, person, captcha_code):
    for _attempt in range(10):
        client.post("/api/v1/declarations/", payload(captcha_answer="ZZZZ"))
    response = client.post("/api/v1/declarations/", payload())
    assert response.status_code == 429
    assert "detail" in response.json()


def test_api_status_needs_code_and_phone_and_does_not_enumerate(client, offices):
    declaration = DeclarationFactory(office=offices.q4, rejected=True)
    url = f"/api/v1/declarations/{declaration.reference_code}/status"
    ok = client.get(url, {"phone": "0912345678"})
    assert ok.status_code == 200
    assert ok.json()["status"] == "rejected"
    assert ok.json()["status_label"] == "Bị từ chối"
    assert ok.json()["reject_reason"] == "Ảnh mặt trước bị mờ."
    assert "id_number" not in ok.json()
    wrong = client.get(url, {"phone": "0987654321"})
    unknown = client.get("/api/v1/declarations/DK250101ABCDEFGH/status", {"phone": "0912345678"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert "phone" in client.get(url).json()


def test_api_is_described_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/declarations/" in schema
    assert "/api/v1/declarations/{code}/status" in schema
    assert "captcha_answer" in schema


def test_api_captcha_endpoint_gives_a_key_and_an_image(client):
    body = client.post("/api/v1/declarations/captcha/").json()
    assert client.get(body["image_url"])["Content-Type"] == "image/png"
