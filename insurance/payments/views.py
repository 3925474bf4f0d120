"""The citizen's payment pages, the gateway's return and its IPN (thin views).

Forms go "Tính số tiền" (the amount, computed on the server) → "Tiếp tục"
(the confirmation screen with the breakdown) → "Thanh toán" (the payment is
written and the browser sent to the gateway); "Quay lại" returns to the form
with everything kept. No step needs JavaScript.
"""

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from vssid_portal.ratelimit import client_ip, rate_limit

from ..access import CitizenRequiredMixin, records_owner
from .forms import HouseholdForm, PaymentForm, VoluntaryForm, month_parse
from .models import Payment, VoluntaryMethod
from .plans import gap_run, household_members
from .providers import response_message
from .receipt import receipt_filename, receipt_pdf
from .selectors import payment_for_payer, payment_lines, payments_for_payer
from .services import (
    payment_create,
    payment_gateway_url,
    payment_ipn_handle,
    payment_retry,
    payment_return_record,
    payments_expire,
)

PAYMENTS_PER_PAGE = 20
# The return page looks again this often while the gateway's notice is due.
PENDING_REFRESH_SECONDS = 3
PENDING_REFRESH_LOOKS = 20  # a minute; then the page says to check later
IPN_LIMIT = (300, 60)  # per sending address, per minute


def _today() -> dt.date:
    return timezone.localdate()


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


class PaymentFormView(CitizenRequiredMixin, TemplateView):
    """One payment form with its quote, confirmation and pay steps (POST ``action``)."""

    form_class: type[PaymentForm]
    confirm_template = "insurance/payments/confirm.html"

    def form_kwargs(self) -> dict:
        return {"payer": self.request.user, "today": _today()}

    def initial(self) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        form = self.form_class(initial=self.initial(), **self.form_kwargs())
        return self.show(form)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "quote")
        if action == "edit":
            # "Quay lại" from the confirmation: the form again, as typed, unchecked.
            initial = {
                name: request.POST.getlist(name)
                if isinstance(field, forms.MultipleChoiceField)
                else request.POST.get(name)
                for name, field in self.form_class.base_fields.items()
            }
            return self.show(self.form_class(initial=initial, **self.form_kwargs()))
        form = self.form_class(request.POST, **self.form_kwargs())
        if not form.is_valid():
            return self.show(form)
        if action == "confirm":
            return self.show(form, template=self.confirm_template)
        if action == "pay":
            try:
                payment = payment_create(payer=request.user, choice=form.choice())
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
                return self.show(form)
            return HttpResponseRedirect(
                payment_gateway_url(payment=payment, client_ip=client_ip(request))
            )
        return self.show(form, quoted=True)

    def show(self, form: PaymentForm, *, template: str | None = None, quoted: bool = False):
        context = self.get_context_data(form=form, plan=form.plan if quoted or template else None)
        response = render(self.request, template or self.template_name, context)
        return _private(response)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            person=self.person,
            rules=kwargs["form"].rules,
            kind=self.form_class.kind,
            payment_minutes=settings.PAYMENT_EXPIRE_MINUTES,
        )
        return context


class VoluntaryView(PaymentFormView):
    """/ca-nhan/dong-bhxh-tu-nguyen/ (``?tu-thang=YYYY-MM`` from the history's gap action)."""

    template_name = "insurance/payments/voluntary.html"
    form_class = VoluntaryForm

    def initial(self) -> dict:
        today = _today()
        current = today.replace(day=1)
        start = month_parse(self.request.GET.get("tu-thang", "")) or current
        initial = {"start_month": start, "method": VoluntaryMethod.MONTHLY}
        if start < current:
            # A gap in the history: pay back the missing months that follow.
            initial["method"] = VoluntaryMethod.BACKPAY
            initial["months"] = gap_run(person=self.person, start=start, today=today) or None
        return initial


class HouseholdView(PaymentFormView):
    """/ca-nhan/gia-han-bhyt/: the account's own card and its children's."""

    template_name = "insurance/payments/household.html"
    form_class = HouseholdForm

    def form_kwargs(self) -> dict:
        kwargs = super().form_kwargs()
        kwargs["members"] = household_members(user=self.request.user, today=kwargs["today"])
        return kwargs


