"""FaceNet features of a training set, computed the way serving computes them, once, then cached.

At inference a head gets the ``margin_crop`` of the MTCNN box and the FaceNet outputs of that crop. So each image
here goes through the registry's detector at its served settings, the largest face's margin crop (the whole image
when MTCNN finds none, as ``detect=false`` does; counted), and the registry's embedder. The arrays are cached under
``$FACEAPI_FEATURE_CACHE`` (default: the system temporary folder), keyed by the file names, their sizes, the
detector's settings (``FACEAPI_DETECT_RETRY``) and ``FEATURES_VERSION``, so the head scripts and their
``--eval`` runs pay for the backbone once.
"""

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from ml_models import registry
from ml_models.crops import margin_crop
from ml_models.eval import Progress
from ml_models.faces import whole_image_face
from ml_models.images import RGBImage

FEATURES_VERSION = "1"  # bump when the crop or the backbone change (the detector settings are in the key)
CHUNK = 64  # images decoded, detected and embedded at a time (bounded memory)


@dataclass(frozen=True)
class FaceFeatures:
    embeddings: NDArray[np.float32]  # N×512, unit length
    pooled: NDArray[np.float32]  # N×1792, the backbone's pooled layer before the bottleneck
    faces_found: NDArray[np.int64]  # faces MTCNN found per image; 0 means the whole image was embedded

    def __len__(self) -> int:
        return len(self.faces_found)

    @property
    def no_face(self) -> int:
        return int(np.sum(self.faces_found == 0))


def cache_dir() -> Path:
    path = Path(os.environ.get("FACEAPI_FEATURE_CACHE") or tempfile.gettempdir()) / "faceapi-features"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cache_path(name: str, paths: Sequence[Path]) -> Path:
    digest = hashlib.sha256(f"{FEATURES_VERSION}:{registry.detector_settings()!r}".encode())
    for path in paths:
        digest.update(f"{path.name}:{path.stat().st_size}\n".encode())
    return cache_dir() / f"{name}-{digest.hexdigest()[:16]}.npz"


def read_rgb(path: Path) -> RGBImage:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def _crops(images: Sequence[RGBImage]) -> tuple[NDArray[np.uint8], list[int]]:
    """The largest face's margin crop of each image (the whole image without a face), and the face counts."""
    detections = registry.detector().detect_batch(images)
    crops = [
        margin_crop(image, faces[0] if faces else whole_image_face(image))
        for image, faces in zip(images, detections, strict=True)
    ]
    return np.stack(crops), [len(faces) for faces in detections]


def _compute(paths: Sequence[Path], label: str) -> FaceFeatures:
    embedder = registry.embedder()
    progress = Progress(label, len(paths))
    embeddings, pooled, found = [], [], []
    for start in range(0, len(paths), CHUNK):
        crops, counts = _crops([read_rgb(path) for path in paths[start : start + CHUNK]])
        chunk_embeddings, chunk_pooled = embedder.embed_with_pooled(crops)
        embeddings.append(chunk_embeddings)
        pooled.append(chunk_pooled)
        found += counts
        progress.advance(len(crops))
    return FaceFeatures(np.concatenate(embeddings), np.concatenate(pooled), np.array(found, dtype=np.int64))


def face_features(name: str, paths: Sequence[Path]) -> FaceFeatures:
    """Features of ``paths`` in order, from the cache when this exact file list was embedded before."""
    cache = _cache_path(name, paths)
    if cache.is_file():
        with np.load(cache) as data:
            return FaceFeatures(data["embeddings"], data["pooled"], data["faces_found"])
    features = _compute(paths, f"{name}: detect + embed")
    np.savez(cache, embeddings=features.embeddings, pooled=features.pooled, faces_found=features.faces_found)
    print(
        f"  {name}: {len(features)} images, no face found in {features.no_face} (whole image used); cached in {cache}"
    )
    return features
