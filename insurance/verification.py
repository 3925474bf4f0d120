"""Verifiable documents: issue them (code, QR, signature, record) and check them.

A PDF the portal hands out (participation extract, BHYT card attestation,
tờ khai, payment receipt) is issued through ``document_issue``: it gets a
12-character check code, a QR to ``SITE_URL/xac-thuc/<code>/`` and the code
printed on the page, a PAdES signature (``insurance.signing``) and an
``IssuedDocument`` row with the SHA-256 of the signed file and a masked
summary of what it says. Anyone holding the paper or the file can then ask
the public page or the API:

- by code: is there such a document, what does it say (masked), and is it
  still current: not expired (``valid_until``), not superseded by newer
  registry data (the facts it was drawn from, read again now, hash the same)
  and not withdrawn (``superseded_at``);
- by file: is it exactly the file the portal signed (hash and signature),
  altered after signing, or not the portal's at all.

Masking (also in docs/security.md): the holder's family name is kept and
every other word becomes its initial and "***" ("Nguyễn V*** A***"), so the
length of a given name is not shown either; a mã số BHXH keeps its first
and last two digits ("79******67"), an old 15-character card number its
group, level and province too; of the birth date only the year. CCCD,
phone, e-mail and address are never in a summary.
"""

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fpdf import FPDF

from vssid_portal.ratelimit import RateLimited, rate_limit, usage_hit, usage_peek
from vssid_portal.text import READABLE_ALPHABET, readable_random

from .card_image import qr_image
from .models import IssuedDocument
from .signing import SignatureOutcome, UnreadablePdf, pdf_sign, pdf_signature_check
from .templatetags.records import vnd, years_months

CODE_LENGTH = 12  # 12 × log2(30) ≈ 58.9 bits
# The portal's PDFs weigh tens of kilobytes; a few megabytes leave room for
# a file saved again by some viewer, and bound what one check reads.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
Kind = IssuedDocument.Kind

# How each kind's facts are read again from the registry to tell whether a
# document is still current: ``facts(subject, *, issued_on) -> dict``. A
# kind without an entry (a payment receipt: a payment does not change once
# made) is current until it expires or is withdrawn (``document_supersede``).
FACTS: Mapping[str, str] = MappingProxyType(
    {
        Kind.PARTICIPATION_EXTRACT: "insurance.pdf.history_facts",
        Kind.CARD_ATTESTATION: "insurance.pdf.card_facts",
        Kind.DECLARATION: "declarations.documents.declaration_facts",
    }
)


# SUMMARY: WHAT THE VERIFICATION PAGE SHOWS -----------------------------------
@dataclass(frozen=True)
class SummaryField:
    label: Promise
    format: str = "text"  # text | date | month | months | money


# The keys a summary may hold, in the order the page lists them. A new
# kind of document adds its keys here (with a label in both languages).
SUMMARY_FIELDS: Mapping[str, SummaryField] = MappingProxyType(
    {
        "holder_name": SummaryField(gettext_lazy("Họ và tên")),
        "insurance_number": SummaryField(gettext_lazy("Mã số BHXH")),
        "birth_year": SummaryField(gettext_lazy("Năm sinh")),
        "declaration_code": SummaryField(gettext_lazy("Mã hồ sơ")),
        "office": SummaryField(gettext_lazy("Cơ quan BHXH tiếp nhận")),
        "submitted_on": SummaryField(gettext_lazy("Ngày nộp"), "date"),
        "card_number": SummaryField(gettext_lazy("Số thẻ BHYT")),
        "card_group": SummaryField(gettext_lazy("Mã đối tượng")),
        "benefit_level": SummaryField(gettext_lazy("Mức hưởng")),
        "card_valid_from": SummaryField(gettext_lazy("Thẻ có giá trị từ ngày"), "date"),
        "card_valid_to": SummaryField(gettext_lazy("Thẻ có giá trị đến ngày"), "date"),
        "kcb_facility": SummaryField(gettext_lazy("Nơi đăng ký KCB ban đầu")),
        "history_until": SummaryField(gettext_lazy("Dữ liệu tính đến tháng"), "month"),
        "bhxh_months": SummaryField(gettext_lazy("Thời gian đóng BHXH"), "months"),
        "bhtn_months": SummaryField(gettext_lazy("Thời gian đóng BHTN"), "months"),
        "bhtnld_months": SummaryField(gettext_lazy("Thời gian đóng BHTNLĐ-BNN"), "months"),
        "bhyt_months": SummaryField(gettext_lazy("Thời gian tham gia BHYT"), "months"),
        "owed_months": SummaryField(gettext_lazy("Số tháng đơn vị còn nợ"), "months"),
        "latest_employer": SummaryField(gettext_lazy("Đơn vị đóng gần nhất")),
        "payment_code": SummaryField(gettext_lazy("Mã giao dịch")),
        "payment_purpose": SummaryField(gettext_lazy("Nội dung thu")),
        "amount": SummaryField(gettext_lazy("Số tiền"), "money"),
        "paid_on": SummaryField(gettext_lazy("Ngày nộp tiền"), "date"),
        "period_from": SummaryField(gettext_lazy("Từ tháng"), "month"),
        "period_to": SummaryField(gettext_lazy("Đến tháng"), "month"),
    }
)


