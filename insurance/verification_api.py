"""Public API of the verification page (/api/v1/documents/...), no sign-in."""

from django.core.exceptions import ValidationError as DjangoValidationError

from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from vssid_portal.ratelimit import client_ip

from .verification import (
    DocumentCheck,
    DocumentStatus,
    FileCheck,
    document_check,
    document_code_display,
    document_file_check,
    document_file_rate_limit,
    document_lookup_missed,
    document_lookup_rate_limit,
    document_upload_read,
)


@extend_schema_serializer(component_name="VerifiedDocument")
class DocumentSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Mã xác thực như in trên tài liệu (ABCD-EFGH-JKMN).")
    status = serializers.ChoiceField(
        choices=[s.value for s in DocumentStatus if s != DocumentStatus.NOT_FOUND],
        help_text="valid: còn hiệu lực; expired: hết hạn; superseded: dữ liệu đã thay đổi.",
    )
    verdict = serializers.CharField()
    explanation = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    issued_at = serializers.DateTimeField()
    valid_until = serializers.DateField(allow_null=True)
    pdf_sha256 = serializers.CharField(help_text="SHA-256 của tệp PDF đã ký, để đối chiếu.")
    facts = inline_serializer(
        "VerifiedDocumentFact",
        fields={
            "key": serializers.CharField(),
            "label": serializers.CharField(),
            "value": serializers.CharField(),
        },
        many=True,
        help_text="Nội dung tài liệu, thông tin cá nhân đã che một phần.",
    )


def _document_data(check: DocumentCheck) -> dict:
    """What ``DocumentSerializer`` shows of one checked document."""
    document = check.document
    return {
        "code": document_code_display(document.code),
        "status": check.status.value,
        "verdict": check.verdict,
        "explanation": check.explanation,
        "kind": document.kind,
        "kind_label": str(document.get_kind_display()),
        "issued_at": document.issued_at,
        "valid_until": document.valid_until,
        "pdf_sha256": document.pdf_sha256,
        "facts": [row.__dict__ for row in check.rows],
    }


class PublicApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class DocumentVerifyApi(PublicApi):
    @extend_schema(
        operation_id="document_verify",
        responses={200: DocumentSerializer},
        description=(
            "Xác thực tài liệu theo mã in trên tài liệu (không cần đăng nhập; giới hạn theo IP). "
            "404 với status=not_found khi không có tài liệu nào mang mã này."
        ),
    )
    def get(self, request, code: str):
        ip = client_ip(request)
        document_lookup_rate_limit(client_ip=ip)
        check = document_check(code=code)
        if check.status == DocumentStatus.NOT_FOUND:
            document_lookup_missed(client_ip=ip)
            return Response(
                {
                    "status": check.status.value,
                    "verdict": check.verdict,
                    "detail": check.explanation,
                },
                status=404,
            )
        return Response(DocumentSerializer(_document_data(check)).data)


class DocumentFileVerifyApi(PublicApi):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="DocumentFileInput")
    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="Tệp PDF cần kiểm tra, tối đa 5 MB.")

    @extend_schema_serializer(component_name="DocumentFileCheck")
    class OutputSerializer(serializers.Serializer):
        result = serializers.ChoiceField(
            choices=["authentic", "altered", "forged"],
            help_text=(
                "authentic: đúng bản cổng đã cấp; altered: bị sửa sau khi ký; "
                "forged: không do cổng cấp."
            ),
        )
        verdict = serializers.CharField()
        explanation = serializers.CharField()
        document = DocumentSerializer(allow_null=True)

    @extend_schema(
        operation_id="document_verify_file",
        request={"multipart/form-data": InputSerializer},
        responses={200: OutputSerializer},
        description="Kiểm tra chữ ký số và đối chiếu tệp PDF với tài liệu cổng đã cấp.",
    )
    def post(self, request):
        document_file_rate_limit(client_ip=client_ip(request))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            data = document_upload_read(serializer.validated_data["file"])
            result: FileCheck = document_file_check(data=data)
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        return Response(
            self.OutputSerializer(
                {
                    "result": result.result.value,
                    "verdict": result.verdict,
                    "explanation": result.explanation,
                    "document": _document_data(result.document) if result.document else None,
                }
            ).data
        )
