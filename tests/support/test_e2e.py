"""Phone-sized browser checks of the FAQ and the assistant (with screenshots)."""

import pytest

from tests.conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _help_content(transactional_db):
    """Transactional tests flush the tables, data migrations included: reload it."""
    from django.apps import apps

    from support.content import help_content_load

    help_content_load(apps)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    yield context.new_page()
    context.close()


def test_faq_on_a_phone_searches_without_diacritics(phone, live_server, screenshot):
    phone.goto(live_server.url + "/hoi-dap/")
    assert phone.locator("h1").inner_text() == "Câu hỏi thường gặp"
    assert phone.locator("a.call-now[href='tel:19009068']").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "support-faq-phone")

    phone.fill("#faq-q", "quen mat khau")
    phone.locator(".search-form button[type=submit]").click()
    phone.wait_for_load_state()
    answer = phone.locator("details.faq[open]", has_text="Quên mật khẩu thì làm thế nào?")
    assert answer.locator(".faq-answer").is_visible()
    assert "Ai có thể sử dụng cổng này?" not in phone.locator("main").inner_text()
    screenshot(phone, "support-faq-search-phone")


def test_assistant_on_a_phone_answers_and_links_the_source(phone, live_server, screenshot):
    phone.goto(live_server.url + "/hoi-dap/tro-ly/")
    phone.fill("#id_q", "tai khoan bi khoa phai lam sao")
    phone.locator("#chat-form button[type=submit]").click()
    reply = phone.locator(".chat-bot .chat-source a")
    reply.wait_for()
    # Answered in place by assistant.js (the URL did not change).
    assert phone.url.endswith("/hoi-dap/tro-ly/")
    assert "Nhập sai mật khẩu 5 lần thì sao?" in phone.locator(".chat-source-label").inner_text()
    assert phone.locator(".chat-user").last.inner_text() == "tai khoan bi khoa phai lam sao"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "support-assistant-phone")

    phone.fill("#id_q", "giá vàng hôm nay")
    phone.locator("#chat-form button[type=submit]").click()
    phone.locator(".chat-unsure").last.wait_for()
    assert "chưa chắc chắn" in phone.locator(".chat-unsure").last.inner_text()
    screenshot(phone, "support-assistant-unsure-phone")

    reply.first.click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "Nhập sai mật khẩu 5 lần thì sao?"


def test_assistant_works_without_javascript(browser, live_server, screenshot):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/hoi-dap/tro-ly/")
    page.fill("#id_q", "quên mật khẩu")
    page.locator("#chat-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "Quên mật khẩu thì làm thế nào?" in page.locator(".chat-source-label").inner_text()
    screenshot(page, "support-assistant-nojs-phone")
    context.close()
