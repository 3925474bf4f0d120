from django.contrib import admin

from .models import (
    CollectionPoint,
    District,
    EmployerUnit,
    MedicalFacility,
    Office,
    Province,
    PublicHoliday,
)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "phone", "one_click_approval"]
    list_filter = ["level", "one_click_approval", "province"]
    search_fields = ["code", "name", "search_text", "address"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent", "district"]
    readonly_fields = ["search_text"]


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(MedicalFacility)
class MedicalFacilityAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "level",
        "province",
        "has_bhyt_contract",
        "may_issue_sick_leave",
        "accepts_initial_registration",
    ]
    list_filter = [
        "level",
        "has_bhyt_contract",
        "may_issue_sick_leave",
        "accepts_initial_registration",
        "is_generated",
        "province",
    ]
    search_fields = ["code", "name", "search_text"]
    list_select_related = ["province"]
    autocomplete_fields = ["district"]
    readonly_fields = ["search_text"]


@admin.register(EmployerUnit)
class EmployerUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "tax_code", "name", "office", "status"]
    list_filter = ["status", "is_generated"]
    search_fields = ["code", "tax_code", "name", "search_text"]
    list_select_related = ["office"]
    autocomplete_fields = ["office"]
    readonly_fields = ["search_text"]


@admin.register(CollectionPoint)
class CollectionPointAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province", "district", "phone"]
    list_filter = ["kind", "is_generated", "province"]
    search_fields = ["code", "name", "address", "search_text"]
    list_select_related = ["province", "district"]
    autocomplete_fields = ["district"]
    readonly_fields = ["search_text"]
