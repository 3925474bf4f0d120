from django.db import models
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
    search_text = models.CharField(max_length=300, editable=False, db_index=True, default="")

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
