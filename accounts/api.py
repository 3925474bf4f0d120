"""/api/v1/auth/: tokens for the mobile client under the same rules as the
web: one lockout counter, captcha from the 3rd failure, one device at a
time (OTP step as JSON), password change confirmed by SMS code."""

from functools import partial

from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from vssid_portal.captcha import captcha_check, captcha_new
from vssid_portal.ratelimit import client_ip
from vssid_portal.schema import ERROR_BODY

from .audit import account_sign_in_record, device_label
from .lockout import Outcome, outcome_message, password_check_limit, sign_in_captcha_required
from .models import ApiToken, OtpChallenge
from .otp import otp_confirm, otp_resend
from .services import (
    device_takeover_apply,
    device_takeover_request,
    password_change_apply,
    password_change_request,
    sessions_end_everywhere,
)
from .sessions import (
    DEVICE_ID_RE,
    api_token_issue,
    api_token_refresh,
    api_token_revoke,
    device_other_active,
)

Purpose = OtpChallenge.Purpose


def _device_id_validate(value: str) -> str:
    if not DEVICE_ID_RE.fullmatch(value):
        raise serializers.ValidationError(_("Mã thiết bị gồm 8–64 ký tự chữ, số, “-” hoặc “_”."))
    return value


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    token_type = serializers.CharField(default="Bearer")
    expires_at = serializers.DateTimeField()
    refresh_expires_at = serializers.DateTimeField()
    password_change_required = serializers.BooleanField()


class OtpRequiredSerializer(serializers.Serializer):
    otp_required = serializers.BooleanField(default=True)
    challenge = serializers.CharField(help_text=_("Gửi lại kèm mã OTP; chỉ thiết bị này biết."))
    detail = serializers.CharField()
    method = serializers.ChoiceField(
        choices=["sms", "totp"],
        required=False,
        help_text=_(
            "sms: mã gửi qua SMS; totp: nhập mã trong ứng dụng xác thực hoặc một mã khôi phục "
            "(không gửi SMS; gọi /api/v1/auth/otp/resend/ với channel=sms để nhận SMS)."
        ),
    )


# Six digits (SMS or the authenticator app) or a recovery code "abcde-fghjk".
SECOND_FACTOR_CODE = r"^([0-9]{6}|[A-Za-z0-9]{5}-?[A-Za-z0-9]{5})$"
OTP_SENT = _("Mã OTP đã được gửi qua SMS tới số điện thoại đã đăng ký.")
USE_APP = _("Nhập mã 6 số trong ứng dụng xác thực, hoặc một mã khôi phục.")


def _otp_required(challenge, nonce: str, detail=None) -> Response:
    by_app = challenge.channel == OtpChallenge.Channel.TOTP
    return Response(
        {
            "otp_required": True,
            "challenge": nonce,
            "detail": USE_APP if by_app else (detail or OTP_SENT),
            "method": "totp" if by_app else "sms",
        },
        status=status.HTTP_202_ACCEPTED,
    )


# A refused sign-in is {detail, code, captcha_key?, captcha_image?}; invalid
# input is a field map: both fit the shared error body.
ErrorSerializer = ERROR_BODY


def _token_response(user, device_id: str, *, request) -> Response:
    """A new token pair for a signed-in device; the sign-in is logged."""
    token, access, refresh = api_token_issue(user=user, device_id=device_id)
    account_sign_in_record(user=user, request=request, device_id=device_id)
    return Response(
        TokenPairSerializer(
            {
                "access": access,
                "refresh": refresh,
                "token_type": "Bearer",
                "expires_at": token.expires_at,
                "refresh_expires_at": token.refresh_expires_at,
                "password_change_required": user.must_change_password,
            }
        ).data
    )


def _otp_error(exc: DjangoValidationError) -> Response:
    return Response({"code": [exc.messages[0]]}, status=status.HTTP_400_BAD_REQUEST)


class PublicApi(APIView):
    # No session authentication: these are called before there is a token,
    # and must not depend on a browser's cookies (nor need its CSRF token).
    authentication_classes: list = []
    permission_classes = [AllowAny]


