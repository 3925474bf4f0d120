"""vssid_portal.images.image_clean: the upload rules shared with registration."""

import io
import os

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from PIL import Image

from tests.support.conftest import image_bytes
from vssid_portal.images import image_clean


def upload(data: bytes, name="anh.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def phone_photo_with_gps() -> bytes:
    """A JPEG as phones write it: GPS position and Orientation=6 (rotated)."""
    image = Image.new("RGB", (400, 300), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, 200, 300))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (10.0, 45.0, 30.0)
    gps[3] = "E"
    gps[4] = (106.0, 40.0, 12.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def test_a_phone_photo_loses_its_gps_and_exif_and_is_turned_upright():
    original = phone_photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    cleaned = image_clean(upload(original))
    data = cleaned.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert b"Exif" not in data and b"PhoneMaker" not in data
    assert image.size == (300, 400)  # rotated by its Orientation tag
    assert cleaned.name.endswith(".jpg") and len(cleaned.name) == 36


def test_png_with_transparency_becomes_a_jpeg_on_white():
    out = io.BytesIO()
    Image.new("RGBA", (300, 300), (0, 0, 0, 0)).save(out, "PNG")
    image = Image.open(image_clean(upload(out.getvalue(), "a.png", "image/png")))
    assert image.format == "JPEG"
    assert image.getpixel((150, 150)) == pytest.approx((255, 255, 255), abs=3)


@pytest.mark.parametrize(
    "data,name",
    [
        (b"<?php echo 1; ?>", "shell.php.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.svg"),
        (b"%PDF-1.4\n%%EOF", "scan.jpg"),
        (b"<html><script>alert(1)</script></html>", "a.png"),
    ],
)
def test_files_that_are_not_images_are_refused_whatever_their_name(data, name):
    with pytest.raises(ValidationError, match="Chỉ nhận ảnh JPG, PNG hoặc HEIC"):
        image_clean(upload(data, name))


def test_a_gif_is_refused_even_though_pillow_reads_it():
    out = io.BytesIO()
    Image.new("RGB", (300, 300)).save(out, "GIF")
    with pytest.raises(ValidationError, match="Chỉ nhận ảnh JPG, PNG hoặc HEIC"):
        image_clean(upload(out.getvalue(), "a.gif"))


def test_a_truncated_jpeg_is_refused():
    data = image_bytes((800, 600))
    with pytest.raises(ValidationError, match="không phải là ảnh hợp lệ"):
        image_clean(upload(data[: len(data) // 2]))


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="Tệp ảnh trống"):
        image_clean(upload(b""))


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded():
    with pytest.raises(ValidationError, match="Ảnh quá lớn: tối đa 10 MB."):
        image_clean(upload(b"\xff\xd8" + b"0" * (10 * 1024 * 1024)))


def test_the_size_limit_can_be_lowered_by_the_caller():
    out = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(out, "JPEG", quality=100)
    assert len(out.getvalue()) > 1024 * 1024
    with pytest.raises(ValidationError, match="tối đa 1 MB"):
        image_clean(upload(out.getvalue()), max_bytes=1024 * 1024)


def test_an_image_too_small_to_read_is_refused():
    with pytest.raises(ValidationError, match="Ảnh quá nhỏ: cạnh ngắn phải từ 200 điểm ảnh"):
        image_clean(upload(image_bytes((640, 120))))


def test_a_pixel_flood_is_refused_without_decoding_it():
    """20000×20000 PNG of zeros: a few hundred kB on disk, 1.2 GB once decoded."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(ValidationError, match="kích thước điểm ảnh quá lớn"):
        image_clean(upload(out.getvalue(), "bomb.png", "image/png"))


def test_heic_from_an_iphone_is_accepted_when_pillow_heif_can_write_it():
    pillow_heif = pytest.importorskip("pillow_heif")
    out = io.BytesIO()
    try:
        pillow_heif.from_pillow(Image.new("RGB", (320, 240), (10, 200, 10))).save(out)
    except Exception as exc:  # no HEVC encoder in this build
        pytest.skip(f"pillow-heif cannot encode here: {exc}")
    image = Image.open(image_clean(upload(out.getvalue(), "IMG_0001.HEIC", "image/heic")))
    assert image.format == "JPEG" and image.size == (320, 240)
