"""/can-bo/tai-khoan/ — account unlock and initial password for clerks."""

from django.urls import path

from . import views_staff

app_name = "staff_accounts"

urlpatterns = [
    path("", views_staff.StaffAccountView.as_view(), name="search"),
    path(
        "<str:username>/mo-khoa/",
        views_staff.StaffAccountActionView.as_view(action="unlock"),
        name="unlock",
    ),
    path(
        "<str:username>/cap-lai-mat-khau/",
        views_staff.StaffAccountActionView.as_view(action="reissue"),
        name="reissue",
    ),
]
