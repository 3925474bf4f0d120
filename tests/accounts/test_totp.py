"""Authenticator app (TOTP) and recovery codes as a second factor (issue 20)."""

import datetime as dt

from django.test import Client
from django.utils import timezone

import pyotp
import pytest
import time_machine

from accounts.models import AccountEvent, OtpChallenge, RecoveryCode, TotpDevice
from accounts.totp import secret_decrypt, totp_setup_begin, totp_setup_confirm

from .conftest import NUMBER, PASSWORD, PHONE, sign_in

pytestmark = pytest.mark.django_db
CONTROLLED = dt.datetime(2026, 12, 5, 8, 0, 0, tzinfo=dt.UTC)


def app_for(user) -> pyotp.TOTP:
    """What the citizen's authenticator app computes."""
    return pyotp.TOTP(secret_decrypt(TotpDevice.objects.get(user=user).secret_encrypted))


def turn_on(user) -> tuple[pyotp.TOTP, list[str]]:
    device = totp_setup_begin(user=user)
    app = pyotp.TOTP(secret_decrypt(device.secret_encrypted))
    codes = totp_setup_confirm(user=user, code=app.now())
    return app, codes


def test_setup_shows_a_qr_then_the_first_code_turns_it_on_with_ten_recovery_codes(
    client, citizen, notices
):
    client.force_login(citizen)
    assert "Chưa bật" in client.get("/ca-nhan/tai-khoan/").content.decode()
    response = client.post("/ca-nhan/tai-khoan/xac-thuc-2-buoc/")
    assert response.url == "/ca-nhan/tai-khoan/xac-thuc-2-buoc/cai-dat/"
    page = client.get(response.url).content.decode()
    assert '<img src="data:image/png;base64,' in page
    device = TotpDevice.objects.get(user=citizen)
    secret = secret_decrypt(device.secret_encrypted)
    assert secret not in device.secret_encrypted  # stored encrypted
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page

    wrong = client.post(response.url, {"code": "000000"})
    assert wrong.status_code == 400
    assert "Mã xác thực không đúng" in wrong.content.decode()
    done = client.post(response.url, {"code": pyotp.TOTP(secret).now()})
    html = done.content.decode()
    assert "10 mã khôi phục của bạn" in html and "chỉ hiện MỘT LẦN" in html
    assert html.count("<li><code>") == 10
    assert RecoveryCode.objects.filter(user=citizen, used_at__isnull=True).count() == 10
    # Stored hashed only; the setup page and its secret are gone for good.
    shown = html.split("<li><code>")[1].split("</code>")[0]
    assert not RecoveryCode.objects.filter(code_hash__contains=shown.replace("-", "")).exists()
    assert client.get(response.url).url == "/ca-nhan/tai-khoan/xac-thuc-2-buoc/"
    assert AccountEvent.objects.filter(user=citizen, action="totp_enabled").exists()
    assert "totp_enabled" in notices.templates("email")


def test_a_second_device_takes_over_with_the_app_code_and_no_sms(citizen, notices):
    app, _codes = turn_on(citizen)
    device_a, device_b = Client(), Client()
    sign_in(device_a)
    response = sign_in(device_b)
    warning = device_b.get(response.url).content.decode()
    assert "Dùng ứng dụng xác thực" in warning and "Gửi mã qua SMS" in warning
    sent_before = len(notices.templates("sms"))
    device_b.post("/dang-nhap/thiet-bi-khac/", {"method": "totp"})
    page = device_b.get("/xac-nhan-otp/").content.decode()
    assert "ứng dụng xác thực" in page
    assert len(notices.templates("sms")) == sent_before  # no paid SMS
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        response = device_b.post("/xac-nhan-otp/", {"code": app.now()})
    assert response.status_code == 302 and "_auth_user_id" in device_b.session
    event = AccountEvent.objects.filter(user=citizen, action="device_takeover").get()
    assert event.detail["method"] == "totp"
    # The phone and the e-mail on record hear of the new device.
    assert "device_takeover" in notices.to(PHONE)
    assert "device_takeover" in notices.to("an@example.vn")


