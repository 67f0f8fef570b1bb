"""Video decoding with OpenCV: probe, then frames sampled at a chosen rate with their timestamps."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ml_models.errors import EmptyFile, InvalidVideo
from ml_models.file_types import looks_like_video
from ml_models.images import RGBImage


@dataclass(frozen=True)
class VideoInfo:
    width: int  # after rotation metadata is applied
    height: int
    fps: float
    frame_count: int
    duration_s: float
    rotation_deg: int


# Video frames are searched for faces at least this share of the frame's height (1080p: 40 px, 720p: 27 px, 360p:
# the detector's own 20 px). Smaller faces are too small to recognise, and MTCNN's cost grows with the square of
# frame size over the smallest face: this keeps a 1080p frame's cost near a 540p one's.
VIDEO_MIN_FACE_FRACTION = 1 / 27
DETECTOR_MIN_FACE_PX = 20


def video_min_face_size(frame_height: int) -> int:
    """The smallest face worth looking for in a frame of this height."""
    return max(DETECTOR_MIN_FACE_PX, round(frame_height * VIDEO_MIN_FACE_FRACTION))


@dataclass(frozen=True)
class VideoFrame:
    index: int  # frame number in the file
    timestamp_s: float
    image: RGBImage


def _open(path: Path):
    import cv2

    if not path.is_file() or path.stat().st_size == 0:
        raise EmptyFile("The video file is empty.")
    with path.open("rb") as stream:
        if not looks_like_video(stream.read(16)):
            raise InvalidVideo("The file is not an MP4, MOV, AVI or WebM video.")
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not capture.isOpened():
        capture.release()
        raise InvalidVideo()
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)  # frames come upright, as players show them
    return capture


def probe_video(path: Path) -> VideoInfo:
    """Size, rate, length and rotation; refuses a file with no decodable frame."""
    import cv2

    capture = _open(path)
    try:
        ok, frame = capture.read()
        if not ok or frame is None:
            raise InvalidVideo("The video has no decodable frame.")
        fps = capture.get(cv2.CAP_PROP_FPS) or 0.0
        frame_count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        return VideoInfo(
            width=frame.shape[1],
            height=frame.shape[0],
            fps=float(fps),
            frame_count=frame_count,
            duration_s=frame_count / fps if fps > 0 else 0.0,
            rotation_deg=int(capture.get(cv2.CAP_PROP_ORIENTATION_META) or 0),
        )
    finally:
        capture.release()


def sample_frames(path: Path, *, sample_fps: float = 2.0, max_frames: int | None = None) -> Iterator[VideoFrame]:
    """RGB frames at about ``sample_fps`` per second of video (every frame if the video is slower)."""
    import cv2

    if sample_fps <= 0:
        raise ValueError("sample_fps must be positive")
    capture = _open(path)
    try:
        fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
        step = max(1, round(fps / sample_fps))
        index, emitted = 0, 0
        while max_frames is None or emitted < max_frames:
            if not capture.grab():
                break
            if index % step == 0:
                ok, frame = capture.retrieve()
                if not ok or frame is None:
                    break
                position_ms = capture.get(cv2.CAP_PROP_POS_MSEC)
                timestamp = position_ms / 1000 if position_ms > 0 else index / fps
                yield VideoFrame(index, round(timestamp, 3), cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
                emitted += 1
            index += 1
        if index == 0:
            raise InvalidVideo("The video has no decodable frame.")
    finally:
        capture.release()
