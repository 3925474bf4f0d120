import re

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from support.models import Question, QuestionEvent
from support.services import question_answer, question_submit
from tests.conftest import captcha_post_data
from tests.support.conftest import image_bytes

pytestmark = pytest.mark.django_db


def question_data(topic, **overrides) -> dict:
    data = {
        "name": "Nguyễn Văn An",
        "phone": "0912 345 678",
        "email": "",
        "topic": topic.pk,
        "office": "",
        "text": "Tôi đã nộp tờ khai ở BHXH Quận 4 một tuần mà chưa nhận được mật khẩu.",
        **captcha_post_data(),
    }
    data.update(overrides)
    return data


def send(client, topic, **overrides):
    return client.post("/hoi-dap/gui-cau-hoi/", question_data(topic, **overrides))


def test_question_round_trip_send_answer_notify_and_read(
    client, captcha_code, topic, clerk, offices, sent_messages, django_capture_on_commit_callbacks
):
    """A citizen asks, a clerk answers, the citizen is told and reads it by code."""
    response = send(client, topic, office=offices["quan4"].pk, email="an@example.vn")
    assert response.status_code == 302
    sent_page = client.get(response["Location"]).content.decode()
    code = re.search(r"HD-\d{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", sent_page).group(0)
    question = Question.objects.get(reference_code=code)
    assert question.phone == "+84912345678"
    assert question.status == Question.Status.NEW

    client.force_login(clerk)
    page = client.get(f"/can-bo/hoi-dap/{question.pk}/").content.decode()
    assert "Tôi đã nộp tờ khai" in page
    client.post(
        f"/can-bo/hoi-dap/{question.pk}/",
        {
            "action": "answer",
            "answer": "Hồ sơ của bạn đã được duyệt hôm nay, vui lòng kiểm tra SMS.",
        },
    )
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    assert question.answered_by == clerk and question.answered_at is not None
    assert list(question.events.values_list("action", "actor")) == [("answered", clerk.pk)]

    assert [(m["channel"], m["recipient"]) for m in sent_messages] == [
        ("sms", "+84912345678"),
        ("email", "an@example.vn"),
    ]
    for message in sent_messages:
        assert message["template"] == "question_answered"
        assert message["about"] == question
        assert message["context"]["reference_code"] == code
        assert message["context"]["answer_url"].endswith(f"/hoi-dap/tra-loi/?ma={code}")

    client.logout()
    response = client.post("/hoi-dap/tra-loi/", {"code": code.lower(), "contact": "0912345678"})
    html = response.content.decode()
    assert "Hồ sơ của bạn đã được duyệt hôm nay" in html
    response = client.post("/hoi-dap/tra-loi/", {"code": code, "contact": "AN@example.vn"})
    assert "Hồ sơ của bạn đã được duyệt hôm nay" in response.content.decode()


