import numpy as np
import pytest

from ml_models.embedding import l2_normalize
from ml_models.matching import Gallery, cosine_similarity


def random_unit(n: int, seed: int = 0) -> np.ndarray:
    return l2_normalize(np.random.default_rng(seed).normal(size=(n, 512)))


def test_cosine_of_a_vector_with_itself_is_one():
    vector = random_unit(1)[0]
    assert cosine_similarity(vector, vector) == pytest.approx(1.0)
    assert cosine_similarity(vector, -vector) == pytest.approx(-1.0)


def test_gallery_finds_the_label_of_a_near_copy():
    vectors = random_unit(200)
    gallery = Gallery([f"s{i}" for i in range(200)], vectors)
    query = vectors[42] + np.random.default_rng(1).normal(scale=0.01, size=512)
    best = gallery.nearest(query.astype(np.float32))
    assert best.label == "s42"
    assert best.similarity > 0.95


def test_top_k_gives_each_label_once_best_first():
    vectors = random_unit(6)
    gallery = Gallery(["a", "a", "a", "b", "c", "d"], vectors)
    matches = gallery.search(vectors[0], k=3)[0]
    assert matches[0].label == "a"
    assert len({m.label for m in matches}) == 3
    assert [m.similarity for m in matches] == sorted((m.similarity for m in matches), reverse=True)


def test_top_k_falls_back_when_one_label_owns_the_candidates():
    vectors = random_unit(40)
    gallery = Gallery(["crowd"] * 39 + ["other"], vectors)
    assert {m.label for m in gallery.search(vectors[0], k=2)[0]} == {"crowd", "other"}


def test_add_and_remove():
    gallery = Gallery()
    assert gallery.nearest(random_unit(1)[0]) is None
    vectors = random_unit(3)
    gallery.add("x", vectors[:2])
    gallery.add("y", vectors[2])
    assert len(gallery) == 3
    gallery.remove("x")
    assert len(gallery) == 1
    assert gallery.nearest(vectors[0]).label == "y"


def test_labels_must_match_embeddings():
    with pytest.raises(ValueError, match="one label per embedding"):
        Gallery(["a"], random_unit(2))


def clustered_gallery(people: int, faces_each: int, seed: int = 0) -> tuple[list[int], np.ndarray]:
    """Face-like data: each person's embeddings close together, people far apart."""
    rng = np.random.default_rng(seed)
    centres = random_unit(people, seed)
    vectors = np.repeat(centres, faces_each, axis=0) + rng.normal(scale=0.02, size=(people * faces_each, 512))
    return [p for p in range(people) for _ in range(faces_each)], l2_normalize(vectors)


def test_the_ann_index_agrees_with_exact_search():
    labels, vectors = clustered_gallery(2000, 3)
    exact = Gallery(labels, vectors)
    approximate = Gallery(labels, vectors, ann_threshold=1000)
    assert approximate.uses_ann
    assert not exact.uses_ann
    queries = l2_normalize(vectors[::7] + np.random.default_rng(2).normal(scale=0.02, size=vectors[::7].shape))
    pairs = zip(approximate.search(queries, k=2), exact.search(queries, k=2), strict=True)
    agree = [a[0].label == e[0].label for a, e in pairs]
    assert np.mean(agree) >= 0.99
    match = approximate.nearest(queries[0])
    assert match.similarity == pytest.approx(exact.nearest(queries[0]).similarity, abs=1e-5)  # re-scored exactly
