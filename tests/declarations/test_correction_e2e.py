"""A correction round trip in Chromium on a 360 px phone: the citizen registers,
the Quận 4 clerk marks the phone and the back of the ID card, the citizen
follows the SMS link, sees the clerk's words, fixes only those, and the clerk
finds the same code back in the queue and approves."""

import re
from urllib.parse import urlsplit

import pytest

from declarations.models import Declaration
from lookup.models import Office
from notifications.models import Message
from tests.conftest import PHONE
from tests.e2e.conftest import axe_check, axe_source  # noqa: F401  (fixture)

from .conftest import jpeg_bytes
from .staff_fixtures import make_clerk
from .test_e2e import images_loaded, no_sideways_scroll, photos, registry  # noqa: F401
from .test_staff_e2e import register, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_correction_round_trip_on_a_phone(
    browser,
    live_server,
    screenshot,
    photos,  # noqa: F811
    registry,  # noqa: F811
    captcha_code,
    axe_source,  # noqa: F811
    settings,
    tmp_path,
):
    settings.NOTIFICATIONS_REDACT_SENT = False
    base = live_server.url
    make_clerk(Office.objects.get(code="07914"), "canbo.quan4")
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

    citizen = browser.new_context(viewport=PHONE, locale="vi-VN")
    citizen_page = citizen.new_page()
    watch(citizen_page)
    code = register(citizen_page, base, photos)

    staff = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = staff.new_page()
    watch(page)
    sign_in(page, base, "canbo.quan4", "mat-khau-can-bo-1", f"/can-bo/to-khai/{code}/")
    assert page.locator("#registry-match").inner_text() == "Khớp dữ liệu"
    page.locator(".return-box summary").click()
    page.locator("#id_mark_phone").check()
    page.select_option("#id_reason_phone", "unreachable")
    page.fill("#id_note_phone", "Gọi 3 lần không liên lạc được")
    page.locator("#id_mark_id_back").check()
    page.select_option("#id_reason_id_back", "unreadable")
    no_sideways_scroll(page, PHONE)
    screenshot(page, "can-bo-yeu-cau-bo-sung-360")
    axe_check(page, axe_source, "correction-360\tcan-bo-yeu-cau-bo-sung")
    page.get_by_role("button", name="Gửi yêu cầu bổ sung").click()
    assert page.locator("#declaration-status").inner_text() == "Chờ bổ sung"
    assert "Gọi 3 lần không liên lạc được" in page.locator("#correction-pending").inner_text()

    sms = Message.objects.get(template="declaration_returned", channel="sms")
    link = urlsplit(re.search(r"https?://\S+", sms.text).group(0)).path
    citizen_page.goto(base + link)
    citizen_page.wait_for_url("**/dang-ky/bo-sung/")
    request = citizen_page.locator("#correction-request").inner_text()
    assert "2 mục" in request
    assert "Gọi 3 lần không liên lạc được" in citizen_page.locator("#fix-phone").inner_text()
    assert "Ảnh mờ" in citizen_page.locator("#fix-id_back").inner_text()
    assert citizen_page.locator("#fix-full_name").count() == 0
    images_loaded(citizen_page, ".correction-item img, .review-images img")
    no_sideways_scroll(citizen_page, PHONE)
    screenshot(citizen_page, "cong-dan-bo-sung-360")
    axe_check(citizen_page, axe_source, "correction-360\tcong-dan-bo-sung")

    # A mistake first: the chosen photo and the typed number stay.
    new_back = tmp_path / "mat-sau-moi.jpg"
    new_back.write_bytes(jpeg_bytes(1600, 1000, color=(20, 160, 60)))
    citizen_page.fill("#id_phone", "0987 654")
    citizen_page.set_input_files("#id_id_back", str(new_back))
    citizen_page.locator("#id_commitment").check()
    citizen_page.get_by_role("button", name="Gửi bổ sung").click()
    assert "0987 654" == citizen_page.locator("#id_phone").input_value()
    assert "Đã chọn ảnh mới" in citizen_page.locator("#fix-id_back").inner_text()
    screenshot(citizen_page, "cong-dan-bo-sung-loi-360")
    citizen_page.fill("#id_phone", "0987 654 321")
    citizen_page.locator("#id_commitment").check()
    citizen_page.get_by_role("button", name="Gửi bổ sung").click()
    citizen_page.wait_for_url("**/dang-ky/bo-sung/da-gui/")
    assert citizen_page.locator("#reference-code").inner_text() == code
    no_sideways_scroll(citizen_page, PHONE)
    screenshot(citizen_page, "cong-dan-da-bo-sung-360")

    page.goto(f"{base}/can-bo/to-khai/")
    assert code in page.locator(".queue-table").inner_text()
    page.get_by_role("link", name=code).click()
    assert page.locator("#declaration-status").inner_text() == "Đã nộp"
    assert "Đã sửa: Điện thoại di động, Ảnh mặt sau" in page.locator(".history").inner_text()
    page.get_by_role("button", name="Đã kiểm tra giấy tờ").click()
    page.get_by_role("button", name="Phê duyệt").click()
    assert page.locator("#declaration-status").inner_text() == "Đã duyệt"
    declaration = Declaration.objects.get(reference_code=code)
    assert declaration.phone == "+84987654321"
    approved = Message.objects.get(template="account_approved", channel="sms")
    assert approved.recipient == "+84987654321"
    assert errors == []
    citizen.close()
    staff.close()
