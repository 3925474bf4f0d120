"""Authenticator-app codes (TOTP, RFC 6238, through pyotp) and recovery codes.

A citizen turns the app on from "Thông tin tài khoản": a new secret is
kept encrypted in an unconfirmed ``TotpDevice`` and shown (QR and text)
only until the first right code confirms it; ten single-use recovery codes
are then shown once and stored with Django's hashers.

A code is accepted in the current 30-second step or the one before or
after (clock drift), and only in a step later than the last one accepted:
the conditional UPDATE on ``last_used_step`` lets a code confirm one action
once, even under parallel requests.

Where the flows ask for an SMS code (device takeover, password change), a
user with the app on gets an ``OtpChallenge`` of channel ``totp`` instead:
nothing is sent, and ``accounts.otp.otp_confirm`` checks the code here.
"""

import base64
import io
import re
import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

import pyotp
import qrcode
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .audit import account_event_record
from .models import AccountEvent, RecoveryCode, TotpDevice, User
from .notices import notice_to_owner

TOTP_CODE_RE = re.compile(r"[0-9]{6}")
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_LENGTH = 10
RECOVERY_CODE_RE = re.compile(rf"[{RECOVERY_ALPHABET}]{{{RECOVERY_LENGTH}}}")
STEP = 30

MESSAGES = {
    "wrong": _("Mã xác thực không đúng hoặc đã được dùng."),
    "not_enabled": _("Tài khoản chưa bật ứng dụng xác thực."),
    "already_enabled": _("Ứng dụng xác thực đã được bật cho tài khoản này."),
    "no_setup": _("Phiên cài đặt đã hết hạn. Vui lòng bắt đầu lại."),
}


# SECRETS ---------------------------------------------------------------------
def _fernet() -> MultiFernet:
    """Fernet keys derived from SECRET_KEY (then its fallbacks, so a rotated
    key still reads the secrets written before)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac(
                        "accounts.totp.secret", "fernet", secret=key, algorithm="sha256"
                    ).digest()
                )
            )
            for key in keys
        ]
    )


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # SECRET_KEY changed without a fallback
        raise ValidationError(MESSAGES["no_setup"], code="undecryptable") from exc


# STATE -----------------------------------------------------------------------
def totp_enabled(*, user: User) -> bool:
    if user is None or user.pk is None:
        return False
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def code_normalize(code: str) -> str:
    """ "ABCDE-FGHJK", " abcde fghjk " → "abcdefghjk"; digits stay digits."""
    return "".join(ch for ch in (code or "").lower() if ch not in " -\t")


def code_shape_valid(code: str) -> bool:
    """Six digits (app) or a recovery code, before anything is checked."""
    code = code_normalize(code)
    return bool(TOTP_CODE_RE.fullmatch(code) or RECOVERY_CODE_RE.fullmatch(code))


# SETUP -----------------------------------------------------------------------
@transaction.atomic
def totp_setup_begin(*, user: User) -> TotpDevice:
    """A new secret waiting for its first code (an older unfinished setup
    is replaced)."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    if TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        raise ValidationError(MESSAGES["already_enabled"], code="already_enabled")
    TotpDevice.objects.filter(user=user).delete()
    return TotpDevice.objects.create(
        user=user,
        secret_encrypted=secret_encrypt(pyotp.random_base32()),
        created_at=timezone.now(),
    )


def totp_setup_pending(*, user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()


def totp_provisioning(*, device: TotpDevice, user: User) -> dict[str, str]:
    """What the setup page shows: the secret in groups of four, the otpauth
    URI and the QR code of that URI as a PNG data URI (drawn here; the CSP
    allows ``data:`` images and no script is needed)."""
    secret = secret_decrypt(device.secret_encrypted)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=settings.TOTP_ISSUER)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=3)
    code.add_data(uri)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return {
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "uri": uri,
        "qr": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode(),
    }


def _matching_step(device: TotpDevice, code: str, now: datetime) -> int | None:
    """The time step whose code this is, if it is later than the last used."""
    if not TOTP_CODE_RE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret_decrypt(device.secret_encrypted))
    current = int(now.timestamp()) // STEP
    for step in (current - 1, current, current + 1):
        if device.last_used_step is not None and step <= device.last_used_step:
            continue
        if constant_time_compare(totp.generate_otp(step), code):
            return step
    return None


