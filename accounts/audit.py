from typing import Any

from .models import AccountEvent, User


def account_event_record(
    *,
    user: User,
    action: str,
    actor: User | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AccountEvent:
    """Write one audit row; never put a password, OTP or token in ``detail``."""
    return AccountEvent.objects.create(
        user=user, actor=actor, action=action, ip=ip or None, detail=detail or {}
    )
