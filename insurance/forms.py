"""Forms of the public verification page (/xac-thuc/)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .verification import document_code_normalise, document_upload_read


class DocumentCodeForm(forms.Form):
    ma = forms.CharField(
        label=_("Mã xác thực"),
        max_length=40,
        help_text=_("12 chữ cái và chữ số in dưới mã QR của tài liệu, ví dụ ABCD-EFGH-JKMN."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "ABCD-EFGH-JKMN",
            }
        ),
    )

    def clean_ma(self) -> str:
        code = document_code_normalise(self.cleaned_data["ma"])
        if code is None:
            raise ValidationError(
                _(
                    "Mã xác thực gồm 12 chữ cái và chữ số (không có chữ O, I, L, U và số 0, 1), "
                    "ví dụ ABCD-EFGH-JKMN."
                ),
                code="invalid_code",
            )
        return code


class DocumentFileForm(forms.Form):
    tep = forms.FileField(
        label=_("Tệp PDF"),
        help_text=_("Tệp đã tải từ VssID Portal hoặc nhận qua thư điện tử, tối đa 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_tep(self) -> bytes:
        return document_upload_read(self.cleaned_data["tep"])
