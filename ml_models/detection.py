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

import numpy as np
from numpy.typing import NDArray

from ml_models.faces import LANDMARK_NAMES, DetectedFace, clip_box, iou
from ml_models.images import RGBImage

MTCNN_MIN_FACE = 20
MTCNN_MIN_SIDE = 12
SAME_FACE_IOU = 0.5  # boxes found in different views of one image that overlap more are one face

# A 2×3 affine map (x, y, 1) → (x', y') from the original image onto a view of it that MTCNN ran on.
Affine = NDArray[np.float64]


class FaceDetector(Protocol):
    name: str
    version: str

    def detect_batch(self, images: Sequence[RGBImage], *, min_face_size: int = 20) -> list[list[DetectedFace]]: ...


@dataclass(frozen=True)
class RetrySettings:
    """Extra passes over an image where the first found no face (masked, frame-filling or tilted faces).

    Measured on mask/ (MODEL_CARD.md, Mask). The padded, permissive pass finds 91 of the 133 masked faces the first
    pass misses. The turned passes run only where it too finds nothing: a copy at most ``rotated_max_side`` long,
    turned by each of ``angles`` (degrees), then the same padded, permissive pass (one batch), faces kept from
    ``rotated_min_confidence``. On the training part of mask/ they find 12 of the 30 faces both earlier passes miss,
    and no face on 217 face-free images and tiles. Chosen there: ±40° at 0.9 among ±15° to ±45° and pairs of them
    (the highest score on a face-free image at ±40° is 0.76); the 320 px copy (240: 13 found, 160: one invented
    face, full size: 12 found at 2.5× the cost on a face-free photo).
    """

    pad: float = 0.25  # black border on every side, as a fraction of the longer side: a face cut by the frame
    thresholds: tuple[float, float, float] = (0.4, 0.4, 0.5)  # P-, R-, O-Net; mtcnn's defaults are 0.6, 0.7, 0.8
    min_confidence: float = 0.5
    angles: tuple[float, ...] = (-40.0, 40.0)
    rotated_min_confidence: float = 0.9
    rotated_max_side: int = 320  # the turned passes look for a face that fills much of the frame: on a small copy


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
                results[i] = self._to_faces(detections, images[i].shape, _scaling(scale), self.settings.min_confidence)
        if self.settings.retry:
            for i in (i for i, faces in enumerate(results) if not faces):
                results[i] = self._retry(images[i], min_face_size, self.settings.retry)
        return results

    def _retry(self, image: RGBImage, min_face_size: int, retry: RetrySettings) -> list[DetectedFace]:
        scale = _scale_for(image, min_face_size, self.settings.max_side)
        scaled = _resize(image, scale)
        faces = self._padded_pass(image.shape, [(scaled, _scaling(scale))], retry, retry.min_confidence)
        if faces or not retry.angles:
            return faces
        small = min(scale, retry.rotated_max_side / max(image.shape[:2]))
        turned = [_rotated(_resize(image, small), angle, small) for angle in retry.angles]
        return self._padded_pass(image.shape, turned, retry, retry.rotated_min_confidence)

    def _padded_pass(
        self,
        shape: tuple[int, ...],
        views: list[tuple[RGBImage, Affine]],
        retry: RetrySettings,
        min_confidence: float,
    ) -> list[DetectedFace]:
        """The permissive pass over same-sized views of one image (each with its map from the original), as one
        batch; the faces of all views mapped back, largest first."""
        import cv2

        pad = round(retry.pad * max(views[0][0].shape[:2]))
        padded = [
            cv2.copyMakeBorder(view, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(0, 0, 0)) for view, _ in views
        ]
        pnet, rnet, onet = retry.thresholds
        with self._lock:
            per_view = self._mtcnn.detect_faces(
                padded, min_face_size=MTCNN_MIN_FACE, threshold_pnet=pnet, threshold_rnet=rnet, threshold_onet=onet
            )
        faces = [
            face
            for detections, (_, to_view) in zip(per_view, views, strict=True)
            for face in self._to_faces(detections, shape, _shifted(to_view, pad), min_confidence)
        ]
        return sorted(_one_per_face(faces), key=lambda face: face.box.area, reverse=True)

    def _to_faces(
        self, detections: list[dict], shape: tuple[int, ...], to_view: Affine, min_confidence: float
    ) -> list[DetectedFace]:
        """MTCNN's detections mapped back to the original image; ``to_view`` maps the original onto the detected view
        (a scaling, a border, a rotation). A rotated box comes back as the upright box around it."""
        height, width = shape[:2]
        to_original = _inverse(to_view)

        def unmap(x: float, y: float) -> tuple[float, float]:
            mapped = to_original @ (float(x), float(y), 1.0)
            return float(mapped[0]), float(mapped[1])

        faces = []
        for detection in detections:
            if detection["confidence"] < min_confidence:
                continue
            x, y, w, h = detection["box"]
            xs, ys = zip(*(unmap(cx, cy) for cx in (x, x + w) for cy in (y, y + h)), strict=True)
            box = clip_box(min(xs), min(ys), max(xs), max(ys), width, height)
            if box.area == 0:
                continue
            keypoints = detection["keypoints"]
            landmarks = {name: unmap(*keypoints[name]) for name in LANDMARK_NAMES}
            faces.append(DetectedFace(box=box, confidence=float(detection["confidence"]), landmarks=landmarks))
        return sorted(faces, key=lambda face: face.box.area, reverse=True)


def _one_per_face(faces: list[DetectedFace]) -> list[DetectedFace]:
    """The most confident of the faces whose boxes overlap (one face found in two turned views)."""
    kept: list[DetectedFace] = []
    for face in sorted(faces, key=lambda face: face.confidence, reverse=True):
        if all(iou(face.box, other.box) <= SAME_FACE_IOU for other in kept):
            kept.append(face)
    return kept


def _scaling(scale: float) -> Affine:
    return np.array([[scale, 0.0, 0.0], [0.0, scale, 0.0]])


def _shifted(affine: Affine, offset: int) -> Affine:
    return affine + np.array([[0.0, 0.0, offset], [0.0, 0.0, offset]])


def _inverse(affine: Affine) -> Affine:
    import cv2

    return cv2.invertAffineTransform(affine)


def _rotated(scaled: RGBImage, angle: float, scale: float) -> tuple[RGBImage, Affine]:
    """The scaled image turned by ``angle`` degrees on a canvas that holds all of it, and the map from the original."""
    import cv2

    height, width = scaled.shape[:2]
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(rotation[0, 0]), abs(rotation[0, 1])
    canvas = (round(height * sin + width * cos), round(height * cos + width * sin))
    rotation[:, 2] += (canvas[0] - width) / 2, (canvas[1] - height) / 2
    turned = cv2.warpAffine(scaled, rotation, canvas, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    return turned, rotation @ np.vstack([_scaling(scale), [0.0, 0.0, 1.0]])


def largest_face(faces: Sequence[DetectedFace]) -> DetectedFace | None:
    return max(faces, key=lambda face: face.box.area, default=None)
