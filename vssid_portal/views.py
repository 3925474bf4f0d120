from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "home.html"


@never_cache
def healthz(request):
    """The bare view: no template, no database. Load balancers and the benchmark baseline."""
    return HttpResponse("ok", content_type="text/plain")


def page_not_found(request, exception):
    """404 for an unknown URL: JSON under /api/ (what API clients parse), the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Không tìm thấy."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)
