"""/ca-nhan/to-khai/: "Xem tờ khai" — the signed-in citizen's submitted tờ khai.

Own tờ khai and those filed for a child; which ones a citizen may open is
decided in ``insurance.access.declarations_visible_filter``. Each can be
read on the phone, downloaded as PDF, e-mailed to a typed address
(rate-limited) and shared through the phone's share sheet.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from insurance.access import CitizenRequiredMixin
from vssid_portal.ratelimit import client_ip

from . import documents
from .corrections import correction_grant
from .forms import DeclarationEmailForm
from .lifecycle import correction_request_lines
from .review import POLICY
from .selectors import citizen_declaration, citizen_declarations
from .services import declaration_email_send

PER_PAGE = 20


@method_decorator(never_cache, name="dispatch")
class DeclarationListView(CitizenRequiredMixin, View):
    def get(self, request):
        page = Paginator(citizen_declarations(user=request.user), PER_PAGE).get_page(
            request.GET.get("trang")
        )
        return render(request, "declarations/mine_list.html", {"page": page})


@method_decorator(never_cache, name="dispatch")
class DeclarationDetailView(CitizenRequiredMixin, View):
    """One tờ khai in detail, with PDF, "Gửi qua email" and "Chia sẻ"."""

    def get_declaration(self, code: str):
        declaration = citizen_declaration(user=self.request.user, code=code)
        if declaration is None:
            raise Http404
        return declaration

    def render_page(self, declaration, form, status=200):
        return render(
            self.request,
            "declarations/mine_detail.html",
            {
                "declaration": declaration,
                "form": form,
                "share_url": documents.download_url(declaration=declaration),
                "pdf_url": documents.download_path(declaration=declaration),
                "correction_lines": correction_request_lines(policy=POLICY, case=declaration),
            },
            status=status,
        )

    def get(self, request, code: str):
        return self.render_page(self.get_declaration(code), DeclarationEmailForm())

    def post(self, request, code: str):
        declaration = self.get_declaration(code)
        form = DeclarationEmailForm(request.POST)
        if not form.is_valid():
            return self.render_page(declaration, form, status=400)
        # Raises RateLimited (429 page) past the limits.
        declaration_email_send(
            declaration=declaration,
            email=form.cleaned_data["email"],
            actor=request.user,
            ip=client_ip(request),
        )
        messages.success(
            request,
            _("Đã gửi tờ khai đến {email}. Thư có thể đến sau vài phút.").format(
                email=form.cleaned_data["email"]
            ),
        )
        return redirect("citizen_declarations:detail", code=declaration.reference_code)


class DeclarationPdfView(DeclarationDetailView):
    def get(self, request, code: str):
        declaration = self.get_declaration(code)
        response = HttpResponse(
            documents.declaration_pdf(declaration=declaration), content_type="application/pdf"
        )
        disposition = "attachment" if "tai-ve" in request.GET else "inline"
        response["Content-Disposition"] = (
            f'{disposition}; filename="{documents.pdf_filename(declaration)}"'
        )
        response["X-Robots-Tag"] = "noindex"
        patch_cache_control(response, private=True, no_store=True)
        return response

    def post(self, request, code: str):
        raise Http404


@method_decorator(never_cache, name="dispatch")
class DeclarationCorrectView(CitizenRequiredMixin, View):
    """ "Bổ sung hồ sơ" from the account: grant this browser, then the page."""

    def post(self, request, code: str):
        declaration = citizen_declaration(user=request.user, code=code)
        if declaration is None:
            raise Http404
        if declaration.status != declaration.Status.RETURNED:
            return redirect("citizen_declarations:detail", code=declaration.reference_code)
        correction_grant(request, declaration=declaration)
        return redirect("declarations:correction")
