"""Per-face heads (emotion, attributes, mask, age/gender, liveness) behind one small interface."""

from collections.abc import Sequence
from typing import Any, Protocol

from ml_models.faces import DetectedFace
from ml_models.images import RGBImage


class FaceHead(Protocol):
    feature: str  # the name clients ask for in ``features=``
    name: str
    version: str

    def predict(self, image: RGBImage, faces: Sequence[DetectedFace]) -> list[dict[str, Any]]:
        """One JSON-ready result per face, all faces in one batch."""
        ...
