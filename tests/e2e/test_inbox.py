"""The message centre on a phone: the bell in the header, the list, a notice, "mark all"."""

import pytest
from playwright.sync_api import expect

from accounts.notices import notice_to_owner

from .conftest import NUMBER, PASSWORD, VIEWPORTS, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_citizen_reads_notices_and_marks_them_read(journey, live_server, demo, viewport):
    citizen = demo["citizen"]
    notice_to_owner(user=citizen, template="password_rotation_reminder", context={"days_left": 14})
    notice_to_owner(user=citizen, template="device_takeover", email=False)
    notice_to_owner(user=citizen, template="account_unlocked", email=False)
    j = journey("thong-bao", viewport)
    page = j.page()
    base = live_server.url

    sign_in(page, base, NUMBER, PASSWORD)
    bell = page.locator("a.inbox-link")
    expect(bell).to_have_text("Thông báo 3, 3 chưa đọc")
    expect(bell.locator(".badge")).to_have_text("3")
    j.step(page, "dau-trang-co-so-thong-bao")

    bell.click()
    page.wait_for_load_state()
    expect(page.locator(".inbox-item.unread")).to_have_count(3)
    expect(page.locator(".inbox-item").first).to_contain_text("Tài khoản đã được mở khoá")
    expect(page.get_by_role("status").first).to_contain_text("3 thông báo chưa đọc")
    j.step(page, "danh-sach-thong-bao")

    page.get_by_role("link", name="Đăng nhập trên thiết bị mới").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập trên thiết bị mới")
    expect(page.locator(".inbox-body")).to_contain_text("gọi tổng đài 1900.9068")
    expect(page.locator("a.inbox-link .badge")).to_have_text("2")
    j.step(page, "chi-tiet-thong-bao")

    page.get_by_role("link", name="Tất cả thông báo").click()
    page.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Đã đánh dấu 2 thông báo là đã đọc.")
    expect(page.locator(".inbox-item.unread")).to_have_count(0)
    expect(page.locator("a.inbox-link .badge")).to_have_count(0)
    j.step(page, "da-doc-tat-ca")
