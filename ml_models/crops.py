"""Face crops for FaceNet and the heads, and per-face quality signals.

The shipped crop is what checkpoint 20180408-102900 was trained on: the MTCNN box plus a margin, resized to
160×160 (``margin_crop``). ``aligned_crop`` (a 5-point similarity warp to a tight template) is kept for the
measured comparison in ``make eval``; see MODEL_CARD.md for the numbers that chose between them.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ml_models.faces import LANDMARK_NAMES, DetectedFace
from ml_models.images import RGBImage

CROP_SIZE = 160
DEFAULT_MARGIN = 32  # pixels of context at the 160-px output scale

# Where the 5 landmarks sit in a tight 112×112 face (the widely used ArcFace template), scaled to CROP_SIZE.
_TEMPLATE_112 = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
    dtype=np.float64,
)


def margin_crop(
    image: RGBImage, face: DetectedFace, *, margin: int = DEFAULT_MARGIN, size: int = CROP_SIZE
) -> RGBImage:
    """The box grown so that the ``size`` output holds ``margin`` pixels of context, clipped, resized to square."""
    import cv2

    box = face.box
    pad_x = margin / 2 * box.width / (size - margin)
    pad_y = margin / 2 * box.height / (size - margin)
    height, width = image.shape[:2]
    x1, y1 = max(0, int(box.x - pad_x)), max(0, int(box.y - pad_y))
    x2, y2 = min(width, int(box.x2 + pad_x)), min(height, int(box.y2 + pad_y))
    crop = image[y1:y2, x1:x2]
    interpolation = cv2.INTER_AREA if crop.shape[0] > size else cv2.INTER_LINEAR
    return cv2.resize(crop, (size, size), interpolation=interpolation)


def _similarity_transform(source: NDArray[np.float64], target: NDArray[np.float64]) -> NDArray[np.float64]:
    """Least-squares rotation + uniform scale + translation mapping ``source`` points onto ``target`` (Umeyama)."""
    src_mean, dst_mean = source.mean(axis=0), target.mean(axis=0)
    src, dst = source - src_mean, target - dst_mean
    u, singular, vt = np.linalg.svd(dst.T @ src / len(source))
    sign = np.diag([1.0, np.sign(np.linalg.det(u @ vt))])
    rotation = u @ sign @ vt
    scale = np.trace(np.diag(singular) @ sign) / src.var(axis=0).sum()
    matrix = np.zeros((2, 3))
    matrix[:, :2] = scale * rotation
    matrix[:, 2] = dst_mean - scale * rotation @ src_mean
    return matrix


def aligned_crop(image: RGBImage, face: DetectedFace, *, size: int = CROP_SIZE) -> RGBImage:
    """A 5-point similarity warp of the face onto a tight template at ``size``×``size``."""
    import cv2

    points = np.array([face.landmarks[name] for name in LANDMARK_NAMES], dtype=np.float64)
    matrix = _similarity_transform(points, _TEMPLATE_112 * size / 112)
    return cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def standardize(crops: NDArray[np.uint8]) -> NDArray[np.float32]:
    """FaceNet's input normalisation for this checkpoint: (x − 127.5) / 128."""
    return (crops.astype(np.float32) - 127.5) / 128.0


@dataclass(frozen=True)
class FaceQuality:
    size_px: int  # the shorter side of the box
    sharpness: float  # variance of the Laplacian on the 160-px grey crop; low means blurred
    yaw: float  # −1 (turned fully one way) … 0 (frontal) … 1, from the nose between the eyes
    roll_deg: float  # tilt of the eye line
    confidence: float

    def as_dict(self) -> dict[str, float]:
        return {
            "size_px": self.size_px,
            "sharpness": round(self.sharpness, 1),
            "yaw": round(self.yaw, 3),
            "roll_deg": round(self.roll_deg, 1),
            "confidence": round(self.confidence, 4),
        }


def _pose(face: DetectedFace) -> tuple[float, float]:
    """(yaw, roll in degrees) from the landmarks; (0, 0) when there are none (a crop sent with detect=false)."""
    if not face.landmarks:
        return 0.0, 0.0
    left, right, nose = (np.array(face.landmarks[name]) for name in ("left_eye", "right_eye", "nose"))
    eye_vector = right - left
    eye_distance = float(np.linalg.norm(eye_vector)) or 1.0
    # Project the nose on the eye line: at the midpoint for a frontal face, towards one eye when turned.
    along = float(np.dot(nose - left, eye_vector)) / eye_distance**2
    yaw = float(np.clip((along - 0.5) * 2, -1.0, 1.0))
    return yaw, float(np.degrees(np.arctan2(eye_vector[1], eye_vector[0])))


def face_quality(face: DetectedFace, crop: RGBImage) -> FaceQuality:
    import cv2

    yaw, roll = _pose(face)
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    return FaceQuality(
        size_px=min(face.box.width, face.box.height),
        sharpness=float(cv2.Laplacian(grey, cv2.CV_64F).var()),
        yaw=yaw,
        roll_deg=roll,
        confidence=face.confidence,
    )


def square_region(image: RGBImage, face: DetectedFace, *, scale: float = 1.0) -> RGBImage:
    """A square around the box's centre, ``scale`` × its longer side, shifted to stay inside the image."""
    height, width = image.shape[:2]
    box = face.box
    side = min(round(max(box.width, box.height) * scale), width, height)
    cx, cy = box.x + box.width / 2, box.y + box.height / 2
    x1 = int(np.clip(round(cx - side / 2), 0, width - side))
    y1 = int(np.clip(round(cy - side / 2), 0, height - side))
    return image[y1 : y1 + side, x1 : x1 + side]
