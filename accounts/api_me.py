"""/api/v1/me/log/ and /api/v1/me/totp/…: the citizen's log (read only:
no route writes or deletes an entry) and the authenticator app for the
mobile client."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from vssid_portal.ratelimit import client_ip, rate_limit
from vssid_portal.schema import ERROR_BODY

from .lockout import password_check_limit
from .models import Passkey
from .passkeys import passkey_delete
from .selectors import account_log, account_log_entries
from .totp import (
    recovery_codes_left,
    recovery_codes_regenerate,
    totp_disable,
    totp_enabled,
    totp_provisioning,
    totp_setup_begin,
    totp_setup_confirm,
    totp_setup_pending,
)


class LogPagination(PageNumberPagination):
    page_size = 20


class LogEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["event", "access"],
        help_text=_("event: việc xảy ra với tài khoản; access: cán bộ/quản trị viên xem hồ sơ"),
    )
    action = serializers.CharField()
    created_at = serializers.DateTimeField()
    title = serializers.CharField()
    by = serializers.CharField(help_text=_("Cơ quan và vai trò của cán bộ (không có tên)"))
    device = serializers.CharField()
    network = serializers.CharField(help_text=_("Mạng của địa chỉ IP (/24, /48) hoặc mạng nội bộ"))
    new_device = serializers.BooleanField()
    note = serializers.CharField()


class AccountLogApi(APIView):
    """ "Nhật ký sử dụng", newest first; read only."""

    permission_classes = [IsAuthenticated]
    pagination_class = LogPagination

    @extend_schema(
        operation_id="me_log_list",
        summary="Nhật ký sử dụng tài khoản",
        responses={200: LogEntrySerializer(many=True)},
        tags=["me"],
    )
    def get(self, request):
        paginator = LogPagination()
        keys = paginator.paginate_queryset(account_log(user=request.user), request, view=self)
        entries = account_log_entries(keys=list(keys))
        return paginator.get_paginated_response(
            LogEntrySerializer([entry.__dict__ for entry in entries], many=True).data
        )


# AUTHENTICATOR APP -----------------------------------------------------------
class TotpStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    setup_pending = serializers.BooleanField()
    recovery_codes_left = serializers.IntegerField()


class TotpSetupSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text=_("Khoá bí mật để nhập tay (chỉ hiện khi cài đặt)"))
    otpauth_uri = serializers.CharField()
    qr_png = serializers.CharField(help_text=_("Mã QR của otpauth_uri, dạng data:image/png"))


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(), help_text=_("10 mã dùng một lần; chỉ hiện lần này")
    )


class CodeInputSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^[0-9]{6}$", max_length=6)


class PasswordCodeInputSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    code = serializers.CharField(
        max_length=16, help_text=_("Mã 6 số trong ứng dụng, hoặc một mã khôi phục")
    )


def _errors(exc: DjangoValidationError) -> Response:
    if hasattr(exc, "error_dict"):
        body = {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    else:
        body = {"code": exc.messages}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _status(user) -> dict:
    return {
        "enabled": totp_enabled(user=user),
        "setup_pending": totp_setup_pending(user=user) is not None,
        "recovery_codes_left": recovery_codes_left(user=user),
    }


class TotpStatusApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_totp_status",
        summary="Trạng thái ứng dụng xác thực",
        responses={200: TotpStatusSerializer},
        tags=["me"],
    )
    def get(self, request):
        return Response(TotpStatusSerializer(_status(request.user)).data)


class TotpSetupApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_totp_setup",
        summary="Bật ứng dụng xác thực (bước 1): khoá bí mật và mã QR",
        request=None,
        responses={201: TotpSetupSerializer, 400: ERROR_BODY},
        tags=["me"],
    )
    def post(self, request):
        try:
            device = totp_setup_begin(user=request.user)
        except DjangoValidationError as exc:
            return _errors(exc)
        provisioning = totp_provisioning(device=device, user=request.user)
        return Response(
            TotpSetupSerializer(
                {
                    "secret": provisioning["secret"].replace(" ", ""),
                    "otpauth_uri": provisioning["uri"],
                    "qr_png": provisioning["qr"],
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )


class TotpConfirmApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_totp_confirm",
        summary="Bật ứng dụng xác thực (bước 2): mã đầu tiên; nhận 10 mã khôi phục",
        request=CodeInputSerializer,
        responses={200: RecoveryCodesSerializer, 400: ERROR_BODY},
        tags=["me"],
    )
    def post(self, request):
        serializer = CodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate_limit(scope="totp-setup", key=str(request.user.pk), limit=10, window=900)
        try:
            codes = totp_setup_confirm(
                user=request.user, code=serializer.validated_data["code"], ip=client_ip(request)
            )
        except DjangoValidationError as exc:
            return _errors(exc)
        return Response({"recovery_codes": codes})


class _PasswordAndCodeApi(APIView):
    """A change that needs the password and a current app or recovery code."""

    permission_classes = [IsAuthenticated]

    def act(self, request, data: dict) -> Response:  # pragma: no cover
        raise NotImplementedError

    def post(self, request):
        serializer = PasswordCodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_check_limit(user=request.user)
        try:
            return self.act(request, serializer.validated_data)
        except DjangoValidationError as exc:
            return _errors(exc)


class TotpDisableApi(_PasswordAndCodeApi):
    @extend_schema(
        operation_id="me_totp_disable",
        summary="Tắt ứng dụng xác thực: mật khẩu và một mã",
        request=PasswordCodeInputSerializer,
        responses={200: TotpStatusSerializer, 400: ERROR_BODY},
        tags=["me"],
    )
    def post(self, request):
        return super().post(request)

    def act(self, request, data: dict) -> Response:
        totp_disable(user=request.user, ip=client_ip(request), **data)
        return Response(TotpStatusSerializer(_status(request.user)).data)


class RecoveryCodesApi(_PasswordAndCodeApi):
    @extend_schema(
        operation_id="me_totp_recovery_codes",
        summary="Tạo 10 mã khôi phục mới (mã cũ hết hiệu lực)",
        request=PasswordCodeInputSerializer,
        responses={200: RecoveryCodesSerializer, 400: ERROR_BODY},
        tags=["me"],
    )
    def post(self, request):
        return super().post(request)

    def act(self, request, data: dict) -> Response:
        codes = recovery_codes_regenerate(user=request.user, ip=client_ip(request), **data)
        return Response({"recovery_codes": codes})


# PASSKEYS --------------------------------------------------------------------
class PasskeySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class PasskeyListApi(APIView):
    """The account's passkeys (added from the web account page)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_passkeys_list",
        summary="Khoá đăng nhập (passkey) của tài khoản",
        responses={200: PasskeySerializer(many=True)},
        tags=["me"],
    )
    def get(self, request):
        return Response(PasskeySerializer(request.user.passkeys.all(), many=True).data)


class PasskeyDeleteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_passkeys_delete",
        summary="Xoá một khoá đăng nhập (passkey)",
        responses={204: None, 404: ERROR_BODY},
        tags=["me"],
    )
    def delete(self, request, pk: int):
        try:
            passkey_delete(user=request.user, passkey_id=pk, ip=client_ip(request))
        except Passkey.DoesNotExist as exc:
            raise NotFound() from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
