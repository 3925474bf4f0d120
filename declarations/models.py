"""The tờ khai (declaration) and the drafts of the registration wizard.

Personal data is kept to what the office needs to decide: no IP address,
no user agent. Images live on the private default storage under generated
names and are only served through views that check the viewer.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vssid_portal.text import READABLE_ALPHABET, fold
from vssid_portal.validators import validate_insurance_number

from .cases import Case, CaseEvent

# Crockford-like base32 without 0/O, 1/I/L, U: readable over the phone.
REFERENCE_ALPHABET = READABLE_ALPHABET
REFERENCE_RANDOM_LENGTH = 8


def reference_code_make(prefix: str) -> str:
    """``prefix`` + date + 8 random characters (about 39 bits): unguessable, unique."""
    random_part = "".join(
        secrets.choice(REFERENCE_ALPHABET) for _i in range(REFERENCE_RANDOM_LENGTH)
    )
    return f"{prefix}{timezone.localdate():%y%m%d}{random_part}"


def reference_code_new() -> str:
    """A tờ khai's code: ``DK`` + date + 8 random characters."""
    return reference_code_make("DK")


def declaration_upload_to(instance, filename: str) -> str:
    # ``filename`` is already a generated UUID name (ImageUploadField).
    return f"declarations/{timezone.now():%Y/%m}/{filename}"


def draft_upload_to(instance, filename: str) -> str:
    return f"declaration-drafts/{timezone.now():%Y/%m/%d}/{filename}"


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class Declaration(TimeStampedModel, Case):
    """A submitted tờ khai asking for an electronic-transaction account.

    Its lifecycle (status, clocks, corrections) is the one of every case,
    see ``declarations.cases`` and ``declarations.lifecycle``.
    """

    class Kind(models.TextChoices):
        OWN_ACCOUNT = "own_account", _("Cá nhân")
        CHILD_ACCOUNT = "child_account", _("Tài khoản cho con")
        CONTACT_CHANGE = "contact_change", _("Thay đổi thông tin liên hệ")

    class SubmissionMode(models.TextChoices):
        AT_OFFICE = "at_office", _("Nộp tại điểm tiếp nhận của cơ quan BHXH")
        BY_POST = "by_post", _("Nộp qua dịch vụ bưu chính công ích")

    reference_code = models.CharField(
        _("mã hồ sơ"), max_length=20, unique=True, default=reference_code_new, editable=False
    )
    kind = models.CharField(
        _("loại tờ khai"), max_length=16, choices=Kind, default=Kind.OWN_ACCOUNT
    )
    full_name = models.CharField(_("Họ và tên (Tên cơ quan/tổ chức/cá nhân)"), max_length=150)
    full_name_folded = models.CharField(
        _("họ tên không dấu"),
        max_length=150,
        editable=False,
        default="",
        help_text=_("Dùng để tìm kiếm không phân biệt dấu; tự cập nhật khi lưu."),
    )
    insurance_number = models.CharField(
        _("Mã số bảo hiểm xã hội"), max_length=10, validators=[validate_insurance_number]
    )
    date_of_birth = models.DateField(_("Ngày sinh"))
    id_number = models.CharField(_("Số CMND/HC/CC"), max_length=12)
    contact_address = models.CharField(_("Địa chỉ liên hệ"), max_length=255)
    contact_person = models.CharField(_("Người liên hệ"), max_length=150)
    email = models.EmailField(_("Địa chỉ thư điện tử"), blank=True)
    phone = models.CharField(
        _("Điện thoại di động"), max_length=16, help_text=_("Dạng E.164, ví dụ +84912345678.")
    )
    office = models.ForeignKey(
        "lookup.Office",
        on_delete=models.PROTECT,
        related_name="declarations",
        verbose_name=_("Cơ quan BHXH tiếp nhận"),
    )
    submission_mode = models.CharField(
        _("Hình thức nộp hồ sơ"), max_length=16, choices=SubmissionMode
    )
    send_form_by_email = models.BooleanField(_("Gửi email tờ khai"), default=False)

    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="child_declarations",
        verbose_name=_("người giám hộ"),
        help_text=_("Tài khoản của cha, mẹ hoặc người giám hộ đăng ký cho trẻ."),
    )

    portrait = models.FileField(_("Ảnh chân dung"), upload_to=declaration_upload_to)
    id_front = models.FileField(_("Ảnh mặt trước"), upload_to=declaration_upload_to, blank=True)
    id_back = models.FileField(_("Ảnh mặt sau"), upload_to=declaration_upload_to, blank=True)
    birth_certificate = models.FileField(
        _("Ảnh giấy khai sinh"), upload_to=declaration_upload_to, blank=True
    )

    registry_match = models.BooleanField(
        _("khớp dữ liệu"),
        default=False,
        help_text=_(
            "Họ tên (không dấu), ngày sinh, số CCCD và mã số BHXH khớp chính xác với dữ liệu "
            "của cơ quan BHXH và đủ ảnh hợp lệ; tính lại mỗi lần nộp."
        ),
    )
    registry_mismatches = models.JSONField(
        _("trường không khớp"), default=list, blank=True, editable=False
    )

    submission_key = models.CharField(
        _("khoá gửi"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("Một lần bấm “Gửi” tạo đúng một tờ khai, dù bấm nhiều lần."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tờ khai đăng ký")
        verbose_name_plural = _("tờ khai đăng ký")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""),
                name="declaration_rejection_has_reason",
            ),
            models.UniqueConstraint(
                fields=["insurance_number"],
                condition=Q(status__in=["submitted", "received", "returned"]),
                name="declaration_one_open_per_insurance_number",
            ),
            models.CheckConstraint(
                condition=~Q(kind="child_account") | Q(guardian__isnull=False),
                name="declaration_child_has_guardian",
            ),
        ]
        # The staff queue filters by office (and often status) and lists the
        # newest first; administrators list every office the same way.
        indexes = [
            models.Index(fields=["office", "status", "-created_at"], name="decl_office_status_new"),
            models.Index(fields=["office", "-created_at"], name="decl_office_new"),
            models.Index(fields=["status", "-created_at"], name="decl_status_new"),
            models.Index(fields=["-created_at"], name="decl_new"),
            # "Quá hạn": waiting for the office past its acknowledge deadline.
            models.Index(
                fields=["office", "status", "acknowledge_due_at"], name="decl_office_status_due"
            ),
            models.Index(fields=["insurance_number"], name="decl_insurance_number"),
            models.Index(fields=["phone"], name="decl_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.reference_code} - {self.full_name}"

    def save(self, *args, **kwargs):
        self.full_name_folded = fold(self.full_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "full_name_folded"}
        super().save(*args, **kwargs)

    @property
    def is_child_account(self) -> bool:
        return self.kind == self.Kind.CHILD_ACCOUNT

    @property
    def image_slots(self) -> tuple[str, ...]:
        """The images this kind of tờ khai carries (field names)."""
        if self.is_child_account:
            return ("portrait", "birth_certificate")
        return ("portrait", "id_front", "id_back")


class DeclarationEvent(CaseEvent):
    """Audit record of one state change of a declaration (read-only).

    Written by the lifecycle services in the transaction that changes the
    state, so the log and the declaration never disagree.
    """

    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("tờ khai"),
    )

    class Meta(CaseEvent.Meta):
        verbose_name = _("nhật ký tờ khai")
        verbose_name_plural = _("nhật ký tờ khai")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.declaration_id}"


