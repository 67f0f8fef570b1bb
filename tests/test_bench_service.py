"""The pure helpers of ``manage.py bench_service``; the benchmark itself starts the service and is not a test."""

import numpy as np
import pytest

from faceapi.management.commands.bench_service import (
    gallery_labels,
    gallery_matrix,
    landscape,
    near_duplicates,
    power_law,
    recall_by_band,
    stage_medians,
)
from ml_models.embedding import EMBEDDING_DIM


def test_stage_medians_take_each_stage_over_the_requests_that_had_it():
    timings = [{"decode": 3, "detect": 40}, {"decode": 5, "detect": 44, "heads": 9}, {"decode": 4, "detect": 90}]
    assert stage_medians(timings) == {"decode": 4.0, "detect": 44.0, "heads": 9.0}


def test_landscape_keeps_the_top_of_a_portrait():
    portrait = np.zeros((400, 300, 3), np.uint8)
    portrait[:225] = 255  # the top 4:3 window of a 300 px wide photo is white, the rest black
    photo = landscape(portrait, 640, 480)
    assert photo.shape == (480, 640, 3)
    assert photo.min() == 255


def test_landscape_fits_a_wide_photo():
    assert landscape(np.zeros((720, 1280, 3), np.uint8), 640, 480).shape == (480, 640, 3)


def test_gallery_matrix_puts_the_real_rows_first_then_seeded_unit_vectors():
    real = np.eye(2, EMBEDDING_DIM, dtype=np.float32)
    matrix = gallery_matrix(real, 250_001, np.random.default_rng(0))  # more than one chunk
    assert matrix.shape == (250_003, EMBEDDING_DIM)
    assert matrix.dtype == np.float32
    assert np.array_equal(matrix[:2], real)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1, atol=1e-5)
    again = gallery_matrix(real, 250_001, np.random.default_rng(0))
    assert np.array_equal(matrix, again)


def test_gallery_labels_give_the_synthetic_people_labels_no_student_has():
    labels = gallery_labels([7, 9], 3)
    assert labels == [7, 9, -1, -2, -3]


def test_near_duplicates_stay_near_their_source():
    rng = np.random.default_rng(0)
    vectors = gallery_matrix(np.zeros((0, EMBEDDING_DIM), np.float32), 500, rng)
    queries = near_duplicates(vectors, rng)
    similarity = np.sum(queries * vectors, axis=1)
    assert np.allclose(np.linalg.norm(queries, axis=1), 1, atol=1e-5)
    assert 0.45 < similarity.min() < similarity.max() < 0.95
    assert np.all(np.argmax(queries @ vectors.T, axis=1) == np.arange(len(vectors)))  # each finds its source


def test_power_law_fits_two_points_and_extends_them():
    exponent, value = power_law((10, 100), (2.0, 20.0), 1000)
    assert exponent == pytest.approx(1.0)
    assert value == pytest.approx(200.0)
    exponent, value = power_law((10, 20), (1.0, 4.0), 40)
    assert exponent == pytest.approx(2.0)
    assert value == pytest.approx(16.0)


def test_recall_by_band_splits_the_queries_by_similarity_to_their_source():
    agree = np.array([False, True, True, True, False, True])
    similarity = np.array([0.55, 0.58, 0.65, 0.72, 0.75, 0.9])
    assert recall_by_band(agree, similarity) == [
        {"band": "< 0.6", "recall": 0.5, "queries": 2},
        {"band": "0.6–0.7", "recall": 1.0, "queries": 1},
        {"band": "0.7–0.8", "recall": 0.5, "queries": 2},
        {"band": "≥ 0.8", "recall": 1.0, "queries": 1},
    ]
    assert [found["band"] for found in recall_by_band(np.array([True]), np.array([0.9]))] == ["≥ 0.8"]  # no empty
