"""/api/v1/me/payments/ (included under /api/v1/me/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("payments/", api.PaymentsMeApi.as_view(), name="api-me-payments"),
    path("payments/quote/", api.PaymentQuoteMeApi.as_view(), name="api-me-payment-quote"),
    path("payments/<str:code>/", api.PaymentMeApi.as_view(), name="api-me-payment"),
    path(
        "payments/<str:code>/retry/",
        api.PaymentRetryMeApi.as_view(),
        name="api-me-payment-retry",
    ),
    path(
        "payments/<str:code>/receipt/",
        api.PaymentReceiptMeApi.as_view(),
        name="api-me-payment-receipt",
    ),
]
