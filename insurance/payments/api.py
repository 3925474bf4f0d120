"""/api/v1/me/payments/: quote, pay, list, detail, pay again, receipt.

The same forms and services as the web pages: a quote is the confirmation
screen's breakdown; creating returns the gateway URL the app opens in a
browser view (the gateway sends it back to /thanh-toan/ket-qua/).
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from vssid_portal.api_errors import error_map
from vssid_portal.ratelimit import client_ip
from vssid_portal.schema import ERROR_BODY

from ..access import IsCitizen
from .forms import HouseholdForm, PaymentForm, VoluntaryForm
from .models import Payment, PaymentKind, PaymentStatus, VoluntaryMethod
from .plans import Plan, household_members
from .receipt import receipt_filename, receipt_pdf
from .selectors import payment_for_payer, payment_lines, payments_for_payer
from .services import payment_create, payment_gateway_url, payment_retry, payments_expire


@extend_schema_serializer(component_name="PaymentChoice")
class ChoiceSerializer(serializers.Serializer):
    """What to pay for (documentation; the web forms validate it)."""

    kind = serializers.ChoiceField(choices=PaymentKind.choices)
    income = serializers.IntegerField(
        required=False, help_text="BHXH tự nguyện: thu nhập tháng làm căn cứ đóng, đồng"
    )
    method = serializers.ChoiceField(
        choices=VoluntaryMethod.choices, required=False, help_text="BHXH tự nguyện: phương thức"
    )
    start_month = serializers.CharField(
        required=False, help_text="BHXH tự nguyện: tháng bắt đầu, YYYY-MM hoặc MM/YYYY"
    )
    years = serializers.IntegerField(required=False, help_text="Số năm đóng trước (2–5)")
    months = serializers.IntegerField(
        required=False,
        help_text="BHXH tự nguyện, đóng bù: số tháng; BHYT hộ gia đình: 3, 6 hoặc 12",
    )
    members = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="BHYT hộ gia đình: mã số BHXH của bản thân và/hoặc con",
    )


@extend_schema_serializer(component_name="PaymentLine")
class LineSerializer(serializers.Serializer):
    insurance_number = serializers.CharField(source="person.insurance_number")
    full_name = serializers.CharField(source="person.full_name")
    position = serializers.IntegerField()
    from_month = serializers.DateField()
    to_month = serializers.DateField()
    months = serializers.IntegerField()
    base = serializers.IntegerField(help_text="Mức làm căn cứ đóng, đồng")
    rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    share = serializers.IntegerField(help_text="Phần trăm so với người thứ nhất")
    monthly_amount = serializers.IntegerField()
    monthly_support = serializers.IntegerField()
    amount = serializers.IntegerField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)


@extend_schema_serializer(component_name="PaymentQuote")
class QuoteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PaymentKind.choices)
    months = serializers.IntegerField()
    method = serializers.CharField(allow_blank=True)
    income = serializers.IntegerField(allow_null=True)
    support_category = serializers.CharField(allow_blank=True)
    contribution = serializers.IntegerField()
    support = serializers.IntegerField()
    amount = serializers.IntegerField(help_text="Số tiền phải nộp, đồng")
    lines = LineSerializer(many=True)
    reference_level = serializers.IntegerField(source="rules.reference_level")
    poverty_line = serializers.IntegerField(source="rules.poverty_line")


@extend_schema_serializer(component_name="MePayment")
class PaymentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    lines = serializers.SerializerMethodField()
    receipt_url = serializers.SerializerMethodField(help_text="Biên lai (PDF) khi đã thanh toán")

    class Meta:
        model = Payment
        fields = [
            "code",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "method",
            "months",
            "income",
            "support_category",
            "amount",
            "provider",
            "provider_transaction_no",
            "response_code",
            "refund_due",
            "created_at",
            "expires_at",
            "paid_at",
            "lines",
            "receipt_url",
        ]

    @extend_schema_field(LineSerializer(many=True))
    def get_lines(self, obj) -> list:
        return LineSerializer(payment_lines(payment=obj), many=True).data

    def get_receipt_url(self, obj) -> str | None:
        if obj.status != PaymentStatus.PAID:
            return None
        return reverse("api-me-payment-receipt", args=[obj.code])


@extend_schema_serializer(component_name="MePaymentStarted")
class StartedSerializer(PaymentSerializer):
    redirect_url = serializers.CharField(help_text="Mở trong trình duyệt để thanh toán tại cổng")

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "redirect_url"]


def choice_form(request) -> PaymentForm:
    """The web form of the chosen kind, bound to the request's data."""
    data = request.data
    kwargs = {"payer": request.user, "today": timezone.localdate()}
    if data.get("kind") == PaymentKind.HOUSEHOLD_BHYT:
        members = household_members(user=request.user, today=kwargs["today"])
        return HouseholdForm(data, members=members, **kwargs)
    return VoluntaryForm(data, **kwargs)


