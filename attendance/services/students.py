"""Students and their enrolled faces: creation, enrolment with refusals, biometric deletion."""

from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import F

from attendance.gallery import gallery_for
from attendance.models import FaceEnrollment, School, Student
from attendance.services import audit
from attendance.thumbnails import jpeg_thumbnail
from faceapi.errors import ApiError
from ml_models import registry
from ml_models.errors import ManyFaces, NoFace
from ml_models.images import RGBImage
from ml_models.pipeline import EmbeddedFace, detect_and_embed, prominent_faces


class DuplicateFace(ApiError):
    code = "duplicate_face"
    status = 409
    default_message = "This face is already enrolled under another student of the school."


class LowQualityFace(ApiError):
    code = "low_quality_face"
    status = 422
    default_message = "The face is not good enough to enrol."


class FaceLimitReached(ApiError):
    code = "face_limit_reached"
    status = 409
    default_message = "The student already has the maximum number of enrolled faces."


class DuplicateExternalId(ApiError):
    code = "duplicate_external_id"
    status = 409
    default_message = "Another student of the school has this external id."


@dataclass(frozen=True)
class QualityRules:
    min_face_px: int
    min_sharpness: float
    max_yaw: float

    @classmethod
    def from_settings(cls) -> "QualityRules":
        return cls(
            min_face_px=settings.FACEAPI_ENROL_MIN_FACE_PX,
            min_sharpness=settings.FACEAPI_ENROL_MIN_SHARPNESS,
            max_yaw=settings.FACEAPI_ENROL_MAX_YAW,
        )


def bump_gallery(school: School) -> None:
    School.objects.filter(pk=school.pk).update(gallery_version=F("gallery_version") + 1)


def create_student(*, school: School, external_id: str, name: str, group: str = "", active: bool = True) -> Student:
    if Student.objects.for_school(school).filter(external_id=external_id).exists():
        raise DuplicateExternalId(external_id=external_id)
    return Student.unscoped.create(school=school, external_id=external_id, name=name, group=group, active=active)


def update_student(*, school: School, student: Student, **changes: object) -> Student:
    external_id = changes.get("external_id")
    if (
        external_id
        and Student.objects.for_school(school).filter(external_id=external_id).exclude(pk=student.pk).exists()
    ):
        raise DuplicateExternalId(external_id=external_id)
    with transaction.atomic():
        for field, value in changes.items():
            setattr(student, field, value)
        student.save()
        if "active" in changes:
            bump_gallery(school)  # inactive students are not identified
    return student


def delete_student(*, school: School, student: Student, actor: str) -> None:
    """Delete the student with every embedding, thumbnail and attendance evidence (biometric erasure)."""
    with transaction.atomic():
        faces = FaceEnrollment.objects.for_school(school).filter(student=student).count()
        audit.record(
            school=school, actor=actor, action="delete_student", target=f"student:{student.pk}",
            external_id=student.external_id, faces_erased=faces,
        )  # fmt: skip
        student.delete()
        bump_gallery(school)


def require_single_face(image: RGBImage, *, many_message: str | None = None) -> EmbeddedFace:
    """The one person in front of the camera; small background faces are ignored."""
    faces = prominent_faces(detect_and_embed(image))
    if not faces:
        raise NoFace()
    if len(faces) > 1:
        raise ManyFaces(many_message, count=len(faces))
    return faces[0]


def check_quality(face: EmbeddedFace, rules: QualityRules) -> None:
    quality = face.quality
    if quality.size_px < rules.min_face_px:
        raise LowQualityFace("The face is too small.", reason="too_small", size_px=quality.size_px)
    if quality.sharpness < rules.min_sharpness:
        raise LowQualityFace("The face is blurred.", reason="blurred", sharpness=round(quality.sharpness, 1))
    if abs(quality.yaw) > rules.max_yaw:
        raise LowQualityFace("The face is turned too far (profile).", reason="profile", yaw=round(quality.yaw, 2))


def enroll_face(*, school: School, student: Student, image: RGBImage, actor: str) -> FaceEnrollment:
    """Enrol the one face of ``image`` for ``student``, refusing low quality and another student's face."""
    face = require_single_face(image)
    check_quality(face, QualityRules.from_settings())
    other = gallery_for(school).nearest(face.embedding)
    if other and other.label != student.pk and other.similarity >= school.match_threshold:
        raise DuplicateFace(student_id=other.label, similarity=round(other.similarity, 4))
    with transaction.atomic():
        # Lock the student row so that two uploads at once cannot pass the limit together.
        Student.unscoped.select_for_update().filter(pk=student.pk).get()
        if FaceEnrollment.objects.for_school(school).filter(student=student).count() >= school.max_faces_per_student:
            raise FaceLimitReached(max_faces=school.max_faces_per_student)
        enrollment = FaceEnrollment.unscoped.create(
            school=school,
            student=student,
            embedding=np.asarray(face.embedding, dtype=np.float32).tobytes(),
            model_version=registry.embedder_version(),
            quality=face.quality.as_dict(),
            thumbnail=jpeg_thumbnail(face.crop),
        )
        bump_gallery(school)
        audit.record(
            school=school, actor=actor, action="enrol_face", target=f"student:{student.pk}", face_id=enrollment.pk
        )
    return enrollment


def delete_face(*, school: School, enrollment: FaceEnrollment, actor: str) -> None:
    with transaction.atomic():
        audit.record(
            school=school, actor=actor, action="delete_face", target=f"student:{enrollment.student_id}",
            face_id=enrollment.pk,
        )  # fmt: skip
        enrollment.delete()
        bump_gallery(school)
