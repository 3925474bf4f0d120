"""Read side of payments: a payer sees their own, nobody else's."""

from django.db.models import QuerySet

from .models import Payment, PaymentLine


def payments_for_payer(*, payer) -> QuerySet[Payment]:
    """The account's payments, newest first (one query per page)."""
    if not getattr(payer, "is_authenticated", False) or payer.is_staff:
        return Payment.objects.none()
    return Payment.objects.filter(payer=payer).order_by("-created_at", "-pk")


def payment_for_payer(*, payer, code: str) -> Payment | None:
    """One of the account's payments by code; another account's is None (a 404)."""
    return payments_for_payer(payer=payer).filter(code=code).first()


def payment_lines(*, payment: Payment) -> list[PaymentLine]:
    return list(payment.lines.select_related("person").order_by("position"))
