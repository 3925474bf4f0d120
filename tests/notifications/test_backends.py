import email
import email.policy
from email.header import decode_header, make_header
from email.message import EmailMessage

from django.core import mail

import pytest

from notifications.models import Message
from notifications.services import message_queue

from .conftest import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER

OTP_CONTEXT = {"code": "042917", "purpose_label": "đăng nhập", "minutes": 5}


def queue_sms(**context) -> Message:
    return message_queue(
        channel="sms",
        recipient="0912 345 678",
        template="otp",
        context={**OTP_CONTEXT, **context},
        sensitive=["code"],
    )


@pytest.mark.django_db
def test_twilio_client_sends_account_from_to_and_body(
    twilio_settings, fake_twilio, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms()
    [request] = fake_twilio.requests
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.basic_auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.form["From"] == FROM_NUMBER
    assert request.form["To"] == "+84912345678"
    assert request.form["Body"].startswith("BHXH: 042917 là mã OTP để đăng nhập, hiệu lực 5 phút.")
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")


@pytest.mark.django_db
def test_twilio_5xx_is_retried_until_accepted(
    twilio_settings, fake_twilio, django_capture_on_commit_callbacks
):
    fake_twilio.responses.extend([500, 500, 201])
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms()
    message.refresh_from_db()
    assert len(fake_twilio.requests) == 3
    assert (message.status, message.attempts) == ("sent", 3)
    assert message.sent_at is not None


@pytest.mark.django_db
def test_twilio_4xx_is_a_recorded_permanent_failure(
    twilio_settings, fake_twilio, django_capture_on_commit_callbacks
):
    fake_twilio.responses.append(400)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms()
    message.refresh_from_db()
    assert len(fake_twilio.requests) == 1
    assert (message.status, message.attempts) == ("failed", 1)
    assert "21211" in message.last_error
    assert "not a valid phone number" in message.last_error
    assert message.sent_at is None


@pytest.mark.django_db
def test_unreachable_gateway_keeps_the_message_queued_with_the_error(
    twilio_settings, django_capture_on_commit_callbacks
):
    from .conftest import free_port

    twilio_settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{free_port()}"
    twilio_settings.NOTIFICATIONS_MAX_ATTEMPTS = 100
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms()
    message.refresh_from_db()
    # The eager retry chain ran out (1 + max_retries tries); the row waits
    # for the sweeper instead of being lost.
    assert message.status == "queued"
    assert message.attempts == 9
    assert "unreachable" in message.last_error


@pytest.mark.django_db
def test_gateway_errors_give_up_after_max_attempts(
    twilio_settings, fake_twilio, django_capture_on_commit_callbacks
):
    twilio_settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    fake_twilio.responses.extend([503, 503, 503])
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 2)
    assert message.last_error.startswith("gave up after 2 attempts")


@pytest.mark.django_db
def test_console_backend_prints_the_sms(settings, capsys, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "console"
    with django_capture_on_commit_callbacks(execute=True):
        queue_sms()
    out = capsys.readouterr().out
    assert "SMS to +84912345678" in out
    assert "042917 là mã OTP" in out


@pytest.mark.django_db
def test_outbox_backend_keeps_the_text_viewable(settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "outbox"
    settings.NOTIFICATIONS_REDACT_SENT = False
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms()
    message.refresh_from_db()
    assert message.status == "sent"
    assert "042917" in message.text


@pytest.mark.django_db
def test_smtp_delivers_vietnamese_utf8_subject_body_and_attachment(
    settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    pdf = b"%PDF-1.4\n% to khai\n%%EOF\n"
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            channel="email",
            recipient="nguyen.van.a@example.vn",
            template="declaration_received",
            context={
                "reference_code": "DK123",
                "download_url": "http://127.0.0.1:8000/dang-ky/tai/DK123/",
                "office_name": "BHXH Quận 4",
            },
            attachments=[("to-khai-DK123.pdf", pdf, "application/pdf")],
        )
    message.refresh_from_db()
    assert message.status == "sent"
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["nguyen.van.a@example.vn"]
    parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    # Django folds a long encoded subject right after "Subject:"; mail
    # clients drop that folding whitespace, as RFC 2047 decoding does.
    raw = email.message_from_bytes(envelope.content)["Subject"]
    assert str(make_header(decode_header(raw))) == (
        "Đã nhận tờ khai đăng ký giao dịch điện tử số DK123"
    )
    text = parsed.get_body(("plain",)).get_content()
    assert "Cơ quan BHXH tiếp nhận: BHXH Quận 4" in text
    assert "Quý khách vui lòng mang giấy tờ tùy thân" in text
    html = parsed.get_body(("html",)).get_content()
    assert "<strong>DK123</strong>" in html
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "to-khai-DK123.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf


@pytest.mark.django_db
def test_smtp_server_down_is_retried_not_failed(settings, django_capture_on_commit_callbacks):
    from .conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            channel="email",
            recipient="a@example.vn",
            template="password_rotation_reminder",
            context={"days_left": 3},
        )
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 3)
    assert "SMTP unreachable" in message.last_error
    assert mail.outbox == []