class DeclarationDraft(TimeStampedModel):
    """The server-side state of one citizen's wizard, found by a session token.

    Kept in the database (not only in the session) so that uploads survive
    "Quay lại", a restart of the server and the session store; a periodic
    job removes drafts untouched for 24 hours together with their files, or,
    once a resume link was sent to the citizen, 7 days after the link.
    """

    token = models.CharField(max_length=64, unique=True, editable=False)
    data = models.JSONField(_("dữ liệu đã nhập"), default=dict, blank=True)
    resume_phone = models.CharField(
        _("số điện thoại nhận đường dẫn tiếp tục"), max_length=16, blank=True, db_index=True
    )
    resumable_until = models.DateTimeField(
        _("tiếp tục được đến"),
        null=True,
        blank=True,
        help_text=_("Đã gửi đường dẫn tiếp tục: giữ tờ khai và ảnh đến thời điểm này."),
    )
    resume_sent_count = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("tờ khai đang điền")
        verbose_name_plural = _("tờ khai đang điền")
        indexes = [
            models.Index(fields=["updated_at"]),
            models.Index(fields=["resumable_until"]),
        ]

    def __str__(self) -> str:
        return f"draft {self.pk} ({self.updated_at:%Y-%m-%d %H:%M})"


class DeclarationUpload(models.Model):
    """An image uploaded in the wizard, already cleaned (re-encoded, no EXIF)."""

    class Slot(models.TextChoices):
        PORTRAIT = "portrait", _("Ảnh chân dung")
        ID_FRONT = "id_front", _("Ảnh mặt trước")
        ID_BACK = "id_back", _("Ảnh mặt sau")
        BIRTH_CERTIFICATE = "birth_certificate", _("Ảnh giấy khai sinh")
        # The supporting photo of a request (declarations.requests).
        ATTACHMENT = "attachment", _("Ảnh giấy tờ kèm theo")

    draft = models.ForeignKey(DeclarationDraft, on_delete=models.CASCADE, related_name="uploads")
    slot = models.CharField(_("loại ảnh"), max_length=20, choices=Slot)
    file = models.FileField(_("tệp"), upload_to=draft_upload_to)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ảnh đang tải lên")
        verbose_name_plural = _("ảnh đang tải lên")
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "slot"], name="declaration_upload_one_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.slot} of draft {self.draft_id}"


# The requests a signed-in citizen files (card reissue, corrections, ...):
# their own package, loaded with the app's models.
from .requests.models import ServiceRequest, ServiceRequestEvent  # noqa: E402, F401
