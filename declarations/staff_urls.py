"""/can-bo/ (staff home) and /can-bo/to-khai/ (the declarations queue)."""

from django.urls import path

from . import staff_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.StaffHomeView.as_view(), name="home"),
    path("to-khai/", staff_views.StaffQueueView.as_view(), name="queue"),
    path("to-khai/<str:code>/", staff_views.StaffDeclarationView.as_view(), name="declaration"),
]
