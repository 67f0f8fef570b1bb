"""FaceNet embeddings (InceptionResNetV1, 512-d, checkpoint 20180408-102900), batched."""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from ml_models.batching import predict_in_buckets, warm_up_buckets
from ml_models.crops import CROP_SIZE, standardize

Embeddings = NDArray[np.float32]  # N×512, unit length
EMBEDDING_DIM = 512
POOLED_LAYER = "AvgPool"  # the backbone's 1792-d global average pool, before the 512-d bottleneck
POOLED_DIM = 1792


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

    def embed_with_pooled(self, crops: NDArray[np.uint8]) -> tuple[Embeddings, NDArray[np.float32]]:
        """``embed(crops)`` (the same bits) and the N×1792 pooled features, from one forward pass."""
        if len(crops) == 0:
            return np.zeros((0, EMBEDDING_DIM), np.float32), np.zeros((0, POOLED_DIM), np.float32)
        if crops.shape[1:] != (CROP_SIZE, CROP_SIZE, 3):
            raise ValueError(f"expected N×{CROP_SIZE}×{CROP_SIZE}×3 crops, got {crops.shape}")
        both = self._predict(standardize(crops), self._with_pooled)
        if self.settings.flip_tta:
            both = both + self._predict(standardize(crops[:, :, ::-1]), self._with_pooled)
            both[:, EMBEDDING_DIM:] /= 2
        return l2_normalize(both[:, :EMBEDDING_DIM]), both[:, EMBEDDING_DIM:]

    @cached_property
    def _with_pooled(self) -> object:
        """The same Keras network (shared weights) with output [embedding | pooled layer]: N×(512 + 1792)."""
        import keras

        model = self._model
        return keras.Model(
            model.inputs, keras.layers.Concatenate()([model.outputs[0], model.get_layer(POOLED_LAYER).output])
        )

    def _predict(self, batch: NDArray[np.float32], model: object | None = None) -> NDArray[np.float32]:
        return predict_in_buckets(model or self._model, batch, max_batch=self.settings.batch_size).astype(np.float32)

    def warm_up(self) -> None:
        for model in (self._model, self._with_pooled):
            warm_up_buckets(model, np.zeros((CROP_SIZE, CROP_SIZE, 3), np.float32), max_batch=self.settings.batch_size)
