"""Reading the QR codes on a chip CCCD and on a BHYT card to prefill the tờ khai.

Both payloads are ``|``-separated text without labels (see
``reference/domain.md`` §3.1 and §3.2). What the parsers return is a
suggestion: the citizen reviews every field before continuing, and the
registry check runs as for typed values.

The parsers are defensive: any input, however mangled, either parses or
raises ``QrError`` with a Vietnamese message; nothing else escapes
(fuzzed with hypothesis in the tests).
"""

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_PAYLOAD = 2000
CCCD_RE = re.compile(r"[0-9]{12}")
CMND_RE = re.compile(r"[0-9]{9}")
INSURANCE_RE = re.compile(r"[0-9]{10}")
OLD_CARD_RE = re.compile(r"[A-Z]{2}[1-5][0-9]{2}([0-9]{10})")
HEX_RE = re.compile(r"(?:[0-9a-fA-F]{2})+")


class QrError(Exception):
    """The text or photo is not a QR code the portal can read; ``str()`` says why."""


@dataclass(frozen=True)
class QrData:
    source: str  # "cccd" or "bhyt"
    full_name: str = ""
    date_of_birth: dt.date | None = None
    id_number: str = ""
    address: str = ""
    insurance_number: str = ""

    def initial(self) -> dict[str, str]:
        """Form initial values for the tờ khai, only what the QR carried."""
        values = {
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.strftime("%d/%m/%Y") if self.date_of_birth else "",
            "id_number": self.id_number,
            "contact_address": self.address,
            "insurance_number": self.insurance_number,
        }
        return {key: value for key, value in values.items() if value}


def _clean_text(value: str, *, max_length: int = 255) -> str:
    value = unicodedata.normalize("NFC", value)
    # Control characters (incl. NUL, CR/LF, bidi overrides) never belong in a name or address.
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C")
    value = " ".join(value.split())
    if len(value) > max_length:
        raise QrError(_("Mã QR chứa thông tin quá dài."))
    return value


def _date(value: str, formats: tuple[str, ...]) -> dt.date:
    value = value.strip()
    for fmt in formats:
        try:
            parsed = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if dt.date(1900, 1, 1) <= parsed <= dt.date.today():
            return parsed
    raise QrError(_("Ngày sinh trong mã QR không hợp lệ."))


def _hex_text(value: str) -> str:
    value = value.strip()
    if value in ("", "-"):
        return ""
    if not HEX_RE.fullmatch(value):
        raise QrError(_("Mã QR thẻ BHYT bị lỗi: họ tên hoặc địa chỉ không đọc được."))
    try:
        return _clean_text(bytes.fromhex(value).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise QrError(_("Mã QR thẻ BHYT bị lỗi: họ tên hoặc địa chỉ không đọc được.")) from exc


def parse_cccd(text: str) -> QrData:
    """Chip CCCD: 7 fields — CCCD, old CMND, name, ddmmyyyy, gender, address, issue date."""
    fields = [field.strip() for field in text.split("|")]
    if len(fields) != 7:
        raise QrError(_("Mã QR không đúng định dạng của căn cước công dân."))
    cccd, cmnd, name, birth, _gender, address, _issued = fields
    if not CCCD_RE.fullmatch(cccd):
        raise QrError(_("Số căn cước trong mã QR không hợp lệ."))
    if cmnd and not CMND_RE.fullmatch(cmnd):
        raise QrError(_("Mã QR không đúng định dạng của căn cước công dân."))
    name = _clean_text(name, max_length=150)
    if not name:
        raise QrError(_("Mã QR không có họ tên."))
    return QrData(
        source="cccd",
        full_name=name,
        date_of_birth=_date(birth, ("%d%m%Y",)),
        id_number=cccd,
        address=_clean_text(address),
    )


def parse_bhyt(text: str) -> QrData:
    """BHYT card, old (15-character card number) or new (10-digit mã số) variant."""
    body = text.strip()
    if body.endswith("$"):
        body = body[:-1]
    fields = [field.strip() for field in body.split("|")]
    if len(fields) < 3:
        raise QrError(_("Mã QR không đúng định dạng của thẻ BHYT."))
    card = fields[0].upper()
    if INSURANCE_RE.fullmatch(card):
        insurance_number = card
    elif match := OLD_CARD_RE.fullmatch(card):
        insurance_number = match.group(1)
    else:
        raise QrError(_("Mã thẻ BHYT trong mã QR không hợp lệ."))
    name = _hex_text(fields[1])
    if not name:
        raise QrError(_("Mã QR không có họ tên."))
    if len(name) > 150:
        raise QrError(_("Mã QR chứa thông tin quá dài."))
    address = ""
    if len(fields) > 4 and len(card) == 15:
        address = _hex_text(fields[4])
    return QrData(
        source="bhyt",
        full_name=name,
        date_of_birth=_date(fields[2], ("%d/%m/%Y",)),
        insurance_number=insurance_number,
        address=address,
    )


def parse_qr(text: str) -> QrData:
    """Recognise and parse a chip-CCCD or BHYT-card QR payload."""
    if not isinstance(text, str):
        raise QrError(_("Không đọc được mã QR."))
    text = text.strip().lstrip("\ufeff")
    if not text:
        raise QrError(_("Vui lòng dán nội dung mã QR hoặc chọn ảnh chụp mã QR."))
    if len(text) > MAX_PAYLOAD:
        raise QrError(_("Nội dung mã QR quá dài."))
    if "|" not in text:
        raise QrError(
            _(
                "Không nhận ra mã QR. Chỉ đọc được mã QR trên căn cước công dân gắn chip và thẻ BHYT."
            )
        )
    first = text.split("|", 1)[0].strip()
    if CCCD_RE.fullmatch(first) and text.count("|") == 6 and not text.endswith("$"):
        return parse_cccd(text)
    if INSURANCE_RE.fullmatch(first) or OLD_CARD_RE.fullmatch(first.upper()):
        return parse_bhyt(text)
    if CCCD_RE.fullmatch(first):
        return parse_cccd(text)
    raise QrError(
        _("Không nhận ra mã QR. Chỉ đọc được mã QR trên căn cước công dân gắn chip và thẻ BHYT.")
    )


def decode_qr_image(upload) -> str:
    """Decode the first QR code in a photo; the photo passes the upload gate first."""
    import zxingcpp
    from PIL import Image

    from vssid_portal.images import image_clean

    try:
        cleaned = image_clean(upload, min_side=100, max_side=2000)
    except ValidationError as exc:
        raise QrError(" ".join(exc.messages)) from exc
    image = Image.open(io.BytesIO(cleaned.content))
    try:
        results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    except Exception as exc:  # noqa: BLE001 - a decoder failure is "unreadable", never a 500
        raise QrError(_("Không đọc được mã QR trong ảnh.")) from exc
    for result in results:
        if result.text:
            return result.text
    raise QrError(_("Không tìm thấy mã QR trong ảnh. Hãy chụp gần hơn, đủ sáng và không bị lóa."))
