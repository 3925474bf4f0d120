"""A citizen pays voluntary BHXH on a 360 px phone through the fake gateway.

The first attempt fails at the gateway ("Thất bại"), "Thanh toán lại" opens
a new transaction that succeeds; the gateway's IPN (a real HTTP call from
the fake gateway to the live server) marks it paid, the receipt downloads
and the history shows the months. Every step is a screenshot and an
axe-core check (tests/e2e/conftest.py).
"""

import datetime as dt
import re

from django.utils import timezone

import pytest
from playwright.sync_api import expect

from insurance.models import ParticipationPeriod
from insurance.payments.models import Payment
from notifications.models import Message
from tests.conftest import PHONE

from .conftest import NUMBER, PASSWORD, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def next_month() -> str:
    today = timezone.localdate()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{year}-{month:02d}"


def test_voluntary_bhxh_paid_on_a_phone_after_a_failed_attempt(
    journey, live_server, demo, settings
):
    settings.SITE_URL = live_server.url  # the fake gateway and its IPN call this server
    settings.NOTIFICATIONS_REDACT_SENT = False
    base = live_server.url
    j = journey("dong-bhxh-tu-nguyen", PHONE)
    page = j.page()
    sign_in(page, base, NUMBER, PASSWORD)

    page.goto(base + "/ca-nhan/")
    page.get_by_role("link", name="Đóng BHXH tự nguyện").click()
    page.wait_for_url("**/ca-nhan/dong-bhxh-tu-nguyen/")
    j.step(page, "form")

    page.get_by_label("Mức thu nhập tháng làm căn cứ đóng (đồng)").fill("900.000")
    page.get_by_text("3 tháng một lần").click()
    page.get_by_label("Từ tháng").fill(next_month())
    page.get_by_role("button", name="Tính số tiền").click()
    expect(page.locator("#id_income_error")).to_contain_text("Mức thu nhập phải từ 1.500.000")
    j.step(page, "loi-muc-thu-nhap")

    page.get_by_label("Mức thu nhập tháng làm căn cứ đóng (đồng)").fill("2.000.000")
    page.get_by_role("button", name="Tính số tiền").click()
    # 2,000,000 × 22% = 440,000, less 33,000 support, × 3 months.
    expect(page.locator("#quote-amount")).to_have_text("1.221.000\xa0đ")
    j.step(page, "so-tien")

    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("h1")).to_have_text("Xác nhận thanh toán")
    j.step(page, "xac-nhan")

    page.get_by_role("button", name="Thanh toán", exact=True).click()
    page.wait_for_url("**/dev/cong-thanh-toan/?**")
    expect(page.locator("#gateway-amount")).to_have_text("1.221.000 đ")
    j.step(page, "cong-thanh-toan")

    page.get_by_role("button", name="Thất bại").click()
    page.wait_for_url(re.compile(r".*/ca-nhan/thanh-toan/TT\w+/\?ket-qua=\d+$"))
    expect(page.locator("#payment-status")).to_contain_text("tài khoản không đủ số dư")
    j.step(page, "that-bai")

    page.get_by_role("button", name="Thanh toán lại").click()
    page.wait_for_url("**/dev/cong-thanh-toan/?**")
    page.get_by_role("button", name="Thanh toán thành công").click()
    page.wait_for_url(re.compile(r".*/ca-nhan/thanh-toan/TT\w+/\?ket-qua=\d+$"))
    expect(page.locator("#payment-status")).to_contain_text("Đã thanh toán")
    j.step(page, "thanh-cong")

    paid = Payment.objects.get(status=Payment.Status.PAID)
    assert Payment.objects.get(status=Payment.Status.FAILED).code != paid.code
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải biên lai (PDF)").click()
    assert download.value.suggested_filename == f"bien-lai-{paid.code}.pdf"

    page.get_by_role("link", name="Xem quá trình tham gia").click()
    page.wait_for_url("**/ca-nhan/qua-trinh-tham-gia/")
    expect(page.locator("main")).to_contain_text("Tham gia BHXH tự nguyện")
    j.step(page, "qua-trinh")
    assert ParticipationPeriod.objects.filter(
        person__insurance_number=NUMBER, employer_code="BHXHTN"
    ).exists()

    page.goto(base + "/ca-nhan/thanh-toan/")
    expect(page.locator(".payment-list li")).to_have_count(2)
    j.step(page, "danh-sach")
    sms = Message.objects.get(template="payment_paid", channel="sms")
    assert paid.code in sms.text and NUMBER not in sms.text


def test_household_bhyt_renewal_quoted_and_confirmed_on_a_phone(journey, live_server, demo):
    """An, on a household card ending soon, renews it with his son's new account."""
    from accounts.models import User
    from insurance.models import HealthInsuranceCard

    ends = timezone.localdate() + dt.timedelta(days=20)
    HealthInsuranceCard.objects.filter(person__insurance_number__in=[NUMBER, "7920170902"]).update(
        group="GD", valid_to=ends
    )
    son = User.objects.create_user("7920170902", password=PASSWORD, full_name="Nguyễn Minh Khoa")
    son.guardian = demo["citizen"]
    son.save()
    base = live_server.url
    j = journey("gia-han-bhyt", PHONE)
    page = j.page()
    sign_in(page, base, NUMBER, PASSWORD)
    page.goto(base + "/ca-nhan/gia-han-bhyt/")
    j.step(page, "form")
    page.get_by_role("button", name="Tính số tiền").click()
    expect(page.locator("#quote")).to_contain_text("Người thứ 2: đóng 70% mức của người thứ nhất")
    # 105,300 × 12 + 73,710 × 12
    expect(page.locator("#quote-amount")).to_have_text("2.148.120\xa0đ")
    j.step(page, "so-tien")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("h1")).to_have_text("Xác nhận thanh toán")
    j.step(page, "xac-nhan")
    page.get_by_role("button", name="Quay lại").click()
    expect(page.locator("#id_members_0")).to_be_checked()
    expect(page.locator("#id_months_2")).to_be_checked()
