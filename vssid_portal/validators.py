"""Validators for the portal's domain identifiers.

Each raises ``ValidationError`` with a Vietnamese message and a code, and the
normalisers are idempotent: normalising a normalised value changes nothing.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ASCII digits only: "\d" would also accept full-width and other scripts'
# digits, letting "０１２…" pass as a different account name.
INSURANCE_NUMBER_RE = re.compile(r"[0-9]{10}")
CCCD_RE = re.compile(r"[0-9]{12}")
CMND_RE = re.compile(r"[0-9]{9}")
PASSPORT_RE = re.compile(r"[A-Z][0-9]{7}")
# Vietnamese mobile prefixes after the 2018 renumbering: 03x, 05x, 07x, 08x, 09x.
VN_MOBILE_RE = re.compile(r"\+84(3|5|7|8|9)[0-9]{8}")


def validate_insurance_number(value: str) -> None:
    """A mã số BHXH is exactly 10 ASCII digits."""
    if not isinstance(value, str) or not INSURANCE_NUMBER_RE.fullmatch(value):
        raise ValidationError(_("Mã số BHXH gồm đúng 10 chữ số."), code="invalid_insurance_number")


def normalize_id_number(value: str) -> str:
    return "".join(value.split()).upper()


def validate_id_number(value: str) -> None:
    """A 12-digit CCCD, a 9-digit CMND or a passport number (1 letter, 7 digits)."""
    value = normalize_id_number(value)
    if not (CCCD_RE.fullmatch(value) or CMND_RE.fullmatch(value) or PASSPORT_RE.fullmatch(value)):
        raise ValidationError(
            _("Số CMND/HC/CC không hợp lệ: CCCD 12 chữ số, CMND 9 chữ số hoặc hộ chiếu."),
            code="invalid_id_number",
        )


def normalize_phone(value: str) -> str:
    """Return a Vietnamese mobile number in E.164 (+84…), or raise.

    Accepts what people type: "0912 345 678", "0912.345.678",
    "84912345678", "+84 912 345 678".
    """
    if not isinstance(value, str):
        raise ValidationError(_("Số điện thoại không hợp lệ."), code="invalid_phone")
    digits = re.sub(r"[\s.\-()]", "", value)
    if digits.startswith("+84"):
        digits = digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    candidate = "+84" + digits
    if not VN_MOBILE_RE.fullmatch(candidate):
        raise ValidationError(
            _("Số điện thoại di động không hợp lệ (ví dụ: 0912 345 678)."),
            code="invalid_phone",
        )
    return candidate


def validate_phone(value: str) -> None:
    normalize_phone(value)
