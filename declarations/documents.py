"""The printable tờ khai (PDF) and the signed link that downloads it.

The link goes out by SMS, so it must not be guessable from the reference
code: it carries a signature (``django.core.signing``) that expires after
``DOWNLOAD_LINK_MAX_AGE``.

The PDF itself is a verifiable document (``insurance.verification``): a
check code and a QR to /xac-thuc/, the portal's signature, and a masked
summary; a correction of the form afterwards makes earlier copies show as
superseded there.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from insurance.models import IssuedDocument
from insurance.verification import (
    VerificationMark,
    document_issue,
    mask_insurance_number,
    mask_name,
)
from vssid_portal.pdf import new_document

from .models import Declaration

DOWNLOAD_SALT = "declarations.pdf-download"
DOWNLOAD_LINK_MAX_AGE = dt.timedelta(days=30)


def download_token_make(*, declaration: Declaration) -> str:
    return signing.dumps(declaration.reference_code, salt=DOWNLOAD_SALT, compress=True)


def download_token_read(token: str) -> str | None:
    """The reference code in a valid, unexpired token, else None."""
    try:
        code = signing.loads(token, salt=DOWNLOAD_SALT, max_age=DOWNLOAD_LINK_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return code if isinstance(code, str) else None


def download_path(*, declaration: Declaration) -> str:
    return reverse("declarations:pdf", args=[download_token_make(declaration=declaration)])


def download_url(*, declaration: Declaration) -> str:
    return settings.SITE_URL + download_path(declaration=declaration)


def pdf_filename(declaration: Declaration) -> str:
    return f"to-khai-{declaration.reference_code}.pdf"


def declaration_pdf(*, declaration: Declaration) -> bytes:
    """The tờ khai as an A4 PDF: every field, the office, the date, the signature box.

    The form is an official Vietnamese document: it is written in Vietnamese
    whatever language the citizen reads the site in. Each call issues a
    signed copy with its own check code (see the module docstring).
    """
    with translation.override("vi"):
        _record, content = document_issue(
            kind=IssuedDocument.Kind.DECLARATION,
            subject=declaration,
            summary=declaration_summary(declaration),
            render=lambda mark: _declaration_pdf(declaration, mark),
            valid_until=None,  # a filed form does not expire; a correction supersedes it
        )
    return content


def declaration_summary(declaration: Declaration) -> dict:
    """What /xac-thuc/ shows of a tờ khai: masked holder, code, office, date."""
    office = declaration.office
    return {
        "holder_name": mask_name(declaration.full_name),
        "insurance_number": mask_insurance_number(declaration.insurance_number),
        "birth_year": declaration.date_of_birth.year,
        "declaration_code": declaration.reference_code,
        "office": f"[{office.code}] {office.name}",
        "submitted_on": timezone.localdate(declaration.created_at).isoformat(),
    }


def declaration_facts(declaration: Declaration, *, issued_on: dt.date) -> dict:
    """Everything the printed form shows, as the declaration holds it now."""
    return {
        "kind": declaration.kind,
        "fields": [
            declaration.full_name,
            declaration.insurance_number,
            declaration.date_of_birth.isoformat(),
            declaration.id_number,
            declaration.contact_address,
            declaration.contact_person,
            declaration.email,
            declaration.phone,
            declaration.office_id,
            declaration.submission_mode,
            declaration.send_form_by_email,
            declaration.guardian_id,
        ],
    }


def _declaration_rows(declaration: Declaration) -> list[tuple[str, str]]:
    office = declaration.office
    if declaration.is_child_account:
        guardian = declaration.guardian
        return [
            (_("Họ và tên của trẻ"), declaration.full_name),
            (_("Mã số bảo hiểm xã hội của trẻ"), declaration.insurance_number),
            (_("Ngày sinh của trẻ"), declaration.date_of_birth.strftime("%d/%m/%Y")),
            (_("Người giám hộ (cha, mẹ hoặc người giám hộ)"), declaration.contact_person),
            (
                _("Mã số bảo hiểm xã hội của người giám hộ"),
                guardian.username if guardian is not None else "—",
            ),
            (_("Địa chỉ liên hệ"), declaration.contact_address or "—"),
            (_("Địa chỉ thư điện tử"), declaration.email or "—"),
            (_("Điện thoại di động"), phone_display(declaration.phone)),
            (_("Cơ quan BHXH tiếp nhận"), f"[{office.code}] {office.name}"),
            (_("Hình thức nộp hồ sơ"), declaration.get_submission_mode_display()),
            (_("Giấy tờ kèm theo"), _("Ảnh chân dung của trẻ, ảnh giấy khai sinh")),
        ]
    return [
        (_("Họ và tên (Tên cơ quan/tổ chức/cá nhân)"), declaration.full_name),
        (_("Mã số bảo hiểm xã hội"), declaration.insurance_number),
        (_("Ngày sinh"), declaration.date_of_birth.strftime("%d/%m/%Y")),
        (_("Số CMND/HC/CC"), declaration.id_number),
        (_("Địa chỉ liên hệ"), declaration.contact_address),
        (_("Người liên hệ"), declaration.contact_person),
        (_("Địa chỉ thư điện tử"), declaration.email or "—"),
        (_("Điện thoại di động"), phone_display(declaration.phone)),
        (_("Cơ quan BHXH tiếp nhận"), f"[{office.code}] {office.name}"),
        (_("Hình thức nộp hồ sơ"), declaration.get_submission_mode_display()),
        (_("Gửi email tờ khai"), _("Có") if declaration.send_form_by_email else _("Không")),
    ]


def _declaration_pdf(declaration: Declaration, mark: VerificationMark) -> bytes:
    title = _("TỜ KHAI ĐĂNG KÝ SỬ DỤNG PHƯƠNG THỨC GIAO DỊCH ĐIỆN TỬ")
    if declaration.is_child_account:
        title = _("TỜ KHAI ĐĂNG KÝ TÀI KHOẢN GIAO DỊCH ĐIỆN TỬ CHO TRẺ EM")
    pdf = new_document(title=title, footer=mark.footer)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("dejavu", "B", 10)
    pdf.cell(width / 2, 5, _("BẢO HIỂM XÃ HỘI VIỆT NAM"), align="L")
    pdf.cell(
        width / 2,
        5,
        _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("dejavu", "", 10)
    pdf.cell(width / 2, 5, "")
    pdf.cell(
        width / 2, 5, _("Độc lập - Tự do - Hạnh phúc"), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(8)

    pdf.set_font("dejavu", "B", 14)
    pdf.multi_cell(width, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 10)
    pdf.cell(
        width,
        6,
        _("Mã hồ sơ: {code}").format(code=declaration.reference_code),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("dejavu", "", 11)
    office = declaration.office
    pdf.multi_cell(
        width,
        6,
        _("Kính gửi: {office}").format(office=f"[{office.code}] {office.name}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)

    rows = _declaration_rows(declaration)
    label_width = width * 0.38
    for label, value in rows:
        pdf.set_font("dejavu", "B", 10)
        y = pdf.get_y()
        pdf.multi_cell(label_width, 6, label, border=0, new_x="LMARGIN", new_y="NEXT")
        label_bottom = pdf.get_y()  # a long label wraps: the next row starts below it
        pdf.set_xy(pdf.l_margin + label_width, y)
        pdf.set_font("dejavu", "", 10)
        pdf.multi_cell(width - label_width, 6, value, border=0, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), label_bottom) + 1.5)

    pdf.ln(3)
    pdf.set_font("dejavu", "", 10)
    pdf.multi_cell(
        width,
        5.5,
        (
            _(
                "Tôi là cha, mẹ hoặc người giám hộ hợp pháp của trẻ có tên trên. Tôi cam kết "
                "những nội dung kê khai trên là đúng sự thật và chịu trách nhiệm trước pháp "
                "luật về nội dung đã kê khai."
            )
            if declaration.is_child_account
            else _(
                "Tôi cam kết những nội dung kê khai trên là đúng sự thật và chịu trách nhiệm "
                "trước pháp luật về nội dung đã kê khai."
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    submitted = timezone.localtime(declaration.created_at)
    pdf.cell(width / 2, 6, "")
    pdf.cell(
        width / 2,
        6,
        _("Ngày {d:02d} tháng {m:02d} năm {y}").format(
            d=submitted.day, m=submitted.month, y=submitted.year
        ),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("dejavu", "B", 11)
    pdf.cell(width / 2, 6, "")
    pdf.cell(width / 2, 6, _("Người kê khai"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 10)
    pdf.cell(width / 2, 5, "")
    pdf.cell(width / 2, 5, _("(Ký, ghi rõ họ tên)"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(22)
    pdf.set_font("dejavu", "B", 11)
    pdf.cell(width / 2, 6, "")
    signer = declaration.contact_person if declaration.is_child_account else declaration.full_name
    pdf.cell(width / 2, 6, signer, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    mark.draw(pdf)
    return bytes(pdf.output())


def phone_display(phone: str) -> str:
    """+84912345678 -> 0912 345 678 (how it is written on paper)."""
    if phone.startswith("+84") and len(phone) == 12:
        local = "0" + phone[3:]
        return f"{local[:4]} {local[4:7]} {local[7:]}"
    return phone
