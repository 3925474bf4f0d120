"""What every request a citizen files with an office has in common.

A *case* is a tờ khai or any later request type (card reissue, correction of
personal data, ...): it goes to one office's clerk queue and follows one
lifecycle, implemented once in ``declarations.lifecycle``::

    submitted ──"Đã kiểm tra giấy tờ"──> received ──"Phê duyệt"──> approved
        │  └──────────────"Từ chối" (from any open state)───────────> rejected
        └──"Yêu cầu bổ sung"──> returned ──citizen "Gửi bổ sung"──> submitted

Concrete models inherit ``Case`` (plus their own fields and an ``office``
foreign key) and an event model inheriting ``CaseEvent`` with a
``case``-like foreign key named by ``CasePolicy.event_fk``.

Clocks: ``submitted_at`` (last submission or resubmission), the deadline to
acknowledge it (``acknowledge_due_at``, in working hours, see
``lookup.working_time``), ``acknowledged_at`` (the office's first answer to
that submission: checked, returned, approved or rejected) and
``decided_at``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Đã nộp")
    RECEIVED = "received", _("Đã tiếp nhận")
    RETURNED = "returned", _("Chờ bổ sung")
    APPROVED = "approved", _("Đã duyệt")
    REJECTED = "rejected", _("Bị từ chối")


# Not decided yet (one open case per person and kind)...
OPEN_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.RECEIVED, CaseStatus.RETURNED)
# ...and of those, the ones waiting for the office rather than the citizen.
AWAITING_OFFICE = (CaseStatus.SUBMITTED, CaseStatus.RECEIVED)
DECIDED_STATUSES = (CaseStatus.APPROVED, CaseStatus.REJECTED)


class CaseAction(models.TextChoices):
    SUBMITTED = "submitted", _("Nộp hồ sơ")
    CHECKED = "checked", _("Đã kiểm tra giấy tờ")
    RETURNED = "returned", _("Yêu cầu bổ sung")
    RESUBMITTED = "resubmitted", _("Nộp bổ sung")
    APPROVED = "approved", _("Phê duyệt")
    REJECTED = "rejected", _("Từ chối")


class CorrectionReason(models.TextChoices):
    """Why a field or photo is sent back; the clerk may add free text."""

    UNREADABLE = "unreadable", _("Ảnh mờ, thiếu góc hoặc không đọc được")
    NOT_PORTRAIT = "not_portrait", _("Không phải ảnh chân dung rõ mặt")
    MISMATCH_DOCUMENT = "mismatch_document", _("Không khớp với giấy tờ tùy thân")
    MISMATCH_REGISTRY = "mismatch_registry", _("Không khớp với dữ liệu của cơ quan BHXH")
    INCOMPLETE = "incomplete", _("Thông tin chưa đầy đủ")
    UNREACHABLE = "unreachable", _("Không liên lạc được theo thông tin này")
    OTHER = "other", _("Lý do khác (ghi rõ)")


class Case(models.Model):
    """The lifecycle fields of a request to an office (abstract)."""

    Status = CaseStatus

    status = models.CharField(
        _("trạng thái"), max_length=16, choices=CaseStatus, default=CaseStatus.SUBMITTED
    )
    reject_reason = models.TextField(_("lý do từ chối"), blank=True)
    submitted_at = models.DateTimeField(
        _("nộp lúc"),
        default=timezone.now,
        help_text=_("Lần nộp gần nhất (lần đầu hoặc nộp bổ sung)."),
    )
    acknowledge_due_at = models.DateTimeField(
        _("hạn tiếp nhận"),
        null=True,
        blank=True,
        help_text=_(
            "Hạn cơ quan BHXH phải tiếp nhận hoặc yêu cầu bổ sung, tính theo giờ làm việc."
        ),
    )
    acknowledged_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    decided_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("yêu cầu bổ sung lúc"), null=True, blank=True)
    correction_round = models.PositiveSmallIntegerField(
        _("số lần yêu cầu bổ sung"), default=0, editable=False
    )
    correction_items = models.JSONField(
        _("nội dung cần bổ sung"),
        default=list,
        blank=True,
        help_text=_("Các trường, ảnh cán bộ đánh dấu cần sửa, mỗi mục có lý do."),
    )
    correction_note = models.TextField(_("ghi chú yêu cầu bổ sung"), blank=True)

    OPEN_STATUSES = OPEN_STATUSES
    AWAITING_OFFICE = AWAITING_OFFICE

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def awaits_correction(self) -> bool:
        return self.status == CaseStatus.RETURNED

    def is_overdue(self, now=None) -> bool:
        """Not acknowledged by its deadline (only while it waits for the office)."""
        return (
            self.status == CaseStatus.SUBMITTED
            and self.acknowledge_due_at is not None
            and self.acknowledge_due_at < (now or timezone.now())
        )

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    def correction_fields(self) -> list[str]:
        return [item["field"] for item in self.correction_items]


class CaseEvent(models.Model):
    """One move of a case (abstract): who, when, from, to, why (read-only)."""

    Action = CaseAction

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    action = models.CharField(_("hành động"), max_length=16, choices=CaseAction)
    from_status = models.CharField(
        _("từ trạng thái"), max_length=16, choices=CaseStatus, blank=True
    )
    to_status = models.CharField(_("sang trạng thái"), max_length=16, choices=CaseStatus)
    reason = models.TextField(_("lý do"), blank=True)
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
