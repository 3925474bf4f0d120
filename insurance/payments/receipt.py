"""The receipt (biên lai) of a paid payment, as a signed, verifiable PDF.

``receipt_pdf`` is the one function that makes a receipt: it issues it
through ``insurance.verification.document_issue`` (a check code, a QR to
/xac-thuc/ and the portal's signature), like the extract and the card
attestation; every download is a new document, all stay verifiable. A
receipt has no end date and does not go out of date: a payment, once paid,
does not change.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fpdf import FPDF

from vssid_portal.pdf import new_document

from ..formatting import group_digits
from .models import Payment, PaymentKind
from .selectors import payment_lines

GATEWAY_NAMES = {"vnpay": "VNPAY", "fake": gettext_lazy("VNPAY (môi trường thử nghiệm)")}


def receipt_filename(payment: Payment) -> str:
    return f"bien-lai-{payment.code}.pdf"


def receipt_draw(pdf: FPDF, *, payment: Payment) -> None:
    """Draw the receipt's pages on ``pdf`` (a ``new_document``)."""
    lines = payment_lines(payment=payment)
    paid_at = timezone.localtime(payment.paid_at) if payment.paid_at else None
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    pdf.set_font("dejavu", "B", 12)
    pdf.cell(0, 7, _("BẢO HIỂM XÃ HỘI VIỆT NAM"), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("dejavu", "B", 15)
    pdf.cell(0, 9, _("BIÊN LAI THU TIỀN"), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("dejavu", "", 11)
    pdf.cell(0, 6, str(payment.get_kind_display()), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)

    payer = payment.payer
    facts = [
        (_("Mã giao dịch"), payment.code),
        (_("Thời điểm thanh toán"), paid_at.strftime("%H:%M %d/%m/%Y") if paid_at else "-"),
        (_("Người nộp tiền"), f"{payer.full_name or payer.username} ({payer.username})"),
        (
            _("Hình thức"),
            _("Thanh toán trực tuyến qua {gateway}").format(
                gateway=str(GATEWAY_NAMES.get(payment.provider, payment.provider))
            ),
        ),
        (_("Mã giao dịch tại cổng"), payment.provider_transaction_no or "-"),
        (_("Ngân hàng"), payment.bank_code or "-"),
    ]
    if payment.kind == PaymentKind.VOLUNTARY_BHXH:
        facts += [
            (_("Phương thức đóng"), str(payment.get_method_display())),
            (_("Mức thu nhập làm căn cứ đóng"), f"{group_digits(payment.income or 0)} đ"),
        ]
    for label, value in facts:
        pdf.set_font("dejavu", "B", 10)
        pdf.cell(55, 6, f"{label}:")
        pdf.set_font("dejavu", "", 10)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")

    pdf.ln(3)
    widths = (62, 34, 14, 36, 40)
    headers = (
        _("Người tham gia"),
        _("Thời gian"),
        _("Tháng"),
        _("Mỗi tháng (đ)"),
        _("Thành tiền (đ)"),
    )
    pdf.set_font("dejavu", "B", 9)
    pdf.set_fill_color(232, 244, 243)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 7, header, border=1, fill=True)
    pdf.ln()
    pdf.set_font("dejavu", "", 9)
    for line in lines:
        if line.valid_from and line.valid_to:
            period = f"{line.valid_from:%d/%m/%Y}–{line.valid_to:%d/%m/%Y}"
        else:
            period = f"{line.from_month:%m/%Y}–{line.to_month:%m/%Y}"
        name = f"{line.person.full_name} ({line.person.insurance_number})"
        while pdf.get_string_width(name) > widths[0] - 2 and len(name) > 4:
            name = name[:-2] + "…"
        values = (
            name,
            period,
            str(line.months),
            group_digits(line.monthly_amount - line.monthly_support),
            group_digits(line.amount),
        )
        for index, (width, value) in enumerate(zip(widths, values, strict=True)):
            pdf.cell(width, 6.5, value, border=1, align="R" if index >= 2 else "L")
        pdf.ln()
        details = []
        if line.share != 100:
            details.append(_("đóng {share}% mức của người thứ nhất").format(share=line.share))
        if line.monthly_support:
            details.append(
                _("Nhà nước hỗ trợ {support} đ/tháng").format(
                    support=group_digits(line.monthly_support)
                )
            )
        if details:
            pdf.set_font("dejavu", "", 8)
            pdf.cell(0, 5, "   " + "; ".join(details), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("dejavu", "", 9)

    pdf.ln(2)
    pdf.set_font("dejavu", "B", 11)
    pdf.cell(
        0,
        8,
        _("Tổng số tiền đã nộp: {amount} đồng").format(amount=group_digits(payment.amount)),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if payment.refund_due:
        pdf.set_font("dejavu", "", 9)
        pdf.multi_cell(
            0,
            5,
            _(
                "Các tháng này đã được thanh toán bằng giao dịch khác; cơ quan BHXH sẽ đối soát "
                "và hoàn trả số tiền này."
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(4)
    pdf.set_font("dejavu", "", 8)
    note = _(
        "Biên lai điện tử do Cổng giao dịch BHXH điện tử lập khi nhận được xác nhận thanh "
        "toán của cổng thanh toán."
    )
    if not payment.refund_due:
        note += " " + _("Thời gian tham gia đã được ghi vào quá trình đóng của người tham gia.")
    pdf.multi_cell(0, 4.5, note)


def receipt_summary(*, payment: Payment) -> dict:
    """What /xac-thuc/ shows of a receipt: no name, no mã số."""
    lines = payment_lines(payment=payment)
    return {
        "payment_code": payment.code,
        "payment_purpose": str(payment.get_kind_display()),
        "amount": payment.amount,
        "paid_on": timezone.localdate(payment.paid_at).isoformat() if payment.paid_at else None,
        "period_from": min(line.from_month for line in lines).strftime("%Y-%m") if lines else None,
        "period_to": max(line.to_month for line in lines).strftime("%Y-%m") if lines else None,
    }


def receipt_pdf(*, payment: Payment) -> bytes:
    """The receipt of a paid ``payment``, signed and verifiable."""
    from ..models import IssuedDocument
    from ..verification import document_issue

    assert payment.status == Payment.Status.PAID

    def render(mark) -> bytes:
        pdf = new_document(
            title=_("Biên lai thu tiền {code}").format(code=payment.code), footer=mark.footer
        )
        receipt_draw(pdf, payment=payment)
        pdf.ln(2)
        mark.draw(pdf)
        return bytes(pdf.output())

    _record, signed = document_issue(
        kind=IssuedDocument.Kind.PAYMENT_RECEIPT,
        subject=payment,
        summary=receipt_summary(payment=payment),
        render=render,
        valid_until=None,
    )
    return signed
