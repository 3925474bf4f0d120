from celery import shared_task


@shared_task(name="declarations.drafts_purge")
def drafts_purge_task() -> int:
    """Remove wizard drafts (and their uploaded files) untouched for 24 hours."""
    from .services import drafts_purge_abandoned

    return drafts_purge_abandoned()
