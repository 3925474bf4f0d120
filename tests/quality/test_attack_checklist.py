"""The attack checklist's gaps (reference/security.md, docs/attack-checklist.md).

Most items are tested in the app folders; docs/attack-checklist.md maps every
ID to its test. This module holds what no app test covered: the IDOR matrix
over every parameterised route (ACL-01), injection strings in every search
field and the sign-in form (VAL-01), the ``?next=`` redirect (VAL-05),
storage paths not being served (UPL-06) and JSON errors from the API (LOG-03).
"""

import re

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import pytest

from accounts.models import StaffProfile, User
from lookup.models import Office, Province

pytestmark = pytest.mark.django_db

# Every route with a parameter, outside /admin/, and who may see what is
# behind it. A new parameterised route fails
# ``test_every_parameterised_route_is_in_the_matrix`` until it is added here.
PUBLIC = {
    # Reference data and published help: the same for everyone.
    "ma-kiem-tra/<str:key>.png": "a captcha image, served once per random key",
    "api/v1/lookup/offices/<str:code>/": "public reference data",
    "api/v1/lookup/facilities/<str:code>/": "public reference data",
    "api/v1/lookup/employers/<str:code>/": "public reference data",
    "api/v1/lookup/collection-points/<str:code>/": "public reference data",
    "hoi-dap/cau-hoi/<int:pk>/": "published FAQ (drafts 404: support/test_faq.py)",
    "hoi-dap/cau-hoi-da-tra-loi/<int:pk>/": "published answers (support/test_public_answers.py)",
    "hoi-dap/tin-tuc/<slug:slug>/": "published news (drafts 404: support/test_articles.py)",
    "hoi-dap/chinh-sach/<slug:slug>/": "published policy (support/test_articles.py)",
    # Verification by check code: public by design (a third party holds the
    # paper); a code has ~59 random bits, the answer is masked, lookups and
    # misses are limited per IP (insurance/test_verification.py).
    "xac-thuc/<str:code>/": "masked summary of an issued document (insurance/test_verification.py)",
    "api/v1/documents/<str:code>/": "the same as JSON (insurance/test_verification.py)",
}
# Private: (a sample path, the app test that walks owner / other citizen /
# clerk of the office / other-office clerk / admin for it).
PRIVATE = {
    "can-bo/tai-khoan/<str:username>/mo-khoa/": (
        "/can-bo/tai-khoan/7901234567/mo-khoa/",
        "accounts/test_unlock.py",
    ),
    "can-bo/tai-khoan/<str:username>/cap-lai-mat-khau/": (
        "/can-bo/tai-khoan/7901234567/cap-lai-mat-khau/",
        "accounts/test_unlock.py",
    ),
    "can-bo/hoi-dap/<int:pk>/": ("/can-bo/hoi-dap/1/", "support/test_staff.py"),
    "khong-phai-toi/<str:token>/": (
        "/khong-phai-toi/FORGED/",
        "accounts/test_contact_cooling_off.py",
    ),
    "api/v1/me/passkeys/<int:pk>/": (
        "/api/v1/me/passkeys/1/",
        "accounts/test_passkeys.py",
    ),
    "ca-nhan/tai-khoan/khoa-dang-nhap/<int:pk>/xoa/": (
        "/ca-nhan/tai-khoan/khoa-dang-nhap/1/xoa/",
        "accounts/test_passkeys.py",
    ),
    "can-bo/hoi-dap/<int:pk>/anh-dinh-kem/": (
        "/can-bo/hoi-dap/1/anh-dinh-kem/",
        "support/test_staff.py",
    ),
    "dang-ky/anh/<str:slot>/": ("/dang-ky/anh/portrait/", "declarations/test_wizard.py"),
    "dang-ky/tai-to-khai/<str:token>/": (
        "/dang-ky/tai-to-khai/HS-FORGED/",
        "declarations/test_documents_and_tracking.py",
    ),
    "dang-ky/ho-so/<str:code>/anh/<str:slot>/": (
        "/dang-ky/ho-so/HS-1/anh/portrait/",
        "declarations/test_documents_and_tracking.py",
    ),
    "api/v1/declarations/<str:code>/status": (
        "/api/v1/declarations/HS-1/status",
        "declarations/test_api.py",
    ),
    "ca-nhan/to-khai/<str:code>/": (
        "/ca-nhan/to-khai/DK2611230000AAAA/",
        "declarations/test_children.py",
    ),
    "ca-nhan/to-khai/<str:code>/to-khai.pdf": (
        "/ca-nhan/to-khai/DK2611230000AAAA/to-khai.pdf",
        "declarations/test_children.py",
    ),
    "ca-nhan/dang-ky-cho-con/anh/<str:slot>/": (
        "/ca-nhan/dang-ky-cho-con/anh/portrait/",
        "declarations/test_children.py",
    ),
    "ca-nhan/con/<int:child_id>/": (
        "/ca-nhan/con/1/",
        "insurance/test_children.py",
    ),
    "ca-nhan/con/<int:child_id>/the-bhyt/": (
        "/ca-nhan/con/1/the-bhyt/",
        "insurance/test_children.py",
    ),
    "ca-nhan/con/<int:child_id>/the-bhyt/the-bhyt.png": (
        "/ca-nhan/con/1/the-bhyt/the-bhyt.png",
        "insurance/test_children.py",
    ),
    "ca-nhan/con/<int:child_id>/the-bhyt/xac-nhan.pdf": (
        "/ca-nhan/con/1/the-bhyt/xac-nhan.pdf",
        "insurance/test_children.py",
    ),
    "ca-nhan/con/<int:child_id>/qua-trinh-tham-gia/": (
        "/ca-nhan/con/1/qua-trinh-tham-gia/",
        "insurance/test_children.py",
    ),
    "ca-nhan/con/<int:child_id>/qua-trinh-tham-gia/trich-xuat.pdf": (
        "/ca-nhan/con/1/qua-trinh-tham-gia/trich-xuat.pdf",
        "insurance/test_children.py",
    ),
    "ca-nhan/con/<int:child_id>/lich-su-kcb/": (
        "/ca-nhan/con/1/lich-su-kcb/",
        "insurance/test_children.py",
    ),
    "ca-nhan/thong-bao/<int:pk>/": (
        "/ca-nhan/thong-bao/1/",
        "notifications/test_inbox.py",
    ),
    "api/v1/me/messages/<int:pk>/": (
        "/api/v1/me/messages/1/",
        "notifications/test_inbox.py",
    ),
    "api/v1/me/declarations/<str:code>": (
        "/api/v1/me/declarations/DK2611230000AAAA",
        "declarations/test_children.py",
    ),
    "api/v1/me/declarations/<str:code>/pdf": (
        "/api/v1/me/declarations/DK2611230000AAAA/pdf",
        "declarations/test_children.py",
    ),
    "api/v1/me/declarations/<str:code>/email": (
        "/api/v1/me/declarations/DK2611230000AAAA/email",
        "declarations/test_children.py",
    ),
    "api/v1/me/children/<int:child_id>/card": (
        "/api/v1/me/children/1/card",
        "insurance/test_children.py",
    ),
    "api/v1/me/children/<int:child_id>/card/attestation": (
        "/api/v1/me/children/1/card/attestation",
        "insurance/test_children.py",
    ),
    "api/v1/me/children/<int:child_id>/history/extract": (
        "/api/v1/me/children/1/history/extract",
        "insurance/test_children.py",
    ),
    "api/v1/me/children/<int:child_id>/history": (
        "/api/v1/me/children/1/history",
        "insurance/test_children.py",
    ),
    "api/v1/me/children/<int:child_id>/visits": (
        "/api/v1/me/children/1/visits",
        "insurance/test_children.py",
    ),
    "can-bo/to-khai/<str:code>/": (
        "/can-bo/to-khai/DK2611230000AAAA/",
        "declarations/test_staff_views.py",
    ),
    "api/v1/staff/declarations/<str:code>/": (
        "/api/v1/staff/declarations/DK2611230000AAAA/",
        "declarations/test_staff_api.py",
    ),
    "api/v1/staff/declarations/<str:code>/check/": (
        "/api/v1/staff/declarations/DK2611230000AAAA/check/",
        "declarations/test_staff_api.py",
    ),
    "api/v1/staff/declarations/<str:code>/approve/": (
        "/api/v1/staff/declarations/DK2611230000AAAA/approve/",
        "declarations/test_staff_api.py",
    ),
    "api/v1/staff/declarations/<str:code>/reject/": (
        "/api/v1/staff/declarations/DK2611230000AAAA/reject/",
        "declarations/test_staff_api.py",
    ),
    "api/v1/staff/declarations/<str:code>/return/": (
        "/api/v1/staff/declarations/DK2611230000AAAA/return/",
        "declarations/test_staff_api.py",
    ),
    "api/v1/declarations/<str:code>/correction": (
        "/api/v1/declarations/HS-1/correction",
        "declarations/test_lifecycle_api.py (code + phone, like the status)",
    ),
    "ca-nhan/to-khai/<str:code>/bo-sung/": (
        "/ca-nhan/to-khai/DK2611230000AAAA/bo-sung/",
        "declarations/test_correction_views.py",
    ),
    "dang-ky/bo-sung/lien-ket/<str:token>/": (
        "/dang-ky/bo-sung/lien-ket/FORGED/",
        "declarations/test_correction_views.py (signed, one round)",
    ),
    "dang-ky/bo-sung/anh/<str:slot>/": (
        "/dang-ky/bo-sung/anh/portrait/",
        "declarations/test_correction_views.py (this browser's grant only)",
    ),
    "dang-ky/tiep-tuc/<str:token>/": (
        "/dang-ky/tiep-tuc/FORGED/",
        "declarations/test_resume.py (signed, 7 days, until submitted)",
    ),
    "ca-nhan/yeu-cau/moi/<str:slug>/": (
        "/ca-nhan/yeu-cau/moi/cap-lai-the/",
        "declarations/test_requests_access.py (the viewer's own form; staff 403)",
    ),
    "ca-nhan/yeu-cau/moi/<str:slug>/xac-nhan/": (
        "/ca-nhan/yeu-cau/moi/cap-lai-the/xac-nhan/",
        "declarations/test_requests_round_trips.py (this session's pending request)",
    ),
    "ca-nhan/yeu-cau/moi/<str:slug>/anh/": (
        "/ca-nhan/yeu-cau/moi/sua-thong-tin/anh/",
        "declarations/test_requests_access.py (this browser's draft only)",
    ),
    "ca-nhan/yeu-cau/<str:code>/": (
        "/ca-nhan/yeu-cau/YC2612050000AAAA/",
        "declarations/test_requests_access.py",
    ),
    "ca-nhan/yeu-cau/<str:code>/anh/": (
        "/ca-nhan/yeu-cau/YC2612050000AAAA/anh/",
        "declarations/test_requests_access.py",
    ),
    "ca-nhan/yeu-cau/<str:code>/bo-sung/": (
        "/ca-nhan/yeu-cau/YC2612050000AAAA/bo-sung/",
        "declarations/test_requests_access.py",
    ),
    "ca-nhan/yeu-cau/<str:code>/bo-sung/anh/": (
        "/ca-nhan/yeu-cau/YC2612050000AAAA/bo-sung/anh/",
        "declarations/test_requests_access.py (this browser's draft only)",
    ),
    "api/v1/me/requests/<str:code>/": (
        "/api/v1/me/requests/YC2612050000AAAA/",
        "declarations/test_requests_access.py",
    ),
    "api/v1/me/requests/<str:code>/correction/": (
        "/api/v1/me/requests/YC2612050000AAAA/correction/",
        "declarations/test_requests_api.py",
    ),
    "api/v1/me/requests/<str:code>/attachment/": (
        "/api/v1/me/requests/YC2612050000AAAA/attachment/",
        "declarations/test_requests_access.py",
    ),
    "can-bo/yeu-cau/<str:code>/": (
        "/can-bo/yeu-cau/YC2612050000AAAA/",
        "declarations/test_requests_access.py",
    ),
    "can-bo/yeu-cau/<str:code>/anh/": (
        "/can-bo/yeu-cau/YC2612050000AAAA/anh/",
        "declarations/test_requests_access.py",
    ),
    "api/v1/staff/requests/<str:code>/": (
        "/api/v1/staff/requests/YC2612050000AAAA/",
        "declarations/test_requests_access.py",
    ),
    "api/v1/staff/requests/<str:code>/check/": (
        "/api/v1/staff/requests/YC2612050000AAAA/check/",
        "declarations/test_requests_access.py",
    ),
    "api/v1/staff/requests/<str:code>/approve/": (
        "/api/v1/staff/requests/YC2612050000AAAA/approve/",
        "declarations/test_requests_access.py",
    ),
    "api/v1/staff/requests/<str:code>/reject/": (
        "/api/v1/staff/requests/YC2612050000AAAA/reject/",
        "declarations/test_requests_access.py",
    ),
    "api/v1/staff/requests/<str:code>/return/": (
        "/api/v1/staff/requests/YC2612050000AAAA/return/",
        "declarations/test_requests_access.py",
    ),
    "api/v1/staff/requests/<str:code>/attachment/": (
        "/api/v1/staff/requests/YC2612050000AAAA/attachment/",
        "declarations/test_requests_access.py",
    ),
    # Payments: the payer's own only (insurance/payments).
    "ca-nhan/thanh-toan/<str:code>/": (
        "/ca-nhan/thanh-toan/TT261205AAAAAAAA/",
        "insurance/test_payment_views.py",
    ),
    "ca-nhan/thanh-toan/<str:code>/bien-lai.pdf": (
        "/ca-nhan/thanh-toan/TT261205AAAAAAAA/bien-lai.pdf",
        "insurance/test_payment_views.py",
    ),
    "ca-nhan/thanh-toan/<str:code>/thanh-toan-lai/": (
        "/ca-nhan/thanh-toan/TT261205AAAAAAAA/thanh-toan-lai/",
        "insurance/test_payment_views.py",
    ),
    "api/v1/me/payments/<str:code>/": (
        "/api/v1/me/payments/TT261205AAAAAAAA/",
        "insurance/test_payment_api.py",
    ),
    "api/v1/me/payments/<str:code>/retry/": (
        "/api/v1/me/payments/TT261205AAAAAAAA/retry/",
        "insurance/test_payment_api.py",
    ),
    "api/v1/me/payments/<str:code>/receipt/": (
        "/api/v1/me/payments/TT261205AAAAAAAA/receipt/",
        "insurance/test_payment_api.py",
    ),
}
INJECTIONS = [
    "' OR 1=1--",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}{% debug %}",
    "a\r\nSet-Cookie: x=1",
    "\u202egnp.exe",
    "😀 Nguyễn",
    "Nguye\u0302\u0303n",  # NFD
    "x" * 10_000,
]
SEARCH_PAGES = [
    "/tra-cuu/co-quan-bhxh/",
    "/tra-cuu/co-so-kcb/",
    "/tra-cuu/don-vi/",
    "/tra-cuu/diem-thu/?province=79",
    "/hoi-dap/",
    "/api/v1/lookup/offices/",
    "/api/v1/lookup/facilities/",
    "/api/v1/lookup/employers/",
]


