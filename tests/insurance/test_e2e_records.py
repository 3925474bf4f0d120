"""A citizen signs in on a phone and opens every page of their records."""

import datetime as dt
from io import StringIO

from django.core.management import call_command

import pytest

from accounts.models import User
from tests.conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-e2e-2026"
PAGES = [
    ("/ca-nhan/", "Xin chào, Nguyễn Văn An", "records-dashboard"),
    ("/ca-nhan/the-bhyt/", "Thẻ bảo hiểm y tế", "records-card"),
    ("/ca-nhan/qua-trinh-tham-gia/", "Quá trình tham gia", "records-history"),
    ("/ca-nhan/huong-che-do/", "Các chế độ đã hưởng", "records-benefits"),
    ("/ca-nhan/lich-su-kcb/", "Lịch sử khám chữa bệnh", "records-visits"),
    ("/ca-nhan/uoc-tinh-bhxh-1-lan/", "Ước tính BHXH một lần", "records-one-time-estimate"),
]


@pytest.fixture
def citizen():
    call_command("load_reference_data", stdout=StringIO())
    call_command("seed_demo", "--citizens", "3", stdout=StringIO())
    user = User.objects.get(username="7901234567")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_citizen_sees_card_history_benefits_visits_and_estimate_on_a_phone(
    browser, live_server, screenshot, citizen
):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/ca-nhan/the-bhyt/")
    assert "/dang-nhap/" in page.url
    page.fill("#id_username", "7901234567")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/ca-nhan/the-bhyt/")

    for path, heading, name in PAGES:
        page.goto(live_server.url + path)
        assert heading in page.locator("h1").inner_text()
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # Every tab of the records menu is fully on screen (none half hidden).
        rights = page.eval_on_selector_all(
            ".records-nav a", "links => links.map(a => a.getBoundingClientRect().right)"
        )
        assert len(rights) == 6 and max(rights) <= PHONE["width"]
        screenshot(page, name)

    page.goto(live_server.url + "/ca-nhan/the-bhyt/")
    image = page.locator("figure.bhyt-card img")
    assert (
        page.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) == 1012
    )
    assert "Còn hạn" in page.locator(".state").inner_text()
    with page.expect_download() as download:
        page.locator("a[download]").click()
    assert download.value.suggested_filename == "the-bhyt-7901234567.png"

    page.goto(live_server.url + "/ca-nhan/qua-trinh-tham-gia/")
    assert page.locator("[role=alert]").is_visible()  # An's employer owes two months
    page.goto(live_server.url + f"/ca-nhan/lich-su-kcb/?nam={dt.date.today().year - 2}")
    screenshot(page, "records-visits-filtered")
    context.close()
