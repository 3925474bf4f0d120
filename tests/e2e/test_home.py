import pytest

from tests.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport,size", [("phone", PHONE), ("desktop", DESKTOP)])
def test_home_page_in_vietnamese_then_english(browser, live_server, screenshot, viewport, size):
    context = browser.new_context(viewport=size, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Giao dịch bảo hiểm xã hội" in page.locator("h1").inner_text()
    assert page.locator("a[href='tel:19009068']").is_visible()
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    screenshot(page, f"home-vi-{viewport}")

    page.locator("form.lang-switch button[value=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Social insurance services, right on your phone"
    screenshot(page, f"home-en-{viewport}")
    context.close()
