"""Read-only API of the signed-in citizen's records (/api/v1/me/...).

Authentication comes from ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``
so the device-bound token of the sign-in issue applies without changes here.
"""

from django.db.models import Sum
from django.utils import timezone

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import IsCitizen, children_for_viewer, records_owner
from .cards import card_qr_payload, card_validity
from .models import BenefitPayment, MedicalVisit, ParticipationPeriod, Person
from .month_marks import month_marks_for_history
from .pdf import card_attestation_issue, history_extract_issue
from .records_cache import cached_api_response
from .selectors import (
    benefits_queryset,
    card_for_person,
    history_for_person,
    one_time_estimate_for_person,
    periods_for_person,
    visit_totals,
    visits_for_person,
)
from .views import pdf_response


class CitizenApiMixin:
    permission_classes = [IsCitizen]

    def get_person(self) -> Person:
        """The viewer's own records, or a child's under /children/<id>/ (else 404)."""
        return records_owner(self.request, child_id=self.kwargs.get("child_id")).person


class TotalsPagination(PageNumberPagination):
    """Page-number pagination that also carries totals over all pages."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    totals_schema: dict = {"type": "object"}

    def paginate_queryset(self, queryset, request, view=None):
        self.totals = getattr(view, "totals", None) or {}
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "totals": self.totals,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["totals"] = self.totals_schema
        return response


class HistoryPagination(TotalsPagination):
    """Also carries ``marks``: each BHXH month as paid / employer debt / gap,
    in ranges, with the matching actions (insurance.month_marks)."""

    marks_schema = {
        "type": "object",
        "nullable": True,
        "description": "BHXH months from the first to last month: paid, owed (employer "
        "debt) or gap, as ranges with an explanation and actions (links).",
        "properties": {
            "months": {
                "type": "object",
                "properties": {
                    "paid": {"type": "integer"},
                    "owed": {"type": "integer"},
                    "gap": {"type": "integer"},
                },
            },
            "ranges": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "state": {"type": "string", "enum": ["paid", "owed", "gap"]},
                        "from_month": {"type": "string", "example": "2024-03"},
                        "to_month": {"type": "string", "example": "2024-05"},
                        "months": {"type": "integer"},
                        "label": {"type": "string"},
                        "explanation": {"type": "string"},
                        "employers": {"type": "array", "items": {"type": "string"}},
                        "actions": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "kind": {"type": "string", "enum": ["report", "voluntary"]},
                                    "label": {"type": "string"},
                                    "url": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    }

    def paginate_queryset(self, queryset, request, view=None):
        self.marks = getattr(view, "marks", None)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["marks"] = self.marks
        return response

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["marks"] = self.marks_schema
        return response

    totals_schema = {
        "type": "object",
        "description": "Months per insurance type (union of ranges: overlaps count once).",
        "additionalProperties": {
            "type": "object",
            "properties": {
                "months": {"type": "integer"},
                "owed_months": {"type": "integer"},
            },
        },
        "example": {"bhxh": {"months": 216, "owed_months": 2}},
    }


class VisitPagination(TotalsPagination):
    totals_schema = {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "total_cost": {"type": "integer"},
            "insurance_paid": {"type": "integer"},
            "patient_paid": {"type": "integer"},
        },
    }


class BenefitPagination(TotalsPagination):
    totals_schema = {
        "type": "object",
        "description": "Amount in VND per benefit kind, over all pages.",
        "additionalProperties": {"type": "integer"},
    }


class CardMeApi(CitizenApiMixin, APIView):
    @extend_schema_serializer(component_name="MeCard")
    class OutputSerializer(serializers.Serializer):
        card_number = serializers.CharField()
        insurance_number = serializers.CharField(source="person.insurance_number")
        full_name = serializers.CharField(source="person.full_name")
        date_of_birth = serializers.DateField(source="person.date_of_birth")
        gender = serializers.CharField(source="person.gender")
        address = serializers.CharField(source="person.address")
        group = serializers.CharField()
        benefit_level = serializers.IntegerField()
        valid_from = serializers.DateField()
        valid_to = serializers.DateField(allow_null=True)
        kcb_code = serializers.CharField()
        kcb_name = serializers.CharField()
        five_year_date = serializers.DateField(allow_null=True)
        issued_on = serializers.DateField(allow_null=True)
        issue_place = serializers.CharField()
        validity = serializers.ChoiceField(choices=["valid", "expiring", "expired", "not_yet"])
        validity_label = serializers.CharField()
        days_left = serializers.IntegerField(allow_null=True)
        qr_payload = serializers.CharField(help_text="Nội dung mã QR theo mẫu thẻ BHYT.")

    @extend_schema(operation_id="me_card", responses=OutputSerializer)
    @cached_api_response
    def get(self, request, **kwargs):
        person = self.get_person()
        card = card_for_person(person=person)
        if card is None:
            raise NotFound("Chưa có thông tin thẻ BHYT.")
        card.person = person
        validity = card_validity(
            valid_from=card.valid_from, valid_to=card.valid_to, today=timezone.localdate()
        )
        card.validity = validity.state
        card.validity_label = str(validity.label)
        card.days_left = validity.days_left
        card.qr_payload = card_qr_payload(card=card, person=person)
        return Response(self.OutputSerializer(card).data)


class HistoryMeApi(CitizenApiMixin, generics.ListAPIView):
    @extend_schema_serializer(component_name="MePeriod")
    class OutputSerializer(serializers.ModelSerializer):
        months = serializers.IntegerField()

        class Meta:
            model = ParticipationPeriod
            fields = [
                "insurance_type",
                "from_month",
                "to_month",
                "months",
                "employer_code",
                "employer_name",
                "position",
                "salary",
                "rate",
                "status",
            ]

    serializer_class = OutputSerializer
    pagination_class = HistoryPagination

    def get_queryset(self):
        person = self.get_person()
        history = history_for_person(person=person)
        self.totals = {
            t.insurance_type: {"months": t.total_months, "owed_months": t.owed_months}
            for t in history.types
        }
        owner = records_owner(self.request, child_id=self.kwargs.get("child_id"))
        marks = month_marks_for_history(
            history, today=timezone.localdate(), child_id=owner.child_id
        )
        self.marks = marks.as_json() if marks is not None else None
        periods = periods_for_person(person=person)
        insurance_type = self.request.query_params.get("insurance_type")
        if insurance_type:
            if insurance_type not in ParticipationPeriod.InsuranceType.values:
                raise ValidationError({"insurance_type": ["Loại bảo hiểm không hợp lệ."]})
            periods = periods.filter(insurance_type=insurance_type)
        return periods

    @extend_schema(
        operation_id="me_history",
        parameters=[
            OpenApiParameter(
                "insurance_type", OpenApiTypes.STR, enum=ParticipationPeriod.InsuranceType.values
            )
        ],
    )
    @cached_api_response
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class BenefitsMeApi(CitizenApiMixin, generics.ListAPIView):
    @extend_schema_serializer(component_name="MeBenefit")
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = BenefitPayment
            fields = [
                "kind",
                "period_from",
                "period_to",
                "days",
                "amount",
                "office_code",
                "office_name",
            ]

    serializer_class = OutputSerializer
    pagination_class = BenefitPagination

    def get_queryset(self):
        benefits = benefits_queryset(person=self.get_person())
        self.totals = {
            row["kind"]: row["amount"]
            for row in benefits.order_by().values("kind").annotate(amount=Sum("amount", default=0))
        }
        return benefits

    @extend_schema(operation_id="me_benefits")
    @cached_api_response
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class VisitsMeApi(CitizenApiMixin, generics.ListAPIView):
    @extend_schema_serializer(component_name="MeVisit")
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = MedicalVisit
            fields = [
                "claim_code",
                "facility_code",
                "facility_name",
                "admitted_on",
                "discharged_on",
                "kind",
                "total_cost",
                "insurance_paid",
                "patient_paid",
            ]

    serializer_class = OutputSerializer
    pagination_class = VisitPagination

    def get_queryset(self):
        raw_year = self.request.query_params.get("year", "").strip()
        year = None
        if raw_year:
            if not (raw_year.isdigit() and 1900 <= int(raw_year) <= 2100):
                raise ValidationError({"year": ["Năm không hợp lệ, ví dụ 2024."]})
            year = int(raw_year)
        visits = visits_for_person(person=self.get_person(), year=year)
        self.totals = visit_totals(visits=visits)
        return visits

    @extend_schema(
        operation_id="me_visits",
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="Lọc theo năm vào viện")
        ],
    )
    @cached_api_response
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OneTimeEstimateMeApi(CitizenApiMixin, APIView):
    @extend_schema_serializer(component_name="MeOneTimeEstimate")
    class OutputSerializer(serializers.Serializer):
        amount = serializers.IntegerField()
        months_total = serializers.IntegerField()
        months_before_2014 = serializers.IntegerField()
        months_from_2014 = serializers.IntegerField()
        odd_months_carried = serializers.IntegerField()
        years_before_2014 = serializers.DecimalField(max_digits=5, decimal_places=1)
        years_from_2014 = serializers.DecimalField(max_digits=5, decimal_places=1)
        salary_sum = serializers.IntegerField()
        average_salary = serializers.IntegerField()
        months_of_salary = serializers.DecimalField(max_digits=6, decimal_places=1)
        short_contribution = serializers.BooleanField()
        contributed_22_percent = serializers.IntegerField()
        cap_two_months = serializers.IntegerField()
        owed_months_excluded = serializers.IntegerField()
        salary_indexing_applied = serializers.BooleanField()
        note = serializers.CharField()

    @extend_schema(
        operation_id="me_one_time_estimate",
        responses=OutputSerializer,
        description="Ước tính BHXH một lần; không áp dụng hệ số trượt giá.",
    )
    def get(self, request):
        estimate = one_time_estimate_for_person(person=self.get_person())
        estimate.salary_indexing_applied = False
        estimate.note = (
            "Số tiền ước tính, chưa điều chỉnh tiền lương theo hệ số trượt giá; "
            "không phải quyết định hưởng."
        )
        return Response(self.OutputSerializer(estimate).data)


PDF_RESPONSE = {
    (200, "application/pdf"): OpenApiResponse(
        description="Tệp PDF có chữ ký số, mã xác thực và mã QR dẫn đến /xac-thuc/<mã>/."
    )
}


class CardAttestationMeApi(CitizenApiMixin, APIView):
    """Giấy xác nhận thẻ BHYT (PDF), verifiable at /xac-thuc/."""

    @extend_schema(operation_id="me_card_attestation", responses=PDF_RESPONSE)
    def get(self, request, **kwargs):
        person = self.get_person()
        card = card_for_person(person=person)
        if card is None:
            raise NotFound("Chưa có thông tin thẻ BHYT.")
        _record, content = card_attestation_issue(
            card=card, person=person, today=timezone.localdate()
        )
        return pdf_response(content, filename=f"xac-nhan-the-bhyt-{person.insurance_number}.pdf")


class HistoryExtractMeApi(CitizenApiMixin, APIView):
    """Trích xuất quá trình tham gia (PDF), verifiable at /xac-thuc/."""

    @extend_schema(operation_id="me_history_extract", responses=PDF_RESPONSE)
    def get(self, request, **kwargs):
        person = self.get_person()
        _record, content = history_extract_issue(person=person, today=timezone.localdate())
        return pdf_response(content, filename=f"qua-trinh-tham-gia-{person.insurance_number}.pdf")


class ChildrenMeApi(CitizenApiMixin, APIView):
    """The child accounts whose records the signed-in guardian may open."""

    @extend_schema_serializer(component_name="MeChild")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(help_text="Dùng trong /api/v1/me/children/{id}/card, ...")
        insurance_number = serializers.CharField(source="username")
        full_name = serializers.CharField()

    @extend_schema(operation_id="me_children", responses=OutputSerializer(many=True))
    def get(self, request):
        children = children_for_viewer(request.user)
        return Response(self.OutputSerializer(children, many=True).data)


# A guardian reads a child's records through the same views (own operation ids).
class ChildCardApi(CardMeApi):
    @extend_schema(operation_id="me_child_card", responses=CardMeApi.OutputSerializer)
    def get(self, request, **kwargs):
        return super().get(request, **kwargs)


class ChildHistoryApi(HistoryMeApi):
    @extend_schema(operation_id="me_child_history")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ChildVisitsApi(VisitsMeApi):
    @extend_schema(operation_id="me_child_visits")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ChildCardAttestationApi(CardAttestationMeApi):
    @extend_schema(operation_id="me_child_card_attestation", responses=PDF_RESPONSE)
    def get(self, request, **kwargs):
        return super().get(request, **kwargs)


class ChildHistoryExtractApi(HistoryExtractMeApi):
    @extend_schema(operation_id="me_child_history_extract", responses=PDF_RESPONSE)
    def get(self, request, **kwargs):
        return super().get(request, **kwargs)
