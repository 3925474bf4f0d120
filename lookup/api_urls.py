from django.urls import path

from . import api

app_name = "lookup-api"

urlpatterns = [
    path("offices/", api.OfficeListApi.as_view(), name="offices"),
    path("offices/<str:code>/", api.OfficeDetailApi.as_view(), name="office"),
    path("facilities/", api.FacilityListApi.as_view(), name="facilities"),
    path("facilities/<str:code>/", api.FacilityDetailApi.as_view(), name="facility"),
    path("employers/", api.EmployerListApi.as_view(), name="employers"),
    path("employers/<str:code>/", api.EmployerDetailApi.as_view(), name="employer"),
    path("collection-points/", api.CollectionPointListApi.as_view(), name="collection-points"),
    path(
        "collection-points/<str:code>/",
        api.CollectionPointDetailApi.as_view(),
        name="collection-point",
    ),
    path("captcha/", api.LookupCaptchaApi.as_view(), name="captcha"),
    path("insurance-number/", api.InsuranceNumberLookupApi.as_view(), name="insurance-number"),
]
