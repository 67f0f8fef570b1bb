"""Whole-image analysis: one detector pass, then one batched pass per network over all faces.

Returns the JSON shape of DESIGN §4 (faces with box, landmarks and each requested head), plus per-stage timings.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from ml_models import registry
from ml_models.crops import margin_crop
from ml_models.errors import FaceApiInputError, NoFace
from ml_models.faces import DetectedFace, whole_image_face
from ml_models.heads import FaceBatch
from ml_models.images import RGBImage
from ml_models.matching import cosine_similarity
from ml_models.pipeline import EmbeddedFace, embed_faces
from ml_models.timing import Timings


class InvalidFeature(FaceApiInputError):
    code = "invalid_feature"
    default_message = "Unknown feature requested."


def parse_features(requested: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"emotion,mask"`` → the features, checked against what this installation serves; None → all of them."""
    available = registry.available_features()
    if requested is None or requested == "":
        return available
    names = [n.strip() for n in requested.split(",")] if isinstance(requested, str) else list(requested)
    names = [n for n in names if n]
    unknown = sorted({n for n in names if n not in available})
    if unknown:
        raise InvalidFeature(f"Unknown feature(s): {', '.join(unknown)}.", unknown=unknown, available=list(available))
    return tuple(dict.fromkeys(names))


def find_faces(image: RGBImage, *, detect: bool, min_face_size: int, timings: Timings) -> list[DetectedFace]:
    if not detect:
        return [whole_image_face(image)]
    with timings.stage("detect"):
        return registry.detector().detect(image, min_face_size=min_face_size)


def image_summary(image: RGBImage) -> dict[str, int]:
    return {"width": int(image.shape[1]), "height": int(image.shape[0])}


def analyze_image(
    image: RGBImage,
    *,
    features: Sequence[str],
    detect: bool = True,
    min_face_size: int = 20,
    timings: Timings | None = None,
) -> dict[str, Any]:
    """Faces with every requested head; the ``faces`` / ``image`` / ``models`` / ``timings_ms`` document."""
    timings = timings or Timings()
    faces = find_faces(image, detect=detect, min_face_size=min_face_size, timings=timings)
    results = [face.as_dict() for face in faces]
    heads = [registry.head(feature) for feature in features]
    used = ["detector"] * detect + list(features)
    batch = FaceBatch(image, faces)
    if any(head.uses_embeddings for head in heads):
        used.append("embedder")
        if faces:
            with timings.stage("embed"):
                batch.embeddings  # noqa: B018 (computed once here so that the timing names the stage)
    if heads:
        with timings.stage("heads"):
            for head in heads:
                for result, prediction in zip(results, head.predict(batch), strict=True):
                    result.update(_flatten(head.feature, prediction))
    return _document(results, image, timings, used)


def _document(faces: list[dict[str, Any]], image: RGBImage, timings: Timings, used: list[str]) -> dict[str, Any]:
    return {
        "faces": faces,
        "image": image_summary(image),
        "models": registry.model_versions(*used),
        "timings_ms": timings.as_dict(),
    }


def _flatten(feature: str, prediction: dict[str, Any]) -> dict[str, Any]:
    """Most heads add one key named after the feature; age_gender adds ``age`` and ``gender`` (DESIGN §4)."""
    return prediction if feature == "age_gender" else {feature: prediction}


def embed_image(
    image: RGBImage, *, detect: bool = True, min_face_size: int = 20, timings: Timings | None = None
) -> dict[str, Any]:
    """Faces with a unit-length 512-d embedding and quality signals."""
    timings = timings or Timings()
    faces = find_faces(image, detect=detect, min_face_size=min_face_size, timings=timings)
    with timings.stage("embed"):
        embedded = embed_faces(faces, image)
    used = ["detector", "embedder"] if detect else ["embedder"]
    return _document([_embedded_face(item) for item in embedded], image, timings, used)


def _embedded_face(item: EmbeddedFace) -> dict[str, Any]:
    embedding = [round(float(v), 6) for v in item.embedding]
    return {**item.face.as_dict(), "quality": item.quality.as_dict(), "embedding": embedding}


def verify_images(
    image1: RGBImage, image2: RGBImage, *, threshold: float, timings: Timings | None = None
) -> dict[str, Any]:
    """The largest face of each image, compared by cosine similarity against ``threshold``."""
    timings = timings or Timings()
    largest = []
    with timings.stage("detect"):
        for name, image in (("image1", image1), ("image2", image2)):
            faces = registry.detector().detect(image)
            if not faces:
                raise NoFace(f"No face was found in {name}.", image=name)
            largest.append(faces[0])
    with timings.stage("embed"):
        crops = np.stack([margin_crop(image, face) for image, face in zip((image1, image2), largest, strict=True)])
        first, second = registry.embedder().embed(crops)
    similarity = cosine_similarity(first, second)
    return {
        "verified": similarity >= threshold,
        "similarity": round(similarity, 4),
        "threshold": threshold,
        "face1": largest[0].as_dict(),
        "face2": largest[1].as_dict(),
        "models": registry.model_versions("detector", "embedder"),
        "timings_ms": timings.as_dict(),
    }