def _step_claim(device: TotpDevice, step: int) -> bool:
    """Move ``last_used_step`` forward; False if another request was first."""
    return bool(
        TotpDevice.objects.filter(pk=device.pk)
        .filter(Q(last_used_step__isnull=True) | Q(last_used_step__lt=step))
        .update(last_used_step=step)
    )


@transaction.atomic
def totp_setup_confirm(*, user: User, code: str, ip: str | None = None) -> list[str]:
    """The first right code turns the app on; returns the recovery codes,
    which exist in clear only in this return value."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        raise ValidationError(MESSAGES["no_setup"], code="no_setup")
    if device.confirmed_at is not None:
        raise ValidationError(MESSAGES["already_enabled"], code="already_enabled")
    step = _matching_step(device, code_normalize(code), timezone.now())
    if step is None or not _step_claim(device, step):
        raise ValidationError(MESSAGES["wrong"], code="wrong")
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    codes = _recovery_codes_replace(user=user)
    account_event_record(user=user, actor=user, ip=ip, action=AccountEvent.Action.TOTP_ENABLED)
    notice_to_owner(user=user, template="totp_enabled", sms=False)
    return codes


# CHECKING --------------------------------------------------------------------
def _recovery_codes_replace(*, user: User) -> list[str]:
    now = timezone.now()
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(settings.RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=make_password(code), created_at=now) for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _recovery_code_use(*, user: User, code: str) -> bool:
    if not RECOVERY_CODE_RE.fullmatch(code):
        return False
    for row in RecoveryCode.objects.filter(user=user, used_at__isnull=True):
        if check_password(code, row.code_hash):
            return bool(
                RecoveryCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
                    used_at=timezone.now()
                )
            )
    return False


def second_factor_verify(*, user: User, code: str, ip: str | None = None) -> str | None:
    """Check an app code or a recovery code of ``user``: "totp", "recovery"
    or None. A code accepted once is refused ever after (replay)."""
    code = code_normalize(code)
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return None
    if TOTP_CODE_RE.fullmatch(code):
        step = _matching_step(device, code, timezone.now())
        return "totp" if step is not None and _step_claim(device, step) else None
    if _recovery_code_use(user=user, code=code):
        account_event_record(
            user=user,
            actor=user,
            ip=ip,
            action=AccountEvent.Action.RECOVERY_CODE_USED,
            detail={"left": recovery_codes_left(user=user)},
        )
        return "recovery"
    return None


# TURNING OFF, NEW RECOVERY CODES ---------------------------------------------
def _password_and_code_check(*, user: User, password: str, code: str, ip: str | None) -> None:
    errors = {}
    if not user.check_password(password):
        errors["password"] = [_("Mật khẩu hiện tại không đúng.")]
    elif second_factor_verify(user=user, code=code, ip=ip) is None:
        errors["code"] = [MESSAGES["wrong"]]
    if errors:
        raise ValidationError(errors)


def totp_disable(*, user: User, password: str, code: str, ip: str | None = None) -> None:
    """Turn the app off: the password and a current code or recovery code."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not totp_enabled(user=user):
            raise ValidationError(MESSAGES["not_enabled"], code="not_enabled")
        _password_and_code_check(user=user, password=password, code=code, ip=ip)
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        account_event_record(user=user, actor=user, ip=ip, action=AccountEvent.Action.TOTP_DISABLED)
        notice_to_owner(user=user, template="totp_disabled", sms=False)


def recovery_codes_regenerate(
    *, user: User, password: str, code: str, ip: str | None = None
) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not totp_enabled(user=user):
            raise ValidationError(MESSAGES["not_enabled"], code="not_enabled")
        _password_and_code_check(user=user, password=password, code=code, ip=ip)
        codes = _recovery_codes_replace(user=user)
        account_event_record(
            user=user, actor=user, ip=ip, action=AccountEvent.Action.RECOVERY_CODES_ISSUED
        )
    return codes
