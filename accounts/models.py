from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
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


class AppendOnlyModel(models.Model):
    """Rows of the citizen's transparency log: written once, never changed
    or deleted one by one (only the 5-year purge removes rows, in bulk)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied(_("Nhật ký không thể sửa."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("Nhật ký không thể xoá."))


class AccountEvent(AppendOnlyModel):
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
        CONTACT_CHANGE_REQUESTED = (
            "contact_change_requested",
            _("Yêu cầu đổi số điện thoại/thư điện tử"),
        )
        CONTACT_CHANGE_CANCELLED = (
            "contact_change_cancelled",
            _("Huỷ yêu cầu đổi số điện thoại/thư điện tử"),
        )
        CONTACT_CHANGE_REPORTED = (
            "contact_change_reported",
            _("Báo “Không phải tôi”: tài khoản bị khoá chờ cơ quan BHXH kiểm tra"),
        )
        TOTP_ENABLED = "totp_enabled", _("Bật ứng dụng xác thực")
        TOTP_DISABLED = "totp_disabled", _("Tắt ứng dụng xác thực")
        RECOVERY_CODES_ISSUED = "recovery_codes_issued", _("Tạo mã khôi phục mới")
        RECOVERY_CODE_USED = "recovery_code_used", _("Dùng một mã khôi phục")
        PASSKEY_ADDED = "passkey_added", _("Thêm khoá đăng nhập (passkey)")
        PASSKEY_REMOVED = "passkey_removed", _("Xoá khoá đăng nhập (passkey)")

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
        indexes = [models.Index(fields=["user", "-created_at"], name="account_event_user_time")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.user_id}"


class RecordAccess(AppendOnlyModel):
    """A clerk or an administrator opened a citizen's declaration, account or
    registry record (append-only; shown to the citizen in "Nhật ký").

    Keyed by the mã số BHXH, so an opening before the account existed (a
    declaration in the queue) still reaches the citizen's log. The actor is
    kept for the audit; the office and role are copied at the time, since a
    clerk may later move to another office.
    """

    class Role(models.TextChoices):
        CLERK = "clerk", _("Cán bộ BHXH")
        ADMIN = "admin", _("Quản trị viên")

    class Subject(models.TextChoices):
        DECLARATION = "declaration", _("tờ khai")
        DECLARATION_IMAGE = "declaration_image", _("ảnh đính kèm tờ khai")
        DECLARATION_PDF = "declaration_pdf", _("bản PDF tờ khai")
        ACCOUNT = "account", _("tài khoản")
        RECORD = "record", _("hồ sơ tham gia BHXH, BHYT")
        SERVICE_REQUEST = "service_request", _("yêu cầu đã gửi")
        SERVICE_REQUEST_IMAGE = "service_request_image", _("ảnh kèm yêu cầu")

    class Channel(models.TextChoices):
        STAFF_PAGES = "web", _("trang cán bộ")
        STAFF_API = "api", _("API cán bộ")
        ADMIN = "admin", _("trang quản trị")

    insurance_number = models.CharField(_("mã số BHXH"), max_length=10)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người xem"),
    )
    role = models.CharField(_("vai trò"), max_length=8, choices=Role)
    office = models.ForeignKey(
        "lookup.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan BHXH"),
    )
    subject = models.CharField(_("nội dung"), max_length=24, choices=Subject)
    reference = models.CharField(_("mã hồ sơ"), max_length=40, blank=True)
    channel = models.CharField(_("nơi xem"), max_length=8, choices=Channel)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lượt xem hồ sơ")
        verbose_name_plural = _("lượt cán bộ xem hồ sơ")
        indexes = [
            models.Index(
                fields=["insurance_number", "-created_at"], name="record_access_number_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} · {self.insurance_number}"


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
        # No message is sent: the code comes from the account's
        # authenticator app (or is one of its recovery codes).
        TOTP = "totp", _("Ứng dụng xác thực")

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


class TotpDevice(models.Model):
    """An authenticator app (TOTP, RFC 6238) the citizen turned on.

    The secret is stored encrypted (``accounts.totp``) and shown only while
    the device is being set up; ``last_used_step`` is the 30-second step of
    the last accepted code, so the same code (or an older one) cannot be
    replayed.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="totp_device", verbose_name=_("tài khoản")
    )
    secret_encrypted = models.TextField(_("khoá bí mật (đã mã hoá)"))
    created_at = models.DateTimeField(_("tạo lúc"))
    confirmed_at = models.DateTimeField(_("bật lúc"), null=True, blank=True)
    last_used_step = models.BigIntegerField(
        _("bước thời gian dùng gần nhất"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("ứng dụng xác thực")
        verbose_name_plural = _("ứng dụng xác thực")

    def __str__(self) -> str:
        return f"{self.user_id} · {'on' if self.confirmed_at else 'setup'}"


class RecoveryCode(models.Model):
    """One of the 10 single-use recovery codes, stored with Django's hashers."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("tài khoản")
    )
    code_hash = models.CharField(_("mã băm"), max_length=128)
    created_at = models.DateTimeField(_("tạo lúc"))
    used_at = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("mã khôi phục")
        verbose_name_plural = _("mã khôi phục")

    def __str__(self) -> str:
        return f"{self.user_id} · {'used' if self.used_at else 'unused'}"


class Passkey(models.Model):
    """A WebAuthn credential (passkey) registered from the account page."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="passkeys", verbose_name=_("tài khoản")
    )
    credential_id = models.CharField(_("mã khoá"), max_length=1400, unique=True)
    public_key = models.BinaryField(_("khoá công khai"))
    sign_count = models.PositiveBigIntegerField(_("bộ đếm chữ ký"), default=0)
    user_handle = models.CharField(max_length=64)
    transports = models.JSONField(default=list, blank=True)
    name = models.CharField(_("tên"), max_length=80)
    created_at = models.DateTimeField(_("thêm lúc"))
    last_used_at = models.DateTimeField(_("dùng gần nhất"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("khoá đăng nhập (passkey)")
        verbose_name_plural = _("khoá đăng nhập (passkey)")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.name}"


class ContactChange(models.Model):
    """A phone or e-mail change waiting out its cooling-off period.

    Confirmed by the e-mail code, it takes effect ``effective_at`` (12 hours
    later); until then the old phone and e-mail hold a "Không phải tôi" link
    that cancels it and locks the account.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ hiệu lực")
        APPLIED = "applied", _("Đã có hiệu lực")
        CANCELLED = "cancelled", _("Đã huỷ")
        REPORTED = "reported", _("Chủ tài khoản báo “Không phải tôi”")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="contact_changes", verbose_name=_("tài khoản")
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status, default=Status.PENDING
    )
    old_phone = models.CharField(_("số điện thoại cũ"), max_length=16, blank=True)
    old_email = models.EmailField(_("thư điện tử cũ"), blank=True)
    new_phone = models.CharField(_("số điện thoại mới"), max_length=16, blank=True)
    new_email = models.EmailField(_("thư điện tử mới"), blank=True)
    requested_at = models.DateTimeField(_("yêu cầu lúc"))
    effective_at = models.DateTimeField(_("có hiệu lực lúc"), db_index=True)
    decided_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("yêu cầu đổi thông tin liên hệ")
        verbose_name_plural = _("yêu cầu đổi thông tin liên hệ")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="one_pending_contact_change",
            ),
            models.CheckConstraint(
                condition=Q(effective_at__gt=models.F("requested_at")),
                name="contact_change_effective_later",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.get_status_display()}"
