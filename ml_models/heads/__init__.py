"""Per-face heads (emotion, attributes, mask, age/gender, liveness) behind one small interface.

A head module exposes ``FEATURE``, ``available() -> bool`` (are its weights here?) and
``load() -> tuple[FaceHead, ModelInfo]``; listing it in ``HEAD_MODULES`` is all it takes for ``analyze`` to serve it.
"""

from collections.abc import Sequence
from functools import cached_property
from typing import Any, Protocol

import numpy as np

from ml_models.faces import DetectedFace
from ml_models.images import RGBImage

# Feature name → module; the order is the order of keys in a face's JSON.
HEAD_MODULES: dict[str, str] = {
    "emotion": "ml_models.heads.emotion",
    "attributes": "ml_models.heads.attributes",
    "mask": "ml_models.heads.mask",
    "age_gender": "ml_models.heads.age_gender",
    "liveness": "ml_models.heads.liveness",
}


class FaceBatch:
    """All faces of one image, with what several heads share computed once: crops and FaceNet outputs."""

    def __init__(
        self,
        image: RGBImage,
        faces: Sequence[DetectedFace],
        *,
        crops: np.ndarray | None = None,
        embeddings: np.ndarray | None = None,
    ) -> None:
        """``crops`` and ``embeddings`` may be passed when the caller has them already (they are then reused)."""
        self.image = image
        self.faces = list(faces)
        if crops is not None:
            self.__dict__["crops"] = crops
        if embeddings is not None:
            self.__dict__["embeddings"] = embeddings

    def __len__(self) -> int:
        return len(self.faces)

    @cached_property
    def crops(self) -> np.ndarray:
        """N×160×160×3 uint8 FaceNet crops (MTCNN box + margin)."""
        from ml_models.pipeline import crops_of

        return crops_of(self.image, self.faces)

    @cached_property
    def embeddings(self) -> np.ndarray:
        """N×512 unit FaceNet embeddings: the backbone runs once per face whatever the number of heads using it."""
        return self._backbone[0]

    @cached_property
    def pooled(self) -> np.ndarray:
        """N×1792 FaceNet features before the bottleneck, from the same backbone pass as ``embeddings`` (a caller
        that passed ``embeddings`` in gets a second pass here: callers serving pooled heads should not pass them)."""
        return self._backbone[1]

    @cached_property
    def _backbone(self) -> tuple[np.ndarray, np.ndarray]:
        from ml_models import registry

        return registry.embedder().embed_with_pooled(self.crops)


class FaceHead(Protocol):
    feature: str  # the name clients ask for in ``features=``
    name: str
    version: str
    uses_embeddings: bool  # True for heads on FaceNet features (they share one backbone pass)

    def predict(self, batch: FaceBatch) -> list[dict[str, Any]]:
        """One JSON-ready result per face of the batch, all faces in one pass."""
        ...
