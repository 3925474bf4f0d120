from django.contrib import admin

from .models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["insurance_number", "full_name", "date_of_birth", "gender", "office"]
    list_filter = ["gender", "province"]
    search_fields = ["insurance_number", "full_name", "name_search", "id_number"]
    list_select_related = ["office"]
    autocomplete_fields = ["office"]
    date_hierarchy = "date_of_birth"
