import threading
import time

from django.db import connection, transaction

import pytest

from notifications.models import Message
from notifications.services import message_deliver, message_queue, message_sweep

from ..conftest import CeleryWorker, _database_url_for_worker, service_unavailable
from .conftest import celery_broker, free_port, twilio_env


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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_deliveries_of_one_message_call_the_gateway_once(twilio_settings, fake_twilio):
    """NTF-03: the conditional UPDATE lets exactly one of many tasks send."""
    if connection.vendor != "postgresql":
        service_unavailable("PostgreSQL", f"DATABASE_URL points to {connection.vendor}")
    fake_twilio.delay = 0.05
    with transaction.atomic():
        # No on_commit publish in this test: the threads are the "tasks".
        message = Message.objects.create(
            channel="sms", recipient="+84912345678", template="otp", text="x", redacted_text="x"
        )
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            message_deliver(message_id=message.pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(fake_twilio.requests) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 1)


# REAL REDIS AND A REAL WORKER ------------------------------------------------
@pytest.fixture
def twilio_worker(redis_url, transactional_db, settings, fake_twilio):
    """A real Celery worker that sends through the fake Twilio; publishing goes to its queue."""
    worker = CeleryWorker(redis_url, _database_url_for_worker(), extra_env=twilio_env(fake_twilio))
    settings.CELERY_TASK_DEFAULT_QUEUE = worker.queue
    with celery_broker(redis_url) as celery_app:
        previous_queue = celery_app.conf.task_default_queue
        celery_app.conf.task_default_queue = worker.queue
        worker.start()
        try:
            yield worker
        finally:
            worker.stop()
            celery_app.conf.task_default_queue = previous_queue


def wait_for(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def sent_count() -> int:
    return Message.objects.filter(status=Message.Status.SENT).count()


def queue_many(n: int) -> list[int]:
    ids = []
    with transaction.atomic():
        for i in range(n):
            ids.append(queue_otp(i).pk)
    return ids


def expected_bodies(n: int) -> list[str]:
    return [
        f"BHXH: {i:06d} là mã OTP để đăng nhập, hiệu lực 5 phút. "
        "Không cung cấp mã này cho bất kỳ ai."
        for i in range(n)
    ]


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.redis
def test_real_worker_delivers_200_messages_exactly_once(twilio_worker, fake_twilio):
    queue_many(200)
    wait_for(lambda: sent_count() == 200, timeout=90, what="200 messages sent")
    bodies = fake_twilio.bodies()
    assert set(bodies) == set(expected_bodies(200))
    assert max(bodies.values()) == 1
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    # Redaction after sending (the worker runs with NOTIFICATIONS_REDACT_SENT).
    assert not Message.objects.filter(text__contains="000042").exists()


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.redis
def test_worker_killed_mid_run_then_restarted_and_swept_sends_all_once(
    twilio_worker, fake_twilio, settings
):
    """NTF-07: SIGKILL mid-run; only rows in flight at the kill may go out twice."""
    fake_twilio.delay = 0.02  # keep some rows in "sending" when the kill lands
    ids = queue_many(200)
    body_of = dict(zip(ids, expected_bodies(200), strict=True))
    wait_for(lambda: len(fake_twilio.requests) >= 60, timeout=60, what="60 gateway calls")
    twilio_worker.kill()
    in_flight = set(
        Message.objects.filter(status=Message.Status.SENDING).values_list("pk", flat=True)
    )
    sent_before = sent_count()
    assert sent_before < 200, "the worker finished before the kill; nothing was tested"

    twilio_worker.start()  # same queue: picks up what the broker still holds
    # Beat's job, compressed: rows stuck in "sending" for 5 s are given up
    # for lost (the fake answers in milliseconds).
    settings.NOTIFICATIONS_SWEEP_SENDING_AFTER = 5
    settings.NOTIFICATIONS_SWEEP_QUEUED_AFTER = 5

    def all_sent_after_sweep() -> bool:
        message_sweep()
        return sent_count() == 200

    wait_for(all_sent_after_sweep, timeout=120, what="all 200 sent after restart and sweep")

    bodies = fake_twilio.bodies()
    assert set(bodies) == set(body_of.values()), "a message was lost"
    twice = {body for body, seen in bodies.items() if seen > 1}
    assert max(bodies.values()) <= 2
    assert twice <= {body_of[pk] for pk in in_flight}, "a row not in flight went out twice"
    attempts = dict(Message.objects.values_list("pk", "attempts"))
    assert {attempts[pk] for pk in in_flight} <= {2}
    assert {attempts[pk] for pk in ids if pk not in in_flight} == {1}


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.redis
def test_broker_back_after_outage_sweeper_sends_through_the_worker(
    twilio_worker, fake_twilio, settings, redis_url
):
    """NTF-02 end to end: queued while the broker was down, sent once when it returns."""
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0") as celery_app:
        celery_app.conf.task_default_queue = twilio_worker.queue
        started = time.monotonic()
        ids = queue_many(3)
        assert time.monotonic() - started < 3
    assert Message.objects.filter(pk__in=ids, status=Message.Status.QUEUED).count() == 3
    time.sleep(1)
    assert fake_twilio.requests == []

    settings.NOTIFICATIONS_SWEEP_QUEUED_AFTER = 0
    with celery_broker(redis_url) as celery_app:
        celery_app.conf.task_default_queue = twilio_worker.queue
        assert message_sweep() == 3
        wait_for(lambda: sent_count() == 3, timeout=30, what="3 messages sent")
    assert set(fake_twilio.bodies().values()) == {1}


@pytest.mark.django_db
def test_sweeper_waits_for_the_grace_period_and_recovers_stuck_sending_rows(settings):
    """Rows lost by the broker go out again; rows the broker still holds are left alone."""
    import datetime

    from django.utils import timezone

    import time_machine

    settings.NOTIFICATIONS_SWEEP_QUEUED_AFTER = 60
    settings.NOTIFICATIONS_SWEEP_SENDING_AFTER = 300
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        fresh = queue_otp(1)  # never published: no commit in this test
        stuck = queue_otp(2)
        Message.objects.filter(pk=stuck.pk).update(status="sending", claimed_at=now, attempts=1)
        assert message_sweep() == 0
    with time_machine.travel(now + datetime.timedelta(seconds=61), tick=False):
        assert message_sweep() == 1  # the queued row only; "sending" is not stale yet
        assert message_sweep() == 0  # just published: the broker gets another grace period
    with time_machine.travel(now + datetime.timedelta(seconds=301), tick=False):
        assert message_sweep() == 1
    fresh.refresh_from_db()
    stuck.refresh_from_db()
    assert (fresh.status, fresh.attempts) == ("sent", 1)
    assert (stuck.status, stuck.attempts) == ("sent", 2)
