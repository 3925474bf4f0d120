from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
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

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

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
