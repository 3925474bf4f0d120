"""System checks of the payment settings (``manage.py check --deploy``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register


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
                id="insurance.E001",
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
                    id="insurance.E002",
                )
            )
        elif urlsplit(settings.PAYMENT_GATEWAY_URL).scheme != "https":
            errors.append(
                Error("PAYMENT_GATEWAY_URL must be an https:// URL.", id="insurance.E003")
            )
    elif settings.PAYMENT_PROVIDER != "fake":
        errors.append(Error("PAYMENT_PROVIDER must be 'fake' or 'vnpay'.", id="insurance.E004"))
    return errors
