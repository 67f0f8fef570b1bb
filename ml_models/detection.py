"""Face detection behind one interface (MTCNN by default), with the 5 landmarks.

mtcnn 1.0.0 is used with two corrections measured here:
- its networks run eagerly; wrapping each in one ``tf.function`` with a shape-agnostic signature halves the time;
- its image pyramid is wrong for ``min_face_size`` > 20 (the smallest scales go under 12 px and the whole call
  returns no face). We always run it at ``min_face_size=20`` and get larger minimums by downscaling the image,
  which is the same pyramid and faster.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ml_models.faces import LANDMARK_NAMES, DetectedFace, clip_box
from ml_models.images import RGBImage

MTCNN_MIN_FACE = 20
MTCNN_MIN_SIDE = 12


class FaceDetector(Protocol):
    name: str
    version: str

    def detect_batch(self, images: Sequence[RGBImage], *, min_face_size: int = 20) -> list[list[DetectedFace]]: ...


@dataclass(frozen=True)
class RetrySettings:
    """A second, more permissive pass over an image where the first found no face (masked or frame-filling faces).

    Measured on mask/ (MODEL_CARD.md, Mask): it finds 91 of the 133 masked faces the first pass misses, and no face
    on 217 face-free images and tiles.
    """

    pad: float = 0.25  # black border on every side, as a fraction of the longer side: a face cut by the frame
    thresholds: tuple[float, float, float] = (0.4, 0.4, 0.5)  # P-, R-, O-Net; mtcnn's defaults are 0.6, 0.7, 0.8
    min_confidence: float = 0.5


@dataclass(frozen=True)
class DetectorSettings:
    min_confidence: float = 0.9
    max_side: int = 1920  # larger images are detected on a downscaled copy; boxes are mapped back
    retry: RetrySettings | None = None  # the served detector has it on: ``registry.detector_settings()``


def _scale_for(image: RGBImage, min_face_size: int, max_side: int) -> float:
    scale = min(1.0, MTCNN_MIN_FACE / max(min_face_size, 1))
    return min(scale, max_side / max(image.shape[:2]))


def _resize(image: RGBImage, scale: float) -> RGBImage:
    import cv2

    if scale >= 1.0:
        return image
    height, width = image.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


class MtcnnDetector:
    name = "mtcnn"

    def __init__(self, settings: DetectorSettings = DetectorSettings()) -> None:
        import tensorflow as tf
        from mtcnn import MTCNN
        from mtcnn.metadata import __version__

        self.version = __version__
        self.settings = settings
        self._mtcnn = MTCNN(device="CPU:0")
        signature = [tf.TensorSpec([None, None, None, 3], tf.float32)]
        for stage in self._mtcnn.stages:
            stage._model = tf.function(stage._model, input_signature=signature, reduce_retracing=True)
        self._lock = threading.Lock()  # tf.function tracing is not re-entrant across threads

    def detect(self, image: RGBImage, *, min_face_size: int = 20) -> list[DetectedFace]:
        return self.detect_batch([image], min_face_size=min_face_size)[0]

    def detect_batch(self, images: Sequence[RGBImage], *, min_face_size: int = 20) -> list[list[DetectedFace]]:
        """Faces of each image, largest first. Same-sized images (video frames) go through MTCNN as one batch."""
        results: list[list[DetectedFace]] = [[] for _ in images]
        groups: dict[tuple[int, int, float], list[int]] = {}
        for index, image in enumerate(images):
            scale = _scale_for(image, min_face_size, self.settings.max_side)
            groups.setdefault((*image.shape[:2], scale), []).append(index)
        for (_, _, scale), indices in groups.items():
            scaled = [_resize(images[i], scale) for i in indices]
            if min(scaled[0].shape[:2]) < MTCNN_MIN_SIDE:
                continue
            with self._lock:
                per_image = self._mtcnn.detect_faces(scaled, min_face_size=MTCNN_MIN_FACE)
            for i, detections in zip(indices, per_image, strict=True):
                results[i] = self._to_faces(detections, images[i].shape, scale, self.settings.min_confidence)
        if self.settings.retry:
            for i in (i for i, faces in enumerate(results) if not faces):
                results[i] = self._retry(images[i], min_face_size, self.settings.retry)
        return results

    def _retry(self, image: RGBImage, min_face_size: int, retry: RetrySettings) -> list[DetectedFace]:
        import cv2

        scale = _scale_for(image, min_face_size, self.settings.max_side)
        scaled = _resize(image, scale)
        pad = round(retry.pad * max(scaled.shape[:2]))
        padded = cv2.copyMakeBorder(scaled, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        pnet, rnet, onet = retry.thresholds
        with self._lock:
            detections = self._mtcnn.detect_faces(
                [padded], min_face_size=MTCNN_MIN_FACE, threshold_pnet=pnet, threshold_rnet=rnet, threshold_onet=onet
            )[0]
        return self._to_faces(detections, image.shape, scale, retry.min_confidence, offset=pad)

    def _to_faces(
        self, detections: list[dict], shape: tuple[int, ...], scale: float, min_confidence: float, offset: int = 0
    ) -> list[DetectedFace]:
        """MTCNN's detections mapped back to the original image (``offset``: a border added around the scaled one)."""
        height, width = shape[:2]

        def unmap(value: float) -> float:
            return (float(value) - offset) / scale

        faces = []
        for detection in detections:
            if detection["confidence"] < min_confidence:
                continue
            x, y, w, h = detection["box"]
            box = clip_box(unmap(x), unmap(y), unmap(x + w), unmap(y + h), width, height)
            if box.area == 0:
                continue
            keypoints = detection["keypoints"]
            landmarks = {name: (unmap(keypoints[name][0]), unmap(keypoints[name][1])) for name in LANDMARK_NAMES}
            faces.append(DetectedFace(box=box, confidence=float(detection["confidence"]), landmarks=landmarks))
        return sorted(faces, key=lambda face: face.box.area, reverse=True)


def largest_face(faces: Sequence[DetectedFace]) -> DetectedFace | None:
    return max(faces, key=lambda face: face.box.area, default=None)
