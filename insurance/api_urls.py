from django.urls import path

from . import api

urlpatterns = [
    path("card", api.CardMeApi.as_view(), name="api-me-card"),
    path("card/attestation", api.CardAttestationMeApi.as_view(), name="api-me-card-attestation"),
    path("history", api.HistoryMeApi.as_view(), name="api-me-history"),
    path("history/extract", api.HistoryExtractMeApi.as_view(), name="api-me-history-extract"),
    path("benefits", api.BenefitsMeApi.as_view(), name="api-me-benefits"),
    path("visits", api.VisitsMeApi.as_view(), name="api-me-visits"),
    path("one-time-estimate", api.OneTimeEstimateMeApi.as_view(), name="api-me-one-time-estimate"),
    # A guardian's children (insurance/access.py decides who may see them).
    path("children", api.ChildrenMeApi.as_view(), name="api-me-children"),
    path("children/<int:child_id>/card", api.ChildCardApi.as_view(), name="api-me-child-card"),
    path(
        "children/<int:child_id>/card/attestation",
        api.ChildCardAttestationApi.as_view(),
        name="api-me-child-card-attestation",
    ),
    path(
        "children/<int:child_id>/history/extract",
        api.ChildHistoryExtractApi.as_view(),
        name="api-me-child-history-extract",
    ),
    path(
        "children/<int:child_id>/history",
        api.ChildHistoryApi.as_view(),
        name="api-me-child-history",
    ),
    path(
        "children/<int:child_id>/visits", api.ChildVisitsApi.as_view(), name="api-me-child-visits"
    ),
]
