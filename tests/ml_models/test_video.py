from pathlib import Path

import cv2
import numpy as np
import pytest

from ml_models.errors import EmptyFile, InvalidVideo
from ml_models.video import probe_video, sample_frames, video_min_face_size
from tests.conftest import PHOTOS


def write_video(path: Path, fourcc: str, frames: int = 10, fps: float = 10) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (64, 48))
    for i in range(frames):
        writer.write(np.full((48, 64, 3), i * 20, np.uint8))
    writer.release()
    return path


def test_probe_a_real_clip(videos_dir):
    info = probe_video(videos_dir / "short_hamilton_clip.mp4")
    assert (info.width, info.height) == (640, 360)
    assert info.fps == pytest.approx(29.97, abs=0.01)
    assert info.frame_count == 275
    assert info.duration_s == pytest.approx(9.18, abs=0.05)
    assert info.rotation_deg == 0


def test_sampling_rate_and_timestamps(videos_dir):
    frames = list(sample_frames(videos_dir / "short_hamilton_clip.mp4", sample_fps=2))
    assert len(frames) == 19
    assert frames[0].image.shape == (360, 640, 3)
    steps = np.diff([frame.timestamp_s for frame in frames])
    assert np.allclose(steps, 0.5, atol=0.02)
    assert len(list(sample_frames(videos_dir / "short_hamilton_clip.mp4", sample_fps=2, max_frames=3))) == 3


@pytest.mark.parametrize(("suffix", "fourcc"), [("avi", "MJPG"), ("mov", "mp4v"), ("mp4", "mp4v"), ("webm", "VP80")])
def test_other_containers_decode(tmp_path, suffix, fourcc):
    path = write_video(tmp_path / f"clip.{suffix}", fourcc)
    assert probe_video(path).frame_count == 10
    assert len(list(sample_frames(path, sample_fps=100))) == 10


def test_a_photo_is_not_a_video():
    with pytest.raises(InvalidVideo):
        probe_video(PHOTOS / "obama.jpg")


def test_text_and_truncated_files_are_not_videos(tmp_path, videos_dir):
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video")
    with pytest.raises(InvalidVideo):
        probe_video(text)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes((videos_dir / "short_hamilton_clip.mp4").read_bytes()[:2000])
    with pytest.raises(InvalidVideo):
        probe_video(cut)


def test_an_empty_file_is_empty(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFile):
        probe_video(empty)


@pytest.mark.parametrize(("height", "expected"), [(360, 20), (480, 20), (720, 27), (1080, 40), (2160, 80)])
def test_the_smallest_face_looked_for_grows_with_the_frame(height, expected):
    assert video_min_face_size(height) == expected
