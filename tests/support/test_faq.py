import pytest

from support.models import FAQ, Topic

pytestmark = pytest.mark.django_db


def test_every_install_has_the_newcomer_faqs_grouped_by_topic(client):
    html = client.get("/hoi-dap/").content.decode()
    for question in [
        "VssID Portal là gì?",
        "Ai có thể sử dụng cổng này?",
        "Làm thế nào để đăng ký tài khoản giao dịch điện tử?",
        "Tôi đã đăng ký nhưng chưa nhận được tài khoản và mật khẩu, vì sao?",
        "Tìm mã số BHXH của tôi ở đâu?",
        "Một người được có mấy tài khoản?",
        "Vì sao tôi chỉ đăng nhập được trên một thiết bị?",
        "Nhập sai mật khẩu 5 lần thì sao?",
        "Quên mật khẩu thì làm thế nào?",
        "Cổng có những dịch vụ nào?",
        "Tôi có thể được hỗ trợ ở đâu?",
        "Mật khẩu ban đầu là gì và dùng thế nào?",
        "Vì sao phải đổi mật khẩu 6 tháng một lần?",
        "Đi khám bệnh có dùng thẻ BHYT điện tử được không?",
    ]:
        assert question in html
    assert html.index("Giới thiệu cổng") < html.index("Đăng nhập và mật khẩu")


def test_locked_account_answer_says_to_contact_the_office_or_hotline():
    answer = FAQ.objects.get(question="Nhập sai mật khẩu 5 lần thì sao?").answer
    assert "5 lần" in answer
    assert "bị khóa" in answer
    assert "cơ quan BHXH" in answer and "1900.9068" in answer


@pytest.mark.parametrize("query", ["mat khau", "MẬT KHẨU", "mật khẩu", "Mât khâu"])
def test_search_ignores_diacritics_and_case(client, query):
    response = client.get("/hoi-dap/", {"q": query})
    html = response.content.decode()
    assert "Quên mật khẩu thì làm thế nào?" in html
    assert "Ai có thể sử dụng cổng này?" not in html


def test_search_treats_d_stroke_as_d(client):
    html = client.get("/hoi-dap/", {"q": "dang nhap thiet bi"}).content.decode()
    assert "Vì sao tôi chỉ đăng nhập được trên một thiết bị?" in html


def test_search_with_no_match_offers_the_assistant_and_the_question_form(client):
    html = client.get("/hoi-dap/", {"q": "xyzzy"}).content.decode()
    assert "Không tìm thấy câu hỏi phù hợp." in html
    assert 'href="/hoi-dap/gui-cau-hoi/"' in html
    assert "/hoi-dap/tro-ly/?q=xyzzy" in html


def test_unpublished_faq_is_hidden_from_list_search_and_detail(client):
    faq = FAQ.objects.create(
        topic=Topic.objects.first(),
        question="Câu hỏi nháp chưa duyệt",
        answer="Nháp",
        published=False,
    )
    assert "Câu hỏi nháp" not in client.get("/hoi-dap/").content.decode()
    assert "Câu hỏi nháp" not in client.get("/hoi-dap/", {"q": "nhap"}).content.decode()
    assert client.get(f"/hoi-dap/cau-hoi/{faq.pk}/").status_code == 404


def test_faq_detail_page_shows_the_answer_as_escaped_paragraphs(client):
    faq = FAQ.objects.create(
        topic=Topic.objects.first(),
        question="Thử <b>đậm</b>?",
        answer="Đoạn một <script>alert(1)</script>\n\nĐoạn hai",
    )
    html = client.get(f"/hoi-dap/cau-hoi/{faq.pk}/").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html
    assert "<p>Đoạn hai</p>" in html


def test_search_column_follows_edits():
    faq = FAQ.objects.get(question="Quên mật khẩu thì làm thế nào?")
    faq.question = "Quên mật khẩu đăng nhập"
    faq.save(update_fields=["question"])
    faq.refresh_from_db()
    assert faq.search_text.startswith("quen mat khau dang nhap")


def test_every_help_page_shows_the_hotline_call_button_and_office_contacts(client):
    for url in [
        "/hoi-dap/",
        "/hoi-dap/tro-ly/",
        "/hoi-dap/gui-cau-hoi/",
        "/hoi-dap/tra-loi/",
        "/hoi-dap/cau-hoi-da-tra-loi/",
        "/hoi-dap/tin-tuc/",
        "/hoi-dap/chinh-sach/",
    ]:
        html = client.get(url).content.decode()
        assert "Gọi ngay" in html, url
        assert 'href="tel:19009068"' in html, url
        assert "1900.9068" in html, url
        assert 'href="/tra-cuu/co-quan-bhxh/"' in html, url
