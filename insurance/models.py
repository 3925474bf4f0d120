from django.db import models
from django.utils.translation import gettext_lazy as _

from vssid_portal.text import fold
from vssid_portal.validators import validate_insurance_number


class Person(models.Model):
    """A participant as the core system knows them (the registry)."""

    class Gender(models.TextChoices):
        MALE = "M", _("Nam")
        FEMALE = "F", _("Nữ")

    insurance_number = models.CharField(
        _("mã số BHXH"), max_length=10, unique=True, validators=[validate_insurance_number]
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    name_search = models.CharField(max_length=150, editable=False, db_index=True, default="")
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
        verbose_name = _("người tham gia")
        verbose_name_plural = _("người tham gia")

    def __str__(self) -> str:
        return f"{self.insurance_number} - {self.full_name}"

    def save(self, *args, **kwargs):
        self.name_search = fold(self.full_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_search"}
        super().save(*args, **kwargs)
