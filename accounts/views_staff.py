"""/can-bo/tai-khoan/: a clerk finds an account by mã số, unlocks it or
issues a new initial password. Accounts outside the clerk's office read as
"not found"."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from vssid_portal.ratelimit import client_ip

from .audit import record_access_log
from .forms import StaffAccountSearchForm
from .models import AccountEvent, User
from .selectors import account_office, staff_can_manage_account
from .services import account_initial_password_issue, account_unlock


class StaffRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_staff:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class StaffAccountView(StaffRequiredMixin, TemplateView):
    template_name = "accounts/staff_account.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = StaffAccountSearchForm(self.request.GET or None)
        context["form"] = form
        if form.is_bound and form.is_valid():
            account = User.objects.filter(username=form.cleaned_data["q"]).first()
            if account is not None and staff_can_manage_account(
                staff=self.request.user, user=account
            ):
                context["account"] = account
                # Looking an account up at the counter is itself recorded.
                record_access_log(
                    request=self.request, insurance_number=account.username, subject="account"
                )
                context["office"] = account_office(user=account)
                context["events"] = AccountEvent.objects.filter(user=account).select_related(
                    "actor"
                )[:10]
            else:
                context["not_found"] = True
        return context


class StaffAccountActionView(View):
    action = ""

    def dispatch(self, request, *args, **kwargs):
        # A POST-only action: anyone but staff gets 404, not a sign-in page.
        if not (request.user.is_authenticated and request.user.is_staff):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, username: str):
        account = User.objects.filter(username=username).first()
        if account is None:
            raise Http404
        try:
            if self.action == "unlock":
                account_unlock(user=account, actor=request.user, ip=client_ip(request))
                messages.success(
                    request, _("Đã mở khoá tài khoản {username}.").format(username=username)
                )
            else:
                account_initial_password_issue(
                    user=account, actor=request.user, ip=client_ip(request)
                )
                messages.success(
                    request,
                    _(
                        "Đã cấp lại mật khẩu khởi tạo cho tài khoản {username}: mật khẩu được gửi "
                        "qua SMS tới số điện thoại đã đăng ký, có hiệu lực 30 ngày."
                    ).format(username=username),
                )
        except PermissionDenied as exc:
            raise Http404 from exc
        return redirect(reverse("staff_accounts:search") + "?" + urlencode({"q": username}))
