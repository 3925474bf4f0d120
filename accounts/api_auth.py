from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import ApiToken, UserSession
from .sessions import token_digest

# Reachable while the password must be changed (first sign-in, 6 months).
PASSWORD_CHANGE_PATHS = (
    "/api/v1/auth/password/change/",
    "/api/v1/auth/password/change/confirm/",
    "/api/v1/auth/token/revoke/",
    "/api/v1/auth/otp/resend/",
)
SIGNED_IN_ELSEWHERE = _("Tài khoản đã được đăng nhập trên thiết bị khác.")


class PasswordChangeRequired(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("Bạn cần đổi mật khẩu trước khi tiếp tục.")
    default_code = "password_change_required"


class DeviceTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` (or ``Token <token>``) plus
    ``X-Device-Id``: the token is looked up by its sha256 and must belong to
    that device, be unexpired and not revoked."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Tiêu đề Authorization không hợp lệ."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Khoá truy cập không hợp lệ.")) from exc
        token = ApiToken.objects.select_related("user").filter(key_hash=token_digest(key)).first()
        now = timezone.now()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Khoá truy cập không hợp lệ."))
        if token.revoked_at is not None:
            if token.revoke_reason == UserSession.EndReason.TAKEOVER:
                raise exceptions.AuthenticationFailed(
                    SIGNED_IN_ELSEWHERE, code="signed_in_elsewhere"
                )
            raise exceptions.AuthenticationFailed(_("Khoá truy cập đã bị thu hồi."), code="revoked")
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("Khoá truy cập đã hết hạn."), code="expired")
        if request.META.get("HTTP_X_DEVICE_ID", "") != token.device_id:
            raise exceptions.AuthenticationFailed(
                _("Khoá truy cập không thuộc thiết bị này."), code="wrong_device"
            )
        if token.user.must_change_password and request.path not in PASSWORD_CHANGE_PATHS:
            raise PasswordChangeRequired()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api_auth.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Khoá từ /api/v1/auth/token/ trong `Authorization: Bearer …` (hoặc `Token …`), "
                "kèm tiêu đề `X-Device-Id` là mã thiết bị đã dùng khi đăng nhập."
            ),
        }
