import datetime

from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

import pytest

from notifications.exceptions import MessageTemplateDoesNotExist
from notifications.models import Message
from notifications.services import message_deliver, message_queue

PHONE = "0912 345 678"


@pytest.mark.django_db
def test_rollback_after_enqueue_leaves_no_row_and_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                message_queue(
                    channel=Message.Channel.EMAIL,
                    recipient="dan@example.vn",
                    template="declaration_rejected",
                    context={"reference_code": "DK1", "reason": "Ảnh mờ"},
                )
                raise RuntimeError("the business action failed")
    assert callbacks == []
    assert not Message.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_sms_recipient_is_normalised_and_text_rendered_in_vietnamese(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            channel=Message.Channel.SMS,
            recipient=PHONE,
            template="declaration_rejected",
            context={"reference_code": "DK123", "reason": "Ảnh chân dung không rõ & mờ"},
        )
    message.refresh_from_db()
    assert message.recipient == "+84912345678"
    assert message.text == (
        "Bạn có thông báo mới từ BHXH về hồ sơ DK123, xem tại "
        "http://127.0.0.1:8000/dang-ky/tra-cuu/?ma=DK123"
    )
    assert "không rõ & mờ" not in message.text  # the reason is read on the status page
    assert message.status == Message.Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None


@pytest.mark.django_db
def test_invalid_recipients_are_refused():
    with pytest.raises(ValidationError):
        message_queue(channel="sms", recipient="12345", template="otp")
    with pytest.raises(ValidationError):
        message_queue(channel="email", recipient="not-an-address", template="otp")
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_unknown_template_is_a_clear_error():
    with pytest.raises(MessageTemplateDoesNotExist, match="notifications/sms/no_such.txt"):
        message_queue(channel="sms", recipient=PHONE, template="no_such")
    with pytest.raises(MessageTemplateDoesNotExist, match="no_such.subject.txt"):
        message_queue(channel="email", recipient="a@example.vn", template="no_such")


@pytest.mark.django_db
def test_same_idempotency_key_returns_the_existing_row(django_capture_on_commit_callbacks):
    kwargs = {
        "channel": "sms",
        "recipient": PHONE,
        "template": "password_rotation_reminder",
        "context": {"days_left": 14},
        "idempotency_key": "rotation:42:2025-06:14",
    }
    with django_capture_on_commit_callbacks() as callbacks:
        first = message_queue(**kwargs)
        second = message_queue(**kwargs)
    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_about_points_to_the_object(django_user_model):
    user = django_user_model.objects.create(username="0123456789")
    message = message_queue(
        channel="sms",
        recipient=PHONE,
        template="card_expiry_reminder",
        context={"card_number": "DN4797912345678", "valid_to": datetime.date(2025, 12, 31)},
        about=user,
    )
    assert message.about_type == ContentType.objects.get_for_model(user)
    assert message.about == user
    # The SMS only points to the notice kept in the account's message centre.
    entry = user.inbox_entries.get()
    assert message.text.endswith(f"/ca-nhan/thong-bao/{entry.pk}/")
    assert entry.context == {"card_number": "DN4797912345678", "valid_to": "31/12/2025"}


@pytest.mark.django_db
def test_deliver_twice_sends_once(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=False):
        message = message_queue(
            channel="email",
            recipient="dan@example.vn",
            template="declaration_rejected",
            context={"reference_code": "DK9", "reason": "Thiếu giấy tờ"},
        )
    message_deliver(message_id=message.pk)
    message_deliver(message_id=message.pk)
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 1


@pytest.mark.django_db
def test_sensitive_values_are_masked_in_the_redacted_copy():
    message = message_queue(
        channel="sms",
        recipient=PHONE,
        template="account_approved",
        context={"username": "0123456789", "password": "8273649105"},
        sensitive=["password"],
    )
    assert "8273649105" in message.text
    assert "8273649105" not in message.redacted_text
    assert "******" in message.redacted_text
    assert message.display_text(debug=False) == message.redacted_text
