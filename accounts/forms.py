from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vssid_portal.captcha import CaptchaField
from vssid_portal.validators import normalize_phone, validate_insurance_number

from .lockout import Outcome, outcome_message, sign_in_captcha_required, username_normalize
from .models import User

PASSWORD_MAX_LENGTH = 128


def _password_field(label, autocomplete, help_text=None):
    return forms.CharField(
        label=label,
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def _username_clean(value: str) -> str:
    """Normalise (full-width digits, spaces, invisible characters) and refuse
    a number-looking name that is not 10 digits, before anything is counted."""
    username = username_normalize(value)
    if username.isascii() and username.isdigit() and len(username) != 10:
        raise ValidationError(_("Mã số BHXH gồm đúng 10 chữ số."), code="invalid_insurance_number")
    return username


class CaptchaSignInMixin:
    """Sign-in through the lockout counter, with the captcha from the 3rd failure.

    Whether the captcha is asked depends only on the counter of the name
    typed, known or not, so it tells nothing about the account.
    """

    def _setup_captcha(self):
        username = self.data.get("username", "") if self.is_bound else ""
        if username and sign_in_captcha_required(username=username):
            self.fields["captcha"] = CaptchaField()

    def clean_username(self):
        return _username_clean(self.cleaned_data["username"])

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password or "captcha" in self.errors:
            return self.cleaned_data
        self.user_cache = authenticate(
            self.request,
            username=username,
            password=password,
            captcha_solved=bool(self.cleaned_data.get("captcha")),
        )
        if self.user_cache is None:
            outcome = getattr(self.request, "sign_in_outcome", Outcome.INVALID)
            if "captcha" not in self.fields and sign_in_captcha_required(username=username):
                self.fields["captcha"] = CaptchaField()
            if outcome == Outcome.LOCKED:
                self.fields.pop("captcha", None)  # nothing left to try
            if outcome == Outcome.CAPTCHA_REQUIRED:
                self.add_error(
                    "captcha" if "captcha" in self.fields else None, outcome_message(outcome)
                )
            else:
                raise ValidationError(outcome_message(outcome), code=str(outcome))
        else:
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class SignInForm(CaptchaSignInMixin, AuthenticationForm):
    """Sign-in with the mã số BHXH (citizens) or a staff username."""

    username = forms.CharField(
        label=_("Mã số BHXH"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autofocus": True, "inputmode": "text"}
        ),
    )
    password = _password_field(_("Mật khẩu"), "current-password")

    error_messages = {
        "invalid_login": _("Mã số BHXH hoặc mật khẩu không đúng."),
        "inactive": _("Mã số BHXH hoặc mật khẩu không đúng."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self._setup_captcha()


class AdminSignInForm(CaptchaSignInMixin, AdminAuthenticationForm):
    """/admin/login/ counts on the same counter and asks the same captcha."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self._setup_captcha()


class NewPasswordMixin:
    """New password twice, checked by every validator against ``self.user``."""

    def clean_new_password2(self):
        first = self.cleaned_data.get("new_password1")
        second = self.cleaned_data["new_password2"]
        if first and first != second:
            raise ValidationError(_("Hai mật khẩu mới không khớp nhau."), code="password_mismatch")
        return second

    def _validate_new(self):
        password = self.cleaned_data.get("new_password1")
        if password and "new_password2" in self.cleaned_data:
            try:
                password_validation.validate_password(password, self.user)
            except ValidationError as exc:
                self.add_error("new_password1", exc)


class PasswordChangeForm(NewPasswordMixin, forms.Form):
    old_password = _password_field(_("Mật khẩu hiện tại"), "current-password")
    new_password1 = _password_field(
        _("Mật khẩu mới"),
        "new-password",
        _(
            "Ít nhất 8 ký tự; không chứa mã số BHXH, họ tên, số điện thoại, ngày sinh, "
            "“BHXH”, “VSSID”; khác 3 mật khẩu gần nhất."
        ),
    )
    new_password2 = _password_field(_("Nhập lại mật khẩu mới"), "new-password")

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise ValidationError(_("Mật khẩu hiện tại không đúng."), code="password_incorrect")
        return old

    def clean(self):
        super().clean()
        self._validate_new()
        return self.cleaned_data


class SetPasswordForm(NewPasswordMixin, forms.Form):
    new_password1 = PasswordChangeForm.base_fields["new_password1"]
    new_password2 = PasswordChangeForm.base_fields["new_password2"]

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        self._validate_new()
        return self.cleaned_data


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("Mã OTP"),
        max_length=6,
        min_length=6,
        help_text=_("6 chữ số, có hiệu lực 5 phút."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
        error_messages={
            "required": _("Vui lòng nhập mã OTP."),
            "min_length": _("Mã OTP gồm 6 chữ số."),
            "max_length": _("Mã OTP gồm 6 chữ số."),
        },
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise ValidationError(_("Mã OTP gồm 6 chữ số."), code="invalid")
        return code


class SecondFactorForm(forms.Form):
    """The code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=16,
        help_text=_(
            "6 chữ số đang hiện trong ứng dụng xác thực, hoặc một mã khôi phục (dạng abcde-fghjk)."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={"required": _("Vui lòng nhập mã xác thực.")},
    )

    def clean_code(self):
        from .totp import code_normalize, code_shape_valid

        code = self.cleaned_data["code"]
        if not code_shape_valid(code):
            raise ValidationError(
                _("Mã xác thực gồm 6 chữ số, hoặc mã khôi phục gồm 10 ký tự."), code="invalid"
            )
        return code_normalize(code)


class TotpSetupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã 6 số trong ứng dụng"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
            }
        ),
        error_messages={
            "required": _("Vui lòng nhập mã 6 số đang hiện trong ứng dụng."),
            "min_length": _("Mã gồm 6 chữ số."),
            "max_length": _("Mã gồm 6 chữ số."),
        },
    )


