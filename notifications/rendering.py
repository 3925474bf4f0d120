"""Render outbox messages from template files, in Vietnamese, at enqueue time,
and the message centre's entries in the reader's language, when shown.

Any app can add message types without touching this one: it ships
``notifications/sms/<key>.txt`` or ``notifications/email/<key>.subject.txt``
and ``notifications/email/<key>.txt`` (optionally ``<key>.html``) in its own
``templates/`` folder, and for the message centre
``notifications/inbox/<key>.subject.txt`` and ``<key>.txt`` (translated with
``{% translate %}``/``{% blocktranslate %}``) and optionally ``<key>.link.txt``
(the related page). docs/security.md says what SMS and e-mail may carry.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import gettext as _

from .exceptions import MessageTemplateDoesNotExist

MASK = "******"
TEMPLATE_KEY_RE = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    redacted_text: str
    redacted_html: str


def template_render(name: str, context: dict, *, autoescape: bool) -> str:
    """Render a template file to text (``autoescape`` off for plain text)."""
    # The backend wrapper always autoescapes; plain-text messages must not
    # turn "&" into "&amp;", so render the engine's Template directly.
    template = get_template(name).template
    return template.render(Context(context, autoescape=autoescape))


def _optional_render(name: str, context: dict, *, autoescape: bool) -> str:
    try:
        return template_render(name, context, autoescape=autoescape)
    except TemplateDoesNotExist as exc:
        if exc.args and exc.args[0] == name:
            return ""
        raise  # an {% include %} inside the template is missing


def message_render(
    *, channel: str, template: str, context: dict, sensitive: Iterable[str] = ()
) -> Rendered:
    """Render a message twice: with every value, and with sensitive values masked."""
    if not TEMPLATE_KEY_RE.fullmatch(template):
        raise ValueError(f"Invalid message template key {template!r}: use [a-z0-9_]+.")
    sensitive = set(sensitive)
    unknown = sensitive - context.keys()
    if unknown:
        raise ValueError(f"Sensitive keys not in the context: {sorted(unknown)}")
    base = {"site_url": settings.SITE_URL, "hotline": settings.HOTLINE}
    full = {**base, **context}
    redacted = {**full, **dict.fromkeys(sensitive, MASK)}
    if channel == "sms":
        names = [f"notifications/sms/{template}.txt"]
    else:
        names = [
            f"notifications/email/{template}.subject.txt",
            f"notifications/email/{template}.txt",
        ]
    for name in names:
        try:
            get_template(name)
        except TemplateDoesNotExist as exc:
            raise MessageTemplateDoesNotExist(
                f"No template {name} for the {channel} message {template!r}: add it "
                "under an app's templates/ folder."
            ) from exc
    with translation.override(settings.LANGUAGE_CODE):
        if channel == "sms":
            text = template_render(names[0], full, autoescape=False).strip()
            redacted_text = template_render(names[0], redacted, autoescape=False).strip()
            return Rendered("", text, "", redacted_text, "")
        # Subjects are rendered with masked values only: they show up in
        # mail clients' lists and notifications, so they never carry secrets.
        subject = " ".join(template_render(names[0], redacted, autoescape=False).split())
        text = template_render(names[1], full, autoescape=False).strip() + "\n"
        redacted_text = template_render(names[1], redacted, autoescape=False).strip() + "\n"
        html_name = f"notifications/email/{template}.html"
        html = _optional_render(html_name, full, autoescape=True)
        redacted_html = _optional_render(html_name, redacted, autoescape=True) if html else ""
        return Rendered(subject, text, html, redacted_text, redacted_html)


@dataclass(frozen=True)
class InboxText:
    title: str
    body: str


def inbox_render(*, kind: str, context: dict) -> InboxText:
    """An entry's title and text in the active language.

    A kind whose inbox text was removed since the entry was written still
    shows, with a neutral title.
    """
    full = {"site_url": settings.SITE_URL, "hotline": settings.HOTLINE, **context}
    base = f"notifications/inbox/{kind}"
    try:
        title = " ".join(template_render(f"{base}.subject.txt", full, autoescape=False).split())
        body = template_render(f"{base}.txt", full, autoescape=False).strip()
    except TemplateDoesNotExist:
        return InboxText(str(_("Thông báo từ cơ quan BHXH")), "")
    return InboxText(title, body)
