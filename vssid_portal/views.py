from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "home.html"


@never_cache
def healthz(request):
    """The bare view: no template, no database. Load balancers and the benchmark baseline."""
    return HttpResponse("ok", content_type="text/plain")
