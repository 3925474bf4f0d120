"""SES-01, 02, 04, 05, 07 and the contact change (OTP-09)."""

import datetime as dt

from django.conf import settings
from django.test import Client
from django.utils import timezone

import pytest
import time_machine

from accounts.models import AccountEvent, ApiToken, UserSession
from accounts.services import contact_changes_apply_due
from accounts.sessions import api_token_issue
from tests.conftest import captcha_post_data

from .conftest import PASSWORD, PHONE, sign_in

pytestmark = pytest.mark.django_db
ELSEWHERE = "Tài khoản đã được đăng nhập trên thiết bị khác"


def test_sign_in_gives_a_new_session_key(client, citizen):
    client.get("/dang-nhap/")
    client.session.save()
    before = client.session.session_key
    sign_in(client)
    assert client.session.session_key != before
    assert UserSession.objects.get().session_key == client.session.session_key


def test_signed_in_pages_are_not_cached(client, citizen):
    sign_in(client)
    response = client.get("/ca-nhan/tai-khoan/")
    assert "no-store" in response["Cache-Control"]


def test_a_session_idle_for_31_minutes_ends_with_a_message(client, citizen):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        sign_in(client)
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get("/ca-nhan/tai-khoan/").status_code == 200
        traveller.shift(dt.timedelta(minutes=29))  # active 29 min ago: still fine
        assert client.get("/ca-nhan/tai-khoan/").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/ca-nhan/tai-khoan/", follow=True)
    assert "không thao tác trong 30 phút" in response.content.decode()
    assert response.redirect_chain[0][0].startswith("/dang-nhap/")
    assert UserSession.objects.get().end_reason == "expired"


def test_a_session_ends_after_12_hours_however_active(client, citizen):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        sign_in(client)
        for _i in range(36):
            traveller.shift(dt.timedelta(minutes=20))
            client.get("/ca-nhan/tai-khoan/")
        traveller.shift(dt.timedelta(minutes=1, seconds=1))
        response = client.get("/ca-nhan/tai-khoan/", follow=True)
    assert "quá 12 giờ" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_everywhere_ends_every_session_and_token(client, citizen):
    other = Client()
    sign_in(other)
    _t, access, _r = api_token_issue(user=citizen, device_id="phone-aaaaaaaa")
    client.force_login(citizen)
    response = client.post("/ca-nhan/tai-khoan/dang-xuat-moi-noi/", follow=True)
    assert "Đã đăng xuất tài khoản trên mọi thiết bị" in response.content.decode()
    assert "_auth_user_id" not in other.session
    assert other.get("/ca-nhan/tai-khoan/").status_code == 302
    assert ApiToken.objects.get().revoke_reason == "everywhere"
    replay = Client().post(
        "/api/v1/auth/token/revoke/",
        HTTP_AUTHORIZATION=f"Token {access}",
        HTTP_X_DEVICE_ID="phone-aaaaaaaa",
    )
    assert replay.status_code == 401
    assert AccountEvent.objects.filter(action="signed_out_everywhere").exists()


def test_sign_out_ends_the_session_on_the_server(client, citizen):
    sign_in(client)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/dang-xuat/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get("/ca-nhan/tai-khoan/").status_code == 302
    assert UserSession.objects.get().end_reason == "signed_out"


def test_forms_need_the_csrf_token(citizen):
    client = Client(enforce_csrf_checks=True)
    assert sign_in(client).status_code == 403
    client.force_login(citizen)
    assert client.post("/ca-nhan/tai-khoan/dang-xuat-moi-noi/").status_code == 403
    assert client.post("/ca-nhan/tai-khoan/doi-mat-khau/", {}).status_code == 403


# SES-04 ----------------------------------------------------------------------
def test_a_second_device_is_warned_and_takes_over_only_with_the_otp(citizen, codes, notices):
    device_a, device_b = Client(), Client()
    sign_in(device_a)
    _t, access, _r = api_token_issue(user=citizen, device_id="phone-aaaaaaaa")
    response = sign_in(device_b)
    assert response.url == "/dang-nhap/thiet-bi-khac/"
    warning = device_b.get(response.url).content.decode()
    assert "Tài khoản đang đăng nhập trên thiết bị khác" in warning
    assert "_auth_user_id" not in device_b.session
    # B abandons: A is untouched.
    assert device_a.get("/ca-nhan/tai-khoan/").status_code == 200
    device_b.post("/dang-nhap/thiet-bi-khac/", {"continue": "1"})
    assert notices.calls[-1]["recipient"] == PHONE
    # B types 5 wrong codes: A is still untouched, B is not in.
    for _i in range(5):
        device_b.post("/xac-nhan-otp/", {"code": "999999"})
    assert device_a.get("/ca-nhan/tai-khoan/").status_code == 200
    html = device_b.post("/xac-nhan-otp/", {"code": codes[0]}).content.decode()
    assert "quá 5 lần" in html
    # B asks for a new code a minute later and completes.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        device_b.post("/xac-nhan-otp/", {"resend": "1"})
        response = device_b.post("/xac-nhan-otp/", {"code": codes[1]})
    assert response.status_code == 302
    assert "_auth_user_id" in device_b.session
    # A is signed out on its next request and told why.
    page = device_a.get("/ca-nhan/tai-khoan/", follow=True)
    assert page.redirect_chain[-1][0].startswith("/dang-nhap/")
    assert ELSEWHERE in page.content.decode()
    # A's API token is gone too.
    api = Client().post(
        "/api/v1/auth/token/revoke/",
        HTTP_AUTHORIZATION=f"Bearer {access}",
        HTTP_X_DEVICE_ID="phone-aaaaaaaa",
    )
    assert api.status_code == 401
    assert "thiết bị khác" in api.json()["detail"]
    assert "device_takeover" in notices.to(PHONE)


