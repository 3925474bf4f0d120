"""/can-bo/yeu-cau/: the clerk's queue of requests and one request with its actions.

Same rules as the tờ khai pages: ``ClerkRequiredMixin`` and the
office-scoped selectors, so a request of another office is a 404 whatever
the URL; the actions are the lifecycle's (check, send back with marked
fields, approve, reject).
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from accounts.audit import record_access_log
from accounts.staff_access import ClerkRequiredMixin
from insurance.cards import kcb_display

from ..case_views import errors_to_form
from ..forms import StaffRejectForm, StaffReturnForm
from ..lifecycle import case_history, correction_request_lines
from ..selectors import ORDER_NEWEST, STATUS_OPEN
from ..staff_views import CaseActionsMixin
from .forms import CORRECTABLE_PERSON_FIELDS, StaffApproveForm, StaffRequestFilterForm
from .kinds import current_card, decision_summary, field_display, payload_rows, policy_for
from .models import ServiceRequest
from .selectors import RequestQueueFilters, service_request_for_staff, service_requests_for_staff
from .services import (
    service_request_approve,
)
from .views import attachment_response

PAGE_SIZE = 25


@method_decorator(never_cache, name="dispatch")
class StaffRequestQueueView(ClerkRequiredMixin, TemplateView):
    template_name = "declarations/requests/staff/queue.html"

    def get_context_data(self, **kwargs):
        form = StaffRequestFilterForm(self.request.GET)
        if form.is_valid():
            data = form.cleaned_data
            filters = RequestQueueFilters(
                query=data["q"],
                status=data["status"],
                kind=data["kind"],
                order=data["order"] or ORDER_NEWEST,
            )
        else:
            filters = RequestQueueFilters(status=STATUS_OPEN)
        queryset = service_requests_for_staff(staff=self.request.user, filters=filters)
        page_obj = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("trang"))
        kinds = {value: str(label) for value, label in ServiceRequest.Kind.choices}
        statuses = {value: str(label) for value, label in ServiceRequest.Status.choices}
        now = timezone.now()
        for row in page_obj:
            row.kind_label = kinds.get(row.kind, row.kind)
            row.status_label = statuses.get(row.status, row.status)
            row.is_late = row.is_overdue(now)
        params = {k: v for k, v in self.request.GET.items() if k != "trang" and v}
        return super().get_context_data(
            form=form,
            page_obj=page_obj,
            query_string=urlencode(params),
            **kwargs,
        )


@dataclass(frozen=True)
class ProposedChange:
    label: str
    registry: str
    proposed: str


def _registry_display(person, name: str) -> str:
    value = getattr(person, name)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if name == "gender":
        return str(person.get_gender_display())
    return str(value or "")


def proposed_changes(service_request: ServiceRequest) -> list[ProposedChange]:
    """A data correction: each chosen field, the registry's value and the proposed one."""
    if service_request.kind != ServiceRequest.Kind.DATA_CORRECTION:
        return []
    payload = service_request.payload
    rows = []
    for name in CORRECTABLE_PERSON_FIELDS:
        if name not in payload.get("wrong_fields", []):
            continue
        rows.append(
            ProposedChange(
                label=str(
                    field_display(kind=service_request.kind, name="wrong_fields", value=[name])
                ),
                registry=_registry_display(service_request.person, name),
                proposed=field_display(
                    kind=service_request.kind, name=name, value=payload.get(name, "")
                ),
            )
        )
    return rows


@method_decorator(never_cache, name="dispatch")
class StaffRequestView(CaseActionsMixin, ClerkRequiredMixin, TemplateView):
    """One request: the person in the registry, what is asked, photo, history, actions."""

    template_name = "declarations/requests/staff/detail.html"

    def get_request(self) -> ServiceRequest:
        service_request = service_request_for_staff(
            staff=self.request.user, code=self.kwargs["code"]
        )
        if service_request is None:
            raise Http404
        return service_request

    def reject_reasons(self, service_request) -> list[str]:
        return [str(reason) for reason in policy_for(service_request).reject_reasons] + [
            _("Người đề nghị không bổ sung giấy tờ theo yêu cầu."),
        ]

    def get_context_data(self, **kwargs):
        service_request = self.get_request()
        record_access_log(
            request=self.request,
            subject="service_request",
            insurance_number=service_request.person.insurance_number,
            reference=service_request.reference_code,
        )
        policy = policy_for(service_request)
        card = current_card(service_request.person)
        kwargs.setdefault(
            "reject_form", StaffRejectForm(reasons=self.reject_reasons(service_request))
        )
        kwargs.setdefault(
            "return_form", StaffReturnForm(correctables=policy.correctables(service_request))
        )
        kwargs.setdefault("approve_form", StaffApproveForm(answer_required=policy.answer_required))
        return super().get_context_data(
            req=service_request,
            person=service_request.person,
            card=card,
            kcb=kcb_display(card.kcb_code) if card else "",
            rows=payload_rows(kind=service_request.kind, payload=service_request.payload),
            changes=proposed_changes(service_request),
            correction_lines=correction_request_lines(policy=policy, case=service_request),
            history=case_history(policy=policy, case=service_request),
            decision=decision_summary(service_request),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        service_request = self.get_request()
        return self.case_post(
            case=service_request,
            policy=policy_for(service_request),
            reject_reasons=self.reject_reasons(service_request),
            messages_done={
                "return": _(
                    "Đã gửi yêu cầu bổ sung. Người gửi nhận thông báo và chỉ sửa được các "
                    "mục đã đánh dấu."
                ),
                "reject": _("Đã từ chối yêu cầu. Người gửi sẽ thấy lý do."),
            },
        )

    def approve(self, case: ServiceRequest, policy, ip: str):
        form = StaffApproveForm(self.request.POST, answer_required=policy.answer_required)
        if form.is_valid():
            try:
                service_request_approve(
                    service_request=case,
                    actor=self.request.user,
                    ip=ip,
                    answer=form.cleaned_data["answer"],
                )
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    raise
                errors_to_form(form, exc)
        if form.errors:
            context = self.get_context_data(approve_form=form)
            return self.render_to_response(context, status=400)
        messages.success(
            self.request,
            _("Đã phê duyệt yêu cầu. Người gửi nhận thông báo qua SMS và thư điện tử."),
        )
        return None


@never_cache
def staff_request_attachment(request, code: str):
    """The supporting photo, for clerks of the request's office and administrators."""
    from accounts.staff_access import is_clerk

    if not is_clerk(request.user):
        raise Http404
    return attachment_response(
        service_request_for_staff(staff=request.user, code=code), request=request
    )
