"""The public verification pages: /xac-thuc/ (code or file) and /xac-thuc/<code>/.

No sign-in: an employer, a bank or a clinic checks what a citizen handed
them. Nothing personal is shown beyond the masked summary, and lookups are
limited per IP so that codes cannot be enumerated.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from vssid_portal.ratelimit import client_ip

from .forms import DocumentCodeForm, DocumentFileForm
from .verification import (
    DocumentStatus,
    document_check,
    document_code_display,
    document_code_normalise,
    document_file_check,
    document_file_rate_limit,
    document_lookup_missed,
    document_lookup_rate_limit,
)

INDEX_TEMPLATE = "insurance/verification/index.html"


def _page(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@method_decorator(never_cache, name="dispatch")
class VerificationIndexView(View):
    """Type a code (GET ?ma=) or upload a file (posted to the file view)."""

    def get(self, request):
        code_form = DocumentCodeForm(request.GET if "ma" in request.GET else None)
        if code_form.is_bound and code_form.is_valid():
            return redirect("verification:detail", code=code_form.cleaned_data["ma"])
        return _page(
            request,
            INDEX_TEMPLATE,
            {"code_form": code_form, "file_form": DocumentFileForm()},
            status=400 if code_form.is_bound else 200,
        )


@method_decorator(never_cache, name="dispatch")
class VerificationDetailView(View):
    """Where the QR leads: what the document says and whether it still holds."""

    def get(self, request, code: str):
        ip = client_ip(request)
        document_lookup_rate_limit(client_ip=ip)
        normalised = document_code_normalise(code)
        if normalised and normalised != code:
            return redirect("verification:detail", code=normalised)
        check = document_check(code=code)
        if check.status == DocumentStatus.NOT_FOUND:
            document_lookup_missed(client_ip=ip)
        return _page(
            request,
            "insurance/verification/detail.html",
            {
                "check": check,
                "display_code": document_code_display(normalised) if normalised else code[:40],
                "file_form": DocumentFileForm(),
            },
            status=404 if check.status == DocumentStatus.NOT_FOUND else 200,
        )


@method_decorator(never_cache, name="dispatch")
class VerificationFileView(View):
    """ "Kiểm tra tệp PDF": the file's signature and hash against the issued records."""

    def get(self, request):
        return redirect(reverse("verification:index") + "#kiem-tra-tep")

    def post(self, request):
        document_file_rate_limit(client_ip=client_ip(request))
        form = DocumentFileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = document_file_check(data=form.cleaned_data["tep"])
            except ValidationError as exc:
                form.add_error("tep", exc)
            else:
                return _page(
                    request,
                    "insurance/verification/file_result.html",
                    {"result": result, "file_form": DocumentFileForm()},
                )
        return _page(
            request,
            INDEX_TEMPLATE,
            {"code_form": DocumentCodeForm(), "file_form": form, "file_errors": True},
            status=400,
        )
