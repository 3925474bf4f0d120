"""Each request kind: its case policy, what its approval does, how it reads.

The lifecycle (``declarations.lifecycle``) does the moves; a kind's policy
says which fields a clerk may send back, what the approval changes in the
registry (through the ORM, so the cached records pages are drawn again at
once), and the notices, which only point to the request's page.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.notices import notice_to_owner
from insurance.models import HealthInsuranceCard, Person
from lookup.models import MedicalFacility

from ..cases import CaseAction, CaseStatus
from ..lifecycle import CasePolicy, Correctable, case_photos_store
from .forms import (
    CORRECTABLE_PERSON_FIELDS,
    FORMS,
    MonthField,
    RequestKindForm,
    month_parse,
)
from .models import ServiceRequest

Kind = ServiceRequest.Kind
ATTACHMENT_LABEL = gettext_lazy("Ảnh giấy tờ kèm theo")


def next_quarter_start(day: dt.date) -> dt.date:
    """The first day of the quarter after ``day`` (1/1, 1/4, 1/7, 1/10)."""
    first_month = (day.month - 1) // 3 * 3 + 1
    if first_month == 10:
        return dt.date(day.year + 1, 1, 1)
    return dt.date(day.year, first_month + 3, 1)


def current_card(person: Person, *, lock: bool = False) -> HealthInsuranceCard | None:
    """The person's current card (latest start), locked for an update if asked."""
    cards = HealthInsuranceCard.objects.filter(person=person)
    if lock:
        cards = cards.select_for_update()
    return cards.order_by("-valid_from", "-pk").first()


# DISPLAY -----------------------------------------------------------------------
@dataclass(frozen=True)
class PayloadRow:
    name: str
    label: str
    value: str


def _display(field: forms.Field, value) -> str:
    if value in ("", None, []):
        return ""
    if isinstance(field, forms.MultipleChoiceField):
        labels = dict(field.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.TypedChoiceField):
        labels = dict(field.choices)
        if value in labels:
            return str(labels[value])
    if isinstance(field, forms.DateField):
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return str(value)
    if isinstance(field, MonthField):
        month = month_parse(value)
        return month.strftime("%m/%Y") if month else str(value)
    return str(value)


def payload_rows(*, kind: str, payload: Mapping) -> list[PayloadRow]:
    """The payload as label/value lines, in the form's order (empty ones left out)."""
    form_class = FORMS[kind]
    rows = []
    for name in form_class.payload_fields:
        if name == "facility_name":
            continue
        field = form_class.base_fields.get(name)
        value = payload.get(name)
        if name == "facility_code" and value:
            code = str(value)
            text = f"[{code[:2]} - {code[2:]}] {payload.get('facility_name', '')}".strip()
        else:
            text = _display(field, value) if field is not None else str(value or "")
        if text:
            rows.append(PayloadRow(name=name, label=str(field.label), value=text))
    return rows


def field_display(*, kind: str, name: str, value) -> str:
    if name == "attachment":
        return ""
    field = FORMS[kind].base_fields.get(name)
    return _display(field, value) if field is not None else str(value or "")


