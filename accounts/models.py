from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vssid_portal.validators import normalize_phone, validate_insurance_number


class User(AbstractUser):
    """An account of the portal.

    A citizen's username is their mã số BHXH (one person, one account);
    staff sign in with a username of their own and have a ``StaffProfile``.
    """

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(
        _("điện thoại di động"),
        max_length=16,
        blank=True,
        help_text=_("Dạng E.164, ví dụ +84912345678; nhận mật khẩu và mã OTP."),
    )
    must_change_password = models.BooleanField(
        _("phải đổi mật khẩu"),
        default=False,
        help_text=_("Bật khi mật khẩu là mật khẩu khởi tạo hoặc đã quá hạn."),
    )
    password_changed_at = models.DateTimeField(
        _("lần đổi mật khẩu gần nhất"), null=True, blank=True
    )
    initial_password_expires_at = models.DateTimeField(
        _("mật khẩu khởi tạo hết hạn lúc"),
        null=True,
        blank=True,
        help_text=_("Mật khẩu khởi tạo dùng được 30 ngày; quá hạn thì cán bộ cấp lại."),
    )
    failed_logins = models.PositiveSmallIntegerField(_("số lần nhập sai liên tiếp"), default=0)
    locked_at = models.DateTimeField(
        _("bị khoá lúc"),
        null=True,
        blank=True,
        help_text=_("Khoá sau 5 lần nhập sai; chỉ cán bộ BHXH hoặc quản trị viên mở khoá."),
    )

    guardian = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("người giám hộ"),
        help_text=_(
            "Cha, mẹ hoặc người giám hộ đã đăng ký tài khoản cho trẻ; được xem hồ sơ của "
            "trẻ và nhận SMS thay khi tài khoản của trẻ không có số điện thoại."
        ),
    )

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        constraints = [
            models.CheckConstraint(
                condition=Q(failed_logins__lte=5), name="failed_logins_at_most_5"
            ),
            models.CheckConstraint(
                condition=~Q(guardian=models.F("pk")), name="user_not_own_guardian"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} - {self.full_name}" if self.full_name else self.username

    def clean(self) -> None:
        super().clean()
        if not self.is_staff:
            try:
                validate_insurance_number(self.username)
            except ValidationError as exc:
                raise ValidationError({"username": exc.messages}) from exc
        if self.phone:
            try:
                self.phone = normalize_phone(self.phone)
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from exc

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    @property
    def is_citizen(self) -> bool:
        return not self.is_staff

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class StaffProfile(models.Model):
    """Which BHXH office a clerk (cán bộ) serves."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("tài khoản")
    )
    office = models.ForeignKey(
        "lookup.Office",
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("cơ quan BHXH"),
    )
    includes_child_offices = models.BooleanField(
        _("gồm cả cơ quan cấp dưới"),
        default=False,
        help_text=_("Cán bộ BHXH tỉnh xử lý cả hồ sơ gửi BHXH quận/huyện trực thuộc."),
    )

    class Meta:
        verbose_name = _("hồ sơ cán bộ")
        verbose_name_plural = _("hồ sơ cán bộ")

    def __str__(self) -> str:
        return f"{self.user.username} @ {self.office}"


class PasswordHistory(models.Model):
    """Hashes of an account's recent passwords, so a new one cannot repeat them."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("tài khoản")
    )
    password = models.CharField(_("mã băm mật khẩu"), max_length=128)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lịch sử mật khẩu")
        verbose_name_plural = _("lịch sử mật khẩu")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class AccountEvent(models.Model):
    """Audit record of a security-relevant action on an account (read-only)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Tạo tài khoản (duyệt tờ khai)")
        STAFF_VIEWED = "staff_viewed", _("Cán bộ tra cứu tài khoản")
        SIGN_IN = "sign_in", _("Đăng nhập")
        LOCKED = "locked", _("Bị khoá do nhập sai mật khẩu")
        UNLOCKED = "unlocked", _("Mở khoá")
        INITIAL_PASSWORD_ISSUED = "initial_password_issued", _("Cấp mật khẩu khởi tạo")
        PASSWORD_CHANGED = "password_changed", _("Đổi mật khẩu")
        PASSWORD_RESET = "password_reset", _("Đặt lại mật khẩu (quên mật khẩu)")
        CONTACT_CHANGED = "contact_changed", _("Đổi số điện thoại/thư điện tử")
        DEVICE_TAKEOVER = "device_takeover", _("Đăng nhập trên thiết bị mới")
        SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", _("Đăng xuất mọi nơi")

    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="account_events",
        verbose_name=_("tài khoản"),
    )
    action = models.CharField(_("hành động"), max_length=32, choices=Action)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("nhật ký tài khoản")
        verbose_name_plural = _("nhật ký tài khoản")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.user_id}"


class OtpChallenge(models.Model):
    """A one-time code sent to the account's phone or e-mail for one purpose.

    The code is stored hashed; the challenge is bound to the browser session
    or API client that asked for it through ``binding_hash`` (sha256 of a
    random nonce only that client holds) and is usable once, within
    ``expires_at``, with at most ``MAX_TRIES`` wrong codes.
    """

    MAX_TRIES = 5

    class Purpose(models.TextChoices):
        PASSWORD_CHANGE = "password_change", _("đổi mật khẩu")
        DEVICE_TAKEOVER = "device_takeover", _("đăng nhập trên thiết bị mới")
        PASSWORD_RESET = "password_reset", _("đặt lại mật khẩu")
        CONTACT_CHANGE = "contact_change", _("đổi thông tin liên hệ")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Thư điện tử")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="otp_challenges", verbose_name=_("tài khoản")
    )
    purpose = models.CharField(_("mục đích"), max_length=32, choices=Purpose)
    channel = models.CharField(_("kênh gửi"), max_length=8, choices=Channel)
    recipient = models.CharField(_("gửi tới"), max_length=254)
    code_hash = models.CharField(_("mã băm OTP"), max_length=128)
    binding_hash = models.CharField(max_length=64, unique=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), db_index=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    tries = models.PositiveSmallIntegerField(_("số lần nhập sai"), default=0)
    used_at = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("bị thay bởi mã mới lúc"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mã OTP")
        verbose_name_plural = _("mã OTP")
        indexes = [models.Index(fields=["user", "created_at"], name="otp_user_created")]
        constraints = [
            models.CheckConstraint(condition=Q(tries__lte=5), name="otp_tries_at_most_5"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="otp_expires_after_created"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.user_id}"


class UserSession(models.Model):
    """A signed-in browser session, so sessions can be listed and revoked server-side."""

    class EndReason(models.TextChoices):
        SIGNED_OUT = "signed_out", _("Đăng xuất")
        TAKEOVER = "takeover", _("Đăng nhập trên thiết bị khác")
        PASSWORD_CHANGED = "password_changed", _("Đổi mật khẩu")
        SIGNED_OUT_EVERYWHERE = "everywhere", _("Đăng xuất mọi nơi")
        EXPIRED = "expired", _("Hết hạn")
        ROTATED = "rotated", _("Đã làm mới")
        PASSWORD_RESET = "password_reset", _("Đặt lại mật khẩu")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="web_sessions", verbose_name=_("tài khoản")
    )
    session_key = models.CharField(max_length=64, unique=True)
    device_id = models.CharField(_("mã thiết bị"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("bắt đầu"))
    last_seen_at = models.DateTimeField(_("hoạt động gần nhất"))
    ended_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    end_reason = models.CharField(_("lý do kết thúc"), max_length=16, choices=EndReason, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("phiên đăng nhập")
        verbose_name_plural = _("phiên đăng nhập")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | ~Q(end_reason=""),
                name="ended_session_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token of the mobile client, bound to one device.

    Only sha256 digests of the access and refresh keys are stored; the keys
    themselves (256 random bits each) are shown once, when issued.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("tài khoản")
    )
    key_hash = models.CharField(max_length=64, unique=True)
    refresh_hash = models.CharField(max_length=64, unique=True)
    device_id = models.CharField(_("mã thiết bị"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("cấp lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    refresh_expires_at = models.DateTimeField(_("hết hạn làm mới lúc"))
    last_used_at = models.DateTimeField(_("dùng gần nhất"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoke_reason = models.CharField(
        _("lý do thu hồi"), max_length=16, choices=UserSession.EndReason, blank=True
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("khoá truy cập API")
        verbose_name_plural = _("khoá truy cập API")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="token_expires_after_created",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.device_id[:8]}"
