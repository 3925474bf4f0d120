"""The typed form of each request kind, and the clerk's queue and approval forms.

A kind's form validates what a citizen types and turns it into the JSON
``payload`` kept on the request (dates as ISO text, months as ``YYYY-MM``).
The same form, restricted to the fields a clerk marked, is the citizen's
correction form ("Bổ sung"); ``existing`` then holds the payload as sent,
for the checks that look at two fields (a period's two ends, the delivery
address of a card sent by post).
"""

import datetime as dt
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from insurance.models import Person
from lookup.models import MedicalFacility
from vssid_portal.images import ACCEPTED_LABEL, ImageUploadField
from vssid_portal.text import collapse_spaces
from vssid_portal.validators import normalize_id_number, validate_id_number

from ..forms import (
    COMMITMENT_LABEL,
    DATE_INPUT_FORMATS,
    QueueParamsForm,
    StaffQueueFilterForm,
    queue_status_choices,
)
from .models import ServiceRequest

Kind = ServiceRequest.Kind
MONTH_RE = re.compile(r"(?:(\d{4})-(\d{1,2})|(\d{1,2})[/.\-](\d{4}))")
FIRST_MONTH = dt.date(1995, 1, 1)  # BHXH contributions as recorded start in 1995
NOTE_MAX = 500


def month_parse(value: str) -> dt.date | None:
    """``2024-03``, ``03/2024`` or ``3/2024`` → the first day of that month."""
    match = MONTH_RE.fullmatch((value or "").strip())
    if not match:
        return None
    year, month = (match.group(1), match.group(2)) if match.group(1) else match.group(4, 3)
    try:
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return None


def month_text(value: dt.date) -> str:
    return f"{value:%Y-%m}"


