"""Cosine matching: 1:1 verification with a calibrated threshold, and 1:N search in a per-school gallery."""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ml_models.ann import HnswIndex, HnswSettings
from ml_models.embedding import EMBEDDING_DIM, Embeddings, l2_normalize

# Best-accuracy cosine threshold on LFW pairs_dev.txt with the shipped settings (`make eval`; MODEL_CARD.md).
VERIFY_THRESHOLD = 0.414
CANDIDATES_PER_LABEL = 8  # rows looked at per wanted label (a label may own several of the best rows)


def cosine_similarity(a: NDArray[np.float32], b: NDArray[np.float32]) -> float:
    """Cosine similarity of two embeddings (unit length already, normalised again for safety)."""
    a, b = l2_normalize(a.reshape(1, -1)), l2_normalize(b.reshape(1, -1))
    return float(np.clip((a @ b.T)[0, 0], -1.0, 1.0))


@dataclass(frozen=True)
class Match:
    label: Hashable
    similarity: float


class Gallery:
    """Search over labelled unit embeddings (several per label allowed); top-k labels by best similarity.

    Exact (one matrix product) up to ``ann_threshold`` embeddings; above it an HNSW index proposes candidates and
    they are re-scored exactly.
    """

    def __init__(
        self,
        labels: Sequence[Hashable] = (),
        embeddings: Embeddings | None = None,
        *,
        ann_threshold: int | None = None,
        ann_settings: HnswSettings | None = None,
    ) -> None:
        self._labels: list[Hashable] = list(labels)
        matrix = embeddings if embeddings is not None else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        if len(self._labels) != len(matrix):
            raise ValueError("one label per embedding")
        self._matrix = l2_normalize(matrix) if len(matrix) else matrix.astype(np.float32)
        self._ann_threshold = ann_threshold
        self._ann_settings = ann_settings or HnswSettings()
        self._ann: HnswIndex | None = None

    def __len__(self) -> int:
        return len(self._labels)

    @property
    def uses_ann(self) -> bool:
        return self._ann_threshold is not None and len(self) >= self._ann_threshold

    def add(self, label: Hashable, embeddings: Embeddings) -> None:
        vectors = l2_normalize(np.atleast_2d(embeddings))
        self._matrix = np.vstack([self._matrix, vectors])
        self._labels.extend([label] * len(vectors))
        self._ann = None

    def remove(self, label: Hashable) -> None:
        keep = [i for i, existing in enumerate(self._labels) if existing != label]
        self._matrix = self._matrix[keep]
        self._labels = [self._labels[i] for i in keep]
        self._ann = None

    def search(self, queries: Embeddings, *, k: int = 1) -> list[list[Match]]:
        """For each query, the ``k`` best labels (each label once, by its best embedding), best first."""
        queries = l2_normalize(np.atleast_2d(queries))
        if not self._labels:
            return [[] for _ in queries]
        if self.uses_ann:
            return [self._ann_top_labels(query, k) for query in queries]
        return [self._top_labels(row, k) for row in queries @ self._matrix.T]

    def _top_labels(self, row: NDArray[np.float32], k: int) -> list[Match]:
        # Partial sort of a few candidates per wanted label; a full sort only if they hold too few labels.
        candidates = min(len(row), k * CANDIDATES_PER_LABEL)
        best = np.argpartition(-row, candidates - 1)[:candidates]
        order = best[np.argsort(-row[best])]
        matches = self._distinct_labels(order, row[order], k)
        if len(matches) < k and candidates < len(row):
            order = np.argsort(-row)
            matches = self._distinct_labels(order, row[order], k)
        return matches

    def _ann_top_labels(self, query: NDArray[np.float32], k: int) -> list[Match]:
        if self._ann is None:
            self._ann = HnswIndex(self._matrix, self._ann_settings)
        candidates = self._ann.candidates(query[None], min(len(self), k * CANDIDATES_PER_LABEL))[0]
        candidates = candidates[candidates >= 0]
        similarities = self._matrix[candidates] @ query
        order = np.argsort(-similarities)
        return self._distinct_labels(candidates[order], similarities[order], k)

    def _distinct_labels(self, indices: NDArray[np.intp], similarities: NDArray[np.float32], k: int) -> list[Match]:
        """The first ``k`` distinct labels of rows already sorted best first."""
        matches: list[Match] = []
        seen: set[Hashable] = set()
        for index, similarity in zip(indices, similarities, strict=True):
            label = self._labels[index]
            if label in seen:
                continue
            seen.add(label)
            matches.append(Match(label, float(similarity)))
            if len(matches) == k:
                break
        return matches

    def nearest(self, query: Embeddings) -> Match | None:
        best = self.search(query, k=1)[0]
        return best[0] if best else None
