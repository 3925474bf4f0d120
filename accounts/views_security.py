"""The citizen's log (/ca-nhan/nhat-ky/), the authenticator app and recovery
codes, the pending contact change and the "Không phải tôi" page."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from vssid_portal.ratelimit import client_ip, rate_limit

from .forms import TotpConfirmForm, TotpSetupForm
from .lockout import password_check_limit
from .models import ContactChange
from .selectors import account_log, account_log_entries
from .services import (
    contact_change_cancel,
    contact_change_from_token,
    contact_change_report,
    contact_change_reportable,
)
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
from .views import mask, no_cache, sensitive

LOG_PAGE_SIZE = 20


# LOG -------------------------------------------------------------------------
@no_cache
class AccountLogView(LoginRequiredMixin, TemplateView):
    """ "Nhật ký sử dụng": sign-ins, devices, changes, and staff openings."""

    template_name = "accounts/log.html"

    def get_context_data(self, **kwargs):
        page_obj = Paginator(account_log(user=self.request.user), LOG_PAGE_SIZE).get_page(
            self.request.GET.get("trang")
        )
        return super().get_context_data(
            page_obj=page_obj, entries=account_log_entries(keys=list(page_obj)), **kwargs
        )


# AUTHENTICATOR APP -----------------------------------------------------------
@sensitive
@no_cache
class TotpHomeView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/totp_home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            totp_on=totp_enabled(user=user),
            codes_left=recovery_codes_left(user=user),
            **kwargs,
        )

    def post(self, request):
        """ "Bật ứng dụng xác thực": a new secret, then the QR page."""
        try:
            totp_setup_begin(user=request.user)
        except ValidationError as exc:
            messages.info(request, " ".join(exc.messages))
            return redirect("account:totp")
        return redirect("account:totp-setup")


@sensitive
@no_cache
class TotpSetupView(LoginRequiredMixin, View):
    """The QR code and the secret, until the first right code; then the 10
    recovery codes, shown in this one answer and never again."""

    template_name = "accounts/totp_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.device = totp_setup_pending(user=request.user)
            if self.device is None:
                return redirect("account:totp")
        return super().dispatch(request, *args, **kwargs)

    def render_setup(self, form, status=200):
        try:
            provisioning = totp_provisioning(device=self.device, user=self.request.user)
        except ValidationError:
            self.device.delete()
            return redirect("account:totp")
        return render(
            self.request,
            self.template_name,
            {"form": form, "provisioning": provisioning},
            status=status,
        )

    def get(self, request):
        return self.render_setup(TotpSetupForm())

    def post(self, request):
        form = TotpSetupForm(request.POST)
        if form.is_valid():
            rate_limit(scope="totp-setup", key=str(request.user.pk), limit=10, window=900)
            try:
                codes = totp_setup_confirm(
                    user=request.user, code=form.cleaned_data["code"], ip=client_ip(request)
                )
            except ValidationError as exc:
                form.add_error("code", exc)
            else:
                return render(
                    request, "accounts/recovery_codes.html", {"codes": codes, "first_time": True}
                )
        return self.render_setup(form, status=400)


@sensitive
@no_cache
class TotpConfirmActionView(LoginRequiredMixin, View):
    """Turn the app off, or get new recovery codes: password and a code."""

    action = ""  # "disable" or "regenerate"
    template_name = "accounts/totp_confirm.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not totp_enabled(user=request.user):
            return redirect("account:totp")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, form=None, status=200):
        return render(
            request,
            self.template_name,
            {"form": form or TotpConfirmForm(), "action": self.action},
            status=status,
        )

    def post(self, request):
        password_check_limit(user=request.user)
        form = TotpConfirmForm(request.POST)
        if not form.is_valid():
            return self.get(request, form, status=400)
        data = form.cleaned_data
        ip = client_ip(request)
        try:
            if self.action == "disable":
                totp_disable(user=request.user, password=data["password"], code=data["code"], ip=ip)
            else:
                codes = recovery_codes_regenerate(
                    user=request.user, password=data["password"], code=data["code"], ip=ip
                )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field, errors)
            else:
                form.add_error(None, exc)
            return self.get(request, form, status=400)
        if self.action == "disable":
            messages.success(
                request,
                _("Đã tắt ứng dụng xác thực. Mã OTP sẽ được gửi qua SMS như trước đây."),
            )
            return redirect("account:totp")
        return render(request, "accounts/recovery_codes.html", {"codes": codes})


# CONTACT CHANGE --------------------------------------------------------------
class ContactChangeCancelView(LoginRequiredMixin, View):
    """The owner withdraws their own change while it still waits."""

    def post(self, request):
        change = ContactChange.objects.filter(
            user=request.user, status=ContactChange.Status.PENDING
        ).first()
        if change is None:
            messages.info(request, _("Không có yêu cầu nào đang chờ hiệu lực."))
            return redirect("account:home")
        try:
            contact_change_cancel(user=request.user, change_id=change.pk, ip=client_ip(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã huỷ yêu cầu đổi thông tin liên hệ."))
        return redirect("account:home")


@method_decorator(never_cache, name="dispatch")
class NotMeView(View):
    """ "Không phải tôi" from the notice to the old phone or e-mail.

    GET only shows what will happen (link scanners fetch URLs in mail and
    SMS); the POST cancels the change, locks the account and signs every
    device out.
    """

    template_name = "accounts/not_me.html"

    def dispatch(self, request, token: str):
        rate_limit(scope="not-me", key=client_ip(request), limit=20, window=3600)
        self.change = contact_change_from_token(token)
        if self.change is None:
            return render(request, "accounts/not_me_invalid.html", status=404)
        return super().dispatch(request, token)

    def context(self) -> dict:
        change = self.change
        return {
            "change": change,
            "usable": contact_change_reportable(change),
            "phone_hint": mask(change.new_phone),
            "email_hint": mask(change.new_email),
            "applied": change.status == ContactChange.Status.APPLIED,
            "now": timezone.now(),
        }

    def get(self, request, token: str):
        return render(request, self.template_name, self.context())

    def post(self, request, token: str):
        if not contact_change_reportable(self.change):
            return render(request, self.template_name, self.context(), status=400)
        try:
            contact_change_report(change_id=self.change.pk, ip=client_ip(request))
        except ValidationError:
            self.change.refresh_from_db()
            return render(request, self.template_name, self.context(), status=400)
        return render(request, "accounts/not_me_done.html")
