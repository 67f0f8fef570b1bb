import numpy as np
import pytest

from ml_models.eval import (
    Metrics,
    Row,
    accuracy,
    balanced_folds,
    best_threshold,
    central_face,
    centred_scores,
    choose,
    cross_validate,
    is_real_gain,
    median_face,
    parse_pairs,
    prewhiten,
    roc_auc,
    tar_at_far,
)
from ml_models.faces import LANDMARK_NAMES, Box, DetectedFace

PAIRS = """2\t2
Ann\t1\t2
Bob\t1\t3
Ann\t2\tBob\t1
Cid\t1\tDee\t12
Eve\t1\t2
Fay\t1\t2
Eve\t1\tFay\t1
Gus\t1\tAnn\t1
"""


def test_pairs_file_is_parsed_into_image_indices_labels_and_sets():
    pairs = parse_pairs(PAIRS)
    assert pairs.images[:3] == ["Ann/Ann_0001.jpg", "Ann/Ann_0002.jpg", "Bob/Bob_0001.jpg"]
    assert "Dee/Dee_0012.jpg" in pairs.images
    assert len(pairs.images) == len(set(pairs.images)) == 11
    assert pairs.same.tolist() == [True, True, False, False] * 2
    assert pairs.official_set.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert pairs.images[pairs.left[2]] == "Ann/Ann_0002.jpg"
    assert pairs.images[pairs.right[2]] == "Bob/Bob_0001.jpg"
    assert pairs.images[pairs.right[7]] == "Ann/Ann_0001.jpg"


def test_a_pairs_file_with_missing_lines_is_refused():
    with pytest.raises(ValueError, match="expected 8 pairs"):
        parse_pairs(PAIRS.rsplit("\n", 2)[0])


def test_folds_are_balanced_and_keep_file_order():
    same = np.array(([True] * 30 + [False] * 30) * 2)
    folds = balanced_folds(same, n_folds=10)
    for fold in range(10):
        assert same[folds == fold].sum() == 6
        assert (~same[folds == fold]).sum() == 6
    assert set(folds[:60]) == set(range(5))  # the first set fills the first five folds
    assert folds[0] == 0
    assert folds[-1] == 9


def test_best_threshold_separates_separable_scores_at_the_middle_of_the_gap():
    scores = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    same = np.array([False, False, False, True, True, True])
    threshold = best_threshold(scores, same)
    assert threshold == pytest.approx(0.5)
    assert accuracy(scores, same, threshold) == 1.0


def test_best_threshold_maximises_accuracy_with_overlap():
    scores = np.array([0.1, 0.4, 0.6, 0.35, 0.7, 0.8])
    same = np.array([False, False, False, True, True, True])
    threshold = best_threshold(scores, same)
    best = max(accuracy(scores, same, t) for t in np.linspace(0, 1, 1001))
    assert accuracy(scores, same, threshold) == pytest.approx(best) == pytest.approx(5 / 6)


def test_accuracy_accepts_scores_equal_to_the_threshold():
    assert accuracy(np.array([0.5, 0.4]), np.array([True, False]), 0.5) == 1.0


def test_roc_auc_counts_ordered_pairs_and_half_ties():
    same = np.array([True, True, False, False])
    assert roc_auc(np.array([0.9, 0.8, 0.1, 0.2]), same) == 1.0
    assert roc_auc(np.array([0.1, 0.2, 0.9, 0.8]), same) == 0.0
    assert roc_auc(np.array([0.5, 0.9, 0.5, 0.1]), same) == pytest.approx((1 + 0.5 + 1 + 1) / 4)


def test_tar_at_far_allows_only_the_given_share_of_false_accepts():
    mismatched = np.linspace(0.0, 0.99, 100)  # the highest three: 0.99, 0.98, 0.97
    matched = np.array([0.995, 0.985, 0.975, 0.5])
    scores = np.concatenate([matched, mismatched])
    same = np.array([True] * 4 + [False] * 100)
    assert tar_at_far(scores, same, 0.001) == 0.25  # no false accept: above 0.99
    assert tar_at_far(scores, same, 0.01) == 0.5  # one false accept: above 0.98
    assert tar_at_far(scores, same, 0.02) == 0.75
    assert tar_at_far(scores, same, 1.0) == 1.0


