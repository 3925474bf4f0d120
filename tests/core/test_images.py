import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from PIL import Image

from vssid_portal.images import image_clean


def jpeg_with_gps(width=800, height=600, orientation=6) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((20, 20, 200), (0, 0, width // 4, height // 4))  # marks the top-left corner
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (10.0, 45.0, 0.0), 3: "E", 4: (106.0, 42.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name="anh.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_phone_photo_is_turned_upright_and_loses_its_exif_and_gps():
    cleaned = image_clean(upload(jpeg_with_gps()))
    image = Image.open(io.BytesIO(cleaned.content))
    assert image.format == "JPEG"
    assert image.size == (600, 800)  # orientation 6 = rotated 90°
    assert not image.getexif()
    assert b"Exif" not in cleaned.content
    assert b"http://ns.adobe.com/xap" not in cleaned.content


@pytest.mark.parametrize(
    "data,name",
    [
        (b"<?php system($_GET['c']); ?>", "anh.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "anh.svg"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF", "to-khai.jpg"),
    ],
)
def test_non_images_are_refused_whatever_their_name(data, name):
    with pytest.raises(ValidationError, match="không phải là ảnh hợp lệ"):
        image_clean(upload(data, name))


def test_truncated_jpeg_is_refused():
    with pytest.raises(ValidationError, match="không phải là ảnh hợp lệ"):
        image_clean(upload(jpeg_with_gps()[:2000]))


def test_empty_file_is_refused():
    with pytest.raises(ValidationError, match="Tệp rỗng"):
        image_clean(upload(b""))


def test_files_over_10_mb_are_refused():
    big = SimpleUploadedFile("to.jpg", b"\xff" * (10 * 2**20 + 1), content_type="image/jpeg")
    with pytest.raises(ValidationError, match="lớn hơn 10 MB"):
        image_clean(big)


def test_a_pixel_flood_is_refused_without_decoding_it():
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG", optimize=True)
    assert len(out.getvalue()) < 200_000
    with pytest.raises(ValidationError, match="kích thước quá lớn"):
        image_clean(upload(out.getvalue(), "bom.png", "image/png"))


def test_images_too_small_to_read_say_the_minimum():
    out = io.BytesIO()
    Image.new("RGB", (100, 100)).save(out, "PNG")
    with pytest.raises(ValidationError, match="ít nhất 300 điểm ảnh"):
        image_clean(upload(out.getvalue(), "nho.png", "image/png"))


def test_transparent_png_is_flattened_on_white():
    out = io.BytesIO()
    Image.new("RGBA", (400, 400), (0, 0, 0, 0)).save(out, "PNG")
    cleaned = image_clean(upload(out.getvalue(), "trong.png", "image/png"))
    assert Image.open(io.BytesIO(cleaned.content)).getpixel((10, 10)) == (255, 255, 255)


def test_large_photos_are_scaled_down_and_named_by_uuid():
    cleaned = image_clean(upload(jpeg_with_gps(4000, 3000, orientation=1)))
    assert max(cleaned.width, cleaned.height) == 2000
    name = cleaned.as_file().name
    assert name.endswith(".jpg") and len(name) == 36
