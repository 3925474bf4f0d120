from django.core.management.base import BaseCommand

from lookup.services import reference_data_load


class Command(BaseCommand):
    help = "Load provinces, districts, BHXH offices, facilities, employer units and collection points (idempotent)."

    def handle(self, *args, **options):
        results = reference_data_load()
        for name, result in results.items():
            self.stdout.write(
                f"{name}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged"
            )
