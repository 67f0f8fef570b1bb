"""``ml_models.bench_pipelines``: timing detect + encode per photo, with a stand-in method (no models)."""

import numpy as np

from ml_models.bench_pipelines import detect_and_encode, time_pipeline


class TwoFaces:
    """Finds two faces in any image and counts what it embeds."""

    metric = "cosine"

    def __init__(self) -> None:
        self.embedded = 0

    def versions(self) -> dict[str, str]:
        return {}

    def load(self, path: str) -> np.ndarray:
        return np.zeros((4, 4, 3), np.uint8)

    def detect(self, image: np.ndarray) -> np.ndarray:
        return np.array([[0, 0, 2, 2], [2, 2, 2, 2]], np.float32)

    def embed(self, image: np.ndarray, row: np.ndarray) -> np.ndarray:
        self.embedded += 1
        return np.ones(4, np.float32)


def test_detect_and_encode_embeds_every_face():
    method = TwoFaces()
    assert detect_and_encode(method, method.load("any")) == 2
    assert method.embedded == 2


def test_time_pipeline_times_each_photo_by_name():
    method = TwoFaces()
    results = time_pipeline(method, ["/a/one.jpg", "/b/group.jpg"], runs=3)
    assert set(results) == {"one.jpg", "group.jpg"}
    assert all(len(result["ms"]) == 3 and result["faces"] == 2 for result in results.values())
    assert method.embedded == 2 * 2 * (3 + 2 + 1)  # two photos × two faces × (runs, warm-up, the count)
