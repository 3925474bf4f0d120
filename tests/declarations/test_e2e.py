"""The whole registration in Chromium, on a phone and on a desktop."""

import io
import time

import pytest
from PIL import Image
from pypdf import PdfReader

from declarations.models import Declaration
from insurance.models import Person
from lookup.services import reference_data_load
from tests.conftest import DESKTOP, PHONE

from .conftest import AN, jpeg_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def photos(tmp_path):
    """Real JPEG files as a phone makes them; the ID front carries EXIF GPS."""
    files = {
        "portrait": ("chan-dung.jpg", jpeg_bytes(900, 1200, color=(230, 200, 180))),
        "id_front": ("cccd-mat-truoc.jpg", jpeg_bytes(1600, 1000, gps=True)),
        "id_back": ("cccd-mat-sau.jpg", jpeg_bytes(1600, 1000, color=(90, 120, 200))),
    }
    paths = {}
    for slot, (name, data) in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths[slot] = str(path)
    assert b"Exif" in (tmp_path / "cccd-mat-truoc.jpg").read_bytes()
    return paths


@pytest.fixture
def registry(db):
    reference_data_load()
    return Person.objects.create(**AN)


def no_sideways_scroll(page, size):
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]


def images_loaded(page, selector: str, timeout: float = 5.0) -> None:
    """Wait until every image under ``selector`` has loaded and has a size.

    Polls with ``page.evaluate`` (sent over the DevTools protocol): Playwright's
    ``wait_for_function`` re-evaluates its predicate with ``eval`` inside the
    page, which the portal's CSP (no 'unsafe-eval') refuses whenever the first
    check is not already true.
    """
    check = f"Array.from(document.querySelectorAll({selector!r}))" + (
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    deadline = time.monotonic() + timeout
    while not page.evaluate(check):
        assert time.monotonic() < deadline, f"images under {selector} did not load"
        page.wait_for_timeout(100)


@pytest.mark.parametrize("viewport,size", [("360", PHONE), ("1280", DESKTOP)])
def test_citizen_registers_with_real_photos_goes_back_and_submits(
    browser, live_server, screenshot, photos, registry, captcha_code, outbox, viewport, size
):
    context = browser.new_context(viewport=size, locale="vi-VN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Pages with form errors answer 400, which Chromium logs; anything else is a fault.
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "status of 400" not in msg.text
            else None
        ),
    )

    # 1. Cá nhân
    page.goto(live_server.url + "/dang-ky/")
    assert page.locator("h1").inner_text().startswith("Bước 1/5")
    page.get_by_label("Cá nhân").check()
    no_sideways_scroll(page, size)
    screenshot(page, f"dang-ky-1-doi-tuong-{viewport}")
    page.get_by_role("button", name="Tiếp tục").click()

    # 2. Tờ khai, first with a wrong birth date.
    assert page.locator("h1").inner_text().startswith("Bước 2/5")
    assert (
        page.locator("label[for=id_full_name]")
        .inner_text()
        .startswith("Họ và tên (Tên cơ quan/tổ chức/cá nhân)")
    )
    page.fill("#id_full_name", "Nguyễn Văn An")
    page.fill("#id_insurance_number", "7901234567")
    page.fill("#id_date_of_birth", "16/05/1990")
    page.fill("#id_id_number", "079090001234")
    page.fill("#id_contact_address", "12 Đường số 3, Phường 9, Quận 4, TP. Hồ Chí Minh")
    page.fill("#id_contact_person", "Nguyễn Văn An")
    page.fill("#id_email", "an@example.vn")
    page.fill("#id_phone", "0912 345 678")
    screenshot(page, f"dang-ky-2-to-khai-{viewport}")
    page.get_by_role("button", name="Tiếp tục").click()
    assert "không khớp với dữ liệu của cơ quan BHXH" in page.locator(".form-errors").inner_text()
    assert page.input_value("#id_phone") == "0912 345 678"
    no_sideways_scroll(page, size)
    screenshot(page, f"dang-ky-2-to-khai-loi-{viewport}")
    page.fill("#id_date_of_birth", "15/05/1990")
    page.get_by_role("button", name="Tiếp tục").click()

    # 3. Ảnh
    assert page.locator("h1").inner_text().startswith("Bước 3/5")
    assert "image/" in page.get_attribute("#id_portrait", "accept")
    screenshot(page, f"dang-ky-3-anh-trong-{viewport}")
    for slot, path in photos.items():
        page.set_input_files(f"#id_{slot}", path)
    page.get_by_role("button", name="Tiếp tục").click()

    # 4. Nơi nộp: go back to the photos, they are still there, then forward.
    assert page.locator("h1").inner_text().startswith("Bước 4/5")
    page.get_by_role("button", name="Quay lại").click()
    assert page.locator("h1").inner_text().startswith("Bước 3/5")
    assert page.locator(".upload-preview img").count() == 3
    images_loaded(page, ".upload-preview img")
    no_sideways_scroll(page, size)
    screenshot(page, f"dang-ky-3-anh-da-tai-{viewport}")
    page.get_by_role("button", name="Tiếp tục").click()

    page.select_option("#id_province", "079")
    page.wait_for_selector("#id_office option[value='07914']", state="attached")
    page.select_option("#id_office", "07914")
    page.get_by_label("Nộp tại điểm tiếp nhận của cơ quan BHXH").check()
    page.get_by_label("Gửi email tờ khai").check()
    no_sideways_scroll(page, size)
    screenshot(page, f"dang-ky-4-noi-nop-{viewport}")
    page.get_by_role("button", name="Tiếp tục").click()

    # 5. Xem lại: back to the tờ khai through "Sửa", nothing lost, forward again.
    assert page.locator("h1").inner_text().startswith("Bước 5/5")
    assert "[07914] BHXH Quận 4" in page.content()
    no_sideways_scroll(page, size)
    screenshot(page, f"dang-ky-5-xem-lai-{viewport}")
    page.get_by_role("link", name="Sửa tờ khai").click()
    assert page.input_value("#id_full_name") == "Nguyễn Văn An"
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_role("button", name="Tiếp tục").click()  # photos kept
    assert page.input_value("#id_office") == "07914"
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_role("button", name="Gửi").click()
    assert "Vui lòng đánh dấu ô cam kết" in page.content()
    page.locator("#id_commitment").check()
    page.fill("#id_captcha_1", "ABCD")
    screenshot(page, f"dang-ky-5-xem-lai-gui-{viewport}")
    page.get_by_role("button", name="Gửi").dblclick()

    # 6. Confirmation
    page.wait_for_url("**/dang-ky/da-gui/")
    code = page.locator("#reference-code").inner_text().strip()
    declaration = Declaration.objects.get()
    assert code == declaration.reference_code
    no_sideways_scroll(page, size)
    screenshot(page, f"dang-ky-6-da-gui-{viewport}")

    for field in (declaration.portrait, declaration.id_front, declaration.id_back):
        data = field.open("rb").read()
        assert b"Exif" not in data
        assert not Image.open(io.BytesIO(data)).getexif()
    sms = outbox.messages("sms")
    assert [(m["recipient"], m["template"]) for m in sms] == [
        ("+84912345678", "declaration_resume"),
        ("+84912345678", "declaration_received"),
    ]

    pdf = page.request.get(live_server.url + page.get_attribute("#download-pdf", "href"))
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Nguyễn Văn An" in text

    # Tracking with the code and the phone.
    page.goto(live_server.url + "/dang-ky/tra-cuu/")
    page.fill("#id_reference_code", code)
    page.fill("#id_phone", "0912345678")
    page.get_by_role("button", name="Tra cứu").click()
    assert "Đã nộp" in page.locator(".track-result").inner_text()
    screenshot(page, f"dang-ky-7-tra-cuu-{viewport}")
    assert errors == []
    context.close()


