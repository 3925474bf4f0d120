"""Payments of voluntary BHXH and household BHYT, and the gateway's notices.

Imported by ``insurance.models`` so that they belong to the insurance app
(its migrations, its admin). One ``Payment`` is one transaction at the
gateway (its code is the gateway's order reference, ``vnp_TxnRef``); paying
again after a failure makes a new one.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# As the tờ khai codes: no 0/O, 1/I/L, U, readable over the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def payment_code_new() -> str:
    """``TT`` + date + 8 random characters (about 39 bits): unguessable, unique."""
    random_part = "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))
    return f"TT{timezone.localdate():%y%m%d}{random_part}"


class PaymentKind(models.TextChoices):
    VOLUNTARY_BHXH = "voluntary_bhxh", _("Đóng BHXH tự nguyện")
    HOUSEHOLD_BHYT = "household_bhyt", _("Gia hạn BHYT hộ gia đình")


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Mới tạo")
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Thanh toán không thành công")
    CANCELLED = "cancelled", _("Đã huỷ")
    EXPIRED = "expired", _("Hết hạn thanh toán")


# Months of these payments are taken: no second payment may cover them.
HOLDING_STATUSES = (PaymentStatus.PENDING, PaymentStatus.PAID)
# The gateway may still report on these (an expired payment is only "no news
# yet" on our side: a late success is money received and is credited).
OPEN_STATUSES = (PaymentStatus.PENDING, PaymentStatus.EXPIRED)
# "Thanh toán lại" is offered for these.
RETRY_STATUSES = (PaymentStatus.FAILED, PaymentStatus.CANCELLED, PaymentStatus.EXPIRED)


class SupportCategory(models.TextChoices):
    """Who the State helps with voluntary BHXH, read from the BHYT group (HN, CN)."""

    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    OTHER = "other", _("Đối tượng khác")


class VoluntaryMethod(models.TextChoices):
    """Phương thức đóng BHXH tự nguyện (domain reference §5)."""

    MONTHLY = "1", _("Hằng tháng")
    QUARTERLY = "3", _("3 tháng một lần")
    HALF_YEARLY = "6", _("6 tháng một lần")
    YEARLY = "12", _("12 tháng một lần")
    YEARS_AHEAD = "years", _("Một lần cho nhiều năm về sau (tối đa 5 năm)")
    BACKPAY = "backpay", _("Một lần cho những tháng còn thiếu")


class Payment(models.Model):
    """A citizen's payment: what for, how much, and where the gateway stands."""

    # Read where written, never from a lagging replica (vssid_portal/db_router.py).
    read_from_primary = True

    Kind = PaymentKind
    Status = PaymentStatus
    Method = VoluntaryMethod

    code = models.CharField(
        _("mã giao dịch"), max_length=16, unique=True, default=payment_code_new, editable=False
    )
    kind = models.CharField(_("loại"), max_length=16, choices=PaymentKind)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("người nộp tiền"),
    )
    method = models.CharField(
        _("phương thức đóng"), max_length=8, choices=VoluntaryMethod, blank=True
    )
    months = models.PositiveSmallIntegerField(_("số tháng"))
    income = models.BigIntegerField(
        _("mức thu nhập làm căn cứ đóng (đồng)"),
        null=True,
        blank=True,
        help_text=_("Chỉ với BHXH tự nguyện."),
    )
    support_category = models.CharField(
        _("nhóm được Nhà nước hỗ trợ"), max_length=16, choices=SupportCategory, blank=True
    )
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=PaymentStatus, default=PaymentStatus.CREATED
    )
    provider = models.CharField(_("cổng thanh toán"), max_length=16)
    provider_transaction_no = models.CharField(
        _("mã giao dịch tại cổng"), max_length=64, blank=True
    )
    bank_code = models.CharField(_("ngân hàng"), max_length=32, blank=True)
    response_code = models.CharField(
        _("mã kết quả của cổng"),
        max_length=8,
        blank=True,
        help_text=_("vnp_ResponseCode: 00 thành công, 24 khách hàng huỷ, mã khác là lỗi."),
    )
    refund_due = models.BooleanField(
        _("cần hoàn tiền"),
        default=False,
        help_text=_(
            "Cổng báo thành công sau khi các tháng này đã được thanh toán bằng giao dịch "
            "khác: cơ quan BHXH đối soát và hoàn trả."
        ),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("chuyển sang cổng lúc"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn thanh toán lúc"), null=True, blank=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["payer", "-created_at"], name="payment_payer_created_idx"),
            # The expiry sweep reads the pending ones by deadline.
            models.Index(
                fields=["expires_at"],
                name="payment_pending_expiry_idx",
                condition=Q(status="pending"),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(months__gte=1), name="payment_months_positive"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False),
                name="payment_paid_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def can_retry(self) -> bool:
        return self.status in RETRY_STATUSES

    @property
    def is_voluntary(self) -> bool:
        return self.kind == PaymentKind.VOLUNTARY_BHXH


class PaymentLine(models.Model):
    """One person's months in a payment and what they cost."""

    # Read where written, never from a lagging replica (vssid_portal/db_router.py).
    read_from_primary = True

    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("giao dịch")
    )
    person = models.ForeignKey(
        "insurance.Person",
        on_delete=models.PROTECT,
        related_name="payment_lines",
        verbose_name=_("người tham gia"),
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    from_month = models.DateField(_("từ tháng"))
    to_month = models.DateField(_("đến tháng"))
    months = models.PositiveSmallIntegerField(_("số tháng"))
    base = models.BigIntegerField(
        _("mức làm căn cứ đóng (đồng)"),
        help_text=_("Thu nhập tự chọn (BHXH tự nguyện) hoặc mức tham chiếu (BHYT)."),
    )
    rate = models.DecimalField(_("tỷ lệ đóng (%)"), max_digits=5, decimal_places=2)
    share = models.PositiveSmallIntegerField(_("tỷ lệ so với người thứ nhất (%)"), default=100)
    monthly_amount = models.BigIntegerField(_("số tiền mỗi tháng trước hỗ trợ (đồng)"))
    monthly_support = models.BigIntegerField(_("Nhà nước hỗ trợ mỗi tháng (đồng)"), default=0)
    amount = models.BigIntegerField(_("số tiền phải nộp (đồng)"))
    valid_from = models.DateField(_("thẻ BHYT có giá trị từ"), null=True, blank=True)
    valid_to = models.DateField(_("thẻ BHYT có giá trị đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("dòng thanh toán")
        verbose_name_plural = _("dòng thanh toán")
        ordering = ["payment", "position"]
        indexes = [
            # Overlap checks: this person's lines by month range.
            models.Index(fields=["person", "from_month"], name="paymentline_person_month_idx")
        ]
        constraints = [
            models.UniqueConstraint(fields=["payment", "person"], name="paymentline_once"),
            models.CheckConstraint(
                condition=Q(to_month__gte=F("from_month")), name="paymentline_to_after_from"
            ),
            models.CheckConstraint(
                condition=Q(from_month__day=1, to_month__day=1), name="paymentline_whole_months"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="paymentline_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} {self.person_id} {self.from_month:%m/%Y}–{self.to_month:%m/%Y}"

    @property
    def monthly_payable(self) -> int:
        return self.monthly_amount - self.monthly_support

    @property
    def contribution(self) -> int:
        return self.monthly_amount * self.months

    @property
    def support(self) -> int:
        return self.monthly_support * self.months


class PaymentNotice(models.Model):
    """What the gateway sent, as received: an append-only log for audit.

    Only the gateway's result fields arrive here (order reference, amount,
    bank, codes, signature); card data never reaches the portal.
    """

    read_from_primary = True

    class Channel(models.TextChoices):
        IPN = "ipn", _("IPN (máy chủ cổng gọi)")
        RETURN = "return", _("Trả về trình duyệt")

    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("giao dịch"),
    )
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel)
    provider = models.CharField(_("cổng thanh toán"), max_length=16)
    received_at = models.DateTimeField(_("nhận lúc"), default=timezone.now)
    remote_addr = models.GenericIPAddressField(_("địa chỉ gửi"), null=True, blank=True)
    params = models.JSONField(_("dữ liệu nhận được"))
    signature_valid = models.BooleanField(_("chữ ký hợp lệ"))
    result = models.CharField(
        _("kết quả xử lý"),
        max_length=8,
        blank=True,
        help_text=_("Mã trả lời cổng (RspCode) với IPN."),
    )

    class Meta:
        verbose_name = _("thông báo từ cổng thanh toán")
        verbose_name_plural = _("thông báo từ cổng thanh toán")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel} {self.received_at:%d/%m/%Y %H:%M:%S}"
