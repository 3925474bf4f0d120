"""One-time codes: 6 digits, 5 minutes, single use, 5 wrong tries, hashed.

A code comes from pyotp (HOTP over a fresh ``random_base32()`` secret per
challenge) and is stored only as a Django password hash. The expiry is a
stored ``expires_at``, not pyotp's clock-aligned TOTP steps, which would cut
short a code issued late in a step.

A challenge is bound to whoever asked for it: the browser session or API
client keeps a random nonce, the row keeps its sha256. Confirming needs the
nonce, the purpose and the code; ``otp_confirm`` runs the action in the same
transaction that marks the challenge used (``UPDATE … WHERE used_at IS
NULL``), so a code confirms one action once.
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import pyotp

from vssid_portal.ratelimit import RateLimited, rate_limit

from .models import OtpChallenge, User
from .notices import notice_queue
from .selectors import account_sms_phone
from .totp import second_factor_verify

T = TypeVar("T")

MESSAGES = {
    "invalid": _("Mã OTP không đúng."),
    "wrong": _("Mã OTP không đúng. Bạn còn {left} lần thử."),
    "expired": _("Mã OTP đã hết hạn. Vui lòng bấm “Gửi lại mã” để nhận mã mới."),
    "used": _("Mã OTP này đã được sử dụng. Vui lòng bấm “Gửi lại mã” để nhận mã mới."),
    "superseded": _("Mã OTP này đã được thay bằng mã mới gửi sau. Vui lòng nhập mã mới nhất."),
    "too_many": _("Bạn đã nhập sai mã OTP quá 5 lần. Vui lòng bấm “Gửi lại mã” để nhận mã mới."),
    "too_many_today": _(
        "Bạn đã nhập sai mã OTP quá nhiều lần trong ngày. Vui lòng thử lại vào ngày mai."
    ),
}
_CODE_RE = re.compile(r"[0-9]{6}")


def generate_code() -> str:
    """Six digits (leading zeros kept) from a fresh random secret."""
    return pyotp.HOTP(pyotp.random_base32(), digits=6).at(0)


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256((nonce or "").encode()).hexdigest()


def purpose_label(purpose: str) -> str:
    return str(OtpChallenge.Purpose(purpose).label)


def otp_send(
    *,
    user: User,
    purpose: str,
    channel: str = OtpChallenge.Channel.SMS,
    recipient: str | None = None,
    payload: dict | None = None,
    ip: str | None = None,
) -> tuple[OtpChallenge, str]:
    """Create a challenge, queue its code, return it with the client's nonce.

    Raises ``RateLimited`` (seconds left) when the account had a code less
    than 60 s ago or 5 in the last hour, or the IP/recipient passed its
    limit; nothing is queued then. A ``totp`` challenge sends nothing (the
    code comes from the authenticator app), so no limit applies to it.
    """
    if channel == OtpChallenge.Channel.TOTP:
        return _totp_challenge(user=user, purpose=purpose, payload=payload, ip=ip)
    if recipient is None:
        recipient = (
            account_sms_phone(user=user) if channel == OtpChallenge.Channel.SMS else user.email
        )
    if not recipient:
        raise ValidationError(
            _("Tài khoản chưa có số điện thoại/thư điện tử để nhận mã OTP."), code="no_recipient"
        )
    limits = settings.ACCOUNTS_RATE_LIMITS
    now = timezone.now()
    with transaction.atomic():
        # One account's requests queue behind this row lock, so two parallel
        # "Gửi lại mã" cannot both pass the 60-second rule.
        User.objects.select_for_update().filter(pk=user.pk).first()
        recent = list(
            OtpChallenge.objects.filter(user=user, created_at__gt=now - timedelta(hours=1))
            .exclude(channel=OtpChallenge.Channel.TOTP)
            .values_list("created_at", flat=True)[: settings.OTP_MAX_PER_HOUR]
        )
        if recent:
            elapsed = (now - recent[0]).total_seconds()
            if elapsed < settings.OTP_RESEND_SECONDS:
                raise RateLimited(settings.OTP_RESEND_SECONDS - elapsed)
        if len(recent) >= settings.OTP_MAX_PER_HOUR:
            raise RateLimited((recent[-1] + timedelta(hours=1) - now).total_seconds())
        if ip:
            rate_limit(scope="otp-ip", key=ip, **limits["otp_ip"])
        rate_limit(
            scope="otp-recipient",
            key=hashlib.sha256(recipient.encode()).hexdigest(),
            limit=settings.OTP_MAX_PER_HOUR * 2,
            window=3600,
        )
        OtpChallenge.objects.filter(
            user=user, purpose=purpose, used_at__isnull=True, superseded_at__isnull=True
        ).update(superseded_at=now)
        code = generate_code()
        nonce = secrets.token_urlsafe(32)
        challenge = OtpChallenge.objects.create(
            user=user,
            purpose=purpose,
            channel=channel,
            recipient=recipient,
            code_hash=make_password(code),
            binding_hash=nonce_hash(nonce),
            payload=payload or {},
            created_at=now,
            expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
            ip=ip or None,
        )
        notice_queue(
            channel=channel,
            recipient=recipient,
            template="otp",
            context={
                "code": code,
                "purpose_label": purpose_label(purpose),
                "minutes": settings.OTP_TTL_SECONDS // 60,
            },
            about=challenge,
            sensitive=("code",),
        )
    return challenge, nonce


def _totp_challenge(
    *, user: User, purpose: str, payload: dict | None, ip: str | None
) -> tuple[OtpChallenge, str]:
    now = timezone.now()
    nonce = secrets.token_urlsafe(32)
    with transaction.atomic():
        OtpChallenge.objects.filter(
            user=user, purpose=purpose, used_at__isnull=True, superseded_at__isnull=True
        ).update(superseded_at=now)
        challenge = OtpChallenge.objects.create(
            user=user,
            purpose=purpose,
            channel=OtpChallenge.Channel.TOTP,
            recipient="",
            code_hash="!",  # never matches: the app's code is checked instead
            binding_hash=nonce_hash(nonce),
            payload=payload or {},
            created_at=now,
            expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
            ip=ip or None,
        )
    return challenge, nonce


def otp_resend(
    *, nonce: str, purpose: str, ip: str | None = None, channel: str | None = None
) -> tuple[OtpChallenge, str]:
    """A new code for the same action; the old one stops working.

    ``channel="sms"`` turns an authenticator-app challenge into an SMS one
    (the citizen has no access to the app right now).
    """
    previous = (
        OtpChallenge.objects.select_related("user")
        .filter(binding_hash=nonce_hash(nonce), purpose=purpose, used_at__isnull=True)
        .first()
    )
    if previous is None:
        raise ValidationError(MESSAGES["invalid"], code="invalid")
    switch = channel is not None and channel != previous.channel
    return otp_send(
        user=previous.user,
        purpose=purpose,
        channel=channel if switch else previous.channel,
        recipient=None if switch else previous.recipient,
        payload=previous.payload,
        ip=ip,
    )


def otp_pending(*, nonce: str, purpose: str) -> OtpChallenge | None:
    return (
        OtpChallenge.objects.select_related("user")
        .filter(binding_hash=nonce_hash(nonce), purpose=purpose)
        .first()
    )


def _wrong_today(user_id: int, now) -> int:
    return (
        OtpChallenge.objects.filter(
            user_id=user_id, created_at__gt=now - timedelta(days=1)
        ).aggregate(total=Sum("tries"))["total"]
        or 0
    )


def otp_confirm(
    *,
    nonce: str,
    purpose: str,
    code: str,
    apply: Callable[[OtpChallenge], T],
    user: User | None = None,
) -> T:
    """Check ``code`` and, if right, run ``apply(challenge)`` in the same
    transaction that uses the challenge up. Raises ``ValidationError``."""
    now = timezone.now()
    failure = None
    params: dict = {}
    with transaction.atomic():
        challenge = (
            OtpChallenge.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(binding_hash=nonce_hash(nonce), purpose=purpose)
            .first()
        )
        if challenge is None or (user is not None and challenge.user_id != user.pk):
            failure = "invalid"
        elif challenge.used_at is not None:
            failure = "used"
        elif challenge.superseded_at is not None:
            failure = "superseded"
        elif challenge.tries >= OtpChallenge.MAX_TRIES:
            failure = "too_many"
        elif challenge.expires_at <= now:
            failure = "expired"
        elif _wrong_today(challenge.user_id, now) >= settings.OTP_MAX_WRONG_PER_DAY:
            failure = "too_many_today"
        else:
            code = (code or "").strip()
            if challenge.channel == OtpChallenge.Channel.TOTP:
                method = second_factor_verify(user=challenge.user, code=code, ip=challenge.ip)
            elif _CODE_RE.fullmatch(code) and check_password(code, challenge.code_hash):
                method = str(challenge.channel)
            else:
                method = None
            if method is not None:
                claimed = OtpChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(
                    used_at=now
                )
                if claimed == 1:
                    challenge.used_at = now
                    challenge.method = method  # how it was confirmed, for the log
                    return apply(challenge)
                failure = "used"
            else:
                OtpChallenge.objects.filter(pk=challenge.pk).update(tries=F("tries") + 1)
                left = OtpChallenge.MAX_TRIES - challenge.tries - 1
                failure = "wrong" if left > 0 else "too_many"
                params = {"left": left}
    message = MESSAGES[failure]
    raise ValidationError(message.format(**params) if params else message, code=failure)
