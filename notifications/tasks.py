"""Thin Celery entry points; the work is in ``notifications.services``."""

from celery import shared_task

from .exceptions import GatewayError

# With retry_backoff the countdowns are 1, 2, 4 … 128 s (jittered); after
# that the sweeper starts a new chain until NOTIFICATIONS_MAX_ATTEMPTS.
MAX_RETRIES = 8


@shared_task(
    name="notifications.message_send",
    autoretry_for=(GatewayError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
)
def message_send_task(message_id: int) -> None:
    from .services import message_deliver  # the services module imports this task

    message_deliver(message_id=message_id)


@shared_task(name="notifications.message_send_batch", acks_late=True)
def message_send_batch_task(message_ids: list[int]) -> None:
    """Messages queued together; gateway errors re-queue each as its own retrying task."""
    from .services import message_deliver_batch

    message_deliver_batch(message_ids=message_ids)


@shared_task(name="notifications.message_sweep", acks_late=True)
def message_sweep_task() -> int:
    from .services import message_sweep

    return message_sweep()
