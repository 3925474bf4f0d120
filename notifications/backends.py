"""Channels that carry an outbox row to the citizen.

SMS goes through the backend named by ``settings.SMS_BACKEND`` (``outbox``,
``console`` or ``twilio``); e-mail through Django's configured e-mail
backend (``EMAIL_URL``). Each raises ``GatewayError`` for what is worth a
retry and ``PermanentGatewayError`` for what is not. None of them logs a
message body.
"""

import functools
import logging
import smtplib
import sys
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection

from .exceptions import GatewayError, PermanentGatewayError
from .models import Message


class OutboxSmsBackend:
    """Keep the SMS in the outbox only: the row is what a developer reads."""

    def send(self, *, message: Message) -> None:
        return None


class ConsoleSmsBackend:
    """Print the SMS to standard output, like Django's console e-mail backend."""

    def send(self, *, message: Message) -> None:
        sys.stdout.write(f"SMS to {message.recipient}:\n{message.text}\n{'-' * 40}\n")
        sys.stdout.flush()


def _twilio_http_client_class():
    from twilio.http.http_client import TwilioHttpClient

    class BaseUrlTwilioHttpClient(TwilioHttpClient):
        """Quiet logging; with ``base_url``, send every request there, not to *.twilio.com.

        Used with ``TWILIO_API_BASE_URL`` to point the real client at a
        loopback fake gateway in tests and benchmarks.
        """

        def __init__(self, *, base_url: str = "", pool_size: int = 10, **kwargs):
            super().__init__(**kwargs)
            self.base_url = urlsplit(base_url) if base_url else None
            if self.session is not None:
                # requests reads the proxy and CA-bundle variables from the
                # environment on every request (a scan of os.environ, about
                # a fifth of a message's cost in bench/notifications.py):
                # read them once for the gateway's address instead.
                from requests import Session
                from requests.adapters import HTTPAdapter

                found = Session().merge_environment_settings(
                    base_url or "https://api.twilio.com", {}, None, None, None
                )
                self.proxy = self.proxy or found["proxies"]
                self.session.verify = found["verify"]
                self.session.trust_env = False
                # A kept-alive connection for each send in flight in this
                # process (a batch task's NOTIFICATIONS_SEND_THREADS, times
                # -c with a threads pool): a smaller pool would close and
                # reopen connections under concurrent sends.
                for prefix in ("https://", "http://"):
                    self.session.mount(prefix, HTTPAdapter(pool_maxsize=pool_size))

        def log_request(self, kwargs) -> None:
            # The stock client logs ten INFO lines per request; one DEBUG
            # line without the form data (the SMS body) is enough.
            self.logger.debug("twilio.request method=%s", kwargs["method"])

        def log_response(self, status_code, response) -> None:
            self.logger.debug("twilio.response status=%s", status_code)

        def request(
            self,
            method,
            url,
            params=None,
            data=None,
            headers=None,
            auth=None,
            timeout=None,
            allow_redirects=False,
        ):
            """The stock request, safe for threads sharing this client.

            The stock one stores each response on the client and returns
            that attribute, so two threads sending at once could swap
            their answers; this one keeps the response local. Proxies and
            CA bundle are the ones read once above.
            """
            from requests import Request
            from twilio.http.response import Response

            if self.session is None:
                raise ImproperlyConfigured("The Twilio client needs pooled connections.")
            if self.base_url is not None:
                parts = urlsplit(url)
                url = urlunsplit(
                    (
                        self.base_url.scheme,
                        self.base_url.netloc,
                        self.base_url.path.rstrip("/") + parts.path,
                        parts.query,
                        parts.fragment,
                    )
                )
            if timeout is None:
                timeout = self.timeout
            elif timeout <= 0:
                raise ValueError(timeout)
            kwargs = {
                "method": method.upper(),
                "url": url,
                "params": params,
                "headers": headers,
                "auth": auth,
                "hooks": self.request_hooks,
            }
            content_type = (headers or {}).get("Content-Type")
            if content_type in ("application/json", "application/scim+json"):
                kwargs["json"] = data
            else:
                kwargs["data"] = data
            self.log_request(kwargs)
            response = self.session.send(
                self.session.prepare_request(Request(**kwargs)),
                allow_redirects=allow_redirects,
                timeout=timeout,
                proxies=self.proxy,
            )
            self.log_response(response.status_code, response)
            return Response(int(response.status_code), response.text, response.headers)

    return BaseUrlTwilioHttpClient


@functools.lru_cache(maxsize=4)
def _twilio_client(
    account_sid: str, auth_token: str, base_url: str, timeout: float, pool_size: int
):
    # One client (and its pooled HTTPS session) per worker process and
    # configuration, instead of a new TLS handshake for every message; the
    # threads of message_deliver_batch share it.
    from twilio.rest import Client

    http_client = _twilio_http_client_class()(
        base_url=base_url,
        pool_size=pool_size,
        timeout=timeout,
        logger=logging.getLogger(__name__),
    )
    return Client(account_sid, auth_token, http_client=http_client)


class TwilioSmsBackend:
    """Send through Twilio's Messages API with the official client."""

    def send(self, *, message: Message) -> None:
        import requests
        from twilio.base.exceptions import TwilioRestException

        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise ImproperlyConfigured("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TOKEN.")
        client = _twilio_client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            settings.TWILIO_API_BASE_URL,
            float(settings.NOTIFICATIONS_GATEWAY_TIMEOUT),
            max(32, settings.NOTIFICATIONS_SEND_THREADS),
        )
        try:
            client.messages.create(
                to=message.recipient, from_=settings.TWILIO_FROM_NUMBER, body=message.text
            )
        except TwilioRestException as exc:
            detail = f"Twilio HTTP {exc.status}: {exc.msg}"
            if exc.status >= 500 or exc.status == 429:
                raise GatewayError(f"{detail} (code {exc.code})") from None
            raise PermanentGatewayError(detail, code=exc.code) from None
        except requests.RequestException as exc:
            # Includes read timeouts after the request went out: Twilio may
            # have accepted it, so a retry can duplicate this one SMS.
            raise GatewayError(f"Twilio unreachable: {type(exc).__name__}") from None


SMS_BACKENDS = {
    "outbox": OutboxSmsBackend,
    "console": ConsoleSmsBackend,
    "twilio": TwilioSmsBackend,
}


def sms_backend_get():
    try:
        return SMS_BACKENDS[settings.SMS_BACKEND]()
    except KeyError:
        raise ImproperlyConfigured(
            f"SMS_BACKEND must be one of {sorted(SMS_BACKENDS)}, not {settings.SMS_BACKEND!r}."
        ) from None


def email_send(*, message: Message) -> None:
    """Send through Django's configured e-mail backend (SMTP in production)."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        connection=get_connection(timeout=settings.NOTIFICATIONS_GATEWAY_TIMEOUT),
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as f:
            email.attach(attachment.filename, f.read(), attachment.content_type)
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if all(400 <= code < 500 for code in codes):
            raise GatewayError(f"SMTP recipient deferred: {codes}") from None
        raise PermanentGatewayError("SMTP recipient refused", code=codes[0]) from None
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise GatewayError(f"SMTP {exc.smtp_code}") from None
        raise PermanentGatewayError("SMTP refused the message", code=exc.smtp_code) from None
    except (smtplib.SMTPException, OSError) as exc:  # incl. timeouts
        raise GatewayError(f"SMTP unreachable: {type(exc).__name__}") from None
