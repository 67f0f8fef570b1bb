"""What a detector finds: a box, a confidence and five landmarks, in the coordinates of the original image."""

from dataclasses import dataclass

import numpy as np

LANDMARK_NAMES = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")
Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    @property
    def area(self) -> int:
        return self.width * self.height

    @property
    def x2(self) -> int:
        return self.x + self.width

    @property
    def y2(self) -> int:
        return self.y + self.height

    def as_dict(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class DetectedFace:
    """One face. ``left_eye`` is the eye on the left of the image (the person's right eye)."""

    box: Box
    confidence: float
    landmarks: dict[str, Point]

    def as_dict(self) -> dict[str, object]:
        return {
            "box": self.box.as_dict(),
            "confidence": round(self.confidence, 4),
            "landmarks": {name: [round(x, 1), round(y, 1)] for name, (x, y) in self.landmarks.items()} or None,
        }


def clip_box(x1: float, y1: float, x2: float, y2: float, width: int, height: int) -> Box:
    left, top = max(0, round(x1)), max(0, round(y1))
    right, bottom = min(width, round(x2)), min(height, round(y2))
    return Box(left, top, max(0, right - left), max(0, bottom - top))


def iou(a: Box, b: Box) -> float:
    inter_w = max(0, min(a.x2, b.x2) - max(a.x, b.x))
    inter_h = max(0, min(a.y2, b.y2) - max(a.y, b.y))
    inter = inter_w * inter_h
    union = a.area + b.area - inter
    return inter / union if union else 0.0


def whole_image_face(image: np.ndarray) -> DetectedFace:
    """The whole image as one face, for clients that send crops they made themselves (``detect=false``)."""
    height, width = image.shape[:2]
    return DetectedFace(box=Box(0, 0, width, height), confidence=1.0, landmarks={})
