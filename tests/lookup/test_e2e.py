"""A citizen on a phone looks up an office and a clinic."""

from django.core.management import call_command

import pytest
from playwright.sync_api import expect

from tests.conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_page(browser, live_server):
    call_command("load_reference_data", stdout=open("/dev/null", "w"))
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_office_search_on_a_phone(phone_page, live_server, screenshot):
    page = phone_page
    page.goto(live_server.url + "/tra-cuu/")
    screenshot(page, "lookup-index-phone")
    page.get_by_role("link", name="Cơ quan BHXH").click()
    page.get_by_label("Tên hoặc mã cơ quan BHXH").fill("quan 4")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_load_state()
    assert "q=quan+4" in page.url
    result = page.locator(".result").first
    assert "[07914] BHXH Quận 4" in result.inner_text()
    assert "Trực thuộc: [079] BHXH Tp. Hồ Chí Minh" in result.inner_text()
    assert (
        result.get_by_role("link", name="Xem bản đồ")
        .get_attribute("href")
        .startswith("https://www.openstreetmap.org/?mlat=")
    )
    # The copy button appears with JavaScript and copies the page's address.
    copy = page.get_by_role("button", name="Sao chép liên kết")
    assert copy.is_visible()
    copy.click()
    # The clipboard write is a promise: wait for the status rather than race it.
    expect(page.locator("#share-status")).to_have_text("Đã sao chép liên kết.")
    assert fits_the_screen(page)
    screenshot(page, "lookup-offices-quan4-phone")

    # Browsing a province shows the province office and its district offices.
    page.goto(live_server.url + "/tra-cuu/co-quan-bhxh/")
    page.get_by_label("Tỉnh/thành phố").select_option("79")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_load_state()
    assert "23 kết quả" in page.locator("#results-title").inner_text()
    assert fits_the_screen(page)
    screenshot(page, "lookup-offices-hcm-phone")


def test_facility_search_with_filters_and_a_suggestion_on_a_phone(
    phone_page, live_server, screenshot
):
    page = phone_page
    page.goto(live_server.url + "/tra-cuu/co-so-kcb/")
    page.get_by_label("Tên hoặc mã cơ sở KCB").fill("cho rai")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_load_state()
    assert "Không tìm thấy kết quả phù hợp." in page.content()
    screenshot(page, "lookup-facilities-suggestion-phone")
    page.get_by_role("link", name="Chợ Rẫy").click()
    page.wait_for_load_state()
    assert "79 - 001 Bệnh viện Chợ Rẫy" in page.locator(".result").first.inner_text()

    page.goto(live_server.url + "/tra-cuu/co-so-kcb/")
    page.get_by_label("Tên hoặc mã cơ sở KCB").fill("trung tam y te")
    page.get_by_label("Tỉnh/thành phố").select_option("79")
    page.get_by_label("Được cấp giấy chứng nhận nghỉ việc hưởng BHXH").select_option("1")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_load_state()
    results = page.locator(".result")
    assert results.count() == 20
    assert all("Cấp giấy nghỉ việc hưởng BHXH" in text for text in results.all_inner_texts())
    assert fits_the_screen(page)
    screenshot(page, "lookup-facilities-hcm-phone")
    page.get_by_role("link", name="Trang sau").click()
    page.wait_for_load_state()
    assert "page=2" in page.url and "province=79" in page.url
    assert "Trang 2/2" in page.locator(".pagination").inner_text()


def test_insurance_number_form_on_a_phone(phone_page, live_server, screenshot):
    page = phone_page
    page.goto(live_server.url + "/tra-cuu/ma-so-bhxh/")
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_load_state()
    assert "Vui lòng nhập họ và tên." in page.content()
    assert fits_the_screen(page)
    screenshot(page, "lookup-insurance-number-errors-phone")
