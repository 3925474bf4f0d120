"""Messages queued in one transaction go to the worker as one batch task."""

import math
from collections import Counter, deque

from django.db import transaction

import pytest

from notifications.models import Message
from notifications.services import (
    MARK_SENT_EVERY,
    PUBLISH_BATCH,
    message_deliver_batch,
    message_queue,
)

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


@pytest.mark.parametrize("threads", [1, 8])
def test_a_batch_sent_on_threads_gives_each_row_its_own_gateway_answer(
    threads, twilio_settings, fake_twilio, django_capture_on_commit_callbacks
):
    """Concurrent sends share one client: a refusal or an outage lands on its own row only."""
    twilio_settings.NOTIFICATIONS_SEND_THREADS = threads
    twilio_settings.NOTIFICATIONS_REDACT_SENT = True
    fake_twilio.delay = 0.005  # let the threads' requests overlap
    refused, retried = "+84910000003", "+84910000007"
    fake_twilio.responses_to = {refused: deque([400]), retried: deque([503])}
    count = 30
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            ids = [otp(i).pk for i in range(count)]
    assert len(callbacks) == 1
    rows = {m.recipient: m for m in Message.objects.filter(pk__in=ids)}
    calls = Counter(r.form["To"] for r in fake_twilio.requests)
    assert set(calls) == set(rows)
    assert calls[retried] == 2  # 503, then accepted by its own retrying task
    assert {to for to, seen in calls.items() if seen > 1} == {retried}

    assert (rows[refused].status, rows[refused].attempts) == (Message.Status.FAILED, 1)
    assert "21211" in rows[refused].last_error
    assert (rows[retried].status, rows[retried].attempts) == (Message.Status.SENT, 2)
    others = [m for to, m in rows.items() if to not in (refused, retried)]
    assert {(m.status, m.attempts, m.last_error) for m in others} == {("sent", 1, "")}
    sent = [m for m in rows.values() if m.status == Message.Status.SENT]
    assert all(m.is_redacted and m.sent_at is not None for m in sent)
    assert not any(f"{i:06d}" in m.text for i in range(count) for m in sent)


def test_a_batch_claims_in_one_statement_skips_what_is_not_queued_and_marks_in_few(
    twilio_settings, fake_twilio, django_assert_max_num_queries
):
    def row(i: int, **fields) -> Message:
        return Message.objects.create(
            channel="sms",
            recipient=f"+8491{i:07d}",
            template="otp",
            text=f"text {i}",
            redacted_text="redacted",
            **fields,
        )

    ids = [row(i).pk for i in range(PUBLISH_BATCH - 1)]
    done = row(99, status=Message.Status.SENT, attempts=1, sent_at="2025-01-01T00:00:00Z")
    # One claim, then an UPDATE per MARK_SENT_EVERY sent rows; none per row.
    with django_assert_max_num_queries(1 + math.ceil(len(ids) / MARK_SENT_EVERY)):
        message_deliver_batch(message_ids=[*ids, done.pk, ids[0]])
    assert len(fake_twilio.requests) == len(ids)
    assert "+84910000099" not in {r.form["To"] for r in fake_twilio.requests}
    statuses = Counter(Message.objects.values_list("status", "attempts"))
    assert statuses == {(Message.Status.SENT, 1): len(ids) + 1}
