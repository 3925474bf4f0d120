"""Pages of the lookups (Tra cứu). Thin: forms validate, selectors read.

The searches are GET (``?q=`` and filters), so a result page has a URL that
can be shared, bookmarked and opened without JavaScript. The mã số BHXH
lookup is a POST: the ID number never lands in a URL, a log line or the
browser history.
"""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.generic import FormView, TemplateView

from vssid_portal.ratelimit import client_ip, rate_limit

from . import selectors
from .forms import (
    CollectionPointSearchForm,
    EmployerSearchForm,
    FacilitySearchForm,
    InsuranceNumberLookupForm,
    OfficeSearchForm,
)
from .models import Office
from .services import InsuranceLookupOutcome, insurance_lookup_rate_limit, insurance_number_lookup

PAGE_SIZE = 20
SEARCH_LIMIT_PER_MINUTE = 120


def search_rate_limit(request) -> None:
    """VAL-06: searches are cheap but not free; bound them per client IP."""
    rate_limit(
        scope="lookup-search", key=client_ip(request), limit=SEARCH_LIMIT_PER_MINUTE, window=60
    )


class LookupIndexView(TemplateView):
    template_name = "lookup/index.html"


class SearchView(TemplateView):
    """A GET search: bind the form to the query string, page the results.

    Subclasses say which rows the valid form selects (``results``) and the
    same search without the text (``scope``) for "did you mean".
    """

    form_class: type
    result_template = ""
    title = ""

    def get_form(self):
        # Always bound: an empty query string is a valid "show the start".
        return self.form_class(self.request.GET)

    def ready(self, form) -> bool:
        """Whether the form says enough to search (else: an introduction)."""
        return True

    def results(self, form) -> QuerySet:
        raise NotImplementedError

    def scope(self, form) -> QuerySet:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.get_form()
        context.update(
            form=form,
            title=self.title,
            result_template=self.result_template,
            searched=False,
            page_obj=None,
        )
        if not form.is_valid() or not self.ready(form):
            return context
        q = form.cleaned_data.get("q", "")
        if q:
            search_rate_limit(self.request)
        context.update(searched=True, q=q, share_url=self.request.build_absolute_uri())
        # The results are public reference data, the same for every visitor:
        # the rendered list is cached by search and language, and a change
        # to the reference data starts a new generation (selectors).
        key = selectors.results_cache_key(
            type(self).__name__, translation.get_language(), self.request.GET
        )
        html = cache.get(key)
        if html is None:
            page = Paginator(self.results(form), PAGE_SIZE).get_page(self.request.GET.get("page"))
            context["page_obj"] = page
            if q and page.paginator.count == 0:
                context["suggestion"] = selectors.search_suggestion(scope=self.scope(form), q=q)
            html = render_to_string("lookup/includes/results.html", context, self.request)
            cache.set(key, html, selectors.RESULTS_CACHE_SECONDS)
        context["results_html"] = mark_safe(html)  # noqa: S308 (rendered by our template)
        return context


class OfficeSearchView(SearchView):
    result_template = "lookup/includes/office.html"
    template_name = "lookup/offices.html"
    form_class = OfficeSearchForm
    title = _("Tra cứu cơ quan BHXH")

    def results(self, form):
        data = form.cleaned_data
        queryset = selectors.office_search(q=data["q"], province_code=data["province"])
        if not data["q"] and not data["province"]:
            # Browsing from the top: the 63 province offices; each opens its tree.
            queryset = queryset.filter(level=Office.Level.PROVINCE)
        return queryset

    def scope(self, form):
        return selectors.office_search(province_code=form.cleaned_data["province"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        data = form.cleaned_data if form.is_valid() else {}
        context["browsing_province"] = bool(data.get("province")) and not data.get("q")
        return context


class FacilitySearchView(SearchView):
    result_template = "lookup/includes/facility.html"
    template_name = "lookup/facilities.html"
    form_class = FacilitySearchForm
    title = _("Tra cứu cơ sở khám chữa bệnh BHYT")

    def results(self, form):
        return selectors.facility_search(**form.filters())

    def scope(self, form):
        return selectors.facility_search(**{**form.filters(), "q": ""})


class EmployerSearchView(SearchView):
    result_template = "lookup/includes/employer.html"
    template_name = "lookup/employers.html"
    form_class = EmployerSearchForm
    title = _("Tra cứu đơn vị tham gia BHXH")

    def ready(self, form):
        # No browsing of every employer: a code, tax code or name is needed.
        return bool(form.cleaned_data.get("q"))

    def results(self, form):
        return selectors.employer_search(q=form.cleaned_data["q"])

    def scope(self, form):
        return selectors.employer_search()


class CollectionPointSearchView(SearchView):
    result_template = "lookup/includes/collection_point.html"
    template_name = "lookup/collection_points.html"
    form_class = CollectionPointSearchForm
    title = _("Tra cứu điểm thu, đại lý thu BHXH, BHYT")

    def ready(self, form):
        return bool(form.cleaned_data.get("province"))

    def _filters(self, form) -> dict:
        data = form.cleaned_data
        return {"province_code": data["province"], "district_code": data["district"]}

    def results(self, form):
        queryset = selectors.collection_point_search(
            **self._filters(form), q=form.cleaned_data["q"]
        )
        if form.cleaned_data["kind"]:
            queryset = queryset.filter(kind=form.cleaned_data["kind"])
        return queryset

    def scope(self, form):
        return selectors.collection_point_search(**self._filters(form))


@method_decorator([never_cache, csrf_protect], name="dispatch")
class InsuranceNumberLookupView(FormView):
    """Tra cứu mã số BHXH: one person, safe fields only, rate-limited per IP."""

    template_name = "lookup/insurance_number.html"
    form_class = InsuranceNumberLookupForm

    def post(self, request, *args, **kwargs):
        # Counted before the form is checked: wrong captchas use up the quota too.
        insurance_lookup_rate_limit(client_ip=client_ip(request))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        result = insurance_number_lookup(
            full_name=data["full_name"],
            date_of_birth=data["date_of_birth"],
            province_code=data["province"],
            id_number=data["id_number"],
            parent_name=data["parent_name"],
        )
        # A fresh form (new captcha) below the answer. After a miss the
        # citizen corrects what they typed, so it stays, except the ID
        # number, which is never written back; after a find nothing personal
        # is repeated (the page must not show the exact birth date).
        initial = {"province": data["province"]}
        if result.outcome != InsuranceLookupOutcome.FOUND:
            initial.update(
                full_name=data["full_name"],
                date_of_birth=data["date_of_birth"],
                parent_name=data["parent_name"],
            )
        new_form = self.form_class(initial=initial)
        return self.render_to_response(
            self.get_context_data(form=new_form, result=result, Outcome=InsuranceLookupOutcome)
        )
