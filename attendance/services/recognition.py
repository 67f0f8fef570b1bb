"""1:N identification of faces against a school's gallery."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from attendance.gallery import gallery_for
from attendance.models import School, Student
from ml_models.matching import Match
from ml_models.pipeline import EmbeddedFace

CANDIDATES = 3


@dataclass(frozen=True)
class Recognition:
    face: EmbeddedFace
    student: Student | None  # None: nobody of the school is similar enough
    similarity: float
    candidates: list[Match]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.face.face.as_dict(),
            "student": student_summary(self.student) if self.student else None,
            "similarity": round(self.similarity, 4),
            "candidates": [{"student_id": m.label, "similarity": round(m.similarity, 4)} for m in self.candidates],
        }


def student_summary(student: Student) -> dict[str, Any]:
    return {"id": student.pk, "external_id": student.external_id, "name": student.name, "group": student.group}


def recognise(*, school: School, faces: Sequence[EmbeddedFace]) -> list[Recognition]:
    """Each face's best student above the school's threshold (or unknown), with the runners-up."""
    if not faces:
        return []
    matches = gallery_for(school).search(np.stack([f.embedding for f in faces]), k=CANDIDATES)
    ids = {m.label for row in matches for m in row}
    by_id = {s.pk: s for s in Student.objects.for_school(school).filter(pk__in=ids)}
    results = []
    for face, row in zip(faces, matches, strict=True):
        best = row[0] if row else None
        known = best is not None and best.similarity >= school.match_threshold and best.label in by_id
        results.append(
            Recognition(
                face=face,
                student=by_id[best.label] if known else None,
                similarity=best.similarity if best else 0.0,
                candidates=[m for m in row if m.label in by_id],
            )
        )
    return results
