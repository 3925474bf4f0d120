"""System checks of the document signing key and the payment gateway
(``manage.py check [--deploy]``): insurance.E001-E002/W002 signing,
insurance.E011-E014 payments."""

from urllib.parse import urlsplit

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


@register(Tags.security, deploy=True)
def payment_gateway_check(app_configs, **kwargs) -> list[Error]:
    """Production takes real money: never the fake gateway, always a complete merchant."""
    if settings.DEBUG:
        return []
    errors = []
    if settings.PAYMENT_PROVIDER == "fake" or settings.PAYMENT_FAKE_GATEWAY:
        errors.append(
            Error(
                "The fake payment gateway is on with DEBUG off: anyone could mark a payment "
                "paid and get months credited without paying.",
                hint="Set PAYMENT_PROVIDER=vnpay with PAYMENT_GATEWAY_URL, PAYMENT_TMN_CODE "
                "and PAYMENT_HASH_SECRET, and leave PAYMENT_FAKE_GATEWAY unset.",
                id="insurance.E011",
            )
        )
    if settings.PAYMENT_PROVIDER == "vnpay":
        missing = [
            name
            for name in ("PAYMENT_GATEWAY_URL", "PAYMENT_TMN_CODE", "PAYMENT_HASH_SECRET")
            if not getattr(settings, name)
        ]
        if missing:
            errors.append(
                Error(
                    f"PAYMENT_PROVIDER=vnpay needs {', '.join(missing)}.",
                    id="insurance.E012",
                )
            )
        elif urlsplit(settings.PAYMENT_GATEWAY_URL).scheme != "https":
            errors.append(
                Error("PAYMENT_GATEWAY_URL must be an https:// URL.", id="insurance.E013")
            )
    elif settings.PAYMENT_PROVIDER != "fake":
        errors.append(Error("PAYMENT_PROVIDER must be 'fake' or 'vnpay'.", id="insurance.E014"))
    return errors
