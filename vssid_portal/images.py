"""Uploaded images, checked by content and re-encoded before they are stored.

Every image a citizen uploads (ID photos, portraits, attachments to a
question) goes through ``image_clean``:

- the file is judged by what Pillow finds in it, never by its name or its
  Content-Type: JPEG, PNG, and HEIC/HEIF (phones) when pillow-heif loads;
- too large files (bytes) and pixel floods (decompression bombs: a tiny PNG
  that decodes to gigabytes) are refused before the pixels are decoded;
- images smaller than ``min_side`` on their short side are refused;
- the pixels are copied into a brand-new image, turned upright by their
  EXIF Orientation and saved as a JPEG, so no EXIF (GPS), XMP or ICC data
  survives;
- the stored name is a random UUID: nothing the client sent ends up in a
  path.

    from vssid_portal.images import image_clean
    content = image_clean(form.cleaned_data["photo"], min_side=300)
    instance.photo.save(content.name, content, save=False)

Errors are ``django.core.exceptions.ValidationError`` with Vietnamese
messages, ready to be shown next to the field.
"""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC from iPhones; optional, the other formats work without it.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_ENABLED = True
except ImportError:  # pragma: no cover - pillow-heif is in requirements
    HEIF_ENABLED = False

MAX_BYTES = 10 * 1024 * 1024
MIN_SIDE = 200
# Well under Pillow's own 89 MP warning: a 12 MP phone photo passes with room.
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "HEIF"}
JPEG_QUALITY = 85

MESSAGES = {
    "empty": _("Tệp ảnh trống. Vui lòng chọn lại ảnh."),
    "too_large": _("Ảnh quá lớn: tối đa {max_mb} MB."),
    "not_image": _("Tệp này không phải là ảnh hợp lệ. Chỉ nhận ảnh JPG, PNG hoặc HEIC."),
    "too_many_pixels": _(
        "Ảnh có kích thước điểm ảnh quá lớn. Vui lòng chụp hoặc lưu lại ảnh nhỏ hơn."
    ),
    "too_small": _(
        "Ảnh quá nhỏ: cạnh ngắn phải từ {min_side} điểm ảnh trở lên. Vui lòng chụp lại rõ hơn."
    ),
}


def _error(code: str, **params) -> ValidationError:
    return ValidationError(str(MESSAGES[code]).format(**params), code=code)


def _open(data: bytes, *, max_pixels: int) -> Image.Image:
    """Open from bytes; the pixel count is checked from the header, before decoding."""
    with warnings.catch_warnings():
        # Pillow only *warns* between its two limits; treat that as an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _error("too_many_pixels") from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise _error("not_image") from exc
    if image.format not in ACCEPTED_FORMATS:
        raise _error("not_image")
    width, height = image.size
    if width * height > max_pixels:
        raise _error("too_many_pixels")
    return image


def image_clean(
    uploaded_file,
    *,
    min_side: int = MIN_SIDE,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> ContentFile:
    """Check an uploaded image and return a clean JPEG copy named ``<uuid>.jpg``.

    Raises ``ValidationError`` (codes: empty, too_large, not_image,
    too_many_pixels, too_small) with a Vietnamese message.
    """
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise _error("too_large", max_mb=max_bytes // (1024 * 1024))
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    # One byte more than allowed is enough to know it is too large.
    data = uploaded_file.read(max_bytes + 1)
    if not data:
        raise _error("empty")
    if len(data) > max_bytes:
        raise _error("too_large", max_mb=max_bytes // (1024 * 1024))

    # verify() checks the structure without decoding, and leaves the image
    # unusable; the second open decodes it for real.
    try:
        _open(data, max_pixels=max_pixels).verify()
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder complaint means "not an image"
        raise _error("not_image") from exc

    image = _open(data, max_pixels=max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _error("too_many_pixels") from exc
    except Exception as exc:  # noqa: BLE001 - truncated or corrupt data
        raise _error("not_image") from exc

    image = ImageOps.exif_transpose(image)
    if min(image.size) < min_side:
        raise _error("too_small", min_side=min_side)

    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flattened = Image.new("RGB", rgba.size, (255, 255, 255))
        flattened.paste(rgba, mask=rgba.getchannel("A"))
        pixels = flattened
    else:
        pixels = image.convert("RGB")
    # A new image carries no info dict: no EXIF, XMP, ICC profile or comments.
    clean = Image.new("RGB", pixels.size)
    clean.paste(pixels)

    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
