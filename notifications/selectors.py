"""Read side of the outbox."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from vssid_portal.validators import normalize_phone

from .models import Message


def recipient_normalize(value: str) -> str:
    """A phone number as stored (E.164), or the e-mail address as typed."""
    value = value.strip()
    if "@" in value:
        return value
    try:
        return normalize_phone(value)
    except ValidationError:
        return value


def message_list(*, recipient: str | None = None) -> QuerySet[Message]:
    """Messages newest first, optionally for one phone number or e-mail address."""
    messages = Message.objects.order_by("-created_at", "-id")
    if recipient:
        messages = messages.filter(recipient__iexact=recipient_normalize(recipient))
    return messages
