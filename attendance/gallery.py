"""Each school's enrolled faces as a search index, cached per process and rebuilt when ``gallery_version`` moves.

A gallery never mixes schools: the cache is keyed by school id, and it is built from that school's rows only.
"""

import threading

import numpy as np
from django.conf import settings

from attendance.models import FaceEnrollment, School
from ml_models import registry
from ml_models.embedding import EMBEDDING_DIM
from ml_models.matching import Gallery

_lock = threading.Lock()
_cache: dict[int, tuple[int, Gallery]] = {}


def embedding_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float32).reshape(EMBEDDING_DIM)


def build_gallery(school: School) -> Gallery:
    """The school's active students' faces embedded by the running embedder (faces of an earlier embedder version
    cannot be compared with new embeddings: they wait for re-enrolment, docs/OPERATIONS.md)."""
    faces = FaceEnrollment.objects.for_school(school).filter(
        student__active=True, model_version=registry.embedder_version()
    )
    rows = faces.values_list("student_id", "embedding")
    labels = [student_id for student_id, _ in rows]
    vectors = np.stack([embedding_from_bytes(blob) for _, blob in rows]) if labels else None
    return Gallery(labels, vectors, ann_threshold=settings.FACEAPI_GALLERY_ANN_THRESHOLD)


def gallery_for(school: School) -> Gallery:
    """The school's gallery as of its current ``gallery_version`` (read fresh from the database)."""
    version = School.objects.filter(pk=school.pk).values_list("gallery_version", flat=True).get()
    cached = _cache.get(school.pk)
    if cached and cached[0] == version:
        return cached[1]
    with _lock:
        cached = _cache.get(school.pk)
        if cached and cached[0] == version:
            return cached[1]
        gallery = build_gallery(school)
        _cache[school.pk] = (version, gallery)
        return gallery