def routes(patterns=None, prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def parameterised(route: str) -> bool:
    return "<" in route or "(?P" in route


@pytest.fixture
def people(db):
    hcm = Province.objects.create(code="79", name="Thành phố Hồ Chí Minh")
    hcm_office = Office.objects.create(
        code="079", name="BHXH Tp. Hồ Chí Minh", level="province", province=hcm
    )
    quan4 = Office.objects.create(
        code="07914", name="BHXH Quận 4", level="district", parent=hcm_office, province=hcm
    )
    citizen = User.objects.create_user(
        "7901234567", password="Mat-khau-cong-dan-2026", phone="+84901234567"
    )
    other = User.objects.create_user(
        "7909999999", password="Mat-khau-nguoi-khac-2026", phone="+84907654321"
    )
    clerk = User.objects.create_user("canbo.quan4", password="canbo-mat-khau", is_staff=True)
    StaffProfile.objects.create(user=clerk, office=quan4)
    return {"citizen": citizen, "other": other, "clerk": clerk}


def test_every_parameterised_route_is_in_the_matrix():
    """ACL-01: a route with an id that nobody thought about fails here."""
    unknown = [
        r
        for r in routes()
        if parameterised(r) and not r.startswith("admin/") and r not in PUBLIC | PRIVATE
    ]
    assert unknown == []


@pytest.mark.parametrize("route", sorted(PRIVATE))
def test_private_routes_show_nothing_to_anonymous_visitors_or_another_citizen(
    people, route, captcha_code
):
    """ACL-01: anonymous and an unrelated citizen get no object (404/403/302, never 200)."""
    path, _covered_by = PRIVATE[route]
    for who in [None, people["other"]]:
        client = Client()
        if who is not None:
            client.force_login(who)
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code in {302, 400, 401, 403, 404, 405, 429}, (
                who,
                method,
                path,
                response.status_code,
            )
            if response.status_code == 302:
                assert "/dang-nhap/" in response["Location"] or "/dang-ky/" in response["Location"]


def test_admin_object_urls_are_closed_to_citizens_and_clerks_without_permission(people):
    """ACL-01 for /admin/: every model's change page, as anonymous, citizen and clerk."""
    admin_routes = [r for r in routes() if r.startswith("admin/") and r.endswith("/change/")]
    assert len(admin_routes) >= 15
    anonymous, citizen, clerk = Client(), Client(), Client()
    citizen.force_login(people["citizen"])
    clerk.force_login(people["clerk"])
    for route in admin_routes:
        path = "/" + re.sub(r"<path:object_id>", str(people["citizen"].pk), route)
        for client in (anonymous, citizen):
            response = client.get(path)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], path
        assert clerk.get(path).status_code in {302, 403, 404}, path


