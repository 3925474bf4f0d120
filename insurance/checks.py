"""System checks of the document signing key (``manage.py check [--deploy]``)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def signing_key_configured(app_configs, **kwargs):
    """insurance.E001: production must sign documents with a configured key."""
    if settings.DEBUG or (settings.DOCUMENT_SIGNING_KEY and settings.DOCUMENT_SIGNING_CERT):
        return []
    return [
        Error(
            "DOCUMENT_SIGNING_KEY and DOCUMENT_SIGNING_CERT are not set: the portal cannot "
            "issue its signed PDFs (extract, card attestation, tờ khai, receipts).",
            hint="Point them at the key and certificate files (or PEM text); README, "
            "'Verifiable documents'.",
            id="insurance.E001",
        )
    ]


@register(Tags.security)
def signing_key_loads(app_configs, **kwargs):
    """insurance.E002/W002: a configured key must load and match its certificate."""
    if not (settings.DOCUMENT_SIGNING_KEY or settings.DOCUMENT_SIGNING_CERT):
        return []
    from .signing import signing_material

    try:
        material = signing_material()
    except (ImproperlyConfigured, OSError, ValueError, TypeError) as exc:
        return [
            Error(
                f"The document signing key cannot be used: {exc}",
                hint="Check DOCUMENT_SIGNING_KEY, DOCUMENT_SIGNING_CERT and "
                "DOCUMENT_SIGNING_KEY_PASSWORD.",
                id="insurance.E002",
            )
        ]
    from django.utils import timezone

    not_after = material.certificate.not_valid_after
    if not_after <= timezone.now():
        return [
            Warning(
                f"The document signing certificate expired on {not_after:%Y-%m-%d}.",
                hint="Create or obtain a new key; keep the old certificate in "
                "DOCUMENT_SIGNING_PREVIOUS_CERTS.",
                id="insurance.W002",
            )
        ]
    return []
