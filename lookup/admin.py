from django.contrib import admin

from .models import District, Office, Province


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
    list_display = ["code", "name", "level", "parent", "phone"]
    list_filter = ["level", "province"]
    search_fields = ["code", "name", "search_text", "address"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent", "district"]
    readonly_fields = ["search_text"]
