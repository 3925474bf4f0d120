"""On a 360 px phone: a citizen downloads the card attestation; a clinic checks it.

The clinic's clerk scans the QR (here: the QR decoded from the downloaded
PDF), types the code by hand, and uploads the file, then an altered copy.
"""

from pathlib import Path

import pytest

from tests.conftest import PHONE
from tests.insurance.pdf_tools import bytes_changed, qr_texts

from .conftest import NUMBER, PASSWORD, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_clinic_checks_the_card_attestation_a_citizen_downloaded(
    journey, live_server, demo, tmp_path
):
    base = live_server.url
    citizen = journey("xac-thuc-giay-to", PHONE, accept_downloads=True)
    page = citizen.page()
    sign_in(page, base, NUMBER, PASSWORD)
    page.goto(base + "/ca-nhan/the-bhyt/")
    citizen.step(page, "the-bhyt")
    with page.expect_download() as download:
        page.get_by_role("link", name="Giấy xác nhận thẻ BHYT (PDF)").click()
    pdf_path = Path(download.value.path())
    pdf = pdf_path.read_bytes()
    [url] = qr_texts(pdf)
    assert url.endswith("/") and "/xac-thuc/" in url
    code = url.rstrip("/").rsplit("/", 1)[1]

    clinic = journey("xac-thuc-noi-nhan", PHONE)
    page = clinic.page()
    # The camera opens the QR's address (the printed SITE_URL is the dev one).
    page.goto(base + f"/xac-thuc/{code}/")
    verdict = page.locator(".verdict")
    assert "Hợp lệ, còn hiệu lực" in verdict.inner_text()
    assert "Giấy xác nhận thẻ BHYT" in page.locator(".facts").inner_text()
    assert "Nguyễn V*** A***" in page.locator(".facts").inner_text()
    assert "Nguyễn Văn An" not in page.content()
    clinic.step(page, "ket-qua-ma-qr")

    page.goto(base + "/xac-thuc/")
    clinic.step(page, "trang-xac-thuc")
    page.get_by_role("textbox", name="Mã xác thực").fill(
        f"{code[:4]} {code[4:8]} {code[8:]}".lower()
    )
    page.get_by_role("button", name="Xác thực", exact=True).click()
    page.wait_for_url(f"**/xac-thuc/{code}/")
    assert "Hợp lệ, còn hiệu lực" in page.locator(".verdict").inner_text()

    page.locator("#id_tep").set_input_files(str(pdf_path))
    page.get_by_role("button", name="Kiểm tra tệp PDF").click()
    page.wait_for_load_state()
    assert "Chữ ký hợp lệ, đúng bản đã cấp" in page.locator(".verdict").first.inner_text()
    clinic.step(page, "tep-dung-ban-da-cap")

    altered = tmp_path / "xac-nhan-da-sua.pdf"
    altered.write_bytes(bytes_changed(pdf))
    page.locator("#id_tep").set_input_files(str(altered))
    page.get_by_role("button", name="Kiểm tra tệp PDF").click()
    page.wait_for_load_state()
    assert "Tệp đã bị sửa sau khi ký" in page.locator(".verdict").inner_text()
    clinic.step(page, "tep-bi-sua")

    page.goto(base + "/xac-thuc/ABCD-EFGH-JKMN/")
    assert "Không tìm thấy mã" in page.locator(".verdict").inner_text()
    clinic.step(page, "ma-khong-ton-tai")
