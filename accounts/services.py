"""Account actions: passwords, recovery, contact change, device takeover,
staff unlock and initial passwords. OTP-confirmed actions are the
``apply`` callbacks that ``accounts.otp.otp_confirm`` runs in the
transaction that uses the code."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vssid_portal.ratelimit import RateLimited, rate_limit

from .audit import account_event_record, network_label
from .lockout import account_lock
from .models import (
    AccountEvent,
    ContactChange,
    OtpChallenge,
    PasswordHistory,
    User,
    UserSession,
)
from .notices import notice_queue, notice_to_owner
from .otp import otp_send
from .selectors import account_sms_phone, staff_can_manage_account
from .sessions import sessions_revoke
from .totp import totp_enabled

Purpose = OtpChallenge.Purpose
NOT_ME_SALT = "accounts.contact-change.not-me"


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


def second_factor_channel(*, user: User, channel: str | None = None) -> str:
    """Where the code of a second-factor step comes from: the authenticator
    app when the account has one (no paid SMS), unless SMS is asked for."""
    if channel == OtpChallenge.Channel.SMS or not totp_enabled(user=user):
        return OtpChallenge.Channel.SMS
    return OtpChallenge.Channel.TOTP


def password_change_request(
    *, user: User, new_password: str, ip: str | None = None, channel: str | None = None
) -> tuple[OtpChallenge, str]:
    """Step 1 of "Đổi mật khẩu": the new password waits, hashed, in the
    challenge; nothing changes until the SMS (or app) code is confirmed."""
    return otp_send(
        user=user,
        purpose=Purpose.PASSWORD_CHANGE,
        channel=second_factor_channel(user=user, channel=channel),
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
    account_event_record(
        user=user,
        ip=ip,
        actor=user,
        action=AccountEvent.Action.PASSWORD_CHANGED,
        detail={"method": getattr(challenge, "method", challenge.channel)},
    )
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


def contact_change_apply(challenge: OtpChallenge, *, ip: str | None = None) -> ContactChange:
    """The e-mail code is right: the change waits ``CONTACT_CHANGE_COOLING_OFF_HOURS``
    (12 h), and the old phone and e-mail are told, with a "Không phải tôi"
    link that cancels it and locks the account."""
    user = User.objects.select_for_update().get(pk=challenge.user_id)
    now = timezone.now()
    # A newer request replaces one still waiting (the form refuses a second
    # one; two tabs could still get here).
    for older in ContactChange.objects.filter(user=user, status=ContactChange.Status.PENDING):
        _contact_change_close(older, status=ContactChange.Status.CANCELLED, ip=ip, actor=user)
    change = ContactChange.objects.create(
        user=user,
        old_phone=user.phone,
        old_email=user.email,
        new_phone=challenge.payload.get("phone") or "",
        new_email=challenge.payload.get("email") or "",
        requested_at=now,
        effective_at=now + timedelta(hours=settings.CONTACT_CHANGE_COOLING_OFF_HOURS),
        ip=ip or None,
    )
    account_event_record(
        user=user,
        actor=user,
        ip=ip,
        action=AccountEvent.Action.CONTACT_CHANGE_REQUESTED,
        detail={
            "fields": contact_change_fields(change),
            "effective_at": change.effective_at.isoformat(),
        },
    )
    context = {
        "phone_changed": bool(change.new_phone),
        "email_changed": bool(change.new_email),
        "effective_at": timezone.localtime(change.effective_at).strftime("%H:%M %d/%m/%Y"),
        "not_me_url": settings.SITE_URL
        + reverse("accounts:not-me", args=[contact_change_token(change)]),
        "hotline": settings.HOTLINE,
    }
    # The old addresses hold the way back; a thief who typed new ones
    # cannot keep the owner from knowing.
    notice_queue(
        channel="sms",
        recipient=change.old_phone or account_sms_phone(user=user),
        template="contact_change_pending",
        context=context,
        about=user,
        sensitive=("not_me_url",),
    )
    notice_queue(
        channel="email",
        recipient=change.old_email,
        template="contact_change_pending",
        context=context,
        about=user,
        sensitive=("not_me_url",),
    )
    return change


def contact_change_fields(change: ContactChange) -> list[str]:
    return [
        name for name, value in (("phone", change.new_phone), ("email", change.new_email)) if value
    ]


def contact_change_token(change: ContactChange) -> str:
    """The "Không phải tôi" link's token: the change's id, signed; nothing
    personal in the URL. Single use: the change's state is checked."""
    return signing.dumps(change.pk, salt=NOT_ME_SALT)


def contact_change_from_token(token: str) -> ContactChange | None:
    try:
        change_id = signing.loads(
            token, salt=NOT_ME_SALT, max_age=timedelta(days=settings.CONTACT_CHANGE_REPORT_DAYS)
        )
    except signing.BadSignature:
        return None
    if not isinstance(change_id, int):
        return None
    return ContactChange.objects.select_related("user").filter(pk=change_id).first()


def contact_change_reportable(change: ContactChange) -> bool:
    return change.status in (ContactChange.Status.PENDING, ContactChange.Status.APPLIED)


def _contact_change_close(change: ContactChange, *, status: str, ip, actor) -> None:
    change.status = status
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_at"])
    if status == ContactChange.Status.CANCELLED:
        account_event_record(
            user=change.user,
            actor=actor,
            ip=ip,
            action=AccountEvent.Action.CONTACT_CHANGE_CANCELLED,
            detail={"fields": contact_change_fields(change)},
        )


