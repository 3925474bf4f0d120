from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.SignInView.as_view(), name="sign-in"),
    path("dang-nhap/thiet-bi-khac/", views.TakeoverView.as_view(), name="takeover"),
    path("dang-xuat/", views.SignOutView.as_view(), name="sign-out"),
    path("xac-nhan-otp/", views.OtpView.as_view(), name="otp"),
    path("quen-mat-khau/", views.ForgotPasswordView.as_view(), name="forgot-password"),
    path(
        "quen-mat-khau/mat-khau-moi/",
        views.PasswordResetNewView.as_view(),
        name="password-reset-new",
    ),
]
