"""Account actions: passwords, recovery, contact change, device takeover,
staff unlock and initial passwords. OTP-confirmed actions are the
``apply`` callbacks that ``accounts.otp.otp_confirm`` runs in the
transaction that uses the code."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from vssid_portal.ratelimit import RateLimited, rate_limit

from .audit import account_event_record
from .models import AccountEvent, OtpChallenge, PasswordHistory, User, UserSession
from .notices import notice_queue, notice_to_owner
from .otp import otp_send
from .selectors import account_sms_phone, staff_can_manage_account
from .sessions import sessions_revoke

Purpose = OtpChallenge.Purpose


# PASSWORDS -------------------------------------------------------------------
def user_password_set(
    *, user: User, encoded: str, must_change: bool = False, initial_days: int | None = None
) -> User:
    """Store a password hash and remember it in the history (last N kept)."""
    now = timezone.now()
    user.password = encoded
    user.password_changed_at = now
    user.must_change_password = must_change
    user.initial_password_expires_at = (
        now + timedelta(days=initial_days) if initial_days is not None else None
    )
    user.save(
        update_fields=[
            "password",
            "password_changed_at",
            "must_change_password",
            "initial_password_expires_at",
        ]
    )
    PasswordHistory.objects.create(user=user, password=encoded)
    keep = list(
        user.password_history.values_list("pk", flat=True)[: settings.PASSWORD_HISTORY_COUNT]
    )
    user.password_history.exclude(pk__in=keep).delete()
    return user


def initial_password_generate() -> str:
    """10 random digits from ``secrets`` (docs/security.md, initial password)."""
    return f"{secrets.randbelow(10**10):010d}"


@transaction.atomic
def account_initial_password_issue(
    *,
    user: User,
    actor: User | None = None,
    ip: str | None = None,
    sms_template: str = "initial_password",
) -> None:
    """Give the account a new initial password by SMS, valid 30 days.

    Nobody sees or chooses it (ASVS 6.4.6): it exists only in the SMS. Used
    on approval (no actor; ``sms_template="account_approved"``) and by a
    clerk ("cấp lại mật khẩu khởi tạo"). A clerk reissuing after checking
    the citizen's ID also clears the lock.
    """
    if actor is not None and not staff_can_manage_account(staff=actor, user=user):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    password = initial_password_generate()
    user_password_set(
        user=user,
        encoded=make_password(password),
        must_change=True,
        initial_days=settings.INITIAL_PASSWORD_DAYS,
    )
    was_locked = user.locked_at is not None
    if was_locked or user.failed_logins:
        user.failed_logins = 0
        user.locked_at = None
        user.save(update_fields=["failed_logins", "locked_at"])
    sessions_revoke(user=user, reason=UserSession.EndReason.PASSWORD_RESET)
    account_event_record(
        user=user,
        actor=actor,
        ip=ip,
        action=AccountEvent.Action.INITIAL_PASSWORD_ISSUED,
        detail={"unlocked": was_locked},
    )
    notice_queue(
        channel="sms",
        recipient=account_sms_phone(user=user),
        template=sms_template,
        context={
            "username": user.username,
            "password": password,
            "days": settings.INITIAL_PASSWORD_DAYS,
        },
        about=user,
        sensitive=("password",),
    )


def password_change_request(
    *, user: User, new_password: str, ip: str | None = None
) -> tuple[OtpChallenge, str]:
    """Step 1 of "Đổi mật khẩu": the new password waits, hashed, in the
    challenge; nothing changes until the SMS code is confirmed."""
    return otp_send(
        user=user,
        purpose=Purpose.PASSWORD_CHANGE,
        payload={"password": make_password(new_password)},
        ip=ip,
    )


def password_change_apply(
    challenge: OtpChallenge,
    *,
    keep_session_key: str | None = None,
    keep_token_id: int | None = None,
    ip: str | None = None,
) -> User:
    user = User.objects.select_for_update().get(pk=challenge.user_id)
    user_password_set(user=user, encoded=challenge.payload["password"])
    challenge.payload = {}
    challenge.save(update_fields=["payload"])
    sessions_revoke(
        user=user,
        reason=UserSession.EndReason.PASSWORD_CHANGED,
        keep_session_key=keep_session_key,
        keep_token_id=keep_token_id,
    )
    account_event_record(user=user, ip=ip, actor=user, action=AccountEvent.Action.PASSWORD_CHANGED)
    notice_to_owner(user=user, template="password_changed", email=False)
    return user


# FORGOTTEN PASSWORD ----------------------------------------------------------
def password_reset_request(*, username: str, phone: str, ip: str | None = None) -> str:
    """Send a code when the number and phone belong together; return a nonce
    either way, so the reply is the same whether the pair exists."""
    limits = settings.ACCOUNTS_RATE_LIMITS
    if ip:
        rate_limit(scope="forgot-ip", key=ip, **limits["forgot_ip"])
    rate_limit(
        scope="forgot-account",
        key=hashlib.sha256(username.encode()).hexdigest(),
        **limits["forgot_account"],
    )
    user = User.objects.filter(username=username, phone=phone, is_active=True).first()
    if user is None:
        return secrets.token_urlsafe(32)
    try:
        _challenge, nonce = otp_send(user=user, purpose=Purpose.PASSWORD_RESET, ip=ip)
    except RateLimited:
        # A 429 here but not for a made-up pair would tell the two apart.
        return secrets.token_urlsafe(32)
    return nonce


@transaction.atomic
def password_reset_complete(*, user: User, new_password: str, ip: str | None = None) -> User:
    """Set the new password and sign every device out. A locked account
    stays locked: only a clerk or an administrator unlocks."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user_password_set(user=user, encoded=make_password(new_password))
    sessions_revoke(user=user, reason=UserSession.EndReason.PASSWORD_RESET)
    account_event_record(user=user, ip=ip, actor=user, action=AccountEvent.Action.PASSWORD_RESET)
    notice_to_owner(user=user, template="password_changed", email=False)
    return user