@pytest.mark.parametrize("payload", INJECTIONS, ids=lambda p: repr(p[:12]))
def test_injection_strings_in_every_search_field_are_shown_escaped_never_a_500(payload):
    """VAL-01 for the query fields: 200/400 with the text escaped, never run."""
    client = Client()
    for page in SEARCH_PAGES:
        joiner = "&" if "?" in page else "?"
        response = client.get(page + joiner, {"q": payload})
        assert response.status_code in {200, 400}, (page, response.status_code)
        body = response.content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "<img src=x onerror" not in body
        assert "49" not in body.split("{{7*7}}")[0][-5:]  # no template evaluation
    from django.core.cache import cache

    cache.clear()  # the search rate limit is per address; this is one client


@pytest.mark.parametrize("payload", INJECTIONS, ids=lambda p: repr(p[:12]))
def test_injection_strings_in_the_sign_in_form_are_a_field_error(people, payload):
    """VAL-01 for the sign-in form: a clear error and the text kept escaped."""
    response = Client().post("/dang-nhap/", {"username": payload, "password": payload})
    assert response.status_code in {200, 400}
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert (
        "Mã số BHXH hoặc mật khẩu không đúng." in body
        or "form-errors" in body
        or ("field-errors" in body)
    )
    assert not User.objects.filter(username=payload).exists()


