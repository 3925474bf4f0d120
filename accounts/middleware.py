"""Per-request session rules: revoked and expired sessions, forced password
change, ``Cache-Control: no-store`` for signed-in pages, the device cookie."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .models import UserSession
from .sessions import (
    LAST_ACTIVITY,
    SIGNED_IN_AT,
    device_cookie_set,
    revoked_session_reason,
    user_session_end,
    user_session_touch,
)

# Paths open while a password must be changed.
_OPEN_PREFIXES = ("/static/", "/ma-kiem-tra/", "/i18n/", "/healthz/", "/admin/logout/")
TOUCH_EVERY = 60


def _revoked_message(reason: str) -> str:
    if reason == UserSession.EndReason.TAKEOVER:
        return _("Tài khoản đã được đăng nhập trên thiết bị khác. Bạn đã bị đăng xuất.")
    if reason in (UserSession.EndReason.PASSWORD_CHANGED, UserSession.EndReason.PASSWORD_RESET):
        return _("Mật khẩu của tài khoản vừa được thay đổi. Vui lòng đăng nhập lại.")
    return _("Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại.")


def _to_sign_in(request, message: str):
    if request.path.startswith("/api/"):
        return None
    messages.warning(request, message)
    url = reverse("accounts:sign-in")
    if request.method == "GET" and request.path != url:
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._check(request)
        if response is None:
            response = self.get_response(request)
        if getattr(request, "device_cookie_new", False):
            device_cookie_set(response, request.device_id)
        if hasattr(request, "user") and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response

    def _check(self, request):
        user = request.user
        session = request.session
        if not user.is_authenticated:
            cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            if cookie:
                reason = revoked_session_reason(session_key=cookie)
                if reason and reason != UserSession.EndReason.SIGNED_OUT:
                    UserSession.objects.filter(session_key=cookie).update(
                        end_reason=UserSession.EndReason.SIGNED_OUT
                    )
                    return _to_sign_in(request, _revoked_message(reason))
            return None
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT)
        last = session.get(LAST_ACTIVITY)
        if signed_in_at is not None and last is not None:
            expired = None
            if now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                expired = _("Phiên đăng nhập đã quá 12 giờ. Vui lòng đăng nhập lại.")
            elif now - last > settings.SESSION_IDLE_TIMEOUT:
                expired = _(
                    "Phiên đăng nhập đã hết hạn do không thao tác trong 30 phút. "
                    "Vui lòng đăng nhập lại."
                )
            if expired:
                if session.session_key:
                    user_session_end(
                        session_key=session.session_key, reason=UserSession.EndReason.EXPIRED
                    )
                logout(request)
                return _to_sign_in(request, expired)
            if now - last >= TOUCH_EVERY:
                session[LAST_ACTIVITY] = now
                user_session_touch(session_key=session.session_key)
        if user.must_change_password and not self._open_while_forced(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": _("Bạn cần đổi mật khẩu trước khi tiếp tục."),
                        "code": "password_change_required",
                    },
                    status=403,
                )
            return redirect("account:password-change")
        return None

    @staticmethod
    def _open_while_forced(request) -> bool:
        path = request.path
        if path.startswith(_OPEN_PREFIXES):
            return True
        open_urls = {
            reverse("account:password-change"),
            reverse("accounts:otp"),
            reverse("accounts:sign-out"),
            reverse("accounts:sign-in"),
        }
        return path in open_urls or path.startswith("/api/v1/auth/")
