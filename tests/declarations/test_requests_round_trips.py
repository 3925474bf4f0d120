"""Each request kind end to end on the web: the citizen files it, the office's
clerk finds it in the queue, checks it, sends it back or decides, the registry
changes (or the answer is shown) and the citizen is told."""

import datetime as dt

from django.core.cache import cache

import pytest
import time_machine

from declarations.requests.models import ServiceRequest, ServiceRequestEvent
from declarations.requests.services import service_requests_apply_due
from insurance.models import HealthInsuranceCard, Person
from notifications.models import Message

from .helpers import image_upload
from .request_fixtures import *  # noqa: F403
from .request_fixtures import file_request, request_data
from .staff_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def staff(client, clerk, code: str, action: str, **data):
    client.force_login(clerk)
    return client.post(f"/can-bo/yeu-cau/{code}/", {"action": action, **data})


def sms(template: str) -> Message:
    return Message.objects.filter(template=template, channel="sms").latest("pk")


def test_card_reissue_round_trip_keeps_the_number_and_issues_it_today(
    client, an, an_card, clerk_q4, settings, django_capture_on_commit_callbacks
):
    settings.RECORDS_CACHE_SECONDS = 300
    cache.clear()
    client.force_login(an)
    card_page = client.get("/ca-nhan/the-bhyt/").content.decode()
    assert "20/12/2025" in card_page
    req = file_request(client, "cap-lai-the", request_data("cap-lai-the"), photo=False)
    assert req.kind == "card_reissue" and req.status == "submitted"
    assert req.office.code == "07914" and req.filed_by == an
    assert req.acknowledge_due_at is not None
    assert req.payload == {
        "reason": "lost",
        "delivery": "at_office",
        "address": "",
        "note": "Mất ví ngày 01/12",
    }
    submitted = sms("service_request_submitted")
    assert submitted.recipient == "+84912345678" and req.reference_code in submitted.text
    detail = client.get(f"/ca-nhan/yeu-cau/{req.reference_code}/").content.decode()
    assert "Cấp lại thẻ BHYT" in detail and "Mất thẻ" in detail and "Hạn tiếp nhận" in detail

    # The clerk of Quận 4 finds it in the queue, checks, approves.
    clerk = client
    clerk.force_login(clerk_q4)
    queue = clerk.get("/can-bo/yeu-cau/").content.decode()
    assert req.reference_code in queue and "Cấp lại thẻ BHYT" in queue
    page = clerk.get(f"/can-bo/yeu-cau/{req.reference_code}/").content.decode()
    assert "Đã kiểm tra giấy tờ" in page and an_card.card_number in page
    assert staff(clerk, clerk_q4, req.reference_code, "check").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = staff(
            clerk, clerk_q4, req.reference_code, "approve", answer="Nhận thẻ sau 5 ngày."
        )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "approved" and req.answer == "Nhận thẻ sau 5 ngày."

    today = dt.date.today()
    card = HealthInsuranceCard.objects.get(person=an_card.person)
    assert card.card_number == an_card.card_number  # the same number
    assert card.issued_on == today and card.issue_place == "BHXH Quận 4"
    assert (card.valid_from, card.valid_to, card.kcb_code) == (
        an_card.valid_from,
        an_card.valid_to,
        an_card.kcb_code,
    )
    assert req.outcome["replaced"]["issued_on"] == "2025-12-20"
    approved_event = ServiceRequestEvent.objects.get(service_request=req, action="approved")
    assert approved_event.detail["card_number"] == card.card_number
    assert approved_event.actor == clerk_q4

    approved = sms("service_request_approved")
    assert approved.text.startswith(f"BHXH: Yêu cầu {req.reference_code} đã được duyệt.")
    assert f"/ca-nhan/yeu-cau/{req.reference_code}/" in approved.text

    # The citizen sees the decision and, at once, the new issue date on the card.
    client.force_login(an)
    detail = client.get(f"/ca-nhan/yeu-cau/{req.reference_code}/").content.decode()
    assert "Đã duyệt" in detail and "Nhận thẻ sau 5 ngày." in detail
    assert f"cấp lại ngày {today:%d/%m/%Y}" in detail
    card_page = client.get("/ca-nhan/the-bhyt/").content.decode()
    assert f"{today:%d/%m/%Y}" in card_page and "20/12/2025" not in card_page