def test_the_same_app_code_cannot_be_used_twice(citizen):
    with time_machine.travel(CONTROLLED, tick=False):
        app, _codes = turn_on(citizen)  # the setup used the code of this step
    with time_machine.travel(CONTROLLED + dt.timedelta(seconds=60), tick=False):
        code = app.now()
        sign_in(Client())
        first, second = Client(), Client()
        sign_in(first)  # another device is active: the takeover step
        first.post("/dang-nhap/thiet-bi-khac/", {"method": "totp"})
        assert first.post("/xac-nhan-otp/", {"code": code}).status_code == 302
        sign_in(second)
        second.post("/dang-nhap/thiet-bi-khac/", {"method": "totp"})
        replay = second.post("/xac-nhan-otp/", {"code": code})
    assert replay.status_code == 200
    assert "Mã OTP không đúng" in replay.content.decode()
    assert "_auth_user_id" not in second.session


def test_an_older_code_than_the_last_one_used_is_refused(citizen):
    with time_machine.travel(CONTROLLED, tick=False):
        app, _codes = turn_on(citizen)
    from accounts.totp import second_factor_verify

    later = CONTROLLED + dt.timedelta(seconds=90)
    with time_machine.travel(later, tick=False):
        assert second_factor_verify(user=citizen, code=app.now()) == "totp"
        older = app.at(later - dt.timedelta(seconds=30))
        assert second_factor_verify(user=citizen, code=older) is None


def test_a_recovery_code_works_once(citizen):
    _app, codes = turn_on(citizen)
    from accounts.totp import second_factor_verify

    assert second_factor_verify(user=citizen, code=codes[3].upper()) == "recovery"
    assert second_factor_verify(user=citizen, code=codes[3]) is None
    assert RecoveryCode.objects.filter(user=citizen, used_at__isnull=True).count() == 9
    event = AccountEvent.objects.get(user=citizen, action="recovery_code_used")
    assert event.detail == {"left": 9}


def test_a_lost_phone_signs_in_on_a_new_device_with_a_recovery_code(citizen):
    _app, codes = turn_on(citizen)
    sign_in(Client())
    new = Client()
    sign_in(new)
    new.post("/dang-nhap/thiet-bi-khac/", {"method": "totp"})
    assert new.post("/xac-nhan-otp/", {"code": codes[0]}).status_code == 302
    again = Client()
    sign_in(again)
    again.post("/dang-nhap/thiet-bi-khac/", {"method": "totp"})
    refused = again.post("/xac-nhan-otp/", {"code": codes[0]})
    assert refused.status_code == 200 and "_auth_user_id" not in again.session


def test_the_app_step_can_still_switch_to_an_sms_code(citizen, codes, notices):
    turn_on(citizen)
    sign_in(Client())
    new = Client()
    sign_in(new)
    new.post("/dang-nhap/thiet-bi-khac/", {"method": "totp"})
    new.post("/xac-nhan-otp/", {"by_sms": "1"})
    assert notices.calls[-1]["template"] == "otp" and notices.calls[-1]["recipient"] == PHONE
    assert new.post("/xac-nhan-otp/", {"code": codes[-1]}).status_code == 302


def test_password_change_accepts_the_app_code_instead_of_sms(client, citizen, notices):
    app, _codes = turn_on(citizen)
    client.force_login(citizen)
    client.post(
        "/ca-nhan/tai-khoan/doi-mat-khau/",
        {
            "old_password": PASSWORD,
            "new_password1": "Mat-khau-moi-2027-dai",
            "new_password2": "Mat-khau-moi-2027-dai",
        },
    )
    assert OtpChallenge.objects.get(purpose="password_change").channel == "totp"
    assert "otp" not in notices.templates()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        response = client.post("/xac-nhan-otp/", {"code": app.now()})
    assert response.url == "/ca-nhan/tai-khoan/"
    citizen.refresh_from_db()
    assert citizen.check_password("Mat-khau-moi-2027-dai")
    event = AccountEvent.objects.get(user=citizen, action="password_changed")
    assert event.detail["method"] == "totp"


