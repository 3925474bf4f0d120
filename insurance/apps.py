from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuranceConfig(AppConfig):
    name = "insurance"
    verbose_name = _("Dữ liệu BHXH, BHYT")

    def ready(self):
        from vssid_portal.signals import on_any_change

        from . import checks, models, records_cache  # noqa: F401  (checks registers itself)

        # A change to any registry row outdates the cached records pages.
        on_any_change(
            (
                models.Person,
                models.HealthInsuranceCard,
                models.ParticipationPeriod,
                models.BenefitPayment,
                models.MedicalVisit,
            ),
            records_cache.registry_changed_on_commit,
            uid="insurance-records",
        )
