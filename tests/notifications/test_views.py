import json
import logging
from io import StringIO

from django.contrib.admin.sites import site
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

import pytest

from notifications.models import Message
from notifications.services import message_queue

PASSWORD = "8273649105"
OTP = "604213"


def approve_notices() -> tuple[Message, Message]:
    context = {"username": "0123456789", "password": PASSWORD}
    sms = message_queue(
        channel="sms",
        recipient="0912345678",
        template="account_approved",
        context=context,
        sensitive=["password"],
    )
    email = message_queue(
        channel="email",
        recipient="dan@example.vn",
        template="account_approved",
        context=context,
        sensitive=["password"],
    )
    return sms, email


@pytest.mark.django_db
def test_dev_outbox_is_404_without_debug(client, settings):
    settings.DEBUG = False
    assert client.get("/dev/outbox/").status_code == 404


@pytest.mark.django_db
def test_dev_outbox_lists_newest_first_with_full_text_in_debug(client, settings):
    settings.DEBUG = True
    message_queue(
        channel="sms",
        recipient="0912345678",
        template="password_rotation_reminder",
        context={"days_left": 14},
    )
    message_queue(
        channel="sms",
        recipient="0987654321",
        template="otp",
        context={"code": OTP, "purpose_label": "đổi mật khẩu", "minutes": 5},
        sensitive=["code"],
    )
    response = client.get(reverse("notifications:outbox"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("+84987654321") < page.index("+84912345678")
    assert f"{OTP} là mã OTP để đổi mật khẩu" in page
    filtered = client.get("/dev/outbox/", {"to": "0912 345 678"}).content.decode()
    assert "+84912345678" in filtered
    assert "+84987654321" not in filtered


@pytest.mark.django_db
def test_dev_outbox_paginates(client, settings):
    settings.DEBUG = True
    for days in range(55):
        message_queue(
            channel="sms",
            recipient="0912345678",
            template="password_rotation_reminder",
            context={"days_left": days},
        )
    first = client.get("/dev/outbox/")
    assert len(first.context["messages_sent"]) == 50
    second = client.get("/dev/outbox/", {"page": 2})
    assert len(second.context["messages_sent"]) == 5


@pytest.mark.django_db
def test_outbox_command_prints_json_lines_for_one_recipient(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.NOTIFICATIONS_REDACT_SENT = False
    with django_capture_on_commit_callbacks(execute=True):
        approve_notices()
    out = StringIO()
    call_command("outbox", "--json", "--to", "0912 345 678", "--last", "5", stdout=out)
    [line] = out.getvalue().splitlines()
    row = json.loads(line)
    assert row["channel"] == "sms"
    assert row["to"] == "+84912345678"
    assert row["status"] == "sent"
    assert PASSWORD in row["text"]
    assert row["created"]


@pytest.mark.django_db
def test_outbox_command_hides_sensitive_codes_without_debug(settings):
    settings.DEBUG = False
    settings.NOTIFICATIONS_REDACT_SENT = False
    approve_notices()
    out = StringIO()
    call_command("outbox", "--json", "--last", "1", "--to", "0912345678", stdout=out)
    row = json.loads(out.getvalue())
    assert PASSWORD not in row["text"]
    assert "******" in row["text"]
    out = StringIO()
    call_command("outbox", stdout=out)
    assert "account_approved" in out.getvalue()
    assert PASSWORD not in out.getvalue()


@pytest.mark.django_db
def test_initial_password_never_in_email_logs_or_stored_row_after_sending(
    settings, caplog, django_capture_on_commit_callbacks
):
    """NTF-06 / OTP-08."""
    settings.NOTIFICATIONS_REDACT_SENT = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        sms, email = approve_notices()
    [sent_mail] = mail.outbox
    assert PASSWORD not in sent_mail.body + sent_mail.subject
    assert "0123456789" not in sent_mail.body + sent_mail.subject  # no mã số either
    sms.refresh_from_db()
    email.refresh_from_db()
    assert sms.status == email.status == "sent"
    for message in (sms, email):
        stored = " ".join([message.subject, message.text, message.html, message.redacted_text])
        assert PASSWORD not in stored
    assert sms.is_redacted
    assert "Mật khẩu khởi tạo: ******" in sms.text
    assert caplog.records
    for record in caplog.records:
        assert PASSWORD not in record.getMessage()


@pytest.mark.django_db
def test_admin_lists_filters_and_resends_failed_rows(
    admin_client, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = False
    sms, _ = approve_notices()
    Message.objects.filter(pk=sms.pk).update(status="failed", last_error="[21211] invalid")
    changelist = reverse("admin:notifications_message_changelist")
    response = admin_client.get(changelist, {"status__exact": "failed", "q": "+8491"})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [sms]
    detail = admin_client.get(reverse("admin:notifications_message_change", args=[sms.pk]))
    assert PASSWORD not in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            changelist, {"action": "resend", "_selected_action": [sms.pk]}, follow=True
        )
    assert response.status_code == 200
    sms.refresh_from_db()
    assert sms.status == "sent"  # eager in tests: queued again and sent
    assert sms.attempts == 1
    assert not site._registry[Message].has_change_permission(response.wsgi_request)