def test_the_same_device_signs_in_again_without_a_warning(client, citizen):
    sign_in(client)
    client.post("/dang-xuat/")
    assert sign_in(client).url == "/"


def test_a_device_whose_session_went_idle_does_not_block_a_new_one(citizen):
    device_a, device_b = Client(), Client()
    sign_in(device_a)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        assert sign_in(device_b).url == "/"


# OTP-09 ----------------------------------------------------------------------
def contact(client, **data):
    return client.post(
        "/ca-nhan/tai-khoan/thong-tin-lien-he/",
        {"phone": "", "email": "", "password": PASSWORD, **captcha_post_data(), **data},
    )


def test_contact_change_needs_the_password_and_a_code_sent_to_the_email(
    client, citizen, captcha_code, codes, notices
):
    client.force_login(citizen)
    page = client.get("/ca-nhan/tai-khoan/thong-tin-lien-he/").content.decode()
    assert ">Ghi nhận</button>" in page and "Mã kiểm tra" in page
    html = contact(client, phone="0987654321", password="sai").content.decode()
    assert "Mật khẩu hiện tại không đúng." in html
    assert 'value="0987654321"' in html
    assert contact(client, phone="0987654321").url == "/xac-nhan-otp/"
    otp = notices.calls[-1]
    assert (otp["channel"], otp["recipient"]) == ("email", "an@example.vn")
    citizen.refresh_from_db()
    assert citizen.phone == PHONE  # not before the code
    client.post("/xac-nhan-otp/", {"code": codes[0]})
    citizen.refresh_from_db()
    assert citizen.phone == PHONE  # 12 hours of cooling-off first (issue 20)
    assert "contact_change_pending" in notices.to(PHONE)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=12, minutes=1)):
        assert contact_changes_apply_due() == 1
    citizen.refresh_from_db()
    assert citizen.phone == "+84987654321"
    # Old and new phone and the e-mail all hear of it.
    assert "contact_changed" in notices.to(PHONE)
    assert "contact_changed" in notices.to("+84987654321")
    assert "contact_changed" in notices.to("an@example.vn")


def test_without_an_email_the_code_goes_to_the_new_one(client, citizen, captcha_code, notices):
    citizen.email = ""
    citizen.save()
    client.force_login(citizen)
    html = contact(client, phone="0987654321").content.decode()
    assert "vui lòng nhập một địa chỉ để nhận mã OTP" in html
    contact(client, email="moi@example.vn")
    assert notices.calls[-1]["recipient"] == "moi@example.vn"


def test_the_account_page_shows_the_wording_and_masks_the_phone(client, citizen):
    client.force_login(citizen)
    html = client.get("/ca-nhan/tai-khoan/").content.decode()
    assert "<h1>Thông tin tài khoản</h1>" in html
    assert "Đăng xuất mọi nơi" in html and "Đổi mật khẩu" in html
    assert "•••• 678" in html and "912345678" not in html


def test_a_deactivated_account_loses_its_session_and_its_token(client, citizen):
    """SES-05: switching an account off (admin's "Active" box) ends what it holds."""
    sign_in(client)
    _t, access, _r = api_token_issue(user=citizen, device_id="phone-aaaaaaaa")
    api = {"HTTP_AUTHORIZATION": f"Bearer {access}", "HTTP_X_DEVICE_ID": "phone-aaaaaaaa"}
    assert client.get("/ca-nhan/tai-khoan/").status_code == 200
    assert Client().get("/api/v1/me/card", **api).status_code != 401

    citizen.is_active = False
    citizen.save(update_fields=["is_active"])

    response = client.get("/ca-nhan/tai-khoan/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    refused = Client().get("/api/v1/me/card", **api)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Khoá truy cập không hợp lệ."
    assert sign_in(Client()).status_code == 200  # the right password no longer signs in
