"""Shared Django admin pieces: read-only audit admins and CSV export."""

import csv
from collections.abc import Callable, Sequence

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit and security records: nobody adds, edits or deletes them here,
    superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordAccessAdminMixin:
    """A change page of a citizen's record opened in admin is written to the
    citizen's log (``accounts.audit.record_access_log``)."""

    record_access_subject = "record"

    def record_access_number(self, obj) -> str:
        return getattr(obj, "insurance_number", "")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            from django.contrib.admin.utils import unquote

            from accounts.audit import record_access_log

            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                record_access_log(
                    request=request,
                    subject=self.record_access_subject,
                    insurance_number=self.record_access_number(obj),
                    reference=getattr(obj, "reference_code", ""),
                )
        return response


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def csv_export_action(*, columns: Sequence[tuple[str, Callable]], filename: str) -> Callable:
    """An admin action writing the selected rows as CSV (UTF-8 with BOM, for Excel).

    ``columns`` are (header, function of the row) pairs.
    """

    @admin.action(description=_("Xuất CSV các dòng đã chọn"), permissions=["view"])
    def export_csv(modeladmin, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([str(header) for header, _fn in columns])
        for row in queryset.iterator(chunk_size=2000):
            writer.writerow([_cell(fn(row)) for _header, fn in columns])
        return response

    return export_csv
