"""FaceNet embeddings (InceptionResNetV1, 512-d, checkpoint 20180408-102900), batched."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ml_models.batching import predict_in_buckets, warm_up_buckets
from ml_models.crops import CROP_SIZE, standardize

Embeddings = NDArray[np.float32]  # N×512, unit length
EMBEDDING_DIM = 512


@dataclass(frozen=True)
class EmbedderSettings:
    batch_size: int = 32
    flip_tta: bool = False  # add the mirrored crop's embedding; see MODEL_CARD.md for its measured worth


def l2_normalize(vectors: NDArray[np.floating]) -> Embeddings:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-10)).astype(np.float32)


class FaceNetEmbedder:
    name = "facenet"
    version = "20180408-102900"

    def __init__(self, model: object, settings: EmbedderSettings = EmbedderSettings()) -> None:
        self._model = model  # a Keras model: N×160×160×3 float → N×512 unit vectors
        self.settings = settings

    def embed(self, crops: NDArray[np.uint8]) -> Embeddings:
        """Unit-length 512-d embeddings of N uint8 RGB crops of 160×160 (from ``crops.margin_crop``)."""
        if len(crops) == 0:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        if crops.shape[1:] != (CROP_SIZE, CROP_SIZE, 3):
            raise ValueError(f"expected N×{CROP_SIZE}×{CROP_SIZE}×3 crops, got {crops.shape}")
        vectors = self._predict(standardize(crops))
        if self.settings.flip_tta:
            vectors = vectors + self._predict(standardize(crops[:, :, ::-1]))
        return l2_normalize(vectors)

    def _predict(self, batch: NDArray[np.float32]) -> NDArray[np.float32]:
        return predict_in_buckets(self._model, batch, max_batch=self.settings.batch_size).astype(np.float32)

    def warm_up(self) -> None:
        warm_up_buckets(
            self._model, np.zeros((CROP_SIZE, CROP_SIZE, 3), np.float32), max_batch=self.settings.batch_size
        )
