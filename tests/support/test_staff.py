from django.core.files.base import ContentFile

import pytest

from support.models import Question
from support.services import question_answer, question_publish, question_submit
from tests.support.conftest import image_bytes, make_staff

pytestmark = pytest.mark.django_db


def ask(topic, office=None, text="Tôi bị khóa tài khoản, số CCCD 079090001234", **kw):
    return question_submit(
        name="Trần Thị Bình",
        phone="+84912345678",
        email="",
        topic=topic,
        office=office,
        text=text,
        **kw,
    )


def test_clerk_sees_own_office_and_unassigned_questions_only(client, clerk, offices, topic):
    mine = ask(topic, offices["quan4"], text="Câu hỏi cho Quận 4")
    unassigned = ask(topic, None, text="Câu hỏi chưa chọn cơ quan")
    other = ask(topic, offices["hanoi"], text="Câu hỏi cho Hà Nội")
    client.force_login(clerk)
    html = client.get("/can-bo/hoi-dap/").content.decode()
    assert mine.reference_code in html and unassigned.reference_code in html
    assert other.reference_code not in html
    assert client.get(f"/can-bo/hoi-dap/{other.pk}/").status_code == 404
    response = client.post(f"/can-bo/hoi-dap/{other.pk}/", {"action": "answer", "answer": "x"})
    assert response.status_code == 404
    assert Question.objects.get(pk=other.pk).status == Question.Status.NEW


def test_province_clerk_with_child_offices_sees_district_questions(client, offices, topic):
    city_clerk = make_staff("canbo.hcm", offices["city"], includes_child_offices=True)
    district_question = ask(topic, offices["quan4"])
    client.force_login(city_clerk)
    assert district_question.reference_code in client.get("/can-bo/hoi-dap/").content.decode()


def test_citizens_anonymous_and_staff_without_office_are_kept_out(client, offices, topic):
    from accounts.models import User

    question = ask(topic)
    assert client.get("/can-bo/hoi-dap/").status_code == 302  # to sign-in
    client.force_login(User.objects.create_user("7901234567", password="x"))
    assert client.get("/can-bo/hoi-dap/").status_code == 403
    client.force_login(make_staff("no.office", None))
    assert client.get(f"/can-bo/hoi-dap/{question.pk}/").status_code == 403


def test_list_filters_by_status_topic_and_search_and_paginates(client, clerk, topic):
    from support.models import Topic

    other_topic = Topic.objects.get(slug="the-bhyt")
    for i in range(30):
        ask(topic, text=f"Câu hỏi số {i} về mật khẩu")
    answered = ask(other_topic, text="Thẻ BHYT của tôi ở đâu")
    client.force_login(clerk)
    page1 = client.get("/can-bo/hoi-dap/").content.decode()
    assert "31 câu hỏi" in page1 and "Trang 1 / 2" in page1
    found = client.get("/can-bo/hoi-dap/", {"q": answered.reference_code}).content.decode()
    assert "1 câu hỏi" in found
    by_topic = client.get("/can-bo/hoi-dap/", {"chu-de": "the-bhyt"}).content.decode()
    assert answered.reference_code in by_topic and "1 câu hỏi" in by_topic


def test_double_answer_keeps_the_first_and_tells_the_clerk(client, clerk, topic, sent_messages):
    question = ask(topic)
    client.force_login(clerk)
    client.post(f"/can-bo/hoi-dap/{question.pk}/", {"action": "answer", "answer": "Lần một"})
    response = client.post(
        f"/can-bo/hoi-dap/{question.pk}/", {"action": "answer", "answer": "Lần hai"}, follow=True
    )
    html = response.content.decode()
    question.refresh_from_db()
    assert question.answer == "Lần một"
    assert len(sent_messages) == 1
    assert "Câu hỏi này đã được trả lời" in html


def test_empty_answer_is_a_clear_error(client, clerk, topic, sent_messages):
    question = ask(topic)
    client.force_login(clerk)
    html = client.post(
        f"/can-bo/hoi-dap/{question.pk}/", {"action": "answer", "answer": "  "}
    ).content.decode()
    assert 'id="id_answer_error"' in html
    assert sent_messages == []


def test_attachment_is_served_only_to_staff_who_may_see_the_question(
    client, clerk, hanoi_clerk, offices, topic
):
    question = ask(topic, offices["quan4"], attachment=ContentFile(image_bytes(), name="x.jpg"))
    url = f"/can-bo/hoi-dap/{question.pk}/anh-dinh-kem/"
    assert client.get(url).status_code == 302
    client.force_login(hanoi_clerk)
    assert client.get(url).status_code == 404
    client.force_login(clerk)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert {"private", "no-store"} <= {v.strip() for v in response["Cache-Control"].split(",")}
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_publishing_shows_the_edited_text_and_audits_it(client, clerk, topic, sent_messages):
    question = ask(topic)
    question_answer(question_id=question.pk, staff=clerk, answer="Liên hệ BHXH Quận 4 để mở khóa.")
    client.force_login(clerk)
    page = client.get(f"/can-bo/hoi-dap/{question.pk}/").content.decode()
    assert "079090001234" in page  # the form starts from the original for editing
    client.post(
        f"/can-bo/hoi-dap/{question.pk}/",
        {
            "action": "publish",
            "public_question": "Tài khoản bị khóa thì làm sao?",
            "public_answer": "Liên hệ cơ quan BHXH để mở khóa.",
        },
    )
    question.refresh_from_db()
    assert question.is_published
    assert list(question.events.values_list("action", flat=True)) == ["answered", "published"]
    client.logout()
    public = client.get("/hoi-dap/cau-hoi-da-tra-loi/").content.decode()
    assert "Tài khoản bị khóa thì làm sao?" in public
    detail = client.get(question.get_absolute_url()).content.decode()
    assert "Liên hệ cơ quan BHXH để mở khóa." in detail
    assert "079090001234" not in detail and "Trần Thị Bình" not in detail


def test_an_unanswered_question_cannot_be_published(clerk, topic):
    from django.core.exceptions import ValidationError

    question = ask(topic)
    with pytest.raises(ValidationError, match="Chỉ công khai được câu hỏi đã trả lời."):
        question_publish(
            question_id=question.pk, staff=clerk, public_question="Q", public_answer="A"
        )
