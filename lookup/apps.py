from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LookupConfig(AppConfig):
    name = "lookup"
    verbose_name = _("Tra cứu")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import models, selectors

        # Any change to the reference data outdates the cached search results.
        for model in (
            models.Province,
            models.District,
            models.Office,
            models.MedicalFacility,
            models.EmployerUnit,
            models.CollectionPoint,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    selectors.reference_data_changed,
                    sender=model,
                    dispatch_uid=f"lookup-results-{model.__name__}-{signal}",
                )
