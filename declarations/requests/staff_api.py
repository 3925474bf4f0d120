"""/api/v1/staff/requests/: the clerk's queue of requests for office systems.

Mirrors /api/v1/staff/declarations/: ``IsClerk`` and the office-scoped
selectors (a request outside the clerk's offices is a 404), the same
services as the pages; errors are JSON field maps, 400 for bad input, 409
when the request's state does not allow the action.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import record_access_log
from accounts.staff_access import IsClerk
from vssid_portal.ratelimit import client_ip

from ..api import ErrorSerializer
from ..lifecycle import case_history
from ..selectors import ORDER_DUE, ORDER_NEWEST, STAFF_QUEUE_STATUSES, STATUS_OPEN
from ..staff_api import (
    CaseCheckAction,
    CaseRejectAction,
    CaseReturnAction,
    StaffCaseActionApi,
    StaffDeclarationDetailSerializer,
    StaffPagination,
)
from .api import RequestReadMixin
from .kinds import policy_for
from .models import ServiceRequest
from .selectors import RequestQueueFilters, service_request_for_staff, service_requests_for_staff
from .services import (
    service_request_approve,
)
from .views import attachment_response

CONFLICT_CODES = {
    "state_changed",
    "not_checked",
    "no_card",
    "facility_not_accepting",
}


@extend_schema_serializer(component_name="StaffServiceRequest")
class StaffRequestSerializer(RequestReadMixin, serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    insurance_number = serializers.CharField(source="person.insurance_number")
    full_name = serializers.CharField(source="person.full_name")
    office_code = serializers.CharField(source="office.code")
    office_name = serializers.CharField(source="office.name")
    overdue = serializers.BooleanField(help_text="Quá hạn tiếp nhận (giờ làm việc)")
    has_attachment = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "reference_code",
            "kind",
            "kind_label",
            "status",
            "reject_reason",
            "insurance_number",
            "full_name",
            "office_code",
            "office_name",
            "has_attachment",
            "overdue",
            "submitted_at",
            "acknowledge_due_at",
            "acknowledged_at",
            "decided_at",
            "created_at",
            "updated_at",
        ]


@extend_schema_serializer(component_name="StaffServiceRequestDetail")
class StaffRequestDetailSerializer(StaffRequestSerializer):
    EventSerializer = StaffDeclarationDetailSerializer.EventSerializer
    correction_request_while_returned_only = False

    payload_display = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    correction_request = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta(StaffRequestSerializer.Meta):
        fields = [
            *StaffRequestSerializer.Meta.fields,
            "payload",
            "payload_display",
            "answer",
            "outcome",
            "decision",
            "effective_on",
            "applied_at",
            "correction_round",
            "correction_note",
            "correction_request",
            "history",
        ]

    @extend_schema_field(EventSerializer(many=True))
    def get_history(self, obj) -> list[dict]:
        return self.EventSerializer(case_history(policy=policy_for(obj), case=obj), many=True).data


class StaffRequestFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Mã yêu cầu hoặc mã số BHXH"
    )
    status = serializers.ChoiceField(
        choices=STAFF_QUEUE_STATUSES, required=False, default=STATUS_OPEN
    )
    kind = serializers.ChoiceField(choices=ServiceRequest.Kind.values, required=False)
    order = serializers.ChoiceField(
        choices=[ORDER_NEWEST, ORDER_DUE],
        required=False,
        default=ORDER_NEWEST,
        help_text="new: mới nộp trước; due: quá hạn, sắp hết hạn tiếp nhận trước",
    )


def _request_or_404(request, code: str) -> ServiceRequest:
    service_request = service_request_for_staff(staff=request.user, code=code)
    if service_request is None:
        raise Http404
    return service_request


class StaffRequestListApi(APIView):
    """The requests of the clerk's offices, newest (or most due) first, filtered."""

    permission_classes = [IsAuthenticated, IsClerk]

    @extend_schema(
        operation_id="staff_requests_list",
        parameters=[StaffRequestFilterSerializer, OpenApiParameter("page", int)],
        responses={200: StaffRequestSerializer(many=True), 400: ErrorSerializer},
        tags=["staff"],
    )
    def get(self, request):
        params = StaffRequestFilterSerializer(data=request.query_params)
        if not params.is_valid():
            return Response(params.errors, status=status.HTTP_400_BAD_REQUEST)
        data = params.validated_data
        filters = RequestQueueFilters(
            query=data.get("q", "").strip(),
            status=data.get("status", STATUS_OPEN),
            kind=data.get("kind", ""),
            order=data.get("order", ORDER_NEWEST),
        )
        paginator = StaffPagination()
        page = paginator.paginate_queryset(
            service_requests_for_staff(staff=request.user, filters=filters), request, view=self
        )
        return paginator.get_paginated_response(StaffRequestSerializer(page, many=True).data)


