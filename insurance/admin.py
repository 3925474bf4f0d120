from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vssid_portal.admin_tools import ReadOnlyAdmin, RecordAccessAdminMixin

from .models import (
    BenefitPayment,
    HealthInsuranceCard,
    IssuedDocument,
    MedicalVisit,
    ParticipationPeriod,
    Person,
)


@admin.register(Person)
class PersonAdmin(RecordAccessAdminMixin, admin.ModelAdmin):
    list_display = ["insurance_number", "full_name", "date_of_birth", "gender", "office"]
    list_filter = ["gender", "province"]
    search_fields = ["insurance_number", "full_name", "name_search", "id_number"]
    list_select_related = ["office"]
    autocomplete_fields = ["office"]
    date_hierarchy = "date_of_birth"


class RecordAdmin(admin.ModelAdmin):
    """Registry rows come from the core-system feed; admins look, rarely edit."""

    raw_id_fields = ["person"]
    list_select_related = ["person"]
    list_per_page = 50
    show_full_result_count = False  # counting millions of rows on every page is slow


@admin.register(HealthInsuranceCard)
class HealthInsuranceCardAdmin(RecordAdmin):
    list_display = ["card_number", "person", "group", "benefit_level", "valid_from", "valid_to"]
    list_filter = ["group", "benefit_level"]
    search_fields = ["=card_number", "=person__insurance_number", "kcb_name"]


@admin.register(ParticipationPeriod)
class ParticipationPeriodAdmin(RecordAdmin):
    list_display = [
        "person",
        "insurance_type",
        "from_month",
        "to_month",
        "employer_code",
        "employer_name",
        "salary",
        "status",
    ]
    list_filter = ["insurance_type", "status"]
    search_fields = ["=person__insurance_number", "=employer_code", "employer_name"]


@admin.register(BenefitPayment)
class BenefitPaymentAdmin(RecordAdmin):
    list_display = ["person", "kind", "period_from", "period_to", "days", "amount", "office_code"]
    list_filter = ["kind"]
    search_fields = ["=person__insurance_number", "office_name"]


@admin.register(MedicalVisit)
class MedicalVisitAdmin(RecordAdmin):
    list_display = [
        "claim_code",
        "person",
        "facility_name",
        "admitted_on",
        "kind",
        "total_cost",
        "insurance_paid",
        "patient_paid",
    ]
    list_filter = ["kind"]
    search_fields = ["=claim_code", "=person__insurance_number", "facility_name"]


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    """Issued documents are a record of what the portal signed: look, or withdraw."""

    list_display = ["code", "kind", "issued_at", "valid_until", "superseded_at"]
    list_filter = ["kind"]
    search_fields = ["=code", "=pdf_sha256"]
    date_hierarchy = "issued_at"
    show_full_result_count = False
    actions = ["withdraw"]

    def has_withdraw_permission(self, request) -> bool:
        return request.user.has_perm("insurance.change_issueddocument")

    @admin.action(
        description=_("Thu hồi tài liệu đã chọn (trang xác thực báo đã bị thay thế)"),
        permissions=["withdraw"],
    )
    def withdraw(self, request, queryset):
        count = queryset.filter(superseded_at__isnull=True).update(superseded_at=timezone.now())
        self.message_user(request, _("Đã thu hồi {count} tài liệu.").format(count=count))


# Payments register their own (read-only) admin.
from .payments import admin as payments_admin  # noqa: E402, F401
