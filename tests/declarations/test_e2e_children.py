"""On a phone: a guardian registers a child, the office approves, the guardian opens the child's card."""

from io import StringIO

from django.core.management import call_command

import pytest

from accounts.models import User
from declarations.models import Declaration
from insurance.demo import DEMO_CHILDREN
from notifications.models import Message
from tests.conftest import PHONE

from .conftest import jpeg_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-e2e-2026"
CLERK_PASSWORD = "mat-khau-can-bo-e2e"
CHILD = DEMO_CHILDREN[0]


@pytest.fixture
def guardian():
    call_command("load_reference_data", stdout=StringIO())
    call_command("seed_demo", "--citizens", "3", stdout=StringIO())
    user = User.objects.get(username="7901234567")
    user.set_password(PASSWORD)
    user.email = "an@example.vn"
    user.save()
    return user


def approve_as_clerk(browser, base: str, code: str) -> None:
    """The clerk of BHXH Quận 4 opens the form, sees the guardian, checks and approves."""
    clerk = User.objects.get(username="canbo.quan4")
    clerk.set_password(CLERK_PASSWORD)
    clerk.save()
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/dang-nhap/?next=/can-bo/to-khai/{code}/")
    page.fill("#id_username", clerk.username)
    page.fill("#id_password", CLERK_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**/can-bo/to-khai/{code}/")
    assert "7901234567" in page.locator("#guardian-account").inner_text()
    assert page.locator("#declaration-status").inner_text() == "Đã nộp"
    assert fits_phone(page)
    page.get_by_role("button", name="Đã kiểm tra giấy tờ").click()
    assert page.locator("#declaration-status").inner_text() == "Đã tiếp nhận"
    page.get_by_role("button", name="Phê duyệt").click()
    assert page.locator("#declaration-status").inner_text() == "Đã duyệt"
    context.close()


def fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_guardian_registers_a_child_and_switches_to_its_card_after_approval(
    browser, live_server, screenshot, guardian, tmp_path
):
    portrait = tmp_path / "con.jpg"
    portrait.write_bytes(jpeg_bytes(600, 800))
    certificate = tmp_path / "giay-khai-sinh.jpg"
    certificate.write_bytes(jpeg_bytes(1200, 900, color=(240, 240, 230)))

    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/ca-nhan/")
    page.fill("#id_username", guardian.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/ca-nhan/")
    page.get_by_role("link", name="Đăng ký tài khoản cho con").click()
    page.wait_for_url("**/ca-nhan/dang-ky-cho-con/")
    assert "Bước 1/4" in page.locator("h1").inner_text()

    # An adult is refused next to the form, and what was typed stays.
    page.fill("#id_insurance_number", "7901234567")
    page.fill("#id_full_name", "Nguyễn Văn An")
    page.get_by_role("button", name="Tiếp tục").click()
    assert "chính bạn" in page.locator(".form-errors").inner_text()
    screenshot(page, "child-1-error")

    page.fill("#id_insurance_number", CHILD["insurance_number"])
    page.fill("#id_full_name", "nguyễn minh khoa")
    assert fits_phone(page)
    screenshot(page, "child-1-child")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/dang-ky-cho-con/anh/")

    page.set_input_files("#id_portrait", str(portrait))
    page.set_input_files("#id_birth_certificate", str(certificate))
    screenshot(page, "child-2-uploads")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/dang-ky-cho-con/noi-nop/")

    # Suggested from the child's BHYT card: BHXH Quận 4.
    assert page.locator("#id_office").input_value() == "07914"
    page.locator("label.choice-card").first.click()
    assert fits_phone(page)
    screenshot(page, "child-3-office")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/dang-ky-cho-con/xem-lai/")

    assert "Nguyễn Minh Khoa" in page.content()
    assert fits_phone(page)
    screenshot(page, "child-4-review")
    page.get_by_role("button", name="Gửi").click()
    page.wait_for_url("**/dang-ky-cho-con/cam-ket/")
    screenshot(page, "child-5-commitment")
    page.get_by_role("button", name="Đồng ý").click()
    page.wait_for_url("**/dang-ky-cho-con/da-gui/")

    declaration = Declaration.objects.get(insurance_number=CHILD["insurance_number"])
    assert page.locator("#reference-code").inner_text() == declaration.reference_code
    assert fits_phone(page)
    screenshot(page, "child-6-done")

    page.get_by_role("link", name="Xem tờ khai").first.click()
    page.wait_for_url(f"**/ca-nhan/to-khai/{declaration.reference_code}/")
    # Headless Chromium has no share sheet: the copy-link fallback is shown.
    assert page.locator("#share-link").is_visible()
    assert "/dang-ky/tai-to-khai/" in page.locator("#share-link").input_value()
    assert fits_phone(page)
    screenshot(page, "declaration-detail")
    assert not page.get_by_role("button", name="Chia sẻ").is_visible()

    # Where the browser has a share sheet, "Chia sẻ" opens it with the link.
    sharing = context.new_page()
    sharing.add_init_script(
        "navigator.share = (data) => { window.sharedData = data; return Promise.resolve(); };"
    )
    sharing.goto(page.url)
    assert not sharing.locator("#share-link").is_visible()
    sharing.get_by_role("button", name="Chia sẻ").click()
    shared = sharing.evaluate("window.sharedData")
    assert "/dang-ky/tai-to-khai/" in shared["url"]
    assert declaration.reference_code in shared["title"]
    sharing.close()

    page.fill("#id_email", "ong.ba@example.vn")
    page.get_by_role("button", name="Gửi email").click()
    assert "Đã gửi tờ khai đến ong.ba@example.vn" in page.locator(".messages").inner_text()
    page.goto(live_server.url + "/ca-nhan/to-khai/")
    screenshot(page, "declaration-list")

    approve_as_clerk(browser, live_server.url, declaration.reference_code)
    # The child's initial password goes to the guardian's phone, not to the child.
    sms = Message.objects.get(template="account_approved", channel="sms")
    assert sms.recipient == guardian.phone
    assert User.objects.get(username=CHILD["insurance_number"]).guardian == guardian

    page.goto(live_server.url + "/ca-nhan/")
    page.locator(".person-switch").get_by_role("link", name="Nguyễn Minh Khoa").click()
    page.wait_for_url("**/ca-nhan/con/*/")
    screenshot(page, "child-records-dashboard")
    page.locator(".records-nav").get_by_role("link", name="Thẻ BHYT").click()
    page.wait_for_url("**/ca-nhan/con/*/the-bhyt/")
    assert "Bạn đang xem hồ sơ của con" in page.locator(".child-banner").inner_text()
    assert CHILD["insurance_number"] in page.content()
    image = page.locator("figure.bhyt-card img")
    assert (
        page.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) == 1012
    )
    assert fits_phone(page)
    screenshot(page, "child-records-card")
    context.close()