def test_wizard_works_without_javascript(
    browser, live_server, screenshot, photos, registry, captcha_code
):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/dang-ky/")
    page.get_by_role("button", name="Tiếp tục").click()
    page.fill("#id_full_name", "Nguyễn Văn An")
    page.fill("#id_insurance_number", "7901234567")
    page.fill("#id_date_of_birth", "15/05/1990")
    page.fill("#id_id_number", "079090001234")
    page.fill("#id_contact_address", "12 Đường số 3")
    page.fill("#id_contact_person", "Nguyễn Văn An")
    page.fill("#id_phone", "0912345678")
    page.get_by_role("button", name="Tiếp tục").click()
    for slot, path in photos.items():
        page.set_input_files(f"#id_{slot}", path)
    page.get_by_role("button", name="Tiếp tục").click()
    page.select_option("#id_province", "079")
    page.get_by_role("button", name="Chọn", exact=True).click()
    screenshot(page, "dang-ky-4-noi-nop-khong-js-360")
    page.select_option("#id_office", "07914")
    page.get_by_label("Nộp qua dịch vụ bưu chính công ích").check()
    page.get_by_role("button", name="Tiếp tục").click()
    page.locator("#id_commitment").check()
    page.fill("#id_captcha_1", "ABCD")
    page.get_by_role("button", name="Gửi").click()
    assert page.locator("#reference-code").inner_text().startswith("DK")
    assert "bưu chính" in page.content()
    context.close()
