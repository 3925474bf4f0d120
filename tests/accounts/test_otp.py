"""OTP-01..07: codes are 6 digits, 5 minutes, single use, purpose-bound,
5 wrong tries, resend limits, stored hashed."""

import datetime as dt
import threading

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

import pytest
import time_machine

from accounts.models import OtpChallenge, User
from accounts.otp import generate_code, otp_confirm, otp_resend, otp_send
from vssid_portal.ratelimit import RateLimited

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
P = OtpChallenge.Purpose


def ok(challenge):
    return "done"


def confirm(nonce, code, purpose=P.PASSWORD_CHANGE, **kw):
    return otp_confirm(nonce=nonce, purpose=purpose, code=code, apply=ok, **kw)


def test_codes_are_always_six_ascii_digits():
    codes = {generate_code() for _i in range(10_000)}
    assert all(len(c) == 6 and c.isascii() and c.isdigit() for c in codes)
    assert len(codes) > 9000  # random, not a sequence
    assert any(c.startswith("0") for c in codes)


def test_the_code_is_stored_hashed_and_sent_once_as_sensitive(citizen, codes, notices):
    challenge, nonce = otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
    assert codes[0] not in str(OtpChallenge.objects.values().get())
    assert challenge.code_hash.startswith("md5$")  # the test hasher; Argon2 in production
    call = notices.calls[-1]
    assert call["template"] == "otp" and call["context"]["code"] == codes[0]
    assert call["sensitive"] == ("code",)
    assert call["context"]["minutes"] == 5
    assert nonce not in str(OtpChallenge.objects.values().get())


def test_a_code_lives_five_minutes_from_when_it_was_sent(citizen, codes):
    start = dt.datetime(2026, 3, 2, 8, 4, 59, tzinfo=dt.UTC)  # 1 s before a 300-s step
    with time_machine.travel(start, tick=False) as traveller:
        _c, nonce = otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
        traveller.shift(dt.timedelta(minutes=4))
        assert confirm(nonce, codes[0]) == "done"
    with time_machine.travel(start, tick=False) as traveller:
        traveller.shift(dt.timedelta(minutes=2))
        _c, nonce = otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
        traveller.shift(dt.timedelta(minutes=4, seconds=59))
        assert confirm(nonce, codes[1]) == "done"
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False) as traveller:
        _c, nonce = otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
        traveller.shift(dt.timedelta(minutes=5, seconds=1))
        with pytest.raises(ValidationError, match="hết hạn"):
            confirm(nonce, codes[2])


def test_a_code_works_once(citizen, codes):
    _c, nonce = otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
    assert confirm(nonce, codes[0]) == "done"
    with pytest.raises(ValidationError, match="đã được sử dụng"):
        confirm(nonce, codes[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_submits_of_one_code_succeed_once(postgres_db, citizen, codes):
    _c, nonce = otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
    barrier = threading.Barrier(2)
    results = []

    def submit():
        try:
            barrier.wait()
            results.append(confirm(nonce, codes[0]))
        except ValidationError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _i in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results) == ["done", "used"]


def test_a_code_confirms_only_its_purpose_and_its_account(citizen, codes):
    _c, nonce = otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
    for purpose in (P.DEVICE_TAKEOVER, P.CONTACT_CHANGE, P.PASSWORD_RESET):
        with pytest.raises(ValidationError, match="không đúng"):
            confirm(nonce, codes[0], purpose=purpose)
    other = User.objects.create_user("7900000003", password=PASSWORD, phone="+84987654321")
    with pytest.raises(ValidationError, match="không đúng"):
        confirm(nonce, codes[0], user=other)
    with pytest.raises(ValidationError, match="không đúng"):
        confirm("another-clients-nonce", codes[0])
    assert confirm(nonce, codes[0], user=citizen) == "done"


def test_the_old_code_dies_when_a_new_one_is_sent(citizen, codes):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _c, nonce = otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
        traveller.shift(61)
        _c2, new_nonce = otp_resend(nonce=nonce, purpose=P.PASSWORD_CHANGE)
        with pytest.raises(ValidationError, match="mã mới"):
            confirm(nonce, codes[0])
        assert confirm(new_nonce, codes[1]) == "done"


def test_five_wrong_tries_kill_the_code(citizen, codes):
    _c, nonce = otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
    wrong = "000000" if codes[0] != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"còn {left} lần"):
            confirm(nonce, wrong)
    with pytest.raises(ValidationError, match="quá 5 lần"):
        confirm(nonce, wrong)
    with pytest.raises(ValidationError, match="quá 5 lần"):
        confirm(nonce, codes[0])
    assert OtpChallenge.objects.get().tries == 5


def test_wrong_tries_are_capped_per_day_across_codes(settings, citizen, codes):
    settings.OTP_MAX_WRONG_PER_DAY = 6
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _c, nonce = otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
        for _i in range(5):
            with pytest.raises(ValidationError):
                confirm(nonce, "999999")
        traveller.shift(61)
        _c, nonce = otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
        with pytest.raises(ValidationError):
            confirm(nonce, "999999")
        with pytest.raises(ValidationError, match="trong ngày"):
            confirm(nonce, codes[-1])


def test_resend_waits_60_seconds_and_at_most_5_an_hour(citizen, codes, notices):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
        traveller.shift(30)
        with pytest.raises(RateLimited) as info:
            otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
        assert info.value.retry_after == 30
        for _i in range(4):
            traveller.shift(61)
            otp_send(user=citizen, purpose=P.PASSWORD_CHANGE)
        sent = len(notices.templates())
        traveller.shift(61)
        with pytest.raises(RateLimited) as info:
            otp_send(user=citizen, purpose=P.DEVICE_TAKEOVER)
        assert 0 < info.value.retry_after <= 3600
        assert len(notices.templates()) == sent  # nothing queued when refused
        assert OtpChallenge.objects.count() == 5


def test_otp_page_answers_429_with_the_seconds_left(client, citizen, codes, notices):
    client.force_login(citizen)
    client.post(
        "/ca-nhan/tai-khoan/doi-mat-khau/",
        {
            "old_password": PASSWORD,
            "new_password1": "Mot-mat-khau-moi-2026",
            "new_password2": "Mot-mat-khau-moi-2026",
        },
    )
    response = client.post("/xac-nhan-otp/", {"resend": "1"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 50
    assert "Vui lòng thử lại sau" in response.content.decode()
    assert notices.templates().count("otp") == 1


def test_the_otp_page_wording(client, citizen, codes):
    client.force_login(citizen)
    client.post(
        "/ca-nhan/tai-khoan/doi-mat-khau/",
        {
            "old_password": PASSWORD,
            "new_password1": "Mot-mat-khau-moi-2026",
            "new_password2": "Mot-mat-khau-moi-2026",
        },
    )
    html = client.get("/xac-nhan-otp/").content.decode()
    assert '<label for="id_code">Mã OTP' in html
    assert ">Xác nhận</button>" in html
    assert "•••• 678" in html and "0912345678" not in html
    assert 'autocomplete="one-time-code"' in html
    assert codes[0] not in html
