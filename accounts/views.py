import time
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from vssid_portal.ratelimit import RateLimited, client_ip

from .audit import account_sign_in_record, device_label
from .forms import (
    ContactChangeForm,
    ForgotPasswordForm,
    OtpForm,
    PasswordChangeForm,
    SecondFactorForm,
    SetPasswordForm,
    SignInForm,
)
from .lockout import password_check_limit
from .models import ContactChange, OtpChallenge, User, UserSession
from .otp import otp_confirm, otp_resend
from .selectors import account_sms_phone, password_expired
from .services import (
    contact_change_apply,
    contact_change_request,
    device_takeover_apply,
    device_takeover_request,
    password_change_apply,
    password_change_request,
    password_reset_complete,
    password_reset_request,
    sessions_end_everywhere,
)
from .sessions import device_id_ensure, device_other_active
from .totp import totp_enabled

Purpose = OtpChallenge.Purpose
PENDING_SIGN_IN = "accounts_pending_sign_in"
OTP_STATE = "accounts_otp"
RESET_STATE = "accounts_password_reset"
PENDING_TTL = 10 * 60
BACKEND = "accounts.backends.LockoutBackend"

sensitive = method_decorator(sensitive_post_parameters(), name="dispatch")
no_cache = method_decorator(never_cache, name="dispatch")


def mask(recipient: str) -> str:
    """ "+84912345678" -> "•••• 678", "an@example.vn" -> "a•••@example.vn"."""
    if "@" in recipient:
        name, _at, domain = recipient.partition("@")
        return f"{name[:1]}•••@{domain}"
    return f"•••• {recipient[-3:]}" if recipient else ""


def otp_state_start(
    request,
    *,
    nonce: str,
    purpose: str,
    recipient: str,
    next_url: str = "",
    channel: str = OtpChallenge.Channel.SMS,
):
    request.session[OTP_STATE] = {
        "nonce": nonce,
        "purpose": str(purpose),
        "channel": str(channel),
        "hint": mask(recipient),
        "sent": [int(time.time())],
        "wrong": 0,
        "next": next_url,
    }


def _pending(request, key: str) -> dict | None:
    state = request.session.get(key)
    if not state or time.time() - state.get("at", 0) > PENDING_TTL:
        request.session.pop(key, None)
        return None
    return state


# SIGN IN ---------------------------------------------------------------------
class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        device_id_ensure(request)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        device_id = device_id_ensure(self.request)
        next_url = self.get_success_url()
        if device_other_active(user=user, device_id=device_id):
            self.request.session[PENDING_SIGN_IN] = {
                "user_id": user.pk,
                "device_id": device_id,
                "at": int(time.time()),
                "next": next_url,
            }
            return redirect("accounts:takeover")
        return sign_in_complete(self.request, user, next_url)


def sign_in_complete(request, user: User, next_url: str, *, method: str = "password"):
    auth_login(request, user, backend=BACKEND)
    account_sign_in_record(
        user=user, request=request, device_id=device_id_ensure(request), method=method
    )
    if user.must_change_password:
        if user.initial_password_expires_at is not None:
            messages.info(
                request,
                _("Đây là lần đăng nhập đầu tiên: vui lòng đổi mật khẩu khởi tạo để tiếp tục."),
            )
        else:
            messages.info(
                request,
                _("Mật khẩu đã dùng quá 6 tháng: vui lòng đổi mật khẩu mới để tiếp tục."),
            )
        return redirect("account:password-change")
    return redirect(next_url)


class SignOutView(auth_views.LogoutView):
    pass


