"""Profile images (api.profiles.images): decoded by Pillow and re-encoded small, without their
metadata; too heavy, too many pixels, not an image or of another format: refused, said why."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from api.errors import DomainError
from api.profiles.images import MAX_SIDE, reencoded


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_every_accepted_format_comes_out_small(fmt: str) -> None:
    data = encoded(Image.new("RGB", (1600, 400), (0, 90, 160)), fmt)
    out, media_type = reencoded(data)
    decoded = Image.open(io.BytesIO(out))
    assert media_type == "image/jpeg" and decoded.format == "JPEG"
    assert decoded.size == (MAX_SIDE, 128)


def test_transparency_keeps_png() -> None:
    out, media_type = reencoded(encoded(Image.new("RGBA", (40, 30), (0, 0, 0, 0)), "PNG"))
    assert media_type == "image/png" and Image.open(io.BytesIO(out)).mode == "RGBA"


def test_too_many_pixels_are_refused_before_decoding() -> None:
    large = encoded(Image.new("1", (6000, 6000)), "PNG")  # 36 million pixels, a small file
    with pytest.raises(DomainError) as refused:
        reencoded(large)
    assert refused.value.render("en") == "Image too large: 6000 × 6000 pixels."
    bomb = encoded(Image.new("1", (20_000, 20_000)), "PNG")  # 400 million: Pillow's own guard
    assert len(bomb) < 800_000
    with pytest.raises(DomainError) as exploded:
        reencoded(bomb)
    assert exploded.value.code == "invalid_image"
    assert "not a readable image" in exploded.value.render("en")


def test_other_formats_and_garbage_are_refused() -> None:
    bmp = encoded(Image.new("RGB", (10, 10)), "BMP")
    with pytest.raises(DomainError) as refused:
        reencoded(bmp)
    assert refused.value.render("fr") == "Format d'image non accepté : PNG, JPEG, GIF ou WebP."
    with pytest.raises(DomainError) as garbage:
        reencoded(b"GIF89a" + b"\x00" * 20)
    assert "n'est pas une image lisible" in garbage.value.render("fr")
    with pytest.raises(DomainError) as heavy:
        reencoded(b"\x00" * 900_000)
    assert heavy.value.render("fr") == "Image trop lourde : 900 Ko, 800 Ko au plus."
