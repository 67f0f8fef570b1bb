"""Detect → crop → quality → embed for all faces of an image, one detector pass and one batched FaceNet pass."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ml_models import registry
from ml_models.crops import FaceQuality, face_quality, margin_crop
from ml_models.embedding import Embeddings
from ml_models.faces import DetectedFace
from ml_models.images import RGBImage

# A face narrower than this share of the largest face is in the background (a passer-by, a poster, a false
# detection in a curtain), not a second person in front of the camera.
PROMINENT_FACE_RATIO = 0.5


@dataclass(frozen=True)
class EmbeddedFace:
    face: DetectedFace
    crop: RGBImage  # 160×160 RGB, what FaceNet saw
    quality: FaceQuality
    embedding: np.ndarray  # 512-d, unit length


def crops_of(image: RGBImage, faces: Sequence[DetectedFace]) -> np.ndarray:
    return np.stack([margin_crop(image, face) for face in faces]) if faces else np.zeros((0, 160, 160, 3), np.uint8)


def embed_faces(faces: Sequence[DetectedFace], image: RGBImage) -> list[EmbeddedFace]:
    crops = crops_of(image, faces)
    embeddings: Embeddings = registry.embedder().embed(crops)
    return [
        EmbeddedFace(face, crop, face_quality(face, crop), embedding)
        for face, crop, embedding in zip(faces, crops, embeddings, strict=True)
    ]


def detect_and_embed(image: RGBImage, *, min_face_size: int = 20) -> list[EmbeddedFace]:
    """Every face of ``image``, largest first, with its crop, quality and embedding."""
    return embed_faces(registry.detector().detect(image, min_face_size=min_face_size), image)


def prominent_faces(faces: Sequence[EmbeddedFace], *, ratio: float = PROMINENT_FACE_RATIO) -> list[EmbeddedFace]:
    """The faces at least ``ratio`` times as wide as the largest one: who is in front of the camera."""
    if not faces:
        return []
    largest = max(f.face.box.width for f in faces)
    return [f for f in faces if f.face.box.width >= ratio * largest]