class TokenObtainApi(PublicApi):
    class TokenObtainInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150, help_text=_("Mã số BHXH"))
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        device_id = serializers.CharField(max_length=64)
        captcha_key = serializers.CharField(max_length=64, required=False)
        captcha = serializers.CharField(max_length=16, required=False)

        def validate_device_id(self, value):
            return _device_id_validate(value)

    @extend_schema(
        summary="Đăng nhập, nhận khoá truy cập",
        request=TokenObtainInputSerializer,
        responses={
            200: TokenPairSerializer,
            202: OtpRequiredSerializer,
            400: ErrorSerializer,
            429: OpenApiResponse(description="Quá nhiều yêu cầu (Retry-After)"),
        },
    )
    def post(self, request):
        serializer = self.TokenObtainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        captcha_solved = bool(data.get("captcha_key")) and captcha_check(
            data["captcha_key"], data.get("captcha", "")
        )
        user = authenticate(
            request._request,
            username=data["username"],
            password=data["password"],
            captcha_solved=captcha_solved,
        )
        if user is None:
            outcome = getattr(request._request, "sign_in_outcome", Outcome.INVALID)
            body = {"detail": outcome_message(outcome), "code": str(outcome)}
            if outcome == Outcome.CAPTCHA_REQUIRED or (
                outcome == Outcome.INVALID and sign_in_captcha_required(username=data["username"])
            ):
                key = captcha_new()
                body["captcha_key"] = key
                body["captcha_image"] = request.build_absolute_uri(
                    reverse("captcha-image", args=[key])
                )
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        device_id = data["device_id"]
        if device_other_active(user=user, device_id=device_id):
            challenge, nonce = device_takeover_request(
                user=user,
                device_id=device_id,
                ip=client_ip(request),
                device=device_label(request.META.get("HTTP_USER_AGENT", "")),
            )
            return _otp_required(
                challenge,
                nonce,
                _(
                    "Tài khoản đang đăng nhập trên thiết bị khác. Mã OTP đã được gửi tới số "
                    "điện thoại đã đăng ký; xác nhận để đăng xuất thiết bị kia."
                ),
            )
        return _token_response(user, device_id, request=request)


class TokenConfirmApi(PublicApi):
    class TokenConfirmInputSerializer(serializers.Serializer):
        challenge = serializers.CharField(max_length=64)
        code = serializers.RegexField(SECOND_FACTOR_CODE, max_length=11)
        device_id = serializers.CharField(max_length=64)

        def validate_device_id(self, value):
            return _device_id_validate(value)

    @extend_schema(
        summary="Xác nhận OTP đăng nhập trên thiết bị mới",
        request=TokenConfirmInputSerializer,
        responses={200: TokenPairSerializer, 400: OpenApiResponse(description="Mã sai/hết hạn")},
    )
    def post(self, request):
        serializer = self.TokenConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def apply(challenge):
            if challenge.payload.get("device_id") != data["device_id"]:
                raise DjangoValidationError(_("Mã OTP không đúng."), code="invalid")
            return device_takeover_apply(challenge, ip=client_ip(request))

        try:
            user = otp_confirm(
                nonce=data["challenge"],
                purpose=Purpose.DEVICE_TAKEOVER,
                code=data["code"],
                apply=apply,
            )
        except DjangoValidationError as exc:
            return _otp_error(exc)
        return _token_response(user, data["device_id"], request=request)


