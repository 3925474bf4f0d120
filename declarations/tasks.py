from celery import shared_task


@shared_task(name="declarations.drafts_purge")
def drafts_purge_task() -> int:
    """Remove wizard drafts (and their uploaded files) untouched for 24 hours."""
    from .services import drafts_purge_abandoned

    return drafts_purge_abandoned()


@shared_task(name="declarations.requests_apply_due")
def requests_apply_due_task() -> int:
    """Write on the cards the approved facility changes whose quarter has begun."""
    from .requests.services import service_requests_apply_due

    return service_requests_apply_due()
