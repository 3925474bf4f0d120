"""Passkeys: the account page's list, registration, and sign-in on
/dang-nhap/. The browser side is ``accounts/static/accounts/passkeys.js``
(no inline script: the CSP allows scripts from the site only); the JSON
endpoints take the CSRF token from the page's form like any POST."""

import time

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from vssid_portal.ratelimit import client_ip, rate_limit

from . import passkeys as services
from .audit import device_label
from .models import Passkey
from .sessions import device_id_ensure, device_other_active
from .views import PENDING_SIGN_IN, sign_in_complete

REGISTER_STATE = "accounts_passkey_register"
SIGN_IN_STATE = "accounts_passkey_sign_in"
CHALLENGE_TTL = 5 * 60


def _json_options(request, key: str, options: str, challenge: str) -> JsonResponse:
    request.session[key] = {"challenge": challenge, "at": int(time.time())}
    response = JsonResponse({"options": options})
    response["Cache-Control"] = "no-store"
    return response


def _challenge_take(request, key: str) -> str | None:
    """The challenge issued to this browser, once, while fresh."""
    state = request.session.pop(key, None)
    if not state or time.time() - state.get("at", 0) > CHALLENGE_TTL:
        return None
    return state.get("challenge")


def _error(message, status=400) -> JsonResponse:
    return JsonResponse({"detail": str(message)}, status=status)


# ACCOUNT PAGE ----------------------------------------------------------------
@method_decorator(never_cache, name="dispatch")
class PasskeyListView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/passkeys.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(passkeys=self.request.user.passkeys.all(), **kwargs)


@require_POST
def passkey_register_options(request):
    if not request.user.is_authenticated:
        return _error(_("Vui lòng đăng nhập."), status=403)
    rp_id, _origin = services.relying_party(request)
    options, challenge = services.passkey_registration_options(user=request.user, rp_id=rp_id)
    return _json_options(request, REGISTER_STATE, options, challenge)


@require_POST
def passkey_register(request):
    if not request.user.is_authenticated:
        return _error(_("Vui lòng đăng nhập."), status=403)
    challenge = _challenge_take(request, REGISTER_STATE)
    if challenge is None:
        return _error(_("Phiên thêm khoá đã hết hạn. Vui lòng thử lại."))
    rp_id, origin = services.relying_party(request)
    try:
        passkey = services.passkey_register(
            user=request.user,
            credential=request.body,
            challenge=challenge,
            rp_id=rp_id,
            origin=origin,
            name=device_label(request.META.get("HTTP_USER_AGENT", "")),
            ip=client_ip(request),
        )
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    messages.success(request, _("Đã thêm khoá đăng nhập “{name}”.").format(name=passkey.name))
    return JsonResponse({"redirect": "/ca-nhan/tai-khoan/khoa-dang-nhap/"})


class PasskeyDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        try:
            services.passkey_delete(user=request.user, passkey_id=pk, ip=client_ip(request))
        except Passkey.DoesNotExist as exc:
            raise Http404 from exc
        messages.success(request, _("Đã xoá khoá đăng nhập."))
        return redirect("account:passkeys")


# SIGN-IN ---------------------------------------------------------------------
@require_POST
def passkey_sign_in_options(request):
    # Each call starts an anonymous session: bounded per address.
    rate_limit(scope="passkey-options", key=client_ip(request), limit=30, window=60)
    rp_id, _origin = services.relying_party(request)
    options, challenge = services.passkey_sign_in_options(rp_id=rp_id)
    return _json_options(request, SIGN_IN_STATE, options, challenge)


@require_POST
def passkey_sign_in(request):
    """Verify the passkey, then the same path as a password sign-in: the
    one-device rule, forced password change, session bookkeeping."""
    challenge = _challenge_take(request, SIGN_IN_STATE)
    if challenge is None:
        return _error(_("Phiên đăng nhập đã hết hạn. Vui lòng thử lại."))
    rp_id, origin = services.relying_party(request)
    try:
        user = services.passkey_authenticate(
            credential=request.body,
            challenge=challenge,
            rp_id=rp_id,
            origin=origin,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    device_id = device_id_ensure(request)
    if device_other_active(user=user, device_id=device_id):
        request.session[PENDING_SIGN_IN] = {
            "user_id": user.pk,
            "device_id": device_id,
            "at": int(time.time()),
            "next": next_url,
        }
        return JsonResponse({"redirect": "/dang-nhap/thiet-bi-khac/"})
    response = sign_in_complete(request, user, next_url, method="passkey")
    return JsonResponse({"redirect": response.url})
