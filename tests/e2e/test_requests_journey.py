"""A request end to end in Chromium on a 360 px phone: the citizen sees a debt
marked on the history, asks for the BHYT card to be reissued (an error first,
kept input, a confirmation screen), the Quận 4 clerk finds it, checks and
approves it, and the citizen sees the decision and the new issue date."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from declarations.requests.models import ServiceRequest
from insurance.models import HealthInsuranceCard
from notifications.models import Message
from tests.conftest import PHONE

from .conftest import CLERK_PASSWORD, NUMBER, PASSWORD, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_card_reissue_filed_approved_and_seen_on_a_phone(journey, live_server, demo, settings):
    settings.NOTIFICATIONS_REDACT_SENT = False
    base = live_server.url
    citizen = journey("yeu-cau-cap-lai-the", PHONE)
    page = citizen.page()
    sign_in(page, base, NUMBER, PASSWORD)

    # The history marks the months an employer owes, with the action.
    page.goto(base + "/ca-nhan/qua-trinh-tham-gia/")
    marks = page.locator("#month-marks")
    expect(marks).to_contain_text("Tình trạng đóng BHXH từng tháng")
    if page.locator(".mark-owed").count():
        expect(page.locator(".mark-owed").first).to_contain_text("Đơn vị chưa đóng đủ")
        expect(page.locator(".mark-owed a[data-action=report]").first).to_have_text(
            "Báo cơ quan BHXH"
        )
    citizen.step(page, "qua-trinh-tham-gia-danh-dau-thang")

    page.goto(base + "/ca-nhan/yeu-cau/")
    expect(page.locator("#no-requests")).to_be_visible()
    citizen.step(page, "yeu-cau-trong")
    page.get_by_role("link", name="Cấp lại thẻ BHYT").click()
    page.wait_for_url("**/ca-nhan/yeu-cau/moi/cap-lai-the/")
    citizen.step(page, "cap-lai-the-mau")

    # By post without an address: the error sits next to the field, the rest is kept.
    page.get_by_label("Mất thẻ").check()
    page.get_by_label("Gửi qua bưu điện đến địa chỉ dưới đây").check()
    page.locator("#id_address").fill("")
    page.locator("#id_note").fill("Mất ví trên xe buýt")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_load_state()
    expect(page.locator("#id_address_error")).to_contain_text("Vui lòng nhập địa chỉ nhận thẻ")
    expect(page.locator("#id_note")).to_have_value("Mất ví trên xe buýt")
    expect(page.get_by_label("Mất thẻ")).to_be_checked()
    citizen.step(page, "cap-lai-the-loi")

    page.locator("#id_address").fill("12 Đường số 3, Phường 9, Quận 4, TP. Hồ Chí Minh")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/xac-nhan/")
    expect(page.locator("#request-review")).to_contain_text("Gửi qua bưu điện")
    expect(page.locator("#request-review")).to_contain_text("12 Đường số 3")
    citizen.step(page, "cap-lai-the-xac-nhan")
    page.get_by_role("button", name="Gửi").click()
    page.wait_for_load_state()
    expect(page.locator("#id_commitment_error")).to_be_visible()
    page.locator("#id_commitment").check()
    page.get_by_role("button", name="Gửi").click()
    page.wait_for_url("**/ca-nhan/yeu-cau/YC*/")
    code = page.locator("#reference-code").inner_text().strip()
    expect(page.locator("#request-status")).to_contain_text("Đã nộp")
    expect(page.locator("#case-clocks")).to_contain_text("Hạn tiếp nhận")
    citizen.step(page, "cap-lai-the-da-gui")
    assert Message.objects.filter(template="service_request_submitted", channel="sms").exists()

    # The clerk of Quận 4, on a phone too.
    clerk = journey("yeu-cau-can-bo", PHONE)
    staff_page = clerk.page()
    sign_in(staff_page, base, "canbo.quan4", CLERK_PASSWORD)
    staff_page.goto(base + "/can-bo/")
    expect(staff_page.locator("#request-counts")).to_contain_text("1")
    clerk.step(staff_page, "can-bo-tong-quan")
    staff_page.get_by_role("link", name="Yêu cầu", exact=True).click()
    staff_page.wait_for_url("**/can-bo/yeu-cau/")
    clerk.step(staff_page, "can-bo-danh-sach-yeu-cau")
    staff_page.get_by_role("link", name=code).click()
    expect(staff_page.locator("#request-payload")).to_contain_text("Mất thẻ")
    clerk.step(staff_page, "can-bo-yeu-cau")
    staff_page.get_by_role("button", name="Đã kiểm tra giấy tờ").click()
    staff_page.wait_for_load_state()
    staff_page.locator("#id_answer").fill("Thẻ mới gửi qua bưu điện trong 5 ngày làm việc.")
    clerk.step(staff_page, "can-bo-phe-duyet")
    staff_page.get_by_role("button", name="Phê duyệt", exact=True).click()
    staff_page.wait_for_load_state()
    expect(staff_page.locator("#request-status")).to_have_text("Đã duyệt")
    clerk.step(staff_page, "can-bo-da-duyet")

    # The citizen sees the decision and the card issued today, same number.
    page.reload()
    expect(page.locator("#request-decision")).to_contain_text("đã được cấp lại ngày")
    expect(page.locator("#office-answer")).to_contain_text("5 ngày làm việc")
    citizen.step(page, "cap-lai-the-da-duyet")
    page.goto(base + "/ca-nhan/the-bhyt/")
    today = dt.date.today().strftime("%d/%m/%Y")
    expect(page.locator("#card-issued")).to_contain_text(today)
    citizen.step(page, "the-bhyt-cap-lai")
    req = ServiceRequest.objects.get(reference_code=code)
    card = HealthInsuranceCard.objects.get(person=req.person)
    assert req.status == "approved" and card.card_number == req.outcome["card_number"]
    sms = Message.objects.get(template="service_request_approved", channel="sms")
    assert code in sms.text and "Nguyễn" not in sms.text
