"""Every model, loaded once per process, lazily and thread-safely; the only place that imports TensorFlow.

``models_info()`` reports name, version, weights sha256 and input size for ``GET /api/v1/models``;
``warm_up()`` loads everything and runs one inference each (worker start-up), never at import.
Settings are read from the environment here (``FACEAPI_TF_THREADS``, ``FACEAPI_DETECT_RETRY``): ml_models never
imports Django.
"""

import contextlib
import importlib
import importlib.util
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from ml_models.crops import CROP_SIZE
from ml_models.detection import DetectorSettings, MtcnnDetector, RetrySettings
from ml_models.embedding import EmbedderSettings, FaceNetEmbedder
from ml_models.faces import whole_image_face
from ml_models.heads import HEAD_MODULES, FaceBatch, FaceHead
from ml_models.model_info import ModelInfo, sha256_files
from ml_models.prepare import prepared_file

T = TypeVar("T")


_lock = threading.RLock()
_loaded: dict[str, Any] = {}
_info: dict[str, ModelInfo] = {}


def _configure_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    threads = int(os.environ.get("FACEAPI_TF_THREADS", "0"))
    if threads and tf.config.threading.get_intra_op_parallelism_threads() != threads:
        # RuntimeError: TensorFlow already ran (a script loaded a model itself), and its thread pool stays.
        with contextlib.suppress(RuntimeError):
            tf.config.threading.set_intra_op_parallelism_threads(threads)


def _once(key: str, build: Callable[[], tuple[T, ModelInfo]]) -> T:
    if key in _loaded:
        return _loaded[key]
    with _lock:
        if key not in _loaded:
            _configure_tensorflow()
            model, info = build()
            _info[key] = info
            _loaded[key] = model
    return _loaded[key]


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value not in ("0", "false", "no", "off")


def detector_settings() -> DetectorSettings:
    """The served detector's settings. ``FACEAPI_DETECT_RETRY`` (default on): where the first MTCNN pass finds no
    face, more permissive ones (``RetrySettings``: padded, then turned) find most masked, frame-filling and tilted
    faces; they cost nothing on images where the first pass finds a face (MODEL_CARD.md, Mask)."""
    return DetectorSettings(retry=RetrySettings() if _env_flag("FACEAPI_DETECT_RETRY", True) else None)


def _load_detector() -> tuple[MtcnnDetector, ModelInfo]:
    detector = MtcnnDetector(detector_settings())
    spec = importlib.util.find_spec("mtcnn")
    weights = Path(next(iter(spec.submodule_search_locations))) / "assets" / "weights"
    sha = sha256_files(sorted(weights.glob("*")))
    return detector, ModelInfo(detector.name, detector.version, sha, [None, None, 3])  # any image size


def _load_embedder() -> tuple[FaceNetEmbedder, ModelInfo]:
    from ml_models.facenet_convert import build_facenet_model

    path, sha = prepared_file("facenet")
    model = build_facenet_model()
    model.load_weights(path)
    embedder = FaceNetEmbedder(model, EmbedderSettings())
    return embedder, ModelInfo(embedder.name, embedder.version, sha, [CROP_SIZE, CROP_SIZE, 3])


def head(feature: str) -> FaceHead:
    return _once(feature, importlib.import_module(HEAD_MODULES[feature]).load)


def available_features() -> tuple[str, ...]:
    """The heads this installation serves: those whose weights are present (trained, committed or prepared)."""
    return tuple(f for f, module in HEAD_MODULES.items() if importlib.import_module(module).available())


def detector() -> MtcnnDetector:
    return _once("detector", _load_detector)


def embedder() -> FaceNetEmbedder:
    return _once("embedder", _load_embedder)


def _load_all() -> None:
    detector()
    embedder()
    for feature in available_features():
        head(feature)


def models_info() -> dict[str, dict[str, Any]]:
    """Name, version, sha256 and input size of every model, loading any that is not loaded yet."""
    _load_all()
    return {key: info.as_dict() for key, info in _info.items()}


def model_versions(*keys: str) -> dict[str, str]:
    """``{"detector": "mtcnn-1.0.0", ...}`` for the given models (all loaded ones without keys): what a response
    names in its ``models`` field."""
    return {key: f"{info.name}-{info.version}" for key, info in _info.items() if not keys or key in keys}


def embedder_version() -> str:
    """The embedder's ``name-version`` (loading it if needed): what an enrolled face stores, and what it is matched
    under; embeddings of another version are not comparable."""
    embedder()
    return model_versions("embedder")["embedder"]


def warm_up() -> None:
    """Load every model and run each once, so that the first real request pays no start-up cost."""
    _load_all()
    blank = np.full((160, 160, 3), 128, dtype=np.uint8)
    detector().detect(blank)
    embedder().warm_up()
    batch = FaceBatch(blank, [whole_image_face(blank)])
    for feature in available_features():
        head(feature).predict(batch)