def plan_data(plan: Plan) -> dict:
    return QuoteSerializer(plan).data


def kind_error(request) -> Response | None:
    """A 400 unless the body is an object naming a known kind."""
    if not isinstance(request.data, Mapping):
        return Response(
            {"non_field_errors": [_("Gửi một đối tượng JSON với các trường của thanh toán.")]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if request.data.get("kind") not in PaymentKind.values:
        return Response(
            {"kind": [_("Chọn loại thanh toán: voluntary_bhxh hoặc household_bhyt.")]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return None


class CitizenPaymentMixin:
    permission_classes = [IsCitizen]

    def get_payment(self, code: str) -> Payment:
        payment = payment_for_payer(payer=self.request.user, code=code)
        if payment is None:
            raise NotFound(_("Không tìm thấy giao dịch."))
        if payments_expire(payment_id=payment.pk):
            payment.refresh_from_db()
        return payment

    def checked_form(self) -> tuple[PaymentForm | None, Response | None]:
        """The request's choice as a valid, priced form, or the 400 to answer."""
        error = kind_error(self.request)
        if error is not None:
            return None, error
        form = choice_form(self.request)
        if not form.is_valid():
            return None, Response(error_map(form), status=status.HTTP_400_BAD_REQUEST)
        return form, None

    def started(self, payment: Payment) -> Response:
        payment.redirect_url = payment_gateway_url(
            payment=payment, client_ip=client_ip(self.request)
        )
        return Response(StartedSerializer(payment).data, status=status.HTTP_201_CREATED)


class PaymentQuoteMeApi(CitizenPaymentMixin, APIView):
    """The amount and its breakdown for a choice; nothing is written."""

    @extend_schema(
        operation_id="me_payment_quote",
        request=ChoiceSerializer,
        responses={200: QuoteSerializer, 400: OpenApiResponse(ERROR_BODY)},
        tags=["payments"],
    )
    def post(self, request):
        form, error = self.checked_form()
        return error or Response(plan_data(form.plan))


class PaymentsMeApi(CitizenPaymentMixin, ListAPIView):
    """The account's payments (GET), or a new one opened at the gateway (POST)."""

    serializer_class = PaymentSerializer

    def get_queryset(self):
        return payments_for_payer(payer=self.request.user)

    @extend_schema(operation_id="me_payments", tags=["payments"])
    def get(self, request, *args, **kwargs):
        payments_expire(payer=self.request.user)
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="me_payment_create",
        request=ChoiceSerializer,
        responses={201: StartedSerializer, 400: OpenApiResponse(ERROR_BODY)},
        tags=["payments"],
    )
    def post(self, request):
        form, error = self.checked_form()
        if error is not None:
            return error
        try:
            payment = payment_create(payer=request.user, choice=form.choice())
        except ValidationError as exc:
            return Response(error_map(exc), status=status.HTTP_400_BAD_REQUEST)
        return self.started(payment)


class PaymentMeApi(CitizenPaymentMixin, APIView):
    @extend_schema(operation_id="me_payment", responses=PaymentSerializer, tags=["payments"])
    def get(self, request, code: str):
        return Response(PaymentSerializer(self.get_payment(code)).data)


class PaymentRetryMeApi(CitizenPaymentMixin, APIView):
    """ "Thanh toán lại" a failed, cancelled or expired payment: a new one, priced today."""

    @extend_schema(
        operation_id="me_payment_retry",
        request=None,
        responses={201: StartedSerializer, 400: OpenApiResponse(ERROR_BODY)},
        tags=["payments"],
    )
    def post(self, request, code: str):
        try:
            payment = payment_retry(payment=self.get_payment(code))
        except ValidationError as exc:
            return Response(error_map(exc), status=status.HTTP_400_BAD_REQUEST)
        return self.started(payment)


class PaymentReceiptMeApi(CitizenPaymentMixin, APIView):
    @extend_schema(
        operation_id="me_payment_receipt",
        responses={(200, "application/pdf"): OpenApiResponse(description="Biên lai (PDF)")},
        tags=["payments"],
    )
    def get(self, request, code: str):
        payment = self.get_payment(code)
        if payment.status != PaymentStatus.PAID:
            raise NotFound(_("Giao dịch chưa được thanh toán: chưa có biên lai."))
        response = HttpResponse(receipt_pdf(payment=payment), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{receipt_filename(payment)}"'
        response["Cache-Control"] = "private, no-store"
        return response