# POLICIES ----------------------------------------------------------------------
class RequestPolicy(CasePolicy):
    """What every request kind shares: the payload, the photo, the notices."""

    model = ServiceRequest
    event_fk = "service_request"
    label = gettext_lazy("yêu cầu")
    kind: str = ""
    # Labels shown to the clerk and the citizen for the correctable fields.
    correctable_fields: tuple[str, ...] = ()
    # Shown as choices in the reject form; the clerk may also type a reason.
    reject_reasons: tuple[str | Promise, ...] = ()
    answer_required = False

    @property
    def form_class(self) -> type[RequestKindForm]:
        return FORMS[self.kind]

    def correctables(self, case: ServiceRequest) -> list[Correctable]:
        fields = self.form_class.base_fields
        items = [
            Correctable(name, fields[name].label)
            for name in self.correctable_fields
            if name in fields and self.correctable(case, name)
        ]
        if "attachment" in fields:
            items.append(Correctable("attachment", fields["attachment"].label, photo=True))
        return items

    def correctable(self, case: ServiceRequest, name: str) -> bool:
        return True

    def value(self, case: ServiceRequest, name: str) -> object:
        if name == "attachment":
            return case.attachment
        return case.payload.get(name, "")

    def apply_correction(
        self, case: ServiceRequest, *, values: Mapping[str, object], photos: Mapping[str, object]
    ) -> list[str]:
        case.payload = {**case.payload, **values}
        return case_photos_store(case=case, photos=photos)

    def unavailable(self, *, person: Person, card) -> str:
        """Why this kind cannot be filed for the person now ('' if it can)."""
        return ""

    def approve_check(self, case: ServiceRequest) -> None:
        super().approve_check(case)
        if self.answer_required and not case.answer.strip():
            raise ValidationError(
                {"answer": _("Vui lòng nhập trả lời cho người dân trước khi duyệt.")},
                code="answer_required",
            )

    def notify(self, case: ServiceRequest, action: str) -> None:
        templates = {
            CaseAction.SUBMITTED: "service_request_submitted",
            CaseAction.RETURNED: "service_request_returned",
            CaseAction.APPROVED: "service_request_approved",
            CaseAction.REJECTED: "service_request_rejected",
        }
        template = templates.get(action)
        if template is None:
            return
        # Pointers only: the code and the link, never what the request is
        # about (a name, a birth date, a CCCD number would leak by SMS).
        notice_to_owner(
            user=case.filed_by,
            template=template,
            context={
                "reference_code": case.reference_code,
                "kind_label": str(case.get_kind_display()),
                "request_url": settings.SITE_URL + case.get_absolute_url(),
            },
        )


class CardReissuePolicy(RequestPolicy):
    """ "Cấp lại thẻ BHYT": the same card number, a new issue date."""

    kind = Kind.CARD_REISSUE
    correctable_fields = ("reason", "address", "note")
    reject_reasons = (
        gettext_lazy("Thẻ BHYT đã hết giá trị sử dụng; vui lòng gia hạn thẻ trước."),
        gettext_lazy("Thông tin người đề nghị không khớp với dữ liệu BHXH."),
        gettext_lazy("Đã có yêu cầu cấp lại thẻ đang xử lý tại cơ quan khác."),
    )

    def correctable(self, case, name):
        return name != "address" or case.payload.get("delivery") == "by_post"

    def unavailable(self, *, person, card) -> str:
        if card is None:
            return _("Chưa có thông tin thẻ BHYT của người này, nên chưa thể đề nghị cấp lại.")
        return ""

    def on_approve(self, case, *, actor, ip):
        """A new issue of the card: same number, issued today by this office.

        The card row keeps its number (the mã số: QĐ 1666), validity and
        facility; the issue replaced is recorded in the outcome and the
        approval event.
        """
        card = current_card(case.person, lock=True)
        if card is None:
            raise ValidationError(
                _("Người tham gia không còn thẻ BHYT nào để cấp lại."), code="no_card"
            )
        today = timezone.localdate()
        replaced = {
            "issued_on": card.issued_on.isoformat() if card.issued_on else "",
            "issue_place": card.issue_place,
            "replaced_on": today.isoformat(),
        }
        card.issued_on = today
        card.issue_place = case.office.name
        card.save(update_fields=["issued_on", "issue_place"])
        case.outcome = {
            "card_number": card.card_number,
            "issued_on": today.isoformat(),
            "issue_place": card.issue_place,
            "replaced": replaced,
        }
        case.save(update_fields=["outcome", "updated_at"])
        return case.outcome


def _person_value(person: Person, name: str):
    value = getattr(person, name)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value or ""


