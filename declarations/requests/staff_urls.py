"""/can-bo/yeu-cau/: the clerk's queue of requests and one request."""

from django.urls import path

from . import staff_views

app_name = "staff_requests"

urlpatterns = [
    path("", staff_views.StaffRequestQueueView.as_view(), name="queue"),
    path("<str:code>/", staff_views.StaffRequestView.as_view(), name="detail"),
    path("<str:code>/anh/", staff_views.staff_request_attachment, name="attachment"),
]
