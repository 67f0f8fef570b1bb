"""Liveness (a live face, or a photo / screen of one): MiniFASNetV2 + MiniFASNetV1SE from Silent-Face-Anti-Spoofing.

Both networks are the original weights converted to ONNX (``python -m ml_models.training.liveness``) and run by
``cv2.dnn``. Each sees its own crop: a square around the face enlarged by the network's scale (2.7 and 4.0) and
shifted to stay inside the image, resized to 80×80, BGR, float 0–255 without normalisation. As in the original,
the two softmaxes are summed; ``score`` is the summed probability of class 1 (real) divided by 2.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ml_models.crops import square_region
from ml_models.faces import Box, DetectedFace
from ml_models.heads import FaceBatch
from ml_models.images import RGBImage
from ml_models.model_info import ModelInfo, sha256_files
from ml_models.paths import WEIGHTS_DIR

FEATURE = "liveness"
INPUT_SIZE = 80
REAL_CLASS = 1
# Chosen on NUAA subjects 0001–0004 and reported on 0005–0009 (MODEL_CARD.md, `make eval`).
THRESHOLD = 0.21
# The original detector's box, measured against MTCNN's on the repo's three annotated sample images: square,
# 0.91 × MTCNN's longer side, its centre 0.064 × the height lower (MTCNN boxes are taller than wide and sit higher).
BOX_SIDE = 0.91
BOX_DROP = 0.064


@dataclass(frozen=True)
class LivenessNet:
    stem: str  # the original .pth file's name without extension
    scale: float

    @property
    def path(self) -> Path:
        return WEIGHTS_DIR / f"liveness-{self.stem}.onnx"


NETWORKS = (LivenessNet("2.7_80x80_MiniFASNetV2", 2.7), LivenessNet("4_0_0_80x80_MiniFASNetV1SE", 4.0))


def original_box(face: DetectedFace) -> DetectedFace:
    """The square box the original detector would have drawn, from an MTCNN box."""
    box = face.box
    side = round(BOX_SIDE * max(box.width, box.height))
    cx, cy = box.x + box.width / 2, box.y + box.height / 2 + BOX_DROP * box.height
    square = Box(round(cx - side / 2), round(cy - side / 2), side, side)
    return DetectedFace(box=square, confidence=face.confidence, landmarks=face.landmarks)


def liveness_crops(image: RGBImage, faces: Sequence[DetectedFace], scale: float) -> np.ndarray:
    """N×3×80×80 float32 BGR crops (NCHW, values 0–255), what the network of ``scale`` was trained on."""
    import cv2

    bgr = image[..., ::-1]
    crops = [
        cv2.resize(square_region(bgr, original_box(face), scale=scale), (INPUT_SIZE, INPUT_SIZE)) for face in faces
    ]
    return np.stack(crops).transpose(0, 3, 1, 2).astype(np.float32)


def softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


class MiniFasNetHead:
    feature = FEATURE
    name = "minifasnet-v2-v1se"
    version = "b6d5f04"  # minivision-ai/Silent-Face-Anti-Spoofing commit of the weights
    uses_embeddings = False

    def __init__(self, nets: Sequence[object]) -> None:
        self._nets = list(nets)  # cv2.dnn.Net, one per entry of NETWORKS
        self._lock = threading.Lock()  # a cv2.dnn.Net must not run two forward passes at once

    def softmaxes(self, image: RGBImage, faces: Sequence[DetectedFace]) -> list[np.ndarray]:
        """One N×3 softmax per network, all faces in one forward pass each."""
        inputs = [liveness_crops(image, faces, spec.scale) for spec in NETWORKS]
        with self._lock:
            return [softmax(self._forward(net, crops)) for net, crops in zip(self._nets, inputs, strict=True)]

    @staticmethod
    def _forward(net: Any, crops: np.ndarray) -> np.ndarray:
        net.setInput(crops)
        return np.asarray(net.forward())

    def scores(self, image: RGBImage, faces: Sequence[DetectedFace]) -> np.ndarray:
        """Probability of a live face (the two networks' class-1 softmax, averaged), one per face."""
        if not faces:
            return np.zeros(0, dtype=np.float32)
        return sum(probabilities[:, REAL_CLASS] for probabilities in self.softmaxes(image, faces)) / len(NETWORKS)

    def predict(self, batch: FaceBatch) -> list[dict[str, Any]]:
        return [
            {"is_real": bool(score >= THRESHOLD), "score": round(float(score), 4)}
            for score in self.scores(batch.image, batch.faces)
        ]


def available() -> bool:
    return all(spec.path.is_file() for spec in NETWORKS)


def load() -> tuple[MiniFasNetHead, ModelInfo]:
    import cv2

    paths = [spec.path for spec in NETWORKS]
    head = MiniFasNetHead([cv2.dnn.readNetFromONNX(str(path)) for path in paths])
    return head, ModelInfo(head.name, head.version, sha256_files(paths), [INPUT_SIZE, INPUT_SIZE, 3])