@sensitive
@no_cache
class TakeoverView(View):
    """ "Tài khoản đang đăng nhập trên thiết bị khác": continue with an OTP or cancel."""

    template_name = "accounts/takeover.html"

    def get(self, request):
        pending = _pending(request, PENDING_SIGN_IN)
        if pending is None:
            return redirect("accounts:sign-in")
        user = User.objects.filter(pk=pending["user_id"]).first()
        return render(
            request, self.template_name, {"totp_on": user is not None and totp_enabled(user=user)}
        )

    def post(self, request):
        pending = _pending(request, PENDING_SIGN_IN)
        if pending is None or "cancel" in request.POST:
            request.session.pop(PENDING_SIGN_IN, None)
            return redirect("accounts:sign-in")
        user = User.objects.get(pk=pending["user_id"])
        challenge, nonce = device_takeover_request(
            user=user,
            device_id=pending["device_id"],
            ip=client_ip(request),
            channel=request.POST.get("method") or OtpChallenge.Channel.SMS,
            device=device_label(request.META.get("HTTP_USER_AGENT", "")),
        )
        otp_state_start(
            request,
            nonce=nonce,
            purpose=Purpose.DEVICE_TAKEOVER,
            recipient=challenge.recipient,
            channel=challenge.channel,
        )
        return redirect("accounts:otp")


