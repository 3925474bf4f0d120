"""Payments in Django admin: read-only, like the audit log (money and the
gateway's word are not edited by hand; corrections go through the office)."""

from django.contrib import admin

from .models import Payment, PaymentLine, PaymentNotice


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PaymentLineInline(admin.TabularInline):
    model = PaymentLine
    extra = 0
    raw_id_fields = ["person"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PaymentNoticeInline(admin.TabularInline):
    model = PaymentNotice
    extra = 0
    can_delete = False
    fields = ["received_at", "channel", "signature_valid", "result", "params"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "payer", "amount", "status", "refund_due", "created_at"]
    list_filter = ["status", "kind", "provider", "refund_due"]
    search_fields = ["code", "payer__username", "provider_transaction_no"]
    list_select_related = ["payer"]
    raw_id_fields = ["payer"]
    date_hierarchy = "created_at"
    inlines = [PaymentLineInline, PaymentNoticeInline]


@admin.register(PaymentNotice)
class PaymentNoticeAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "channel", "provider", "payment", "signature_valid", "result"]
    list_filter = ["channel", "signature_valid", "result"]
    search_fields = ["payment__code"]
    list_select_related = ["payment"]
    raw_id_fields = ["payment"]


@admin.register(PaymentLine)
class PaymentLineAdmin(ReadOnlyAdmin):
    list_display = ["payment", "person", "from_month", "to_month", "months", "amount"]
    search_fields = ["payment__code", "person__insurance_number"]
    list_select_related = ["payment", "person"]
    raw_id_fields = ["payment", "person"]