def test_cross_validation_tests_each_fold_with_a_threshold_from_the_others():
    rng = np.random.default_rng(0)
    same = np.array(([True] * 50 + [False] * 50) * 2)
    scores = np.where(same, 0.7, 0.3) + rng.normal(scale=0.05, size=len(same))
    folds = balanced_folds(same, n_folds=10)
    fold_accuracy, held_out = cross_validate(lambda train: scores, same, folds)
    assert fold_accuracy.shape == (10,)
    assert fold_accuracy.min() == 1.0
    np.testing.assert_array_equal(held_out, scores)


def test_centred_scores_subtract_the_training_images_mean():
    pairs = parse_pairs(PAIRS)
    offset = np.zeros(8)
    offset[0] = 10.0
    embeddings = np.random.default_rng(1).normal(size=(len(pairs.images), 8)) + offset
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    train = np.ones(len(pairs.same), dtype=bool)
    scores = centred_scores(embeddings.astype(np.float32), pairs)(train)
    plain = np.sum(embeddings[pairs.left] * embeddings[pairs.right], axis=1)
    assert plain.min() > 0.9  # everything looks alike before the shared offset is removed
    assert scores.min() < 0.5


def test_a_gain_is_real_only_above_the_minimum_and_the_noise():
    reference = Metrics(np.full(10, 0.95), 0.99, {}, 0.5)
    steady = Metrics(np.full(10, 0.955), 0.99, {}, 0.5)
    tiny = Metrics(np.full(10, 0.951), 0.99, {}, 0.5)
    noisy = Metrics(np.array([0.995, 0.91] * 5), 0.99, {}, 0.5)
    assert is_real_gain(steady, reference)
    assert not is_real_gain(tiny, reference)
    assert not is_real_gain(noisy, reference)
    assert not is_real_gain(reference, reference)


def test_choose_keeps_the_current_setting_unless_a_candidate_really_gains():
    def row(name: str, accuracy: float) -> Row:
        return Row(name, Metrics(np.full(10, accuracy), 0.99, {}, 0.5), "current")

    rows = {row.name: row for row in [row("current", 0.95), row("noise", 0.951), row("small", 0.953), row("big", 0.96)]}
    assert choose(["noise"], "current", rows) == "current"
    assert choose(["noise", "small", "big"], "current", rows) == "big"


def test_prewhiten_standardises_each_image_on_its_own():
    images = np.stack([np.full((4, 4, 3), 200.0), np.arange(48, dtype=np.float64).reshape(4, 4, 3)])
    whitened = prewhiten(images)
    np.testing.assert_allclose(whitened[0], 0.0)  # a flat image: std floored at 1/√size, no division by zero
    assert whitened[1].mean() == pytest.approx(0.0, abs=1e-6)
    assert whitened[1].std() == pytest.approx(1.0, abs=1e-5)


def face_at(x: int, y: int, size: int) -> DetectedFace:
    return DetectedFace(Box(x, y, size, size), 0.99, dict.fromkeys(LANDMARK_NAMES, (x + size / 2, y + size / 2)))


def test_central_face_prefers_the_face_nearest_the_centre_over_the_largest():
    big_corner, small_centre = face_at(0, 0, 120), face_at(100, 100, 50)
    assert central_face([big_corner, small_centre], (250, 250, 3)) is small_centre
    assert central_face([], (250, 250, 3)) is None


def test_median_face_is_the_fallback_box_in_the_middle_of_the_detections():
    fallback = median_face([face_at(70, 60, 100), face_at(80, 70, 110), face_at(90, 80, 90)])
    assert fallback.box == Box(80, 70, 100, 100)
    assert fallback.landmarks["nose"] == (135.0, 125.0)  # median of each coordinate
