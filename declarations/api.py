"""The registration API: the same form and service as the wizard, JSON in and out."""

import hashlib

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
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
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from insurance.access import IsCitizen
from vssid_portal.api_errors import error_map
from vssid_portal.captcha import captcha_check, captcha_new
from vssid_portal.ratelimit import RateLimited, client_ip, rate_limit, usage_hit, usage_peek
from vssid_portal.schema import ERROR_BODY
from vssid_portal.validators import normalize_phone

from . import documents
from .cases import CorrectionReason
from .forms import DeclarationApiForm, DeclarationCorrectionForm, DeclarationEmailForm
from .lifecycle import case_resubmit, correction_request_lines
from .models import Declaration
from .review import POLICY
from .selectors import (
    citizen_declaration,
    citizen_declarations,
    declaration_by_submission_key,
    declaration_track,
)
from .services import declaration_email_send, declaration_submit
from .views import CAPTCHA_FAILURE_LIMIT, SUBMIT_LIMIT, TRACK_LIMIT, not_found_message

ErrorSerializer = ERROR_BODY
DetailSerializer = inline_serializer("Detail", fields={"detail": serializers.CharField()})


@extend_schema_serializer(component_name="CorrectionLine")
class CorrectionLineSerializer(serializers.Serializer):
    """One field or photo a clerk sent back, with the reason."""

    field = serializers.CharField()
    label = serializers.CharField()
    photo = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=CorrectionReason.choices)
    reason_label = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


def correction_lines_data(declaration: Declaration) -> list[dict]:
    lines = correction_request_lines(policy=POLICY, case=declaration)
    return CorrectionLineSerializer([vars(line) for line in lines], many=True).data


_errors = error_map  # the field map of a 400 (vssid_portal/api_errors.py)