class PaymentListView(CitizenRequiredMixin, TemplateView):
    template_name = "insurance/payments/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payments_expire(payer=self.request.user)
        page = Paginator(payments_for_payer(payer=self.request.user), PAYMENTS_PER_PAGE)
        context["page"] = page.get_page(self.request.GET.get("trang"))
        return context

    def render_to_response(self, context, **kwargs):
        return _private(super().render_to_response(context, **kwargs))


class PaymentMixin(CitizenRequiredMixin):
    """A payment of the signed-in payer by code; anyone else's is a 404."""

    payment: Payment

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        records_owner(request)  # staff: 403; an account without registry data: 404
        payment = payment_for_payer(payer=request.user, code=kwargs["code"])
        if payment is None:
            raise Http404("no such payment")
        if payments_expire(payment_id=payment.pk):
            payment.refresh_from_db()
        self.payment = payment
        return super().dispatch(request, *args, **kwargs)


class PaymentDetailView(PaymentMixin, TemplateView):
    template_name = "insurance/payments/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payment = self.payment
        pending = payment.status == Payment.Status.PENDING
        # ?ket-qua=N: back from the gateway, N-th look for its notice.
        raw = self.request.GET.get("ket-qua", "")
        returned = raw.isdigit()
        looks = int(raw) if returned and len(raw) < 4 else 0
        waiting = pending and returned and looks < PENDING_REFRESH_LOOKS
        open_at_gateway = pending and payment.expires_at and payment.expires_at > timezone.now()
        context.update(
            payment=payment,
            lines=payment_lines(payment=payment),
            returned=returned,
            gateway_url=(
                payment_gateway_url(payment=payment, client_ip=client_ip(self.request))
                if open_at_gateway
                else ""
            ),
            refresh_seconds=PENDING_REFRESH_SECONDS if waiting else None,
            refresh_url=f"?ket-qua={looks + 1}",
            gave_up_waiting=pending and returned and not waiting,
            failure_reason=response_message(payment.response_code),
        )
        return context

    def render_to_response(self, context, **kwargs):
        return _private(super().render_to_response(context, **kwargs))


class PaymentReceiptView(PaymentMixin, View):
    def get(self, request, **kwargs):
        if self.payment.status != Payment.Status.PAID:
            raise Http404("no receipt before payment")
        response = HttpResponse(receipt_pdf(payment=self.payment), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{receipt_filename(self.payment)}"'
        return _private(response)


class PaymentRetryView(PaymentMixin, View):
    """ "Thanh toán lại": a new transaction for the same months, priced today."""

    http_method_names = ["post"]

    def post(self, request, **kwargs):
        try:
            payment = payment_retry(payment=self.payment)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("payments:detail", code=self.payment.code)
        return HttpResponseRedirect(
            payment_gateway_url(payment=payment, client_ip=client_ip(request))
        )


# THE GATEWAY'S CALLS ---------------------------------------------------------
class PaymentReturnView(View):
    """/thanh-toan/ket-qua/: the browser back from the gateway. Shows, never credits."""

    def get(self, request):
        result, payment = payment_return_record(query=request.GET)
        if payment is None:
            response = render(request, "insurance/payments/return_invalid.html", status=400)
            return _private(response)
        return redirect(reverse("payments:detail", args=[payment.code]) + "?ket-qua=0")


@method_decorator(csrf_exempt, name="dispatch")
class PaymentIpnView(View):
    """/thanh-toan/ipn/: the gateway's server-to-server notice (GET, as VNPay sends it)."""

    http_method_names = ["get", "post"]

    def get(self, request):
        return self.answer(request, request.GET)

    def post(self, request):
        return self.answer(request, request.POST)

    def answer(self, request, params):
        ip = client_ip(request)
        rate_limit(scope="payments:ipn", key=ip, limit=IPN_LIMIT[0], window=IPN_LIMIT[1])
        code, message = payment_ipn_handle(params=params, remote_addr=ip or None)
        response = JsonResponse({"RspCode": code, "Message": message})
        response["Cache-Control"] = "no-store"
        return response
