"""Uploaded photos (ID cards, portraits, attachments): checked by content, re-encoded.

``image_clean`` is the one gate every uploaded image passes through:

- the format is decided from the bytes (Pillow), never from the file name or
  the browser's Content-Type: JPEG, PNG and HEIC/HEIF (pillow-heif);
- over 10 MB is refused, and so is a picture with more than 40 megapixels
  (a "pixel flood": a tiny file that would expand to gigabytes) — Pillow only
  warns at its own limit, so the warning is turned into an error;
- too small to read (under ``min_side`` pixels on the short side) is refused;
- the image is turned upright from its EXIF orientation, converted to RGB,
  scaled down to ``max_side`` and saved as a new JPEG: no EXIF (GPS), XMP or
  ICC data survives, and nothing of the original file is stored.

Errors are ``ValidationError`` with Vietnamese messages for the form field.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from PIL import Image, ImageOps, UnidentifiedImageError

try:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is pinned in requirements.txt
    HEIF_SUPPORTED = False

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "HEIF"} if HEIF_SUPPORTED else {"JPEG", "PNG"}
ACCEPTED_LABEL = "JPEG, PNG, HEIC" if HEIF_SUPPORTED else "JPEG, PNG"
DEFAULT_MIN_SIDE = 300
DEFAULT_MAX_SIDE = 2000


@dataclass
class CleanImage:
    content: bytes
    width: int
    height: int

    def as_file(self, prefix: str = "") -> ContentFile:
        """A ContentFile with a generated name: nothing of the user's file name survives."""
        return ContentFile(self.content, name=f"{prefix}{uuid.uuid4().hex}.jpg")


def image_clean(
    upload,
    *,
    min_side: int = DEFAULT_MIN_SIDE,
    max_side: int = DEFAULT_MAX_SIDE,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> CleanImage:
    """Check an uploaded file and return it re-encoded as a clean JPEG."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("Ảnh lớn hơn %(mb)s MB. Vui lòng chọn ảnh nhỏ hơn.") % {"mb": max_bytes // 2**20},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("Tệp rỗng. Vui lòng chọn lại ảnh."), code="empty")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            _("Ảnh lớn hơn %(mb)s MB. Vui lòng chọn ảnh nhỏ hơn.") % {"mb": max_bytes // 2**20},
            code="too_large",
        )
    not_an_image = ValidationError(
        _("Tệp không phải là ảnh hợp lệ. Chỉ nhận ảnh %(formats)s.") % {"formats": ACCEPTED_LABEL},
        code="invalid_image",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise not_an_image
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("Ảnh có kích thước quá lớn (%(w)s×%(h)s điểm ảnh).")
                    % {"w": width, "h": height},
                    code="too_many_pixels",
                )
            probe.verify()
            image = Image.open(io.BytesIO(data))
            if image.format == "JPEG" and max(width, height) > max_side:
                # Let the JPEG decoder scale by 1/2, 1/4 or 1/8 while decoding
                # (DCT scaling, never below the size kept): a 12-megapixel
                # phone photo decodes in a fraction of the time.
                ratio = max_side / max(width, height)
                image.draft("RGB", (round(width * ratio), round(height * ratio)))
            image.load()
        except ValidationError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ValidationError(_("Ảnh có kích thước quá lớn."), code="too_many_pixels") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise not_an_image from exc

    image = ImageOps.exif_transpose(image)
    if min(width, height) < min_side:  # the file's size, not the draft-decoded one
        raise ValidationError(
            _("Ảnh quá nhỏ để đọc rõ (%(w)s×%(h)s). Cạnh ngắn cần ít nhất %(min)s điểm ảnh.")
            % {"w": width, "h": height, "min": min_side},
            code="too_small",
        )
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode == "L":
        image = image.convert("RGB")
    image.thumbnail((max_side, max_side), Image.LANCZOS)
    out = io.BytesIO()
    # A new JPEG with no exif=, no icc_profile=: metadata is not carried over.
    image.save(out, "JPEG", quality=85, optimize=True)
    return CleanImage(content=out.getvalue(), width=image.size[0], height=image.size[1])


class ImageInput(forms.ClearableFileInput):
    """A file input that offers the camera or the gallery on a phone."""

    def __init__(self, attrs=None):
        super().__init__(
            {"accept": "image/jpeg,image/png,image/heic,image/heif,image/*", **(attrs or {})}
        )


class ImageUploadField(forms.FileField):
    """A form field whose cleaned value is a re-encoded ``ContentFile`` (UUID name)."""

    widget = ImageInput

    def __init__(
        self, *, min_side: int = DEFAULT_MIN_SIDE, max_side: int = DEFAULT_MAX_SIDE, **kwargs
    ):
        self.min_side = min_side
        self.max_side = max_side
        kwargs.setdefault(
            "help_text",
            _("Ảnh %(formats)s, tối đa 10 MB, rõ nét, đủ sáng.") % {"formats": ACCEPTED_LABEL},
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        data = super().clean(data, initial)
        if not data or data is initial:
            return data
        return image_clean(data, min_side=self.min_side, max_side=self.max_side).as_file()
