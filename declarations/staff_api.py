"""/api/v1/staff/declarations/: the clerk's queue for office systems.

Same rule as the staff pages (``IsClerk`` + the office-scoped selectors) and
the same services; a declaration outside the clerk's offices is a 404.
Errors are JSON field maps: 400 for bad input, 409 when the declaration's
state does not allow the action (e.g. a colleague decided first).
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
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import record_access_log
from accounts.staff_access import IsClerk
from vssid_portal.ratelimit import client_ip

from .api import CorrectionLineSerializer, ErrorSerializer, _errors
from .cases import CorrectionReason
from .lifecycle import (
    case_acknowledge,
    case_reject,
    case_return_for_correction,
    correction_request_lines,
)
from .models import Declaration
from .review import (
    POLICY,
    declaration_approve,
)
from .selectors import (
    ORDER_DUE,
    ORDER_NEWEST,
    STAFF_QUEUE_STATUSES,
    STATUS_OPEN,
    QueueFilters,
    declaration_get_for_staff,
    declaration_history,
    declaration_registry_comparison,
    declarations_for_staff,
)

# 409 for "the state forbids it now"; other validation errors are a 400.
CONFLICT_CODES = {"state_changed", "not_checked", "account_exists"}


class StaffPagination(PageNumberPagination):
    page_size = 25


@extend_schema_serializer(component_name="StaffDeclaration")
class StaffDeclarationSerializer(serializers.ModelSerializer):
    office_code = serializers.CharField(source="office.code")
    office_name = serializers.CharField(source="office.name")
    overdue = serializers.BooleanField(help_text="Quá hạn tiếp nhận (giờ làm việc)")

    class Meta:
        model = Declaration
        fields = [
            "reference_code",
            "kind",
            "status",
            "reject_reason",
            "full_name",
            "insurance_number",
            "date_of_birth",
            "phone",
            "email",
            "submission_mode",
            "office_code",
            "office_name",
            "registry_match",
            "overdue",
            "submitted_at",
            "acknowledge_due_at",
            "acknowledged_at",
            "decided_at",
            "created_at",
            "updated_at",
        ]


@extend_schema_serializer(component_name="StaffDeclarationDetail")
class StaffDeclarationDetailSerializer(StaffDeclarationSerializer):
    class ComparedSerializer(serializers.Serializer):
        label = serializers.CharField()
        declared = serializers.CharField()
        registry = serializers.CharField()
        matches = serializers.BooleanField()

    class EventSerializer(serializers.Serializer):
        action = serializers.CharField()
        from_status = serializers.CharField()
        to_status = serializers.CharField()
        reason = serializers.CharField()
        detail = serializers.JSONField()
        actor = serializers.CharField(source="actor.username", default=None)
        created_at = serializers.DateTimeField()

    registry_found = serializers.SerializerMethodField()
    registry_comparison = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    correction_request = serializers.SerializerMethodField()

    class Meta(StaffDeclarationSerializer.Meta):
        fields = [
            *StaffDeclarationSerializer.Meta.fields,
            "id_number",
            "contact_address",
            "contact_person",
            "send_form_by_email",
            "registry_found",
            "registry_comparison",
            "registry_mismatches",
            "correction_round",
            "correction_note",
            "correction_request",
            "history",
        ]

    def _comparison(self, obj):
        if not hasattr(obj, "_comparison"):
            obj._comparison = declaration_registry_comparison(declaration=obj)
        return obj._comparison

    def get_registry_found(self, obj) -> bool:
        return self._comparison(obj)[0] is not None

    @extend_schema_field(ComparedSerializer(many=True))
    def get_registry_comparison(self, obj) -> list[dict]:
        return self.ComparedSerializer(self._comparison(obj)[1], many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_history(self, obj) -> list[dict]:
        return self.EventSerializer(declaration_history(declaration=obj), many=True).data

    @extend_schema_field(CorrectionLineSerializer(many=True))
    def get_correction_request(self, obj) -> list[dict]:
        """The fields of the last "Yêu cầu bổ sung" (kept after resubmission)."""
        lines = correction_request_lines(policy=POLICY, case=obj)
        return CorrectionLineSerializer([vars(line) for line in lines], many=True).data


class StaffDeclarationFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    status = serializers.ChoiceField(
        choices=STAFF_QUEUE_STATUSES,
        required=False,
        default=STATUS_OPEN,
    )
    kind = serializers.ChoiceField(choices=Declaration.Kind.values, required=False)
    submission_mode = serializers.ChoiceField(
        choices=Declaration.SubmissionMode.values, required=False
    )
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    registry_match = serializers.BooleanField(
        required=False, default=False, help_text="Chỉ hồ sơ khớp dữ liệu BHXH"
    )
    order = serializers.ChoiceField(
        choices=[ORDER_NEWEST, ORDER_DUE],
        required=False,
        default=ORDER_NEWEST,
        help_text="new: mới nộp trước; due: quá hạn, sắp hết hạn tiếp nhận trước",
    )

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"date_to": _("“Đến ngày” phải sau hoặc bằng “Nộp từ ngày”.")}
            )
        return attrs


def _declaration_or_404(request, code: str) -> Declaration:
    declaration = declaration_get_for_staff(staff=request.user, code=code)
    if declaration is None:
        raise Http404
    return declaration


class StaffDeclarationListApi(APIView):
    """The declarations of the clerk's offices, newest first, filtered."""

    permission_classes = [IsAuthenticated, IsClerk]

    @extend_schema(
        operation_id="staff_declarations_list",
        parameters=[StaffDeclarationFilterSerializer, OpenApiParameter("page", int)],
        responses={
            200: StaffDeclarationSerializer(many=True),
            400: ErrorSerializer,
        },
        tags=["staff"],
    )
    def get(self, request):
        params = StaffDeclarationFilterSerializer(data=request.query_params)
        if not params.is_valid():
            return Response(params.errors, status=status.HTTP_400_BAD_REQUEST)
        data = params.validated_data
        filters = QueueFilters(
            query=data.get("q", "").strip(),
            status=data.get("status", STATUS_OPEN),
            kind=data.get("kind", ""),
            submission_mode=data.get("submission_mode", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            registry_match=data.get("registry_match", False),
            order=data.get("order", ORDER_NEWEST),
        )
        paginator = StaffPagination()
        page = paginator.paginate_queryset(
            declarations_for_staff(staff=request.user, filters=filters), request, view=self
        )
        return paginator.get_paginated_response(StaffDeclarationSerializer(page, many=True).data)


class StaffDeclarationDetailApi(APIView):
    permission_classes = [IsAuthenticated, IsClerk]

    @extend_schema(
        operation_id="staff_declarations_retrieve",
        responses={200: StaffDeclarationDetailSerializer, 404: OpenApiResponse()},
        tags=["staff"],
    )
    def get(self, request, code: str):
        declaration = _declaration_or_404(request, code)
        record_access_log(request=request, subject="declaration", declaration=declaration)
        return Response(StaffDeclarationDetailSerializer(declaration).data)


class StaffCaseActionApi(APIView):
    """A clerk's action on one case of any type: 404 outside the clerk's
    offices, 409 when the case's state forbids it, 400 for bad input, else the
    case as it is now. A type sets ``get_case``, ``policy_for`` and ``output``;
    the action mixins below (or the type) set ``act``."""

    permission_classes = [IsAuthenticated, IsClerk]
    conflict_codes = CONFLICT_CODES

    def get_case(self, request, code: str):  # pragma: no cover - per type
        raise NotImplementedError

    def policy_for(self, case):  # pragma: no cover - per type
        raise NotImplementedError

    def output(self, case) -> dict:  # pragma: no cover - per type
        raise NotImplementedError

    def act(self, case, request):  # pragma: no cover - per action
        raise NotImplementedError

    def post(self, request, code: str):
        case = self.get_case(request, code)
        try:
            self.act(case, request)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            conflict = getattr(exc, "code", None) in self.conflict_codes
            return Response(
                _errors(exc),
                status=status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST,
            )
        case.refresh_from_db()
        return Response(self.output(case))


class CaseCheckAction:
    """ "Đã kiểm tra giấy tờ": submitted → received."""

    def act(self, case, request):
        return case_acknowledge(
            policy=self.policy_for(case), case=case, actor=request.user, ip=client_ip(request)
        )


class CaseRejectAction:
    """ "Từ chối" with a required reason, sent to the citizen."""

    @extend_schema_serializer(component_name="StaffDeclarationRejectInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    def act(self, case, request):
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():
            raise ValidationError(
                {"reason": [_("Vui lòng chọn hoặc nhập lý do từ chối.")]}, code="invalid"
            )
        return case_reject(
            policy=self.policy_for(case),
            case=case,
            actor=request.user,
            ip=client_ip(request),
            reason=data.validated_data["reason"],
        )


class CaseReturnAction:
    """ "Yêu cầu bổ sung": the marked fields and photos go back to the citizen."""

    @extend_schema_serializer(component_name="StaffDeclarationReturnInput")
    class InputSerializer(serializers.Serializer):
        class ItemSerializer(serializers.Serializer):
            field = serializers.CharField(
                help_text="full_name, date_of_birth, id_number, contact_address, contact_person, "
                "email, phone, portrait, id_front, id_back, birth_certificate"
            )
            reason = serializers.ChoiceField(choices=CorrectionReason.choices)
            note = serializers.CharField(max_length=500, required=False, allow_blank=True)

        items = ItemSerializer(many=True)
        note = serializers.CharField(max_length=500, required=False, allow_blank=True)

    def act(self, case, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)  # a 400 with the field map
        return case_return_for_correction(
            policy=self.policy_for(case),
            case=case,
            actor=request.user,
            ip=client_ip(request),
            items=data.validated_data["items"],
            note=data.validated_data.get("note", ""),
        )


class _StaffDeclarationActionApi(StaffCaseActionApi):
    def get_case(self, request, code: str) -> Declaration:
        return _declaration_or_404(request, code)

    def policy_for(self, case):
        return POLICY

    def output(self, case) -> dict:
        return StaffDeclarationDetailSerializer(case).data


ACTION_RESPONSES = {
    200: StaffDeclarationDetailSerializer,
    400: ErrorSerializer,
    404: OpenApiResponse(),
    409: ErrorSerializer,
}


class StaffDeclarationCheckApi(CaseCheckAction, _StaffDeclarationActionApi):
    """ "Đã kiểm tra giấy tờ": submitted → received."""

    @extend_schema(
        operation_id="staff_declarations_check",
        request=None,
        responses=ACTION_RESPONSES,
        tags=["staff"],
    )
    def post(self, request, code: str):
        return super().post(request, code)


class StaffDeclarationApproveApi(_StaffDeclarationActionApi):
    """ "Phê duyệt": received → approved; creates the account, texts the password.

    A submitted declaration can be approved directly only when it matches
    the registry exactly and its office allows one-click approval.
    """

    @extend_schema(
        operation_id="staff_declarations_approve",
        request=None,
        responses=ACTION_RESPONSES,
        tags=["staff"],
    )
    def post(self, request, code: str):
        return super().post(request, code)

    def act(self, declaration, request):
        return declaration_approve(
            declaration=declaration, actor=request.user, ip=client_ip(request)
        )


class StaffDeclarationRejectApi(CaseRejectAction, _StaffDeclarationActionApi):
    """ "Từ chối" with a required reason, sent to the citizen."""

    @extend_schema(
        operation_id="staff_declarations_reject",
        request=CaseRejectAction.InputSerializer,
        responses=ACTION_RESPONSES,
        tags=["staff"],
    )
    def post(self, request, code: str):
        return super().post(request, code)


class StaffDeclarationReturnApi(CaseReturnAction, _StaffDeclarationActionApi):
    """ "Yêu cầu bổ sung": the marked fields and photos go back to the citizen."""

    @extend_schema(
        operation_id="staff_declarations_return",
        request=CaseReturnAction.InputSerializer,
        responses=ACTION_RESPONSES,
        tags=["staff"],
    )
    def post(self, request, code: str):
        return super().post(request, code)
