"""A profile's logo or photo: size-checked, decoded by Pillow and re-encoded (no metadata, at
most `MAX_SIDE` pixels a side), never fetched from elsewhere: only an uploaded file is read.

PNG is kept for images with transparency, the rest becomes JPEG. A file that is too big, not an
image, or an image of too many pixels (a decompression bomb) is refused, the reason named."""

from __future__ import annotations

import io
import warnings
from typing import Any

from PIL import Image, UnidentifiedImageError

from api.errors import DomainError

MAX_IMAGE_BYTES = 800_000
"""The largest file accepted (under the pages' 1 MiB body cap, with the form around it)."""
MAX_PIXELS = 25_000_000
"""The most pixels a file may decode to (a small file can decode to a huge image)."""
MAX_SIDE = 512
FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
UNREADABLE = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
    OSError,
    SyntaxError,
    ValueError,
)


def image_refused(message: str, **params: Any) -> DomainError:
    return DomainError("invalid_image", message, status=422, **params)


def reencoded(data: bytes) -> tuple[bytes, str]:
    """The image of an uploaded file, re-encoded: (bytes, media type)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise image_refused(
            "Image trop lourde : {size} Ko, {limit} Ko au plus.",
            size=len(data) // 1000,
            limit=MAX_IMAGE_BYTES // 1000,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data))
            if source.format not in FORMATS:
                raise image_refused("Format d'image non accepté : PNG, JPEG, GIF ou WebP.")
            if source.width * source.height > MAX_PIXELS:
                raise image_refused(
                    "Image trop grande : {width} × {height} pixels.",
                    width=source.width,
                    height=source.height,
                )
            source.load()
    except UNREADABLE as exc:
        message = "Ce fichier n'est pas une image lisible (PNG, JPEG, GIF ou WebP)."
        raise image_refused(message) from exc
    image = source.convert("RGBA") if _has_alpha(source) else source.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png"
    image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), "image/jpeg"


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
