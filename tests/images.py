"""Real image files, good and bad, generated for the tests (from shared photos where a face matters)."""

import io

from PIL import Image

from ml_models.paths import shared_data_dir

PHOTOS = shared_data_dir() / "photos"


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def photo_bytes(name: str = "obama_small.jpg") -> bytes:
    return (PHOTOS / name).read_bytes()


def photo(name: str = "obama_small.jpg") -> Image.Image:
    return Image.open(PHOTOS / name).convert("RGB")


def truncated_jpeg() -> bytes:
    data = photo_bytes()
    return data[: len(data) // 3]


def decompression_bomb_png(width: int = 10_000, height: int = 6_000) -> bytes:
    """60 MP of one colour: a few kilobytes on disk."""
    return encode(Image.new("1", (width, height)), "PNG")


def exif_rotated_jpeg() -> bytes:
    """A landscape photo stored sideways with EXIF orientation 6 (rotate 90° clockwise to view)."""
    image = photo().rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(image, "JPEG", exif=exif.tobytes())


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
HTML = b"<!DOCTYPE html><html><body>not an image</body></html>"
TEXT = b"name,age\nalice,12\n"
RANDOM_BYTES = bytes(range(256)) * 20
