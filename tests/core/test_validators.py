from django.core.exceptions import ValidationError

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vssid_portal.text import fold, normalize_name
from vssid_portal.validators import (
    normalize_phone,
    validate_id_number,
    validate_insurance_number,
)


@pytest.mark.parametrize("value", ["0123456789", "7901234567"])
def test_ten_ascii_digits_are_an_insurance_number(value):
    validate_insurance_number(value)


@pytest.mark.parametrize(
    "value",
    [
        "012345678",
        "01234567890",
        " 0123456789",
        "０１２３４５６７８９",
        "0123456789\u200b",
        "01234a6789",
        "",
    ],
)
def test_anything_else_is_refused_with_a_vietnamese_message(value):
    with pytest.raises(ValidationError, match="Mã số BHXH gồm đúng 10 chữ số"):
        validate_insurance_number(value)


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "+84912345678",
        "84912345678",
        "+84 912-345-678",
    ],
)
def test_phone_numbers_are_normalised_to_e164(typed):
    assert normalize_phone(typed) == "+84912345678"


@pytest.mark.parametrize("typed", ["091234567", "0212345678", "+1 415 555 0100", "abc", ""])
def test_non_mobile_numbers_are_refused(typed):
    with pytest.raises(ValidationError, match="Số điện thoại di động không hợp lệ"):
        normalize_phone(typed)


@given(st.sampled_from("35789"), st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_phone_normalisation_is_idempotent(prefix, rest):
    once = normalize_phone(f"0{prefix}{rest}")
    assert normalize_phone(once) == once


@given(st.text(max_size=30))
def test_phone_normalisation_only_raises_validation_error(value):
    try:
        normalize_phone(value)
    except ValidationError:
        pass


@pytest.mark.parametrize("value", ["079090001234", "025123456", "B1234567", "b1234567"])
def test_cccd_cmnd_and_passport_numbers_are_accepted(value):
    validate_id_number(value)


@pytest.mark.parametrize("value", ["07909000123", "0790900012345", "AB123456", ""])
def test_other_id_numbers_are_refused(value):
    with pytest.raises(ValidationError, match="Số CMND/HC/CC không hợp lệ"):
        validate_id_number(value)


def test_fold_ignores_case_spaces_and_diacritics():
    assert fold("  Nguyễn   Thị HOA ") == "nguyen thi hoa"
    assert fold("Đặng Văn Đức") == "dang van duc"


def test_normalize_name_treats_nfd_and_nfc_alike_but_keeps_diacritics():
    nfd = "Nguye\u0302\u0303n Va\u0306n An"
    assert normalize_name(nfd) == normalize_name("NGUYỄN  VĂN AN")
    assert normalize_name("Nguyên Văn An") != normalize_name("Nguyễn Văn An")
