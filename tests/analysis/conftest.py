import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.conftest import PHOTOS, SHARED_DATA


def upload(name: str, data: bytes | None = None, field: str = "image") -> dict[str, SimpleUploadedFile]:
    return {
        field: SimpleUploadedFile(name.rsplit("/", 1)[-1], data if data is not None else (PHOTOS / name).read_bytes())
    }


def reencode(name: str, mode: str, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.open(PHOTOS / name).convert(mode).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def fer_face_png() -> bytes:
    """A real 48×48 FER2013 validation face labelled happy, as a PNG."""
    data = np.load(SHARED_DATA / "fer2013" / "val.npz")
    happy = list(data["classes"]).index("happy")
    index = int(np.flatnonzero(data["y"] == happy)[0])
    buffer = io.BytesIO()
    Image.fromarray(data["x"][index]).save(buffer, format="PNG")
    return buffer.getvalue()
