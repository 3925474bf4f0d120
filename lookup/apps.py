from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LookupConfig(AppConfig):
    name = "lookup"
    verbose_name = _("Tra cứu")

    def ready(self):
        from vssid_portal.signals import on_any_change

        from . import models, selectors

        # Any change to the reference data outdates the cached search results.
        on_any_change(
            (
                models.Province,
                models.District,
                models.Office,
                models.MedicalFacility,
                models.EmployerUnit,
                models.CollectionPoint,
            ),
            selectors.reference_data_changed,
            uid="lookup-results",
        )
