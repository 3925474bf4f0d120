"""PWD-01..05: password rules, change with OTP, forced change (initial and
6-month), reminders, forgotten password."""

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

import pytest
import time_machine

from accounts.models import AccountEvent, User, UserSession
from accounts.services import (
    account_initial_password_issue,
    password_rotation_reminders_queue,
    user_password_set,
)
from accounts.sessions import api_token_issue
from tests.conftest import captcha_post_data

from .conftest import NUMBER, PASSWORD, PHONE, sign_in

pytestmark = pytest.mark.django_db
NEW = "Mot-cau-mat-khau-moi-2026"


def change(client, old=PASSWORD, new=NEW, confirm=None):
    return client.post(
        "/ca-nhan/tai-khoan/doi-mat-khau/",
        {"old_password": old, "new_password1": new, "new_password2": confirm or new},
    )


# PWD-01 ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "password,reason",
    [
        ("ngan", "quá ngắn"),
        ("password123", "quá phổ biến"),
        ("x7901234567x", "mã số BHXH"),
        ("toi-yeu-BHXH-lam", "BHXH"),
        ("VssID-2026-abc", "VSSID"),
        ("NguyenVanAn-99", "họ tên"),
        ("goi-0912345678", "số điện thoại"),
        ("sinh-15051990", "ngày sinh"),
    ],
)
def test_guessable_passwords_are_refused_with_a_reason(citizen, password, reason):
    with pytest.raises(ValidationError) as info:
        validate_password(password, citizen)
    assert any(reason in message for message in info.value.messages), info.value.messages


def test_long_and_vietnamese_passwords_are_accepted(citizen):
    validate_password(
        "Trời hôm nay xanh lắm, gió nhẹ và nắng vàng trên những con đường quê", citizen
    )
    validate_password("đường-về-nhà-mẹ", citizen)


def test_none_of_the_last_three_passwords_may_come_back(citizen):
    from django.contrib.auth.hashers import make_password

    first = "mot-mat-khau-thu-nhat"
    user_password_set(user=citizen, encoded=make_password(first))
    for word in ("thu-hai", "thu-ba"):
        user_password_set(user=citizen, encoded=make_password(f"mot-mat-khau-{word}"))
    with pytest.raises(ValidationError, match="gần nhất"):
        validate_password(first, citizen)
    user_password_set(user=citizen, encoded=make_password("mot-mat-khau-thu-tu"))
    validate_password(first, citizen)  # four changes ago: allowed again
    assert citizen.password_history.count() == 3


# PWD-02 ----------------------------------------------------------------------
def test_the_change_page_uses_the_portal_wording(client, citizen):
    client.force_login(citizen)
    html = client.get("/ca-nhan/tai-khoan/doi-mat-khau/").content.decode()
    assert "<h1>Đổi mật khẩu</h1>" in html
    assert ">Hoàn tất</button>" in html
    assert html.count('type="password"') == 3


def test_password_changes_only_after_the_sms_code(client, citizen, codes, notices):
    client.force_login(citizen)
    response = change(client)
    assert response.url == "/xac-nhan-otp/"
    assert notices.calls[-1]["channel"] == "sms" and notices.calls[-1]["recipient"] == PHONE
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)  # stopped after "Hoàn tất": nothing changed
    response = client.post("/xac-nhan-otp/", {"code": codes[0]}, follow=True)
    assert "Đổi mật khẩu thành công" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(NEW)
    assert "_auth_user_id" in client.session  # this browser stays signed in
    assert "password_changed" in notices.to(PHONE)
    assert AccountEvent.objects.filter(user=citizen, action="password_changed").exists()


def test_changing_the_password_signs_out_every_other_session_and_token(citizen, codes):
    other = Client()
    other.force_login(citizen)
    _token, access, _refresh = api_token_issue(user=citizen, device_id="phone-aaaaaaaa")
    client = Client()
    client.force_login(citizen)
    change(client)
    client.post("/xac-nhan-otp/", {"code": codes[0]})
    assert "_auth_user_id" not in other.session
    page = other.get("/ca-nhan/tai-khoan/")
    assert page.status_code == 302 and page.url.startswith("/dang-nhap/")
    api = Client().post(
        "/api/v1/auth/token/revoke/",
        HTTP_AUTHORIZATION=f"Bearer {access}",
        HTTP_X_DEVICE_ID="phone-aaaaaaaa",
    )
    assert api.status_code == 401
    assert client.get("/ca-nhan/tai-khoan/").status_code == 200