class DataCorrectionPolicy(RequestPolicy):
    """ "Điều chỉnh thông tin cá nhân": the registry person is corrected."""

    kind = Kind.DATA_CORRECTION
    correctable_fields = (*CORRECTABLE_PERSON_FIELDS, "document", "note")
    reject_reasons = (
        gettext_lazy("Ảnh giấy tờ không rõ hoặc không thể hiện thông tin cần sửa."),
        gettext_lazy("Thông tin đề nghị không khớp với giấy tờ chứng minh."),
        gettext_lazy("Cần mang giấy tờ gốc đến cơ quan BHXH để đối chiếu."),
    )

    def correctable(self, case, name):
        if name in CORRECTABLE_PERSON_FIELDS:
            return name in case.payload.get("wrong_fields", [])
        return True

    def on_approve(self, case, *, actor, ip):
        """Write the proposed values on the person, keep before/after."""
        person = Person.objects.select_for_update().get(pk=case.person_id)
        form_fields = self.form_class.base_fields
        changes = {}
        for name in case.payload.get("wrong_fields", []):
            if name not in CORRECTABLE_PERSON_FIELDS:
                continue
            raw = case.payload.get(name, "")
            new = dt.date.fromisoformat(raw) if name == "date_of_birth" else raw
            before = _person_value(person, name)
            if getattr(person, name) == new:
                continue
            setattr(person, name, new)
            changes[name] = {
                "label": str(form_fields[name].label),
                "before": before,
                "after": raw,
            }
        if changes:
            # Through the ORM: the registry generation changes on commit, so
            # the records pages show the corrected data at once.
            person.save(update_fields=sorted(changes))
            if "full_name" in changes:
                from django.contrib.auth import get_user_model

                get_user_model().objects.filter(username=person.insurance_number).update(
                    full_name=person.full_name
                )
        case.outcome = {"changes": changes}
        case.save(update_fields=["outcome", "updated_at"])
        return case.outcome


class FacilityChangePolicy(RequestPolicy):
    """ "Đổi nơi đăng ký KCB ban đầu": from the first day of the next quarter.

    BHYT lets a participant change the facility at the start of each
    quarter (Luật BHYT, art. 26; the change is asked in the quarter's first
    month). The portal takes a request at any time; an approval schedules
    the change for the first day of the quarter after the approval
    (``next_quarter_start``), and ``service_requests_apply_due`` writes it
    on the card that day.
    """

    kind = Kind.FACILITY_CHANGE
    correctable_fields = ("facility_code", "note")
    reject_reasons = (
        gettext_lazy("Cơ sở đã chọn đã đủ số người đăng ký KCB ban đầu."),
        gettext_lazy("Cơ sở đã chọn không nhận đăng ký KCB ban đầu cho đối tượng của bạn."),
    )

    def unavailable(self, *, person, card) -> str:
        if card is None:
            return _("Chưa có thông tin thẻ BHYT của người này, nên chưa thể đổi nơi KCB ban đầu.")
        return ""

    def apply_correction(self, case, *, values, photos):
        written = super().apply_correction(case, values=values, photos=photos)
        if "facility_code" in values:
            facility = MedicalFacility.objects.filter(code=values["facility_code"]).first()
            case.payload = {**case.payload, "facility_name": facility.name if facility else ""}
        return written

    def approve_check(self, case) -> None:
        super().approve_check(case)
        code = case.payload.get("facility_code", "")
        if not MedicalFacility.objects.filter(
            code=code, accepts_initial_registration=True
        ).exists():
            raise ValidationError(
                _(
                    "Cơ sở {code} hiện không nhận đăng ký KCB ban đầu: hãy yêu cầu bổ sung "
                    "(chọn cơ sở khác) hoặc từ chối."
                ).format(code=code),
                code="facility_not_accepting",
            )

    def on_approve(self, case, *, actor, ip):
        card = current_card(case.person)
        if card is None:
            raise ValidationError(
                _("Người tham gia không còn thẻ BHYT nào để đổi nơi KCB ban đầu."), code="no_card"
            )
        effective = next_quarter_start(timezone.localdate())
        case.effective_on = effective
        case.outcome = {
            "facility_code": case.payload.get("facility_code", ""),
            "facility_name": case.payload.get("facility_name", ""),
            "previous_code": card.kcb_code,
            "previous_name": card.kcb_name,
            "effective_on": effective.isoformat(),
        }
        case.save(update_fields=["effective_on", "outcome", "updated_at"])
        return case.outcome


class ContributionReportPolicy(RequestPolicy):
    """ "Báo sai/thiếu quá trình đóng": the office checks and answers.

    Approval records the office's answer; it does not change the registry
    itself (the office corrects the core system, whose feed then updates
    the history).
    """

    kind = Kind.CONTRIBUTION_REPORT
    correctable_fields = ("from_month", "to_month", "problem", "employer", "description")
    answer_required = True
    reject_reasons = (
        gettext_lazy("Dữ liệu BHXH đã đúng với hồ sơ đơn vị nộp; không có sai sót."),
        gettext_lazy("Tháng báo sai thuộc đơn vị do cơ quan BHXH khác quản lý."),
    )

    def on_approve(self, case, *, actor, ip):
        case.outcome = {"answer": case.answer}
        case.save(update_fields=["outcome", "updated_at"])
        return {"answered": True}


