"""/api/v1/auth/: tokens (SES-06), one device, password change with OTP."""

import datetime as dt
import hashlib

from django.test import Client
from django.utils import timezone

import pytest
import time_machine

from accounts.models import ApiToken

from .conftest import NUMBER, PASSWORD, sign_in

pytestmark = pytest.mark.django_db
A, B = "phone-aaaaaaaa", "phone-bbbbbbbb"


def obtain(client, device=A, password=PASSWORD, **extra):
    return client.post(
        "/api/v1/auth/token/",
        {"username": NUMBER, "password": password, "device_id": device, **extra},
        content_type="application/json",
    )


def call(client, path, access, device=A, data=None):
    return client.post(
        path,
        data or {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {access}",
        HTTP_X_DEVICE_ID=device,
    )


def test_a_token_is_long_random_and_stored_only_as_a_digest(client, citizen):
    body = obtain(client).json()
    assert len(body["access"]) >= 43  # 256 bits, base64url
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(body["access"].encode()).hexdigest()
    assert body["access"] not in str(ApiToken.objects.values().get())
    assert token.device_id == A


def test_the_token_works_only_with_its_device_and_until_it_expires(client, citizen):
    access = obtain(client).json()["access"]
    assert call(client, "/api/v1/auth/token/revoke/", access, device=B).status_code == 401
    assert call(client, "/api/v1/auth/otp/resend/", access).status_code == 400
    with time_machine.travel(timezone.now() + dt.timedelta(hours=12, seconds=1)):
        response = call(client, "/api/v1/auth/token/revoke/", access)
    assert response.status_code == 401


def test_refresh_swaps_the_pair_and_the_old_one_stops(client, citizen):
    body = obtain(client).json()
    fresh = client.post(
        "/api/v1/auth/token/refresh/",
        {"refresh": body["refresh"], "device_id": A},
        content_type="application/json",
    ).json()
    assert fresh["access"] != body["access"]
    assert call(client, "/api/v1/auth/token/revoke/", body["access"]).status_code == 401
    again = client.post(
        "/api/v1/auth/token/refresh/",
        {"refresh": body["refresh"], "device_id": A},
        content_type="application/json",
    )
    assert again.status_code == 401
    assert call(client, "/api/v1/auth/token/revoke/", fresh["access"]).status_code == 204
    assert call(client, "/api/v1/auth/token/revoke/", fresh["access"]).status_code == 401


def test_wrong_passwords_on_the_api_get_the_same_answers(client, citizen, captcha_code):
    unknown = client.post(
        "/api/v1/auth/token/",
        {"username": "7909999999", "password": "sai", "device_id": A},
        content_type="application/json",
    )
    known = obtain(client, password="sai")
    assert unknown.status_code == known.status_code == 400
    assert unknown.json() == known.json()
    obtain(client, password="sai")
    third = obtain(client, password="sai").json()
    assert third["code"] == "captcha_required"
    assert third["captcha_image"].startswith("http://testserver/ma-kiem-tra/")
    ok = obtain(client, captcha_key=third["captcha_key"], captcha="ABCD")
    assert ok.status_code == 200


def test_a_second_device_on_the_api_takes_over_with_the_otp(client, citizen, codes, notices):
    web = Client()
    sign_in(web)
    first = obtain(client, device=A)
    assert first.status_code == 202  # the web session holds the account
    step = first.json()
    assert step["otp_required"] is True
    wrong_device = client.post(
        "/api/v1/auth/token/confirm/",
        {"challenge": step["challenge"], "code": codes[0], "device_id": B},
        content_type="application/json",
    )
    assert wrong_device.status_code == 400
    done = client.post(
        "/api/v1/auth/token/confirm/",
        {"challenge": step["challenge"], "code": codes[0], "device_id": A},
        content_type="application/json",
    )
    assert done.status_code == 200
    page = web.get("/ca-nhan/tai-khoan/", follow=True)
    assert "Tài khoản đã được đăng nhập trên thiết bị khác" in page.content.decode()
    # And the other way round: a new device B revokes A's token.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        step = obtain(client, device=B).json()
        client.post(
            "/api/v1/auth/token/confirm/",
            {"challenge": step["challenge"], "code": codes[1], "device_id": B},
            content_type="application/json",
        )
    revoked = call(client, "/api/v1/auth/token/revoke/", done.json()["access"])
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "Tài khoản đã được đăng nhập trên thiết bị khác."


def test_password_change_on_the_api_needs_the_otp_and_keeps_this_token(client, citizen, codes):
    access = obtain(client).json()["access"]
    bad = call(
        client,
        "/api/v1/auth/password/change/",
        access,
        data={"old_password": PASSWORD, "new_password": "ngan"},
    )
    assert bad.status_code == 400 and "new_password" in bad.json()
    step = call(
        client,
        "/api/v1/auth/password/change/",
        access,
        data={"old_password": PASSWORD, "new_password": "Mot-cau-mat-khau-moi-2026"},
    ).json()
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)
    done = call(
        client,
        "/api/v1/auth/password/change/confirm/",
        access,
        data={"challenge": step["challenge"], "code": codes[0]},
    )
    assert done.status_code == 200
    citizen.refresh_from_db()
    assert citizen.check_password("Mot-cau-mat-khau-moi-2026")
    assert call(client, "/api/v1/auth/token/revoke/", access).status_code == 204


def test_the_auth_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/auth/token/confirm/",
        "/api/v1/auth/token/refresh/",
        "/api/v1/auth/token/revoke/",
        "/api/v1/auth/password/change/",
        "/api/v1/auth/password/change/confirm/",
    ):
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["deviceToken"]["scheme"] == "bearer"


def test_api_sign_in_is_limited_per_ip_with_json_429(settings, client, citizen):
    settings.ACCOUNTS_RATE_LIMITS = {
        **settings.ACCOUNTS_RATE_LIMITS,
        "sign_in_ip": {"limit": 3, "window": 60},
    }
    for _i in range(3):
        obtain(client, password="sai")
    response = obtain(client, password="sai")
    assert response.status_code == 429
    assert response.json()["retry_after"] > 0 and response["Retry-After"]


def test_forgotten_password_is_limited_per_ip(settings, client, citizen, captcha_code):
    from tests.conftest import captcha_post_data

    settings.ACCOUNTS_RATE_LIMITS = {
        **settings.ACCOUNTS_RATE_LIMITS,
        "forgot_ip": {"limit": 2, "window": 3600},
    }
    statuses = [
        client.post(
            "/quen-mat-khau/",
            {"username": f"79000000{i:02d}", "phone": "0912345678", **captcha_post_data()},
        ).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
