"""AUTH-02: ten parallel wrong passwords lock at exactly five (PostgreSQL)."""

import threading

from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection

import pytest

from accounts.lockout import Outcome, sign_in_attempt
from accounts.models import User

from .conftest import NUMBER, PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_parallel_wrong_passwords_cost_exactly_five_checks(postgres_db, settings, monkeypatch):
    settings.ACCOUNTS_RATE_LIMITS = {
        **settings.ACCOUNTS_RATE_LIMITS,
        "sign_in_ip": {"limit": 1000, "window": 60},
        "sign_in_account": {"limit": 1000, "window": 60},
    }
    user = User.objects.create_user(NUMBER, password=PASSWORD)
    verified = []
    real_verify = MD5PasswordHasher.verify

    def counting_verify(self, password, encoded):
        verified.append(password)
        return real_verify(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", counting_verify)
    start = threading.Barrier(10)
    outcomes = []

    def attempt():
        try:
            start.wait()
            outcomes.append(
                sign_in_attempt(username=NUMBER, password="sai", captcha_solved=True).outcome
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(verified) == 5
    assert sorted(outcomes).count(Outcome.LOCKED) == 6  # the 5th failure and the 5 after it
    user.refresh_from_db()
    assert user.failed_logins == 5 and user.locked_at is not None
    right = sign_in_attempt(username=NUMBER, password=PASSWORD, captcha_solved=True)
    assert right.outcome == Outcome.LOCKED
    assert len(verified) == 5
