from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from insurance.signing import CERT_FILENAME, DEV_COMMON_NAME, KEY_FILENAME, signing_key_create


class Command(BaseCommand):
    help = (
        "Create a self-signed key and certificate for signing the portal's PDFs "
        "(development, tests, a demo stack). Production uses a key from a CA."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--folder",
            default=None,
            help="where to write the two PEM files (default: DOCUMENT_SIGNING_DEV_DIR, var/signing)",
        )
        parser.add_argument("--common-name", default=DEV_COMMON_NAME)
        parser.add_argument("--days", type=int, default=3650, help="certificate validity")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--if-missing", action="store_true", help="do nothing when the folder has a key"
        )
        group.add_argument("--force", action="store_true", help="replace an existing key")

    def handle(self, *args, folder, common_name, days, if_missing, force, **options):
        folder = Path(folder or settings.DOCUMENT_SIGNING_DEV_DIR)
        key_path, cert_path = folder / KEY_FILENAME, folder / CERT_FILENAME
        if key_path.exists() or cert_path.exists():
            if if_missing:
                self.stdout.write(f"signing key already in {folder}")
                return
            if not force:
                raise CommandError(
                    f"{folder} already holds a signing key; --force replaces it (documents "
                    "signed with the old key then need its certificate in "
                    "DOCUMENT_SIGNING_PREVIOUS_CERTS to verify)."
                )
        if days < 1:
            raise CommandError("--days must be at least 1")
        key_path, cert_path = signing_key_create(folder=folder, common_name=common_name, days=days)
        self.stdout.write(f"key:         {key_path}")
        self.stdout.write(f"certificate: {cert_path}")
        self.stdout.write(
            "With DEBUG on this folder is used by default; elsewhere set\n"
            f"  DOCUMENT_SIGNING_KEY={key_path}\n  DOCUMENT_SIGNING_CERT={cert_path}"
        )
