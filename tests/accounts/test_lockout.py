"""AUTH-01, 03, 05, 06 and the captcha from the 3rd failure."""

import re
import statistics
import time

from django.test import Client

import pytest

from accounts.models import AccountEvent, User
from tests.conftest import captcha_post_data

from .conftest import NUMBER, PASSWORD, PHONE, sign_in

pytestmark = pytest.mark.django_db

LOCK_TEXT = "liên hệ cơ quan BHXH gần nhất hoặc tổng đài 1900.9068"
WRONG_TEXT = "Mã số BHXH hoặc mật khẩu không đúng."


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    settings.ACCOUNTS_RATE_LIMITS = {
        **settings.ACCOUNTS_RATE_LIMITS,
        "sign_in_ip": {"limit": 1000, "window": 60},
        "sign_in_account": {"limit": 1000, "window": 60},
    }


def wrong(client, n=1, username=NUMBER, captcha=True):
    response = None
    for _i in range(n):
        extra = captcha_post_data() if captcha else {}
        response = sign_in(client, username, "sai-mat-khau", **extra)
    return response


def test_five_consecutive_wrong_passwords_lock_and_a_right_one_resets(
    client, citizen, captcha_code, notices
):
    wrong(client, 4)
    assert sign_in(client, **captcha_post_data()).status_code == 302  # resets the count
    client.logout()
    citizen.refresh_from_db()
    assert citizen.failed_logins == 0
    response = wrong(client, 4)
    assert WRONG_TEXT in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.locked_at is None and citizen.failed_logins == 4
    response = wrong(client, 1)
    assert LOCK_TEXT in response.content.decode()
    response = sign_in(client, **captcha_post_data())
    assert response.status_code == 200
    assert LOCK_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session
    citizen.refresh_from_db()
    assert citizen.failed_logins == 5 and citizen.locked_at is not None
    assert AccountEvent.objects.filter(user=citizen, action="locked").count() == 1
    # The owner is told by SMS, once.
    assert notices.to(PHONE) == ["account_locked"]


def test_captcha_is_required_from_the_third_failure_and_a_try_without_it_is_not_counted(
    client, citizen, captcha_code
):
    wrong(client, 2, captcha=False)
    page = client.get("/dang-nhap/")
    response = sign_in(client, "7901234567", "sai-mat-khau")
    html = response.content.decode()
    assert "Vui lòng nhập mã kiểm tra" in html
    assert 'name="captcha_1"' in html
    citizen.refresh_from_db()
    assert citizen.failed_logins == 2
    # Even the right password is refused without the captcha, and not checked.
    sign_in(client)
    assert "_auth_user_id" not in client.session
    assert page.status_code == 200
    assert sign_in(client, **captcha_post_data()).status_code == 302


def test_a_wrong_captcha_is_refused_before_the_password_is_checked(client, citizen, captcha_code):
    wrong(client, 2, captcha=False)
    response = sign_in(client, **captcha_post_data(answer="ZZZZ"))
    assert "Mã kiểm tra không đúng" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.failed_logins == 2


def _body(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r"/ma-kiem-tra/[^\"]+\.png", "", html)
    html = re.sub(r'name="captcha_0" value="[^"]+"', "", html)
    return html.replace("7901234567", "N").replace("7909999999", "N").replace("7900000001", "N")


def test_unknown_wrong_and_locked_read_the_same(client, citizen, captcha_code):
    User.objects.create_user("7900000001", password=PASSWORD)
    for _i in range(5):
        sign_in(Client(), "7900000001", "sai", **captcha_post_data())
    replies = {}
    for name, number in [("unknown", "7909999999"), ("known", NUMBER), ("locked", "7900000001")]:
        response = sign_in(Client(), number, "sai-mat-khau")
        replies[name] = (response.status_code, _body(response))
    assert replies["unknown"] == replies["known"]
    assert replies["known"][0] == replies["locked"][0] == 200
    # An unknown number reads "locked" after 5 failures too.
    for _i in range(4):
        sign_in(Client(), "7909999999", "sai", **captcha_post_data())
    unknown = sign_in(Client(), "7909999999", "sai")
    assert _body(unknown) == replies["locked"][1]
    assert LOCK_TEXT in _body(unknown)


