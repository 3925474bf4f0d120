"""The help assistant: evaluation on paraphrased questions, and its pages."""

import pytest

from support.assistant import assistant_answer
from support.content import FAQS
from support.models import FAQ

pytestmark = pytest.mark.django_db

# (question as a citizen might type it, key of the FAQ that answers it).
# Paraphrases: none copies the FAQ's own wording; some have no diacritics,
# abbreviations or typos, as typed on a phone.
PARAPHRASES = [
    ("trang web này dùng để làm gì vậy", "portal"),
    ("vssid portal la cai gi", "portal"),
    ("người nào được phép dùng cổng giao dịch này", "who"),
    ("con tôi chưa có căn cước thì có dùng được không", "who"),
    ("trên cổng làm được những việc gì", "services"),
    ("muốn tạo tài khoản thì đăng ký như thế nào", "register"),
    ("dang ky tai khoan giao dich dien tu o dau", "register"),
    ("nộp tờ khai rồi mà chưa thấy tin nhắn gửi tài khoản", "no_account"),
    ("đăng ký xong không nhận được mật khẩu qua sms", "no_account"),
    ("số sổ bhxh của tôi xem ở đâu", "find_number"),
    ("không biết mã số bảo hiểm xã hội của mình", "find_number"),
    ("tôi có thể tạo hai tài khoản không", "one_account"),
    ("mk mặc định gửi về điện thoại dùng thế nào", "initial_password"),
    ("mật khẩu khởi tạo hết hạn 30 ngày", "initial_password"),
    ("đăng nhập trên điện thoại mới thì máy cũ bị thoát ra", "one_device"),
    ("sao không login được cùng lúc 2 máy", "one_device"),
    ("gõ sai pass nhiều lần bị khóa tài khoản", "locked"),
    ("tai khoan bi khoa phai lam sao", "locked"),
    ("tôi quên mật khẩu vssid", "forgot_password"),
    ("lay lai mat khau nhu the nao", "forgot_password"),
    ("tại sao cứ 6 tháng lại bắt đổi mật khẩu", "password_rotation"),
    ("muốn thay số điện thoại đăng ký tài khoản", "change_contact"),
    ("đổi email của tài khoản", "change_contact"),
    ("đi khám bệnh chỉ cần đưa thẻ bhyt trên điện thoại được không", "ecard"),
    ("the bhyt dien tu co thay the giay duoc khong", "ecard"),
    ("thời điểm đủ 5 năm liên tục có phải thẻ hết hạn", "five_years"),
    ("số thẻ bảo hiểm y tế khác mã số bhxh chỗ nào", "card_number"),
    ("số tổng đài hỗ trợ là bao nhiêu", "help"),
    ("gọi hotline nào để được giúp đỡ", "help"),
    ("đã gửi câu hỏi thì xem trả lời ở đâu", "read_answer"),
]

UNRELATED = [
    "giá vàng hôm nay bao nhiêu",
    "cách nấu phở bò ngon",
    "thời tiết Hà Nội ngày mai thế nào",
    "kết quả bóng đá tối qua",
    "mua vé máy bay đi Đà Nẵng",
    "xin chào",
    "học lập trình python ở đâu",
]

FAQ_QUESTION = {key: question for key, _topic, question, _answer in FAQS}


def evaluate() -> tuple[float, float, list]:
    misses = []
    right = 0
    for question, key in PARAPHRASES:
        reply = assistant_answer(question=question)
        got = reply.source.title if reply.confident and reply.source else None
        if got == FAQ_QUESTION[key]:
            right += 1
        else:
            misses.append((question, key, got, round(reply.coverage, 2)))
    declined = 0
    for question in UNRELATED:
        reply = assistant_answer(question=question)
        if not reply.confident:
            declined += 1
        else:
            misses.append((question, None, reply.source.title, round(reply.coverage, 2)))
    return right / len(PARAPHRASES), declined / len(UNRELATED), misses


def test_assistant_answers_paraphrases_and_declines_unrelated_questions(capsys):
    """Top-1 accuracy on the paraphrases, and unrelated questions all declined."""
    assert len(PARAPHRASES) >= 20 and len(UNRELATED) >= 5
    accuracy, declined, misses = evaluate()
    with capsys.disabled():
        print(
            f"\nassistant evaluation: {accuracy:.0%} of {len(PARAPHRASES)} paraphrases right, "
            f"{declined:.0%} of {len(UNRELATED)} unrelated declined; misses: {misses}"
        )
    assert accuracy >= 0.9, misses
    assert declined == 1.0, misses


def test_answer_links_to_its_source_faq():
    reply = assistant_answer(question="quên mật khẩu")
    faq = FAQ.objects.get(question="Quên mật khẩu thì làm thế nào?")
    assert reply.confident and reply.source.url == f"/hoi-dap/cau-hoi/{faq.pk}/"


def test_plain_form_post_works_without_javascript(client):
    html = client.post("/hoi-dap/tro-ly/", {"q": "tai khoan bi khoa"}).content.decode()
    assert "Nhập sai mật khẩu 5 lần thì sao?" in html
    assert "Xem nguồn câu trả lời" in html
    faq = FAQ.objects.get(question="Nhập sai mật khẩu 5 lần thì sao?")
    assert f'href="/hoi-dap/cau-hoi/{faq.pk}/"' in html


def test_unsure_reply_offers_the_question_form_and_the_hotline(client):
    html = client.post("/hoi-dap/tro-ly/", {"q": "giá vàng hôm nay"}).content.decode()
    assert "tôi chưa chắc chắn" in html
    assert 'href="/hoi-dap/gui-cau-hoi/"' in html
    assert 'href="tel:19009068"' in html


def test_json_endpoint_returns_the_answer_and_its_source(client):
    data = client.post("/hoi-dap/tro-ly/hoi.json", {"q": "quen mat khau"}).json()
    assert data["confident"] is True
    assert data["source"]["title"] == "Quên mật khẩu thì làm thế nào?"
    assert data["source"]["url"].startswith("/hoi-dap/cau-hoi/")
    assert "Quên mật khẩu" in data["answer"]


def test_json_endpoint_rejects_an_empty_question_with_a_field_error(client):
    response = client.post("/hoi-dap/tro-ly/hoi.json", {"q": ""})
    assert response.status_code == 400
    assert list(response.json()) == ["q"]


def test_json_endpoint_is_rate_limited(client):
    for _i in range(30):
        client.post("/hoi-dap/tro-ly/hoi.json", {"q": "mat khau"})
    response = client.post("/hoi-dap/tro-ly/hoi.json", {"q": "mat khau"})
    assert response.status_code == 429
    assert "Retry-After" in response and "detail" in response.json()


def test_json_endpoint_needs_the_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/hoi-dap/tro-ly/hoi.json", {"q": "mat khau"}).status_code == 403
