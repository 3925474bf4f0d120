from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from vssid_portal.text import fold


class Province(models.Model):
    """A province-level unit with its GSO code (2 digits, e.g. 79)."""

    code = models.CharField(_("mã"), max_length=2, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("tỉnh/thành phố")
        verbose_name_plural = _("tỉnh/thành phố")

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"


class District(models.Model):
    """A district-level unit (GSO 3-digit code, e.g. 773 = Quận 4), before 07/2025."""

    code = models.CharField(_("mã"), max_length=3, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("tỉnh")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("quận/huyện")
        verbose_name_plural = _("quận/huyện")

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"


class PublicHoliday(models.Model):
    """A day offices do not work (Tết, 30/4, 1/5, 2/9, ...), besides weekends.

    Reference data: loaded from ``lookup/data/holidays.json`` and kept by
    administrators, since the Government announces the exact days (Tết,
    swapped working days) each year.
    """

    date = models.DateField(_("ngày"), unique=True)
    name = models.CharField(_("tên ngày nghỉ"), max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày nghỉ lễ, Tết")
        verbose_name_plural = _("ngày nghỉ lễ, Tết")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} - {self.name}"


class Office(models.Model):
    """A BHXH office: a province office (079) or a district office (07914) under it.

    Office codes are BHXH's own, not GSO codes: a province office is "0" plus
    the province code; a district office adds a two-digit serial.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("BHXH tỉnh/thành phố")
        DISTRICT = "district", _("BHXH quận/huyện")

    code = models.CharField(_("mã cơ quan"), max_length=5, unique=True)
    name = models.CharField(_("tên cơ quan"), max_length=150)
    level = models.CharField(_("cấp"), max_length=16, choices=Level)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("cơ quan cấp trên"),
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="offices", verbose_name=_("tỉnh")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offices",
        verbose_name=_("quận/huyện"),
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    working_hours = models.CharField(_("giờ làm việc"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    contact_generated = models.BooleanField(
        _("liên hệ là dữ liệu mẫu"),
        default=False,
        help_text=_("Địa chỉ, điện thoại, toạ độ được sinh tự động, chưa xác minh."),
    )
    search_text = models.CharField(max_length=300, editable=False, db_index=True, default="")
    one_click_approval = models.BooleanField(
        _("duyệt một lần bấm cho hồ sơ khớp dữ liệu"),
        default=False,
        help_text=_(
            "Khi bật, cán bộ của cơ quan này có thể phê duyệt ngay tờ khai có họ tên, ngày sinh, "
            "số CCCD và mã số BHXH khớp chính xác với dữ liệu BHXH và ảnh hợp lệ, không cần "
            "người dân đến cơ quan. Không bao giờ tự động; hồ sơ không khớp vẫn phải đối chiếu."
        ),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("cơ quan BHXH")
        verbose_name_plural = _("cơ quan BHXH")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(level="province") & models.Q(parent__isnull=True))
                | (models.Q(level="district") & models.Q(parent__isnull=False)),
                name="office_level_matches_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.code}] {self.name}"

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.code} {self.name}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_province_office(self) -> bool:
        return self.level == self.Level.PROVINCE


class SearchableModel(models.Model):
    """A row found by a folded (diacritics-free, lower-case) search column.

    ``search_text`` is rebuilt by ``save()`` and by ``refresh_search_text()``
    (which bulk loaders call, since ``bulk_create`` skips ``save``). On
    PostgreSQL a trigram GIN index over it (migration 0003) serves
    ``contains`` searches and the "did you mean" suggestions.
    """

    is_generated = models.BooleanField(
        _("dữ liệu mẫu"),
        default=False,
        help_text=_("Dòng được sinh tự động (lookup/data/generate.py), không phải dữ liệu thật."),
    )
    search_text = models.CharField(max_length=400, editable=False, db_index=True, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def search_parts(self) -> list[str]:
        raise NotImplementedError

    def refresh_search_text(self) -> None:
        self.search_text = fold(" ".join(part for part in self.search_parts() if part))


class MedicalFacility(SearchableModel):
    """A health facility (cơ sở khám chữa bệnh) with its 5-character KCB code.

    The code is the 2-digit province code plus a 3-character number
    (``79011``); cards and QR codes print it as ``79 - 011``.
    """

    class Level(models.TextChoices):
        CENTRAL = "central", _("Tuyến trung ương")
        PROVINCE = "province", _("Tuyến tỉnh")
        DISTRICT = "district", _("Tuyến huyện")
        COMMUNE = "commune", _("Tuyến xã")

    code = models.CharField(
        _("mã KCB"),
        max_length=5,
        unique=True,
        validators=[
            RegexValidator(r"^\d{2}[0-9A-Z]{3}$", _("Mã KCB gồm 2 chữ số tỉnh và 3 ký tự."))
        ],
    )
    name = models.CharField(_("tên cơ sở"), max_length=200)
    level = models.CharField(_("tuyến"), max_length=16, choices=Level)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("tỉnh")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilities",
        verbose_name=_("quận/huyện"),
    )
    has_bhyt_contract = models.BooleanField(_("có hợp đồng KCB BHYT"), default=False)
    may_issue_sick_leave = models.BooleanField(
        _("được cấp giấy chứng nhận nghỉ việc hưởng BHXH"), default=False
    )
    accepts_initial_registration = models.BooleanField(
        _("nhận đăng ký KCB ban đầu"),
        default=False,
        db_default=False,
        help_text=_(
            "Người tham gia BHYT được chọn cơ sở này làm nơi đăng ký khám chữa bệnh ban đầu."
        ),
    )
    latitude = models.DecimalField(
        _("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("cơ sở KCB")
        verbose_name_plural = _("cơ sở KCB")
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("code"), 5), name="facility_code_has_five_chars"
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.display_code}] {self.name}"

    @property
    def display_code(self) -> str:
        return f"{self.code[:2]} - {self.code[2:]}"

    def search_parts(self) -> list[str]:
        return [self.code, self.name]


class EmployerUnit(SearchableModel):
    """An employer unit (đơn vị tham gia BHXH) as the public may see it.

    ``code`` is the unit code BHXH assigns: two letters of the managing
    office, four digits and a check letter (``TA0012A``); ``tax_code`` is
    the enterprise's 10-digit tax code, or 13 digits for a branch
    (stored without the dash). No amounts owed are kept here.
    """

    class Status(models.TextChoices):
        PAYING = "paying", _("Đang đóng")
        SUSPENDED = "suspended", _("Tạm dừng đóng")
        CLOSED = "closed", _("Đã chốt sổ")

    code = models.CharField(
        _("mã đơn vị"),
        max_length=7,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z]{2}\d{4}[A-Z]$", _("Mã đơn vị gồm 2 chữ cái, 4 chữ số và 1 chữ cái.")
            )
        ],
    )
    tax_code = models.CharField(
        _("mã số thuế"),
        max_length=13,
        db_index=True,
        validators=[RegexValidator(r"^(\d{10}|\d{13})$", _("Mã số thuế gồm 10 hoặc 13 chữ số."))],
    )
    name = models.CharField(_("tên đơn vị"), max_length=255)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="employer_units",
        verbose_name=_("cơ quan BHXH quản lý"),
    )
    status = models.CharField(
        _("tình trạng đóng"), max_length=16, choices=Status, default=Status.PAYING
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("đơn vị tham gia BHXH")
        verbose_name_plural = _("đơn vị tham gia BHXH")
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("code"), 7), name="employer_code_has_seven_chars"
            ),
            models.CheckConstraint(
                condition=Exact(Length("tax_code"), 10) | Exact(Length("tax_code"), 13),
                name="employer_tax_code_10_or_13",
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.code}] {self.name}"

    @property
    def is_paying(self) -> bool:
        return self.status == self.Status.PAYING

    @property
    def display_tax_code(self) -> str:
        if len(self.tax_code) == 13:
            return f"{self.tax_code[:10]}-{self.tax_code[10:]}"
        return self.tax_code

    def search_parts(self) -> list[str]:
        return [self.code, self.tax_code, self.name]


class CollectionPoint(SearchableModel):
    """A collection point or agent (điểm thu, đại lý thu) for voluntary
    BHXH and household BHYT contributions."""

    class Kind(models.TextChoices):
        POST_OFFICE = "post_office", _("Bưu điện")
        COMMUNE = "commune", _("UBND xã/phường")
        AGENT = "agent", _("Đại lý thu")

    code = models.CharField(_("mã điểm thu"), max_length=12, unique=True)
    name = models.CharField(_("tên điểm thu"), max_length=200)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="collection_points",
        verbose_name=_("tỉnh"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collection_points",
        verbose_name=_("quận/huyện"),
    )
    collects_voluntary_bhxh = models.BooleanField(_("thu BHXH tự nguyện"), default=True)
    collects_household_bhyt = models.BooleanField(_("thu BHYT hộ gia đình"), default=True)
    latitude = models.DecimalField(
        _("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        ordering = ["province", "district", "code"]
        verbose_name = _("điểm thu, đại lý thu")
        verbose_name_plural = _("điểm thu, đại lý thu")

    def __str__(self) -> str:
        return self.name

    def search_parts(self) -> list[str]:
        return [self.code, self.name, self.address]
