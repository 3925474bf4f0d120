from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Tờ khai")

    def ready(self) -> None:
        from notifications.inbox import inbox_owner_resolver_register

        from .selectors import declaration_inbox_owner

        # Notices about a tờ khai reach the message centre of its account.
        inbox_owner_resolver_register("declarations.declaration", declaration_inbox_owner)
