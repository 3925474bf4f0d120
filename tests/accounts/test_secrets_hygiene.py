"""OTP-08, LOG-02, PWD-06, SES-03: secrets stay out of logs; hashes are
upgraded; the device cookie is private."""

import logging

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client

import pytest

from accounts.services import account_initial_password_issue
from accounts.sessions import DEVICE_SALT

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db
NEW = "Mot-cau-mat-khau-moi-2026"


def test_no_code_or_password_reaches_any_log(client, citizen, codes, notices, caplog):
    caplog.set_level(logging.DEBUG)
    account_initial_password_issue(user=citizen)
    initial = notices.calls[-1]["context"]["password"]
    sign_in(client, password=initial)
    client.post(
        "/ca-nhan/tai-khoan/doi-mat-khau/",
        {"old_password": initial, "new_password1": NEW, "new_password2": NEW},
    )
    client.post("/xac-nhan-otp/", {"code": "000001"})
    client.post("/xac-nhan-otp/", {"code": codes[0]})
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in (initial, codes[0], NEW):
        assert secret not in text


def test_auth_views_hide_post_parameters_from_error_reports(rf):
    from accounts.views import OtpView, PasswordChangeView, SignInView

    for view in (SignInView, OtpView, PasswordChangeView):
        request = rf.post("/", {"password": "x"})
        try:
            view.as_view()(request)
        except Exception:  # noqa: BLE001 - only the marker matters here
            pass
        assert request.sensitive_post_parameters == "__ALL__", view


def test_an_old_pbkdf2_hash_is_upgraded_at_sign_in(settings, client, citizen):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    citizen.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    citizen.save()
    assert sign_in(client).status_code == 302
    citizen.refresh_from_db()
    assert citizen.password.startswith("md5$")


def test_the_device_cookie_is_signed_long_lived_and_http_only(client):
    response = client.get("/dang-nhap/")
    cookie = response.cookies[settings.DEVICE_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    from django.core import signing

    assert signing.loads(cookie.value, salt=DEVICE_SALT)
    forged = Client()
    forged.cookies[settings.DEVICE_COOKIE_NAME] = "forged-device-id"
    assert (
        forged.get("/dang-nhap/").cookies[settings.DEVICE_COOKIE_NAME].value != "forged-device-id"
    )


def test_production_cookie_names_use_the_host_prefix():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "x"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import vssid_portal.settings as s;"
            "print(s.DEVICE_COOKIE_NAME, s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["__Host-vssid_device", "__Host-sessionid", "True"]


FORGED = "7901234567\n2026-11-23 10:00:00,000 INFO accounts signed_in user=admin\r\x1b[2K\x00"


def test_a_username_with_line_breaks_cannot_forge_a_log_line(client, citizen, caplog):
    """LOG-02: whatever a sign-in logs, each record stays one line in the log."""
    caplog.set_level(logging.DEBUG)
    sign_in(client, username=FORGED)
    Client().post(
        "/api/v1/auth/token/",
        {"username": FORGED, "password": PASSWORD},
        content_type="application/json",
        HTTP_X_DEVICE_ID="phone-aaaaaaaa",
    )
    # The formatter the console handler was configured with (settings.LOGGING).
    formatter = next(
        h.formatter for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)
    )
    records = [*caplog.records, logging.makeLogRecord({"msg": "user=%s", "args": (FORGED,)})]
    for record in records:
        line = formatter.format(record)
        assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\x00" not in line
    assert line.endswith(
        "user=7901234567\\n2026-11-23 10:00:00,000 INFO accounts "
        "signed_in user=admin\\r\\x1b[2K\\x00"
    )
