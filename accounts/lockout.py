"""Sign-in attempts and the lockout counter: the one place that counts.

Web sign-in, ``/admin/login/`` and the API token endpoint all reach
``sign_in_attempt`` (the first two through ``authenticate()`` and
``accounts.backends.LockoutBackend``), so a failure anywhere counts
everywhere.

The account row is locked (``SELECT … FOR UPDATE``) *before* the password
is checked and stays locked until the new count is written, so parallel
attempts are serialised: ten simultaneous wrong passwords cost exactly five
password verifications and leave ``failed_logins == 5``.
"""

import enum
import hashlib
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vssid_portal.ratelimit import rate_limit

from .audit import account_event_record
from .models import AccountEvent, User
from .notices import notice_to_owner
from .selectors import password_expired

# Characters a copy-paste can smuggle into a number without changing how it
# looks: zero-width spaces/joiners, word joiner, BOM, soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_UNKNOWN_TTL = 90 * 24 * 3600

LOCKED_MESSAGE = _(
    "Tài khoản đã bị khoá do nhập sai mật khẩu nhiều lần. Vui lòng liên hệ cơ quan BHXH "
    "gần nhất hoặc tổng đài {hotline} để được mở khoá."
)
INVALID_MESSAGE = _("Mã số BHXH hoặc mật khẩu không đúng.")
CAPTCHA_MESSAGE = _("Vui lòng nhập mã kiểm tra để tiếp tục đăng nhập.")
INITIAL_EXPIRED_MESSAGE = _(
    "Mật khẩu khởi tạo đã hết hạn (quá 30 ngày). Vui lòng liên hệ cơ quan BHXH nơi quản lý "
    "hồ sơ hoặc tổng đài {hotline} để được cấp lại."
)