def mask_name(full_name: str) -> str:
    """ "Nguyễn Văn An" -> "Nguyễn V*** A***" (family name, then initials)."""
    words = full_name.split()
    if not words:
        return ""
    if len(words) == 1:
        return f"{words[0][0]}***"
    return " ".join([words[0], *(f"{word[0]}***" for word in words[1:])])


def mask_insurance_number(value: str) -> str:
    """ "7901234567" -> "79******67"."""
    if len(value) <= 4:
        return "*" * len(value)
    return f"{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"


def mask_card_number(value: str) -> str:
    """A new card (the mã số) like the mã số; an old one keeps group, level, province."""
    if len(value) == 15:
        return value[:5] + mask_insurance_number(value[5:])
    return mask_insurance_number(value)


def _display(value, format_: str) -> str:
    if value is None or value == "":
        return "-"
    if format_ == "date":
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    if format_ == "month":
        return dt.date.fromisoformat(f"{value}-01").strftime("%m/%Y")
    if format_ == "months":
        return years_months(int(value))
    if format_ == "money":
        return vnd(int(value))
    return str(value)


@dataclass(frozen=True)
class SummaryRow:
    key: str
    label: str
    value: str


def summary_rows(summary: Mapping) -> list[SummaryRow]:
    """The summary as (key, translated label, displayed value), in page order."""
    return [
        SummaryRow(key=key, label=str(field.label), value=_display(summary[key], field.format))
        for key, field in SUMMARY_FIELDS.items()
        if key in summary
    ]


# CODES -----------------------------------------------------------------------
def document_code_new() -> str:
    return readable_random(CODE_LENGTH)


