import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
import qrcode
from hypothesis import given, settings
from hypothesis import strategies as st

from declarations.qr import QrError, decode_qr_image, parse_qr

CCCD = (
    "079090001234|025123456|Nguyễn Văn An|15051990|Nam|"
    "12 Đường số 3, Phường 9, Quận 4, TP. Hồ Chí Minh|20042021"
)
NAME_HEX = "4e677579e1bb856e2056c4836e20416e"
ADDRESS_HEX = "5175e1baad6e20342c205468c3a06e68207068e1bb912048e1bb93204368c3ad204d696e68"
BHYT_OLD = (
    f"DN4790123456789|{NAME_HEX}|15/05/1990|1|{ADDRESS_HEX}|79 - 011|01/01/2020|31/12/2020|"
    "15/12/2019|79140123456789|-|4| 01/01/2024|a1b2c3d4e5f60718-0101|$"
)
BHYT_NEW = (
    f"7901234567|{NAME_HEX}|15/05/1990|1|-|79 - 011|01/01/2025|-|20/12/2024|79147901234567|-|4|"
    f" 01/01/2028|a1b2c3d4e5f60718-0101|4|{ADDRESS_HEX}|$"
)


def test_chip_cccd_gives_id_number_name_birth_date_and_address():
    data = parse_qr(CCCD)
    assert data.source == "cccd"
    assert data.id_number == "079090001234"
    assert data.full_name == "Nguyễn Văn An"
    assert data.date_of_birth == dt.date(1990, 5, 15)
    assert data.address.startswith("12 Đường số 3")
    assert data.initial()["date_of_birth"] == "15/05/1990"


def test_chip_cccd_without_old_cmnd_is_read():
    assert parse_qr(CCCD.replace("|025123456|", "||")).id_number == "079090001234"


def test_six_field_cccd_is_refused():
    with pytest.raises(QrError, match="căn cước"):
        parse_qr("079090001234|025123456|Nguyễn Văn An|15051990|Nam|Quận 4")


def test_old_bhyt_card_gives_the_ten_digit_number_inside_the_card_code():
    data = parse_qr(BHYT_OLD)
    assert data.source == "bhyt"
    assert data.insurance_number == "0123456789"
    assert data.full_name == "Nguyễn Văn An"
    assert data.address == "Quận 4, Thành phố Hồ Chí Minh"


def test_new_bhyt_card_gives_the_number_name_and_birth_date():
    data = parse_qr(BHYT_NEW)
    assert data.insurance_number == "7901234567"
    assert data.full_name == "Nguyễn Văn An"
    assert data.date_of_birth == dt.date(1990, 5, 15)
    assert data.address == ""  # the new card's field 15 is the issue place, not an address


def test_bhyt_card_with_missing_trailing_fields_is_still_read():
    assert parse_qr(f"7901234567|{NAME_HEX}|15/05/1990").insurance_number == "7901234567"


@pytest.mark.parametrize(
    "payload,message",
    [
        ("", "Vui lòng dán"),
        ("hello world", "Không nhận ra mã QR"),
        ("https://example.com/|x", "Không nhận ra mã QR"),
        (f"7901234567|{NAME_HEX[:-1]}|15/05/1990|1|$", "không đọc được"),
        ("7901234567|zz|15/05/1990|1|$", "không đọc được"),
        ("7901234567|ff|15/05/1990|1|$", "không đọc được"),  # not UTF-8
        (f"7901234567|{NAME_HEX}|31/02/1990|1|$", "Ngày sinh"),
        (CCCD.replace("15051990", "15/05/1990"), "Ngày sinh"),
        (CCCD.replace("079090001234", "07909000123"), "Không nhận ra"),
        ("x" * 5000, "quá dài"),
    ],
)
def test_malformed_payloads_give_a_clear_message(payload, message):
    with pytest.raises(QrError, match=message):
        parse_qr(payload)


def test_control_characters_are_removed_from_names():
    data = parse_qr(CCCD.replace("Nguyễn Văn An", "Nguyễn\u202e Văn\x00 An"))
    assert data.full_name == "Nguyễn Văn An"


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_raises_qr_error(text):
    try:
        parse_qr(text)
    except QrError:
        pass


field = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "-", "$", NAME_HEX, "15/05/1990", "15051990", "7901234567", "ff"]),
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(field, min_size=0, max_size=20),
    st.sampled_from(["7901234567", "079090001234", "DN4790123456789"]),
)
def test_structured_junk_parses_or_raises_qr_error(fields, first):
    try:
        data = parse_qr("|".join([first, *fields]))
    except QrError:
        return
    assert data.full_name and data.date_of_birth is not None


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    qrcode.make(text, border=4, box_size=6).save(out, "PNG")
    return out.getvalue()


def test_photo_of_a_qr_code_is_decoded():
    upload = SimpleUploadedFile("qr.png", qr_png(BHYT_NEW), content_type="image/png")
    assert decode_qr_image(upload) == BHYT_NEW


def test_photo_without_a_qr_code_gives_a_clear_message():
    from .conftest import jpeg_bytes

    with pytest.raises(QrError, match="Không tìm thấy mã QR"):
        decode_qr_image(SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg"))


def test_qr_photo_passes_the_upload_gate():
    with pytest.raises(QrError, match="không phải là ảnh hợp lệ"):
        decode_qr_image(SimpleUploadedFile("a.jpg", b"<svg/>", content_type="image/jpeg"))
