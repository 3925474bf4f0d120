from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lookup.models import Office
from vssid_portal.captcha import CaptchaField
from vssid_portal.images import MAX_UPLOAD_BYTES, image_clean
from vssid_portal.validators import normalize_phone

from .models import Topic

ATTACHMENT_MIN_SIDE = 200


class OfficeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Office) -> str:
        return str(obj)


class QuestionForm(forms.Form):
    """ "Gửi câu hỏi, phản ánh, kiến nghị": open to anyone, captcha-protected."""

    name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Điện thoại di động"),
        max_length=20,
        required=False,
        help_text=_("Nhập số điện thoại hoặc thư điện tử (ít nhất một) để nhận thông báo trả lời."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Địa chỉ thư điện tử"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topic = forms.ModelChoiceField(
        label=_("Chủ đề"),
        queryset=Topic.objects.all(),
        empty_label=_("— Chọn chủ đề —"),
    )
    office = OfficeChoiceField(
        label=_("Cơ quan BHXH nhận câu hỏi"),
        queryset=Office.objects.all(),
        required=False,
        empty_label=_("— Không chọn: chuyển cho cơ quan BHXH phù hợp —"),
        help_text=_("Không bắt buộc. Chọn cơ quan BHXH đang quản lý hồ sơ của bạn nếu biết."),
    )
    text = forms.CharField(
        label=_("Nội dung câu hỏi, phản ánh, kiến nghị"),
        min_length=10,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Không ghi mật khẩu hay mã OTP vào nội dung."),
    )
    attachment = forms.FileField(
        label=_("Ảnh đính kèm"),
        required=False,
        help_text=_("Không bắt buộc. Ảnh JPG, PNG hoặc HEIC, tối đa 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/heic"}),
    )
    captcha = CaptchaField()

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return normalize_phone(phone) if phone else ""

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        return image_clean(
            upload, min_side=ATTACHMENT_MIN_SIDE, max_bytes=MAX_UPLOAD_BYTES
        ).as_file()

    def clean(self):
        cleaned = super().clean()
        if not self.errors.get("phone") and not self.errors.get("email"):
            if not cleaned.get("phone") and not cleaned.get("email"):
                raise ValidationError(
                    _("Vui lòng nhập số điện thoại hoặc địa chỉ thư điện tử để nhận trả lời."),
                    code="no_contact",
                )
        return cleaned


class AnswerReadForm(forms.Form):
    code = forms.CharField(
        label=_("Mã câu hỏi"),
        max_length=32,
        help_text=_("Ví dụ: HD-2026-K7QM-X94P"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    contact = forms.CharField(
        label=_("Số điện thoại hoặc thư điện tử đã khai"),
        max_length=254,
    )


class AssistantForm(forms.Form):
    q = forms.CharField(
        label=_("Câu hỏi của bạn"),
        max_length=500,
        widget=forms.TextInput(
            attrs={"placeholder": _("Ví dụ: quên mật khẩu thì làm sao?"), "autocomplete": "off"}
        ),
    )


class StaffAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Nội dung trả lời"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class StaffPublishForm(forms.Form):
    public_question = forms.CharField(
        label=_("Câu hỏi công khai"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Bỏ họ tên, số điện thoại, mã số BHXH, số CCCD, địa chỉ của người hỏi."),
    )
    public_answer = forms.CharField(
        label=_("Trả lời công khai"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
