import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
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


# The database cannot be reached (stopped, restarting, failed over, out of
# connections): a 503 the visitor can retry, not a 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """``handler500``: 503 while the database is unreachable, 500 otherwise.

    Django calls it inside the ``except`` block of the request's unhandled
    exception (``django.core.handlers.exception.response_for_exception``), so
    ``sys.exc_info()`` is that exception. Nothing here may touch the
    database: the page is rendered without the request (no session, no
    user, no context processor that could query), and a broken connection is
    replaced at the next request (``CONN_HEALTH_CHECKS``). Under ``/api/``
    the answer is JSON, like the 404.
    """
    exception = sys.exc_info()[1]
    unavailable = isinstance(exception, DATABASE_UNAVAILABLE)
    api = request.path.startswith("/api/")
    if unavailable:
        message = gettext("Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút.")
        if api:
            response = JsonResponse({"detail": message, "code": "service_unavailable"}, status=503)
        else:
            context = {
                "HOTLINE": settings.HOTLINE,
                "HOTLINE_TEL": settings.HOTLINE_TEL,
                "retry_path": request.path,
            }
            response = HttpResponse(loader.render_to_string("503.html", context), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response
    if api:
        return JsonResponse(
            {"detail": gettext("Hệ thống đang gặp sự cố."), "code": "server_error"}, status=500
        )
    return HttpResponseServerError(loader.render_to_string("500.html"))
