"""/api/v1/staff/requests/: the clerk's queue of requests for office systems."""

from django.urls import path

from . import staff_api

app_name = "staff_requests_api"

urlpatterns = [
    path("", staff_api.StaffRequestListApi.as_view(), name="list"),
    path("<str:code>/", staff_api.StaffRequestDetailApi.as_view(), name="detail"),
    path("<str:code>/check/", staff_api.StaffRequestCheckApi.as_view(), name="check"),
    path("<str:code>/approve/", staff_api.StaffRequestApproveApi.as_view(), name="approve"),
    path("<str:code>/reject/", staff_api.StaffRequestRejectApi.as_view(), name="reject"),
    path("<str:code>/return/", staff_api.StaffRequestReturnApi.as_view(), name="return"),
    path(
        "<str:code>/attachment/",
        staff_api.StaffRequestAttachmentApi.as_view(),
        name="attachment",
    ),
]