class TokenRefreshApi(PublicApi):
    class TokenRefreshInputSerializer(serializers.Serializer):
        refresh = serializers.CharField(max_length=128)
        device_id = serializers.CharField(max_length=64)

    @extend_schema(
        summary="Làm mới khoá truy cập",
        request=TokenRefreshInputSerializer,
        responses={200: TokenPairSerializer, 401: ErrorSerializer},
    )
    def post(self, request):
        serializer = self.TokenRefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = api_token_refresh(**serializer.validated_data)
        if result is None:
            return Response(
                {"detail": _("Khoá làm mới không hợp lệ hoặc đã hết hạn."), "code": "invalid"},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        token, access, refresh = result
        return Response(
            TokenPairSerializer(
                {
                    "access": access,
                    "refresh": refresh,
                    "token_type": "Bearer",
                    "expires_at": token.expires_at,
                    "refresh_expires_at": token.refresh_expires_at,
                    "password_change_required": token.user.must_change_password,
                }
            ).data
        )


class TokenRevokeApi(APIView):
    permission_classes = [IsAuthenticated]

    class TokenRevokeInputSerializer(serializers.Serializer):
        everywhere = serializers.BooleanField(
            default=False, help_text=_("Đăng xuất mọi nơi: mọi thiết bị và trình duyệt.")
        )

    @extend_schema(
        summary="Đăng xuất (thu hồi khoá)",
        request=TokenRevokeInputSerializer,
        responses={204: None},
    )
    def post(self, request):
        serializer = self.TokenRevokeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["everywhere"]:
            sessions_end_everywhere(user=request.user, ip=client_ip(request))
        elif isinstance(request.auth, ApiToken):
            api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeApi(APIView):
    permission_classes = [IsAuthenticated]

    class PasswordChangeInputSerializer(serializers.Serializer):
        old_password = serializers.CharField(max_length=128, trim_whitespace=False)
        new_password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(
        summary="Đổi mật khẩu (bước 1): gửi OTP qua SMS",
        request=PasswordChangeInputSerializer,
        responses={202: OtpRequiredSerializer, 400: OpenApiResponse(description="Lỗi theo trường")},
    )
    def post(self, request):
        serializer = self.PasswordChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        password_check_limit(user=request.user)
        user = request.user
        if not user.check_password(data["old_password"]):
            return Response(
                {"old_password": [_("Mật khẩu hiện tại không đúng.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            password_validation.validate_password(data["new_password"], user)
        except DjangoValidationError as exc:
            return Response({"new_password": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        challenge, nonce = password_change_request(
            user=user, new_password=data["new_password"], ip=client_ip(request)
        )
        return _otp_required(challenge, nonce)


class PasswordChangeConfirmApi(APIView):
    permission_classes = [IsAuthenticated]

    class PasswordChangeConfirmInputSerializer(serializers.Serializer):
        challenge = serializers.CharField(max_length=64)
        code = serializers.RegexField(SECOND_FACTOR_CODE, max_length=11)

    @extend_schema(
        summary="Đổi mật khẩu (bước 2): xác nhận OTP",
        request=PasswordChangeConfirmInputSerializer,
        responses={
            200: inline_serializer("PasswordChanged", {"detail": serializers.CharField()}),
            400: OpenApiResponse(description="Mã sai/hết hạn"),
        },
    )
    def post(self, request):
        serializer = self.PasswordChangeConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token = request.auth if isinstance(request.auth, ApiToken) else None
        try:
            otp_confirm(
                nonce=data["challenge"],
                purpose=Purpose.PASSWORD_CHANGE,
                code=data["code"],
                user=request.user,
                apply=partial(
                    password_change_apply,
                    keep_token_id=token.pk if token else None,
                    keep_session_key=(request.session.session_key if token is None else None),
                    ip=client_ip(request),
                ),
            )
        except DjangoValidationError as exc:
            return _otp_error(exc)
        return Response(
            {"detail": _("Đổi mật khẩu thành công. Các thiết bị khác đã được đăng xuất.")}
        )


class OtpResendApi(PublicApi):
    class OtpResendInputSerializer(serializers.Serializer):
        challenge = serializers.CharField(max_length=64)
        purpose = serializers.ChoiceField(
            choices=[Purpose.DEVICE_TAKEOVER, Purpose.PASSWORD_CHANGE]
        )
        channel = serializers.ChoiceField(
            choices=["sms"],
            required=False,
            help_text=_("sms: nhận mã qua SMS thay cho ứng dụng xác thực"),
        )

    @extend_schema(
        summary="Gửi lại mã OTP",
        request=OtpResendInputSerializer,
        responses={202: OtpRequiredSerializer, 429: OpenApiResponse(description="Chờ Retry-After")},
    )
    def post(self, request):
        serializer = self.OtpResendInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            challenge, nonce = otp_resend(
                nonce=serializer.validated_data["challenge"],
                purpose=serializer.validated_data["purpose"],
                ip=client_ip(request),
                channel=serializer.validated_data.get("channel"),
            )
        except DjangoValidationError as exc:
            return Response({"challenge": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return _otp_required(challenge, nonce, _("Đã gửi mã OTP mới."))
