"""Errors of the notification channels.

A ``GatewayError`` is worth retrying (timeout, connection refused, 5xx,
429, an SMTP 4xx); a ``PermanentGatewayError`` is not (the gateway refused
the message itself: invalid number, unverified sender, SMTP 5xx) and is
recorded on the row as ``failed``.
"""

from django.template import TemplateDoesNotExist


class GatewayError(Exception):
    """A transient failure of the SMS gateway or mail server: retry later."""


class PermanentGatewayError(Exception):
    """The gateway refused the message; retrying would fail the same way."""

    def __init__(self, message: str, *, code: str | int | None = None):
        super().__init__(message)
        self.code = code

    def __str__(self) -> str:
        text = super().__str__()
        return f"[{self.code}] {text}" if self.code is not None else text


class MessageTemplateDoesNotExist(TemplateDoesNotExist):
    """``message_queue`` was given a template key with no template file: a programming error."""