class DeclarationCaptchaApi(APIView):
    """A new "mã kiểm tra" for the registration: its key and the image to show."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema_serializer(component_name="DeclarationCaptcha")
    class OutputSerializer(serializers.Serializer):
        captcha_key = serializers.CharField()
        image_url = serializers.CharField()

    @extend_schema(
        request=None,
        responses={201: OutputSerializer, 429: DetailSerializer},
        tags=["declarations"],
    )
    def post(self, request):
        rate_limit(scope="declarations:captcha-new", key=client_ip(request), limit=60, window=600)
        key = captcha_new()
        data = {"captcha_key": key, "image_url": reverse("captcha-image", args=[key])}
        return Response(self.OutputSerializer(data).data, status=status.HTTP_201_CREATED)


class DeclarationCreateApi(APIView):
    """Submit a tờ khai (multipart) with the three images and a solved captcha.

    An ``Idempotency-Key`` header makes retries safe: the same key returns the
    declaration created the first time.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="DeclarationCreateInput")
    class InputSerializer(serializers.Serializer):
        full_name = serializers.CharField(
            max_length=150, help_text="Họ và tên (Tên cơ quan/tổ chức/cá nhân)"
        )
        insurance_number = serializers.CharField(
            max_length=10, help_text="Mã số bảo hiểm xã hội (10 chữ số)"
        )
        date_of_birth = serializers.CharField(help_text="Ngày sinh, dd/mm/yyyy hoặc yyyy-mm-dd")
        id_number = serializers.CharField(help_text="Số CMND/HC/CC")
        contact_address = serializers.CharField(max_length=255, help_text="Địa chỉ liên hệ")
        contact_person = serializers.CharField(max_length=150, help_text="Người liên hệ")
        email = serializers.EmailField(
            required=False, allow_blank=True, help_text="Địa chỉ thư điện tử"
        )
        phone = serializers.CharField(help_text="Điện thoại di động")
        office = serializers.CharField(help_text="Mã cơ quan BHXH tiếp nhận, ví dụ 07914")
        submission_mode = serializers.ChoiceField(choices=Declaration.SubmissionMode.choices)
        send_form_by_email = serializers.BooleanField(required=False, help_text="Gửi email tờ khai")
        portrait = serializers.FileField(help_text="Ảnh chân dung (JPEG, PNG, HEIC; ≤ 10 MB)")
        id_front = serializers.FileField(help_text="Ảnh mặt trước")
        id_back = serializers.FileField(help_text="Ảnh mặt sau")
        commitment = serializers.BooleanField(help_text="Cam kết nội dung kê khai là đúng sự thật")
        captcha_key = serializers.CharField(help_text="Từ POST /api/v1/declarations/captcha/")
        captcha_answer = serializers.CharField(help_text="4 ký tự trong hình")

    @extend_schema_serializer(component_name="DeclarationCreated")
    class OutputSerializer(serializers.Serializer):
        reference_code = serializers.CharField()
        status = serializers.CharField()
        download_url = serializers.CharField()

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={
            201: OutputSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Lỗi theo từng trường"),
            429: DetailSerializer,
        },
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)
        ],
        tags=["declarations"],
    )
    def post(self, request):
        header_key = request.headers.get("Idempotency-Key", "")
        submission_key = (
            "api:" + hashlib.sha256(header_key.encode()).hexdigest()[:56] if header_key else None
        )
        # A retry of a request that already succeeded gets the same answer.
        existing = declaration_by_submission_key(key=submission_key)
        if existing is not None:
            return Response(self.output(existing), status=status.HTTP_201_CREATED)
        ip = client_ip(request)
        scope, (limit, window) = "declarations:captcha-fail", CAPTCHA_FAILURE_LIMIT
        if usage_peek(scope=scope, key=ip, window=window) >= limit:
            raise RateLimited(window)
        rate_limit(
            scope="declarations:submit", key=ip, limit=SUBMIT_LIMIT[0], window=SUBMIT_LIMIT[1]
        )
        # The captcha comes first: without it the API would be a registry oracle.
        if not captcha_check(
            request.data.get("captcha_key", ""), request.data.get("captcha_answer", "")
        ):
            usage_hit(scope=scope, key=ip, limit=limit, window=window)
            return Response(
                {
                    "captcha_answer": [
                        _("Mã kiểm tra không đúng hoặc đã hết hạn. Vui lòng nhập mã mới.")
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        form = DeclarationApiForm(request.POST, request.FILES)
        if not form.is_valid():
            return Response(_errors(form), status=status.HTTP_400_BAD_REQUEST)
        data = form.cleaned_data
        try:
            declaration = declaration_submit(
                declarant=form.declarant(),
                office=data["office"],
                submission_mode=data["submission_mode"],
                send_form_by_email=data["send_form_by_email"],
                images={slot: data[slot] for slot in ("portrait", "id_front", "id_back")},
                submission_key=submission_key or _random_key(),
                ip=client_ip(request),
            )
        except ValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(self.output(declaration), status=status.HTTP_201_CREATED)

    def output(self, declaration: Declaration) -> dict:
        data = {
            "reference_code": declaration.reference_code,
            "status": declaration.status,
            "download_url": documents.download_url(declaration=declaration),
        }
        return self.OutputSerializer(data).data


def _random_key() -> str:
    import secrets

    return "api:" + secrets.token_hex(28)


class DeclarationStatusApi(APIView):
    """Status of a declaration, for its reference code and the phone number declared."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema_serializer(component_name="DeclarationStatus")
    class OutputSerializer(serializers.Serializer):
        reference_code = serializers.CharField()
        status = serializers.CharField()
        status_label = serializers.CharField(source="get_status_display")
        reject_reason = serializers.CharField(allow_blank=True)
        office_code = serializers.CharField(source="office.code")
        office_name = serializers.CharField(source="office.name")
        created_at = serializers.DateTimeField(help_text="Lần nộp đầu tiên")
        submitted_at = serializers.DateTimeField(help_text="Lần nộp gần nhất (kể cả nộp bổ sung)")
        acknowledge_due_at = serializers.DateTimeField(
            allow_null=True, help_text="Hạn tiếp nhận, theo giờ làm việc"
        )
        acknowledged_at = serializers.DateTimeField(allow_null=True)
        decided_at = serializers.DateTimeField(allow_null=True)
        correction_note = serializers.CharField(allow_blank=True)
        correction_request = serializers.SerializerMethodField()

        @extend_schema_field(CorrectionLineSerializer(many=True))
        def get_correction_request(self, obj) -> list[dict]:
            """What to correct, while the declaration waits for it."""
            return correction_lines_data(obj) if obj.status == "returned" else []

    @extend_schema(
        parameters=[
            OpenApiParameter("phone", str, required=True, description="Điện thoại di động")
        ],
        responses={
            200: OutputSerializer,
            400: ErrorSerializer,
            404: DetailSerializer,
            429: DetailSerializer,
        },
        tags=["declarations"],
    )
    def get(self, request, code: str):
        rate_limit(
            scope="declarations:track",
            key=client_ip(request),
            limit=TRACK_LIMIT[0],
            window=TRACK_LIMIT[1],
        )
        try:
            phone = normalize_phone(request.query_params.get("phone", ""))
        except ValidationError as exc:
            return Response({"phone": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        declaration = declaration_track(code=code, phone=phone)
        if declaration is None:
            return Response({"detail": not_found_message()}, status=status.HTTP_404_NOT_FOUND)
        data = self.OutputSerializer(declaration).data
        data["reject_reason"] = (
            declaration.reject_reason if declaration.status == "rejected" else ""
        )
        if declaration.status != "returned":
            data["correction_note"] = ""
        return Response(data)


def correction_round_read(data) -> tuple[int | None, Response | None]:
    """The round of corrections a client answers (any case type), or a 400."""
    try:
        return int(data.get("correction_round", "")), None
    except (TypeError, ValueError):
        return None, Response(
            {"correction_round": [_("Thiếu hoặc sai lần yêu cầu bổ sung.")]},
            status=status.HTTP_400_BAD_REQUEST,
        )


def _tracked_declaration(request, code: str, phone: str):
    """The declaration for code + phone (ACL-02), or an error Response."""
    rate_limit(
        scope="declarations:track",
        key=client_ip(request),
        limit=TRACK_LIMIT[0],
        window=TRACK_LIMIT[1],
    )
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        return None, Response({"phone": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    declaration = declaration_track(code=code, phone=phone)
    if declaration is None:
        return None, Response({"detail": not_found_message()}, status=status.HTTP_404_NOT_FOUND)
    return declaration, None


class DeclarationCorrectionApi(APIView):
    """ "Bổ sung hồ sơ": what the clerk sent back, and the citizen's corrections.

    Like the status, reached with the reference code and the phone declared.
    POST (multipart) carries only the marked fields and photos plus
    ``commitment``; anything else is ignored and stays as first sent.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="DeclarationCorrection")
    class OutputSerializer(serializers.Serializer):
        reference_code = serializers.CharField()
        status = serializers.CharField()
        correction_round = serializers.IntegerField()
        correction_note = serializers.CharField(allow_blank=True)
        correction_request = CorrectionLineSerializer(many=True)
        current_values = serializers.DictField(
            child=serializers.CharField(allow_blank=True),
            help_text="Giá trị đã nộp của các trường cần sửa (không gồm ảnh)",
        )

    def output(self, declaration: Declaration) -> dict:
        lines = correction_lines_data(declaration)
        values = {}
        for line in lines:
            if not line["photo"]:
                value = getattr(declaration, line["field"])
                values[line["field"]] = value.isoformat() if hasattr(value, "isoformat") else value
        return self.OutputSerializer(
            {
                "reference_code": declaration.reference_code,
                "status": declaration.status,
                "correction_round": declaration.correction_round,
                "correction_note": declaration.correction_note,
                "correction_request": lines,
                "current_values": values,
            }
        ).data

    def not_returned(self, declaration: Declaration) -> Response:
        return Response(
            {
                "detail": _("Hồ sơ {code} không ở trạng thái chờ bổ sung.").format(
                    code=declaration.reference_code
                ),
                "status": declaration.status,
            },
            status=status.HTTP_409_CONFLICT,
        )

    @extend_schema(
        operation_id="declarations_correction_retrieve",
        parameters=[
            OpenApiParameter("phone", str, required=True, description="Điện thoại di động")
        ],
        responses={
            200: OutputSerializer,
            400: ErrorSerializer,
            404: DetailSerializer,
            409: DetailSerializer,
            429: DetailSerializer,
        },
        tags=["declarations"],
    )
    def get(self, request, code: str):
        declaration, error = _tracked_declaration(
            request, code, request.query_params.get("phone", "")
        )
        if error is not None:
            return error
        if declaration.status != "returned":
            return self.not_returned(declaration)
        return Response(self.output(declaration))

    @extend_schema(
        operation_id="declarations_correction_submit",
        request={
            "multipart/form-data": inline_serializer(
                "DeclarationCorrectionInput",
                fields={
                    "phone": serializers.CharField(help_text="Điện thoại di động đã khai"),
                    "correction_round": serializers.IntegerField(
                        help_text="Từ GET: lần yêu cầu bổ sung đang trả lời"
                    ),
                    "commitment": serializers.BooleanField(),
                    "full_name": serializers.CharField(required=False),
                    "date_of_birth": serializers.CharField(required=False),
                    "id_number": serializers.CharField(required=False),
                    "contact_address": serializers.CharField(required=False),
                    "contact_person": serializers.CharField(required=False),
                    "email": serializers.CharField(required=False),
                    "new_phone": serializers.CharField(
                        required=False, help_text="Số điện thoại mới, nếu trường phone cần sửa"
                    ),
                    "portrait": serializers.FileField(required=False),
                    "id_front": serializers.FileField(required=False),
                    "id_back": serializers.FileField(required=False),
                    "birth_certificate": serializers.FileField(required=False),
                },
            )
        },
        responses={
            200: OutputSerializer,
            400: ErrorSerializer,
            404: DetailSerializer,
            409: DetailSerializer,
            429: DetailSerializer,
        },
        tags=["declarations"],
    )
    def post(self, request, code: str):
        declaration, error = _tracked_declaration(request, code, request.data.get("phone", ""))
        if error is not None:
            return error
        if declaration.status != "returned":
            return self.not_returned(declaration)
        round_, error = correction_round_read(request.data)
        if error is not None:
            return error
        marked = declaration.correction_fields()
        data = request.POST.copy()
        # "phone" proves who is asking; the corrected phone comes as new_phone.
        data.pop("phone", None)
        if "phone" in marked:
            data["phone"] = request.POST.get("new_phone", "")
        form = DeclarationCorrectionForm(
            data, request.FILES, declaration=declaration, marked=marked
        )
        if not form.is_valid():
            return Response(_errors(form), status=status.HTTP_400_BAD_REQUEST)
        try:
            declaration = case_resubmit(
                policy=POLICY,
                case=declaration,
                correction_round=round_,
                values=form.values(),
                photos=form.photos(),
                ip=client_ip(request),
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "state_changed":
                return Response(_errors(exc), status=status.HTTP_409_CONFLICT)
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(self.output(declaration))


# "XEM TỜ KHAI" (/api/v1/me/declarations/) ------------------------------------------
class CitizenDeclarationMixin:
    """The signed-in citizen's own tờ khai and those filed for their children (else 404)."""

    permission_classes = [IsCitizen]

    def get_declaration(self, code: str) -> Declaration:
        declaration = citizen_declaration(user=self.request.user, code=code)
        if declaration is None:
            raise NotFound(_("Không tìm thấy tờ khai."))
        return declaration


@extend_schema_serializer(component_name="MeDeclaration")
class MyDeclarationOutputSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    office_code = serializers.CharField(source="office.code")
    office_name = serializers.CharField(source="office.name")
    download_url = serializers.SerializerMethodField(
        help_text="Đường dẫn tải PDF có chữ ký, hiệu lực 30 ngày (để chia sẻ)."
    )

    class Meta:
        model = Declaration
        fields = [
            "reference_code",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "reject_reason",
            "full_name",
            "insurance_number",
            "date_of_birth",
            "contact_person",
            "contact_address",
            "email",
            "phone",
            "office_code",
            "office_name",
            "submission_mode",
            "created_at",
            "download_url",
        ]

    def get_download_url(self, obj) -> str:
        return documents.download_url(declaration=obj)


class MyDeclarationListApi(CitizenDeclarationMixin, ListAPIView):
    serializer_class = MyDeclarationOutputSerializer

    def get_queryset(self):
        return citizen_declarations(user=self.request.user)

    @extend_schema(operation_id="me_declarations")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MyDeclarationDetailApi(CitizenDeclarationMixin, APIView):
    @extend_schema(operation_id="me_declaration", responses=MyDeclarationOutputSerializer)
    def get(self, request, code: str):
        declaration = self.get_declaration(code)
        return Response(MyDeclarationOutputSerializer(declaration).data)


class MyDeclarationPdfApi(CitizenDeclarationMixin, APIView):
    @extend_schema(
        operation_id="me_declaration_pdf",
        responses={(200, "application/pdf"): OpenApiResponse(description="Tờ khai (PDF)")},
    )
    def get(self, request, code: str):
        declaration = self.get_declaration(code)
        response = HttpResponse(
            documents.declaration_pdf(declaration=declaration), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{documents.pdf_filename(declaration)}"'
        )
        response["Cache-Control"] = "private, no-store"
        return response


class MyDeclarationEmailApi(CitizenDeclarationMixin, APIView):
    """E-mail the tờ khai (PDF) to a typed address; 429 past the limits."""

    @extend_schema_serializer(component_name="MeDeclarationEmail")
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        operation_id="me_declaration_email",
        request=InputSerializer,
        responses={202: DetailSerializer, 400: ErrorSerializer, 404: DetailSerializer},
    )
    def post(self, request, code: str):
        declaration = self.get_declaration(code)
        form = DeclarationEmailForm(request.data)
        if not form.is_valid():
            return Response(_errors(form), status=status.HTTP_400_BAD_REQUEST)
        declaration_email_send(
            declaration=declaration,
            email=form.cleaned_data["email"],
            actor=request.user,
            ip=client_ip(request),
        )
        return Response(
            {"detail": _("Đã gửi tờ khai đến {email}.").format(email=form.cleaned_data["email"])},
            status=status.HTTP_202_ACCEPTED,
        )
