"""The citizen's verifiable PDFs: the participation-history extract (trích
xuất quá trình tham gia) and the BHYT card attestation (giấy xác nhận thẻ).

Each is issued through ``insurance.verification.document_issue``: a check
code, a QR and a signature on the page, a masked summary for /xac-thuc/,
and the facts below, read again to tell whether a document still holds.
"""

import datetime as dt
import logging

from django.utils.translation import gettext as _

from vssid_portal.pdf import new_document

from .cards import card_number_parse, card_validity, kcb_display
from .formatting import group_digits
from .models import HealthInsuranceCard, IssuedDocument, ParticipationPeriod, Person
from .selectors import History, card_for_person, history_for_person, periods_for_person
from .verification import (
    VerificationMark,
    document_issue,
    mask_card_number,
    mask_insurance_number,
    mask_name,
)

# fpdf2 subsets the font through fontTools, which logs every glyph at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Column widths in mm on A4 portrait (190 mm between margins).
COLUMNS = [(24, "from"), (24, "to"), (78, "employer"), (30, "salary"), (14, "rate"), (20, "status")]


def _vnd(value: int) -> str:
    return group_digits(value)


# An extract speaks for the history on its date; after 90 days a third
# party asks for a fresh one (docs/security.md).
EXTRACT_VALID_DAYS = 90
# A card whose end date the registry does not hold ("-" on new cards):
# the attestation is dated for a year; a change to the card ends it sooner.
CARD_ATTESTATION_DEFAULT_DAYS = 365


def _holder_summary(person: Person) -> dict:
    return {
        "holder_name": mask_name(person.full_name),
        "insurance_number": mask_insurance_number(person.insurance_number),
        "birth_year": person.date_of_birth.year,
    }


def _holder_facts(person: Person) -> list:
    return [
        person.insurance_number,
        person.full_name,
        person.date_of_birth.isoformat(),
        person.gender,
        person.address,
    ]


def _centered(pdf, text: str, *, height: float) -> None:
    pdf.cell(0, height, text, new_x="LMARGIN", new_y="NEXT", align="C")


def _label_rows(pdf, rows: list[tuple[str, str]], *, label_width: float) -> None:
    for label, value in rows:
        pdf.set_font("dejavu", "B", 10)
        pdf.cell(label_width, 6, f"{label}:")
        pdf.set_font("dejavu", "", 10)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")


# PARTICIPATION EXTRACT -------------------------------------------------------
def history_facts(person: Person, *, issued_on: dt.date) -> dict:
    """What an extract of ``issued_on`` printed, as the registry has it now.

    Months after the extract's month are left out (a period still running
    grows every month without making the extract wrong); any other change
    (a debt paid, a period corrected, a name fixed) makes it outdated.
    """
    month = issued_on.replace(day=1)
    return {
        "holder": _holder_facts(person),
        "periods": [
            [
                p.insurance_type,
                p.from_month.isoformat(),
                min(p.to_month, month).isoformat(),
                p.employer_code,
                p.employer_name,
                p.salary,
                str(p.rate),
                p.status,
            ]
            for p in periods_for_person(person=person)
            if p.from_month <= month
        ],
    }


def history_summary(*, person: Person, history: History, today: dt.date) -> dict:
    """The masked facts /xac-thuc/ shows for an extract."""
    summary = {**_holder_summary(person), "history_until": today.strftime("%Y-%m")}
    latest = None
    for type_history in history.types:
        summary[f"{type_history.insurance_type}_months"] = type_history.total_months
        for group in type_history.employers:
            if latest is None or group.last_month > latest.last_month:
                latest = group
    summary["owed_months"] = history.owed_months
    if latest is not None:
        summary["latest_employer"] = latest.name
    return summary


def history_extract_issue(*, person: Person, today: dt.date) -> tuple[IssuedDocument, bytes]:
    """Issue a signed, verifiable extract of ``person``'s history."""
    history = history_for_person(person=person)
    return document_issue(
        kind=IssuedDocument.Kind.PARTICIPATION_EXTRACT,
        subject=person,
        summary=history_summary(person=person, history=history, today=today),
        render=lambda mark: history_pdf(person=person, history=history, today=today, mark=mark),
        valid_until=today + dt.timedelta(days=EXTRACT_VALID_DAYS),
    )


