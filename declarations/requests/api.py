"""/api/v1/me/requests/: the signed-in citizen's requests for the mobile client.

The same forms, services and visibility rule as the pages: list, file one
(per kind, with an ``Idempotency-Key``), read one with its history, send the
corrections a clerk asked for, and fetch the supporting photo.
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from insurance.access import IsCitizen, records_owner
from vssid_portal.ratelimit import client_ip, rate_limit

from ..api import (
    CorrectionLineSerializer,
    DetailSerializer,
    ErrorSerializer,
    _errors,
    correction_round_read,
)
from ..cases import CaseStatus
from ..lifecycle import correction_request_lines
from .forms import FORMS, ConfirmForm
from .kinds import current_card, decision_summary, payload_rows, policy_for
from .models import ServiceRequest
from .selectors import citizen_request, citizen_requests
from .services import service_request_file, service_request_resubmit
from .views import FILE_LIMIT, FORM_LIMIT, attachment_response

KIND_FIELDS_HELP = (
    "card_reissue: reason (lost|damaged), delivery (at_office|by_post), address, note. "
    "data_correction: wrong_fields (full_name, date_of_birth, gender, id_number, address), "
    "the new value of each, document (cccd|birth_certificate), attachment (required), note. "
    "facility_change: facility_code (from /api/v1/lookup/facilities/?"
    "accepts_initial_registration=true), note. "
    "contribution_report: from_month, to_month (YYYY-MM), problem (missing|owed|wrong_salary|"
    "wrong_employer|other), employer, description, attachment (optional)."
)


@extend_schema_serializer(component_name="ServiceRequestRow")
class PayloadRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField()


@extend_schema_serializer(component_name="ServiceRequestEvent")
class RequestEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    fields_label = serializers.CharField()
    created_at = serializers.DateTimeField()


class RequestReadMixin:
    """What the citizen's and the clerk's serializers compute the same way."""

    # The clerk keeps seeing the last correction request after a resubmission.
    correction_request_while_returned_only = True

    def get_has_attachment(self, obj) -> bool:
        return bool(obj.attachment)

    @extend_schema_field(PayloadRowSerializer(many=True))
    def get_payload_display(self, obj) -> list[dict]:
        rows = payload_rows(kind=obj.kind, payload=obj.payload)
        return PayloadRowSerializer([vars(row) for row in rows], many=True).data

    def get_decision(self, obj) -> str:
        return decision_summary(obj)

    @extend_schema_field(CorrectionLineSerializer(many=True))
    def get_correction_request(self, obj) -> list[dict]:
        """What to correct (while the request waits for it, for the citizen)."""
        if self.correction_request_while_returned_only and obj.status != CaseStatus.RETURNED:
            return []
        lines = correction_request_lines(policy=policy_for(obj), case=obj)
        return CorrectionLineSerializer([vars(line) for line in lines], many=True).data


@extend_schema_serializer(component_name="ServiceRequest")
class ServiceRequestSerializer(RequestReadMixin, serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    insurance_number = serializers.CharField(source="person.insurance_number")
    full_name = serializers.CharField(source="person.full_name")
    office_code = serializers.CharField(source="office.code")
    office_name = serializers.CharField(source="office.name")
    overdue = serializers.BooleanField(help_text="Quá hạn tiếp nhận (giờ làm việc)")
    has_attachment = serializers.SerializerMethodField()
    payload_display = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField(help_text="Việc phê duyệt đã làm, một câu.")
    correction_request = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "reference_code",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "insurance_number",
            "full_name",
            "office_code",
            "office_name",
            "payload",
            "payload_display",
            "has_attachment",
            "answer",
            "reject_reason",
            "decision",
            "outcome",
            "effective_on",
            "overdue",
            "submitted_at",
            "acknowledge_due_at",
            "acknowledged_at",
            "decided_at",
            "created_at",
            "correction_round",
            "correction_note",
            "correction_request",
        ]


@extend_schema_serializer(component_name="ServiceRequestDetail")
class ServiceRequestDetailSerializer(ServiceRequestSerializer):
    history = serializers.SerializerMethodField()

    class Meta(ServiceRequestSerializer.Meta):
        fields = [*ServiceRequestSerializer.Meta.fields, "history"]

    @extend_schema_field(RequestEventSerializer(many=True))
    def get_history(self, obj) -> list[dict]:
        from .views import citizen_history

        viewer = self.context.get("viewer")
        events = citizen_history(obj, viewer=viewer) if viewer else []
        return RequestEventSerializer(events, many=True).data


class CitizenRequestMixin:
    permission_classes = [IsCitizen]

    def get_request(self, code: str) -> ServiceRequest:
        service_request = citizen_request(user=self.request.user, code=code)
        if service_request is None:
            raise NotFound(_("Không tìm thấy yêu cầu."))
        return service_request


def form_data(data):
    """A JSON body as a form sees a POST: text values, lists of text."""
    if hasattr(data, "getlist"):
        return data
    cleaned = {}
    for key, value in data.items():
        if isinstance(value, list):
            cleaned[key] = [str(item) for item in value]
        elif value is None:
            cleaned[key] = ""
        else:
            cleaned[key] = str(value)
    return cleaned


def _submission_key(request) -> str:
    header = request.headers.get("Idempotency-Key", "")
    if header:
        # Per account: one client's key never returns another's request.
        digest = hashlib.sha256(f"{request.user.pk}:{header}".encode()).hexdigest()
        return "api:" + digest[:56]
    return "api:" + secrets.token_hex(28)


CREATE_INPUT = inline_serializer(
    "ServiceRequestCreateInput",
    fields={
        "kind": serializers.ChoiceField(choices=ServiceRequest.Kind.choices),
        "child_id": serializers.IntegerField(
            required=False, help_text="Tài khoản của con (người giám hộ gửi cho con)."
        ),
        "commitment": serializers.BooleanField(
            help_text="Cam kết nội dung kê khai là đúng sự thật"
        ),
        "reason": serializers.CharField(required=False),
        "delivery": serializers.CharField(required=False),
        "address": serializers.CharField(required=False),
        "note": serializers.CharField(required=False),
        "wrong_fields": serializers.ListField(child=serializers.CharField(), required=False),
        "full_name": serializers.CharField(required=False),
        "date_of_birth": serializers.CharField(required=False),
        "gender": serializers.CharField(required=False),
        "id_number": serializers.CharField(required=False),
        "document": serializers.CharField(required=False),
        "facility_code": serializers.CharField(required=False),
        "from_month": serializers.CharField(required=False),
        "to_month": serializers.CharField(required=False),
        "problem": serializers.CharField(required=False),
        "employer": serializers.CharField(required=False),
        "description": serializers.CharField(required=False),
        "attachment": serializers.FileField(required=False),
    },
)


class MyRequestListApi(CitizenRequestMixin, ListAPIView):
    """The requests the citizen may open, newest first; POST files a new one."""

    serializer_class = ServiceRequestSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return citizen_requests(user=self.request.user)

    @extend_schema(operation_id="me_requests_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="me_requests_create",
        description=KIND_FIELDS_HELP,
        request={"multipart/form-data": CREATE_INPUT, "application/json": CREATE_INPUT},
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)
        ],
        responses={
            201: ServiceRequestDetailSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Lỗi theo từng trường"),
            404: DetailSerializer,
        },
    )
    def post(self, request, *args, **kwargs):
        rate_limit(
            scope="requests:form",
            key=str(request.user.pk),
            limit=FORM_LIMIT[0],
            window=FORM_LIMIT[1],
        )
        kind = request.data.get("kind", "")
        form_class = FORMS.get(kind) if isinstance(kind, str) else None
        if form_class is None:
            return Response(
                {"kind": [_("Loại yêu cầu không hợp lệ.")]}, status=status.HTTP_400_BAD_REQUEST
            )
        child_id = request.data.get("child_id")
        if child_id in ("", None):
            child_id = None
        else:
            try:
                child_id = int(child_id)
            except (TypeError, ValueError):
                return Response(
                    {"child_id": [_("Không tìm thấy tài khoản của con.")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        try:
            owner = records_owner(request, child_id=child_id)
        except Http404:
            raise NotFound(_("Không tìm thấy hồ sơ BHXH của người này.")) from None
        person = owner.person
        data = form_data(request.data)
        form = form_class(data, request.FILES, person=person, card=current_card(person))
        confirm = ConfirmForm(data)
        valid = form.is_valid()
        errors = _errors(form) if not valid else {}
        if not confirm.is_valid():
            errors.update(_errors(confirm))
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        rate_limit(
            scope="requests:file",
            key=str(request.user.pk),
            limit=FILE_LIMIT[0],
            window=FILE_LIMIT[1],
        )
        try:
            service_request = service_request_file(
                kind=kind,
                person=person,
                filed_by=request.user,
                payload=form.payload(),
                attachment=form.photos().get("attachment"),
                submission_key=_submission_key(request),
                ip=client_ip(request),
            )
        except ValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        data = ServiceRequestDetailSerializer(
            service_request, context={"viewer": request.user}
        ).data
        return Response(data, status=status.HTTP_201_CREATED)


class MyRequestDetailApi(CitizenRequestMixin, APIView):
    @extend_schema(
        operation_id="me_request",
        responses={200: ServiceRequestDetailSerializer, 404: DetailSerializer},
    )
    def get(self, request, code: str):
        service_request = self.get_request(code)
        return Response(
            ServiceRequestDetailSerializer(service_request, context={"viewer": request.user}).data
        )


class MyRequestCorrectionApi(CitizenRequestMixin, APIView):
    """ "Bổ sung": only the marked fields (and photo), with ``correction_round``."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="me_request_correction",
        request={
            "multipart/form-data": inline_serializer(
                "ServiceRequestCorrectionInput",
                fields={
                    "correction_round": serializers.IntegerField(
                        help_text="Lần yêu cầu bổ sung đang trả lời (từ GET)."
                    ),
                    "commitment": serializers.BooleanField(),
                    "attachment": serializers.FileField(required=False),
                },
            )
        },
        responses={
            200: ServiceRequestDetailSerializer,
            400: ErrorSerializer,
            404: DetailSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request, code: str):
        service_request = self.get_request(code)
        if service_request.status != CaseStatus.RETURNED:
            return Response(
                {
                    "detail": _("Yêu cầu này không còn chờ bổ sung."),
                    "status": service_request.status,
                },
                status=status.HTTP_409_CONFLICT,
            )
        round_, error = correction_round_read(request.data)
        if error is not None:
            return error
        form = FORMS[service_request.kind](
            form_data(request.data),
            request.FILES,
            person=service_request.person,
            card=current_card(service_request.person),
            existing=service_request.payload,
            marked=service_request.correction_fields(),
        )
        if not form.is_valid():
            return Response(_errors(form), status=status.HTTP_400_BAD_REQUEST)
        try:
            service_request = service_request_resubmit(
                service_request=service_request,
                correction_round=round_,
                values=form.values(),
                photos=form.photos(),
                actor=request.user,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            conflict = getattr(exc, "code", None) == "state_changed"
            return Response(
                _errors(exc),
                status=status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            ServiceRequestDetailSerializer(service_request, context={"viewer": request.user}).data
        )


class MyRequestAttachmentApi(CitizenRequestMixin, APIView):
    @extend_schema(
        operation_id="me_request_attachment",
        responses={
            (200, "image/jpeg"): OpenApiResponse(description="Ảnh giấy tờ kèm theo"),
            404: DetailSerializer,
        },
    )
    def get(self, request, code: str):
        service_request = self.get_request(code)
        return attachment_response(service_request, request=request)