# OTP -------------------------------------------------------------------------
@sensitive
@no_cache
class OtpView(FormView):
    """ "Xác nhận": one page for every code, whatever it confirms."""

    form_class = OtpForm
    template_name = "accounts/otp.html"

    def get_form_class(self):
        return SecondFactorForm if self.by_app else OtpForm

    def dispatch(self, request, *args, **kwargs):
        self.state = request.session.get(OTP_STATE)
        if not self.state:
            return redirect(
                "accounts:sign-in" if not request.user.is_authenticated else "account:home"
            )
        self.purpose = self.state["purpose"]
        self.by_app = self.state.get("channel") == OtpChallenge.Channel.TOTP
        if self.purpose in (Purpose.PASSWORD_CHANGE, Purpose.CONTACT_CHANGE) and (
            not request.user.is_authenticated
        ):
            request.session.pop(OTP_STATE, None)
            return redirect("accounts:sign-in")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hint"] = self.state.get("hint", "")
        context["purpose_label"] = OtpChallenge.Purpose(self.purpose).label
        context["by_email"] = self.purpose == Purpose.CONTACT_CHANGE
        context["by_app"] = self.by_app
        context["minutes"] = settings.OTP_TTL_SECONDS // 60
        return context

    def post(self, request, *args, **kwargs):
        if "resend" in request.POST:
            return self.resend()
        if "by_sms" in request.POST and self.by_app:
            return self.switch_to_sms()
        return super().post(request, *args, **kwargs)

    def switch_to_sms(self):
        """No access to the app right now: the same step with an SMS code."""
        request = self.request
        try:
            challenge, nonce = otp_resend(
                nonce=self.state["nonce"],
                purpose=self.purpose,
                ip=client_ip(request),
                channel=OtpChallenge.Channel.SMS,
            )
        except ValidationError:
            # The step was already completed or replaced in another tab.
            request.session.pop(OTP_STATE, None)
            messages.warning(request, _("Phiên xác nhận đã hết hạn. Vui lòng làm lại."))
            return redirect("account:home" if request.user.is_authenticated else "accounts:sign-in")
        otp_state_start(
            request,
            nonce=nonce,
            purpose=self.purpose,
            recipient=challenge.recipient,
            next_url=self.state.get("next", ""),
        )
        return redirect("accounts:otp")

    def resend(self):
        request = self.request
        now = int(time.time())
        sent = [t for t in self.state.get("sent", []) if now - t < 3600]
        if sent and now - sent[-1] < settings.OTP_RESEND_SECONDS:
            raise RateLimited(settings.OTP_RESEND_SECONDS - (now - sent[-1]))
        if len(sent) >= settings.OTP_MAX_PER_HOUR:
            raise RateLimited(sent[0] + 3600 - now)
        try:
            _challenge, nonce = otp_resend(
                nonce=self.state["nonce"], purpose=self.purpose, ip=client_ip(request)
            )
            self.state["nonce"] = nonce
        except ValidationError:
            pass  # a made-up "Quên mật khẩu" pair: same reply as a real one
        self.state["sent"] = [*sent, now]
        self.state["wrong"] = 0
        request.session[OTP_STATE] = self.state
        messages.success(request, _("Đã gửi mã OTP mới. Mã cũ không còn dùng được."))
        return redirect("accounts:otp")

    def form_valid(self, form):
        request = self.request
        ip = client_ip(request)
        confirm = partial(
            otp_confirm,
            nonce=self.state["nonce"],
            purpose=self.purpose,
            code=form.cleaned_data["code"],
        )
        try:
            if self.purpose == Purpose.DEVICE_TAKEOVER:
                pending = _pending(request, PENDING_SIGN_IN)
                if pending is None:
                    request.session.pop(OTP_STATE, None)
                    messages.warning(
                        request, _("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.")
                    )
                    return redirect("accounts:sign-in")
                user = confirm(apply=partial(device_takeover_apply, ip=ip))
                request.session.pop(OTP_STATE, None)
                request.session.pop(PENDING_SIGN_IN, None)
                return sign_in_complete(request, user, pending["next"])
            if self.purpose == Purpose.PASSWORD_CHANGE:
                user = confirm(
                    user=request.user,
                    apply=partial(
                        password_change_apply, keep_session_key=request.session.session_key, ip=ip
                    ),
                )
                update_session_auth_hash(request, user)
                request.session.pop(OTP_STATE, None)
                messages.success(
                    request,
                    _("Đổi mật khẩu thành công. Các thiết bị khác đã được đăng xuất."),
                )
                return redirect("account:home")
            if self.purpose == Purpose.CONTACT_CHANGE:
                change = confirm(user=request.user, apply=partial(contact_change_apply, ip=ip))
                request.session.pop(OTP_STATE, None)
                messages.success(
                    request,
                    _(
                        "Đã ghi nhận yêu cầu. Thông tin liên hệ mới có hiệu lực sau {hours} giờ "
                        "(lúc {when}); số điện thoại và thư điện tử cũ đã được thông báo."
                    ).format(
                        hours=settings.CONTACT_CHANGE_COOLING_OFF_HOURS,
                        when=timezone.localtime(change.effective_at).strftime("%H:%M %d/%m/%Y"),
                    ),
                )
                return redirect("account:home")
            # PASSWORD_RESET
            challenge = confirm(apply=lambda challenge: challenge)
            request.session.pop(OTP_STATE, None)
            request.session[RESET_STATE] = {"user_id": challenge.user_id, "at": int(time.time())}
            return redirect("accounts:password-reset-new")
        except ValidationError as exc:
            if exc.code == "invalid":
                # No such challenge (a made-up "Quên mật khẩu" pair): count
                # tries like a real one so both read the same.
                self.state["wrong"] = self.state.get("wrong", 0) + 1
                request.session[OTP_STATE] = self.state
                left = 5 - self.state["wrong"]
                from .otp import MESSAGES

                exc = ValidationError(
                    MESSAGES["wrong"].format(left=left) if left > 0 else MESSAGES["too_many"]
                )
            form.add_error("code", exc)
            return self.form_invalid(form)


# FORGOTTEN PASSWORD ----------------------------------------------------------
@sensitive
@no_cache
class ForgotPasswordView(FormView):
    form_class = ForgotPasswordForm
    template_name = "accounts/forgot_password.html"

    def form_valid(self, form):
        nonce = password_reset_request(
            username=form.cleaned_data["username"],
            phone=form.cleaned_data["phone"],
            ip=client_ip(self.request),
        )
        otp_state_start(
            self.request,
            nonce=nonce,
            purpose=Purpose.PASSWORD_RESET,
            recipient=form.cleaned_data["phone"],
        )
        messages.info(
            self.request,
            _(
                "Nếu mã số BHXH và số điện thoại khớp với tài khoản đã đăng ký, mã OTP đã được "
                "gửi qua SMS tới số điện thoại đó."
            ),
        )
        return redirect("accounts:otp")


