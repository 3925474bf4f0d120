"""A citizen's request to their managing office, on the shared case lifecycle."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..cases import OPEN_STATUSES, Case, CaseEvent
from ..models import TimeStampedModel, reference_code_make


def request_code_new() -> str:
    """``YC`` ("yêu cầu") + date + 8 random characters, like a tờ khai's code."""
    return reference_code_make("YC")


def request_upload_to(instance, filename: str) -> str:
    # ``filename`` is already a generated UUID name (ImageUploadField).
    return f"requests/{timezone.now():%Y/%m}/{filename}"


class ServiceRequest(TimeStampedModel, Case):
    """A request about one registry person, filed by a signed-in account.

    The person is the account's own, or a child whose account the filer
    registered (``insurance.access``). The request goes to the office that
    manages the person; what it asks is the ``payload``, validated by the
    kind's form (``declarations.requests.kinds``); what the approval did is
    kept in ``outcome`` (and in the approval event's detail).
    """

    class Kind(models.TextChoices):
        CARD_REISSUE = "card_reissue", _("Cấp lại thẻ BHYT")
        DATA_CORRECTION = "data_correction", _("Điều chỉnh thông tin cá nhân")
        FACILITY_CHANGE = "facility_change", _("Đổi nơi đăng ký KCB ban đầu")
        CONTRIBUTION_REPORT = "contribution_report", _("Báo sai/thiếu quá trình đóng")

    reference_code = models.CharField(
        _("mã yêu cầu"), max_length=20, unique=True, default=request_code_new, editable=False
    )
    kind = models.CharField(_("loại yêu cầu"), max_length=24, choices=Kind)
    person = models.ForeignKey(
        "insurance.Person",
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("người tham gia"),
        db_index=False,  # the indexes below start with person
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("tài khoản gửi"),
        db_index=False,
    )
    office = models.ForeignKey(
        "lookup.Office",
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("cơ quan BHXH xử lý"),
        db_index=False,
    )
    payload = models.JSONField(
        _("nội dung yêu cầu"),
        default=dict,
        blank=True,
        help_text=_("Các thông tin người dân khai theo mẫu của loại yêu cầu."),
    )
    attachment = models.FileField(
        _("ảnh giấy tờ kèm theo"),
        upload_to=request_upload_to,
        blank=True,
        help_text=_("Ảnh riêng tư: chỉ người gửi, cán bộ của cơ quan xử lý và quản trị viên xem."),
    )
    answer = models.TextField(
        _("trả lời của cơ quan BHXH"),
        blank=True,
        help_text=_("Người dân xem được; bắt buộc khi duyệt yêu cầu báo sai quá trình đóng."),
    )
    outcome = models.JSONField(
        _("kết quả xử lý"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Những gì việc phê duyệt đã thay đổi (thẻ cấp lại, thông tin trước/sau…)."),
    )
    effective_on = models.DateField(
        _("có hiệu lực từ ngày"),
        null=True,
        blank=True,
        help_text=_("Đổi nơi đăng ký KCB ban đầu: áp dụng từ ngày đầu quý sau khi duyệt."),
    )
    applied_at = models.DateTimeField(
        _("đã áp dụng lúc"),
        null=True,
        blank=True,
        help_text=_("Lúc thay đổi đã duyệt được ghi vào dữ liệu thẻ BHYT."),
    )
    submission_key = models.CharField(
        _("khoá gửi"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("Một lần bấm “Gửi” tạo đúng một yêu cầu, dù bấm nhiều lần."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("yêu cầu của người dân")
        verbose_name_plural = _("yêu cầu của người dân")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""),
                name="service_request_rejection_has_reason",
            ),
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(status__in=[str(s) for s in OPEN_STATUSES]),
                name="service_request_one_open_per_person_kind",
            ),
        ]
        # Like the tờ khai queue: per office (and status), newest first, and
        # the acknowledge clock; the citizen's list per account and person.
        indexes = [
            models.Index(fields=["office", "status", "-created_at"], name="sreq_office_status_new"),
            models.Index(fields=["office", "-created_at"], name="sreq_office_new"),
            models.Index(fields=["status", "-created_at"], name="sreq_status_new"),
            models.Index(
                fields=["office", "status", "acknowledge_due_at"], name="sreq_office_status_due"
            ),
            models.Index(fields=["filed_by", "-created_at"], name="sreq_filer_new"),
            models.Index(fields=["person", "-created_at"], name="sreq_person_new"),
            # Approved facility changes waiting for their quarter.
            models.Index(
                fields=["effective_on"],
                condition=Q(applied_at__isnull=True, effective_on__isnull=False),
                name="sreq_pending_effect",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference_code} - {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("requests:detail", args=[self.reference_code])

    def staff_url(self) -> str:
        return reverse("staff_requests:detail", args=[self.reference_code])


class ServiceRequestEvent(CaseEvent):
    """Audit record of one move of a request (read-only), written in the
    transaction of the move by the lifecycle services."""

    service_request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("yêu cầu"),
    )

    class Meta(CaseEvent.Meta):
        verbose_name = _("nhật ký yêu cầu")
        verbose_name_plural = _("nhật ký yêu cầu")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.service_request_id}"
