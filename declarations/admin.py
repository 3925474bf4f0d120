from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.staff_access import office_scope
from vssid_portal.admin_tools import ReadOnlyAdmin, RecordAccessAdminMixin, csv_export_action

from .models import (
    Declaration,
    DeclarationDraft,
    DeclarationEvent,
    DeclarationUpload,
    ServiceRequest,
    ServiceRequestEvent,
)


@admin.register(Declaration)
class DeclarationAdmin(RecordAccessAdminMixin, admin.ModelAdmin):
    """Read-only: status changes go through the services (clerk approval)."""

    record_access_subject = "declaration"

    list_display = [
        "reference_code",
        "full_name",
        "insurance_number",
        "office",
        "submission_mode",
        "status",
        "registry_match",
        "submitted_at",
    ]
    list_filter = [
        "status",
        "registry_match",
        "kind",
        "submission_mode",
        "office__province",
        "created_at",
    ]
    search_fields = [
        "reference_code",
        "insurance_number",
        "full_name",
        "full_name_folded",
        "phone",
        "office__code",
    ]
    list_select_related = ["office"]
    raw_id_fields = ["guardian"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = [
        "reference_code",
        "kind",
        "status",
        "reject_reason",
        "submitted_at",
        "acknowledge_due_at",
        "acknowledged_at",
        "decided_at",
        "registry_match",
        "registry_mismatches",
        "correction_round",
        "returned_at",
        "correction_items",
        "correction_note",
        "guardian",
        "full_name",
        "insurance_number",
        "date_of_birth",
        "id_number",
        "contact_address",
        "contact_person",
        "email",
        "phone",
        "office",
        "submission_mode",
        "send_form_by_email",
        "images",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("Ảnh"))
    def images(self, obj: Declaration):
        links = [
            (reverse("declarations:declaration-image", args=[obj.reference_code, slot]), label)
            for slot, label in DeclarationUpload.Slot.choices
            if slot in obj.image_slots
        ]
        return format_html(
            " · ".join(['<a href="{}" target="_blank" rel="noopener">{}</a>'] * len(links)),
            *[item for link in links for item in link],
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # A clerk in the group "Cán bộ tiếp nhận" sees only their offices.
        return super().get_queryset(request).filter(office_scope(request.user))


@admin.register(DeclarationUpload)
class DeclarationUploadAdmin(admin.ModelAdmin):
    """Photos of wizards in progress; only their slot and age, never the image."""

    list_display = ["pk", "draft", "slot", "created_at"]
    list_filter = ["slot"]
    search_fields = ["slot"]
    fields = ["draft", "slot", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeclarationUploadInline(admin.TabularInline):
    model = DeclarationUpload
    fields = ["slot", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(DeclarationDraft)
class DeclarationDraftAdmin(admin.ModelAdmin):
    """Wizard drafts: only their age is shown; the purge job removes them after 24 h,
    or 7 days after a resume link was sent."""

    list_display = ["pk", "created_at", "updated_at", "resumable_until"]
    fields = ["created_at", "updated_at", "resumable_until"]
    readonly_fields = fields
    inlines = [DeclarationUploadInline]
    ordering = ["-updated_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeclarationEventInline(admin.TabularInline):
    model = DeclarationEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "reason", "ip"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["created_at", "pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


DeclarationAdmin.inlines = [DeclarationEventInline]


@admin.register(DeclarationEvent)
class DeclarationEventAdmin(ReadOnlyAdmin):
    """The declarations' audit log: who moved which declaration, when, from
    which state to which, why, from which IP. Never edited."""

    list_display = [
        "created_at",
        "declaration",
        "action",
        "from_status",
        "to_status",
        "actor",
        "ip",
    ]
    list_filter = [
        "action",
        "to_status",
        ("actor", admin.RelatedOnlyFieldListFilter),
        "declaration__office__province",
        "created_at",
    ]
    search_fields = [
        "declaration__reference_code",
        "declaration__insurance_number",
        "actor__username",
        "ip",
    ]
    list_select_related = ["declaration", "actor"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "declaration",
        "action",
        "from_status",
        "to_status",
        "reason",
        "actor",
        "ip",
    ]
    actions = [
        csv_export_action(
            filename="nhat-ky-to-khai",
            columns=[
                (_("thời điểm"), lambda e: e.created_at.isoformat()),
                (_("mã hồ sơ"), lambda e: e.declaration.reference_code),
                (_("hành động"), lambda e: e.action),
                (_("từ trạng thái"), lambda e: e.from_status),
                (_("sang trạng thái"), lambda e: e.to_status),
                (_("lý do"), lambda e: e.reason),
                (_("người thực hiện"), lambda e: e.actor.username if e.actor else ""),
                (_("địa chỉ IP"), lambda e: e.ip or ""),
            ],
        )
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(office_scope(request.user, field="declaration__office"))
            .select_related("declaration", "actor")
        )


# REQUESTS (declarations.requests) --------------------------------------------------
class ServiceRequestEventInline(DeclarationEventInline):
    model = ServiceRequestEvent


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    """Read-only: requests move through the lifecycle services (the clerk's pages)."""

    list_display = ["reference_code", "kind", "person", "office", "status", "submitted_at"]
    list_filter = ["status", "kind", "office__province", "created_at"]
    search_fields = ["reference_code", "person__insurance_number", "filed_by__username"]
    list_select_related = ["person", "office"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = [
        "reference_code",
        "kind",
        "status",
        "person",
        "filed_by",
        "office",
        "payload",
        "attachment_link",
        "answer",
        "reject_reason",
        "outcome",
        "effective_on",
        "applied_at",
        "submitted_at",
        "acknowledge_due_at",
        "acknowledged_at",
        "decided_at",
        "correction_round",
        "correction_items",
        "correction_note",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [ServiceRequestEventInline]

    @admin.display(description=_("ảnh giấy tờ kèm theo"))
    def attachment_link(self, obj: ServiceRequest):
        if not obj.attachment:
            return "—"
        url = reverse("staff_requests:attachment", args=[obj.reference_code])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Xem ảnh"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(office_scope(request.user))


@admin.register(ServiceRequestEvent)
class ServiceRequestEventAdmin(ReadOnlyAdmin):
    """The requests' audit log: who moved which request, when, why (never edited)."""

    list_display = ["created_at", "service_request", "action", "from_status", "to_status", "actor"]
    list_filter = ["action", "to_status", "created_at"]
    search_fields = ["service_request__reference_code", "actor__username", "ip"]
    list_select_related = ["service_request", "actor"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "service_request",
        "action",
        "from_status",
        "to_status",
        "reason",
        "detail",
        "actor",
        "ip",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(office_scope(request.user, field="service_request__office"))
            .select_related("service_request", "actor")
        )
