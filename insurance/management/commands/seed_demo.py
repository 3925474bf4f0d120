from django.conf import settings
from django.core.management.base import BaseCommand

from insurance.demo import demo_seed


class Command(BaseCommand):
    help = "Load demo citizens into the registry plus a clerk and an administrator."

    def add_arguments(self, parser):
        parser.add_argument("--citizens", type=int, default=20, help="registry people to create")
        parser.add_argument(
            "--random-passwords",
            action="store_true",
            help="generate random staff passwords (always on when DEBUG is off)",
        )

    def handle(self, *args, citizens, random_passwords, **options):
        result = demo_seed(
            citizens=max(citizens, 1),
            random_passwords=random_passwords or not settings.DEBUG,
        )
        self.stdout.write(
            f"registry: {result.persons_created} people created, {result.persons_total} in all, "
            f"{result.records_created} records (cards, periods, benefits, visits) added"
        )
        self.stdout.write("demo accounts (sign in at /dang-nhap/ or /admin/):")
        for role, username, password in result.credentials:
            self.stdout.write(f"  {role}: {username} / {password}")