class StaffRequestDetailApi(APIView):
    permission_classes = [IsAuthenticated, IsClerk]

    @extend_schema(
        operation_id="staff_requests_retrieve",
        responses={200: StaffRequestDetailSerializer, 404: OpenApiResponse()},
        tags=["staff"],
    )
    def get(self, request, code: str):
        service_request = _request_or_404(request, code)
        record_access_log(
            request=request,
            subject="service_request",
            insurance_number=service_request.person.insurance_number,
            reference=service_request.reference_code,
        )
        return Response(StaffRequestDetailSerializer(service_request).data)


class _StaffRequestActionApi(StaffCaseActionApi):
    conflict_codes = CONFLICT_CODES

    def get_case(self, request, code: str) -> ServiceRequest:
        return _request_or_404(request, code)

    def policy_for(self, case):
        return policy_for(case)

    def output(self, case) -> dict:
        return StaffRequestDetailSerializer(case).data


ACTION_RESPONSES = {
    200: StaffRequestDetailSerializer,
    400: ErrorSerializer,
    404: OpenApiResponse(),
    409: ErrorSerializer,
}


class StaffRequestCheckApi(CaseCheckAction, _StaffRequestActionApi):
    """ "Đã kiểm tra giấy tờ": submitted → received."""

    @extend_schema(
        operation_id="staff_requests_check",
        request=None,
        responses=ACTION_RESPONSES,
        tags=["staff"],
    )
    def post(self, request, code: str):
        return super().post(request, code)


class StaffRequestApproveApi(_StaffRequestActionApi):
    """ "Phê duyệt" (after the check), with the answer the citizen reads.

    The answer is required for ``contribution_report``; a card reissue
    issues the card again, a data correction corrects the registry person, a
    facility change is scheduled for the next quarter's first day.
    """

    @extend_schema_serializer(component_name="StaffServiceRequestApproveInput")
    class InputSerializer(serializers.Serializer):
        answer = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    @extend_schema(
        operation_id="staff_requests_approve",
        request=InputSerializer,
        responses=ACTION_RESPONSES,
        tags=["staff"],
    )
    def post(self, request, code: str):
        return super().post(request, code)

    def act(self, service_request, request):
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():
            raise ValidationError({"answer": [_("Trả lời tối đa 2000 ký tự.")]}, code="invalid")
        return service_request_approve(
            service_request=service_request,
            actor=request.user,
            ip=client_ip(request),
            answer=data.validated_data.get("answer", ""),
        )


class StaffRequestRejectApi(CaseRejectAction, _StaffRequestActionApi):
    """ "Từ chối" with a required reason, shown to the citizen."""

    @extend_schema_serializer(component_name="StaffServiceRequestRejectInput")
    class InputSerializer(CaseRejectAction.InputSerializer):
        pass

    @extend_schema(
        operation_id="staff_requests_reject",
        request=InputSerializer,
        responses=ACTION_RESPONSES,
        tags=["staff"],
    )
    def post(self, request, code: str):
        return super().post(request, code)


class StaffRequestReturnApi(CaseReturnAction, _StaffRequestActionApi):
    """ "Yêu cầu bổ sung": the marked fields (and photo) go back to the citizen.

    ``items[].field``: a payload field of the kind (e.g. reason, address,
    full_name, facility_code, from_month, description) or ``attachment``.
    """

    @extend_schema_serializer(component_name="StaffServiceRequestReturnInput")
    class InputSerializer(CaseReturnAction.InputSerializer):
        pass

    @extend_schema(
        operation_id="staff_requests_return",
        request=InputSerializer,
        responses=ACTION_RESPONSES,
        tags=["staff"],
    )
    def post(self, request, code: str):
        return super().post(request, code)


class StaffRequestAttachmentApi(APIView):
    permission_classes = [IsAuthenticated, IsClerk]

    @extend_schema(
        operation_id="staff_requests_attachment",
        responses={
            (200, "image/jpeg"): OpenApiResponse(description="Ảnh giấy tờ kèm theo"),
            404: OpenApiResponse(),
        },
        tags=["staff"],
    )
    def get(self, request, code: str):
        service_request = _request_or_404(request, code)
        return attachment_response(service_request, request=request)
