"""Safe image decoding: bytes in, an RGB uint8 array out, or an error with a stable code.

Limits are checked before any pixel is decoded: the byte size first, then the pixel count from the header
(a decompression bomb never gets decompressed).
"""

import base64
import binascii
import io
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

from ml_models.errors import (
    EmptyFile,
    FaceApiInputError,
    FileTooLarge,
    ImageTooLarge,
    InvalidImage,
    UnsupportedMediaType,
)
from ml_models.file_types import looks_like_non_image

RGBImage = NDArray[np.uint8]  # H×W×3, RGB order

SUPPORTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "BMP", "GIF", "TIFF"})
TEXT_MARKERS = (b"<?xml", b"<svg", b"<!doctype", b"<html", b"{", b"[")
PILLOW_CHUNK_BOMB = "decompressed data too large"  # how Pillow's ValueError starts for a PNG zTXt/iTXt/iCCP bomb


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int = 15 * 1024 * 1024
    max_pixels: int = 40_000_000


def _looks_like_text(head: bytes) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(TEXT_MARKERS):
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head and all(b >= 9 for b in head[:512])


def _unreadable(exc: Exception) -> FaceApiInputError:
    """Pillow's refusal as our error: a metadata chunk (PNG text or ICC profile) inflating past Pillow's limit is too
    large, like a pixel bomb; anything else is a broken file. Pillow marks the former only by its message."""
    if isinstance(exc, ValueError) and str(exc).lower().startswith(PILLOW_CHUNK_BOMB):
        return ImageTooLarge("The image carries metadata that expands to more data than allowed.")
    return InvalidImage(reason=str(exc))


def _open(data: bytes, limits: ImageLimits) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge(max_pixels=limits.max_pixels) from None
    except UnidentifiedImageError:
        if _looks_like_text(data[:1024]):
            raise UnsupportedMediaType("Text, HTML and SVG files are not images we can read.") from None
        if looks_like_non_image(data[:16]):
            raise UnsupportedMediaType("Documents, archives, videos and programs are not images.") from None
        raise InvalidImage() from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise _unreadable(exc) from None
    if image.format not in SUPPORTED_FORMATS:
        raise UnsupportedMediaType(
            f"{image.format} images are not supported.", supported=sorted(SUPPORTED_FORMATS - {"MPO"})
        )
    width, height = image.size
    if width * height > limits.max_pixels:
        raise ImageTooLarge(width=width, height=height, max_pixels=limits.max_pixels)
    if width == 0 or height == 0:
        raise InvalidImage("The image has no pixels.")
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    """CMYK, palette, grey, 16-bit and alpha → 8-bit RGB (transparency composed over white)."""
    if image.mode in {"I;16", "I;16L", "I;16B", "I;16N", "I", "F"}:
        pixels = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or pixels.max() > 255 else 255.0
        grey = np.clip(pixels * (255.0 / top), 0, 255).round().astype(np.uint8)
        return Image.fromarray(grey, mode="L").convert("RGB")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in {"RGBA", "LA", "PA", "RGBa", "La"}:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def decode_image(data: bytes, *, limits: ImageLimits = ImageLimits()) -> RGBImage:
    """Decode an uploaded image (first frame of GIF/TIFF), apply EXIF orientation, return H×W×3 uint8 RGB."""
    if not data:
        raise EmptyFile()
    if len(data) > limits.max_bytes:
        raise FileTooLarge(size_bytes=len(data), max_bytes=limits.max_bytes)
    image = _open(data, limits)
    try:
        image.load()
        image = ImageOps.exif_transpose(image) or image
        rgb = _to_rgb(image)
        return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))
    except (OSError, SyntaxError, ValueError, TypeError, Image.DecompressionBombError) as exc:
        raise _unreadable(exc) from None


def decode_base64_image(text: str, *, limits: ImageLimits = ImageLimits()) -> RGBImage:
    """Decode ``image_base64`` (plain base64 or a ``data:image/...;base64,`` URL)."""
    if text.startswith("data:"):
        _, _, text = text.partition(",")
    if len(text) > limits.max_bytes * 4 // 3 + 4:
        raise FileTooLarge(max_bytes=limits.max_bytes)
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidImage("image_base64 is not valid base64.") from None
    return decode_image(data, limits=limits)
