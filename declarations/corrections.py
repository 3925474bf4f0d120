"""How a citizen reaches the correction of a tờ khai sent back to them.

The SMS and e-mail of "Yêu cầu bổ sung" carry a signed link for the round
of corrections it belongs to (it stops working once that round has been
answered, or after ``CORRECTION_LINK_MAX_AGE``). Following it, or proving
the reference code and the phone on the tracking page, or opening the tờ
khai from the guardian's account, grants the browser's session that one
round; the correction pages then work without any code in their URL.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Declaration
from .selectors import declaration_by_code

CORRECTION_SALT = "declarations.correction"
CORRECTION_LINK_MAX_AGE = 30 * 24 * 3600
SESSION_GRANT = "declarations.correction"


def correction_token_make(*, declaration: Declaration) -> str:
    return signing.dumps(
        [declaration.reference_code, declaration.correction_round], salt=CORRECTION_SALT
    )


def correction_token_read(token: str) -> tuple[str, int] | None:
    try:
        code, round_ = signing.loads(token, salt=CORRECTION_SALT, max_age=CORRECTION_LINK_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):  # includes SignatureExpired
        return None
    if not isinstance(code, str) or not isinstance(round_, int):
        return None
    return code, round_


def correction_url(*, declaration: Declaration) -> str:
    token = correction_token_make(declaration=declaration)
    return settings.SITE_URL + reverse("declarations:correction-link", args=[token])


def correction_grant(request, *, declaration: Declaration) -> None:
    """Let this browser correct the declaration's current round."""
    request.session[SESSION_GRANT] = [declaration.reference_code, declaration.correction_round]


def correction_granted(request) -> tuple[Declaration, int] | None:
    """The declaration this browser may correct, and the round granted."""
    grant = request.session.get(SESSION_GRANT)
    if not (isinstance(grant, list) and len(grant) == 2):
        return None
    declaration = declaration_by_code(code=str(grant[0]))
    if declaration is None:
        return None
    return declaration, int(grant[1])


def correction_grant_end(request) -> None:
    request.session.pop(SESSION_GRANT, None)