class TotpConfirmForm(SecondFactorForm):
    """Turning the app off or new recovery codes: password and a code."""

    password = _password_field(_("Mật khẩu hiện tại"), "current-password")

    field_order = ["password", "code"]


class ForgotPasswordForm(forms.Form):
    username = forms.CharField(
        label=_("Mã số BHXH"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "numeric"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại đã đăng ký"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    captcha = CaptchaField()

    def clean_username(self):
        username = username_normalize(self.cleaned_data["username"])
        validate_insurance_number(username)
        return username

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])


class ContactChangeForm(forms.Form):
    phone = forms.CharField(
        label=_("Số điện thoại di động mới"),
        max_length=20,
        required=False,
        help_text=_("Để trống nếu không đổi."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    email = forms.EmailField(
        label=_("Địa chỉ thư điện tử mới"),
        required=False,
        help_text=_("Để trống nếu không đổi."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = _password_field(_("Mật khẩu hiện tại"), "current-password")
    captcha = CaptchaField()

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        return normalize_phone(phone) if phone else ""

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("Mật khẩu hiện tại không đúng."), code="password_incorrect")
        return password

    def clean(self):
        data = super().clean()
        phone, email = data.get("phone"), data.get("email")
        pending = self.user.contact_changes.filter(status="pending").first()
        if pending is not None:
            from django.utils import timezone

            raise ValidationError(
                _(
                    "Bạn đang có một yêu cầu đổi thông tin liên hệ chờ hiệu lực (lúc {when}). "
                    "Vui lòng huỷ yêu cầu đó ở trang “Thông tin tài khoản” trước khi gửi yêu "
                    "cầu mới."
                ).format(when=timezone.localtime(pending.effective_at).strftime("%H:%M %d/%m/%Y")),
                code="pending",
            )
        if "phone" in data and "email" in data:
            if (not phone or phone == self.user.phone) and (
                not email or email == self.user.email.lower()
            ):
                raise ValidationError(
                    _(
                        "Vui lòng nhập số điện thoại hoặc thư điện tử mới (khác thông tin hiện tại)."
                    ),
                    code="nothing_changed",
                )
            if not self.user.email and not email:
                self.add_error(
                    "email",
                    _("Tài khoản chưa có thư điện tử: vui lòng nhập một địa chỉ để nhận mã OTP."),
                )
        return data


class StaffAccountSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Mã số BHXH"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "type": "search"}),
    )

    def clean_q(self):
        username = username_normalize(self.cleaned_data["q"])
        validate_insurance_number(username)
        return username
