from django.urls import path

from . import api

urlpatterns = [
    path("card", api.CardMeApi.as_view(), name="api-me-card"),
    path("history", api.HistoryMeApi.as_view(), name="api-me-history"),
    path("benefits", api.BenefitsMeApi.as_view(), name="api-me-benefits"),
    path("visits", api.VisitsMeApi.as_view(), name="api-me-visits"),
    path("one-time-estimate", api.OneTimeEstimateMeApi.as_view(), name="api-me-one-time-estimate"),
]
