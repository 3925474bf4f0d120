from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Sign-in with the mã số BHXH (citizens) or a staff username."""

    username = forms.CharField(
        label=_("Mã số BHXH"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autofocus": True, "inputmode": "text"}
        ),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("Mã số BHXH hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản này đã bị khoá. Vui lòng liên hệ cơ quan BHXH."),
    }
