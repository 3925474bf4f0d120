"""Search forms of the lookups (GET, ``?q=``) and the mã số BHXH form (POST)."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vssid_portal.captcha import CaptchaField
from vssid_portal.validators import normalize_id_number, validate_id_number

from .models import CollectionPoint, MedicalFacility
from .selectors import district_choices, province_choices

QUERY_MAX_LENGTH = 100


def _province_field(*, required: bool = False, label=None) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label or _("Tỉnh/thành phố"),
        required=required,
        choices=[],
    )


class SearchForm(forms.Form):
    """Base of the GET searches: ``q`` is optional, its length bounded."""

    q = forms.CharField(
        label=_("Từ khoá"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "enterkeyhint": "search", "autocomplete": "off"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "province" in self.fields:
            self.fields["province"].choices = [
                ("", _("Tất cả tỉnh/thành phố")),
                *province_choices(),
            ]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())


class OfficeSearchForm(SearchForm):
    province = _province_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Tên hoặc mã cơ quan BHXH")
        self.fields["q"].help_text = _("Ví dụ: Quận 4, 07914, Cầu Giấy")


class TriStateChoice:
    CHOICES = [("", _("Không lọc")), ("1", _("Có")), ("0", _("Không"))]

    @staticmethod
    def to_bool(value: str) -> bool | None:
        return {"1": True, "0": False}.get(value)


class FacilitySearchForm(SearchForm):
    province = _province_field()
    level = forms.ChoiceField(
        label=_("Tuyến"),
        required=False,
        choices=[("", _("Tất cả các tuyến")), *MedicalFacility.Level.choices],
    )
    bhyt = forms.ChoiceField(
        label=_("Có hợp đồng KCB BHYT"), required=False, choices=TriStateChoice.CHOICES
    )
    sick_leave = forms.ChoiceField(
        label=_("Được cấp giấy chứng nhận nghỉ việc hưởng BHXH"),
        required=False,
        choices=TriStateChoice.CHOICES,
    )
    initial = forms.ChoiceField(
        label=_("Nhận đăng ký KCB ban đầu"), required=False, choices=TriStateChoice.CHOICES
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Tên hoặc mã cơ sở KCB")
        self.fields["q"].help_text = _("Ví dụ: Chợ Rẫy, 79 - 011, Trạm y tế Phường 9")

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "q": data["q"],
            "province_code": data["province"],
            "level": data["level"],
            "has_bhyt_contract": TriStateChoice.to_bool(data["bhyt"]),
            "may_issue_sick_leave": TriStateChoice.to_bool(data["sick_leave"]),
            "accepts_initial_registration": TriStateChoice.to_bool(data["initial"]),
        }


class EmployerSearchForm(SearchForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Mã đơn vị, mã số thuế hoặc tên đơn vị")
        self.fields["q"].help_text = _("Ví dụ: TA0012A, 0301234567 hoặc Công ty May Việt Tiến")


class CollectionPointSearchForm(SearchForm):
    # Required to search, but an empty first visit is not an error: see clean().
    province = _province_field()
    district = forms.ChoiceField(label=_("Quận/huyện"), required=False, choices=[])
    kind = forms.ChoiceField(
        label=_("Loại điểm thu"),
        required=False,
        choices=[("", _("Tất cả")), *CollectionPoint.Kind.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("— Chọn tỉnh/thành phố —")), *province_choices()]
        self.fields["q"].label = _("Tên hoặc địa chỉ điểm thu")
        province = (self.data.get("province") or "") if self.is_bound else ""
        if province not in dict(province_choices()):
            province = ""
        self.fields["district"].choices = [
            ("", _("Tất cả quận/huyện")),
            *district_choices(province_code=province),
        ]
        if not province:
            self.fields["district"].help_text = _("Chọn tỉnh/thành phố trước, rồi bấm Tìm kiếm.")

    def clean(self):
        data = super().clean()
        submitted = any(self.data.get(name) for name in ("q", "district", "kind"))
        if submitted and not data.get("province"):
            self.add_error("province", _("Vui lòng chọn tỉnh/thành phố để xem điểm thu."))
        return data


class UnechoedTextInput(forms.TextInput):
    """A text box that never writes its value back into the page.

    The ID number is personal: after an error or an unsuccessful lookup it
    is typed again rather than echoed into the HTML (and browser caches).
    """

    def format_value(self, value):
        return None


class InsuranceNumberLookupForm(forms.Form):
    """The real portal's fields: name, birth date, province, ID or parent's name."""

    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày sinh không hợp lệ (ví dụ: 15/05/1990).")},
    )
    province = _province_field(required=True, label=_("Tỉnh/thành phố (nơi cấp mã số)"))
    id_number = forms.CharField(
        label=_("Số CMND/CCCD"),
        required=False,
        max_length=20,
        help_text=_("Nhập số CMND/CCCD hoặc họ tên cha/mẹ."),
        widget=UnechoedTextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    parent_name = forms.CharField(
        label=_("Họ tên cha hoặc mẹ"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    captcha = CaptchaField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("— Chọn tỉnh/thành phố —")), *province_choices()]
        self.fields["full_name"].error_messages["required"] = _("Vui lòng nhập họ và tên.")
        self.fields["date_of_birth"].error_messages["required"] = _("Vui lòng nhập ngày sinh.")
        self.fields["province"].error_messages["required"] = _("Vui lòng chọn tỉnh/thành phố.")

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_date_of_birth(self) -> dt.date:
        value = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate():
            raise ValidationError(_("Ngày sinh không được ở tương lai."), code="future")
        if value.year < 1900:
            raise ValidationError(_("Ngày sinh không hợp lệ."), code="too_old")
        return value

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        if not value.strip():
            return ""
        validate_id_number(value)
        return normalize_id_number(value)

    def clean_parent_name(self) -> str:
        return " ".join(self.cleaned_data["parent_name"].split())

    def clean(self):
        data = super().clean()
        if (
            "id_number" not in self.errors
            and not data.get("id_number")
            and not data.get("parent_name")
        ):
            self.add_error(
                "id_number", _("Vui lòng nhập số CMND/CCCD hoặc họ tên cha/mẹ để tra cứu.")
            )
        return data
