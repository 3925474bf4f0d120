"""/api/v1/staff/declarations/ — the staff queue for office systems."""

from django.urls import path

from . import staff_api

app_name = "staff_api"

urlpatterns = [
    path("", staff_api.StaffDeclarationListApi.as_view(), name="list"),
    path("<str:code>/", staff_api.StaffDeclarationDetailApi.as_view(), name="detail"),
    path("<str:code>/check/", staff_api.StaffDeclarationCheckApi.as_view(), name="check"),
    path("<str:code>/approve/", staff_api.StaffDeclarationApproveApi.as_view(), name="approve"),
    path("<str:code>/reject/", staff_api.StaffDeclarationRejectApi.as_view(), name="reject"),
    path("<str:code>/return/", staff_api.StaffDeclarationReturnApi.as_view(), name="return"),
]
