"""/api/v1/staff/requests/: the clerk's queue of requests for office systems.

Mirrors /api/v1/staff/declarations/: ``IsClerk`` and the office-scoped
selectors (a request outside the clerk's offices is a 404), the same
services as the pages; errors are JSON field maps, 400 for bad input, 409
when the request's state does not allow the action.
"""

from django.core.exceptions import PermissionDenied, ValidationError
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

from accounts.staff_access import IsClerk
from vssid_portal.ratelimit import client_ip

from ..api import CorrectionLineSerializer, ErrorSerializer, _errors
from ..cases import CorrectionReason
from ..lifecycle import case_history, correction_request_lines
from ..selectors import ORDER_DUE, ORDER_NEWEST, STAFF_QUEUE_STATUSES, STATUS_OPEN
from ..staff_api import StaffPagination
from ..views import private_file_response
from .api import PayloadRowSerializer
from .kinds import decision_summary, payload_rows, policy_for
from .models import ServiceRequest
from .selectors import RequestQueueFilters, service_request_for_staff, service_requests_for_staff
from .services import (
    service_request_approve,
    service_request_check,
    service_request_reject,
    service_request_return,
)

CONFLICT_CODES = {
    "state_changed",
    "not_checked",
    "no_card",
    "facility_not_accepting",
}


@extend_schema_serializer(component_name="StaffServiceRequest")
class StaffRequestSerializer(serializers.ModelSerializer):
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

    def get_has_attachment(self, obj) -> bool:
        return bool(obj.attachment)


@extend_schema_serializer(component_name="StaffServiceRequestDetail")
class StaffRequestDetailSerializer(StaffRequestSerializer):
    class EventSerializer(serializers.Serializer):
        action = serializers.CharField()
        from_status = serializers.CharField()
        to_status = serializers.CharField()
        reason = serializers.CharField()
        detail = serializers.JSONField()
        actor = serializers.CharField(source="actor.username", default=None)
        created_at = serializers.DateTimeField()

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

    @extend_schema_field(PayloadRowSerializer(many=True))
    def get_payload_display(self, obj) -> list[dict]:
        rows = payload_rows(kind=obj.kind, payload=obj.payload)
        return PayloadRowSerializer([vars(row) for row in rows], many=True).data

    def get_decision(self, obj) -> str:
        return decision_summary(obj)

    @extend_schema_field(CorrectionLineSerializer(many=True))
    def get_correction_request(self, obj) -> list[dict]:
        lines = correction_request_lines(policy=policy_for(obj), case=obj)
        return CorrectionLineSerializer([vars(line) for line in lines], many=True).data

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
        return Response(StaffRequestDetailSerializer(_request_or_404(request, code)).data)


class _StaffRequestActionApi(APIView):
    permission_classes = [IsAuthenticated, IsClerk]

    def act(self, service_request: ServiceRequest, request) -> ServiceRequest:  # pragma: no cover
        raise NotImplementedError

    def post(self, request, code: str):
        service_request = _request_or_404(request, code)
        try:
            self.act(service_request, request)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            conflict = getattr(exc, "code", None) in CONFLICT_CODES
            return Response(
                _errors(exc),
                status=status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST,
            )
        service_request.refresh_from_db()
        return Response(StaffRequestDetailSerializer(service_request).data)


ACTION_RESPONSES = {
    200: StaffRequestDetailSerializer,
    400: ErrorSerializer,
    404: OpenApiResponse(),
    409: ErrorSerializer,
}


class StaffRequestCheckApi(_StaffRequestActionApi):
    """ "Đã kiểm tra giấy tờ": submitted → received."""

    @extend_schema(
        operation_id="staff_requests_check",
        request=None,
        responses=ACTION_RESPONSES,
        tags=["staff"],
    )
    def post(self, request, code: str):
        return super().post(request, code)

    def act(self, service_request, request):
        return service_request_check(
            service_request=service_request, actor=request.user, ip=client_ip(request)
        )


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


class StaffRequestRejectApi(_StaffRequestActionApi):
    """ "Từ chối" with a required reason, shown to the citizen."""

    @extend_schema_serializer(component_name="StaffServiceRequestRejectInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(
        operation_id="staff_requests_reject",
        request=InputSerializer,
        responses=ACTION_RESPONSES,
        tags=["staff"],
    )
    def post(self, request, code: str):
        return super().post(request, code)

    def act(self, service_request, request):
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():
            raise ValidationError(
                {"reason": [_("Vui lòng chọn hoặc nhập lý do từ chối.")]}, code="invalid"
            )
        return service_request_reject(
            service_request=service_request,
            actor=request.user,
            ip=client_ip(request),
            reason=data.validated_data["reason"],
        )


class StaffRequestReturnApi(_StaffRequestActionApi):
    """ "Yêu cầu bổ sung": the marked fields (and photo) go back to the citizen."""

    @extend_schema_serializer(component_name="StaffServiceRequestReturnInput")
    class InputSerializer(serializers.Serializer):
        class ItemSerializer(serializers.Serializer):
            field = serializers.CharField(
                help_text="A payload field of the kind (e.g. reason, address, full_name, "
                "facility_code, from_month, description) or attachment"
            )
            reason = serializers.ChoiceField(choices=CorrectionReason.choices)
            note = serializers.CharField(max_length=500, required=False, allow_blank=True)

        items = ItemSerializer(many=True)
        note = serializers.CharField(max_length=500, required=False, allow_blank=True)

    @extend_schema(
        operation_id="staff_requests_return",
        request=InputSerializer,
        responses=ACTION_RESPONSES,
        tags=["staff"],
    )
    def post(self, request, code: str):
        return super().post(request, code)

    def act(self, service_request, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return service_request_return(
            service_request=service_request,
            actor=request.user,
            ip=client_ip(request),
            items=data.validated_data["items"],
            note=data.validated_data.get("note", ""),
        )


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
        if not service_request.attachment:
            raise Http404
        return private_file_response(
            service_request.attachment.open("rb"),
            filename=f"{service_request.reference_code}.jpg",
            content_type="image/jpeg",
        )