def document_code_display(code: str) -> str:
    """ "ABCDEFGHJKMN" -> "ABCD-EFGH-JKMN": how it is printed and read out."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def document_code_normalise(value: str) -> str | None:
    """A typed or scanned code in its stored form, or None if it cannot be one.

    Case, spaces, dashes and dots are ignored: "abcd-efgh jkmn" is fine.
    """
    code = "".join(ch for ch in (value or "").upper() if ch not in " -.\t")
    if len(code) != CODE_LENGTH or any(ch not in READABLE_ALPHABET for ch in code):
        return None
    return code


def document_verify_url(code: str) -> str:
    return settings.SITE_URL + reverse("verification:detail", args=[code])


# ISSUING ---------------------------------------------------------------------
@dataclass(frozen=True)
class VerificationMark:
    """What a document prints so that it can be checked: code, QR, validity."""

    code: str
    issued_at: dt.datetime
    valid_until: dt.date | None

    @property
    def display_code(self) -> str:
        return document_code_display(self.code)

    @property
    def url(self) -> str:
        return document_verify_url(self.code)

    @property
    def footer(self) -> str:
        """One line for the foot of every page."""
        return _("Mã xác thực {code} · kiểm tra tại {site}/xac-thuc/").format(
            code=self.display_code, site=settings.SITE_URL
        )

    def draw(self, pdf: FPDF) -> None:
        """The verification box, at the current position (on a new page if short of room)."""
        height = 34
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        left = pdf.l_margin
        width = pdf.w - pdf.l_margin - pdf.r_margin
        top = pdf.get_y() + 2
        pdf.set_draw_color(11, 93, 99)
        pdf.rect(left, top, width, height - 2)
        pdf.image(qr_image(self.url), x=left + 2, y=top + 2, w=height - 6, h=height - 6)
        text_left = left + height
        pdf.set_xy(text_left, top + 2)
        pdf.set_font("dejavu", "B", 9.5)
        pdf.cell(0, 5, _("TÀI LIỆU ĐIỆN TỬ CÓ MÃ XÁC THỰC"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(text_left)
        pdf.set_font("dejavu", "", 9)
        pdf.cell(pdf.get_string_width(_("Mã xác thực:")) + 1.5, 5.5, _("Mã xác thực:"))
        pdf.set_font("dejavu", "B", 12)
        pdf.cell(0, 5.5, self.display_code, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("dejavu", "", 8.5)
        local = timezone.localtime(self.issued_at)
        lines = [
            _("Cấp lúc {time} ngày {date}").format(
                time=local.strftime("%H:%M"), date=local.strftime("%d/%m/%Y")
            )
            + (
                " · "
                + _("có giá trị đến ngày {date}").format(date=self.valid_until.strftime("%d/%m/%Y"))
                if self.valid_until
                else ""
            ),
            _("Quét mã QR hoặc nhập mã tại {url}").format(url=f"{settings.SITE_URL}/xac-thuc/"),
            _(
                "để xem nội dung và hiệu lực. Tệp PDF có chữ ký số của VssID Portal; "
                "tải tệp lên trang trên để biết tệp có đúng bản đã cấp."
            ),
        ]
        for line in lines:
            pdf.set_x(text_left)
            pdf.multi_cell(width - height - 2, 4.2, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(0, 0, 0)
        pdf.set_y(top + height)


def _facts_function(kind: str) -> Callable | None:
    path = FACTS.get(kind)
    return import_string(path) if path else None


def _facts_hash(facts: Mapping) -> str:
    canonical = json.dumps(facts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def document_facts_hash(*, kind: str, subject: models.Model, issued_on: dt.date) -> str:
    """The hash of what the registry says now about what a document printed ("" if n/a)."""
    facts = _facts_function(kind)
    return _facts_hash(facts(subject, issued_on=issued_on)) if facts else ""


def _summary_check(summary: Mapping) -> None:
    unknown = set(summary) - set(SUMMARY_FIELDS)
    if unknown:
        raise ValueError(f"summary keys without a label in SUMMARY_FIELDS: {sorted(unknown)}")
    for key, value in summary.items():
        if not isinstance(value, str | int | type(None)):
            raise ValueError(f"summary value of {key!r} must be str, int or None")


def document_issue(
    *,
    kind: str,
    subject: models.Model,
    summary: Mapping,
    render: Callable[[VerificationMark], bytes],
    valid_until: dt.date | None,
) -> tuple[IssuedDocument, bytes]:
    """Issue one verifiable PDF: record it and return it signed.

    ``render(mark)`` draws the document (``mark.draw(pdf)`` puts the QR and
    the code on it, ``mark.footer`` is the line for every page) and returns
    the unsigned PDF bytes; the signed bytes come back with the record.
    ``summary`` is what /xac-thuc/ shows, already masked (see the module
    docstring); its keys must be in ``SUMMARY_FIELDS``.

    Every call issues a new document with its own code: two downloads are
    two documents, both verifiable. The row is written after signing, so a
    failure leaves nothing behind; a code collision (1 in 2^58 per pair)
    is retried with a new code.
    """
    _summary_check(summary)
    issued_at = timezone.now()
    facts_hash = document_facts_hash(
        kind=kind, subject=subject, issued_on=timezone.localdate(issued_at)
    )
    subject_type = ContentType.objects.get_for_model(subject)
    for _attempt in range(3):
        mark = VerificationMark(
            code=document_code_new(), issued_at=issued_at, valid_until=valid_until
        )
        signed = pdf_sign(render(mark))
        try:
            with transaction.atomic():
                record = IssuedDocument.objects.create(
                    code=mark.code,
                    kind=kind,
                    subject_type=subject_type,
                    subject_id=subject.pk,
                    summary=dict(summary),
                    facts_hash=facts_hash,
                    pdf_sha256=hashlib.sha256(signed).hexdigest(),
                    issued_at=issued_at,
                    valid_until=valid_until,
                )
        except IntegrityError:
            if not IssuedDocument.objects.filter(code=mark.code).exists():
                raise
            continue
        return record, signed
    raise RuntimeError("no free document code after 3 tries")


def document_supersede(*, kind: str, subject: models.Model) -> int:
    """Withdraw the current documents of ``kind`` about ``subject`` (e.g. a card reissued).

    Their verification then says "Đã được thay thế bởi dữ liệu mới". Returns
    how many were withdrawn. Registry changes are noticed without this call
    (the facts no longer match); it is for changes the facts cannot see.
    """
    return IssuedDocument.objects.filter(
        kind=kind,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        superseded_at__isnull=True,
    ).update(superseded_at=timezone.now())


# CHECKING --------------------------------------------------------------------
class DocumentStatus(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    NOT_FOUND = "not_found"


STATUS_VERDICTS = {
    DocumentStatus.VALID: gettext_lazy("Hợp lệ, còn hiệu lực"),
    DocumentStatus.EXPIRED: gettext_lazy("Hợp lệ nhưng đã hết hạn"),
    DocumentStatus.SUPERSEDED: gettext_lazy("Đã được thay thế bởi dữ liệu mới"),
    DocumentStatus.NOT_FOUND: gettext_lazy("Không tìm thấy mã"),
}
STATUS_EXPLANATIONS = {
    DocumentStatus.VALID: gettext_lazy(
        "Tài liệu do VssID Portal cấp, nội dung bên dưới khớp với dữ liệu hiện tại của cơ quan "
        "BHXH và vẫn còn thời hạn."
    ),
    DocumentStatus.EXPIRED: gettext_lazy(
        "Tài liệu do VssID Portal cấp nhưng đã quá thời hạn ghi trên tài liệu. Hãy đề nghị "
        "người nộp tải bản mới."
    ),
    DocumentStatus.SUPERSEDED: gettext_lazy(
        "Tài liệu do VssID Portal cấp nhưng dữ liệu đã thay đổi sau ngày cấp (ví dụ thẻ được "
        "cấp lại, quá trình tham gia được cập nhật, tờ khai được bổ sung). Nội dung trên tài "
        "liệu không còn đúng; hãy đề nghị người nộp tải bản mới."
    ),
    DocumentStatus.NOT_FOUND: gettext_lazy(
        "VssID Portal chưa cấp tài liệu nào có mã này. Hãy kiểm tra lại mã; nếu mã được in "
        "đúng trên tài liệu thì tài liệu đó không do cổng cấp."
    ),
}


@dataclass(frozen=True)
class DocumentCheck:
    status: DocumentStatus
    document: IssuedDocument | None = None

    @property
    def verdict(self) -> str:
        return str(STATUS_VERDICTS[self.status])

    @property
    def explanation(self) -> str:
        return str(STATUS_EXPLANATIONS[self.status])

    @property
    def rows(self) -> list[SummaryRow]:
        return summary_rows(self.document.summary) if self.document else []

    @property
    def display_code(self) -> str:
        return document_code_display(self.document.code) if self.document else ""


def document_by_code(code: str) -> IssuedDocument | None:
    """The issued document with this (normalised) code.

    Read on the primary: ``insurance`` models may be read from a replica
    in a citizen's GET, and a document scanned right after its download
    must be found.
    """
    return IssuedDocument.objects.using(DEFAULT_DB_ALIAS).filter(code=code).first()


def document_status(document: IssuedDocument, *, today: dt.date) -> DocumentStatus:
    """Superseded (withdrawn, or the registry's facts changed) before expired, else valid."""
    if document.superseded_at is not None:
        return DocumentStatus.SUPERSEDED
    if document.facts_hash:
        subject = document.subject
        if subject is None:
            return DocumentStatus.SUPERSEDED
        current = document_facts_hash(
            kind=document.kind,
            subject=subject,
            issued_on=timezone.localdate(document.issued_at),
        )
        if current != document.facts_hash:
            return DocumentStatus.SUPERSEDED
    if document.valid_until is not None and today > document.valid_until:
        return DocumentStatus.EXPIRED
    return DocumentStatus.VALID


def document_check(*, code: str) -> DocumentCheck:
    normalised = document_code_normalise(code)
    document = document_by_code(normalised) if normalised else None
    if document is None:
        return DocumentCheck(status=DocumentStatus.NOT_FOUND)
    return DocumentCheck(
        status=document_status(document, today=timezone.localdate()), document=document
    )


class FileResult(enum.StrEnum):
    AUTHENTIC = "authentic"
    ALTERED = "altered"
    FORGED = "forged"


FILE_VERDICTS = {
    FileResult.AUTHENTIC: gettext_lazy("Chữ ký hợp lệ, đúng bản đã cấp"),
    FileResult.ALTERED: gettext_lazy("Tệp đã bị sửa sau khi ký"),
    FileResult.FORGED: gettext_lazy("Không phải tài liệu do cổng cấp"),
}
FILE_EXPLANATIONS = {
    FileResult.AUTHENTIC: gettext_lazy(
        "Tệp mang chữ ký số của VssID Portal và giống từng byte với bản cổng đã cấp."
    ),
    FileResult.ALTERED: gettext_lazy(
        "Tệp có chữ ký số của VssID Portal nhưng nội dung đã bị thay đổi hoặc thêm vào sau "
        "khi ký. Không dùng tệp này; hãy đề nghị người nộp tải bản gốc."
    ),
    FileResult.FORGED: gettext_lazy(
        "Tệp không có chữ ký số của VssID Portal, hoặc cổng chưa từng cấp tệp này."
    ),
}


@dataclass(frozen=True)
class FileCheck:
    result: FileResult
    document: DocumentCheck | None = None

    @property
    def verdict(self) -> str:
        return str(FILE_VERDICTS[self.result])

    @property
    def explanation(self) -> str:
        return str(FILE_EXPLANATIONS[self.result])


def document_upload_read(upload) -> bytes:
    """The bytes of an uploaded file to check, or a ``ValidationError`` for the field."""
    size = getattr(upload, "size", None)
    too_large = ValidationError(
        _("Tệp lớn hơn {mb} MB, không phải tài liệu do cổng cấp.").format(
            mb=MAX_UPLOAD_BYTES // 2**20
        ),
        code="too_large",
    )
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise too_large
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large
    if not data:
        raise ValidationError(_("Tệp rỗng. Hãy chọn lại tệp PDF."), code="empty")
    return data


def document_file_check(*, data: bytes) -> FileCheck:
    """Tell an issued file from an altered one and from one the portal never signed.

    Raises ``ValidationError`` (a message for the upload field) when the
    bytes are not a readable PDF.
    """
    if not data.lstrip()[:5] == b"%PDF-":
        raise ValidationError(_("Tệp tải lên không phải tệp PDF."), code="not_pdf")
    try:
        outcome = pdf_signature_check(data)
    except UnreadablePdf as exc:
        raise ValidationError(
            _("Không đọc được tệp PDF này. Hãy tải lên đúng tệp đã nhận từ VssID Portal."),
            code="unreadable",
        ) from exc
    if outcome == SignatureOutcome.MODIFIED:
        return FileCheck(result=FileResult.ALTERED)
    if outcome == SignatureOutcome.NOT_OURS:
        return FileCheck(result=FileResult.FORGED)
    digest = hashlib.sha256(data).hexdigest()
    document = IssuedDocument.objects.using(DEFAULT_DB_ALIAS).filter(pdf_sha256=digest).first()
    if document is None:
        # Signed with the portal's key but never recorded as issued.
        return FileCheck(result=FileResult.FORGED)
    return FileCheck(
        result=FileResult.AUTHENTIC,
        document=DocumentCheck(
            status=document_status(document, today=timezone.localdate()), document=document
        ),
    )


# RATE LIMITS -----------------------------------------------------------------
def _limits(name: str) -> dict:
    return settings.VERIFICATION_RATE_LIMITS[name]


def document_lookup_rate_limit(*, client_ip: str) -> None:
    """Count one code lookup; refuse once the IP looked up too many, or missed too often."""
    key = client_ip or "unknown"
    misses = _limits("miss_ip")
    if usage_peek(scope="verify-miss", key=key, window=misses["window"]) >= misses["limit"]:
        usage = usage_hit(scope="verify-miss", key=key, cost=0, **misses)
        raise RateLimited(usage.retry_after)
    rate_limit(scope="verify-code", key=key, **_limits("code_ip"))


def document_lookup_missed(*, client_ip: str) -> None:
    """Count a code that was not found (enumeration looks like many of these)."""
    usage_hit(scope="verify-miss", key=client_ip or "unknown", **_limits("miss_ip"))


def document_file_rate_limit(*, client_ip: str) -> None:
    rate_limit(scope="verify-file", key=client_ip or "unknown", **_limits("file_ip"))
