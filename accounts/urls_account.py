"""/ca-nhan/tai-khoan/ — "Thông tin tài khoản" of the signed-in citizen."""

from django.urls import path

from . import views

app_name = "account"

urlpatterns = [
    path("", views.AccountHomeView.as_view(), name="home"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password-change"),
    path("thong-tin-lien-he/", views.ContactChangeView.as_view(), name="contact-change"),
    path("dang-xuat-moi-noi/", views.SignOutEverywhereView.as_view(), name="sign-out-everywhere"),
]
