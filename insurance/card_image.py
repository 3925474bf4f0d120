"""The BHYT card as a PNG (drawn server-side with Pillow and qrcode)."""

import datetime as dt
import hashlib
import io
from functools import cache

from django.core.cache import cache as django_cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

import qrcode
from PIL import Image, ImageDraw, ImageFont

from vssid_portal.pdf import FONT_BOLD, FONT_REGULAR

from .cards import card_number_parse, card_qr_payload, kcb_display
from .models import HealthInsuranceCard, Person

# 85.6 x 54 mm at about 300 dpi, the size of a bank card.
WIDTH, HEIGHT = 1012, 638
MARGIN = 36
QR_SIZE = 300
QR_MASK = 2
BRAND = (11, 93, 99)
RED = (190, 30, 45)
TEXT = (29, 35, 41)
MUTED = (77, 90, 99)
BACKGROUND = (234, 246, 244)
# Change when the drawing changes: cached images of the old layout are then
# never served again.
LAYOUT_VERSION = 1
CACHE_SECONDS = 7 * 24 * 60 * 60


@cache
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), size)


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "-"


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(",. ") + "…"
    return lines


def qr_image(payload: str, size: int = QR_SIZE) -> Image.Image:
    # A fixed mask skips qrcode's trial of all eight masks, which is more
    # than half of the time to draw a card; any mask is valid for readers.
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=QR_MASK
    )
    code.add_data(payload)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    return image.resize((size, size), Image.Resampling.NEAREST)


def card_png(*, card: HealthInsuranceCard, person: Person) -> bytes:
    """Draw the card: header, number, holder, facility, validity and the QR."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (2, 2, WIDTH - 3, HEIGHT - 3), radius=28, outline=BRAND, width=4, fill=BACKGROUND
    )
    draw.rectangle((4, 118, WIDTH - 5, 124), fill=BRAND)

    center = WIDTH // 2
    draw.text(
        (center, 30), _("BẢO HIỂM XÃ HỘI VIỆT NAM"), font=_font(True, 28), fill=BRAND, anchor="mt"
    )
    draw.text((center, 68), _("THẺ BẢO HIỂM Y TẾ"), font=_font(True, 38), fill=RED, anchor="mt")

    number = card_number_parse(card.card_number)
    y = 142
    draw.text((MARGIN, y), _("Số:"), font=_font(False, 26), fill=MUTED)
    draw.text((MARGIN + 60, y - 6), number.printed, font=_font(True, 40), fill=RED)

    text_width = WIDTH - MARGIN * 2 - QR_SIZE - 24
    y = 200
    rows = [
        (_("Họ và tên:"), person.full_name.upper(), True),
        (_("Ngày sinh:"), _date(person.date_of_birth), False),
        (_("Giới tính:"), person.get_gender_display(), False),
        (_("Địa chỉ:"), person.address or "-", False),
        (
            _("Nơi ĐKKCB ban đầu:"),
            f"{kcb_display(card.kcb_code)} {card.kcb_name}",
            False,
        ),
        (
            _("Giá trị sử dụng:"),
            _("từ {start} đến {end}").format(
                start=_date(card.valid_from), end=_date(card.valid_to)
            ),
            True,
        ),
        (_("Thời điểm đủ 5 năm liên tục:"), _date(card.five_year_date), False),
        (_("Mã đối tượng:"), card.group, False),
        (_("Mức hưởng:"), str(card.benefit_level), False),
    ]
    label_font = _font(False, 21)
    for label, value, bold in rows:
        value_font = _font(bold, 24)
        label_width = draw.textlength(label + " ", font=label_font)
        lines = _wrap(draw, value, value_font, int(text_width - label_width), max_lines=2)
        draw.text((MARGIN, y + 3), label, font=label_font, fill=MUTED)
        for line in lines:
            draw.text((MARGIN + label_width, y), line, font=value_font, fill=TEXT)
            y += 30
        y += 5

    qr = qr_image(card_qr_payload(card=card, person=person))
    qr_x, qr_y = WIDTH - MARGIN - QR_SIZE, 190
    image.paste(qr, (qr_x, qr_y))
    issued = _("Cấp ngày {date}").format(date=_date(card.issued_on))
    draw.text(
        (qr_x + QR_SIZE // 2, qr_y + QR_SIZE + 14),
        issued,
        font=_font(False, 20),
        fill=MUTED,
        anchor="mt",
    )
    if card.issue_place:
        for i, line in enumerate(_wrap(draw, card.issue_place, _font(False, 18), QR_SIZE, 2)):
            draw.text(
                (qr_x + QR_SIZE // 2, qr_y + QR_SIZE + 42 + i * 24),
                line,
                font=_font(False, 18),
                fill=MUTED,
                anchor="mt",
            )

    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)
    return out.getvalue()


def card_png_key(*, card: HealthInsuranceCard, person: Person) -> str:
    """A digest of everything the image shows: the card's and the holder's
    columns, the managing office (in the QR), the language and the layout.

    Two cards never share a key unless their images are identical (the card
    number alone differs between any two holders), and any change to the
    data gives a new key, so a cached image is never stale or someone else's.
    """
    values = [
        LAYOUT_VERSION,
        get_language(),
        getattr(person.office, "code", None) if person.office_id else None,
        *(getattr(card, f.attname) for f in card._meta.concrete_fields),
        *(getattr(person, f.attname) for f in person._meta.concrete_fields),
    ]
    return hashlib.sha256(repr(values).encode()).hexdigest()


def card_png_cached(*, card: HealthInsuranceCard, person: Person, key: str) -> bytes:
    """``card_png`` through the cache, under ``card_png_key``.

    Drawing a card (fonts, QR, PNG compression) costs tens of milliseconds;
    the data behind it changes a few times a year.
    """
    cache_key = f"card-png:{key}"
    png = django_cache.get(cache_key)
    if png is None:
        png = card_png(card=card, person=person)
        django_cache.set(cache_key, png, CACHE_SECONDS)
    return png
