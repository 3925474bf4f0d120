"""/ca-nhan/thong-bao/: the message centre of the signed-in account.

Every notice the account was sent is kept here; SMS and e-mail only point
to it. An entry is shown only to its account (and to the guardian of a
child's account); anyone else gets a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache

from .inbox import inbox_entry_mark_read, inbox_mark_all_read
from .selectors import inbox_entries, inbox_entry_for_viewer, inbox_item, inbox_unread_count


@method_decorator(never_cache, name="dispatch")
class InboxListView(LoginRequiredMixin, View):
    """The list, newest first, with the unread ones marked."""

    def get(self, request):
        page = Paginator(
            inbox_entries(viewer=request.user), settings.NOTIFICATIONS_INBOX_PAGE_SIZE
        ).get_page(request.GET.get("trang"))
        items = [inbox_item(entry=entry, viewer=request.user) for entry in page.object_list]
        return render(
            request,
            "notifications/inbox_list.html",
            {"page": page, "items": items, "unread": inbox_unread_count(user_id=request.user.pk)},
        )


@method_decorator(never_cache, name="dispatch")
class InboxDetailView(LoginRequiredMixin, View):
    """One notice in full; opening it marks it read."""

    def get(self, request, pk: int):
        entry = inbox_entry_for_viewer(viewer=request.user, entry_id=pk)
        if entry is None:
            raise Http404
        inbox_entry_mark_read(entry=entry)
        return render(
            request,
            "notifications/inbox_detail.html",
            {"item": inbox_item(entry=entry, viewer=request.user)},
        )


class InboxReadAllView(LoginRequiredMixin, View):
    """ "Đánh dấu tất cả là đã đọc" (POST), back to the list."""

    def post(self, request):
        count = inbox_mark_all_read(viewer=request.user)
        messages.success(
            request,
            ngettext(
                "Đã đánh dấu %(count)d thông báo là đã đọc.",
                "Đã đánh dấu %(count)d thông báo là đã đọc.",
                count,
            )
            % {"count": count},
        )
        return redirect("inbox:list")
