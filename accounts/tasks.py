from celery import shared_task


@shared_task
def password_rotation_reminders() -> int:
    """Beat entry: remind owners 14 and 3 days before their password expires."""
    from .services import password_rotation_reminders_queue

    return password_rotation_reminders_queue()
