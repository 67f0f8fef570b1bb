from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import PHOTOS


def load_photo(name: str) -> np.ndarray:
    return np.asarray(Image.open(PHOTOS / name).convert("RGB"))


@pytest.fixture(scope="session")
def photo() -> object:
    cache: dict[str, np.ndarray] = {}

    def get(name: str) -> np.ndarray:
        if name not in cache:
            cache[name] = load_photo(name)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def videos_dir() -> Path:
    return PHOTOS.parent / "videos"
