"""The pure helpers of ``make bench``; the benchmark itself runs models and is not a test."""

import numpy as np
import pytest

from ml_models.bench import fit, others_share, pair_scores, project_pins, summary
from ml_models.bench_peers import central_row, memory_mb, repeat_ms
from ml_models.eval import Pairs


def test_summary_gives_percentiles_of_the_samples():
    stats = summary(list(range(1, 101)))
    assert stats["p50"] == pytest.approx(50.5)
    assert stats["p95"] == pytest.approx(95.05)
    assert stats["mean"] == pytest.approx(50.5)
    assert stats["n"] == 100


def test_repeat_ms_warms_up_then_times_each_run():
    calls = []
    samples = repeat_ms(lambda: calls.append(1), runs=5, warmup=2)
    assert len(calls) == 7
    assert len(samples) == 5
    assert all(ms >= 0 for ms in samples)


def test_memory_reads_rss_and_peak_in_mib():
    status = "Name:\tpython\nVmHWM:\t  2097152 kB\nVmRSS:\t  1048576 kB\nThreads:\t4\n"
    assert memory_mb(status) == {"rss": 1024.0, "peak": 2048.0}


def test_memory_of_this_process_is_plausible():
    memory = memory_mb()
    assert 0 < memory["rss"] <= memory["peak"]


def test_others_share_excludes_this_process():
    # 2 cores at 100 ticks/s for 1 s = 200 ticks; the machine was busy 150 of them, 50 of which were ours.
    assert others_share((1000, 300), (1150, 350), 1.0, hz=100, cores=2) == pytest.approx(0.5)
    assert others_share((0, 0), (10, 10), 1.0, hz=100, cores=2) == 0.0


def test_central_row_is_the_box_nearest_the_centre():
    rows = np.array([[0, 0, 20, 20], [90, 90, 20, 20], [150, 150, 60, 60]], dtype=np.float32)
    assert central_row(rows, 200, 200).tolist() == [90, 90, 20, 20]
    assert central_row(np.zeros((0, 4), np.float32), 200, 200) is None


@pytest.mark.parametrize(
    ("shape", "size"), [((720, 1280), (640, 480)), ((886, 1280), (1280, 720)), ((100, 50), (64, 64))]
)
def test_fit_crops_to_the_aspect_ratio_then_resizes(shape, size):
    image = np.zeros((*shape, 3), np.uint8)
    assert fit(image, *size).shape == (size[1], size[0], 3)


def test_fit_keeps_the_centre_without_distortion():
    image = np.zeros((100, 200, 3), np.uint8)
    image[:, 50:150] = 255  # the central square is white, the sides black
    assert fit(image, 50, 50).min() == 255


def _pairs() -> Pairs:
    return Pairs(
        images=["a", "b", "c"],
        left=np.array([0, 0]),
        right=np.array([1, 2]),
        same=np.array([True, False]),
        official_set=np.array([0, 0]),
    )


def test_pair_scores_cosine_normalises_first():
    embeddings = np.array([[2, 0], [3, 0], [0, 5]], dtype=np.float32)
    assert pair_scores(embeddings, _pairs(), "cosine").tolist() == pytest.approx([1.0, 0.0])


def test_pair_scores_euclidean_is_negated_distance():
    embeddings = np.array([[0, 0], [3, 4], [0, 1]], dtype=np.float32)
    assert pair_scores(embeddings, _pairs(), "euclidean").tolist() == pytest.approx([-5.0, -1.0])


def test_peers_get_the_projects_own_pins():
    pins = project_pins(("numpy", "opencv-python-headless"))
    assert [pin.split("==")[0] for pin in pins] == ["numpy", "opencv-python-headless"]
    assert all("==" in pin for pin in pins)
