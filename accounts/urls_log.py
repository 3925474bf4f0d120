"""/ca-nhan/nhat-ky/ — "Nhật ký sử dụng" of the signed-in citizen."""

from django.urls import path

from . import views_security

app_name = "account_log"

urlpatterns = [
    path("", views_security.AccountLogView.as_view(), name="list"),
]
