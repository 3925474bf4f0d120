"""The participation-history extract (trích xuất quá trình tham gia) as a PDF."""

import datetime as dt
import logging

from django.utils.translation import gettext as _

from vssid_portal.pdf import new_document

from .formatting import group_digits
from .models import ParticipationPeriod, Person
from .selectors import History

# fpdf2 subsets the font through fontTools, which logs every glyph at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Column widths in mm on A4 portrait (190 mm between margins).
COLUMNS = [(24, "from"), (24, "to"), (78, "employer"), (30, "salary"), (14, "rate"), (20, "status")]


def _vnd(value: int) -> str:
    return group_digits(value)


def history_pdf(*, person: Person, history: History, today: dt.date) -> bytes:
    title = _("Trích xuất quá trình tham gia BHXH, BHYT, BHTN")
    pdf = new_document(title=title)
    pdf.set_margins(10, 12, 10)
    pdf.add_page()
    pdf.set_font("dejavu", "B", 14)
    pdf.cell(0, 8, _("BẢO HIỂM XÃ HỘI VIỆT NAM"), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.cell(0, 8, title.upper(), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("dejavu", "", 10)
    pdf.cell(
        0,
        6,
        _("Ngày trích xuất: {date}").format(date=today.strftime("%d/%m/%Y")),
        new_x="LMARGIN",
        new_y="NEXT",
        align="C",
    )
    pdf.ln(3)
    for label, value in [
        (_("Họ và tên"), person.full_name),
        (_("Mã số BHXH"), person.insurance_number),
        (_("Ngày sinh"), person.date_of_birth.strftime("%d/%m/%Y")),
        (_("Giới tính"), person.get_gender_display()),
        (_("Địa chỉ"), person.address or "-"),
    ]:
        pdf.set_font("dejavu", "B", 10)
        pdf.cell(32, 6, f"{label}:")
        pdf.set_font("dejavu", "", 10)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")

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
    return bytes(pdf.output())
