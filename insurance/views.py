"""The signed-in citizen's records under /ca-nhan/ (thin views over selectors)."""

import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from .access import CitizenRequiredMixin, children_for_viewer
from .card_image import card_png_cached, card_png_key
from .cards import card_number_parse, card_validity, kcb_display
from .month_marks import month_marks_for_history
from .pdf import card_attestation_issue, history_extract_issue
from .records_cache import cached_section
from .selectors import (
    benefits_for_person,
    card_for_person,
    history_for_person,
    one_time_estimate_for_person,
    visit_totals,
    visit_years_for_person,
    visits_for_person,
)

VISITS_PER_PAGE = 20


def _today() -> dt.date:
    return timezone.localdate()


def _private(response: HttpResponse) -> HttpResponse:
    """Personal data: browsers may keep it briefly, shared caches never."""
    patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
    return response


# Pages a guardian may open for a child: name in insurance/urls.py -> key.
CHILD_SECTIONS = (
    "dashboard",
    "card",
    "card-image",
    "card-attestation",
    "history",
    "history-pdf",
    "visits",
)
OWN_SECTIONS = (*CHILD_SECTIONS, "benefits", "one-time-estimate")


def records_urls(*, child_id: int | None) -> dict[str, str]:
    """The records pages of the viewer (``child_id`` None) or of one child."""
    if child_id is None:
        return {name.replace("-", "_"): reverse(f"insurance:{name}") for name in OWN_SECTIONS}
    return {
        name.replace("-", "_"): reverse(f"insurance:child-{name}", args=[child_id])
        for name in CHILD_SECTIONS
    }


class RecordsPageMixin(CitizenRequiredMixin):
    section: str = ""
    # The registry part of the page (insurance/sections/…), kept per viewer by
    # records_cache; the page template around it is drawn on every request.
    section_template: str = ""

    def get_section_context(self) -> dict:
        """What the section template shows (queries run only on a cache miss)."""
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            person=self.person,
            section=self.section,
            child=self.owner.child,
            children=children_for_viewer(self.request.user),
            urls=records_urls(child_id=self.owner.child_id),
        )
        if self.section_template:
            shared = {key: context[key] for key in ("person", "child", "urls")}
            context["section_html"] = cached_section(
                self.section,
                owner=self.owner,
                viewer=self.request.user,
                render=lambda: render_to_string(
                    self.section_template, {**shared, **self.get_section_context()}
                ),
            )
        return context

    def render_to_response(self, context, **kwargs):
        return _private(super().render_to_response(context, **kwargs))


class DashboardView(RecordsPageMixin, TemplateView):
    template_name = "insurance/dashboard.html"
    section = "dashboard"
    section_template = "insurance/sections/dashboard.html"

    def get_section_context(self) -> dict:
        card = card_for_person(person=self.person)
        context = {"card": card}
        if card is not None:
            context["validity"] = card_validity(
                valid_from=card.valid_from, valid_to=card.valid_to, today=_today()
            )
        return context


class CardView(RecordsPageMixin, TemplateView):
    template_name = "insurance/card.html"
    section = "card"
    section_template = "insurance/sections/card.html"

    def get_section_context(self) -> dict:
        card = card_for_person(person=self.person)
        context = {"card": card}
        if card is not None:
            context.update(
                validity=card_validity(
                    valid_from=card.valid_from, valid_to=card.valid_to, today=_today()
                ),
                printed_number=card_number_parse(card.card_number).printed,
                kcb=kcb_display(card.kcb_code),
            )
        return context


class CardImageView(CitizenRequiredMixin, View):
    """The card PNG of the signed-in citizen; no id in the URL, so only theirs."""

    def get(self, request, **kwargs):
        card = card_for_person(person=self.person)
        if card is None:
            raise Http404("no card")
        key = card_png_key(card=card, person=self.person)
        etag = f'"{key[:32]}"'
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(
                card_png_cached(card=card, person=self.person, key=key), content_type="image/png"
            )
        response["ETag"] = etag
        if "tai-ve" in request.GET:
            response["Content-Disposition"] = (
                f'attachment; filename="the-bhyt-{self.person.insurance_number}.png"'
            )
        patch_cache_control(response, private=True, max_age=300)
        return response


class HistoryView(RecordsPageMixin, TemplateView):
    template_name = "insurance/history.html"
    section = "history"
    section_template = "insurance/sections/history.html"

    def get_section_context(self) -> dict:
        history = history_for_person(person=self.person)
        marks = month_marks_for_history(history, today=_today(), child_id=self.owner.child_id)
        return {"history": history, "marks": marks}


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """A personal PDF to download: never kept by shared caches, not indexed."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    return _private(response)


class HistoryPdfView(CitizenRequiredMixin, View):
    """The extract: signed, with its check code (a new document per download)."""

    def get(self, request, **kwargs):
        _record, content = history_extract_issue(person=self.person, today=_today())
        return pdf_response(
            content, filename=f"qua-trinh-tham-gia-{self.person.insurance_number}.pdf"
        )


class CardAttestationPdfView(CitizenRequiredMixin, View):
    """ "Giấy xác nhận thẻ BHYT": what an employer or a clinic may ask for."""

    def get(self, request, **kwargs):
        card = card_for_person(person=self.person)
        if card is None:
            raise Http404("no card")
        _record, content = card_attestation_issue(card=card, person=self.person, today=_today())
        return pdf_response(
            content, filename=f"xac-nhan-the-bhyt-{self.person.insurance_number}.pdf"
        )


class BenefitsView(RecordsPageMixin, TemplateView):
    template_name = "insurance/benefits.html"
    section = "benefits"
    section_template = "insurance/sections/benefits.html"

    def get_section_context(self) -> dict:
        return {"benefits": benefits_for_person(person=self.person)}


class VisitsView(RecordsPageMixin, TemplateView):
    template_name = "insurance/visits.html"
    section = "visits"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        years = visit_years_for_person(person=self.person)
        raw_year = self.request.GET.get("nam", "").strip()
        year = None
        if raw_year:
            if raw_year.isdigit() and int(raw_year) in years:
                year = int(raw_year)
            else:
                context["year_error"] = _(
                    "Không có lần khám chữa bệnh nào trong năm {year}."
                ).format(year=raw_year[:4])
        visits = visits_for_person(person=self.person, year=year)
        page = Paginator(visits, VISITS_PER_PAGE).get_page(self.request.GET.get("trang"))
        context.update(
            years=years,
            year=year,
            raw_year=raw_year,
            page=page,
            totals=visit_totals(visits=visits),
        )
        return context


class OneTimeEstimateView(RecordsPageMixin, TemplateView):
    template_name = "insurance/one_time_estimate.html"
    section = "estimate"
    section_template = "insurance/sections/one_time_estimate.html"

    def get_section_context(self) -> dict:
        return {"estimate": one_time_estimate_for_person(person=self.person)}