# CONTACT CHANGE --------------------------------------------------------------
def contact_change_request(
    *, user: User, phone: str, email: str, ip: str | None = None
) -> tuple[OtpChallenge, str]:
    """The code goes to the registered e-mail, or to the new one when the
    account had none."""
    return otp_send(
        user=user,
        purpose=Purpose.CONTACT_CHANGE,
        channel=OtpChallenge.Channel.EMAIL,
        recipient=user.email or email,
        payload={"phone": phone, "email": email},
        ip=ip,
    )


def contact_change_apply(challenge: OtpChallenge, *, ip: str | None = None) -> User:
    user = User.objects.select_for_update().get(pk=challenge.user_id)
    old_phone, old_email = user.phone, user.email
    fields = []
    if challenge.payload.get("phone"):
        user.phone = challenge.payload["phone"]
        fields.append("phone")
    if challenge.payload.get("email"):
        user.email = challenge.payload["email"]
        fields.append("email")
    user.save(update_fields=fields)
    account_event_record(
        user=user,
        actor=user,
        ip=ip,
        action=AccountEvent.Action.CONTACT_CHANGED,
        detail={"fields": fields},
    )
    context = {
        "username": user.username,
        "phone_changed": "phone" in fields,
        "email_changed": "email" in fields,
        "hotline": settings.HOTLINE,
    }
    # Old and new addresses both hear of it: a thief who changed them
    # cannot keep the owner from knowing.
    for channel, recipient in {
        ("sms", old_phone),
        ("sms", user.phone),
        ("email", old_email),
        ("email", user.email),
    }:
        notice_queue(
            channel=channel,
            recipient=recipient,
            template="contact_changed",
            context=context,
            about=user,
        )
    return user


