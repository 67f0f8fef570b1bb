"""The bad-input corpus: broken, odd and hostile files, each with the answer the API must give.

``python -m tests.data.make_bad_corpus [folder]`` writes the files and ``manifest.json`` (default ``tests/data/bad/``,
git-ignored); the tests write the same corpus into a temporary folder. Files with a real face are made from
``photos/obama.jpg`` and the truncated videos from ``videos/`` of the shared data (so nothing of it is copied into the
repository); everything else is synthesised. Nothing is downloaded. The output is deterministic for given library
versions.

Each manifest entry: ``file``, ``kind`` (image, base64, video, archive), ``what``, ``expect`` (``"accepted"`` or
``{"status", "code"}``); accepted images add ``face`` (whether a face is in it) and ``size`` (width, height as
decoded, EXIF applied); accepted archives add ``job_images`` (each image's code in the finished job, or ``"ok"``).
"""

import base64
import io
import json
import random
import stat
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ml_models.paths import shared_data_dir

DEFAULT_FOLDER = Path(__file__).resolve().parent / "bad"
ZIP_DATE = (2024, 1, 1, 0, 0, 0)  # fixed entry times keep the archives byte-identical between runs

INVALID_IMAGE = {"status": 400, "code": "invalid_image"}
UNSUPPORTED = {"status": 415, "code": "unsupported_media_type"}
EMPTY = {"status": 400, "code": "empty_file"}
TOO_LARGE = {"status": 413, "code": "image_too_large"}  # too many pixels, or metadata inflating too far
INVALID_VIDEO = {"status": 400, "code": "invalid_video"}
INVALID_ZIP = {"status": 400, "code": "invalid_zip"}
NO_IMAGES = {"status": 400, "code": "no_images"}
TOO_MANY_FILES = {"status": 413, "code": "too_many_files"}


@dataclass
class Item:
    file: str
    kind: str
    what: str
    data: bytes
    expect: dict[str, Any] | str = "accepted"
    extra: dict[str, Any] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        return {"file": self.file, "kind": self.kind, "what": self.what, "expect": self.expect, **self.extra}


def refused(file: str, kind: str, what: str, data: bytes, expect: dict[str, Any]) -> Item:
    return Item(file, kind, what, data, expect)


def accepted_image(file: str, what: str, data: bytes, *, face: bool, size: tuple[int, int]) -> Item:
    return Item(file, "image", what, data, extra={"face": face, "size": list(size)})


# --- small encoders ---------------------------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_header(width: int, height: int, bit_depth: int, colour_type: int, rows: bytes) -> bytes:
    """A PNG written by hand: whatever the header declares, with ``rows`` (filter bytes included) as its data."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(rows, 9))
        + png_chunk(b"IEND", b"")
    )


def rgb16_png(image: Image.Image) -> bytes:
    pixels = np.asarray(image.convert("RGB"), dtype=np.uint16) * 257
    rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in pixels)
    return png_with_header(image.width, image.height, 16, 2, rows)


def jpeg_with_size(data: bytes, width: int, height: int) -> bytes:
    """The same baseline JPEG with the frame header (SOF0) claiming another size."""
    at = data.index(b"\xff\xc0")
    return data[: at + 5] + struct.pack(">HH", height, width) + data[at + 9 :]


def zip_of(entries: list[tuple[zipfile.ZipInfo | str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries:
            info = name if isinstance(name, zipfile.ZipInfo) else zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def patch_zip_headers(data: bytes, local_offset: int, central_offset: int, value: bytes) -> bytes:
    """Overwrite the same field in every local header and every central directory record."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        at = patched.find(signature)
        while at != -1:
            patched[at + offset : at + offset + len(value)] = value
            at = patched.find(signature, at + 4)
    return bytes(patched)


def video_file(fourcc: str, suffix: str, frames: list[np.ndarray], fps: float = 5.0) -> bytes:
    """A real video written by OpenCV (no frames at all is allowed: an empty container)."""
    import cv2

    height, width = frames[0].shape[:2] if frames else (16, 16)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"video{suffix}"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
        for frame in frames:
            writer.write(frame)
        writer.release()
        return path.read_bytes() if path.exists() else b""


