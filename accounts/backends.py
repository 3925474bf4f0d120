from django.contrib.auth.backends import ModelBackend

from vssid_portal.ratelimit import client_ip

from .lockout import Outcome, sign_in_attempt


class LockoutBackend(ModelBackend):
    """``authenticate()`` through the lockout counter, for every sign-in form.

    The outcome (locked, captcha required…) is left on the request as
    ``sign_in_outcome`` so that the form that called ``authenticate()`` can
    show the right message; ``authenticate()`` itself only returns a user
    or ``None``.
    """

    def authenticate(self, request, username=None, password=None, captcha_solved=False, **kw):
        if username is None:
            username = kw.get("username")
        if username is None or password is None:
            return None
        attempt = sign_in_attempt(
            username=username,
            password=password,
            captcha_solved=captcha_solved,
            ip=client_ip(request) if request is not None else None,
        )
        if request is not None:
            request.sign_in_outcome = attempt.outcome
        return attempt.user if attempt.outcome == Outcome.OK else None
