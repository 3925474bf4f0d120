"""Messages queued in one transaction go to the worker as one batch task."""

from django.db import transaction

import pytest

from notifications.models import Message
from notifications.services import PUBLISH_BATCH, message_queue

pytestmark = pytest.mark.django_db


def otp(i: int) -> Message:
    return message_queue(
        channel="sms",
        recipient=f"+8491{i:07d}",
        template="otp",
        context={"code": f"{i:06d}", "purpose_label": "đăng nhập", "minutes": 5},
        sensitive=["code"],
    )


def test_one_transaction_publishes_its_messages_in_batches_and_each_is_sent_once(
    django_capture_on_commit_callbacks,
):
    count = PUBLISH_BATCH + 3
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            ids = [otp(i).pk for i in range(count)]
    assert len(callbacks) == 2  # a full batch and the rest
    statuses = dict(Message.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert set(statuses.values()) == {Message.Status.SENT}
    assert Message.objects.filter(pk__in=ids, attempts=1).count() == count


def test_a_rolled_back_savepoint_takes_its_messages_and_nothing_else(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            first = otp(1)
            with pytest.raises(RuntimeError):
                with transaction.atomic():
                    otp(2)
                    raise RuntimeError("the business action failed")
            last = otp(3)
    assert len(callbacks) == 1
    assert Message.objects.count() == 2
    assert set(
        Message.objects.filter(pk__in=[first.pk, last.pk]).values_list("status", flat=True)
    ) == {Message.Status.SENT}
