"""The citizen's and the clerk's journeys end to end, on a phone and a desktop.

Each step is a numbered screenshot in artifacts/screenshots/e2e/ and an
axe-core check (tests/e2e/conftest.py). Codes sent by SMS are read from the
patched generator, as the citizen would read them from the phone.
"""

import datetime as dt

from django.db.models import F

import pytest
from playwright.sync_api import expect

from accounts.models import OtpChallenge, User
from accounts.services import account_initial_password_issue

from .conftest import CLERK_PASSWORD, NUMBER, PASSWORD, VIEWPORTS, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def a_minute_later() -> None:
    """Age the codes already sent, as if the citizen came back a minute later."""
    OtpChallenge.objects.update(
        created_at=F("created_at") - dt.timedelta(seconds=90),
        expires_at=F("expires_at") - dt.timedelta(seconds=90),
    )


def field_error_is_announced(page, field_id: str, text: str) -> None:
    """The error sits next to the field, is read out, and the field points to it."""
    error = page.locator(f"#{field_id}_error")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text(text)
    field = page.locator(f"#{field_id}")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert f"{field_id}_error" in (field.get_attribute("aria-describedby") or "").split()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_first_sign_in_forced_change_card_password_change_and_sign_out(
    journey, live_server, demo, otp_codes, monkeypatch, viewport
):
    citizen = demo["citizen"]
    monkeypatch.setattr("accounts.services.initial_password_generate", lambda: "5820193746")
    account_initial_password_issue(user=citizen)  # as on approval: SMS with 10 digits
    j = journey("first-sign-in", viewport)
    page = j.page()
    base = live_server.url

    page.goto(base + "/dang-nhap/")
    j.step(page, "dang-nhap")
    sign_in(page, base, NUMBER, "5820193746")
    assert page.url.endswith("/ca-nhan/tai-khoan/doi-mat-khau/")
    assert "lần đăng nhập đầu tiên" in page.locator(".messages").inner_text()
    j.step(page, "doi-mat-khau-bat-buoc")

    # Nothing else opens until the initial password is changed.
    page.goto(base + "/ca-nhan/the-bhyt/")
    assert page.url.endswith("/ca-nhan/tai-khoan/doi-mat-khau/")

    page.locator("#id_old_password").fill("5820193746")
    page.locator("#id_new_password1").fill("5820193746")
    page.get_by_label("Nhập lại mật khẩu mới").fill("5820193746")
    page.get_by_role("button", name="Hoàn tất").click()
    page.wait_for_load_state()
    field_error_is_announced(page, "id_new_password1", "")
    j.step(page, "doi-mat-khau-bat-buoc-loi")

    page.locator("#id_old_password").fill("5820193746")
    page.locator("#id_new_password1").fill(PASSWORD + "-moi")
    page.get_by_label("Nhập lại mật khẩu mới").fill(PASSWORD + "-moi")
    page.get_by_role("button", name="Hoàn tất").click()
    page.wait_for_url("**/xac-nhan-otp/")
    j.step(page, "otp-doi-mat-khau-lan-dau")
    page.get_by_label("Mã OTP").fill(otp_codes[-1])
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/ca-nhan/tai-khoan/")
    assert "Đổi mật khẩu thành công" in page.locator(".messages").inner_text()
    j.step(page, "tai-khoan")

    page.goto(base + "/ca-nhan/the-bhyt/")
    assert "Thẻ bảo hiểm y tế" in page.locator("h1").inner_text()
    assert "Còn hạn" in page.locator(".state").inner_text()
    j.step(page, "the-bhyt")

    # A later change (codes are at least 60 s apart): a wrong code, then the right one.
    a_minute_later()
    page.goto(base + "/ca-nhan/tai-khoan/doi-mat-khau/")
    j.step(page, "doi-mat-khau")
    page.locator("#id_old_password").fill(PASSWORD + "-moi")
    page.locator("#id_new_password1").fill("Mot cau mat khau that dai 2026")
    page.get_by_label("Nhập lại mật khẩu mới").fill("Mot cau mat khau that dai 2026")
    page.get_by_role("button", name="Hoàn tất").click()
    page.wait_for_url("**/xac-nhan-otp/")
    wrong = "000000" if otp_codes[-1] != "000000" else "111111"
    page.get_by_label("Mã OTP").fill(wrong)
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    field_error_is_announced(page, "id_code", "")
    j.step(page, "otp-sai")
    page.get_by_label("Mã OTP").fill(otp_codes[-1])
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/ca-nhan/tai-khoan/")
    j.step(page, "doi-mat-khau-xong")

    page.get_by_role("button", name=f"Đăng xuất ({NUMBER})").click()
    page.wait_for_load_state()
    j.step(page, "da-dang-xuat")
    page.goto(base + "/ca-nhan/")
    assert "/dang-nhap/" in page.url
    sign_in(page, base, NUMBER, "Mot cau mat khau that dai 2026")
    assert "/dang-nhap/" not in page.url
    j.step(page, "dang-nhap-mat-khau-moi")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_five_wrong_passwords_lock_and_the_clerk_unlocks(
    journey, live_server, demo, captcha_code, viewport
):
    base = live_server.url
    j = journey("lockout-unlock", viewport)
    page = j.page()
    sign_in(page, base, NUMBER, "sai-mat-khau-1")
    for attempt in range(2, 6):
        # Retyped on the page that answered, as a person would.
        page.get_by_label("Mật khẩu").fill(f"sai-mat-khau-{attempt}")
        if attempt >= 3:
            page.get_by_label("Mã kiểm tra").fill("ABCD")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
        if attempt == 2:
            assert page.get_by_label("Mã kiểm tra").is_visible()  # from the 3rd try on
            j.step(page, "sai-lan-2-can-ma-kiem-tra")
    assert "liên hệ cơ quan BHXH gần nhất hoặc tổng đài" in page.content()
    j.step(page, "bi-khoa")
    sign_in(page, base, NUMBER, PASSWORD, captcha="ABCD")
    assert "/dang-nhap/" in page.url  # the right password does not open a locked account
    assert User.objects.get(username=NUMBER).locked_at is not None

    clerk_context = j.context.browser.new_context(viewport=j.viewport, locale="vi-VN")
    try:
        clerk = clerk_context.new_page()
        clerk.errors = []
        sign_in(clerk, base, "canbo.quan4", CLERK_PASSWORD)
        clerk.goto(base + "/can-bo/tai-khoan/")
        j.step(clerk, "can-bo-tim-tai-khoan")
        clerk.get_by_label("Mã số BHXH").fill(NUMBER)
        clerk.get_by_role("button", name="Tìm").click()
        clerk.wait_for_load_state()
        assert "Đang bị khoá" in clerk.locator(".card").inner_text()
        j.step(clerk, "can-bo-tai-khoan-bi-khoa")
        clerk.get_by_role("button", name="Mở khoá tài khoản").click()
        clerk.wait_for_load_state()
        assert "Không bị khoá" in clerk.locator(".card").inner_text()
        j.step(clerk, "can-bo-da-mo-khoa")
    finally:
        clerk_context.close()

    sign_in(page, base, NUMBER, PASSWORD)
    assert "/dang-nhap/" not in page.url
    j.step(page, "dang-nhap-sau-mo-khoa")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_forgotten_password_through_the_registered_phone(
    journey, live_server, demo, captcha_code, otp_codes, viewport
):
    base = live_server.url
    j = journey("forgotten-password", viewport)
    page = j.page()
    page.goto(base + "/dang-nhap/")
    page.get_by_role("link", name="Quên mật khẩu").first.click()
    page.wait_for_url("**/quen-mat-khau/")
    j.step(page, "quen-mat-khau")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_load_state()
    field_error_is_announced(page, "id_username", "")
    j.step(page, "quen-mat-khau-thieu")
    page.get_by_label("Mã số BHXH").fill(NUMBER)
    page.get_by_label("Số điện thoại đã đăng ký").fill("0901 234 567")
    page.get_by_label("Mã kiểm tra").fill("ABCD")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/xac-nhan-otp/")
    j.step(page, "otp")
    page.get_by_label("Mã OTP").fill(otp_codes[-1])
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/quen-mat-khau/mat-khau-moi/")
    j.step(page, "mat-khau-moi")
    page.locator("#id_new_password1").fill("Quen roi nay nho lai 2026")
    page.get_by_label("Nhập lại mật khẩu mới").fill("Quen roi nay nho lai 2026")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/dang-nhap/")
    assert "Đã đặt lại mật khẩu" in page.locator(".messages").inner_text()
    j.step(page, "dat-lai-xong")
    sign_in(page, base, NUMBER, "Quen roi nay nho lai 2026")
    assert "/dang-nhap/" not in page.url
    j.step(page, "dang-nhap-lai")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_second_device_takes_over_after_the_sms_code(
    journey, live_server, demo, otp_codes, viewport
):
    base = live_server.url
    first = journey("second-device-a", viewport)
    second = journey("second-device-b", viewport)
    a, b = first.page(), second.page()
    sign_in(a, base, NUMBER, PASSWORD)
    first.step(a, "dang-nhap-may-a")

    sign_in(b, base, NUMBER, PASSWORD)
    assert "/dang-nhap/thiet-bi-khac/" in b.url
    second.step(b, "canh-bao-thiet-bi-khac")
    b.get_by_role("button", name="Tiếp tục").click()
    b.wait_for_url("**/xac-nhan-otp/")
    second.step(b, "otp")
    b.get_by_label("Mã OTP").fill(otp_codes[-1])
    b.get_by_role("button", name="Xác nhận").click()
    b.wait_for_load_state()
    assert "/dang-nhap/" not in b.url
    second.step(b, "may-b-da-vao")

    a.goto(base + "/ca-nhan/the-bhyt/")
    assert "/dang-nhap/" in a.url
    assert "đăng nhập trên thiết bị khác" in a.content()
    first.step(a, "may-a-bi-dang-xuat")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_lookups(journey, live_server, demo, viewport):
    base = live_server.url
    j = journey("lookups", viewport)
    page = j.page()
    page.goto(base + "/tra-cuu/")
    j.step(page, "tra-cuu")
    page.get_by_role("link", name="Cơ quan BHXH").click()
    page.get_by_label("Tên hoặc mã cơ quan BHXH").fill("quan 4")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_load_state()
    assert "[07914] BHXH Quận 4" in page.locator(".result").first.inner_text()
    j.step(page, "co-quan-bhxh")
    for path, name in [
        ("/tra-cuu/co-so-kcb/?q=benh+vien", "co-so-kcb"),
        ("/tra-cuu/don-vi/?q=cong+ty", "don-vi"),
        ("/tra-cuu/diem-thu/?q=buu+dien", "diem-thu"),
        ("/tra-cuu/co-quan-bhxh/?q=khong-co-co-quan-nay", "khong-tim-thay"),
        ("/tra-cuu/ma-so-bhxh/", "ma-so-bhxh"),
    ]:
        page.goto(base + path)
        j.step(page, name)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_help_faq_and_a_question(journey, live_server, demo, captcha_code, viewport):
    from django.apps import apps

    from support.content import help_content_load

    help_content_load(apps)  # transactional tests flush the data migration's rows
    base = live_server.url
    j = journey("help", viewport)
    page = j.page()
    page.goto(base + "/hoi-dap/")
    j.step(page, "hoi-dap")
    page.fill("#faq-q", "quen mat khau")
    page.locator(".search-form button[type=submit]").click()
    page.wait_for_load_state()
    j.step(page, "hoi-dap-tim")
    page.goto(base + "/hoi-dap/gui-cau-hoi/")
    j.step(page, "gui-cau-hoi")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator("[role=alert]").first.is_visible()
    j.step(page, "gui-cau-hoi-loi")
    page.goto(base + "/hoi-dap/cau-hoi-da-tra-loi/")
    j.step(page, "cau-hoi-da-tra-loi")
    page.goto(base + "/hoi-dap/tro-ly/")
    j.step(page, "tro-ly")
