"""Write side of the outbox: queue, deliver, sweep, resend.

A business action calls ``message_queue`` inside its own transaction; the
row is written there and the send task is published only after commit, so
a rolled-back action sends nothing and a broker outage at commit time
leaves a ``queued`` row that ``message_sweep`` publishes again later.
``message_deliver`` (and ``message_deliver_batch`` for a batch's rows)
claims with a conditional UPDATE, so however many times its task runs, the
message goes out once (see docs/security.md §0.6: a worker killed between
the gateway call and the mark makes those rows at-least-once).
"""

import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from vssid_portal.validators import normalize_phone

from .backends import email_send, sms_backend_get
from .exceptions import GatewayError, PermanentGatewayError
from .inbox import inbox_notice_record
from .models import Message, MessageAttachment
from .rendering import message_render
from .tasks import message_send_batch_task, message_send_task

logger = logging.getLogger(__name__)

# Celery's retry_backoff_max: retry countdowns stay well below Redis'
# visibility_timeout (1 h), and the sweeper waits at least this long.
RETRY_BACKOFF_MAX = 600


def message_queue(
    *,
    channel: str,
    recipient: str,
    template: str,
    context: dict | None = None,
    about: models.Model | None = None,
    idempotency_key: str | None = None,
    sensitive: Iterable[str] = (),
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> Message:
    """Write an outbox row in the caller's transaction; send it after commit.

    ``template`` names ``notifications/sms/<template>.txt`` or the
    ``notifications/email/<template>.subject.txt`` and ``.txt`` (and
    optional ``.html``) files, rendered now in Vietnamese with ``context``.
    Values of the ``sensitive`` context keys are masked in the redacted
    copy used for display and kept after sending. With an
    ``idempotency_key`` already used, the existing row is returned and
    nothing new is sent. ``attachments`` are (filename, bytes, content type)
    for e-mail. A notice about an account (``about``) is also kept in its
    message centre (``notifications.inbox``), once for all its channels,
    and the templates get its address as ``inbox_url``. Raises
    ``ValidationError`` for a bad recipient and ``MessageTemplateDoesNotExist``
    for an unknown template.
    """
    if channel == Message.Channel.SMS:
        recipient = normalize_phone(recipient)
        if attachments:
            raise ValueError("SMS messages cannot carry attachments.")
    elif channel == Message.Channel.EMAIL:
        recipient = recipient.strip()
        validate_email(recipient)
    else:
        raise ValueError(f"Unknown channel {channel!r}.")
    if idempotency_key is not None:
        existing = Message.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing

    def write() -> Message:
        # The message centre keeps the notice (one entry for all of its
        # channels); the SMS or e-mail then points to that entry.
        entry = inbox_notice_record(
            template=template, about=about, context=dict(context or {}), sensitive=sensitive
        )
        full_context = dict(context or {})
        if entry is not None:
            full_context["inbox_url"] = settings.SITE_URL + entry.get_absolute_url()
        rendered = message_render(
            channel=channel, template=template, context=full_context, sensitive=sensitive
        )
        message = Message(
            channel=channel,
            recipient=recipient,
            template=template,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            redacted_text=rendered.redacted_text,
            redacted_html=rendered.redacted_html,
            idempotency_key=idempotency_key,
        )
        if about is not None:
            message.about_type = ContentType.objects.get_for_model(about)
            message.about_id = str(about.pk)
        message.save()
        return message

    if idempotency_key is None:
        # Nothing in a new queued row can break a constraint at insert time
        # (foreign keys are checked at commit), so no savepoint: it would
        # cost two of the three round trips of a bulk job's message. Outside
        # a transaction, the inbox entry and the row are written together.
        in_transaction = transaction.get_connection().in_atomic_block
        with contextlib.nullcontext() if in_transaction else transaction.atomic():
            message = write()
    else:
        try:
            # A savepoint: a concurrent insert of the same key must not
            # break the caller's transaction (nor leave a second inbox entry).
            with transaction.atomic():
                message = write()
        except IntegrityError:
            return Message.objects.get(idempotency_key=idempotency_key)
    for filename, content, content_type in attachments:
        attachment = MessageAttachment(
            message=message, filename=filename, content_type=content_type
        )
        attachment.file.save(filename, ContentFile(content), save=True)
    publish = _publish_after_commit(message.pk)
    if publish is not None:
        transaction.on_commit(publish, robust=True)
    logger.info("message.queued id=%s channel=%s template=%s", message.pk, channel, template)
    return message


# Messages queued in one transaction are sent by one task per this many:
# a bulk job (reminders, a surge of approvals) costs a broker round trip
# and a task per batch instead of per message, and batches still spread
# over the worker's processes.
PUBLISH_BATCH = 50


def message_publish(*, message_id: int) -> None:
    """Hand a message to the broker; errors propagate (the caller decides)."""
    message_send_task.apply_async(args=[message_id])


def message_publish_batch(*, message_ids: list[int]) -> None:
    """Hand several messages to the broker as one task (one id: the plain task)."""
    if len(message_ids) == 1:
        message_publish(message_id=message_ids[0])
    else:
        message_send_batch_task.apply_async(args=[message_ids])


def _publish_after_commit(message_id: int) -> Callable[[], None] | None:
    """The after-commit publisher for a new message, or None if one pending takes it.

    Inside a transaction, a message joins the publisher that an earlier
    message of the same savepoint registered (until ``PUBLISH_BATCH``), so
    the batch is discarded with that savepoint if it rolls back; a task for
    a rolled-back row would only skip it (the claim finds no queued row).
    """
    connection_ = transaction.get_connection()
    if connection_.in_atomic_block:
        savepoints = set(connection_.savepoint_ids)
        for entry in reversed(connection_.run_on_commit):
            ids = getattr(entry[1], "message_ids", None)
            if ids is not None and entry[0] == savepoints and len(ids) < PUBLISH_BATCH:
                ids.append(message_id)
                return None
    message_ids = [message_id]

    # A named closure, not functools.partial: Django's robust on_commit
    # error path formats ``func.__qualname__``, which a partial lacks, and
    # would raise AttributeError into the citizen's request.
    def publish() -> None:
        try:
            message_publish_batch(message_ids=message_ids)
        except Exception as exc:
            # The broker is down: the rows stay queued and the sweeper
            # publishes them once the broker is back.
            logger.warning("message.publish_failed ids=%s error=%r", message_ids, exc)

    publish.message_ids = message_ids
    return publish


def _retry_delay(attempts: int) -> timedelta:
    """The longest countdown Celery's retry_backoff may pick after ``attempts`` tries."""
    return timedelta(seconds=min(RETRY_BACKOFF_MAX, 2 ** max(attempts - 1, 0)))


def message_deliver(*, message_id: int) -> None:
    """Send one queued message, once.

    The conditional UPDATE is the claim: of any number of concurrent or
    repeated tasks for this row, exactly one moves it from ``queued`` to
    ``sending`` and goes on to the gateway. Raises ``GatewayError`` after
    putting the row back to ``queued``, so the task retries with backoff.
    """
    claimed = _messages_claim(message_ids=[message_id])
    if not claimed:
        logger.info("message.skip id=%s reason=not_queued", message_id)
        return
    [message] = claimed
    try:
        _message_send(message)
    except Exception as exc:
        if _message_settle_failure(message=message, exc=exc):
            raise
        return
    _messages_mark_sent(messages=[message])


# A batch task marks its sent rows in one UPDATE per this many (and at its
# end): a worker killed mid-batch may send again the rows already sent but
# not yet marked, at most this many plus those in flight.
MARK_SENT_EVERY = 10


def message_deliver_batch(*, message_ids: list[int]) -> None:
    """Send several messages, each exactly once as ``message_deliver`` would.

    One UPDATE claims every row still queued; the SMS then go out
    ``NOTIFICATIONS_SEND_THREADS`` at a time (the gateway's latency, not
    the CPU, is what a worker waits on), e-mails one after another, and the
    sent rows are marked a few at a time. A row the gateway refuses for now
    goes back to ``queued`` and gets its own retrying task after the
    backoff; the batch goes on with the others. Claimed rows a killed
    worker did not send stay ``sending`` until the sweeper hands them out
    again (sent once); only rows already sent but not yet marked may go out
    twice (docs/security.md).
    """
    messages = _messages_claim(message_ids=message_ids)
    claimed = {message.pk for message in messages}
    for message_id in message_ids:
        if message_id not in claimed:
            logger.info("message.skip id=%s reason=not_queued", message_id)
    sms = [m for m in messages if m.channel == Message.Channel.SMS]
    others = [m for m in messages if m.channel != Message.Channel.SMS]
    sent: list[Message] = []

    def settle(message: Message, exc: BaseException | None) -> None:
        if exc is None:
            sent.append(message)
            if len(sent) >= MARK_SENT_EVERY:
                _messages_mark_sent(messages=sent)
                sent.clear()
        elif _message_settle_failure(message=message, exc=exc):
            _message_publish_retry(message=message)

    threads = min(settings.NOTIFICATIONS_SEND_THREADS, len(sms))
    if threads > 1:
        # The threads only talk to the gateway; every database write stays
        # in this thread (and its connection). Threads of this task only:
        # a claimed row waits at most len(sms) / threads gateway timeouts,
        # far below NOTIFICATIONS_SWEEP_SENDING_AFTER, after which the
        # sweeper would hand it out again.
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sms-send") as pool:
            futures = {pool.submit(_message_send, message): message for message in sms}
            for message in others:
                settle(message, _message_send_error(message))
            for future in as_completed(futures):
                settle(futures[future], future.exception())
    else:
        for message in sms + others:
            settle(message, _message_send_error(message))
    if sent:
        _messages_mark_sent(messages=sent)


def _message_send(message: Message) -> None:
    """Hand the message to its channel; raises what the backend raises."""
    if message.channel == Message.Channel.SMS:
        sms_backend_get().send(message=message)
    else:
        email_send(message=message)


def _message_send_error(message: Message) -> Exception | None:
    try:
        _message_send(message)
    except Exception as exc:
        return exc
    return None


def _message_settle_failure(*, message: Message, exc: BaseException) -> bool:
    """Record a failed send; True if it is worth a retry (``GatewayError``)."""
    if isinstance(exc, GatewayError):
        _message_fail_transient(message=message, error=str(exc))
        return True
    if isinstance(exc, PermanentGatewayError):
        _message_mark(message.pk, status=Message.Status.FAILED, last_error=str(exc))
        logger.warning("message.failed id=%s error=%s", message.pk, exc)
        return False
    # A bug or misconfiguration: record it instead of leaving the row in
    # "sending" for the sweeper to retry forever. Only the class name: some
    # exception texts quote the message body.
    _message_mark(
        message.pk, status=Message.Status.FAILED, last_error=f"internal: {type(exc).__name__}"
    )
    logger.error("message.error id=%s error=%s", message.pk, type(exc).__name__)
    return False


def _message_publish_retry(*, message: Message) -> None:
    """A row of a batch the gateway refused for now: its own retrying task, after the backoff."""
    if message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        return  # given up (failed), nothing to retry
    delay = _retry_delay(message.attempts).total_seconds()
    try:
        message_send_task.apply_async(args=[message.pk], countdown=delay)
    except Exception as exc:
        # The row is queued with its next attempt time: the sweeper
        # publishes it once the broker is back. The batch goes on.
        logger.warning("message.publish_failed ids=%s error=%r", [message.pk], exc)


def _messages_claim(*, message_ids: list[int]) -> list[Message]:
    """Move the rows from ``queued`` to ``sending`` and return them, in one statement.

    ``UPDATE … RETURNING`` (PostgreSQL, SQLite ≥ 3.35): the claim and the
    read of the rows are one round trip and one commit, whatever their
    number. Rows come back in the order of ``message_ids``.
    """
    ids = list(dict.fromkeys(message_ids))
    if not ids:
        return []
    meta = Message._meta
    table = connection.ops.quote_name(meta.db_table)
    column = {f.name: connection.ops.quote_name(f.column) for f in meta.concrete_fields}
    now = timezone.now()
    claimed = Message.objects.raw(
        f"UPDATE {table} SET {column['status']} = %s, {column['claimed_at']} = %s, "  # noqa: S608
        f"{column['attempts']} = {column['attempts']} + 1, {column['updated_at']} = %s "
        f"WHERE {column['id']} IN ({', '.join(['%s'] * len(ids))}) "
        f"AND {column['status']} = %s "
        f"RETURNING {', '.join(column.values())}",
        [Message.Status.SENDING, now, now, *ids, Message.Status.QUEUED],
    )
    order = {message_id: i for i, message_id in enumerate(ids)}
    return sorted(claimed, key=lambda message: order[message.pk])


def _messages_mark_sent(*, messages: list[Message]) -> None:
    fields: dict = {"status": Message.Status.SENT, "sent_at": timezone.now(), "last_error": ""}
    if settings.NOTIFICATIONS_REDACT_SENT:
        fields.update(text=F("redacted_text"), html=F("redacted_html"), is_redacted=True)
    Message.objects.filter(pk__in=[message.pk for message in messages]).update(
        updated_at=timezone.now(), **fields
    )
    for message in messages:
        logger.info("message.sent id=%s attempts=%s", message.pk, message.attempts)


def _message_mark(message_id: int, **fields) -> None:
    Message.objects.filter(pk=message_id).update(updated_at=timezone.now(), **fields)


def _message_fail_transient(*, message: Message, error: str) -> None:
    if message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        _message_mark(
            message.pk,
            status=Message.Status.FAILED,
            last_error=f"gave up after {message.attempts} attempts: {error}",
        )
        logger.warning("message.failed id=%s attempts=%s", message.pk, message.attempts)
        return
    _message_mark(
        message.pk,
        status=Message.Status.QUEUED,
        last_error=error,
        next_attempt_at=timezone.now() + _retry_delay(message.attempts),
    )
    logger.warning("message.retry id=%s attempts=%s", message.pk, message.attempts)


def message_sweep(*, limit: int = 1000) -> int:
    """Publish again what the broker lost; return how many were published.

    Picks rows ``queued`` for longer than ``NOTIFICATIONS_SWEEP_QUEUED_AFTER``
    seconds past their next attempt (the broker was down at commit time, or
    a retry chain ran out), and rows ``sending`` for longer than
    ``NOTIFICATIONS_SWEEP_SENDING_AFTER`` (the worker died during the
    gateway call; such a row may reach the citizen twice).
    """
    now = timezone.now()
    sending_cutoff = now - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_SENDING_AFTER)
    queued_cutoff = now - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_QUEUED_AFTER)
    stale = Message.objects.filter(status=Message.Status.SENDING, claimed_at__lt=sending_cutoff)
    stale_ids = list(stale.values_list("pk", flat=True)[:limit])
    if stale_ids:
        Message.objects.filter(pk__in=stale_ids, status=Message.Status.SENDING).update(
            status=Message.Status.QUEUED,
            last_error="worker lost while sending",
            next_attempt_at=queued_cutoff,
            updated_at=now,
        )
        logger.warning("message.sweep_stale count=%s", len(stale_ids))
    due = Message.objects.filter(
        Q(next_attempt_at__lte=queued_cutoff) | Q(pk__in=stale_ids), status=Message.Status.QUEUED
    ).order_by("next_attempt_at")
    ids = list(due.values_list("pk", flat=True)[:limit])
    # The next sweep leaves them to the broker for another grace period.
    Message.objects.filter(pk__in=ids).update(next_attempt_at=now)
    published = 0
    for message_id in ids:
        try:
            message_publish(message_id=message_id)
        except Exception as exc:
            logger.warning("message.sweep_publish_failed error=%s", type(exc).__name__)
            break
        published += 1
    if ids:
        logger.info("message.sweep published=%s due=%s", published, len(ids))
    return published


@transaction.atomic
def message_resend(*, message_ids: Iterable[int]) -> int:
    """Queue failed messages again (an operator's decision); return how many."""
    ids = list(
        Message.objects.select_for_update()
        .filter(pk__in=list(message_ids), status=Message.Status.FAILED)
        .values_list("pk", flat=True)
    )
    Message.objects.filter(pk__in=ids).update(
        status=Message.Status.QUEUED, next_attempt_at=timezone.now(), updated_at=timezone.now()
    )
    for message_id in ids:
        publish = _publish_after_commit(message_id)
        if publish is not None:
            transaction.on_commit(publish, robust=True)
    logger.info("message.resend count=%s", len(ids))
    return len(ids)
