import base64

import numpy as np
import pytest
from PIL import Image

from ml_models.errors import EmptyFile, FileTooLarge, ImageTooLarge, InvalidImage, UnsupportedMediaType
from ml_models.images import ImageLimits, decode_base64_image, decode_image
from tests import images
from tests.data.make_bad_corpus import metadata_bomb


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF"])
def test_every_supported_format_decodes_to_rgb_uint8(fmt):
    original = images.photo()
    decoded = decode_image(images.encode(original, fmt))
    assert decoded.dtype == np.uint8
    assert decoded.shape == (original.height, original.width, 3)


def test_a_real_png_photo_decodes():
    decoded = decode_image(images.photo_bytes("lin-manuel-miranda.png"))
    assert decoded.shape == (612, 704, 3)


@pytest.mark.parametrize("mode", ["L", "CMYK", "P", "RGBA", "LA", "I;16", "1"])
def test_other_modes_become_rgb(mode):
    source = images.photo().convert("L" if mode == "I;16" else mode)
    if mode == "I;16":
        source = Image.fromarray(np.asarray(source, dtype=np.uint16) * 257)
    fmt = {"CMYK": "JPEG", "LA": "PNG"}.get(mode, "TIFF" if mode == "I;16" else "PNG")
    decoded = decode_image(images.encode(source, fmt))
    assert decoded.shape == (source.height, source.width, 3)
    assert decoded.dtype == np.uint8
    assert 40 < decoded.mean() < 220  # a photo, not a black or white square


def test_sixteen_bit_grey_is_scaled_not_clipped():
    ramp = np.linspace(0, 65535, 256, dtype=np.uint16).reshape(16, 16)
    decoded = decode_image(images.encode(Image.fromarray(ramp), "PNG"))
    assert decoded[..., 0].min() == 0
    assert decoded[..., 0].max() == 255


def test_transparency_is_composed_over_white():
    clear = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    assert (decode_image(images.encode(clear, "PNG")) == 255).all()


def test_exif_orientation_is_applied():
    upright = images.photo()
    decoded = decode_image(images.exif_rotated_jpeg())
    assert decoded.shape[:2] == (upright.height, upright.width)
    difference = np.abs(decoded.astype(int) - np.asarray(upright, dtype=int)).mean()
    assert difference < 12  # the same picture up to JPEG loss


def test_a_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    data = images.encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    first = decode_image(data)
    assert first[0, 0, 0] > 200
    assert first[0, 0, 2] < 50


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyFile),
        (images.truncated_jpeg(), InvalidImage),
        (images.RANDOM_BYTES, InvalidImage),
        (images.SVG, UnsupportedMediaType),
        (images.HTML, UnsupportedMediaType),
        (images.TEXT, UnsupportedMediaType),
        (images.decompression_bomb_png(), ImageTooLarge),
    ],
    ids=["empty", "truncated", "random", "svg", "html", "text", "bomb"],
)
def test_bad_files_raise_their_error(data, error):
    with pytest.raises(error) as raised:
        decode_image(data)
    assert raised.value.code == error.code


def test_a_huge_bomb_beyond_pillows_own_limit_is_also_image_too_large():
    with pytest.raises(ImageTooLarge):
        decode_image(images.decompression_bomb_png(20_000, 10_000))


@pytest.mark.parametrize(("kind", "prefix"), [(b"zTXt", b"comment\x00\x00"), (b"iCCP", b"profile\x00\x00")])
def test_a_metadata_chunk_inflating_past_pillows_limit_is_too_large_not_corrupt(kind, prefix):
    with pytest.raises(ImageTooLarge) as raised:
        decode_image(metadata_bomb(kind, prefix))
    assert "metadata" in raised.value.message


def test_formats_outside_the_list_are_unsupported():
    with pytest.raises(UnsupportedMediaType):
        decode_image(images.encode(images.photo().resize((64, 64)), "ICO"))


def test_byte_limit_is_checked_before_decoding():
    data = images.photo_bytes()
    with pytest.raises(FileTooLarge) as raised:
        decode_image(data, limits=ImageLimits(max_bytes=len(data) - 1))
    assert raised.value.details["max_bytes"] == len(data) - 1


def test_pixel_limit_is_configurable():
    with pytest.raises(ImageTooLarge):
        decode_image(images.photo_bytes(), limits=ImageLimits(max_pixels=1000))


def test_base64_plain_and_data_url():
    data = images.photo_bytes()
    plain = base64.b64encode(data).decode()
    assert decode_base64_image(plain).shape == decode_base64_image(f"data:image/jpeg;base64,{plain}").shape


def test_bad_base64_is_invalid_image():
    with pytest.raises(InvalidImage):
        decode_base64_image("this is not base64!!")
