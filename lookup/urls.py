from django.urls import path

from . import views

app_name = "lookup"

urlpatterns = [
    path("", views.LookupIndexView.as_view(), name="index"),
    path("ma-so-bhxh/", views.InsuranceNumberLookupView.as_view(), name="insurance-number"),
    path("co-quan-bhxh/", views.OfficeSearchView.as_view(), name="offices"),
    path("co-so-kcb/", views.FacilitySearchView.as_view(), name="facilities"),
    path("don-vi/", views.EmployerSearchView.as_view(), name="employers"),
    path("diem-thu/", views.CollectionPointSearchView.as_view(), name="collection-points"),
]