def test_null_bytes_in_a_form_are_a_field_error_not_a_500(people):
    """VAL-01: forms' CharField refuses NUL."""
    response = Client().post("/dang-nhap/", {"username": "79012\x0034567", "password": "x"})
    assert response.status_code in {200, 400}
    assert "7901234567" not in (response.get("Location") or "")


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "http://127.0.0.1.evil/"],
)
def test_sign_in_never_redirects_off_site(people, next_url):
    """VAL-05: ``?next=`` is followed only within the portal."""
    client = Client()
    response = client.post(
        "/dang-nhap/?next=" + next_url,
        {"username": "7901234567", "password": "Mat-khau-cong-dan-2026", "next": next_url},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil" not in location


@pytest.mark.parametrize(
    "path",
    [
        "/private_media/declarations/x.jpg",
        "/media/declarations/x.jpg",
        "/private_media/../db.sqlite3",
        "/static/../manage.py",
        "/dang-ky/anh/..%2F..%2Fmanage.py/",
    ],
)
def test_storage_paths_are_not_served(people, path):
    """UPL-06 / UPL-05: files are reachable only through permission-checking views."""
    response = Client().get(path)
    assert response.status_code in {302, 404}
    assert b"DJANGO_SETTINGS_MODULE" not in b"".join(
        getattr(response, "streaming_content", [response.content])
    )


def test_api_errors_are_json_in_vietnamese(people):
    """LOG-03: an unknown object and a bad token answer JSON, never an HTML page."""
    client = Client()
    missing = client.get("/api/v1/lookup/offices/99999/")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/json")
    bad_token = client.get(
        "/api/v1/me/card", HTTP_AUTHORIZATION="Bearer forged", HTTP_X_DEVICE_ID="device-0001"
    )
    assert bad_token.status_code == 401
    assert bad_token.json()["detail"] == "Khoá truy cập không hợp lệ."