def test_a_wrong_old_password_or_mismatch_is_shown_next_to_the_field(client, citizen, notices):
    client.force_login(citizen)
    html = change(client, old="sai-roi").content.decode()
    assert "Mật khẩu hiện tại không đúng." in html
    html = change(client, confirm="khac-han-nhau-123").content.decode()
    assert "Hai mật khẩu mới không khớp nhau." in html
    assert notices.calls == []


# PWD-03 ----------------------------------------------------------------------
@pytest.fixture
def fresh_account(citizen, notices):
    account_initial_password_issue(user=citizen)
    return [c for c in notices.calls if c["template"] == "initial_password"][-1]["context"][
        "password"
    ]


def test_first_sign_in_goes_straight_to_the_forced_change(client, citizen, fresh_account, codes):
    response = sign_in(client, password=fresh_account)
    assert response.url == "/ca-nhan/tai-khoan/doi-mat-khau/"
    for url in ("/", "/ca-nhan/tai-khoan/", "/ca-nhan/the-bhyt/", "/tra-cuu/"):
        page = client.get(url)
        assert page.status_code == 302 and page.url == "/ca-nhan/tai-khoan/doi-mat-khau/", url
    api = client.get("/api/v1/ca-nhan/the-bhyt/")
    assert api.status_code == 403
    assert api.json()["code"] == "password_change_required"
    html = change(client, old=fresh_account, new=fresh_account).content.decode()
    assert "không được trùng mật khẩu hiện tại, mật khẩu khởi tạo" in html
    change(client, old=fresh_account)
    client.post("/xac-nhan-otp/", {"code": codes[0]})
    citizen.refresh_from_db()
    assert not citizen.must_change_password
    assert client.get("/ca-nhan/tai-khoan/").status_code == 200


def test_api_calls_answer_password_change_required_until_changed(client, citizen, fresh_account):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": NUMBER, "password": fresh_account, "device_id": "phone-aaaaaaaa"},
        content_type="application/json",
    )
    body = response.json()
    assert body["password_change_required"] is True
    other = client.get(
        "/api/v1/auth/token/revoke/",
        HTTP_AUTHORIZATION=f"Bearer {body['access']}",
        HTTP_X_DEVICE_ID="phone-aaaaaaaa",
    )
    assert other.status_code == 405  # allowed path, wrong method
    from rest_framework.test import APIRequestFactory

    from accounts.api_auth import DeviceTokenAuthentication, PasswordChangeRequired

    request = APIRequestFactory().get(
        "/api/v1/ca-nhan/the-bhyt/",
        HTTP_AUTHORIZATION=f"Bearer {body['access']}",
        HTTP_X_DEVICE_ID="phone-aaaaaaaa",
    )
    from rest_framework.request import Request

    with pytest.raises(PasswordChangeRequired) as info:
        DeviceTokenAuthentication().authenticate(Request(request))
    assert info.value.default_code == "password_change_required"


def test_an_initial_password_expires_after_30_days(client, citizen, fresh_account):
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        html = sign_in(client, password=fresh_account).content.decode()
    assert "Mật khẩu khởi tạo đã hết hạn" in html
    assert "_auth_user_id" not in client.session


# PWD-04 ----------------------------------------------------------------------
def test_a_password_older_than_183_days_must_be_changed_at_sign_in(client, citizen):
    with time_machine.travel(timezone.now() + dt.timedelta(days=182)):
        assert sign_in(client).url == "/"
        client.logout()
    with time_machine.travel(timezone.now() + dt.timedelta(days=183, hours=1)):
        response = sign_in(client)
        assert response.url == "/ca-nhan/tai-khoan/doi-mat-khau/"
        assert client.get("/").url == "/ca-nhan/tai-khoan/doi-mat-khau/"