class MonthField(forms.CharField):
    """A month, typed ``03/2024`` or picked (``2024-03``); cleaned to ``YYYY-MM``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "month", "placeholder": "mm/yyyy"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return ""
        month = month_parse(value)
        if month is None:
            raise ValidationError(
                _("Tháng không hợp lệ. Nhập theo dạng 03/2024."), code="invalid_month"
            )
        return month_text(month)


def _note_field(label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Ghi chú (không bắt buộc)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _photo_field(label, help_text, *, required: bool) -> ImageUploadField:
    field = ImageUploadField(label=label, required=required)
    field.help_text = format_lazy(
        "{} {}", help_text, _("Ảnh {formats}, tối đa 10 MB.").format(formats=ACCEPTED_LABEL)
    )
    field.error_messages["required"] = _("Vui lòng chọn ảnh giấy tờ.")
    return field


def _text(value: str) -> str:
    """Spaces collapsed and composed (NFC): what the registry stores."""
    return unicodedata.normalize("NFC", collapse_spaces(value or ""))


class RequestKindForm(forms.Form):
    """Base of the four kinds' forms."""

    kind: str = ""
    # The payload's keys, in the order they are shown.
    payload_fields: tuple[str, ...] = ()
    photo_required = False

    commitment = forms.BooleanField(
        label=COMMITMENT_LABEL,
        error_messages={"required": _("Vui lòng đánh dấu ô cam kết để gửi bổ sung.")},
    )

    def __init__(
        self,
        *args,
        person: Person,
        card=None,
        existing: dict | None = None,
        marked: list[str] | None = None,
        photo_kept: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.person = person
        self.card = card
        self.existing = dict(existing or {})
        self.marked = list(marked) if marked is not None else None
        if "attachment" in self.fields and photo_kept:
            # Already chosen before an error elsewhere: kept unless replaced.
            self.fields["attachment"].required = False
        if self.marked is None:
            # Filing: the commitment is asked on the confirmation page.
            del self.fields["commitment"]
        else:
            for name in list(self.fields):
                if name not in self.marked and name != "commitment":
                    del self.fields[name]
            if "attachment" in self.fields and not photo_kept:
                self.fields["attachment"].required = True
            self.fields["commitment"] = self.fields.pop("commitment")

    # -- helpers for cross-field checks --------------------------------------
    def current(self, name: str):
        """A field's cleaned value, or (correcting other fields) the value as sent."""
        if name in self.fields:
            return self.cleaned_data.get(name)
        return self.existing.get(name)

    # -- results --------------------------------------------------------------
    def _json(self, name: str):
        value = self.cleaned_data.get(name)
        if isinstance(value, dt.date):
            return value.isoformat()
        if value is None:
            return ""
        return value

    def payload(self) -> dict:
        """The whole payload of a new request (cleaned, JSON-ready)."""
        return {
            name: self._json(name)
            for name in self.payload_fields
            if name in self.fields and name != "attachment"
        }

    def values(self) -> dict:
        """Correction: the marked fields' new values (photos apart)."""
        return {
            name: self._json(name)
            for name in self.marked or []
            if name in self.fields and name != "attachment"
        }

    def photos(self) -> dict:
        if "attachment" not in self.fields:
            return {}
        return {"attachment": self.cleaned_data.get("attachment")}

    @classmethod
    def initial_from_payload(cls, payload: dict) -> dict:
        initial = {}
        for name, value in payload.items():
            field = cls.base_fields.get(name)
            if isinstance(field, forms.DateField) and value:
                value = dt.date.fromisoformat(value)
            initial[name] = value
        return initial

    @classmethod
    def initial_from_query(cls, query) -> dict:
        """What a link may prefill (``?thang=``, ``?van-de=``)."""
        return {}


# 1. CẤP LẠI THẺ BHYT ------------------------------------------------------------
class CardReissueForm(RequestKindForm):
    kind = Kind.CARD_REISSUE
    payload_fields = ("reason", "delivery", "address", "note")

    REASONS = [
        ("lost", _("Mất thẻ")),
        ("damaged", _("Thẻ bị hỏng, rách, mờ chữ")),
    ]
    DELIVERY = [
        ("at_office", _("Nhận tại cơ quan BHXH")),
        ("by_post", _("Gửi qua bưu điện đến địa chỉ dưới đây")),
    ]

    reason = forms.ChoiceField(
        label=_("Lý do cấp lại"),
        choices=REASONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn lý do cấp lại thẻ.")},
    )
    delivery = forms.ChoiceField(
        label=_("Cách nhận thẻ mới"),
        choices=DELIVERY,
        widget=forms.RadioSelect,
        initial="at_office",
        error_messages={"required": _("Vui lòng chọn cách nhận thẻ.")},
    )
    address = forms.CharField(
        label=_("Địa chỉ nhận thẻ"),
        required=False,
        max_length=255,
        help_text=_("Chỉ cần khi nhận qua bưu điện: số nhà, đường, phường/xã, quận/huyện, tỉnh."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    note = _note_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "address" in self.fields and not self.is_bound:
            self.fields["address"].initial = self.person.address

    def clean_address(self) -> str:
        return _text(self.cleaned_data["address"])

    def clean(self):
        cleaned = super().clean()
        if "address" in self.fields and self.current("delivery") == "by_post":
            if not cleaned.get("address") and "address" not in self.errors:
                self.add_error("address", _("Vui lòng nhập địa chỉ nhận thẻ qua bưu điện."))
        if self.marked is None and cleaned.get("delivery") == "at_office":
            cleaned["address"] = ""
        return cleaned


# 2. ĐIỀU CHỈNH THÔNG TIN CÁ NHÂN -------------------------------------------------
CORRECTABLE_PERSON_FIELDS = ("full_name", "date_of_birth", "gender", "id_number", "address")


class DataCorrectionForm(RequestKindForm):
    kind = Kind.DATA_CORRECTION
    payload_fields = ("wrong_fields", *CORRECTABLE_PERSON_FIELDS, "document", "note")
    photo_required = True

    FIELD_CHOICES = [
        ("full_name", _("Họ và tên")),
        ("date_of_birth", _("Ngày sinh")),
        ("gender", _("Giới tính")),
        ("id_number", _("Số CCCD")),
        ("address", _("Địa chỉ")),
    ]
    DOCUMENTS = [
        ("cccd", _("Căn cước công dân (CCCD)")),
        ("birth_certificate", _("Giấy khai sinh")),
    ]

    wrong_fields = forms.MultipleChoiceField(
        label=_("Thông tin cần điều chỉnh"),
        choices=FIELD_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Chọn một hoặc nhiều thông tin đang sai trong dữ liệu BHXH."),
        error_messages={"required": _("Vui lòng chọn ít nhất một thông tin cần điều chỉnh.")},
    )
    full_name = forms.CharField(
        label=_("Họ và tên đúng"),
        required=False,
        max_length=150,
        help_text=_("Viết có dấu, đúng như trên giấy tờ."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh đúng"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("Ngày/tháng/năm, ví dụ 15/05/1990."),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        error_messages={"invalid": _("Ngày sinh không hợp lệ. Nhập theo dạng 15/05/1990.")},
    )
    gender = forms.ChoiceField(
        label=_("Giới tính đúng"),
        required=False,
        choices=[("", _("— Chọn —")), *Person.Gender.choices],
    )
    id_number = forms.CharField(
        label=_("Số CCCD đúng"),
        required=False,
        max_length=20,
        help_text=_("Căn cước công dân 12 số (hoặc CMND 9 số)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Địa chỉ đúng"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    document = forms.ChoiceField(
        label=_("Giấy tờ chứng minh"),
        choices=DOCUMENTS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn loại giấy tờ chứng minh.")},
    )
    attachment = _photo_field(
        _("Ảnh giấy tờ chứng minh"),
        _("Chụp rõ mặt có thông tin cần sửa của CCCD hoặc cả trang giấy khai sinh."),
        required=True,
    )
    note = _note_field()

    def chosen(self) -> list[str]:
        chosen = self.current("wrong_fields") or []
        return [name for name in CORRECTABLE_PERSON_FIELDS if name in chosen]

    def clean_full_name(self) -> str:
        return _text(self.cleaned_data["full_name"])

    def clean_address(self) -> str:
        return _text(self.cleaned_data["address"])

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data["id_number"])
        if value:
            validate_id_number(value)
        return value

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and not (dt.date(1900, 1, 1) <= value <= timezone.localdate()):
            raise ValidationError(_("Ngày sinh không thể ở tương lai."), code="future")
        return value

    def clean(self):
        cleaned = super().clean()
        registry = {
            "full_name": _text(self.person.full_name),
            "date_of_birth": self.person.date_of_birth,
            "gender": self.person.gender,
            "id_number": normalize_id_number(self.person.id_number or ""),
            "address": _text(self.person.address),
        }
        for name in self.chosen():
            if name not in self.fields or name in self.errors:
                continue
            value = cleaned.get(name)
            if value in ("", None):
                self.add_error(
                    name,
                    _("Vui lòng nhập {label}.").format(label=str(self.fields[name].label).lower()),
                )
                continue
            if value == registry[name]:
                self.add_error(
                    name, _("Giống thông tin BHXH đang ghi. Chỉ nhập thông tin cần sửa.")
                )
        if self.marked is None:
            # Only what was chosen is kept: a value typed and then unticked
            # is not a request to change it.
            for name in CORRECTABLE_PERSON_FIELDS:
                if name not in self.chosen():
                    cleaned[name] = None
        return cleaned

    def payload(self) -> dict:
        payload = super().payload()
        return {
            key: value
            for key, value in payload.items()
            if key not in CORRECTABLE_PERSON_FIELDS or key in payload.get("wrong_fields", [])
        }


# 3. ĐỔI NƠI ĐĂNG KÝ KCB BAN ĐẦU ------------------------------------------------
def eligible_facilities(*, person: Person, card=None):
    """Facilities that take initial registrations, in the person's province.

    The province is the registry's (``Person.province``); without it, the
    province of the current facility (the first two characters of its
    code); without either, every facility that accepts.
    """
    facilities = MedicalFacility.objects.filter(accepts_initial_registration=True)
    province = facility_province_code(person=person, card=card)
    if province:
        facilities = facilities.filter(province_id=province)
    return facilities.order_by("level", "name", "code")


def facility_province_code(*, person: Person, card=None) -> str:
    if person.province_id:
        return person.province_id
    if card is not None and card.kcb_code:
        return card.kcb_code[:2]
    return ""


class FacilityChangeForm(RequestKindForm):
    kind = Kind.FACILITY_CHANGE
    payload_fields = ("facility_code", "facility_name", "note")

    facility_code = forms.ChoiceField(
        label=_("Nơi đăng ký KCB ban đầu mới"),
        choices=[],
        error_messages={
            "required": _("Vui lòng chọn cơ sở khám chữa bệnh."),
            "invalid_choice": _(
                "Cơ sở này không nhận đăng ký KCB ban đầu hoặc không thuộc tỉnh của bạn."
            ),
        },
    )
    note = _note_field(_("Lý do đổi (không bắt buộc)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "facility_code" in self.fields:
            self.facilities = {
                f.code: f for f in eligible_facilities(person=self.person, card=self.card)
            }
            current = self.card.kcb_code if self.card is not None else ""
            self.fields["facility_code"].choices = [("", _("— Chọn cơ sở —"))] + [
                (code, f"[{f.display_code}] {f.name}")
                for code, f in self.facilities.items()
                if code != current
            ]

    def clean_facility_code(self) -> str:
        code = self.cleaned_data["facility_code"]
        if self.card is not None and code == self.card.kcb_code:
            raise ValidationError(
                _("Đây đang là nơi đăng ký KCB ban đầu của bạn."), code="same_facility"
            )
        return code

    def payload(self) -> dict:
        payload = super().payload()
        facility = self.facilities.get(payload.get("facility_code", ""))
        payload["facility_name"] = facility.name if facility else ""
        return payload


# 4. BÁO SAI/THIẾU QUÁ TRÌNH ĐÓNG --------------------------------------------------
class ContributionReportForm(RequestKindForm):
    kind = Kind.CONTRIBUTION_REPORT
    payload_fields = ("from_month", "to_month", "problem", "employer", "description")

    PROBLEMS = [
        ("missing", _("Thiếu tháng: tôi có đi làm nhưng không thấy tháng đóng")),
        ("owed", _("Đơn vị đã trừ lương nhưng chưa đóng (còn nợ)")),
        ("wrong_salary", _("Sai mức lương đóng")),
        ("wrong_employer", _("Sai tên đơn vị")),
        ("other", _("Khác")),
    ]

    from_month = MonthField(
        label=_("Từ tháng"),
        help_text=_("Ví dụ: 03/2024."),
        error_messages={"required": _("Vui lòng nhập tháng bắt đầu.")},
    )
    to_month = MonthField(
        label=_("Đến tháng"),
        help_text=_("Trùng với “Từ tháng” nếu chỉ có một tháng."),
        error_messages={"required": _("Vui lòng nhập tháng kết thúc.")},
    )
    problem = forms.ChoiceField(
        label=_("Sai hoặc thiếu gì"),
        choices=PROBLEMS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn điều bạn thấy sai.")},
    )
    employer = forms.CharField(
        label=_("Đơn vị đã đóng hoặc phải đóng (không bắt buộc)"),
        required=False,
        max_length=200,
    )
    description = forms.CharField(
        label=_("Mô tả"),
        max_length=1000,
        help_text=_("Ví dụ: mức lương, đơn vị, thời gian bạn làm việc và điều bạn thấy sai."),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Vui lòng mô tả điều bạn thấy sai.")},
    )
    attachment = _photo_field(
        _("Ảnh phiếu lương hoặc giấy tờ của đơn vị (không bắt buộc)"),
        _("Ví dụ: phiếu lương có dòng trừ BHXH, hợp đồng lao động, xác nhận của đơn vị."),
        required=False,
    )

    def clean_employer(self) -> str:
        return _text(self.cleaned_data["employer"])

    def clean_description(self) -> str:
        return " ".join((self.cleaned_data["description"] or "").split())

    def _month_check(self, name: str) -> None:
        value = self.cleaned_data.get(name)
        if not value:
            return
        month = month_parse(value)
        this_month = timezone.localdate().replace(day=1)
        if month > this_month:
            self.add_error(name, _("Tháng này chưa đến."))
        elif month < FIRST_MONTH:
            self.add_error(name, _("Chỉ báo được các tháng từ 01/1995."))

    def clean(self):
        cleaned = super().clean()
        for name in ("from_month", "to_month"):
            if name in self.fields:
                self._month_check(name)
        start, end = self.current("from_month"), self.current("to_month")
        if start and end and start > end and not {"from_month", "to_month"} & set(self.errors):
            target = "to_month" if "to_month" in self.fields else "from_month"
            self.add_error(target, _("“Đến tháng” phải sau hoặc trùng “Từ tháng”."))
        return cleaned

    @classmethod
    def initial_from_query(cls, query) -> dict:
        """``?thang=2024-03`` (one or several) and ``?van-de=owed``."""
        months = sorted(m for m in (month_parse(v) for v in query.getlist("thang")[:24]) if m)
        initial = {}
        if months:
            initial["from_month"] = month_text(months[0])
            initial["to_month"] = month_text(months[-1])
        problem = query.get("van-de", "")
        if problem in dict(cls.PROBLEMS):
            initial["problem"] = problem
        return initial


FORMS: dict[str, type[RequestKindForm]] = {
    form.kind: form
    for form in (CardReissueForm, DataCorrectionForm, FacilityChangeForm, ContributionReportForm)
}


class ConfirmForm(forms.Form):
    """The last step of filing: the commitment."""

    commitment = forms.BooleanField(
        label=COMMITMENT_LABEL,
        error_messages={"required": _("Vui lòng đánh dấu ô cam kết để gửi yêu cầu.")},
    )


# STAFF ---------------------------------------------------------------------------
class StaffRequestFilterForm(QueueParamsForm):
    """The queue's filters, as GET parameters with Vietnamese names."""

    q = forms.CharField(
        label=_("Tìm theo mã yêu cầu hoặc mã số BHXH"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    kind = forms.ChoiceField(label=_("Loại yêu cầu"), required=False)
    order = StaffQueueFilterForm.base_fields["order"]

    PARAMS = {"q": "q", "status": "trang-thai", "kind": "loai", "order": "sap-xep"}

    def __init__(self, params=None, **kwargs):
        super().__init__(params, **kwargs)
        self.fields["status"].choices = queue_status_choices(ServiceRequest.Status.choices)
        self.fields["kind"].choices = [("", _("Tất cả")), *ServiceRequest.Kind.choices]


class StaffApproveForm(forms.Form):
    """ "Phê duyệt", with the office's answer the citizen reads."""

    answer = forms.CharField(
        label=_("Trả lời người dân"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, answer_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].required = answer_required
        if answer_required:
            self.fields["answer"].help_text = _(
                "Bắt buộc: kết quả kiểm tra và việc cơ quan BHXH sẽ làm (ví dụ đã đề nghị "
                "đơn vị đóng bổ sung, đã điều chỉnh mức lương)."
            )
            self.fields["answer"].error_messages["required"] = _(
                "Vui lòng nhập trả lời cho người dân trước khi duyệt."
            )
        else:
            self.fields["answer"].label = _("Ghi chú cho người dân (không bắt buộc)")
