"""Unpublished (or unanswered) questions never appear publicly: list, detail, assistant."""

import pytest

from support.assistant import assistant_answer
from support.services import (
    question_answer,
    question_publish,
    question_submit,
    question_unpublish,
)

pytestmark = pytest.mark.django_db

SECRET = "Hưu trí zebraquokka ở phường Tân Định"


@pytest.fixture
def answered(topic, clerk, sent_messages):
    question = question_submit(
        name="Lê Văn Cường", phone="+84912345678", email="", topic=topic, text=SECRET
    )
    return question_answer(
        question_id=question.pk, staff=clerk, answer="Trả lời zebraquokka riêng cho ông Cường"
    )


def test_answered_but_unpublished_question_is_not_public(client, answered):
    assert "zebraquokka" not in client.get("/hoi-dap/cau-hoi-da-tra-loi/").content.decode()
    searched = client.get("/hoi-dap/cau-hoi-da-tra-loi/", {"q": "zebraquokka"}).content.decode()
    assert "Chưa có câu hỏi nào phù hợp." in searched
    assert SECRET not in searched and "riêng cho ông" not in searched
    assert client.get(f"/hoi-dap/cau-hoi-da-tra-loi/{answered.pk}/").status_code == 404
    reply = assistant_answer(question="zebraquokka")
    assert not reply.confident and reply.related == []


def test_unpublishing_removes_it_from_list_detail_and_assistant(client, answered, clerk):
    question_publish(
        question_id=answered.pk,
        staff=clerk,
        public_question="Câu hỏi về zebraquokka",
        public_answer="Câu trả lời về zebraquokka",
    )
    assert "zebraquokka" in client.get("/hoi-dap/cau-hoi-da-tra-loi/").content.decode()
    assert assistant_answer(question="zebraquokka").source.pk == answered.pk

    question_unpublish(question_id=answered.pk, staff=clerk)
    assert "zebraquokka" not in client.get("/hoi-dap/cau-hoi-da-tra-loi/").content.decode()
    assert client.get(f"/hoi-dap/cau-hoi-da-tra-loi/{answered.pk}/").status_code == 404
    reply = assistant_answer(question="zebraquokka")
    assert not reply.confident and reply.related == []
    data = client.post("/hoi-dap/tro-ly/hoi.json", {"q": "zebraquokka"}).json()
    assert data["confident"] is False and data["answer"] is None and data["related"] == []


def test_the_public_text_never_includes_the_senders_own_words(client, answered, clerk):
    question_publish(
        question_id=answered.pk,
        staff=clerk,
        public_question="Câu hỏi đã bỏ thông tin cá nhân",
        public_answer="Trả lời chung",
    )
    html = client.get(f"/hoi-dap/cau-hoi-da-tra-loi/{answered.pk}/").content.decode()
    assert "Tân Định" not in html and "Lê Văn Cường" not in html and "+84912345678" not in html
