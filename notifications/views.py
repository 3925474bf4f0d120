from django.conf import settings
from django.http import Http404
from django.views.generic import ListView

from .selectors import message_list


class OutboxView(ListView):
    """/dev/outbox/: what the portal would have sent, for developers (DEBUG only)."""

    template_name = "notifications/outbox.html"
    context_object_name = "messages_sent"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not settings.DEBUG:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        recipient = self.request.GET.get("to") or None
        return message_list(recipient=recipient).prefetch_related("attachments")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["to"] = self.request.GET.get("to", "")
        return context