POLICIES: dict[str, RequestPolicy] = {
    policy.kind: policy
    for policy in (
        CardReissuePolicy(),
        DataCorrectionPolicy(),
        FacilityChangePolicy(),
        ContributionReportPolicy(),
    )
}

# URL slugs (fixed in the issue) ↔ kinds.
SLUGS = {
    "cap-lai-the": Kind.CARD_REISSUE,
    "sua-thong-tin": Kind.DATA_CORRECTION,
    "doi-noi-kcb": Kind.FACILITY_CHANGE,
    "bao-sai-qua-trinh": Kind.CONTRIBUTION_REPORT,
}
SLUG_OF = {kind: slug for slug, kind in SLUGS.items()}

INTROS = {
    Kind.CARD_REISSUE: gettext_lazy(
        "Thẻ mới giữ nguyên số thẻ (mã số BHXH), giá trị sử dụng và nơi đăng ký KCB ban đầu; "
        "chỉ ngày cấp thay đổi. Trong khi chờ, bạn vẫn dùng thẻ BHYT điện tử để khám chữa bệnh."
    ),
    Kind.DATA_CORRECTION: gettext_lazy(
        "Điều chỉnh họ tên, ngày sinh, giới tính, số CCCD hoặc địa chỉ đang sai trong dữ liệu "
        "BHXH. Cần ảnh CCCD hoặc giấy khai sinh thể hiện thông tin đúng."
    ),
    Kind.FACILITY_CHANGE: gettext_lazy(
        "Chỉ chọn được cơ sở nhận đăng ký KCB ban đầu tại tỉnh của bạn. Nơi đăng ký mới "
        "có hiệu lực từ ngày đầu quý sau khi cơ quan BHXH duyệt."
    ),
    Kind.CONTRIBUTION_REPORT: gettext_lazy(
        "Báo cho cơ quan BHXH khi quá trình đóng thiếu tháng, đơn vị còn nợ hoặc ghi sai mức "
        "lương, đơn vị. Cơ quan BHXH kiểm tra với đơn vị và trả lời bạn."
    ),
}


def policy_for(case: ServiceRequest) -> RequestPolicy:
    return POLICIES[case.kind]


def kind_url(kind: str) -> str:
    return reverse("requests:new", args=[SLUG_OF[kind]])


def decision_summary(case: ServiceRequest) -> str:
    """One sentence on what the approval did, for the citizen."""
    if case.status != CaseStatus.APPROVED:
        return ""
    outcome = case.outcome or {}

    def day(value: str) -> str:
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return ""

    if case.kind == Kind.CARD_REISSUE and outcome:
        return _(
            "Thẻ BHYT số {number} đã được cấp lại ngày {issued} tại {place}; thẻ cấp ngày "
            "{old} không còn dùng được."
        ).format(
            number=outcome.get("card_number", ""),
            issued=day(outcome.get("issued_on", "")),
            place=outcome.get("issue_place", ""),
            old=day(outcome.get("replaced", {}).get("issued_on", "")) or "—",
        )
    if case.kind == Kind.DATA_CORRECTION:
        changes = outcome.get("changes", {})
        if not changes:
            return _("Dữ liệu BHXH đã đúng như đề nghị; không cần thay đổi.")
        return _("Đã điều chỉnh trong dữ liệu BHXH: {fields}.").format(
            fields=", ".join(
                str(FORMS[Kind.DATA_CORRECTION].base_fields[name].label).lower() for name in changes
            )
        )
    if case.kind == Kind.FACILITY_CHANGE and outcome:
        text = _("Nơi đăng ký KCB ban đầu mới: {name}, có hiệu lực từ ngày {date}.").format(
            name=outcome.get("facility_name", ""), date=day(outcome.get("effective_on", ""))
        )
        if case.applied_at:
            text += " " + _("Đã cập nhật trên thẻ BHYT.")
        return text
    return ""
