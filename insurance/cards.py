"""BHYT card facts: number formats, validity state and the QR payload.

See the domain reference, sections 2 and 3.2. Pure functions, no database.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import CARD_NUMBER_RE

EXPIRING_WITHIN_DAYS = 30


@dataclass(frozen=True)
class CardNumber:
    """A parsed card number; ``group``/``level``/``province`` only for old cards."""

    raw: str
    insurance_number: str
    group: str | None = None
    level: int | None = None
    province: str | None = None

    @property
    def is_old_format(self) -> bool:
        return self.group is not None

    @property
    def printed(self) -> str:
        """The number as the printed card boxes it: 2|1|2|2|3|5 (old) or 2|8... (new)."""
        if self.is_old_format:
            r = self.raw
            return " ".join([r[0:2], r[2], r[3:5], r[5:7], r[7:10], r[10:15]])
        r = self.raw
        return " ".join([r[0:2], r[2:5], r[5:10]])


def card_number_parse(value: str) -> CardNumber:
    """Parse either card number form; raise ValueError for anything else."""
    value = (value or "").strip().upper().replace(" ", "")
    if not CARD_NUMBER_RE.fullmatch(value):
        raise ValueError(f"not a BHYT card number: {value!r}")
    if len(value) == 10:
        return CardNumber(raw=value, insurance_number=value)
    return CardNumber(
        raw=value,
        insurance_number=value[5:],
        group=value[:2],
        level=int(value[2]),
        province=value[3:5],
    )


def card_number_old_format(*, group: str, level: int, province: str, insurance_number: str) -> str:
    return f"{group}{level}{province}{insurance_number}"


@dataclass(frozen=True)
class Validity:
    state: str  # valid | expiring | expired | not_yet
    label: str
    days_left: int | None


VALIDITY_LABELS = {
    "valid": _("Còn hạn"),
    "expiring": _("Sắp hết hạn"),
    "expired": _("Hết hạn"),
    "not_yet": _("Chưa đến ngày sử dụng"),
}


def card_validity(*, valid_from: dt.date, valid_to: dt.date | None, today: dt.date) -> Validity:
    """The state a citizen cares about: can the card be used today, and for how long.

    A card whose end date is unknown (``-`` in the QR) counts as valid.
    Expiring means 0-30 days left, the end date itself included.
    """
    if valid_from > today:
        return Validity("not_yet", VALIDITY_LABELS["not_yet"], None)
    if valid_to is None:
        return Validity("valid", VALIDITY_LABELS["valid"], None)
    days_left = (valid_to - today).days
    if days_left < 0:
        return Validity("expired", VALIDITY_LABELS["expired"], days_left)
    if days_left <= EXPIRING_WITHIN_DAYS:
        return Validity("expiring", VALIDITY_LABELS["expiring"], days_left)
    return Validity("valid", VALIDITY_LABELS["valid"], days_left)


def _hex(text: str) -> str:
    return text.encode("utf-8").hex() if text else "-"


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "-"


def kcb_display(code: str) -> str:
    """``79011`` as the card prints it: ``79 - 011``."""
    return f"{code[:2]} - {code[2:]}" if len(code) == 5 else code


def card_qr_payload(*, card, person) -> str:
    """The QR text in the BHYT card layout (domain reference 3.2).

    Name, address, parent name and issue place are lower-case hex of UTF-8;
    ``-`` marks an empty field. Field 9 is the office prefix (``7914`` for
    office 07914) plus the mã số, as in the real samples. Fields 11 and 14
    are not documented publicly; the benefit level is written there, as in
    both samples. Field 13 is an opaque check string in real cards; a
    SHA-256 prefix of the preceding fields stands in for it, so a reader
    cannot validate it either way.
    """
    office_code = getattr(person.office, "code", "") if person.office_id else ""
    prefix = office_code[-4:] if len(office_code) == 5 else "0000"
    gender = "1" if person.gender == "M" else "2"
    old = len(card.card_number) == 15
    fields = [
        card.card_number,
        _hex(person.full_name),
        _date(person.date_of_birth),
        gender,
        _hex(person.address) if old else "-",
        kcb_display(card.kcb_code),
        _date(card.valid_from),
        _date(card.valid_to) if old else "-",
        _date(card.issued_on),
        f"{prefix}{person.insurance_number}",
        _hex(person.parent_name),
        str(card.benefit_level),
        " " + _date(card.five_year_date),
    ]
    digest = hashlib.sha256("|".join(fields).encode()).hexdigest()[:16]
    fields.append(f"{digest}-{card.kcb_code[-4:]}")
    if old:
        fields.append("$")
    else:
        fields += [str(card.benefit_level), _hex(card.issue_place), "$"]
    return "|".join(fields)


def card_qr_parse(payload: str) -> dict:
    """Read a BHYT QR back into fields (used by tests and support tools)."""
    parts = [p.strip() for p in payload.split("|")]

    def text(i: int) -> str | None:
        if i >= len(parts) or parts[i] in ("", "-", "$"):
            return None
        return bytes.fromhex(parts[i]).decode("utf-8")

    def value(i: int) -> str | None:
        return None if i >= len(parts) or parts[i] in ("", "-", "$") else parts[i]

    old = len(parts[0]) == 15
    return {
        "card_number": parts[0],
        "full_name": text(1),
        "date_of_birth": value(2),
        "gender": value(3),
        "address": text(4),
        "kcb": value(5),
        "valid_from": value(6),
        "valid_to": value(7),
        "issued_on": value(8),
        "management_code": value(9),
        "parent_name": text(10),
        "five_year_date": value(12),
        "issue_place": None if old else text(15),
    }
