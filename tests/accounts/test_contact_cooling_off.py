"""A phone/e-mail change waits 12 hours; "Không phải tôi" cancels it and
locks the account (issue 20)."""

import datetime as dt
import re

from django.test import Client
from django.utils import timezone

import pytest
import time_machine

from accounts.models import AccountEvent, ContactChange, UserSession
from accounts.tasks import contact_changes_apply
from tests.conftest import captcha_post_data

from .conftest import PASSWORD, PHONE, sign_in

pytestmark = pytest.mark.django_db
NEW_PHONE = "+84987654321"


def request_change(client, codes, **data):
    client.post(
        "/ca-nhan/tai-khoan/thong-tin-lien-he/",
        {"phone": "", "email": "", "password": PASSWORD, **captcha_post_data(), **data},
    )
    return client.post("/xac-nhan-otp/", {"code": codes[-1]})


def not_me_link(notices, recipient) -> str:
    call = [c for c in notices.calls if c["template"] == "contact_change_pending"]
    call = [c for c in call if c["recipient"] == recipient][-1]
    return re.sub(r"^https?://[^/]+", "", call["context"]["not_me_url"])


@pytest.fixture
def signed_in(client, citizen, captcha_code):
    sign_in(client)
    return client


def test_the_change_waits_12_hours_and_tells_the_old_phone_and_email(
    signed_in, citizen, codes, notices
):
    response = request_change(signed_in, codes, phone="0987654321")
    assert response.url == "/ca-nhan/tai-khoan/"
    page = signed_in.get("/ca-nhan/tai-khoan/").content.decode()
    assert "có hiệu lực sau 12 giờ" in page and "Huỷ yêu cầu này" in page
    citizen.refresh_from_db()
    assert citizen.phone == PHONE
    link = not_me_link(notices, PHONE)
    assert link == not_me_link(notices, "an@example.vn")
    assert "7901234567" not in link and "0987654321" not in link and "84987" not in link
    sms = [c for c in notices.calls if c["channel"] == "sms"][-1]
    assert sms["template"] == "contact_change_pending" and "username" not in sms["context"]
    # A second request is refused while one waits.
    again = signed_in.post(
        "/ca-nhan/tai-khoan/thong-tin-lien-he/",
        {"phone": "0911111111", "email": "", "password": PASSWORD, **captcha_post_data()},
    )
    assert "đang có một yêu cầu đổi thông tin liên hệ chờ hiệu lực" in again.content.decode()
    # 11 hours later nothing has changed; after 12 the beat job applies it.
    with time_machine.travel(timezone.now() + dt.timedelta(hours=11)):
        assert contact_changes_apply() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(hours=12, minutes=5)):
        assert contact_changes_apply() == 1
        assert contact_changes_apply() == 0  # idempotent
    citizen.refresh_from_db()
    assert citizen.phone == NEW_PHONE
    actions = list(AccountEvent.objects.filter(user=citizen).values_list("action", flat=True))
    assert "contact_change_requested" in actions and "contact_changed" in actions


def test_not_me_asks_before_acting_then_cancels_locks_and_signs_out(
    signed_in, citizen, codes, notices
):
    request_change(signed_in, codes, phone="0987654321")
    link = not_me_link(notices, PHONE)
    scanner = Client()
    page = scanner.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Không phải tôi — huỷ và khoá tài khoản" in html and "•••• 321" in html
    assert ContactChange.objects.get().status == "pending"  # a GET changes nothing

    done = scanner.post(link)
    assert "Đã huỷ thay đổi và khoá tài khoản" in done.content.decode()
    change = ContactChange.objects.get()
    assert change.status == "reported"
    citizen.refresh_from_db()
    assert citizen.locked_at is not None and citizen.phone == PHONE
    assert not UserSession.objects.filter(user=citizen, ended_at__isnull=True).exists()
    assert signed_in.get("/ca-nhan/tai-khoan/").status_code == 302
    # Locked like 5 wrong passwords: the right password is refused.
    refused = sign_in(Client()).content.decode()
    assert "Tài khoản đã bị khoá" in refused
    assert "contact_change_reported" in notices.to(PHONE)
    # The cooling-off job never applies it; the link works once.
    with time_machine.travel(timezone.now() + dt.timedelta(hours=13)):
        assert contact_changes_apply() == 0
    again = Client().post(link)
    assert again.status_code == 400
    assert "đã được sử dụng" in again.content.decode()
    log = AccountEvent.objects.filter(user=citizen).values_list("action", flat=True)
    assert {"contact_change_reported", "locked"} <= set(log)


def test_not_me_after_the_change_took_effect_restores_the_old_contact(
    signed_in, citizen, codes, notices
):
    request_change(signed_in, codes, email="ke-gian@example.vn")
    link = not_me_link(notices, "an@example.vn")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=12, minutes=1)):
        contact_changes_apply()
    citizen.refresh_from_db()
    assert citizen.email == "ke-gian@example.vn"
    Client().post(link)
    citizen.refresh_from_db()
    assert citizen.email == "an@example.vn" and citizen.locked_at is not None


def test_the_owner_may_withdraw_a_waiting_change(signed_in, citizen, codes, notices):
    request_change(signed_in, codes, phone="0987654321")
    signed_in.post("/ca-nhan/tai-khoan/thong-tin-lien-he/huy/")
    assert ContactChange.objects.get().status == "cancelled"
    with time_machine.travel(timezone.now() + dt.timedelta(hours=13)):
        assert contact_changes_apply() == 0
    citizen.refresh_from_db()
    assert citizen.phone == PHONE and citizen.locked_at is None


@pytest.mark.parametrize("token", ["FORGED", "MQ:1abc:xyz", "x" * 300])
def test_a_forged_or_expired_link_is_not_found(citizen, token):
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/khong-phai-toi/{token}/")
        assert response.status_code == 404
        assert "Liên kết không hợp lệ" in response.content.decode()


def test_a_link_older_than_30_days_no_longer_works(signed_in, citizen, codes, notices):
    request_change(signed_in, codes, phone="0987654321")
    link = not_me_link(notices, PHONE)
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert Client().get(link).status_code == 404