@transaction.atomic
def contact_change_cancel(*, user: User, change_id: int, ip: str | None = None) -> ContactChange:
    """The signed-in owner withdraws a change still waiting."""
    change = (
        ContactChange.objects.select_for_update()
        .filter(pk=change_id, user=user, status=ContactChange.Status.PENDING)
        .first()
    )
    if change is None:
        raise ValidationError(_("Yêu cầu này đã có hiệu lực hoặc đã được huỷ."), code="not_pending")
    _contact_change_close(change, status=ContactChange.Status.CANCELLED, ip=ip, actor=user)
    return change


@transaction.atomic
def contact_change_report(*, change_id: int, ip: str | None = None) -> ContactChange:
    """ "Không phải tôi" from the old phone or e-mail: the change is cancelled
    (or undone, if it already took effect), the account is locked as after
    5 wrong passwords (a clerk or an administrator unlocks after checking
    the owner's papers) and every device is signed out."""
    change = ContactChange.objects.select_for_update().filter(pk=change_id).first()
    if change is None or not contact_change_reportable(change):
        raise ValidationError(
            _("Liên kết này đã được sử dụng hoặc không còn hiệu lực."), code="used"
        )
    user = User.objects.select_for_update().get(pk=change.user_id)
    undone = []
    if change.status == ContactChange.Status.APPLIED:
        if change.new_phone and user.phone == change.new_phone:
            user.phone = change.old_phone
            undone.append("phone")
        if change.new_email and user.email == change.new_email:
            user.email = change.old_email
            undone.append("email")
        if undone:
            user.save(update_fields=undone)
    change.user = user
    _contact_change_close(change, status=ContactChange.Status.REPORTED, ip=ip, actor=None)
    account_event_record(
        user=user,
        ip=ip,
        action=AccountEvent.Action.CONTACT_CHANGE_REPORTED,
        detail={"fields": contact_change_fields(change), "undone": undone},
    )
    account_lock(user=user, ip=ip, detail={"reason": "contact_change_reported"})
    sessions_revoke(user=user, reason=UserSession.EndReason.SIGNED_OUT_EVERYWHERE)
    notice_queue(
        channel="sms",
        recipient=change.old_phone,
        template="contact_change_reported",
        context={"hotline": settings.HOTLINE},
        about=user,
    )
    notice_queue(
        channel="email",
        recipient=change.old_email,
        template="contact_change_reported",
        context={"hotline": settings.HOTLINE},
        about=user,
    )
    return change


def contact_change_take_effect(*, change_id: int) -> bool:
    """Apply one change whose cooling-off is over; False if it is not due or
    no longer pending (cancelled, reported, or another worker was first)."""
    with transaction.atomic():
        change = (
            ContactChange.objects.select_for_update(skip_locked=True)
            .filter(
                pk=change_id,
                status=ContactChange.Status.PENDING,
                effective_at__lte=timezone.now(),
            )
            .first()
        )
        if change is None:
            return False
        user = User.objects.select_for_update().get(pk=change.user_id)
        fields = contact_change_fields(change)
        if change.new_phone:
            user.phone = change.new_phone
        if change.new_email:
            user.email = change.new_email
        user.save(update_fields=fields)
        change.status = ContactChange.Status.APPLIED
        change.decided_at = timezone.now()
        change.save(update_fields=["status", "decided_at"])
        account_event_record(
            user=user,
            actor=user,
            ip=change.ip,
            action=AccountEvent.Action.CONTACT_CHANGED,
            detail={"fields": fields},
        )
        context = {
            "username": user.username,
            "phone_changed": "phone" in fields,
            "email_changed": "email" in fields,
            "hotline": settings.HOTLINE,
        }
        for channel, recipient in {
            ("sms", change.old_phone),
            ("sms", user.phone),
            ("email", change.old_email),
            ("email", user.email),
        }:
            notice_queue(
                channel=channel,
                recipient=recipient,
                template="contact_changed",
                context=context,
                about=user,
            )
    return True


def contact_changes_apply_due() -> int:
    """Beat entry: every change whose 12 hours are over takes effect."""
    due = ContactChange.objects.filter(
        status=ContactChange.Status.PENDING, effective_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    return sum(contact_change_take_effect(change_id=pk) for pk in list(due))


# DEVICES ---------------------------------------------------------------------
def device_takeover_request(
    *,
    user: User,
    device_id: str,
    ip: str | None = None,
    channel: str | None = None,
    device: str = "",
) -> tuple[OtpChallenge, str]:
    return otp_send(
        user=user,
        purpose=Purpose.DEVICE_TAKEOVER,
        channel=second_factor_channel(user=user, channel=channel),
        payload={"device_id": device_id, "device": device[:80]},
        ip=ip,
    )


def device_takeover_apply(challenge: OtpChallenge, *, ip: str | None = None) -> User:
    """Sign every other device out; the caller then signs this one in. The
    phone and e-mail on record hear of the new device at once."""
    user = User.objects.select_for_update().get(pk=challenge.user_id)
    device_id = challenge.payload["device_id"]
    device = challenge.payload.get("device", "")
    ended = sessions_revoke(
        user=user, reason=UserSession.EndReason.TAKEOVER, keep_device_id=device_id
    )
    account_event_record(
        user=user,
        actor=user,
        ip=ip,
        action=AccountEvent.Action.DEVICE_TAKEOVER,
        detail={
            "ended": ended,
            "device": device,
            "method": getattr(challenge, "method", challenge.channel),
        },
    )
    notice_to_owner(
        user=user,
        template="device_takeover",
        context={
            "hotline": settings.HOTLINE,
            "device": device,
            "network": network_label(ip),
            "when": timezone.localtime().strftime("%H:%M %d/%m/%Y"),
        },
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
