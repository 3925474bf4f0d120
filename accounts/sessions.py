"""Devices, web sessions and API tokens: who is signed in where.

One device at a time: a device is a long-lived signed cookie (web) or the
client's device id (API). Every signed-in browser session has a
``UserSession`` row and every API client an ``ApiToken`` row, so signing a
device out is done on the server: its session is deleted from the session
store and its token revoked.
"""

import hashlib
import re
import secrets
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from vssid_portal.ratelimit import client_ip

from .models import ApiToken, User, UserSession

DEVICE_SALT = "accounts.device"
DEVICE_ID_RE = re.compile(r"[A-Za-z0-9_\-]{8,64}")
SIGNED_IN_AT = "_signed_in_at"
LAST_ACTIVITY = "_last_activity"


# DEVICES ---------------------------------------------------------------------
def device_id_new() -> str:
    return secrets.token_urlsafe(16)


def device_id_from_request(request) -> str | None:
    """The browser's device id from its signed cookie, or the one just issued."""
    issued = getattr(request, "device_id", None)
    if issued:
        return issued
    raw = request.COOKIES.get(settings.DEVICE_COOKIE_NAME)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=DEVICE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) and DEVICE_ID_RE.fullmatch(value) else None


def device_id_ensure(request) -> str:
    """The browser's device id; a new one (cookie set on the response by the
    middleware) when it has none."""
    device_id = device_id_from_request(request)
    if device_id is None:
        device_id = device_id_new()
        request.device_id = device_id
        request.device_cookie_new = True
    return device_id


def device_cookie_set(response, device_id: str) -> None:
    response.set_cookie(
        settings.DEVICE_COOKIE_NAME,
        signing.dumps(device_id, salt=DEVICE_SALT),
        max_age=settings.DEVICE_COOKIE_AGE,
        secure=not settings.DEBUG,
        httponly=True,
        samesite="Lax",
    )


# SESSIONS --------------------------------------------------------------------
def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _active_session_filter(now) -> Q:
    return Q(
        ended_at__isnull=True,
        last_seen_at__gt=now - timedelta(seconds=settings.SESSION_IDLE_TIMEOUT),
        created_at__gt=now - timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT),
    )


@receiver(user_logged_in, dispatch_uid="accounts.user_session_start")
def _on_logged_in(sender, request, user, **kwargs):
    # Django's documented hook for every login() call: the portal's views,
    # /admin/login/ and the test client's force_login all pass here.
    if request is None or not hasattr(request, "session"):
        return
    user_session_start(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="accounts.user_session_end")
def _on_logged_out(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session") or not request.session.session_key:
        return
    UserSession.objects.filter(
        session_key=request.session.session_key, ended_at__isnull=True
    ).update(ended_at=timezone.now(), end_reason=UserSession.EndReason.SIGNED_OUT)


def user_session_start(*, request, user: User) -> UserSession:
    """Record the session ``login()`` has just created (its key is already cycled)."""
    now = timezone.now()
    if request.session.session_key is None:
        request.session.save()
    request.session[SIGNED_IN_AT] = int(now.timestamp())
    request.session[LAST_ACTIVITY] = int(now.timestamp())
    meta = getattr(request, "META", {})
    session, _created = UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "device_id": device_id_from_request(request) or "",
            "created_at": now,
            "last_seen_at": now,
            "ip": client_ip(request) or None,
            "user_agent": meta.get("HTTP_USER_AGENT", "")[:200],
            "ended_at": None,
            "end_reason": "",
        },
    )
    return session


def user_session_touch(*, session_key: str) -> None:
    UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
        last_seen_at=timezone.now()
    )


def user_session_end(*, session_key: str, reason: str) -> None:
    UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason
    )


def revoked_session_reason(*, session_key: str) -> str | None:
    """Why a session the browser still presents was ended by the server."""
    return (
        UserSession.objects.filter(session_key=session_key, ended_at__isnull=False)
        .values_list("end_reason", flat=True)
        .first()
    )


def device_other_active(*, user: User, device_id: str) -> bool:
    """Does another device hold a live web session or API token of ``user``?"""
    now = timezone.now()
    sessions = (
        UserSession.objects.filter(user=user)
        .filter(_active_session_filter(now))
        .exclude(device_id=device_id)
    )
    tokens = ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, refresh_expires_at__gt=now
    ).exclude(device_id=device_id)
    return sessions.exists() or tokens.exists()


def sessions_revoke(
    *,
    user: User,
    reason: str,
    keep_session_key: str | None = None,
    keep_token_id: int | None = None,
    keep_device_id: str | None = None,
) -> int:
    """Sign the account out on the server: delete its sessions from the
    session store and revoke its API tokens, except the ones kept. Returns
    how many sessions and tokens were ended."""
    now = timezone.now()
    sessions = UserSession.objects.filter(user=user, ended_at__isnull=True)
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    if keep_token_id:
        tokens = tokens.exclude(pk=keep_token_id)
    if keep_device_id:
        sessions = sessions.exclude(device_id=keep_device_id)
        tokens = tokens.exclude(device_id=keep_device_id)
    store = _session_store()
    # Deleted at once, inside the caller's transaction: should it roll back,
    # those devices are signed out for nothing, never left signed in.
    for key in sessions.values_list("session_key", flat=True):
        store(session_key=key).delete()
    ended = sessions.update(ended_at=now, end_reason=reason)
    ended += tokens.update(revoked_at=now, revoke_reason=reason)
    return ended


# API TOKENS ------------------------------------------------------------------
def token_digest(key: str) -> str:
    return hashlib.sha256((key or "").encode()).hexdigest()


def api_token_issue(*, user: User, device_id: str) -> tuple[ApiToken, str, str]:
    """A new access/refresh pair for one device (its older tokens are revoked)."""
    now = timezone.now()
    access = secrets.token_urlsafe(32)
    refresh = secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.filter(user=user, device_id=device_id, revoked_at__isnull=True).update(
            revoked_at=now, revoke_reason=UserSession.EndReason.ROTATED
        )
        token = ApiToken.objects.create(
            user=user,
            key_hash=token_digest(access),
            refresh_hash=token_digest(refresh),
            device_id=device_id,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.API_TOKEN_TTL),
            refresh_expires_at=now + timedelta(seconds=settings.API_REFRESH_TTL),
        )
    return token, access, refresh


def api_token_refresh(*, refresh: str, device_id: str) -> tuple[ApiToken, str, str] | None:
    """Swap a refresh key for a new pair; the old pair stops working."""
    now = timezone.now()
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .select_related("user")
            .filter(
                refresh_hash=token_digest(refresh),
                device_id=device_id,
                revoked_at__isnull=True,
                refresh_expires_at__gt=now,
            )
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        return api_token_issue(user=token.user, device_id=device_id)


def api_token_revoke(*, token: ApiToken, reason: str = UserSession.EndReason.SIGNED_OUT) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoke_reason=reason
    )
