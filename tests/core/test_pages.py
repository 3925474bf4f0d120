from django.urls import reverse

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_speaks_vietnamese_and_shows_the_navigation(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    for item in ["Trang chủ", "Đăng ký", "Đăng nhập", "Tra cứu", "Hỏi đáp"]:
        assert f">{item}</a>" in html
    assert "1900.9068" in html
    assert 'href="tel:19009068"' in html


def test_language_switch_turns_the_page_into_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Social insurance services, right on your phone" in html
    assert ">Sign in</a>" in html
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Giao dịch bảo hiểm xã hội" in client.get("/").content.decode()


def test_the_fixed_text_kept_per_language_follows_the_language(client, settings):
    """The home page and footer text are kept per language (template_fragments)."""
    for _round in range(2):
        vi = client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
        en = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Bạn có thể làm gì?" in vi and "Tổng đài hỗ trợ" in vi
        assert "What can you do here?" in en and "Hotline" in en
        assert "Bạn có thể làm gì?" not in en and "Tổng đài hỗ trợ" not in en
    settings.HOTLINE, settings.HOTLINE_TEL = "1900.1234", "19001234"
    assert 'href="tel:19001234"' in client.get("/").content.decode()


def test_security_headers_are_sent(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_unknown_page_shows_a_vietnamese_404(client, settings):
    settings.DEBUG = False
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_unknown_api_url_answers_json_not_a_web_page(client, settings):
    """An API client asking for a malformed id (``children/null/card``) gets JSON it can parse."""
    settings.DEBUG = False
    response = client.get("/api/v1/me/children/null,null/card")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def _failing(exception):
    def view(*args, **kwargs):
        raise exception

    return view


def test_database_outage_is_a_vietnamese_503_page_not_a_500(monkeypatch):
    """NTF-08 (the page; tests/declarations/test_database_restart.py restarts a real server)."""
    from django.db import OperationalError
    from django.test import Client

    monkeypatch.setattr(
        "vssid_portal.views.HomeView.get",
        _failing(OperationalError("server closed the connection")),
    )
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "<h1>Hệ thống tạm thời gián đoạn</h1>" in html
    assert "1900.9068" in html
    assert "server closed" not in html


def test_database_outage_under_api_is_json_503_and_other_errors_stay_500(monkeypatch):
    from django.db import InterfaceError
    from django.test import Client

    client = Client(raise_request_exception=False)
    monkeypatch.setattr(
        "lookup.selectors.office_search", _failing(InterfaceError("connection already closed"))
    )
    response = client.get("/api/v1/lookup/offices/")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == "30"

    monkeypatch.setattr("lookup.selectors.office_search", _failing(RuntimeError("bug")))
    response = client.get("/api/v1/lookup/offices/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Hệ thống đang gặp sự cố.", "code": "server_error"}
    monkeypatch.setattr("vssid_portal.views.HomeView.get", _failing(RuntimeError("bug")))
    response = client.get("/")
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in response.content.decode()
    assert "Retry-After" not in response


def test_bare_view_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert response.content == b"ok"


def test_api_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"VssID Portal API" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()