class Outcome(enum.StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    CAPTCHA_REQUIRED = "captcha_required"
    INITIAL_EXPIRED = "initial_password_expired"


@dataclass(frozen=True)
class SignInAttempt:
    outcome: Outcome
    user: User | None = None

    @property
    def message(self) -> str:
        return outcome_message(self.outcome)


def outcome_message(outcome: Outcome) -> str:
    hotline = settings.HOTLINE
    return {
        Outcome.LOCKED: LOCKED_MESSAGE.format(hotline=hotline),
        Outcome.CAPTCHA_REQUIRED: str(CAPTCHA_MESSAGE),
        Outcome.INITIAL_EXPIRED: INITIAL_EXPIRED_MESSAGE.format(hotline=hotline),
    }.get(outcome, str(INVALID_MESSAGE))


def username_normalize(raw: str) -> str:
    """NFKC (full-width digits become ASCII), no spaces or invisible characters.

    Every spelling of one number reaches the same account and counter.
    """
    value = unicodedata.normalize("NFKC", raw or "").translate(_INVISIBLE)
    return "".join(value.split())


def _unknown_key(username: str) -> str:
    return "signin:unknown:" + hashlib.sha256(username.encode()).hexdigest()


def _dummy_hash(password: str) -> None:
    """Spend the time a verification costs, as ModelBackend does for unknown users."""
    User().set_password(password)


def sign_in_failures(*, username: str) -> tuple[int, bool]:
    """(consecutive failures, locked) for a name, known or not, alike."""
    username = username_normalize(username)
    # Read from the raw POST before the form refuses NUL: PostgreSQL cannot
    # even compare such a string, and no account can hold one.
    user = (
        None
        if "\x00" in username
        else User.objects.filter(username=username).only("failed_logins", "locked_at").first()
    )
    if user is not None:
        return user.failed_logins, user.locked_at is not None
    count = cache.get(_unknown_key(username), 0)
    return count, count >= settings.LOGIN_LOCK_THRESHOLD


def sign_in_captcha_required(*, username: str) -> bool:
    failures, locked = sign_in_failures(username=username)
    return not locked and failures >= settings.LOGIN_CAPTCHA_AFTER


def _rate_limits(*, username: str, ip: str | None) -> None:
    limits = settings.ACCOUNTS_RATE_LIMITS
    if ip:
        rate_limit(scope="sign-in-ip", key=ip, **limits["sign_in_ip"])
    rate_limit(
        scope="sign-in-account",
        key=hashlib.sha256(username.encode()).hexdigest(),
        **limits["sign_in_account"],
    )


def _unknown_attempt(*, username: str, password: str, captcha_solved: bool) -> SignInAttempt:
    key = _unknown_key(username)
    count = cache.get(key, 0)
    if count >= settings.LOGIN_LOCK_THRESHOLD:
        _dummy_hash(password)
        return SignInAttempt(Outcome.LOCKED)
    if count >= settings.LOGIN_CAPTCHA_AFTER and not captcha_solved:
        return SignInAttempt(Outcome.CAPTCHA_REQUIRED)
    _dummy_hash(password)
    cache.add(key, 0, timeout=_UNKNOWN_TTL)
    count = cache.incr(key)
    if count >= settings.LOGIN_LOCK_THRESHOLD:
        return SignInAttempt(Outcome.LOCKED)
    return SignInAttempt(Outcome.INVALID)


def sign_in_attempt(
    *, username: str, password: str, captcha_solved: bool = False, ip: str | None = None
) -> SignInAttempt:
    """Check a password against the lockout rules and count the outcome.

    Raises ``RateLimited`` past the per-IP or per-account limits.
    """
    username = username_normalize(username)
    _rate_limits(username=username, ip=ip)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            return _unknown_attempt(
                username=username, password=password, captcha_solved=captcha_solved
            )
        if user.locked_at is not None or user.failed_logins >= settings.LOGIN_LOCK_THRESHOLD:
            _dummy_hash(password)
            return SignInAttempt(Outcome.LOCKED)
        if user.failed_logins >= settings.LOGIN_CAPTCHA_AFTER and not captcha_solved:
            # Refused before the password is looked at, and not counted.
            return SignInAttempt(Outcome.CAPTCHA_REQUIRED)
        if user.check_password(password):
            if not user.is_active:
                return SignInAttempt(Outcome.INVALID)
            fields = []
            if user.failed_logins:
                user.failed_logins = 0
                fields.append("failed_logins")
            if (
                user.must_change_password
                and user.initial_password_expires_at is not None
                and user.initial_password_expires_at <= timezone.now()
            ):
                if fields:
                    user.save(update_fields=fields)
                return SignInAttempt(Outcome.INITIAL_EXPIRED)
            if not user.must_change_password and password_expired(user=user):
                user.must_change_password = True
                fields.append("must_change_password")
            if fields:
                user.save(update_fields=fields)
            return SignInAttempt(Outcome.OK, user)
        user.failed_logins += 1
        if user.failed_logins >= settings.LOGIN_LOCK_THRESHOLD:
            user.save(update_fields=["failed_logins"])
            account_lock(user=user, ip=ip, detail={"failures": user.failed_logins})
            notice_to_owner(
                user=user,
                template="account_locked",
                context={"hotline": settings.HOTLINE},
                email=False,
            )
            return SignInAttempt(Outcome.LOCKED)
        user.save(update_fields=["failed_logins"])
        return SignInAttempt(Outcome.INVALID)


def account_lock(*, user: User, ip: str | None = None, detail: dict | None = None) -> None:
    """Lock the account (the caller holds its row lock): sign-in refuses it
    until a clerk of its office or an administrator unlocks it. The 5th
    wrong password and a "Không phải tôi" report both end here."""
    user.locked_at = timezone.now()
    user.save(update_fields=["locked_at"])
    account_event_record(user=user, action=AccountEvent.Action.LOCKED, ip=ip, detail=detail)


def password_check_limit(*, user: User) -> None:
    """Where a signed-in person retypes the password (change, contact change):
    a few tries per account, so a left-open session cannot guess it."""
    rate_limit(
        scope="password-check",
        key=str(user.pk),
        **settings.ACCOUNTS_RATE_LIMITS["password_check_account"],
    )
