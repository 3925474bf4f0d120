"""The account app's door to the outbox (``notifications``).

Every notice is queued inside the caller's transaction, so it is sent only
if the action it reports is committed. Templates named here live in
``accounts/templates/notifications/`` (``otp`` and
``password_rotation_reminder`` are shipped by ``notifications``).
"""

from collections.abc import Iterable

from django.db import models


def notice_queue(
    *,
    channel: str,
    recipient: str,
    template: str,
    context: dict,
    about: models.Model | None = None,
    idempotency_key: str | None = None,
    sensitive: Iterable[str] = (),
):
    """Queue one SMS or e-mail; nothing happens when there is no recipient."""
    if not recipient:
        return None
    from notifications.services import message_queue

    return message_queue(
        channel=channel,
        recipient=recipient,
        template=template,
        context=context,
        about=about,
        idempotency_key=idempotency_key,
        sensitive=tuple(sensitive),
    )


def notice_to_owner(
    *, user, template: str, context: dict | None = None, sms: bool = True, email: bool = True
) -> None:
    """Tell the account's owner by SMS and e-mail (when they have them)."""
    context = {"username": user.username, "full_name": user.full_name, **(context or {})}
    from .selectors import account_sms_phone

    if sms:
        notice_queue(
            channel="sms",
            recipient=account_sms_phone(user=user),
            template=template,
            context=context,
            about=user,
        )
    if email:
        notice_queue(
            channel="email", recipient=user.email, template=template, context=context, about=user
        )