def test_turning_it_off_needs_the_password_and_a_code(client, citizen, notices):
    app, codes = turn_on(citizen)
    client.force_login(citizen)
    url = "/ca-nhan/tai-khoan/xac-thuc-2-buoc/tat/"
    no_password = client.post(url, {"password": "sai-mat-khau", "code": codes[0]})
    assert no_password.status_code == 400
    assert "Mật khẩu hiện tại không đúng." in no_password.content.decode()
    wrong_code = client.post(url, {"password": PASSWORD, "code": "123456"})
    assert "Mã xác thực không đúng" in wrong_code.content.decode()
    assert TotpDevice.objects.filter(user=citizen).exists()
    assert client.post(url, {"password": PASSWORD, "code": codes[1]}).status_code == 302
    assert not TotpDevice.objects.filter(user=citizen).exists()
    assert not RecoveryCode.objects.filter(user=citizen).exists()
    assert AccountEvent.objects.filter(user=citizen, action="totp_disabled").exists()


def test_new_recovery_codes_replace_the_old_ones(client, citizen):
    _app, codes = turn_on(citizen)
    client.force_login(citizen)
    html = client.post(
        "/ca-nhan/tai-khoan/xac-thuc-2-buoc/ma-khoi-phuc/",
        {"password": PASSWORD, "code": codes[0]},
    ).content.decode()
    assert html.count("<li><code>") == 10
    from accounts.totp import second_factor_verify

    assert second_factor_verify(user=citizen, code=codes[1]) is None


# API -------------------------------------------------------------------------
def api(client, method, path, token, device="phone-aaaaaaaa", **data):
    return getattr(client, method)(
        path,
        data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_DEVICE_ID=device,
    )


def token_for(client, device="phone-aaaaaaaa"):
    return client.post(
        "/api/v1/auth/token/",
        {"username": NUMBER, "password": PASSWORD, "device_id": device},
        content_type="application/json",
    )


def test_the_api_turns_the_app_on_and_off(client, citizen):
    token = token_for(client).json()["access"]
    assert api(client, "get", "/api/v1/me/totp/", token).json() == {
        "enabled": False,
        "setup_pending": False,
        "recovery_codes_left": 0,
    }
    setup = api(client, "post", "/api/v1/me/totp/setup/", token)
    assert setup.status_code == 201
    body = setup.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/")
    assert body["qr_png"].startswith("data:image/png;base64,")
    app = pyotp.TOTP(body["secret"])
    bad = api(client, "post", "/api/v1/me/totp/confirm/", token, code="000000")
    assert bad.status_code == 400 and "code" in bad.json()
    confirmed = api(client, "post", "/api/v1/me/totp/confirm/", token, code=app.now())
    assert len(confirmed.json()["recovery_codes"]) == 10
    assert api(client, "get", "/api/v1/me/totp/", token).json()["enabled"] is True
    off = api(
        client,
        "post",
        "/api/v1/me/totp/disable/",
        token,
        password=PASSWORD,
        code=confirmed.json()["recovery_codes"][0],
    )
    assert off.status_code == 200 and off.json()["enabled"] is False


def test_the_api_device_takeover_takes_the_app_code(client, citizen, notices):
    app, _codes = turn_on(citizen)
    token_for(client, "phone-aaaaaaaa")
    pending = token_for(client, "phone-bbbbbbbb")
    assert pending.status_code == 202
    body = pending.json()
    assert body["method"] == "totp"
    assert "otp" not in notices.templates()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        done = client.post(
            "/api/v1/auth/token/confirm/",
            {"challenge": body["challenge"], "code": app.now(), "device_id": "phone-bbbbbbbb"},
            content_type="application/json",
        )
    assert done.status_code == 200 and done.json()["access"]
