"""Issue 20 in Chromium at phone size: a passkey added and used to sign in
(Chromium's virtual authenticator through the DevTools protocol), the
authenticator-app setup with its QR and recovery codes, the log page, and
"Không phải tôi" from the notice of a contact change."""

import datetime as dt

from django.test import Client
from django.utils import timezone

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.models import AccountEvent, ContactChange, Passkey, TotpDevice, User, UserSession
from accounts.services import contact_change_token
from accounts.totp import secret_decrypt
from tests.conftest import PHONE

from .conftest import NUMBER, PASSWORD, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def virtual_authenticator(context, page) -> None:
    """A platform authenticator with a resident key and user verification
    (fingerprint) that always succeeds, as a phone with a fingerprint."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def test_a_passkey_is_added_then_signs_in_without_the_password(journey, live_server, demo):
    j = journey("passkey", PHONE)
    page = j.page()
    virtual_authenticator(j.context, page)
    base = live_server.url

    sign_in(page, base, NUMBER, PASSWORD)
    page.goto(base + "/ca-nhan/tai-khoan/khoa-dang-nhap/")
    j.step(page, "khoa-dang-nhap-trong")
    page.get_by_role("button", name="Thêm khoá cho thiết bị này").click()
    expect(page.locator(".messages")).to_contain_text("Đã thêm khoá đăng nhập")
    j.step(page, "khoa-dang-nhap-da-them")
    assert Passkey.objects.filter(user=demo["citizen"]).count() == 1

    page.locator("footer").get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()
    page.goto(base + "/dang-nhap/")
    passkey_button = page.get_by_role("button", name="Dùng vân tay, khuôn mặt (passkey)")
    expect(passkey_button).to_be_visible()
    j.step(page, "dang-nhap-co-nut-passkey")
    # A locked account stays locked, passkey or not.
    User.objects.filter(pk=demo["citizen"].pk).update(locked_at=timezone.now())
    passkey_button.click()
    expect(page.locator("#passkey-error")).to_contain_text("Tài khoản đã bị khoá")
    j.step(page, "passkey-tai-khoan-bi-khoa")
    User.objects.filter(pk=demo["citizen"].pk).update(locked_at=None)
    # Another device is signed in: the passkey leads to the takeover step.
    other = Client()
    other.force_login(demo["citizen"])
    passkey_button.click()
    page.wait_for_url("**/dang-nhap/thiet-bi-khac/")
    expect(page.locator("h1")).to_contain_text("đang đăng nhập trên thiết bị khác")
    other.logout()
    UserSession.objects.update(ended_at=timezone.now(), end_reason="signed_out")
    page.goto(base + "/dang-nhap/")
    passkey_button.click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)
    page.goto(base + "/ca-nhan/nhat-ky/")
    expect(page.locator("h1")).to_have_text("Nhật ký sử dụng")
    expect(page.locator(".log-entry").first).to_contain_text("bằng khoá đăng nhập (passkey)")
    j.step(page, "nhat-ky")
    sign_ins = AccountEvent.objects.filter(user=demo["citizen"], action="sign_in")
    assert [e.detail["method"] for e in sign_ins.order_by("pk")] == ["password", "passkey"]


def test_the_authenticator_app_setup_shows_a_qr_and_ten_recovery_codes(journey, live_server, demo):
    j = journey("totp", PHONE)
    page = j.page()
    base = live_server.url
    sign_in(page, base, NUMBER, PASSWORD)
    page.goto(base + "/ca-nhan/tai-khoan/xac-thuc-2-buoc/")
    j.step(page, "xac-thuc-2-buoc")
    page.get_by_role("button", name="Bật ứng dụng xác thực").click()
    page.wait_for_load_state()
    qr = page.get_by_role("img", name="Mã QR để thêm tài khoản vào ứng dụng xác thực")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 100  # the PNG really loads under the CSP
    j.step(page, "cai-dat-qr")
    device = TotpDevice.objects.get(user=demo["citizen"])
    code = pyotp.TOTP(secret_decrypt(device.secret_encrypted)).now()
    page.get_by_label("Mã 6 số trong ứng dụng").fill(code)
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    j.step(page, "ma-khoi-phuc")


def test_not_me_cancels_the_change_and_locks_the_account(journey, live_server, demo):
    citizen = demo["citizen"]
    now = timezone.now()
    change = ContactChange.objects.create(
        user=citizen,
        old_phone=citizen.phone,
        old_email=citizen.email,
        new_phone="+84987654321",
        requested_at=now,
        effective_at=now + dt.timedelta(hours=12),
    )
    j = journey("khong-phai-toi", PHONE)
    page = j.page()
    page.goto(live_server.url + f"/khong-phai-toi/{contact_change_token(change)}/")
    expect(page.locator("h1")).to_have_text("Bạn không yêu cầu thay đổi này?")
    j.step(page, "xac-nhan")
    page.get_by_role("button", name="Không phải tôi — huỷ và khoá tài khoản").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Đã huỷ thay đổi và khoá tài khoản")
    j.step(page, "da-khoa")
    citizen.refresh_from_db()
    assert citizen.locked_at is not None
