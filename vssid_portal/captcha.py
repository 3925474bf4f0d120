"""The "mã kiểm tra": a 4-character image captcha, single-use and short-lived.

A challenge is a random key (in the form, a hidden input) whose answer is
kept in the cache as an HMAC, never in clear, for ``CAPTCHA_TTL`` seconds.
Checking an answer consumes the challenge whatever the outcome, so a solved
captcha cannot be replayed. Every render of the field issues a new
challenge: a form shown again after an error carries a fresh image.
"""

import hashlib
import hmac
import io
import random
import secrets
import string

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .pdf import FONT_BOLD

# No 0/O, 1/I/L, 5/S, 2/Z: easy to read on a small phone screen.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY346789"
LENGTH = 4
CAPTCHA_TTL = 300
_KEY_CHARS = set(string.ascii_letters + string.digits + "-_")


def generate_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _i in range(LENGTH))


def _digest(key: str, answer: str) -> str:
    message = f"{key}:{answer.strip().upper()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _cache_key(key: str) -> str:
    return f"captcha:{key}"


def captcha_new() -> str:
    """Create a challenge and return its key."""
    key = secrets.token_urlsafe(16)
    code = generate_code()
    # The image is drawn from the code, so the code itself must be kept too;
    # it is stored under a separate key that only the image view reads.
    cache.set(_cache_key(key), _digest(key, code), CAPTCHA_TTL)
    cache.set(_cache_key(key) + ":img", code, CAPTCHA_TTL)
    return key


def captcha_check(key: str, answer: str) -> bool:
    """True if ``answer`` solves challenge ``key``; the challenge is used up either way."""
    if not key or not set(key) <= _KEY_CHARS or len(key) > 64:
        return False
    expected = cache.get(_cache_key(key))
    cache.delete_many([_cache_key(key), _cache_key(key) + ":img"])
    if expected is None:
        return False
    return hmac.compare_digest(expected, _digest(key, answer or ""))


def captcha_image(code: str) -> bytes:
    """A PNG of ``code`` with noise, 160x56."""
    rng = random.Random(secrets.randbits(64))  # noqa: S311 - drawing noise, not a secret
    width, height = 160, 56
    image = Image.new("RGB", (width, height), (246, 248, 249))
    draw = ImageDraw.Draw(image)
    for _line in range(6):
        draw.line(
            [(rng.randrange(width), rng.randrange(height)) for _point in range(2)],
            fill=(rng.randrange(120, 200),) * 3,
            width=2,
        )
    font = ImageFont.truetype(str(FONT_BOLD), 32)
    x = 12
    for char in code:
        glyph = Image.new("RGBA", (40, 48), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((6, 4), char, font=font, fill=(11, 93, 99))
        glyph = glyph.rotate(rng.uniform(-20, 20), resample=Image.BICUBIC, expand=False)
        image.paste(glyph, (x, rng.randrange(0, 8)), glyph)
        x += 36
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@never_cache
def captcha_image_view(request, key: str):
    code = cache.get(_cache_key(key) + ":img") if set(key) <= _KEY_CHARS else None
    if code is None:
        raise Http404
    return HttpResponse(captcha_image(code), content_type="image/png")


class CaptchaWidget(forms.MultiWidget):
    template_name = "includes/captcha_widget.html"

    def __init__(self, attrs=None):
        widgets = [
            forms.HiddenInput(),
            forms.TextInput(
                attrs={
                    "autocomplete": "off",
                    "autocapitalize": "characters",
                    "spellcheck": "false",
                    "maxlength": str(LENGTH),
                    "class": "captcha-input",
                }
            ),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        return [None, None]

    def id_for_label(self, id_):
        # The label points at the text box, not at the hidden key.
        return f"{id_}_1" if id_ else id_

    def get_context(self, name, value, attrs):
        key = captcha_new()
        context = super().get_context(name, [key, ""], attrs)
        context["captcha_key"] = key
        context["captcha_url"] = reverse("captcha-image", args=[key])
        return context


class CaptchaField(forms.MultiValueField):
    """Form field for the "Mã kiểm tra"; validation consumes the challenge."""

    widget = CaptchaWidget
    default_error_messages = {
        "invalid": _("Mã kiểm tra không đúng hoặc đã hết hạn. Vui lòng nhập mã mới."),
        "required": _("Vui lòng nhập mã kiểm tra."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mã kiểm tra"))
        kwargs.setdefault("help_text", _("Nhập 4 ký tự trong hình."))
        fields = (forms.CharField(), forms.CharField(max_length=16))
        super().__init__(fields, require_all_fields=True, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return None
        key, answer = data_list
        if not captcha_check(key or "", answer or ""):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return True