# DEVICES ---------------------------------------------------------------------
def device_takeover_request(
    *, user: User, device_id: str, ip: str | None = None
) -> tuple[OtpChallenge, str]:
    return otp_send(
        user=user, purpose=Purpose.DEVICE_TAKEOVER, payload={"device_id": device_id}, ip=ip
    )


def device_takeover_apply(challenge: OtpChallenge, *, ip: str | None = None) -> User:
    """Sign every other device out; the caller then signs this one in."""
    user = User.objects.select_for_update().get(pk=challenge.user_id)
    device_id = challenge.payload["device_id"]
    ended = sessions_revoke(
        user=user, reason=UserSession.EndReason.TAKEOVER, keep_device_id=device_id
    )
    account_event_record(
        user=user,
        actor=user,
        ip=ip,
        action=AccountEvent.Action.DEVICE_TAKEOVER,
        detail={"ended": ended},
    )
    notice_to_owner(
        user=user, template="device_takeover", context={"hotline": settings.HOTLINE}, email=False
    )
    return user


@transaction.atomic
def sessions_end_everywhere(*, user: User, ip: str | None = None) -> int:
    ended = sessions_revoke(user=user, reason=UserSession.EndReason.SIGNED_OUT_EVERYWHERE)
    account_event_record(
        user=user,
        actor=user,
        ip=ip,
        action=AccountEvent.Action.SIGNED_OUT_EVERYWHERE,
        detail={"ended": ended},
    )
    return ended


# STAFF -----------------------------------------------------------------------
@transaction.atomic
def account_unlock(*, user: User, actor: User, ip: str | None = None) -> User:
    """Reset the lockout counter; only a clerk of the account's office or an
    administrator may, and it is audited and told to the owner."""
    if not staff_can_manage_account(staff=actor, user=user):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    was = {"failed_logins": user.failed_logins, "locked_at": bool(user.locked_at)}
    user.failed_logins = 0
    user.locked_at = None
    user.save(update_fields=["failed_logins", "locked_at"])
    account_event_record(
        user=user, actor=actor, ip=ip, action=AccountEvent.Action.UNLOCKED, detail=was
    )
    notice_to_owner(user=user, template="account_unlocked", email=False)
    return user


# ROTATION REMINDERS ----------------------------------------------------------
def password_rotation_reminders_queue() -> int:
    """Queue the −14 and −3 day reminders that are due.

    Each reminder has an idempotency key made of the account, the date the
    password was set and the step, so running the beat job again (or
    missing a run and catching up) queues it once per password.
    """
    now = timezone.now()
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    steps = sorted(settings.PASSWORD_REMINDER_DAYS, reverse=True)  # (14, 3)
    queued = 0
    for index, days in enumerate(steps):
        later = steps[index + 1] if index + 1 < len(steps) else 0
        # Passwords with between `later` and `days` days left.
        newest = now - timedelta(days=max_age - days)
        oldest = now - timedelta(days=max_age - later)
        users = User.objects.filter(
            is_active=True,
            must_change_password=False,
            password_changed_at__lte=newest,
            password_changed_at__gt=oldest,
        ).only(
            "pk", "username", "full_name", "phone", "guardian_id", "email", "password_changed_at"
        )
        for user in users.iterator(chunk_size=500):
            days_left = max_age - (now - user.password_changed_at).days
            key = f"password-rotation:{user.pk}:{user.password_changed_at:%Y%m%d%H%M%S}:{days}"
            with transaction.atomic():
                for channel, recipient in (
                    ("sms", account_sms_phone(user=user)),
                    ("email", user.email),
                ):
                    notice_queue(
                        channel=channel,
                        recipient=recipient,
                        template="password_rotation_reminder",
                        context={"days_left": days_left, "username": user.username},
                        about=user,
                        idempotency_key=f"{key}:{channel}",
                    )
            queued += 1
    return queued
