"""Payment pages (under /ca-nhan/), the gateway's return and IPN, the fake gateway."""

from django.urls import path

from . import fake_gateway, views

app_name = "payments"

urlpatterns = [
    path("ca-nhan/dong-bhxh-tu-nguyen/", views.VoluntaryView.as_view(), name="voluntary"),
    path("ca-nhan/gia-han-bhyt/", views.HouseholdView.as_view(), name="household"),
    path("ca-nhan/thanh-toan/", views.PaymentListView.as_view(), name="list"),
    path("ca-nhan/thanh-toan/<str:code>/", views.PaymentDetailView.as_view(), name="detail"),
    path(
        "ca-nhan/thanh-toan/<str:code>/bien-lai.pdf",
        views.PaymentReceiptView.as_view(),
        name="receipt",
    ),
    path(
        "ca-nhan/thanh-toan/<str:code>/thanh-toan-lai/",
        views.PaymentRetryView.as_view(),
        name="retry",
    ),
    path("thanh-toan/ket-qua/", views.PaymentReturnView.as_view(), name="return"),
    path("thanh-toan/ipn/", views.PaymentIpnView.as_view(), name="ipn"),
    # 404 unless PAYMENT_FAKE_GATEWAY (DEBUG or the fake provider).
    path("dev/cong-thanh-toan/", fake_gateway.FakeGatewayView.as_view(), name="dev-gateway"),
]
