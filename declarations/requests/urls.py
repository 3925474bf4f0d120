"""/ca-nhan/yeu-cau/: the signed-in citizen's requests (URLs fixed in issue 21)."""

from django.urls import path

from . import views

app_name = "requests"

urlpatterns = [
    path("", views.RequestListView.as_view(), name="list"),
    path("moi/<str:slug>/", views.RequestNewView.as_view(), name="new"),
    path("moi/<str:slug>/xac-nhan/", views.RequestConfirmView.as_view(), name="confirm"),
    path("moi/<str:slug>/anh/", views.request_new_photo, name="new-photo"),
    path("<str:code>/", views.RequestDetailView.as_view(), name="detail"),
    path("<str:code>/anh/", views.request_attachment, name="attachment"),
    path("<str:code>/bo-sung/", views.RequestCorrectView.as_view(), name="correct"),
    path("<str:code>/bo-sung/anh/", views.request_correction_photo, name="correction-photo"),
]
