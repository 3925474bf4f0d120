import time

from django.db import transaction

import pytest

from notifications.models import Message
from notifications.services import message_queue, message_sweep

from .conftest import celery_broker, free_port


def queue_otp(i: int = 0, **kwargs) -> Message:
    return message_queue(
        channel="sms",
        recipient="0912345678",
        template="otp",
        context={"code": f"{i:06d}", "purpose_label": "đăng nhập", "minutes": 5},
        sensitive=["code"],
        **kwargs,
    )


@pytest.mark.django_db(transaction=True)
def test_broker_down_at_commit_keeps_the_request_fast_and_the_row_queued(settings):
    """NTF-02: a dead broker neither fails nor hangs the citizen's request."""
    settings.SMS_BACKEND = "outbox"
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        started = time.monotonic()
        with transaction.atomic():
            message = queue_otp()
        elapsed = time.monotonic() - started
    assert elapsed < 3, f"commit took {elapsed:.1f} s with the broker down"
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.attempts == 0

    # The broker is back (eager here); the periodic sweeper sends it, once.
    settings.NOTIFICATIONS_SWEEP_QUEUED_AFTER = 0
    assert message_sweep() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 1)
    assert message_sweep() == 0