def test_card_reissue_by_post_needs_an_address_and_the_clerk_can_send_it_back(
    client, an, an_card, clerk_q4
):
    client.force_login(an)
    data = request_data("cap-lai-the", delivery="by_post", address="  ")
    response = client.post("/ca-nhan/yeu-cau/moi/cap-lai-the/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vui lòng nhập địa chỉ nhận thẻ qua bưu điện." in html
    assert "Mất ví ngày 01/12" in html  # what was typed is kept
    req = file_request(
        client, "cap-lai-the", request_data("cap-lai-the", delivery="by_post", address="5 Lê Lợi")
    )
    assert req.payload["address"] == "5 Lê Lợi"

    response = staff(
        client,
        clerk_q4,
        req.reference_code,
        "return",
        mark_address="on",
        reason_address="incomplete",
        note_address="Thiếu phường, quận",
        note="Bổ sung địa chỉ",
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "returned" and req.correction_fields() == ["address"]
    assert "cần bổ sung" in sms("service_request_returned").text

    client.force_login(an)
    detail = client.get(f"/ca-nhan/yeu-cau/{req.reference_code}/").content.decode()
    assert "Thiếu phường, quận" in detail and "Bổ sung" in detail
    page = client.get(f"/ca-nhan/yeu-cau/{req.reference_code}/bo-sung/").content.decode()
    assert 'name="address"' in page and 'name="reason"' not in page
    response = client.post(
        f"/ca-nhan/yeu-cau/{req.reference_code}/bo-sung/", {"address": "", "commitment": "on"}
    )
    assert response.status_code == 400
    response = client.post(
        f"/ca-nhan/yeu-cau/{req.reference_code}/bo-sung/",
        {"address": "5 Lê Lợi, Phường Bến Nghé, Quận 1", "commitment": "on"},
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "submitted" and req.correction_round == 1
    assert req.payload["address"] == "5 Lê Lợi, Phường Bến Nghé, Quận 1"
    assert req.payload["reason"] == "lost"  # the rest as first sent
    resubmitted = ServiceRequestEvent.objects.get(service_request=req, action="resubmitted")
    assert resubmitted.detail["changed"] == ["address"] and resubmitted.actor == an

    client.force_login(clerk_q4)
    history = client.get(f"/can-bo/yeu-cau/{req.reference_code}/").content.decode()
    assert "Đã sửa: Địa chỉ nhận thẻ" in history


def test_data_correction_needs_a_photo_and_approval_corrects_the_person(
    client, an, person, clerk_q4, private_storage, settings, django_capture_on_commit_callbacks
):
    settings.RECORDS_CACHE_SECONDS = 300
    cache.clear()
    client.force_login(an)
    assert "Xin chào, Nguyễn Văn An" in client.get("/ca-nhan/").content.decode()
    # No photo: refused, what was typed kept.
    response = client.post("/ca-nhan/yeu-cau/moi/sua-thong-tin/", request_data("sua-thong-tin"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vui lòng chọn ảnh giấy tờ." in html and "Nguyễn Văn Ân" in html
    # The same value as the registry is not a correction.
    response = client.post(
        "/ca-nhan/yeu-cau/moi/sua-thong-tin/",
        {**request_data("sua-thong-tin", full_name="Nguyễn  Văn An"), "attachment": image_upload()},
    )
    assert response.status_code == 400
    assert "Giống thông tin BHXH đang ghi" in response.content.decode()
    # The photo chosen then is kept: the corrected form goes through without it.
    response = client.post("/ca-nhan/yeu-cau/moi/sua-thong-tin/", request_data("sua-thong-tin"))
    assert response.status_code == 302
    confirm = client.get(response["Location"]).content.decode()
    assert "Nguyễn Văn Ân" in confirm and "16/05/1990" in confirm
    assert "/ca-nhan/yeu-cau/moi/sua-thong-tin/anh/" in confirm
    assert client.get("/ca-nhan/yeu-cau/moi/sua-thong-tin/anh/").status_code == 200
    response = client.post(response["Location"], {"commitment": "on"})
    assert response.status_code == 302
    req = ServiceRequest.objects.get(kind="data_correction")
    assert req.attachment and req.attachment.name.startswith("requests/")
    assert req.payload["wrong_fields"] == ["full_name", "date_of_birth"]
    assert req.payload["date_of_birth"] == "1990-05-16" and "id_number" not in req.payload

    client.force_login(clerk_q4)
    page = client.get(f"/can-bo/yeu-cau/{req.reference_code}/").content.decode()
    assert "Đề nghị sửa thành" in page and "Nguyễn Văn Ân" in page and "15/05/1990" in page
    staff(client, clerk_q4, req.reference_code, "check")
    with django_capture_on_commit_callbacks(execute=True):
        assert staff(client, clerk_q4, req.reference_code, "approve").status_code == 302
    person.refresh_from_db()
    an.refresh_from_db()
    assert person.full_name == "Nguyễn Văn Ân" and person.date_of_birth == dt.date(1990, 5, 16)
    assert an.full_name == "Nguyễn Văn Ân"
    event = ServiceRequestEvent.objects.get(service_request=req, action="approved")
    assert event.detail["changes"]["full_name"]["before"] == "Nguyễn Văn An"
    assert event.detail["changes"]["full_name"]["after"] == "Nguyễn Văn Ân"
    assert event.detail["changes"]["date_of_birth"] == {
        "label": "Ngày sinh đúng",
        "before": "1990-05-15",
        "after": "1990-05-16",
    }
    # The records pages, cached before, show the corrected name at once.
    client.force_login(an)
    assert "Xin chào, Nguyễn Văn Ân" in client.get("/ca-nhan/").content.decode()


def test_facility_change_lists_only_facilities_that_accept_and_applies_next_quarter(
    client, an, an_card, facilities, clerk_q4
):
    client.force_login(an)
    page = client.get("/ca-nhan/yeu-cau/moi/doi-noi-kcb/").content.decode()
    assert 'value="79022"' in page  # commune, accepts, same province
    assert 'value="79011"' not in page  # the current facility
    assert 'value="79001"' not in page  # central hospital: does not accept
    assert 'value="79033"' not in page  # no BHYT contract
    assert 'value="01005"' not in page  # another province
    response = client.post(
        "/ca-nhan/yeu-cau/moi/doi-noi-kcb/", request_data("doi-noi-kcb", facility_code="01005")
    )
    assert response.status_code == 400
    assert "không nhận đăng ký KCB ban đầu hoặc không thuộc tỉnh" in response.content.decode()

    with time_machine.travel(dt.datetime(2026, 5, 20, 9, 0), tick=False):
        req = file_request(client, "doi-noi-kcb", request_data("doi-noi-kcb"), photo=False)
        assert req.payload["facility_name"] == "Trạm y tế Phường 9 Quận 4"
        staff(client, clerk_q4, req.reference_code, "check")
        staff(client, clerk_q4, req.reference_code, "approve")
    req.refresh_from_db()
    assert req.status == "approved" and req.effective_on == dt.date(2026, 7, 1)
    assert req.outcome["previous_code"] == "79011"
    card = HealthInsuranceCard.objects.get(pk=an_card.pk)
    assert card.kcb_code == "79011"  # not before the quarter starts

    assert service_requests_apply_due(today=dt.date(2026, 6, 30)) == 0
    assert service_requests_apply_due(today=dt.date(2026, 7, 1)) == 1
    assert service_requests_apply_due(today=dt.date(2026, 7, 2)) == 0  # once
    card.refresh_from_db()
    assert (card.kcb_code, card.kcb_name) == ("79022", "Trạm y tế Phường 9 Quận 4")
    client.force_login(an)
    detail = client.get(f"/ca-nhan/yeu-cau/{req.reference_code}/").content.decode()
    assert "có hiệu lực từ ngày 01/07/2026" in detail and "Đã cập nhật trên thẻ BHYT" in detail


def test_contribution_report_is_answered_without_changing_the_registry(
    client, an, person, clerk_q4
):
    from tests.insurance.factories import PeriodFactory

    PeriodFactory(person=person, from_month=dt.date(2024, 1, 1), to_month=dt.date(2024, 12, 1))
    client.force_login(an)
    page = client.get(
        "/ca-nhan/yeu-cau/moi/bao-sai-qua-trinh/?thang=2024-05&thang=2024-03&van-de=owed"
    )
    html = page.content.decode()
    assert 'value="2024-03"' in html and 'value="2024-05"' in html
    assert (
        'value="owed" checked' in html
        or 'checked value="owed"' in html
        or ('value="owed"' in html and "checked" in html)
    )
    response = client.post(
        "/ca-nhan/yeu-cau/moi/bao-sai-qua-trinh/",
        request_data("bao-sai-qua-trinh", from_month="2024-06", to_month="2024-03"),
    )
    assert response.status_code == 400
    assert "“Đến tháng” phải sau hoặc trùng “Từ tháng”." in response.content.decode()
    req = file_request(client, "bao-sai-qua-trinh", request_data("bao-sai-qua-trinh"))
    assert req.payload["from_month"] == "2024-03" and req.attachment

    staff(client, clerk_q4, req.reference_code, "check")
    response = staff(client, clerk_q4, req.reference_code, "approve", answer="")
    assert response.status_code == 400
    assert "Vui lòng nhập trả lời cho người dân trước khi duyệt." in response.content.decode()
    req.refresh_from_db()
    assert req.status == "received"
    periods_before = list(person.periods.values_list("from_month", "to_month", "status"))
    answer = "Đã đề nghị Công ty Sao Việt đóng bổ sung 3 tháng trước 30/06."
    assert staff(client, clerk_q4, req.reference_code, "approve", answer=answer).status_code == 302
    req.refresh_from_db()
    assert req.status == "approved" and req.answer == answer
    assert list(person.periods.values_list("from_month", "to_month", "status")) == periods_before
    client.force_login(an)
    assert answer in client.get(f"/ca-nhan/yeu-cau/{req.reference_code}/").content.decode()


def test_a_rejection_reaches_the_citizen_with_its_reason(client, an, an_card, clerk_q4):
    client.force_login(an)
    req = file_request(client, "cap-lai-the", request_data("cap-lai-the"), photo=False)
    response = staff(client, clerk_q4, req.reference_code, "reject", reason="")
    assert response.status_code == 400
    reason = "Thẻ BHYT đã hết giá trị sử dụng; vui lòng gia hạn thẻ trước."
    staff(client, clerk_q4, req.reference_code, "reject", common_reason=reason)
    req.refresh_from_db()
    assert req.status == "rejected" and req.reject_reason == reason
    text = sms("service_request_rejected").text
    assert "không được duyệt" in text and reason not in text  # a pointer only
    client.force_login(an)
    assert reason in client.get(f"/ca-nhan/yeu-cau/{req.reference_code}/").content.decode()


def test_one_open_request_per_person_and_kind(client, an, an_card, clerk_q4):
    client.force_login(an)
    first = file_request(client, "cap-lai-the", request_data("cap-lai-the"), photo=False)
    page = client.get("/ca-nhan/yeu-cau/moi/cap-lai-the/").content.decode()
    assert first.reference_code in page and "đang xử lý" in page
    response = client.post("/ca-nhan/yeu-cau/moi/cap-lai-the/", request_data("cap-lai-the"))
    assert response.status_code == 400
    assert first.reference_code in response.content.decode()
    assert ServiceRequest.objects.count() == 1
    # Another kind is fine; once decided, a new one of the same kind too.
    file_request(client, "bao-sai-qua-trinh", request_data("bao-sai-qua-trinh"), photo=False)
    staff(client, clerk_q4, first.reference_code, "reject", reason="Thẻ đã được cấp lại hôm qua.")
    client.force_login(an)
    second = file_request(client, "cap-lai-the", request_data("cap-lai-the"), photo=False)
    assert second.pk != first.pk
    assert ServiceRequest.objects.filter(person=first.person).count() == 3


def test_a_double_click_on_send_files_one_request(client, an, an_card):
    client.force_login(an)
    client.post("/ca-nhan/yeu-cau/moi/cap-lai-the/", request_data("cap-lai-the"))
    first = client.post("/ca-nhan/yeu-cau/moi/cap-lai-the/xac-nhan/", {"commitment": "on"})
    second = client.post("/ca-nhan/yeu-cau/moi/cap-lai-the/xac-nhan/", {"commitment": "on"})
    assert first["Location"] == second["Location"]
    assert ServiceRequest.objects.count() == 1


def test_the_confirmation_needs_the_commitment_and_back_keeps_what_was_typed(client, an, an_card):
    client.force_login(an)
    client.post(
        "/ca-nhan/yeu-cau/moi/cap-lai-the/",
        request_data("cap-lai-the", delivery="by_post", address="99 Nguyễn Huệ"),
    )
    response = client.post("/ca-nhan/yeu-cau/moi/cap-lai-the/xac-nhan/", {})
    assert response.status_code == 400
    assert "Vui lòng đánh dấu ô cam kết để gửi yêu cầu." in response.content.decode()
    back = client.get("/ca-nhan/yeu-cau/moi/cap-lai-the/?sua=1").content.decode()
    assert 'value="99 Nguyễn Huệ"' in back
    assert ServiceRequest.objects.count() == 0


def test_a_guardian_files_for_a_child_and_the_child_person_is_concerned(
    client, an, offices, clerk_q4
):
    from accounts.models import User

    child_person = Person.objects.create(
        insurance_number="7912345670",
        full_name="Nguyễn Minh Khôi",
        date_of_birth=dt.date(2019, 3, 2),
        gender="M",
        office=offices.q4,
    )
    child = User.objects.create_user(child_person.insurance_number, guardian=an)
    HealthInsuranceCard.objects.create(
        person=child_person,
        card_number=child_person.insurance_number,
        group="TE",
        benefit_level=1,
        valid_from=dt.date(2026, 1, 1),
        kcb_code="79011",
        kcb_name="Trung tâm Y tế Quận 4",
    )
    client.force_login(an)
    page = client.get(f"/ca-nhan/yeu-cau/moi/cap-lai-the/?con={child.pk}").content.decode()
    assert "Nguyễn Minh Khôi" in page
    req = file_request(client, "cap-lai-the", request_data("cap-lai-the"), photo=False, child=child)
    assert req.person == child_person and req.filed_by == an
    assert sms("service_request_submitted").recipient == "+84912345678"
    # Not someone else's child.
    stranger = User.objects.create_user("7900000001")
    assert client.get(f"/ca-nhan/yeu-cau/moi/cap-lai-the/?con={stranger.pk}").status_code == 404


def test_the_list_has_an_empty_state_and_then_each_request_with_its_status(client, an, an_card):
    client.force_login(an)
    html = client.get("/ca-nhan/yeu-cau/").content.decode()
    assert "Bạn chưa gửi yêu cầu nào" in html
    for slug in ("cap-lai-the", "sua-thong-tin", "doi-noi-kcb", "bao-sai-qua-trinh"):
        assert f"/ca-nhan/yeu-cau/moi/{slug}/" in html
    req = file_request(client, "cap-lai-the", request_data("cap-lai-the"), photo=False)
    html = client.get("/ca-nhan/yeu-cau/").content.decode()
    assert req.reference_code in html and "Đã nộp" in html and "Hạn tiếp nhận" in html


def test_kinds_that_need_a_card_say_so_without_one(client, an):
    client.force_login(an)
    html = client.get("/ca-nhan/yeu-cau/moi/cap-lai-the/").content.decode()
    assert "Chưa có thông tin thẻ BHYT" in html and 'id="request-form"' not in html
    response = client.post("/ca-nhan/yeu-cau/moi/cap-lai-the/", request_data("cap-lai-the"))
    assert response.status_code == 400
    assert ServiceRequest.objects.count() == 0


def test_the_request_pages_read_in_english_too(client, an, an_card, clerk_q4):
    client.force_login(an)
    client.post("/i18n/setlang/", {"language": "en", "next": "/ca-nhan/yeu-cau/"})
    html = client.get("/ca-nhan/yeu-cau/").content.decode()
    assert "My requests" in html and "Reissue of the health insurance card" in html
    assert "You have not sent any request yet." in html
    form = client.get("/ca-nhan/yeu-cau/moi/cap-lai-the/").content.decode()
    assert "Reason for reissue" in form and "Card lost" in form and "Step 1/2" in form
    response = client.post("/ca-nhan/yeu-cau/moi/cap-lai-the/", {"delivery": "by_post"})
    assert "Please choose why the card must be reissued." in response.content.decode()
    req = file_request(client, "cap-lai-the", request_data("cap-lai-the"), photo=False)
    detail = client.get(f"/ca-nhan/yeu-cau/{req.reference_code}/").content.decode()
    assert "Request code" in detail and "Acknowledgement deadline" in detail
    client.force_login(clerk_q4)
    client.post("/i18n/setlang/", {"language": "en", "next": "/can-bo/yeu-cau/"})
    queue = client.get("/can-bo/yeu-cau/").content.decode()
    assert "Citizen requests" in queue and "1 request" in queue
