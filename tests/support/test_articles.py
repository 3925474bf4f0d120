from datetime import timedelta

from django.utils import timezone

import pytest

from support.models import Article

pytestmark = pytest.mark.django_db


def test_seeded_news_and_policies_are_listed_in_their_own_sections(client):
    news = client.get("/hoi-dap/tin-tuc/").content.decode()
    policies = client.get("/hoi-dap/chinh-sach/").content.decode()
    assert "Ra mắt cổng giao dịch điện tử VssID Portal" in news
    assert "Dùng thẻ BHYT điện tử khi khám chữa bệnh" not in news
    assert "Dùng thẻ BHYT điện tử khi khám chữa bệnh" in policies


def test_drafts_are_not_listed_shown_or_in_the_feed(client):
    Article.objects.create(
        kind="news", title="Bản nháp bí mật", slug="ban-nhap", summary="s", body="b"
    )
    assert "Bản nháp bí mật" not in client.get("/hoi-dap/tin-tuc/").content.decode()
    assert client.get("/hoi-dap/tin-tuc/ban-nhap/").status_code == 404
    assert "Bản nháp bí mật" not in client.get("/hoi-dap/tin-tuc/atom.xml").content.decode()


def test_a_policy_is_not_reachable_under_the_news_address(client):
    assert client.get("/hoi-dap/tin-tuc/the-bhyt-dien-tu-khi-kham-chua-benh/").status_code == 404
    assert client.get("/hoi-dap/chinh-sach/the-bhyt-dien-tu-khi-kham-chua-benh/").status_code == 200


def test_article_body_is_plain_text_paragraphs_never_raw_html(client):
    Article.objects.create(
        kind="news",
        title="Thử",
        slug="thu",
        summary="Tóm tắt",
        body='Đoạn 1 <img src=x onerror="alert(1)">\n\nĐoạn 2',
        published=True,
        published_at=timezone.now(),
    )
    html = client.get("/hoi-dap/tin-tuc/thu/").content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<p>Đoạn 2</p>" in html


def test_atom_feed_lists_published_news_newest_first(client):
    Article.objects.create(
        kind="news",
        title="Tin mới nhất",
        slug="tin-moi",
        summary="Tóm tắt",
        body="Nội dung",
        published=True,
        published_at=timezone.now() + timedelta(minutes=1),
    )
    response = client.get("/hoi-dap/tin-tuc/atom.xml")
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert 'xmlns="http://www.w3.org/2005/Atom"' in body
    assert body.index("Tin mới nhất") < body.index("Ra mắt cổng giao dịch điện tử")
    assert "/hoi-dap/tin-tuc/tin-moi/" in body


def test_news_list_paginates(client):
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            kind="news",
            title=f"Tin {i}",
            slug=f"tin-{i}",
            summary="s",
            body="b",
            published=True,
            published_at=now - timedelta(hours=i),
        )
        for i in range(25)
    )
    page2 = client.get("/hoi-dap/tin-tuc/", {"trang": 2}).content.decode()
    assert "Trang 2 / 2" in page2


def test_admin_edits_faq_and_articles_with_plain_textareas(admin_client):
    assert admin_client.get("/admin/support/faq/?q=mat+khau").status_code == 200
    html = admin_client.get("/admin/support/article/add/").content.decode()
    assert '<textarea name="body"' in html
    listing = admin_client.get("/admin/support/faq/", {"q": "mat khau"}).content.decode()
    assert "Quên mật khẩu thì làm thế nào?" in listing
