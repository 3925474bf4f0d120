"""/can-bo/: the clerk's home, the queue of declarations, one declaration
with its registry record and the actions.

Every view goes through ``ClerkRequiredMixin`` and reads declarations only
through the office-scoped selectors, so a declaration of another office is
a 404 whatever the URL. Images are served by ``declarations.views.
declaration_image``, which applies the same office rule.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from accounts.audit import record_access_log
from accounts.staff_access import ClerkRequiredMixin
from vssid_portal.ratelimit import client_ip

from .forms import StaffQueueFilterForm, StaffRejectForm, StaffReturnForm
from .lifecycle import (
    case_acknowledge,
    case_history,
    case_reject,
    case_return_for_correction,
    correction_request_lines,
)
from .models import Declaration, DeclarationUpload
from .requests.selectors import service_request_counts
from .review import (
    COMMON_REJECT_REASONS,
    POLICY,
    declaration_approve,
    one_click_approvable,
)
from .selectors import (
    ORDER_NEWEST,
    QueueFilters,
    declaration_get_for_staff,
    declaration_registry_comparison,
    declaration_status_counts,
    declarations_for_staff,
    overdue_by_office,
)

PAGE_SIZE = 25


@method_decorator(never_cache, name="dispatch")
class StaffHomeView(ClerkRequiredMixin, TemplateView):
    template_name = "declarations/staff/home.html"

    def get_context_data(self, **kwargs):
        counts = declaration_status_counts(staff=self.request.user)
        statuses = [(value, label, counts[value]) for value, label in Declaration.Status.choices]
        profile = getattr(self.request.user, "staff_profile", None)
        clocks = overdue_by_office(staff=self.request.user)
        return super().get_context_data(
            request_counts=service_request_counts(staff=self.request.user),
            statuses=statuses,
            open_count=sum(counts[s] for s in Declaration.AWAITING_OFFICE),
            overdue_count=sum(clock.overdue for clock in clocks),
            office_clocks=clocks,
            acknowledge_hours=settings.DECLARATION_ACKNOWLEDGE_WORKING_HOURS,
            profile=profile,
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class StaffQueueView(ClerkRequiredMixin, TemplateView):
    template_name = "declarations/staff/queue.html"

    def get_context_data(self, **kwargs):
        form = StaffQueueFilterForm(self.request.GET)
        if form.is_valid():
            data = form.cleaned_data
            filters = QueueFilters(
                query=data["q"],
                status=data["status"],
                kind=data["kind"],
                submission_mode=data["submission_mode"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                registry_match=data["registry_match"],
                order=data["order"] or ORDER_NEWEST,
            )
        else:
            filters = QueueFilters(query="", status="open")
        declarations = declarations_for_staff(staff=self.request.user, filters=filters)
        page_obj = Paginator(declarations, PAGE_SIZE).get_page(self.request.GET.get("trang"))
        # get_FOO_display() re-translates every choice on each call; label the
        # page's rows from one translated table instead.
        kinds = {value: str(label) for value, label in Declaration.Kind.choices}
        statuses = {value: str(label) for value, label in Declaration.Status.choices}
        now = timezone.now()
        for declaration in page_obj:
            declaration.kind_label = kinds.get(declaration.kind, declaration.kind)
            declaration.status_label = statuses.get(declaration.status, declaration.status)
            declaration.is_late = declaration.is_overdue(now)
        params = {k: v for k, v in self.request.GET.items() if k != "trang" and v}
        return super().get_context_data(
            form=form,
            filtered=any(
                k not in {"q", "trang", "sap-xep"} and not (k == "trang-thai" and v == "open")
                for k, v in params.items()
            ),
            page_obj=page_obj,
            query_string=urlencode(params),
            **kwargs,
        )


class CaseActionsMixin:
    """The clerk's actions on one case's page, for any case type.

    "Đã kiểm tra giấy tờ", "Yêu cầu bổ sung" and "Từ chối" are the
    lifecycle's; "Phê duyệt" is the type's own ``approve``. A refused form is
    shown again with its errors (400); a move a colleague made first is a
    message on the page as it is now.
    """

    def approve(self, case, policy, ip: str):  # pragma: no cover - per type
        raise NotImplementedError

    def case_post(self, *, case, policy, reject_reasons, messages_done: dict):
        request = self.request
        action = request.POST.get("action")
        ip = client_ip(request)
        try:
            if action == "check":
                case_acknowledge(policy=policy, case=case, actor=request.user, ip=ip)
                messages.success(request, _("Đã ghi nhận: giấy tờ đã được kiểm tra."))
            elif action == "approve":
                refused = self.approve(case, policy, ip)
                if refused is not None:
                    return refused
            elif action == "return":
                form = StaffReturnForm(request.POST, correctables=policy.correctables(case))
                if form.is_valid():
                    try:
                        case_return_for_correction(
                            policy=policy,
                            case=case,
                            actor=request.user,
                            ip=ip,
                            items=form.items(),
                            note=form.cleaned_data["note"],
                        )
                    except ValidationError as exc:
                        if getattr(exc, "code", None) == "state_changed":
                            raise
                        form.add_service_errors(exc)
                if form.errors:
                    context = self.get_context_data(return_form=form, return_open=True)
                    return self.render_to_response(context, status=400)
                messages.success(request, messages_done["return"])
            elif action == "reject":
                form = StaffRejectForm(request.POST, reasons=reject_reasons)
                if not form.is_valid():
                    context = self.get_context_data(reject_form=form)
                    return self.render_to_response(context, status=400)
                case_reject(
                    policy=policy,
                    case=case,
                    actor=request.user,
                    ip=ip,
                    reason=form.cleaned_data["full_reason"],
                )
                messages.success(request, messages_done["reject"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            # A colleague acted first, or the state forbids it: show it as it is now.
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(request.path)


@method_decorator(never_cache, name="dispatch")
class StaffDeclarationView(CaseActionsMixin, ClerkRequiredMixin, TemplateView):
    """One declaration: fields, images, registry comparison, history, actions."""

    template_name = "declarations/staff/detail.html"

    def get_declaration(self) -> Declaration:
        declaration = declaration_get_for_staff(staff=self.request.user, code=self.kwargs["code"])
        if declaration is None:
            raise Http404
        return declaration

    def get_context_data(self, **kwargs):
        declaration = self.get_declaration()
        record_access_log(request=self.request, subject="declaration", declaration=declaration)
        person, comparison = declaration_registry_comparison(declaration=declaration)
        kwargs.setdefault("reject_form", StaffRejectForm(reasons=COMMON_REJECT_REASONS))
        kwargs.setdefault(
            "return_form", StaffReturnForm(correctables=POLICY.correctables(declaration))
        )
        return super().get_context_data(
            declaration=declaration,
            one_click=one_click_approvable(declaration),
            correction_lines=correction_request_lines(policy=POLICY, case=declaration),
            person=person,
            comparison=comparison,
            mismatches=sum(1 for row in comparison if not row.matches),
            history=case_history(policy=POLICY, case=declaration),
            image_slots=[
                (slot, label)
                for slot, label in DeclarationUpload.Slot.choices
                if slot in declaration.image_slots
            ],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        declaration = self.get_declaration()
        return self.case_post(
            case=declaration,
            policy=POLICY,
            reject_reasons=COMMON_REJECT_REASONS,
            messages_done={
                "return": _(
                    "Đã gửi yêu cầu bổ sung. Người nộp nhận tin nhắn SMS và thư điện tử "
                    "có đường dẫn để sửa đúng các mục đã đánh dấu."
                ),
                "reject": _("Đã từ chối tờ khai. Người đăng ký sẽ nhận lý do qua SMS."),
            },
        )

    def approve(self, case: Declaration, policy, ip: str):
        declaration_approve(declaration=case, actor=self.request.user, ip=ip)
        messages.success(
            self.request,
            _(
                "Đã phê duyệt. Tài khoản {username} đã được tạo; mật khẩu khởi tạo "
                "được gửi qua SMS tới số điện thoại trên tờ khai."
            ).format(username=case.insurance_number),
        )
