"""Passkeys: what a server must refuse (the browser flow with Chromium's
virtual authenticator is in tests/e2e/test_account_security.py)."""

import json

from django.test import Client
from django.utils import timezone

import pytest

from accounts.models import AccountEvent, Passkey

from .conftest import make_citizen

pytestmark = pytest.mark.django_db


def a_passkey(user) -> Passkey:
    return Passkey.objects.create(
        user=user,
        credential_id="Y3JlZGVudGlhbC0x",
        public_key=b"not-a-key",
        user_handle="aGFuZGxl",
        name="Chrome · Android",
        created_at=timezone.now(),
    )


def test_sign_in_options_ask_for_user_verification_on_this_site(client, citizen):
    response = client.post("/dang-nhap/khoa/tuy-chon/")
    options = json.loads(response.json()["options"])
    assert options["rpId"] == "testserver"
    assert options["userVerification"] == "required"
    assert options.get("allowCredentials", []) == []  # any passkey of this site
    assert client.get("/dang-nhap/khoa/tuy-chon/").status_code == 405


def test_a_garbage_or_unknown_answer_is_a_clear_error_never_a_session(client, citizen):
    assert client.post("/dang-nhap/khoa/", "{}", content_type="application/json").json() == {
        "detail": "Phiên đăng nhập đã hết hạn. Vui lòng thử lại."
    }
    for body in ("not json", json.dumps({"id": "eA", "rawId": "eA", "type": "public-key"})):
        client.post("/dang-nhap/khoa/tuy-chon/")
        response = client.post("/dang-nhap/khoa/", body, content_type="application/json")
        assert response.status_code == 400
        assert "Không đăng nhập được bằng khoá này" in response.json()["detail"]
    assert "_auth_user_id" not in client.session


def test_registration_needs_a_signed_in_citizen(client, citizen):
    assert client.post("/ca-nhan/tai-khoan/khoa-dang-nhap/dang-ky/tuy-chon/").status_code == 403
    client.force_login(citizen)
    options = json.loads(
        client.post("/ca-nhan/tai-khoan/khoa-dang-nhap/dang-ky/tuy-chon/").json()["options"]
    )
    assert options["user"]["name"] == citizen.username
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert citizen.username not in options["user"]["id"]  # a random handle, not the mã số


def test_only_the_owner_removes_a_passkey_and_it_is_logged(client, citizen):
    passkey = a_passkey(citizen)
    other = make_citizen(username="7909999999", phone="+84907654321", email="b@example.vn")
    client.force_login(other)
    url = f"/ca-nhan/tai-khoan/khoa-dang-nhap/{passkey.pk}/xoa/"
    assert client.post(url).status_code == 404
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    owner = Client()
    owner.force_login(citizen)
    assert owner.get("/ca-nhan/tai-khoan/khoa-dang-nhap/").status_code == 200
    assert owner.post(url).status_code == 302
    assert not Passkey.objects.exists()
    assert AccountEvent.objects.get(user=citizen, action="passkey_removed").detail == {
        "device": "Chrome · Android"
    }


def test_the_api_lists_and_removes_only_the_owners_passkeys(citizen):
    passkey = a_passkey(citizen)
    other = make_citizen(username="7909999999", phone="+84907654321", email="b@example.vn")
    stranger, owner = Client(), Client()
    stranger.force_login(other)
    owner.force_login(citizen)
    assert stranger.get("/api/v1/me/passkeys/").json() == []
    assert stranger.delete(f"/api/v1/me/passkeys/{passkey.pk}/").status_code == 404
    listed = owner.get("/api/v1/me/passkeys/").json()
    assert [(p["id"], p["name"]) for p in listed] == [(passkey.pk, "Chrome · Android")]
    assert owner.delete(f"/api/v1/me/passkeys/{passkey.pk}/").status_code == 204
    assert not Passkey.objects.exists()
