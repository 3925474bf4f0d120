from celery import shared_task


@shared_task(name="insurance.payments_expire")
def payments_expire_task() -> int:
    """Mark pending payments past the gateway's deadline as expired (Celery beat)."""
    from .payments.services import payments_expire

    return payments_expire()