def atoms(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """``(type, offset, size)`` of each MP4 atom between ``start`` and ``end``."""
    end = len(data) if end is None else end
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        if size < 8:
            return
        yield kind, start, size
        start += size


def moov_first(data: bytes) -> bytes:
    """The MP4 rewritten with its index (moov) right after ``ftyp``, the chunk offsets shifted to match."""
    top = list(atoms(data))
    ((moov_at, moov_size),) = [(offset, size) for kind, offset, size in top if kind == b"moov"]
    moov = bytearray(data[moov_at : moov_at + moov_size])

    def shift(start: int, end: int) -> None:
        for kind, offset, size in atoms(moov, start, end):
            if kind in {b"trak", b"mdia", b"minf", b"stbl"}:
                shift(offset + 8, offset + size)
            elif kind == b"stco":
                (count,) = struct.unpack(">I", moov[offset + 12 : offset + 16])
                for at in range(offset + 16, offset + 16 + 4 * count, 4):
                    moov[at : at + 4] = struct.pack(">I", struct.unpack(">I", moov[at : at + 4])[0] + moov_size)

    shift(8, moov_size)
    head = b"".join(data[o : o + s] for kind, o, s in top if kind == b"ftyp")
    rest = b"".join(data[o : o + s] for kind, o, s in top if kind not in {b"ftyp", b"moov"})
    return head + bytes(moov) + rest


# --- sources ----------------------------------------------------------------------------------------------------


def face_photo() -> Image.Image:
    """Obama's head and shoulders, one frontal face, at 240×300 so that inference on every oddity stays cheap."""
    with Image.open(shared_data_dir() / "photos" / "obama.jpg") as image:
        return image.convert("RGB").crop((230, 0, 690, 575)).resize((240, 300), Image.Resampling.LANCZOS)


def pattern(width: int = 64, height: int = 48) -> Image.Image:
    """A faceless picture: colour gradients with seeded noise."""
    y, x = np.mgrid[0:height, 0:width]
    noise = np.random.default_rng(0).integers(0, 40, (height, width, 3))
    pixels = np.stack([x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), (x + y) % 256], axis=-1)
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))


def hamilton_clip() -> bytes:
    return (shared_data_dir() / "videos" / "short_hamilton_clip.mp4").read_bytes()


def gradient(width: int, height: int) -> Image.Image:
    """A faceless picture that compresses well, for the extreme sizes."""
    return Image.linear_gradient("L").resize((width, height)).convert("RGB")


def frames(count: int, width: int, height: int) -> list[np.ndarray]:
    return [np.asarray(pattern(width, height).rotate(i * 10))[..., ::-1].copy() for i in range(count)]


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect/></svg>'
HTML = b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>"
TEXT = b"name,group\nalice,7B\nbob,7B\n"
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nnewpath 0 0 moveto 10 10 lineto stroke\n%%EOF\n"
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


# --- the corpus -------------------------------------------------------------------------------------------------


