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