def test_answer_rolls_back_when_the_notification_cannot_be_queued(clerk, topic, monkeypatch):
    question = question_submit(name="A", phone="+84912345678", email="", topic=topic, text="Hỏi")

    def broken(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr("support.services.message_queue_for_answer", broken)
    with pytest.raises(RuntimeError):
        question_answer(question_id=question.pk, staff=clerk, answer="Trả lời")
    question.refresh_from_db()
    assert question.status == Question.Status.NEW and question.answer == ""
    assert not QuestionEvent.objects.exists()


def test_answer_reader_gives_one_message_for_wrong_code_and_wrong_contact(
    client, captcha_code, topic
):
    question = question_submit(
        name="A", phone="+84912345678", email="", topic=topic, text="Câu hỏi bí mật"
    )
    wrong_contact = client.post(
        "/hoi-dap/tra-loi/", {"code": question.reference_code, "contact": "0987654321"}
    ).content.decode()
    wrong_code = client.post(
        "/hoi-dap/tra-loi/", {"code": "HD-2026-AAAA-AAAA", "contact": "0912345678"}
    ).content.decode()
    message = "Không tìm thấy câu hỏi với mã và thông tin liên hệ này."
    assert message in wrong_contact and message in wrong_code
    assert "Câu hỏi bí mật" not in wrong_contact
    assert 'value="0987654321"' in wrong_contact  # what was typed is kept


def test_unanswered_question_read_by_its_sender_says_it_is_waiting(client, topic):
    question = question_submit(name="A", phone="", email="a@example.vn", topic=topic, text="Hỏi")
    html = client.post(
        "/hoi-dap/tra-loi/", {"code": question.reference_code, "contact": "a@example.vn"}
    ).content.decode()
    assert "Câu hỏi đang chờ cán bộ BHXH trả lời." in html


def test_answer_reading_is_rate_limited_per_ip(client, topic):
    for _i in range(10):
        client.post("/hoi-dap/tra-loi/", {"code": "HD-2026-AAAA-AAAA", "contact": "0912345678"})
    response = client.post(
        "/hoi-dap/tra-loi/", {"code": "HD-2026-AAAA-AAAA", "contact": "0912345678"}
    )
    assert response.status_code == 429
    assert "Retry-After" in response


def test_question_needs_a_phone_or_an_email(client, captcha_code, topic):
    response = send(client, topic, phone="", email="")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Vui lòng nhập số điện thoại hoặc địa chỉ thư điện tử để nhận trả lời." in html
    assert "Tôi đã nộp tờ khai ở BHXH Quận 4" in html  # kept
    assert not Question.objects.exists()


def test_bad_phone_is_an_error_next_to_the_field(client, captcha_code, topic):
    html = send(client, topic, phone="12345").content.decode()
    assert 'id="id_phone_error"' in html
    assert not Question.objects.exists()


def test_wrong_captcha_refuses_the_question(client, captcha_code, topic):
    response = send(client, topic, captcha_1="ZZZZ")
    assert "Mã kiểm tra không đúng hoặc đã hết hạn." in response.content.decode()
    assert not Question.objects.exists()


def test_replayed_captcha_is_refused(client, captcha_code, topic):
    captcha = captcha_post_data()
    assert send(client, topic, **captcha).status_code == 302
    response = send(client, topic, **captcha)
    assert "Mã kiểm tra không đúng hoặc đã hết hạn." in response.content.decode()
    assert Question.objects.count() == 1


def test_sending_questions_is_rate_limited_per_ip(client, captcha_code, topic):
    for _i in range(5):
        assert send(client, topic).status_code == 302
    response = send(client, topic)
    assert response.status_code == 429
    assert "Bạn đã thao tác quá nhiều lần" in response.content.decode()
    assert Question.objects.count() == 5


def test_reference_codes_are_unguessable_and_unique(topic):
    codes = {
        question_submit(
            name="A", phone="+84912345678", email="", topic=topic, text="x"
        ).reference_code
        for _i in range(30)
    }
    assert len(codes) == 30
    assert all(re.fullmatch(r"HD-\d{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code) for code in codes)


def test_attachment_is_reencoded_and_stored_under_a_random_name(client, captcha_code, topic):
    upload = SimpleUploadedFile("../../etc/passwd.jpg", image_bytes(), content_type="image/jpeg")
    assert send(client, topic, attachment=upload).status_code == 302
    question = Question.objects.get()
    assert re.fullmatch(
        r"support/questions/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", question.attachment.name
    )


def test_a_pdf_renamed_to_jpg_is_refused_with_a_clear_error(client, captcha_code, topic):
    upload = SimpleUploadedFile(
        "giay-to.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF", content_type="image/jpeg"
    )
    html = send(client, topic, attachment=upload).content.decode()
    assert "Chỉ nhận ảnh JPEG, PNG, HEIC." in html
    assert not Question.objects.exists()


def test_the_captcha_failure_is_shown_even_with_a_bad_attachment(client, captcha_code, topic):
    upload = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    html = send(client, topic, attachment=upload, captcha_1="ZZZZ").content.decode()
    assert "Mã kiểm tra không đúng" in html and "không phải là ảnh hợp lệ" in html