def test_reminders_are_queued_14_and_3_days_before_once_per_password(citizen, notices):
    changed = citizen.password_changed_at
    with time_machine.travel(changed + dt.timedelta(days=168)):
        assert password_rotation_reminders_queue() == 0
    with time_machine.travel(changed + dt.timedelta(days=169, hours=1)):
        assert password_rotation_reminders_queue() == 1
        first = [(c["channel"], c["idempotency_key"]) for c in notices.calls]
        password_rotation_reminders_queue()
        again = [(c["channel"], c["idempotency_key"]) for c in notices.calls[len(first) :]]
        assert again == first  # same keys: the outbox keeps one row each
    assert {c["context"]["days_left"] for c in notices.calls} == {14}
    assert {c["channel"] for c in notices.calls} == {"sms", "email"}
    with time_machine.travel(changed + dt.timedelta(days=180, hours=1)):
        password_rotation_reminders_queue()
    assert notices.calls[-1]["context"]["days_left"] == 3
    assert notices.calls[-1]["template"] == "password_rotation_reminder"
    keys = {c["idempotency_key"] for c in notices.calls}
    assert len(keys) == 4  # (14 days, 3 days) x (sms, email)


def test_the_reminder_job_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-password-rotation-reminders"]
    assert entry["task"] == "accounts.tasks.password_rotation_reminders"


# PWD-05 ----------------------------------------------------------------------
def forgot(client, number=NUMBER, phone="0912 345 678"):
    return client.post(
        "/quen-mat-khau/", {"username": number, "phone": phone, **captcha_post_data()}, follow=True
    )


def _text(response) -> str:
    import re

    html = response.content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value="|captcha_0" value="|/ma-kiem-tra/)[^"]+', "", html)


def test_forgotten_password_replies_the_same_whether_the_pair_exists(
    client, citizen, captcha_code, codes
):
    real = forgot(Client())
    wrong_phone = forgot(Client(), phone="0987 654 321")
    unknown = forgot(Client(), number="7909999999")
    assert real.status_code == wrong_phone.status_code == unknown.status_code == 200
    # Only the masked phone the visitor typed differs.
    assert _text(unknown) == _text(real)
    assert _text(wrong_phone).replace("•••• 321", "•••• 678") == _text(real)
    assert len(codes) == 1


def test_forgotten_password_sets_a_new_one_and_signs_everyone_out(
    client, citizen, captcha_code, codes, notices
):
    other = Client()
    other.force_login(citizen)
    forgot(client)
    response = client.post("/xac-nhan-otp/", {"code": codes[0]})
    assert response.url == "/quen-mat-khau/mat-khau-moi/"
    response = client.post(
        "/quen-mat-khau/mat-khau-moi/", {"new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert "Đã đặt lại mật khẩu" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(NEW)
    assert "_auth_user_id" not in other.session
    assert not UserSession.objects.filter(ended_at__isnull=True).exists()
    assert "password_changed" in notices.to(PHONE)


def test_forgotten_password_does_not_unlock(client, citizen, captcha_code, codes):
    User.objects.filter(pk=citizen.pk).update(failed_logins=5, locked_at=timezone.now())
    forgot(client)
    client.post("/xac-nhan-otp/", {"code": codes[0]})
    response = client.post(
        "/quen-mat-khau/mat-khau-moi/", {"new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert "vẫn đang bị khoá" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.locked_at is not None
    html = sign_in(client, password=NEW, **captcha_post_data()).content.decode()
    assert "liên hệ cơ quan BHXH gần nhất" in html


def test_a_made_up_pair_reads_wrong_codes_like_a_real_one(client, captcha_code):
    forgot(client, number="7909999999")
    html = client.post("/xac-nhan-otp/", {"code": "123456"}).content.decode()
    assert "Mã OTP không đúng. Bạn còn 4 lần thử." in html


def test_an_email_code_for_contact_change_cannot_reset_a_password(
    client, citizen, captcha_code, codes
):
    c = Client()
    c.force_login(citizen)
    c.post(
        "/ca-nhan/tai-khoan/thong-tin-lien-he/",
        {"phone": "0987654321", "email": "", "password": PASSWORD, **captcha_post_data()},
    )
    forgot(client)
    html = client.post("/xac-nhan-otp/", {"code": codes[0]}).content.decode()
    assert "Mã OTP không đúng" in html
