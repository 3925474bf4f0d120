"""Passkeys (WebAuthn) through the ``webauthn`` library.

Registration happens from the signed-in account page; sign-in on
``/dang-nhap/`` uses a discoverable credential (no mã số typed), with user
verification required, so the passkey alone is both factors. The result is
a user that then goes through the same doors as a password sign-in: a
locked or inactive account is refused, the one-device rule asks for the
takeover step, a due password change is forced, and ``login()`` records the
session.

The relying party id and origin come from ``WEBAUTHN_RP_ID`` /
``WEBAUTHN_ORIGIN`` or, when those are empty, from the request's host,
which Django has already checked against ``ALLOWED_HOSTS``.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
)
from webauthn.helpers.exceptions import InvalidJSONStructure, WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from vssid_portal.ratelimit import rate_limit

from .audit import account_event_record
from .lockout import Outcome, outcome_message
from .models import AccountEvent, Passkey, User
from .notices import notice_to_owner
from .selectors import password_expired

MAX_PASSKEYS = 10
FAILED = _("Không đăng nhập được bằng khoá này. Vui lòng thử lại hoặc đăng nhập bằng mật khẩu.")


def relying_party(request) -> tuple[str, str]:
    """(rp id, expected origin) for this request."""
    host = request.get_host()  # validated against ALLOWED_HOSTS
    rp_id = settings.WEBAUTHN_RP_ID or host.rsplit(":", 1)[0].strip("[]")
    origin = settings.WEBAUTHN_ORIGIN or f"{request.scheme}://{host}"
    return rp_id, origin


def _user_handle(user: User) -> bytes:
    """The random id the authenticator keeps for this account (never the
    mã số): the same for all of the account's passkeys."""
    existing = user.passkeys.values_list("user_handle", flat=True).first()
    return base64url_to_bytes(existing) if existing else secrets.token_bytes(32)


# REGISTRATION ----------------------------------------------------------------
def passkey_registration_options(*, user: User, rp_id: str) -> tuple[str, str]:
    """(options JSON for navigator.credentials.create, state to keep: the
    challenge and the user handle, "challenge.handle" in base64url)."""
    handle = _user_handle(user)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_id=handle,
        user_name=user.username,
        user_display_name=user.full_name or user.username,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(cid))
            for cid in user.passkeys.values_list("credential_id", flat=True)
        ],
    )
    state = f"{bytes_to_base64url(options.challenge)}.{bytes_to_base64url(handle)}"
    return options_to_json(options), state


def _credential_json(raw) -> str:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not isinstance(raw, str) or len(raw) > 20_000:
        raise ValidationError(FAILED, code="invalid")
    return raw


def passkey_register(
    *,
    user: User,
    credential,
    challenge: str,
    rp_id: str,
    origin: str,
    name: str,
    ip: str | None = None,
) -> Passkey:
    """Verify the authenticator's answer and keep the credential
    (``challenge`` is the state ``passkey_registration_options`` returned)."""
    challenge, _sep, handle = challenge.partition(".")
    try:
        verified = verify_registration_response(
            credential=_credential_json(credential),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except (WebAuthnException, InvalidJSONStructure, ValueError, TypeError, AttributeError) as exc:
        raise ValidationError(
            _("Không thêm được khoá đăng nhập. Vui lòng thử lại."), code="invalid"
        ) from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if user.passkeys.count() >= MAX_PASSKEYS:
            raise ValidationError(
                _("Mỗi tài khoản có tối đa {n} khoá đăng nhập.").format(n=MAX_PASSKEYS),
                code="too_many",
            )
        if Passkey.objects.filter(credential_id=credential_id).exists():
            raise ValidationError(_("Khoá này đã được đăng ký."), code="duplicate")
        passkey = Passkey.objects.create(
            user=user,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            user_handle=handle,
            name=(name or "")[:80] or str(_("Khoá đăng nhập")),
            created_at=timezone.now(),
        )
        account_event_record(
            user=user,
            actor=user,
            ip=ip,
            action=AccountEvent.Action.PASSKEY_ADDED,
            detail={"device": passkey.name},
        )
        notice_to_owner(
            user=user, template="passkey_added", context={"device": passkey.name}, sms=False
        )
    return passkey


@transaction.atomic
def passkey_delete(*, user: User, passkey_id: int, ip: str | None = None) -> None:
    passkey = Passkey.objects.filter(pk=passkey_id, user=user).first()
    if passkey is None:
        raise Passkey.DoesNotExist
    name = passkey.name
    passkey.delete()
    account_event_record(
        user=user,
        actor=user,
        ip=ip,
        action=AccountEvent.Action.PASSKEY_REMOVED,
        detail={"device": name},
    )


# SIGN-IN ---------------------------------------------------------------------
def passkey_sign_in_options(*, rp_id: str) -> tuple[str, str]:
    """Options for navigator.credentials.get: any passkey of this site."""
    options = generate_authentication_options(
        rp_id=rp_id, user_verification=UserVerificationRequirement.REQUIRED
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def passkey_authenticate(
    *, credential, challenge: str, rp_id: str, origin: str, ip: str | None = None
) -> User:
    """The account whose passkey signed the challenge; ``ValidationError``
    for a bad answer, an unknown key, a locked or inactive account."""
    if ip:
        rate_limit(scope="sign-in-ip", key=ip, **settings.ACCOUNTS_RATE_LIMITS["sign_in_ip"])
    try:
        parsed = parse_authentication_credential_json(_credential_json(credential))
    except (WebAuthnException, InvalidJSONStructure, ValueError, TypeError) as exc:
        raise ValidationError(FAILED, code="invalid") from exc
    credential_id = bytes_to_base64url(parsed.raw_id)
    with transaction.atomic():
        passkey = (
            Passkey.objects.select_for_update()
            .select_related("user")
            .filter(credential_id=credential_id)
            .first()
        )
        if passkey is None:
            raise ValidationError(FAILED, code="unknown")
        handle = parsed.response.user_handle
        if handle and bytes_to_base64url(handle) != passkey.user_handle:
            raise ValidationError(FAILED, code="invalid")
        try:
            verified = verify_authentication_response(
                credential=parsed,
                expected_challenge=base64url_to_bytes(challenge),
                expected_rp_id=rp_id,
                expected_origin=origin,
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=True,
            )
        except (WebAuthnException, ValueError, TypeError) as exc:
            raise ValidationError(FAILED, code="invalid") from exc
        passkey.sign_count = verified.new_sign_count
        passkey.last_used_at = timezone.now()
        passkey.save(update_fields=["sign_count", "last_used_at"])
        user = User.objects.select_for_update().get(pk=passkey.user_id)
        if not user.is_active:
            raise ValidationError(FAILED, code="inactive")
        if user.locked_at is not None or user.failed_logins >= settings.LOGIN_LOCK_THRESHOLD:
            raise ValidationError(outcome_message(Outcome.LOCKED), code="locked")
        if not user.must_change_password and password_expired(user=user):
            user.must_change_password = True
            user.save(update_fields=["must_change_password"])
    return user
