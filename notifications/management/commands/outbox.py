"""Print the outbox: ``manage.py outbox [--json] [--to NUMBER_OR_EMAIL] [--last N]``."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from notifications.selectors import message_list


class Command(BaseCommand):
    help = "Print recent outbox messages, newest first. Sensitive codes are shown only with DEBUG."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="One JSON object per line."
        )
        parser.add_argument("--to", metavar="NUMBER_OR_EMAIL", help="Only this recipient.")
        parser.add_argument("--last", type=int, default=20, metavar="N", help="How many (20).")

    def handle(self, *args, as_json=False, to=None, last=20, **options):
        messages = message_list(recipient=to)[: max(last, 0)]
        for message in messages:
            text = message.display_text(debug=settings.DEBUG)
            if as_json:
                self.stdout.write(_json_line(message, text))
            else:
                created = message.created_at.isoformat(timespec="seconds")
                self.stdout.write(
                    f"{created} {message.channel} {message.recipient} "
                    f"[{message.status}] {message.template}"
                )
                if message.subject:
                    self.stdout.write(f"  {message.subject}")
                self.stdout.write("  " + text.replace("\n", "\n  "))


def _json_line(message, text: str) -> str:
    return json.dumps(
        {
            "id": message.pk,
            "channel": message.channel,
            "to": message.recipient,
            "template": message.template,
            "subject": message.subject,
            "text": text,
            "status": message.status,
            "attempts": message.attempts,
            "created": message.created_at.isoformat(),
            "sent": message.sent_at.isoformat() if message.sent_at else None,
        },
        ensure_ascii=False,
    )
