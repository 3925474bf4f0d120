"""The whole path in Chromium, on a phone and on a desktop: a citizen
registers, the Quận 4 clerk finds the form by a name typed without
diacritics, checks the papers and approves; the SMS in the outbox carries the
initial password; the citizen signs in with it and must change it."""

import pytest

from declarations.models import Declaration
from lookup.models import Office
from notifications.models import Message
from tests.conftest import DESKTOP, PHONE
from tests.e2e.conftest import axe_check, axe_source  # noqa: F401  (fixture)

from .staff_fixtures import make_clerk
from .test_e2e import images_loaded, no_sideways_scroll, photos, registry  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def register(page, base: str, images: dict) -> str:
    page.goto(base + "/dang-ky/")
    page.get_by_label("Cá nhân").check()
    page.get_by_role("button", name="Tiếp tục").click()
    page.fill("#id_full_name", "Nguyễn Văn An")
    page.fill("#id_insurance_number", "7901234567")
    page.fill("#id_date_of_birth", "15/05/1990")
    page.fill("#id_id_number", "079090001234")
    page.fill("#id_contact_address", "12 Đường số 3, Phường 9, Quận 4, TP. Hồ Chí Minh")
    page.fill("#id_contact_person", "Nguyễn Văn An")
    page.fill("#id_email", "an@example.vn")
    page.fill("#id_phone", "0912 345 678")
    page.get_by_role("button", name="Tiếp tục").click()
    for slot, path in images.items():
        page.set_input_files(f"#id_{slot}", path)
    page.get_by_role("button", name="Tiếp tục").click()
    page.select_option("#id_province", "079")
    page.wait_for_selector("#id_office option[value='07914']", state="attached")
    page.select_option("#id_office", "07914")
    page.get_by_label("Nộp tại điểm tiếp nhận của cơ quan BHXH").check()
    page.get_by_role("button", name="Tiếp tục").click()
    page.locator("#id_commitment").check()
    page.fill("#id_captcha_1", "ABCD")
    page.get_by_role("button", name="Gửi").click()
    page.wait_for_url("**/dang-ky/da-gui/")
    return page.locator("#reference-code").inner_text().strip()


def sign_in(page, base: str, username: str, password: str, next_url: str = "") -> None:
    page.goto(base + "/dang-nhap/" + (f"?next={next_url}" if next_url else ""))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport,size", [("360", PHONE), ("1280", DESKTOP)])
def test_clerk_finds_checks_and_approves_and_citizen_signs_in(
    browser,
    live_server,
    screenshot,
    photos,  # noqa: F811  (the fixture imported above)
    registry,  # noqa: F811
    captcha_code,
    axe_source,  # noqa: F811
    settings,
    viewport,
    size,
):
    settings.NOTIFICATIONS_REDACT_SENT = False  # read the SMS as the outbox shows it in DEBUG
    base = live_server.url
    make_clerk(Office.objects.get(code="07914"), "canbo.quan4")
    make_clerk(Office.objects.get(code="07901"), "canbo.quan1")
    errors = []

    def watch(page):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and "status of 400" not in m.text
                else None
            ),
        )

    citizen = browser.new_context(viewport=size, locale="vi-VN")
    citizen_page = citizen.new_page()
    watch(citizen_page)
    code = register(citizen_page, base, photos)

    # A clerk of Quận 1 cannot open it, not even by URL.
    other = browser.new_context(viewport=size, locale="vi-VN")
    other_page = other.new_page()
    sign_in(other_page, base, "canbo.quan1", "mat-khau-can-bo-1", "/can-bo/")
    response = other_page.goto(f"{base}/can-bo/to-khai/{code}/")
    assert response.status == 404
    other.close()

    # The Quận 4 clerk.
    staff = browser.new_context(viewport=size, locale="vi-VN")
    page = staff.new_page()
    watch(page)
    sign_in(page, base, "canbo.quan4", "mat-khau-can-bo-1", "/can-bo/")
    assert page.url.endswith("/can-bo/")
    assert page.locator("[data-status=submitted] strong").inner_text() == "1"
    no_sideways_scroll(page, size)
    screenshot(page, f"can-bo-trang-chu-{viewport}")
    axe_check(page, axe_source, f"staff-approval-{viewport}\tcan-bo-trang-chu")

    page.get_by_role("link", name="Mở danh sách tờ khai").click()
    page.get_by_label("Tìm theo mã hồ sơ, mã số BHXH, họ tên hoặc số điện thoại").fill(
        "nguyen van an"
    )
    page.get_by_role("button", name="Lọc").click()
    assert "1 tờ khai" in page.locator("#result-count").inner_text()
    no_sideways_scroll(page, size)
    screenshot(page, f"can-bo-danh-sach-tim-{viewport}")
    axe_check(page, axe_source, f"staff-approval-{viewport}\tcan-bo-danh-sach-tim")
    page.get_by_role("link", name=code).click()

    assert page.locator("#reference-code").inner_text() == code
    assert page.locator("#declaration-status").inner_text() == "Đã nộp"
    assert "khớp với dữ liệu BHXH" in page.content()
    images_loaded(page, ".zoomable img")
    page.locator(".zoomable a").first.click()
    assert "zoomed" in page.locator(".zoomable").first.get_attribute("class")
    no_sideways_scroll(page, size)
    screenshot(page, f"can-bo-to-khai-{viewport}")
    axe_check(page, axe_source, f"staff-approval-{viewport}\tcan-bo-to-khai")
    page.locator(".zoomable a").first.click()

    page.get_by_role("button", name="Đã kiểm tra giấy tờ").click()
    assert "Đã ghi nhận: giấy tờ đã được kiểm tra." in page.content()
    assert page.locator("#declaration-status").inner_text() == "Đã tiếp nhận"
    page.get_by_role("button", name="Phê duyệt").click()
    assert page.locator("#declaration-status").inner_text() == "Đã duyệt"
    assert "Tài khoản 7901234567 đã được tạo" in page.content()
    assert "Đã kiểm tra giấy tờ" in page.locator(".history").inner_text()
    no_sideways_scroll(page, size)
    screenshot(page, f"can-bo-da-duyet-{viewport}")
    axe_check(page, axe_source, f"staff-approval-{viewport}\tcan-bo-da-duyet")
    assert Declaration.objects.get().status == "approved"

    sms = Message.objects.get(template="account_approved", channel="sms")
    assert sms.recipient == "+84912345678"
    password = sms.text.split("Mật khẩu khởi tạo: ")[1][:10]
    assert password.isdigit()
    email = Message.objects.get(template="account_approved", channel="email")
    assert password not in email.text

    # The citizen signs in with the SMS password and must change it.
    citizen.clear_cookies()
    sign_in(citizen_page, base, "7901234567", password)
    citizen_page.wait_for_url("**/ca-nhan/tai-khoan/doi-mat-khau/**")
    assert citizen_page.locator("#id_new_password1").is_visible()
    screenshot(citizen_page, f"cong-dan-doi-mat-khau-lan-dau-{viewport}")
    axe_check(citizen_page, axe_source, f"staff-approval-{viewport}\tcong-dan-doi-mat-khau-lan-dau")
    assert errors == []
    staff.close()
    citizen.close()
