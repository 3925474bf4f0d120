"""The forms of the registration wizard; the API validates through the same ones."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from lookup.models import Office
from vssid_portal.captcha import CaptchaField
from vssid_portal.images import ACCEPTED_LABEL, ImageInput, ImageUploadField
from vssid_portal.text import collapse_spaces
from vssid_portal.validators import (
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_insurance_number,
)

from . import qr
from .models import Declaration
from .selectors import province_offices, receiving_offices
from .services import DeclarantData, declarant_check, registry_person_match

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d%m%Y"]


class KindForm(forms.Form):
    """Step 1: who registers. Only "Cá nhân" (own account) for now."""

    kind = forms.ChoiceField(
        label=_("Đối tượng đăng ký"),
        choices=[(Declaration.Kind.OWN_ACCOUNT, _("Cá nhân"))],
        initial=Declaration.Kind.OWN_ACCOUNT,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn đối tượng đăng ký.")},
    )


class DeclarantForm(forms.Form):
    """Step 2: the tờ khai fields, checked against the registry."""

    full_name = forms.CharField(
        label=_("Họ và tên (Tên cơ quan/tổ chức/cá nhân)"),
        max_length=150,
        help_text=_("Viết có dấu, đúng như trên căn cước công dân."),
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )
    insurance_number = forms.CharField(
        label=_("Mã số bảo hiểm xã hội"),
        max_length=20,
        help_text=_("10 chữ số, in trên sổ BHXH hoặc thẻ BHYT."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("Ngày/tháng/năm, ví dụ 15/05/1990."),
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "bday", "inputmode": "text"},
        ),
        error_messages={"invalid": _("Ngày sinh không hợp lệ. Nhập theo dạng 15/05/1990.")},
    )
    id_number = forms.CharField(
        label=_("Số CMND/HC/CC"),
        max_length=20,
        help_text=_("Căn cước công dân 12 số, CMND 9 số hoặc số hộ chiếu."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    contact_address = forms.CharField(
        label=_("Địa chỉ liên hệ"),
        max_length=255,
        help_text=_("Số nhà, đường, phường/xã, tỉnh/thành phố."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    contact_person = forms.CharField(
        label=_("Người liên hệ"),
        max_length=150,
        help_text=_("Người cơ quan BHXH liên hệ khi cần; thường là chính bạn."),
    )
    email = forms.EmailField(
        label=_("Địa chỉ thư điện tử"),
        required=False,
        max_length=254,
        help_text=_("Không bắt buộc. Dùng để nhận tờ khai và thông báo qua email."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Điện thoại di động"),
        max_length=20,
        help_text=_("Nhận mã hồ sơ, tài khoản và mã OTP qua SMS."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    required_messages = {
        "full_name": _("Vui lòng nhập họ và tên."),
        "insurance_number": _("Vui lòng nhập mã số BHXH."),
        "date_of_birth": _("Vui lòng nhập ngày sinh."),
        "id_number": _("Vui lòng nhập số CMND/HC/CC."),
        "contact_address": _("Vui lòng nhập địa chỉ liên hệ."),
        "contact_person": _("Vui lòng nhập người liên hệ."),
        "phone": _("Vui lòng nhập số điện thoại di động."),
    }

    def __init__(self, *args, check_registry: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.check_registry = check_registry
        for name, message in self.required_messages.items():
            self.fields[name].error_messages["required"] = message

    def clean_full_name(self) -> str:
        return collapse_spaces(self.cleaned_data["full_name"])

    def clean_insurance_number(self) -> str:
        value = "".join(self.cleaned_data["insurance_number"].split())
        validate_insurance_number(value)
        return value

    def clean_date_of_birth(self) -> dt.date:
        value = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate():
            raise ValidationError(_("Ngày sinh không được sau ngày hôm nay."), code="future")
        if value.year < 1900:
            raise ValidationError(_("Ngày sinh không hợp lệ."), code="too_old")
        return value

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data["id_number"])
        validate_id_number(value)
        return value

    def clean_contact_address(self) -> str:
        return collapse_spaces(self.cleaned_data["contact_address"])

    def clean_contact_person(self) -> str:
        return collapse_spaces(self.cleaned_data["contact_person"])

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        if self.check_registry and not self.errors:
            person = declarant_check(
                insurance_number=cleaned["insurance_number"],
                full_name=cleaned["full_name"],
                date_of_birth=cleaned["date_of_birth"],
            )
            cleaned["full_name"] = person.full_name
        return cleaned

    def declarant(self) -> DeclarantData:
        data = self.cleaned_data
        return DeclarantData(**{name: data[name] for name in DeclarantData.__dataclass_fields__})


class QrForm(forms.Form):
    """Autofill of step 2 from the QR code of a chip CCCD or a BHYT card."""

    qr_text = forms.CharField(
        label=_("Nội dung mã QR"),
        required=False,
        max_length=qr.MAX_PAYLOAD,
        help_text=_("Dán nội dung đã quét từ mã QR trên căn cước công dân gắn chip hoặc thẻ BHYT."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
    )
    qr_image = forms.FileField(
        label=_("Hoặc ảnh chụp mã QR"),
        required=False,
        help_text=_("Chụp rõ, gần, đủ sáng mã QR ở mặt sau căn cước hoặc trên thẻ BHYT."),
        widget=ImageInput,
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text = cleaned.get("qr_text", "")
        image = cleaned.get("qr_image")
        try:
            if image:
                text = qr.decode_qr_image(image)
            cleaned["result"] = qr.parse_qr(text)
        except qr.QrError as exc:
            raise ValidationError(str(exc), code="qr") from exc
        return cleaned


def _image_field(label, help_text, *, required: bool) -> ImageUploadField:
    field = ImageUploadField(label=label, required=required)
    field.help_text = format_lazy(
        "{} {}", help_text, _("Ảnh {formats}, tối đa 10 MB.").format(formats=ACCEPTED_LABEL)
    )
    field.error_messages["required"] = _("Vui lòng chọn ảnh.")
    field.error_messages["empty"] = _("Tệp rỗng. Vui lòng chọn lại ảnh.")
    return field


class UploadsForm(forms.Form):
    """Step 3: portrait 3x4 and both sides of the ID card."""

    images = [
        ("portrait", _("Ảnh chân dung"), _("Ảnh 3x4, chụp thẳng mặt, rõ nét, nền sáng.")),
        (
            "id_front",
            _("Ảnh mặt trước"),
            _("Mặt trước căn cước/CMND/hộ chiếu, đủ 4 góc, không bị lóa."),
        ),
        ("id_back", _("Ảnh mặt sau"), _("Mặt sau căn cước/CMND, đủ 4 góc, không bị lóa.")),
    ]

    def __init__(self, *args, required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, help_text in self.images:
            self.fields[name] = _image_field(label, help_text, required=required)


class OfficeForm(forms.Form):
    """Step 4: receiving office (province office, then district office) and mode."""

    province = forms.ModelChoiceField(
        label=_("Cơ quan BHXH tỉnh/thành phố"),
        queryset=Office.objects.none(),
        to_field_name="code",
        empty_label=_("— Chọn tỉnh/thành phố —"),
        error_messages={
            "required": _("Vui lòng chọn tỉnh/thành phố."),
            "invalid_choice": _("Vui lòng chọn tỉnh/thành phố trong danh sách."),
        },
    )
    office = forms.ModelChoiceField(
        label=_("Cơ quan BHXH quận/huyện"),
        queryset=Office.objects.none(),
        to_field_name="code",
        empty_label=_("— Chọn cơ quan —"),
        help_text=_("Nơi bạn sẽ mang tờ khai đến nộp, hoặc gửi tờ khai qua bưu điện."),
        error_messages={
            "required": _("Vui lòng chọn cơ quan BHXH tiếp nhận."),
            "invalid_choice": _("Vui lòng chọn cơ quan BHXH trong danh sách."),
        },
    )
    submission_mode = forms.ChoiceField(
        label=_("Hình thức nộp hồ sơ"),
        choices=Declaration.SubmissionMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn hình thức nộp hồ sơ.")},
    )
    send_form_by_email = forms.BooleanField(
        label=_("Gửi email tờ khai"),
        required=False,
        help_text=_("Gửi tờ khai (PDF) đến địa chỉ thư điện tử bạn đã nhập."),
    )

    def __init__(self, *args, province_code: str | None = None, has_email: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_email = has_email
        self.fields["province"].queryset = province_offices()
        if province_code is None and self.is_bound:
            province_code = self.data.get(self.add_prefix("province")) or None
        if province_code is None:
            province_code = self.initial.get("province") or None
        self.province_code = province_code
        self.fields["office"].queryset = receiving_offices(province_office_code=province_code)

    def clean(self):
        cleaned = super().clean()
        province = cleaned.get("province")
        office = cleaned.get("office")
        if province and office and office.code != province.code and office.parent_id != province.pk:
            self.add_error("office", _("Cơ quan BHXH không thuộc tỉnh/thành phố đã chọn."))
        if cleaned.get("send_form_by_email") and not self.has_email:
            self.add_error(
                "send_form_by_email",
                _("Bạn chưa nhập địa chỉ thư điện tử ở bước tờ khai. Hãy quay lại bước 2 để nhập."),
            )
        return cleaned


COMMITMENT_LABEL = _(
    "Tôi cam kết những nội dung kê khai trên là đúng sự thật và chịu trách nhiệm trước "
    "pháp luật về nội dung đã kê khai."
)


class ReviewForm(forms.Form):
    """Step 5: the commitment and the captcha."""

    commitment = forms.BooleanField(
        label=COMMITMENT_LABEL,
        error_messages={"required": _("Vui lòng đánh dấu ô cam kết để gửi tờ khai.")},
    )
    captcha = CaptchaField()


class TrackForm(forms.Form):
    """Tracking a declaration with its reference code and the phone number."""

    reference_code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=20,
        help_text=_("In trên trang xác nhận và trong tin nhắn SMS, ví dụ DK250101ABCD2345."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
        error_messages={"required": _("Vui lòng nhập mã hồ sơ.")},
    )
    phone = forms.CharField(
        label=_("Điện thoại di động"),
        max_length=20,
        help_text=_("Số điện thoại đã khai trong tờ khai."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Vui lòng nhập số điện thoại.")},
    )

    def clean_reference_code(self) -> str:
        return "".join(self.cleaned_data["reference_code"].split()).upper()

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class ResumeResendForm(forms.Form):
    """ "Gửi lại đường dẫn tiếp tục" to the phone typed in the tờ khai."""

    phone = TrackForm.base_fields["phone"]

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class DeclarationApiForm(DeclarantForm):
    """The whole tờ khai in one request (API): the wizard's fields and rules.

    Fields a client must not set (``status``, ``reject_reason``, …) are not
    declared here, so they are ignored (ACL-03).
    """

    office = forms.ModelChoiceField(
        label=_("Chọn cơ quan BHXH tiếp nhận"),
        queryset=Office.objects.all(),
        to_field_name="code",
        error_messages={
            "required": _("Vui lòng chọn cơ quan BHXH tiếp nhận."),
            "invalid_choice": _("Không có cơ quan BHXH với mã này."),
        },
    )
    submission_mode = OfficeForm.base_fields["submission_mode"]
    send_form_by_email = OfficeForm.base_fields["send_form_by_email"]
    commitment = ReviewForm.base_fields["commitment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in UploadsForm(required=True).fields.items():
            self.fields[name] = field

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("send_form_by_email") and not cleaned.get("email"):
            self.add_error(
                "send_form_by_email", _("Vui lòng nhập địa chỉ thư điện tử để nhận tờ khai.")
            )
        return cleaned


# CHILD ACCOUNT (/ca-nhan/dang-ky-cho-con/) ------------------------------------
class ChildForm(forms.Form):
    """Step 1 of the child's tờ khai: who the child is, checked against the registry."""

    insurance_number = forms.CharField(
        label=_("Mã số BHXH của con"),
        max_length=20,
        help_text=_("10 chữ số, in trên thẻ BHYT của con."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Vui lòng nhập mã số BHXH của con.")},
    )
    full_name = forms.CharField(
        label=_("Họ và tên của con"),
        max_length=150,
        help_text=_("Viết có dấu, đúng như trên giấy khai sinh hoặc thẻ BHYT."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
        error_messages={"required": _("Vui lòng nhập họ và tên của con.")},
    )

    def __init__(self, *args, guardian=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.guardian = guardian
        self.person = None

    def clean_full_name(self) -> str:
        return collapse_spaces(self.cleaned_data["full_name"])

    def clean_insurance_number(self) -> str:
        value = "".join(self.cleaned_data["insurance_number"].split())
        validate_insurance_number(value)
        return value

    def clean(self):
        from .children import child_check

        cleaned = super().clean()
        if self.guardian is not None and not self.errors:
            self.person = child_check(
                guardian=self.guardian,
                insurance_number=cleaned["insurance_number"],
                full_name=cleaned["full_name"],
            )
            cleaned["full_name"] = self.person.full_name
        return cleaned


class ChildUploadsForm(UploadsForm):
    """Step 2: the child's portrait and a photo of the birth certificate."""

    images = [
        (
            "portrait",
            _("Ảnh chân dung của con"),
            _("Ảnh 3x4, chụp thẳng mặt, rõ nét, nền sáng."),
        ),
        (
            "birth_certificate",
            _("Ảnh giấy khai sinh"),
            _("Chụp cả trang giấy khai sinh, đủ 4 góc, đọc rõ chữ, không bị lóa."),
        ),
    ]


class ChildOfficeForm(OfficeForm):
    """Step 3: the receiving office and mode; the PDF goes to the guardian's e-mail anyway."""

    def __init__(self, *args, **kwargs):
        kwargs["has_email"] = True
        super().__init__(*args, **kwargs)
        del self.fields["send_form_by_email"]


class DeclarationEmailForm(forms.Form):
    """ "Gửi qua email": the tờ khai as PDF to an address the citizen types."""

    email = forms.EmailField(
        label=_("Gửi tờ khai đến địa chỉ thư điện tử"),
        max_length=254,
        help_text=_("Tờ khai (PDF) được gửi kèm thư. Ví dụ: ten@example.com"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "required": _("Vui lòng nhập địa chỉ thư điện tử."),
            "invalid": _("Địa chỉ thư điện tử không hợp lệ, ví dụ: ten@example.com."),
        },
    )


# STAFF -----------------------------------------------------------------------
def queue_status_choices(statuses) -> list[tuple[str, str]]:
    """A queue's status filter: waiting, overdue, each status, all."""
    return [
        ("open", _("Chờ xử lý")),
        ("overdue", _("Quá hạn tiếp nhận")),
        *statuses,
        ("all", _("Tất cả")),
    ]


class QueueParamsForm(forms.Form):
    """A clerk's queue filters read from GET parameters with Vietnamese names.

    ``PARAMS`` maps each field to its parameter; an empty status means the
    queue of what waits for the office.
    """

    PARAMS: dict[str, str] = {}

    def __init__(self, params=None, **kwargs):
        data = None
        if params is not None:
            data = {name: params.get(name, "").strip() for name in self.PARAMS.values()}
            data["trang-thai"] = data["trang-thai"] or "open"
        super().__init__(data, **kwargs)

    def add_prefix(self, field_name):
        # Render and read the Vietnamese parameter names.
        return self.PARAMS.get(field_name, field_name)


class StaffQueueFilterForm(QueueParamsForm):
    """The queue's filters, as GET parameters with Vietnamese names."""

    q = forms.CharField(
        label=_("Tìm theo mã hồ sơ, mã số BHXH, họ tên hoặc số điện thoại"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    kind = forms.ChoiceField(label=_("Loại tờ khai"), required=False)
    submission_mode = forms.ChoiceField(label=_("Hình thức nộp hồ sơ"), required=False)
    date_from = forms.DateField(
        label=_("Nộp từ ngày"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    registry_match = forms.BooleanField(label=_("Chỉ hồ sơ khớp dữ liệu"), required=False)
    order = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[("new", _("Mới nộp trước")), ("due", _("Sắp hết hạn, quá hạn trước"))],
    )

    # URL parameter names as a clerk sees them in the address bar.
    PARAMS = {
        "q": "q",
        "status": "trang-thai",
        "kind": "loai",
        "submission_mode": "hinh-thuc",
        "date_from": "tu-ngay",
        "date_to": "den-ngay",
        "registry_match": "khop",
        "order": "sap-xep",
    }

    def __init__(self, params=None, **kwargs):
        super().__init__(params, **kwargs)
        self.fields["status"].choices = queue_status_choices(Declaration.Status.choices)
        self.fields["kind"].choices = [("", _("Tất cả")), *Declaration.Kind.choices]
        self.fields["submission_mode"].choices = [
            ("", _("Tất cả")),
            *Declaration.SubmissionMode.choices,
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("“Đến ngày” phải sau hoặc bằng “Nộp từ ngày”."))
        return data


class StaffRejectForm(forms.Form):
    """ "Từ chối": a common reason, or one typed by the clerk (required)."""

    common_reason = forms.ChoiceField(label=_("Lý do thường gặp"), required=False)
    reason = forms.CharField(
        label=_("Lý do khác hoặc ghi chú thêm"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, reasons: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["common_reason"].choices = [("", _("— Chọn lý do —"))] + [
            (r, r) for r in reasons
        ]

    def clean(self):
        data = super().clean()
        parts = [data.get("common_reason", ""), collapse_spaces(data.get("reason", ""))]
        data["full_reason"] = " ".join(p for p in parts if p)
        if not data["full_reason"]:
            self.add_error("reason", _("Vui lòng chọn hoặc nhập lý do từ chối."))
        return data


# CORRECTIONS ("Yêu cầu bổ sung" / "Gửi bổ sung") ------------------------------
def _photo_help() -> dict[str, tuple]:
    return {
        name: (label, help_text)
        for name, label, help_text in [*UploadsForm.images, *ChildUploadsForm.images]
    }


class DeclarationCorrectionForm(DeclarantForm):
    """The citizen's corrections: only the fields and photos the clerk marked.

    The text fields keep the wizard's labels, formats and checks; a changed
    name or birth date is checked against the registry again.
    """

    commitment = forms.BooleanField(
        label=COMMITMENT_LABEL,
        error_messages={"required": _("Vui lòng đánh dấu ô cam kết để gửi bổ sung.")},
    )

    def __init__(self, *args, declaration: Declaration, marked: list[str], **kwargs):
        from .documents import phone_display

        initial = {name: getattr(declaration, name) for name in marked if name in self.base_fields}
        if "phone" in initial:
            initial["phone"] = phone_display(initial["phone"])
        kwargs.setdefault("initial", initial)
        super().__init__(*args, check_registry=False, **kwargs)
        self.declaration = declaration
        self.marked = list(marked)
        photos = _photo_help()
        for name in list(self.fields):
            if name not in self.marked and name != "commitment":
                del self.fields[name]
        for name in self.marked:
            if name in photos:
                label, help_text = photos[name]
                self.fields[name] = _image_field(
                    format_lazy("{} {}", _("Ảnh mới:"), label), help_text, required=True
                )
        # The commitment last, after the corrected fields.
        self.fields["commitment"] = self.fields.pop("commitment")

    def clean(self):
        cleaned = forms.Form.clean(self)
        if self.errors or not {"full_name", "date_of_birth"} & set(self.marked):
            return cleaned
        try:
            person = registry_person_match(
                insurance_number=self.declaration.insurance_number,
                full_name=cleaned.get("full_name", self.declaration.full_name),
                date_of_birth=cleaned.get("date_of_birth", self.declaration.date_of_birth),
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages, code="registry_mismatch") from None
        if "full_name" in cleaned:
            cleaned["full_name"] = person.full_name
        return cleaned

    def values(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.marked
            if name in self.cleaned_data and name in DeclarantForm.base_fields
        }

    def photos(self) -> dict:
        photos = _photo_help()
        return {name: self.cleaned_data.get(name) for name in self.marked if name in photos}


class StaffReturnForm(forms.Form):
    """ "Yêu cầu bổ sung": tick each wrong field or photo, with a reason."""

    note = forms.CharField(
        label=_("Lời nhắn chung cho người nộp (không bắt buộc)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, correctables, **kwargs):
        super().__init__(*args, **kwargs)
        from .cases import CorrectionReason

        self.correctables = list(correctables)
        reason_choices = [("", _("— Chọn lý do —")), *CorrectionReason.choices]
        for item in self.correctables:
            self.fields[f"mark_{item.name}"] = forms.BooleanField(label=item.label, required=False)
            self.fields[f"reason_{item.name}"] = forms.ChoiceField(
                label=_("Lý do"), choices=reason_choices, required=False
            )
            self.fields[f"note_{item.name}"] = forms.CharField(
                label=_("Ghi chú cho người nộp"), required=False, max_length=500
            )

    def rows(self):
        """One row per field or photo, for the template."""
        return [
            {
                "item": item,
                "mark": self[f"mark_{item.name}"],
                "reason": self[f"reason_{item.name}"],
                "note": self[f"note_{item.name}"],
            }
            for item in self.correctables
        ]

    def items(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "field": item.name,
                "reason": data.get(f"reason_{item.name}", ""),
                "note": data.get(f"note_{item.name}", ""),
            }
            for item in self.correctables
            if data.get(f"mark_{item.name}")
        ]

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's field map next to the rows it concerns."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.message_dict.items():
            target = f"reason_{field}" if f"reason_{field}" in self.fields else None
            for message in errors:
                self.add_error(target, message)
