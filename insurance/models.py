import re

from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vssid_portal.text import fold
from vssid_portal.validators import validate_insurance_number

# Payments (insurance/payments/models.py) belong to this app: imported here so
# that Django registers them with it.
from .payments.models import Payment, PaymentLine, PaymentNotice  # noqa: F401

# New card: the 10-digit mã số BHXH. Old card: group code, benefit level
# 1-5, 2-digit province of issue, then the mã số (domain reference 2.1).
CARD_NUMBER_RE = re.compile(r"\d{10}|[A-Z]{2}[1-5]\d{2}\d{10}")
KCB_CODE_RE = re.compile(r"\d{2}[0-9A-Z]{3}")


class Person(models.Model):
    """A participant as the core system knows them (the registry)."""

    class Gender(models.TextChoices):
        MALE = "M", _("Nam")
        FEMALE = "F", _("Nữ")

    insurance_number = models.CharField(
        _("mã số BHXH"), max_length=10, unique=True, validators=[validate_insurance_number]
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    # fold(full_name); indexed with the birth date below for the mã số lookup.
    name_search = models.CharField(max_length=150, editable=False, default="")
    date_of_birth = models.DateField(_("ngày sinh"))
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender)
    id_number = models.CharField(_("số CMND/CCCD"), max_length=12, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    province = models.ForeignKey(
        "lookup.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tỉnh/thành phố"),
    )
    office = models.ForeignKey(
        "lookup.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan BHXH quản lý"),
    )
    parent_name = models.CharField(_("họ tên cha/mẹ"), max_length=150, blank=True)

    class Meta:
        ordering = ["insurance_number"]
        # The mã số lookup asks for name + birth date (+ province): a common
        # name alone matches thousands of people nationally, the pair a few.
        indexes = [
            models.Index(fields=["name_search", "date_of_birth"], name="person_name_birth_idx")
        ]
        verbose_name = _("người tham gia")
        verbose_name_plural = _("người tham gia")

    def __str__(self) -> str:
        return f"{self.insurance_number} - {self.full_name}"

    def save(self, *args, **kwargs):
        self.name_search = fold(self.full_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_search"}
        super().save(*args, **kwargs)


def validate_card_number(value: str) -> None:
    """Accept the 10-digit card number (from 04/2021) and the old 15-character one."""
    if not CARD_NUMBER_RE.fullmatch(value or ""):
        raise ValidationError(
            _("Số thẻ BHYT gồm 10 chữ số (mẫu mới) hoặc 15 ký tự như DN4790123456789 (mẫu cũ)."),
            code="invalid_card_number",
        )


def validate_kcb_code(value: str) -> None:
    if not KCB_CODE_RE.fullmatch(value or ""):
        raise ValidationError(
            _("Mã cơ sở KCB gồm 5 ký tự: 2 số mã tỉnh và 3 ký tự, ví dụ 79011."),
            code="invalid_kcb_code",
        )


class HealthInsuranceCard(models.Model):
    """A BHYT card (thẻ bảo hiểm y tế) of a registry person.

    The card number is either the 10-digit mã số BHXH (cards issued from
    01/04/2021, QĐ 1666) or the old 15-character code: group code, benefit
    level, province of issue and the mã số (QĐ 1351). The group and level are
    stored separately because the new number no longer carries them.
    """

    class Group(models.TextChoices):
        DN = "DN", _("Người lao động trong doanh nghiệp")
        HX = "HX", _("Người lao động trong hợp tác xã")
        CH = "CH", _("Người lao động trong cơ quan nhà nước, đơn vị sự nghiệp")
        NN = "NN", _("Người lao động trong tổ chức nước ngoài, quốc tế tại Việt Nam")
        TK = "TK", _("Người lao động trong tổ chức khác")
        HC = "HC", _("Cán bộ, công chức, viên chức")
        XK = "XK", _("Người hoạt động không chuyên trách ở xã")
        HT = "HT", _("Người hưởng lương hưu, trợ cấp mất sức lao động")
        TB = "TB", _("Người hưởng trợ cấp tai nạn lao động, bệnh nghề nghiệp hằng tháng")
        NO = "NO", _("Người nghỉ việc hưởng trợ cấp ốm đau dài ngày")
        TN = "TN", _("Người hưởng trợ cấp thất nghiệp")
        QN = "QN", _("Quân nhân")
        CA = "CA", _("Công an nhân dân")
        CC = "CC", _("Người có công với cách mạng")
        CB = "CB", _("Cựu chiến binh")
        TE = "TE", _("Trẻ em dưới 6 tuổi")
        BT = "BT", _("Người hưởng trợ cấp bảo trợ xã hội hằng tháng")
        HN = "HN", _("Người thuộc hộ gia đình nghèo")
        DT = "DT", _("Người dân tộc thiểu số vùng khó khăn")
        CN = "CN", _("Người thuộc hộ gia đình cận nghèo")
        HS = "HS", _("Học sinh")
        SV = "SV", _("Sinh viên")
        GB = "GB", _("Hộ gia đình nông, lâm, ngư, diêm nghiệp")
        GD = "GD", _("Người tham gia theo hộ gia đình")

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="cards",
        verbose_name=_("người tham gia"),
        db_index=False,  # the composite index below starts with person
    )
    card_number = models.CharField(
        _("số thẻ BHYT"), max_length=15, unique=True, validators=[validate_card_number]
    )
    group = models.CharField(_("mã đối tượng"), max_length=2, choices=Group)
    benefit_level = models.PositiveSmallIntegerField(
        _("mức hưởng"),
        help_text=_("1–5: 1, 2 và 5 là 100%; 3 là 95%; 4 là 80% chi phí trong phạm vi BHYT."),
    )
    valid_from = models.DateField(_("giá trị sử dụng từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    kcb_code = models.CharField(
        _("mã nơi ĐKKCB ban đầu"), max_length=5, validators=[validate_kcb_code]
    )
    kcb_name = models.CharField(_("nơi đăng ký KCB ban đầu"), max_length=200)
    five_year_date = models.DateField(_("thời điểm đủ 5 năm liên tục"), null=True, blank=True)
    issued_on = models.DateField(_("ngày cấp"), null=True, blank=True)
    issue_place = models.CharField(_("nơi cấp"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("thẻ BHYT")
        verbose_name_plural = _("thẻ BHYT")
        indexes = [models.Index(fields=["person", "-valid_from"], name="card_person_valid_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(benefit_level__gte=1, benefit_level__lte=5),
                name="card_benefit_level_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="card_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.card_number

    @property
    def is_old_format(self) -> bool:
        return len(self.card_number) == 15


class ParticipationPeriod(models.Model):
    """Months an employer (or the person) contributed to one insurance type.

    Months are stored as the first day of the month; both ends are inclusive.
    """

    class InsuranceType(models.TextChoices):
        BHXH = "bhxh", _("Bảo hiểm xã hội")
        BHTN = "bhtn", _("Bảo hiểm thất nghiệp")
        BHTNLD = "bhtnld", _("Bảo hiểm tai nạn lao động, bệnh nghề nghiệp")
        BHYT = "bhyt", _("Bảo hiểm y tế")

    class Status(models.TextChoices):
        PAID = "paid", _("Đã đóng")
        OWED = "owed", _("Còn nợ")

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="periods",
        verbose_name=_("người tham gia"),
        db_index=False,  # the composite index below starts with person
    )
    insurance_type = models.CharField(_("loại bảo hiểm"), max_length=8, choices=InsuranceType)
    from_month = models.DateField(_("từ tháng"))
    to_month = models.DateField(_("đến tháng"))
    employer_code = models.CharField(_("mã đơn vị"), max_length=20)
    employer_name = models.CharField(_("tên đơn vị"), max_length=200)
    position = models.CharField(_("chức vụ"), max_length=150, blank=True)
    salary = models.BigIntegerField(_("mức lương đóng (đồng)"))
    rate = models.DecimalField(_("tỷ lệ đóng (%)"), max_digits=5, decimal_places=2)
    status = models.CharField(_("tình trạng"), max_length=4, choices=Status, default=Status.PAID)

    class Meta:
        verbose_name = _("quá trình tham gia")
        verbose_name_plural = _("quá trình tham gia")
        ordering = ["insurance_type", "from_month"]
        # The natural key's unique index (person, type, from_month, employer)
        # also serves the history's filter and order: no second index to
        # maintain on the largest table.
        constraints = [
            models.UniqueConstraint(
                fields=["person", "insurance_type", "from_month", "employer_code"],
                name="period_natural_key",
            ),
            models.CheckConstraint(
                condition=Q(to_month__gte=F("from_month")), name="period_to_after_from"
            ),
            models.CheckConstraint(
                condition=Q(from_month__day=1, to_month__day=1), name="period_whole_months"
            ),
            models.CheckConstraint(condition=Q(salary__gte=0), name="period_salary_non_negative"),
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=100), name="period_rate_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurance_type} {self.from_month:%m/%Y}–{self.to_month:%m/%Y}"

    @property
    def months(self) -> int:
        return (
            (self.to_month.year - self.from_month.year) * 12
            + self.to_month.month
            - self.from_month.month
            + 1
        )


class BenefitPayment(models.Model):
    """A benefit paid to the person (chế độ đã hưởng)."""

    class Kind(models.TextChoices):
        ONE_TIME = "one_time", _("BHXH một lần")
        SICKNESS = "sickness", _("Ốm đau")
        MATERNITY = "maternity", _("Thai sản")
        OCCUPATIONAL = "occupational", _("Tai nạn lao động, bệnh nghề nghiệp")
        UNEMPLOYMENT = "unemployment", _("Trợ cấp thất nghiệp")
        PENSION = "pension", _("Lương hưu")

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="benefits",
        verbose_name=_("người tham gia"),
        db_index=False,  # the composite index below starts with person
    )
    kind = models.CharField(_("chế độ"), max_length=16, choices=Kind)
    period_from = models.DateField(_("từ ngày"))
    period_to = models.DateField(_("đến ngày"))
    days = models.PositiveIntegerField(_("số ngày"), null=True, blank=True)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    office_code = models.CharField(_("mã cơ quan chi trả"), max_length=5)
    office_name = models.CharField(_("cơ quan chi trả"), max_length=200)

    class Meta:
        verbose_name = _("chế độ đã hưởng")
        verbose_name_plural = _("chế độ đã hưởng")
        ordering = ["kind", "-period_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "period_from"], name="benefit_natural_key"
            ),
            models.CheckConstraint(
                condition=Q(period_to__gte=F("period_from")), name="benefit_to_after_from"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="benefit_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_from:%d/%m/%Y}"


class MedicalVisit(models.Model):
    """A visit or stay paid (in part) by BHYT (lịch sử khám chữa bệnh)."""

    class Kind(models.TextChoices):
        OUTPATIENT = "outpatient", _("Ngoại trú")
        INPATIENT = "inpatient", _("Nội trú")

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="visits",
        verbose_name=_("người tham gia"),
        db_index=False,  # the composite index below starts with person
    )
    claim_code = models.CharField(
        _("mã hồ sơ KCB"),
        max_length=50,
        unique=True,
        help_text=_("Mã liên kết (MA_LK) của hồ sơ đề nghị thanh toán."),
    )
    facility_code = models.CharField(
        _("mã cơ sở KCB"), max_length=5, validators=[validate_kcb_code]
    )
    facility_name = models.CharField(_("cơ sở KCB"), max_length=200)
    admitted_on = models.DateField(_("ngày vào"))
    discharged_on = models.DateField(_("ngày ra"))
    kind = models.CharField(_("hình thức"), max_length=10, choices=Kind)
    total_cost = models.BigIntegerField(_("tổng chi phí (đồng)"))
    insurance_paid = models.BigIntegerField(_("BHYT chi trả (đồng)"))
    patient_paid = models.BigIntegerField(_("người bệnh chi trả (đồng)"))

    class Meta:
        verbose_name = _("lần khám chữa bệnh")
        verbose_name_plural = _("lịch sử khám chữa bệnh")
        ordering = ["-admitted_on"]
        indexes = [models.Index(fields=["person", "-admitted_on"], name="visit_person_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(discharged_on__gte=F("admitted_on")), name="visit_out_after_in"
            ),
            models.CheckConstraint(
                condition=Q(total_cost__gte=0, insurance_paid__gte=0, patient_paid__gte=0),
                name="visit_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(total_cost__gte=F("insurance_paid") + F("patient_paid")),
                name="visit_paid_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_code} {self.admitted_on:%d/%m/%Y}"


class IssuedDocument(models.Model):
    """A PDF the portal issued with a check code, a QR and its signature.

    What the public verification page (/xac-thuc/<code>/) shows is
    ``summary``: the document's facts as printed, masked where personal
    (``insurance.verification`` decides the masking). ``facts_hash`` is the
    hash of the registry facts the document was drawn from; when the same
    facts read now hash differently the document is no longer current.
    """

    class Kind(models.TextChoices):
        PARTICIPATION_EXTRACT = (
            "participation_extract",
            _("Trích xuất quá trình tham gia BHXH, BHYT, BHTN"),
        )
        CARD_ATTESTATION = "card_attestation", _("Giấy xác nhận thẻ BHYT")
        DECLARATION = "declaration", _("Tờ khai đăng ký giao dịch điện tử")
        PAYMENT_RECEIPT = "payment_receipt", _("Biên lai thu tiền")

    code = models.CharField(
        _("mã xác thực"),
        max_length=12,
        unique=True,
        editable=False,
        help_text=_("12 ký tự in trên tài liệu, dưới mã QR."),
    )
    kind = models.CharField(_("loại tài liệu"), max_length=24, choices=Kind)
    subject_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("loại đối tượng"),
    )
    subject_id = models.PositiveBigIntegerField(_("mã đối tượng"))
    subject = GenericForeignKey("subject_type", "subject_id")
    summary = models.JSONField(_("nội dung hiển thị khi xác thực"), default=dict, blank=True)
    facts_hash = models.CharField(
        _("dấu vân tay dữ liệu"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("SHA-256 của dữ liệu gốc lúc cấp; trống nếu loại tài liệu không đối chiếu."),
    )
    pdf_sha256 = models.CharField(
        _("SHA-256 của tệp PDF đã ký"), max_length=64, unique=True, editable=False
    )
    issued_at = models.DateTimeField(_("cấp lúc"), editable=False)
    valid_until = models.DateField(_("có giá trị đến ngày"), null=True, blank=True)
    superseded_at = models.DateTimeField(
        _("bị thay thế lúc"),
        null=True,
        blank=True,
        help_text=_("Đã có tài liệu mới thay thế, hoặc tài liệu bị thu hồi."),
    )

    class Meta:
        verbose_name = _("tài liệu đã cấp")
        verbose_name_plural = _("tài liệu đã cấp")
        ordering = ["-issued_at"]
        indexes = [
            models.Index(
                fields=["subject_type", "subject_id", "kind"], name="issued_doc_subject_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[2-9A-HJKMNP-TV-Z]{12}$"), name="issued_doc_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.get_kind_display()}"