def broken_images(face: Image.Image) -> list[Item]:
    jpeg, png, webp = encode(pattern(), "JPEG", quality=90), encode(pattern(), "PNG"), encode(pattern(), "WEBP")
    scan = jpeg.index(b"\xff\xda")
    bad_crc = bytearray(png)
    bad_crc[29:33] = b"\x00\x00\x00\x00"  # the IHDR checksum
    huffman = bytearray(jpeg)
    dht = jpeg.index(b"\xff\xc4")
    huffman[dht + 5 : dht + 21] = bytes(16)  # every code length zeroed: no symbol can be decoded
    rng = random.Random(0)
    return [
        refused("empty.jpg", "image", "zero bytes", b"", EMPTY),
        refused("truncated.jpg", "image", "JPEG cut at a third (the real face photo)", encode(face, "JPEG")[:3000],
                INVALID_IMAGE),
        refused("jpeg_headers_only.jpg", "image", "JPEG markers up to the scan, no entropy-coded data",
                jpeg[: scan + 14], INVALID_IMAGE),
        refused("jpeg_bad_huffman.jpg", "image", "JPEG whose Huffman table has no codes", bytes(huffman),
                INVALID_IMAGE),
        refused("jpeg_soi_only.jpg", "image", "only the JPEG start marker", b"\xff\xd8\xff", INVALID_IMAGE),
        refused("truncated.png", "image", "PNG cut in its pixel data", png[: len(png) // 2], INVALID_IMAGE),
        refused("png_bad_crc.png", "image", "PNG whose header checksum is wrong", bytes(bad_crc), INVALID_IMAGE),
        refused("png_zero_width.png", "image", "PNG declaring 0×48 pixels",
                png_with_header(0, 48, 8, 2, b""), INVALID_IMAGE),
        refused("truncated.webp", "image", "WebP cut in half", webp[: len(webp) // 2], INVALID_IMAGE),
        refused("random_bytes.jpg", "image", "seeded random bytes named .jpg", rng.randbytes(4096), INVALID_IMAGE),
    ]  # fmt: skip


def impostors() -> list[Item]:
    """Other kinds of file named like an image."""
    mp4 = video_file("mp4v", ".mp4", frames(2, 32, 32))
    return [
        refused("text.jpg", "image", "CSV text renamed .jpg", TEXT, UNSUPPORTED),
        refused("page.jpg", "image", "HTML renamed .jpg", HTML, UNSUPPORTED),
        refused("drawing.jpg", "image", "SVG renamed .jpg", SVG, UNSUPPORTED),
        refused("document.jpg", "image", "PDF renamed .jpg", PDF, UNSUPPORTED),
        refused("archive.jpg", "image", "zip (holding a text file) renamed .jpg",
                zip_of([("readme.txt", TEXT)]), UNSUPPORTED),
        refused("movie.jpg", "image", "MP4 video renamed .jpg", mp4, UNSUPPORTED),
        refused("favicon.jpg", "image", "ICO icon renamed .jpg (a format we do not take)",
                encode(pattern(32, 32), "ICO"), UNSUPPORTED),
        refused("utf8_bom.jpg", "image", "JSON text with a UTF-8 byte-order mark", b'\xef\xbb\xbf{"a": 1}',
                UNSUPPORTED),
        refused("postscript.jpg", "image", "EPS (would run Ghostscript if it were ever loaded)", EPS, UNSUPPORTED),
        refused("targa.jpg", "image", "TGA renamed .jpg (Pillow reads it; we do not take it)",
                encode(pattern(), "TGA"), UNSUPPORTED),
        refused("bitmap.xbm", "image", "XBM, a C source text format Pillow reads",
                encode(pattern().convert("1"), "XBM"), UNSUPPORTED),
        refused("photo.qoi", "image", "QOI, a format Pillow reads and we do not take", encode(pattern(), "QOI"),
                UNSUPPORTED),
    ]  # fmt: skip


def metadata_bomb(kind: bytes, prefix: bytes) -> bytes:
    """A small PNG carrying a compressed metadata chunk that inflates to 50 MB."""
    png = encode(pattern(), "PNG")
    chunk = png_chunk(kind, prefix + zlib.compress(bytes(50_000_000), 9))
    return png[:33] + chunk + png[33:]  # right after the IHDR chunk


def bombs() -> list[Item]:
    """Huge declared sizes in small files: refused from the header, before any pixel is decoded."""
    small_jpeg = encode(pattern(16, 16), "JPEG")
    gif = bytearray(encode(pattern(16, 16), "GIF"))
    gif[6:10] = struct.pack("<HH", 65535, 65535)  # the logical screen
    webp = bytearray(encode(pattern(16, 16), "WEBP", lossless=True))
    vp8l = webp.index(b"VP8L") + 9  # after the chunk header and the signature byte: 14 bits width-1, 14 bits height-1
    webp[vp8l : vp8l + 4] = struct.pack("<I", (16383 | 16383 << 14) | (webp[vp8l + 3] & 0xF0) << 24)
    return [
        refused("bomb_png_10gp.png", "image", "PNG header claiming 100000×100000 (10 Gpx), 60 bytes of data",
                png_with_header(100_000, 100_000, 8, 2, b"\x00" * 301), TOO_LARGE),
        refused("bomb_png_45mp.png", "image", "PNG header claiming 9000×5000 (45 Mpx: under Pillow's own limit)",
                png_with_header(9000, 5000, 8, 2, b"\x00" * 27001), TOO_LARGE),
        refused("bomb_png_real_42mp.png", "image", "a real 7000×6000 one-bit PNG (42 Mpx in a few kB)",
                encode(Image.new("1", (7000, 6000)), "PNG"), TOO_LARGE),
        refused("bomb_jpeg.jpg", "image", "16×16 JPEG whose frame header claims 65500×65500",
                jpeg_with_size(small_jpeg, 65500, 65500), TOO_LARGE),
        refused("bomb_gif.gif", "image", "GIF whose logical screen is 65535×65535", bytes(gif), TOO_LARGE),
        refused("bomb_webp.webp", "image", "lossless WebP whose header claims 16384×16384", bytes(webp),
                TOO_LARGE),
        refused("bomb_png_ztxt.png", "image", "64×48 PNG with a zTXt text chunk inflating to 50 MB",
                metadata_bomb(b"zTXt", b"comment\x00\x00"), TOO_LARGE),
        refused("bomb_png_iccp.png", "image", "64×48 PNG with an ICC profile chunk inflating to 50 MB",
                metadata_bomb(b"iCCP", b"profile\x00\x00"), TOO_LARGE),
    ]  # fmt: skip


def with_orientation(image: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(image, "JPEG", exif=exif.tobytes())


def corrupt_exif(face: Image.Image) -> bytes:
    """A JPEG whose APP1 Exif segment points its IFD far outside the segment."""
    exif = b"Exif\x00\x00" + b"II*\x00" + struct.pack("<I", 0xFFFFFF00) + b"\x01\x00\x12\x01\x03\x00"
    data = encode(face, "JPEG")
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + data[2:]


def gif_js_polyglot() -> bytes:
    """A GIF whose first bytes are also JavaScript: ``GIF89a/*`` … ``*/=1;alert(1)``."""
    gif = bytearray(encode(pattern(16, 16).convert("P"), "GIF"))
    gif[6:10] = b"/*\x10\x00"  # logical screen width 0x2A2F = 10799 px ("/*"), height 16
    return bytes(gif) + b"*/=1;alert(1);"


def valid_oddities(face: Image.Image) -> list[Item]:
    w, h = face.size
    translucent = face.convert("RGBA")
    alpha = Image.new("L", face.size, 0)
    alpha.paste(255, (20, 20, w - 20, h - 20))
    translucent.putalpha(alpha)
    grey = face.convert("L")
    grey16 = Image.fromarray(np.asarray(grey, dtype=np.uint16) * 257)
    palette_clear = pattern().convert("P")
    palette_clear.info["transparency"] = 0
    lab = face.convert("LAB")
    del lab.info["icc_profile"]  # its creation time would change the file on every run
    motion = [pattern().rotate(angle) for angle in (0, 10, 20)]
    animated = [face.convert("P")] + [face.rotate(a).convert("P") for a in (10, 20)]
    return [
        accepted_image("exif_rotated.jpg", "the face stored sideways with EXIF orientation 6",
                       with_orientation(face.rotate(90, expand=True), 6), face=True, size=(w, h)),
        accepted_image("exif_orientation_99.jpg", "upright, with EXIF orientation 99 (no such value)",
                       with_orientation(face, 99), face=True, size=(w, h)),
        accepted_image("exif_corrupt.jpg", "an Exif segment whose IFD offset points outside it",
                       corrupt_exif(face), face=True, size=(w, h)),
        accepted_image("cmyk.jpg", "CMYK JPEG", encode(face.convert("CMYK"), "JPEG"), face=True, size=(w, h)),
        accepted_image("progressive.jpg", "progressive JPEG", encode(face, "JPEG", progressive=True),
                       face=True, size=(w, h)),
        accepted_image("grey.jpg", "8-bit greyscale JPEG", encode(grey, "JPEG"), face=True, size=(w, h)),
        accepted_image("jpeg_plus_zip.jpg", "polyglot: a JPEG with a zip appended",
                       encode(face, "JPEG") + zip_of([("hidden.txt", TEXT)]), face=True, size=(w, h)),
        accepted_image("grey16.png", "16-bit greyscale PNG", encode(grey16, "PNG"), face=True, size=(w, h)),
        accepted_image("rgb16.png", "16-bit per channel RGB PNG", rgb16_png(face), face=True, size=(w, h)),
        accepted_image("palette.png", "palette PNG", encode(face.convert("P"), "PNG"), face=True, size=(w, h)),
        accepted_image("rgba_alpha.png", "RGBA PNG with a transparent 20 px border", encode(translucent, "PNG"),
                       face=True, size=(w, h)),
        accepted_image("grey_alpha_la.png", "LA (grey + alpha) PNG", encode(face.convert("LA"), "PNG"),
                       face=True, size=(w, h)),
        accepted_image("animated.gif", "three-frame animated GIF (the first frame is used)",
                       encode(animated[0], "GIF", save_all=True, append_images=animated[1:], duration=100, loop=0),
                       face=True, size=(w, h)),
        accepted_image("photo.bmp", "BMP", encode(face, "BMP"), face=True, size=(w, h)),
        accepted_image("photo_lzw.tiff", "LZW-compressed TIFF", encode(face, "TIFF", compression="tiff_lzw"),
                       face=True, size=(w, h)),
        accepted_image("lossless_alpha.webp", "lossless WebP with alpha", encode(translucent, "WEBP", lossless=True),
                       face=True, size=(w, h)),
        accepted_image("float32.tiff", "32-bit floating-point greyscale TIFF",
                       encode(Image.fromarray(np.asarray(grey, dtype=np.float32)), "TIFF"), face=True, size=(w, h)),
        accepted_image("lab.tiff", "CIE L*a*b* TIFF", encode(lab, "TIFF"), face=True, size=(w, h)),
        accepted_image("multi_picture.mpo", "MPO (two JPEG pictures in one file, as some cameras write)",
                       encode(face, "MPO", save_all=True, append_images=[face.rotate(5)]), face=True, size=(w, h)),
        accepted_image("animated.png", "APNG, three frames", encode(motion[0], "PNG", save_all=True,
                       append_images=motion[1:]), face=False, size=(64, 48)),
        accepted_image("animated.webp", "animated WebP, three frames", encode(motion[0], "WEBP", save_all=True,
                       append_images=motion[1:]), face=False, size=(64, 48)),
        accepted_image("palette_transparent.png", "palette PNG with a transparent index",
                       encode(palette_clear, "PNG", transparency=0), face=False, size=(64, 48)),
        accepted_image("bilevel.png", "one-bit black and white PNG", encode(pattern().convert("1"), "PNG"),
                       face=False, size=(64, 48)),
        accepted_image("one_pixel.png", "1×1 PNG", encode(Image.new("RGB", (1, 1), (200, 150, 120)), "PNG"),
                       face=False, size=(1, 1)),
        accepted_image("strip_20000x20.png", "20000×20 px strip", encode(gradient(20000, 20), "PNG"),
                       face=False, size=(20000, 20)),
        accepted_image("strip_20x20000.png", "20×20000 px strip", encode(gradient(20, 20000), "PNG"),
                       face=False, size=(20, 20000)),
        accepted_image("gif_js_polyglot.gif", "polyglot: GIF header that is also JavaScript (10799×16 screen)",
                       gif_js_polyglot(), face=False, size=(10799, 16)),
    ]  # fmt: skip


def base64_texts(face: Image.Image) -> list[Item]:
    photo = base64.b64encode(encode(face, "JPEG")).decode()
    bomb = base64.b64encode(png_with_header(100_000, 100_000, 8, 2, b"\x00" * 301)).decode()
    random_bytes = random.Random(1).randbytes(600)
    wrapped = "\n".join(photo[i : i + 76] for i in range(0, len(photo), 76))
    urlsafe = base64.urlsafe_b64encode(encode(face, "JPEG", quality=80)).decode()
    texts = [
        ("b64_garbage.txt", "text that is not base64", "this is not base64!!", INVALID_IMAGE),
        ("b64_bad_padding.txt", "base64 with its padding cut", photo.rstrip("=")[:-1], INVALID_IMAGE),
        ("b64_non_ascii.txt", "non-ASCII characters", "ÿØÿà" + photo[:100], INVALID_IMAGE),
        ("b64_urlsafe.txt", "URL-safe alphabet (- and _), which image_base64 does not take",
         urlsafe if "-" in urlsafe or "_" in urlsafe else urlsafe + "-_", INVALID_IMAGE),
        ("b64_of_random.txt", "valid base64 of random bytes", base64.b64encode(random_bytes).decode(), INVALID_IMAGE),
        ("b64_of_svg.txt", "valid base64 of an SVG", base64.b64encode(SVG).decode(), UNSUPPORTED),
        ("b64_data_url_no_comma.txt", "a data URL prefix and nothing else", "data:image/png;base64", EMPTY),
        ("b64_of_bomb.txt", "valid base64 of a 10 Gpx PNG header", bomb, TOO_LARGE),
        ("b64_data_url.txt", "data:image/jpeg;base64, URL of the face photo", "data:image/jpeg;base64," + photo,
         "accepted"),
        ("b64_wrapped.txt", "MIME-style base64, wrapped at 76 columns", wrapped, "accepted"),
    ]  # fmt: skip
    extra = {"face": True, "size": list(face.size)}
    return [Item(f, "base64", what, t.encode(), e, extra if e == "accepted" else {}) for f, what, t, e in texts]


def videos(face: Image.Image) -> list[Item]:
    clip = hamilton_clip()
    streamable = moov_first(clip)
    jpeg = encode(face, "JPEG")
    return [
        refused("empty.mp4", "video", "zero bytes", b"", EMPTY),
        refused("photo.mp4", "video", "JPEG renamed .mp4", jpeg, INVALID_VIDEO),
        refused("notes.avi", "video", "text renamed .avi", TEXT * 10, INVALID_VIDEO),
        refused("truncated.mp4", "video", "real MP4 cut at 64 kB: its index (at the end) is lost",
                clip[:65536], INVALID_VIDEO),
        refused("ftyp_only.mp4", "video", "only the 32-byte ftyp atom of a real MP4", clip[:32], INVALID_VIDEO),
        refused("ftyp_then_jpeg.mp4", "video", "an ftyp atom followed by a JPEG", clip[:32] + jpeg, INVALID_VIDEO),
        refused("riff_garbage.avi", "video", "RIFF…AVI header, then seeded random bytes",
                b"RIFF" + struct.pack("<I", 4000) + b"AVI " + random.Random(2).randbytes(4000), INVALID_VIDEO),
        refused("ebml_garbage.webm", "video", "WebM/Matroska magic, then seeded random bytes",
                b"\x1a\x45\xdf\xa3" + random.Random(3).randbytes(4000), INVALID_VIDEO),
        refused("no_frames.mp4", "video", "an MP4 written with no frame", video_file("mp4v", ".mp4", []),
                INVALID_VIDEO),
        Item("truncated_streamable.mp4", "video", "real MP4 with its index first, cut after a third of its data",
             streamable[: len(streamable) // 3]),
        Item("tiny_16x16.mp4", "video", "16×16 px, 4 frames, no face", video_file("mp4v", ".mp4", frames(4, 16, 16))),
        Item("mjpeg.avi", "video", "Motion-JPEG AVI, 64×48, 4 frames", video_file("MJPG", ".avi", frames(4, 64, 48))),
    ]  # fmt: skip


def symlink_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    """A zip entry that unzip would restore as a symlink: Unix link mode bits, the target path as its content."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.create_system = 3  # Unix: the mode bits below are read
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def archives(face: Image.Image) -> list[Item]:
    jpeg, png, dot = encode(face, "JPEG"), encode(pattern(), "PNG"), encode(Image.new("RGB", (1, 1)), "PNG")
    stored = zip_of([("a.jpg", jpeg)], zipfile.ZIP_STORED)
    size_at = stored.rfind(b"PK\x01\x02") + 24
    lying = stored[:size_at] + struct.pack("<I", 10) + stored[size_at + 4 :]
    return [
        refused("zip_bomb.zip", "archive", "10 MB of zeros deflated to about 10 kB (ratio ~1000)",
                zip_of([("zeros.jpg", bytes(10 * 1024 * 1024))]), {"status": 413, "code": "zip_bomb"}),
        refused("zip_traversal.zip", "archive", "an entry named ../../etc/cron.d/evil.jpg",
                zip_of([("ok.jpg", jpeg), ("../../etc/cron.d/evil.jpg", jpeg)]),
                {"status": 400, "code": "unsafe_zip_path"}),
        refused("zip_absolute.zip", "archive", "an entry with an absolute path", zip_of([("/tmp/evil.jpg", jpeg)]),
                {"status": 400, "code": "unsafe_zip_path"}),
        refused("zip_501_entries.zip", "archive", "501 tiny images: one more than a job takes",
                zip_of([(f"{i:03d}.png", dot) for i in range(501)], zipfile.ZIP_STORED), TOO_MANY_FILES),
        refused("zip_1001_entries.zip", "archive", "1001 empty entries: more than a zip may hold",
                zip_of([(f"{i:04d}.jpg", b"") for i in range(1001)], zipfile.ZIP_STORED), TOO_MANY_FILES),
        refused("zip_empty.zip", "archive", "a zip with no entry", zip_of([]), NO_IMAGES),
        refused("zip_only_junk.zip", "archive", "only a folder, __MACOSX and .DS_Store",
                zip_of([("photos/", b""), ("__MACOSX/._a.jpg", b"x"), ("photos/.DS_Store", b"x")]), NO_IMAGES),
        refused("zip_truncated.zip", "archive", "a zip cut before its central directory",
                zip_of([("a.jpg", jpeg)])[:2000], INVALID_ZIP),
        refused("zip_encrypted.zip", "archive", "an entry flagged as encrypted",
                patch_zip_headers(stored, 6, 8, b"\x01\x00"), INVALID_ZIP),
        refused("zip_unknown_method.zip", "archive", "an entry with compression method 99 (AES)",
                patch_zip_headers(stored, 8, 10, b"\x63\x00"), INVALID_ZIP),
        refused("zip_lying_size.zip", "archive", "the directory says 10 bytes, the entry holds more", lying,
                INVALID_ZIP),
        Item("zip_nested.zip", "archive", "a zip inside the zip (not opened: a per-image error)",
             zip_of([("face.jpg", jpeg), ("inner.zip", zip_of([("b.jpg", jpeg)]))]),
             extra={"job_images": {"face.jpg": "ok", "inner.zip": "unsupported_media_type"}}),
        Item("zip_symlink.zip", "archive", "a symlink entry to /etc/passwd (skipped like a folder, never followed)",
             zip_of([("face.jpg", jpeg), symlink_entry("passwd.jpg", "/etc/passwd")]),
             extra={"job_images": {"face.jpg": "ok"}}),
        Item("zip_odd_names.zip", "archive", "unicode and spaced names, a folder, a faceless image",
             zip_of([("élèves/photo d'Obama.jpg", jpeg), ("élèves/", b""), ("motif 🙂.png", png)]),
             extra={"job_images": {"élèves/photo d'Obama.jpg": "ok", "motif 🙂.png": "ok"}}),
    ]  # fmt: skip


def corpus() -> list[Item]:
    face = face_photo()
    return [
        *broken_images(face), *impostors(), *bombs(), *valid_oddities(face), *base64_texts(face), *videos(face),
        *archives(face),
    ]  # fmt: skip


def write_corpus(folder: Path) -> list[dict[str, Any]]:
    """Write every file and ``manifest.json`` into ``folder``; the manifest entries."""
    folder.mkdir(parents=True, exist_ok=True)
    items = corpus()
    for item in items:
        (folder / item.file).write_bytes(item.data)
    manifest = [item.manifest() for item in items]
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return manifest


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER
    print(f"{len(write_corpus(target))} files written to {target}")
