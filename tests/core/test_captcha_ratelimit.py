from django import forms
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path

import pytest

from tests.conftest import captcha_post_data
from vssid_portal import urls as project_urls
from vssid_portal.captcha import CaptchaField, captcha_check, captcha_new
from vssid_portal.ratelimit import RateLimitMiddleware, client_ip, rate_limit


class CaptchaForm(forms.Form):
    captcha = CaptchaField()


def test_a_solved_captcha_cannot_be_replayed(captcha_code):
    key = captcha_new()
    assert captcha_check(key, "abcd ")  # case and spaces do not matter
    assert not captcha_check(key, "ABCD")


def test_a_wrong_answer_uses_the_challenge_up(captcha_code):
    key = captcha_new()
    assert not captcha_check(key, "WXYZ")
    assert not captcha_check(key, "ABCD")


def test_expired_or_forged_keys_fail(captcha_code, time_machine, settings):
    # Redis expires keys on its own clock; the in-process cache follows time travel.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    time_machine.move_to("2026-11-23 08:00", tick=False)
    key = captcha_new()
    assert not captcha_check("../../etc/passwd", "ABCD")
    assert not captcha_check("no-such-key", "ABCD")
    time_machine.move_to("2026-11-23 08:06", tick=False)
    assert not captcha_check(key, "ABCD")


def test_form_field_errors_in_vietnamese_and_rerender_with_a_new_image(captcha_code):
    form = CaptchaForm(data=captcha_post_data(answer="SAI1"))
    assert not form.is_valid()
    assert form.errors["captcha"] == [
        "Mã kiểm tra không đúng hoặc đã hết hạn. Vui lòng nhập mã mới."
    ]
    html = str(form["captcha"])
    assert "/ma-kiem-tra/" in html and 'name="captcha_1"' in html
    assert form["captcha"].id_for_label == "id_captcha_1"
    assert CaptchaForm(data=captcha_post_data()).is_valid()


@pytest.mark.django_db
def test_captcha_image_is_a_png_served_once_per_key(client, captcha_code):
    key = captcha_new()
    response = client.get(f"/ma-kiem-tra/{key}.png")
    assert response["Content-Type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert "no-store" in response["Cache-Control"]
    captcha_check(key, "ABCD")
    assert client.get(f"/ma-kiem-tra/{key}.png").status_code == 404


def test_rate_limit_allows_the_limit_then_refuses():
    for _ in range(3):
        rate_limit(scope="t", key="1.2.3.4", limit=3, window=60)
    from vssid_portal.ratelimit import RateLimited

    with pytest.raises(RateLimited) as info:
        rate_limit(scope="t", key="1.2.3.4", limit=3, window=60)
    assert 1 <= info.value.retry_after <= 61
    rate_limit(scope="t", key="5.6.7.8", limit=3, window=60)


def limited_view(request):
    rate_limit(scope="view", key=client_ip(request), limit=1, window=60)
    return HttpResponse("ok")


urlpatterns = [
    path("limited/", limited_view),
    path("api/limited/", limited_view),
    *project_urls.urlpatterns,
]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_the_middleware_answers_429_in_vietnamese_with_retry_after(client):
    assert client.get("/limited/").status_code == 200
    response = client.get("/limited/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Bạn đã thao tác quá nhiều lần" in response.content.decode()
    api = client.get("/api/limited/")
    assert api.status_code == 429
    assert "retry_after" in api.json()


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(settings):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="9.9.9.9", REMOTE_ADDR="10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    spoofed = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 9.9.9.9", REMOTE_ADDR="10.0.0.1"
    )
    assert client_ip(spoofed) == "9.9.9.9"
    assert RateLimitMiddleware(lambda r: None).process_exception(request, ValueError()) is None