@sensitive
@no_cache
class PasswordResetNewView(FormView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_new.html"

    def dispatch(self, request, *args, **kwargs):
        state = _pending(request, RESET_STATE)
        if state is None:
            messages.warning(request, _("Phiên đặt lại mật khẩu đã hết hạn. Vui lòng làm lại."))
            return redirect("accounts:forgot-password")
        self.user = User.objects.get(pk=state["user_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.user}

    def form_valid(self, form):
        user = password_reset_complete(
            user=self.user,
            new_password=form.cleaned_data["new_password1"],
            ip=client_ip(self.request),
        )
        self.request.session.pop(RESET_STATE, None)
        if self.request.user.is_authenticated:
            auth_logout(self.request)
        if user.locked_at is not None:
            messages.warning(
                self.request,
                _(
                    "Đã đặt lại mật khẩu. Tài khoản vẫn đang bị khoá: vui lòng liên hệ cơ quan BHXH "
                    "gần nhất hoặc tổng đài {hotline} để được mở khoá."
                ).format(hotline=settings.HOTLINE),
            )
        else:
            messages.success(self.request, _("Đã đặt lại mật khẩu. Vui lòng đăng nhập."))
        return redirect("accounts:sign-in")


# ACCOUNT (/ca-nhan/tai-khoan/) -----------------------------------------------
class AccountHomeView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/account_home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs)
        context["phone_masked"] = mask(account_sms_phone(user=user))
        context["password_expired"] = password_expired(user=user)
        context["sessions"] = UserSession.objects.filter(user=user, ended_at__isnull=True)[:10]
        context["current_session_key"] = self.request.session.session_key
        context["totp_on"] = totp_enabled(user=user)
        context["passkeys"] = user.passkeys.count()
        context["pending_change"] = ContactChange.objects.filter(
            user=user, status=ContactChange.Status.PENDING
        ).first()
        return context


@sensitive
@no_cache
class PasswordChangeView(LoginRequiredMixin, FormView):
    """ "Đổi mật khẩu": old, new twice, "Hoàn tất", then the SMS code."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        password_check_limit(user=request.user)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        challenge, nonce = password_change_request(
            user=self.request.user,
            new_password=form.cleaned_data["new_password1"],
            ip=client_ip(self.request),
        )
        otp_state_start(
            self.request,
            nonce=nonce,
            purpose=Purpose.PASSWORD_CHANGE,
            recipient=challenge.recipient,
            channel=challenge.channel,
        )
        return redirect("accounts:otp")

    def get_context_data(self, **kwargs):
        return super().get_context_data(totp_on=totp_enabled(user=self.request.user), **kwargs)


@sensitive
@no_cache
class ContactChangeView(LoginRequiredMixin, FormView):
    """Phone or e-mail: password again, captcha, "Ghi nhận", e-mail code."""

    form_class = ContactChangeForm
    template_name = "accounts/contact_change.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        password_check_limit(user=request.user)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        challenge, nonce = contact_change_request(
            user=self.request.user,
            phone=form.cleaned_data["phone"],
            email=form.cleaned_data["email"],
            ip=client_ip(self.request),
        )
        otp_state_start(
            self.request, nonce=nonce, purpose=Purpose.CONTACT_CHANGE, recipient=challenge.recipient
        )
        return redirect("accounts:otp")


class SignOutEverywhereView(LoginRequiredMixin, View):
    def post(self, request):
        sessions_end_everywhere(user=request.user, ip=client_ip(request))
        auth_logout(request)
        messages.success(request, _("Đã đăng xuất tài khoản trên mọi thiết bị."))
        return redirect(reverse("accounts:sign-in"))
