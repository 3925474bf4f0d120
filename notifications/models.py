from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One SMS or e-mail in the outbox: written with the business action, sent after commit.

    ``text``/``html`` hold what is sent; ``redacted_text``/``redacted_html``
    the same rendering with sensitive values (initial password, OTP) masked.
    Once sent, the full rendering may be replaced by the redacted one
    (``NOTIFICATIONS_REDACT_SENT``), so secrets live in the outbox only
    until they have left.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Thư điện tử")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi")

    channel = models.CharField(_("kênh"), max_length=8, choices=Channel)
    recipient = models.CharField(
        _("người nhận"),
        max_length=254,
        help_text=_("Số điện thoại dạng E.164 (+84…) hoặc địa chỉ thư điện tử."),
    )
    template = models.CharField(_("mẫu tin"), max_length=100)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    text = models.TextField(_("nội dung"))
    html = models.TextField(_("nội dung HTML"), blank=True)
    redacted_text = models.TextField(_("nội dung đã che"))
    redacted_html = models.TextField(_("nội dung HTML đã che"), blank=True)
    is_redacted = models.BooleanField(
        _("đã xoá thông tin nhạy cảm"),
        default=False,
        help_text=_("Nội dung đầy đủ đã được thay bằng bản che sau khi gửi."),
    )
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=Status, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    idempotency_key = models.CharField(
        _("khoá chống trùng"), max_length=200, unique=True, null=True, blank=True
    )
    about_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loại đối tượng"),
    )
    about_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    next_attempt_at = models.DateTimeField(
        _("gửi lại từ"),
        default=timezone.now,
        help_text=_("Bộ quét định kỳ chỉ gửi lại tin chờ gửi quá thời điểm này."),
    )
    claimed_at = models.DateTimeField(_("bắt đầu gửi lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tin nhắn")
        verbose_name_plural = _("hộp thư đi")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_created"),
            models.Index(fields=["about_type", "about_id"], name="notif_about"),
            models.Index(
                fields=["status", "next_attempt_at"],
                name="notif_pending",
                condition=Q(status__in=["queued", "sending"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="notif_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.template})"

    def display_text(self, *, debug: bool) -> str:
        """The text an operator may see: the full one only in DEBUG."""
        return self.text if debug else self.redacted_text


def attachment_upload_to(instance: "MessageAttachment", filename: str) -> str:
    return f"notifications/attachments/{instance.message_id}/{filename}"


class MessageAttachment(models.Model):
    """A file sent with an e-mail, kept in private storage."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("tin nhắn")
    )
    filename = models.CharField(_("tên tệp"), max_length=200)
    content_type = models.CharField(_("kiểu nội dung"), max_length=100)
    file = models.FileField(_("tệp"), upload_to=attachment_upload_to, max_length=300)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self) -> str:
        return self.filename


class InboxEntry(models.Model):
    """A notice kept in an account's message centre ("Thông báo", /ca-nhan/thong-bao/).

    One entry per notice, however many channels carried it (SMS and e-mail
    are only pointers to it). What is stored is the notice's template key
    and its context without the sensitive values (initial password, OTP);
    the title and text are drawn from ``notifications/inbox/<kind>.subject.txt``
    and ``.txt`` when shown, in the reader's language.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inbox_entries",
        verbose_name=_("tài khoản"),
        help_text=_(
            "Tài khoản mà thông báo nói về; người giám hộ cũng xem được thông báo của con."
        ),
    )
    kind = models.CharField(
        _("loại thông báo"),
        max_length=100,
        help_text=_("Mẫu tin của thông báo, ví dụ account_locked."),
    )
    context = models.JSONField(_("dữ liệu hiển thị"), default=dict, blank=True)
    link = models.CharField(
        _("đường dẫn"),
        max_length=300,
        blank=True,
        help_text=_("Trang liên quan trên cổng, ví dụ /ca-nhan/the-bhyt/."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    read_at = models.DateTimeField(_("đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo trong tài khoản")
        verbose_name_plural = _("thông báo trong tài khoản")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="inbox_user_created"),
            models.Index(
                fields=["user"], name="inbox_user_unread", condition=Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"

    def get_absolute_url(self) -> str:
        return reverse("inbox:detail", args=[self.pk])

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