def test_unknown_and_known_numbers_take_about_the_same_time(settings, captcha_code):
    from vssid_portal import settings as project

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS  # the real cost: Argon2
    User.objects.create_user(NUMBER, password=PASSWORD)

    def median(number):
        times = []
        for _i in range(7):
            User.objects.filter(username=NUMBER).update(failed_logins=0)
            from django.core.cache import cache

            cache.clear()
            start = time.perf_counter()
            sign_in(Client(), number, "sai-mat-khau")
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    known, unknown = median(NUMBER), median("7909999999")
    assert abs(known - unknown) / max(known, unknown) < 0.5


@pytest.mark.parametrize(
    "typed", [" 7901234567", "７９０１２３４５６７", "7901234567\u200b", "790 123 4567"]
)
def test_other_spellings_of_a_number_count_on_the_same_account(client, citizen, typed):
    sign_in(client, typed, "sai")
    citizen.refresh_from_db()
    assert citizen.failed_logins == 1


def test_eleven_digits_is_a_format_error_and_counts_nowhere(client, citizen):
    response = sign_in(client, "79012345678", "sai")
    assert "Mã số BHXH gồm đúng 10 chữ số." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.failed_logins == 0


def test_web_admin_and_api_share_one_counter(client, citizen, captcha_code):
    wrong(client, 2, captcha=False)
    admin = client.post(
        "/admin/login/",
        {"username": NUMBER, "password": "sai", **captcha_post_data()},
    )
    assert admin.status_code == 200
    citizen.refresh_from_db()
    assert citizen.failed_logins == 3
    for _i in range(2):
        response = client.post(
            "/api/v1/auth/token/",
            {
                "username": NUMBER,
                "password": "sai",
                "device_id": "device-aaaaaaaa",
                "captcha_key": captcha_post_data()["captcha_0"],
                "captcha": "ABCD",
            },
            content_type="application/json",
        )
    assert response.status_code == 400
    assert response.json()["code"] == "locked"
    citizen.refresh_from_db()
    assert citizen.locked_at is not None
    for url in ("/dang-nhap/", "/admin/login/"):
        page = client.post(url, {"username": NUMBER, "password": PASSWORD, **captcha_post_data()})
        assert LOCK_TEXT in page.content.decode(), url
    assert "_auth_user_id" not in client.session


def test_the_admin_login_asks_for_the_captcha_after_two_failures(client, citizen):
    wrong(client, 2, captcha=False)
    page = client.post("/admin/login/", {"username": NUMBER, "password": "sai"})
    assert 'name="captcha_1"' in page.content.decode()


def test_passwords_are_checked_exactly_as_typed(client, citizen, captcha_code):
    long = "một câu mật khẩu rất dài có dấu tiếng Việt và hơn sáu mươi tư ký tự nữa"
    citizen.set_password(long)
    citizen.save()
    assert sign_in(client, password=long.upper()).status_code == 200
    assert sign_in(client, password=" " + long).status_code == 200
    assert sign_in(client, password=long, **captcha_post_data()).status_code == 302


def test_sign_in_page_lets_password_managers_work(client):
    html = client.get("/dang-nhap/").content.decode()
    assert 'autocomplete="current-password"' in html
    assert 'autocomplete="username"' in html
    assert "onpaste" not in html


def test_many_sign_ins_from_one_ip_get_a_429_with_retry_after(settings, client, citizen):
    settings.ACCOUNTS_RATE_LIMITS = {
        **settings.ACCOUNTS_RATE_LIMITS,
        "sign_in_ip": {"limit": 20, "window": 60},
    }
    statuses = [
        sign_in(client, f"79{i:08d}", "sai", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(25)
    ]
    assert statuses[:20] == [200] * 20
    assert statuses[-1] == 429
    response = sign_in(client, "7900000099", "sai")
    assert int(response["Retry-After"]) > 0
    assert "Vui lòng thử lại sau" in response.content.decode()
