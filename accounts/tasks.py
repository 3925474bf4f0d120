from celery import shared_task


@shared_task
def password_rotation_reminders() -> int:
    """Beat entry: remind owners 14 and 3 days before their password expires."""
    from .services import password_rotation_reminders_queue

    return password_rotation_reminders_queue()


@shared_task
def contact_changes_apply() -> int:
    """Beat entry: phone/e-mail changes whose cooling-off is over take effect."""
    from .services import contact_changes_apply_due

    return contact_changes_apply_due()


@shared_task
def account_log_purge() -> int:
    """Beat entry: log rows older than the 5-year retention are removed."""
    from .audit import account_log_purge as purge

    return purge()
