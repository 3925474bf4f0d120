"""Password rules on top of Django's (docs/security.md: 8+ characters, no
composition rules, nothing guessable from the account, not a recent one)."""

import re

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vssid_portal.text import fold

FORBIDDEN_WORDS = ("bhxh", "vssid")


def _squash(value: str) -> str:
    """Folded, without spaces or punctuation: "Nguyễn Văn-An" -> "nguyenvanan"."""
    return re.sub(r"[\W_]+", "", fold(value or ""))


class ForbiddenWordsValidator:
    """Not the mã số BHXH (username), "bhxh" or "vssid", in any case or spacing."""

    def validate(self, password: str, user=None) -> None:
        squashed = _squash(password)
        if user is not None and user.username and _squash(user.username) in squashed:
            raise ValidationError(
                _("Mật khẩu không được chứa mã số BHXH hoặc tên đăng nhập."),
                code="password_contains_username",
            )
        for word in FORBIDDEN_WORDS:
            if word in squashed:
                raise ValidationError(
                    _("Mật khẩu không được chứa “{word}”.").format(word=word.upper()),
                    code="password_contains_forbidden_word",
                )

    def get_help_text(self) -> str:
        return _("Mật khẩu không được chứa mã số BHXH, “BHXH” hay “VSSID”.")


def _birth_date_forms(user) -> list[str]:
    from insurance.models import Person

    person = (
        Person.objects.filter(insurance_number=user.username).only("date_of_birth").first()
        if user.username
        else None
    )
    if person is None:
        return []
    d = person.date_of_birth
    return [
        f"{d:%d%m%Y}",
        f"{d:%Y%m%d}",
        f"{d:%d%m%y}",
        f"{d:%m%d%Y}",
    ]


def _phone_forms(user) -> list[str]:
    phone = re.sub(r"\D", "", user.phone or "")
    if not phone:
        return []
    local = "0" + phone[2:] if phone.startswith("84") else phone
    return [phone, local, local[1:]]


class PersonalDataValidator:
    """Not the holder's name, phone number or birth date, however written."""

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        squashed = _squash(password)
        digits = re.sub(r"\D", "", password)
        name = _squash(user.full_name)
        if name and len(name) >= 4 and name in squashed:
            raise ValidationError(
                _("Mật khẩu không được chứa họ tên của bạn."), code="password_contains_name"
            )
        if any(form and form in digits for form in _phone_forms(user)):
            raise ValidationError(
                _("Mật khẩu không được chứa số điện thoại của bạn."),
                code="password_contains_phone",
            )
        if any(form in digits for form in _birth_date_forms(user)):
            raise ValidationError(
                _("Mật khẩu không được chứa ngày sinh của bạn."),
                code="password_contains_birth_date",
            )

    def get_help_text(self) -> str:
        return _("Mật khẩu không được chứa họ tên, số điện thoại hay ngày sinh của bạn.")


class PasswordHistoryValidator:
    """Not the current password (the initial one included) nor a recent one."""

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        count = settings.PASSWORD_HISTORY_COUNT
        hashes = list(user.password_history.values_list("password", flat=True)[:count])
        if user.password:
            hashes.append(user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _(
                    "Mật khẩu mới không được trùng mật khẩu hiện tại, mật khẩu khởi tạo "
                    "hoặc {count} mật khẩu gần nhất."
                ).format(count=count),
                code="password_reused",
            )

    def get_help_text(self) -> str:
        return _("Không dùng lại {count} mật khẩu gần nhất.").format(
            count=settings.PASSWORD_HISTORY_COUNT
        )


# Django's validators with Vietnamese messages (Django's vi catalogue lacks them).
class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _("Mật khẩu quá ngắn: cần ít nhất {n} ký tự.").format(n=self.min_length)

    def get_help_text(self):
        return _("Mật khẩu có ít nhất {n} ký tự.").format(n=self.min_length)


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("Mật khẩu này quá phổ biến, dễ bị đoán.")

    def get_help_text(self):
        return _("Không dùng mật khẩu phổ biến.")


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("Mật khẩu quá giống %(verbose_name)s của bạn.")

    def get_help_text(self):
        return _("Mật khẩu không được giống thông tin cá nhân của bạn.")