def history_pdf(
    *, person: Person, history: History, today: dt.date, mark: VerificationMark | None = None
) -> bytes:
    title = _("Trích xuất quá trình tham gia BHXH, BHYT, BHTN")
    pdf = new_document(title=title, footer=mark.footer if mark else "")
    pdf.set_margins(10, 12, 10)
    pdf.add_page()
    pdf.set_font("dejavu", "B", 14)
    _centered(pdf, _("BẢO HIỂM XÃ HỘI VIỆT NAM"), height=8)
    _centered(pdf, title.upper(), height=8)
    pdf.set_font("dejavu", "", 10)
    _centered(pdf, _("Ngày trích xuất: {date}").format(date=today.strftime("%d/%m/%Y")), height=6)
    pdf.ln(3)
    _label_rows(
        pdf,
        [
            (_("Họ và tên"), person.full_name),
            (_("Mã số BHXH"), person.insurance_number),
            (_("Ngày sinh"), person.date_of_birth.strftime("%d/%m/%Y")),
            (_("Giới tính"), str(person.get_gender_display())),
            (_("Địa chỉ"), person.address or "-"),
        ],
        label_width=32,
    )

    if not history.types:
        pdf.ln(4)
        pdf.multi_cell(0, 6, _("Chưa có dữ liệu quá trình tham gia."))
    headers = {
        "from": _("Từ tháng"),
        "to": _("Đến tháng"),
        "employer": _("Đơn vị"),
        "salary": _("Mức lương (đ)"),
        "rate": _("Tỷ lệ"),
        "status": _("Tình trạng"),
    }
    for type_history in history.types:
        pdf.ln(4)
        pdf.set_font("dejavu", "B", 11)
        years, months = type_history.years_and_months
        pdf.multi_cell(
            0,
            7,
            _("{label}: tổng {years} năm {months} tháng ({total} tháng)").format(
                label=type_history.label,
                years=years,
                months=months,
                total=type_history.total_months,
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("dejavu", "B", 8)
        pdf.set_fill_color(232, 244, 243)
        for width, key in COLUMNS:
            pdf.cell(width, 6, headers[key], border=1, fill=True)
        pdf.ln()
        pdf.set_font("dejavu", "", 8)
        for group in type_history.employers:
            for period in group.periods:
                employer = f"{group.code} - {group.name}"
                while pdf.get_string_width(employer) > 76 and len(employer) > 4:
                    employer = employer[:-2] + "…"
                values = {
                    "from": period.from_month.strftime("%m/%Y"),
                    "to": period.to_month.strftime("%m/%Y"),
                    "employer": employer,
                    "salary": _vnd(period.salary),
                    "rate": f"{period.rate}%",
                    "status": str(period.get_status_display()),
                }
                owed = period.status == ParticipationPeriod.Status.OWED
                if owed:
                    pdf.set_text_color(164, 38, 44)
                for width, key in COLUMNS:
                    pdf.cell(
                        width, 5.5, values[key], border=1, align="R" if key == "salary" else "L"
                    )
                pdf.ln()
                if owed:
                    pdf.set_text_color(0, 0, 0)
        if type_history.owed_months:
            pdf.set_font("dejavu", "", 9)
            pdf.set_text_color(164, 38, 44)
            pdf.multi_cell(
                0,
                6,
                _("Còn {months} tháng đơn vị chưa đóng (nợ).").format(
                    months=type_history.owed_months
                ),
                new_x="LMARGIN",
                new_y="NEXT",
            )
            pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    pdf.set_font("dejavu", "", 8)
    pdf.multi_cell(
        0,
        5,
        _(
            "Bản trích xuất từ dữ liệu của cơ quan BHXH tại thời điểm in, dùng để tham khảo; "
            "không thay thế sổ BHXH. Tổng số tháng tính mỗi tháng một lần kể cả khi có "
            "nhiều đơn vị cùng đóng."
        ),
    )
    if mark is not None:
        pdf.ln(2)
        mark.draw(pdf)
    return bytes(pdf.output())


# BHYT CARD ATTESTATION -------------------------------------------------------
def card_facts(card: HealthInsuranceCard, *, issued_on: dt.date) -> dict:
    """What an attestation printed about the card, as the registry has it now.

    A card that is no longer the person's current one (a newer card was
    issued) or whose data changed (reissued, new facility, new end date)
    makes earlier attestations outdated.
    """
    person = card.person
    current = card_for_person(person=person)
    return {
        "holder": _holder_facts(person),
        "card": [
            card.card_number,
            card.group,
            card.benefit_level,
            card.valid_from.isoformat(),
            card.valid_to.isoformat() if card.valid_to else None,
            card.kcb_code,
            card.kcb_name,
            card.five_year_date.isoformat() if card.five_year_date else None,
            card.issued_on.isoformat() if card.issued_on else None,
            card.issue_place,
        ],
        "current": current is not None and current.pk == card.pk,
    }


def card_summary(*, card: HealthInsuranceCard, person: Person) -> dict:
    """The masked facts /xac-thuc/ shows for a card attestation."""
    return {
        **_holder_summary(person),
        "card_number": mask_card_number(card.card_number),
        "card_group": card.group,
        "benefit_level": card.benefit_level,
        "card_valid_from": card.valid_from.isoformat(),
        "card_valid_to": card.valid_to.isoformat() if card.valid_to else None,
        "kcb_facility": f"{kcb_display(card.kcb_code)} · {card.kcb_name}",
    }


def card_attestation_issue(
    *, card: HealthInsuranceCard, person: Person, today: dt.date
) -> tuple[IssuedDocument, bytes]:
    """Issue a signed, verifiable attestation of ``card``, valid while the card is."""
    return document_issue(
        kind=IssuedDocument.Kind.CARD_ATTESTATION,
        subject=card,
        summary=card_summary(card=card, person=person),
        render=lambda mark: card_attestation_pdf(card=card, person=person, today=today, mark=mark),
        valid_until=card.valid_to or today + dt.timedelta(days=CARD_ATTESTATION_DEFAULT_DAYS),
    )


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "-"


def card_attestation_pdf(
    *, card: HealthInsuranceCard, person: Person, today: dt.date, mark: VerificationMark
) -> bytes:
    title = _("Giấy xác nhận thông tin thẻ bảo hiểm y tế")
    pdf = new_document(title=title, footer=mark.footer)
    pdf.set_margins(15, 14, 15)
    pdf.add_page()
    pdf.set_font("dejavu", "B", 12)
    _centered(pdf, _("BẢO HIỂM XÃ HỘI VIỆT NAM"), height=7)
    pdf.set_font("dejavu", "", 9)
    _centered(pdf, _("Cổng giao dịch BHXH điện tử VssID Portal"), height=5)
    pdf.ln(5)
    pdf.set_font("dejavu", "B", 14)
    pdf.multi_cell(0, 8, title.upper(), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("dejavu", "", 10)
    _centered(pdf, _("Ngày xác nhận: {date}").format(date=today.strftime("%d/%m/%Y")), height=6)
    pdf.ln(4)
    pdf.multi_cell(
        0,
        6,
        _(
            "Theo dữ liệu của cơ quan BHXH tại thời điểm cấp giấy này, người có tên dưới đây "
            "đang có thẻ bảo hiểm y tế với các thông tin sau:"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    validity = card_validity(valid_from=card.valid_from, valid_to=card.valid_to, today=today)
    rows = [
        (_("Họ và tên"), person.full_name),
        (_("Mã số BHXH"), person.insurance_number),
        (_("Ngày sinh"), _date(person.date_of_birth)),
        (_("Giới tính"), str(person.get_gender_display())),
        (_("Số thẻ BHYT"), card_number_parse(card.card_number).printed),
        (_("Mã đối tượng"), f"{card.group} · {card.get_group_display()}"),
        (_("Mức hưởng"), str(card.benefit_level)),
        (_("Nơi đăng ký KCB ban đầu"), f"{kcb_display(card.kcb_code)} · {card.kcb_name}"),
        (
            _("Giá trị sử dụng"),
            _("từ {start} đến {end}").format(
                start=_date(card.valid_from), end=_date(card.valid_to)
            ),
        ),
        (_("Thời điểm đủ 5 năm liên tục"), _date(card.five_year_date)),
        (_("Ngày cấp thẻ"), _date(card.issued_on)),
        (_("Nơi cấp"), card.issue_place or "-"),
        (_("Tình trạng thẻ ngày xác nhận"), str(validity.label)),
    ]
    _label_rows(pdf, rows, label_width=62)
    pdf.ln(4)
    pdf.set_font("dejavu", "", 8.5)
    pdf.multi_cell(
        0,
        5,
        _(
            "Giấy xác nhận có giá trị đến ngày ghi dưới đây, hoặc đến khi thông tin thẻ thay đổi "
            "(thẻ được cấp lại, đổi nơi đăng ký KCB ban đầu, gia hạn). Giấy này không thay thế "
            "thẻ BHYT khi đi khám chữa bệnh."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    mark.draw(pdf)
    return bytes(pdf.output())
