"""Signal wiring shared by the apps."""

from django.db.models.signals import post_delete, post_save


def on_any_change(models, receiver, *, uid: str) -> None:
    """Call ``receiver`` after every save or delete of any of ``models``.

    Used to start a new generation of a cache built from those rows. Bulk
    operations (``bulk_create``, ``update()``, COPY) send no signals: code
    that writes that way calls the receiver itself.
    """
    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, dispatch_uid=f"{uid}-{model.__name__}-{signal}")
