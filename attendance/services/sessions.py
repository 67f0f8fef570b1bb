"""Class sessions and attendance: marking from photos and check-ins, manual corrections."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from attendance.models import AttendanceRecord, ClassSession, School, Student
from attendance.services import audit
from attendance.services.recognition import recognise
from attendance.services.students import require_single_face
from attendance.thumbnails import jpeg_thumbnail
from faceapi.errors import ApiError
from ml_models import registry
from ml_models.heads import FaceBatch
from ml_models.images import RGBImage
from ml_models.pipeline import EmbeddedFace, detect_and_embed


class InvalidSessionTimes(ApiError):
    code = "invalid_session_times"
    status = 400
    default_message = "A session must end after it starts."


class SpoofDetected(ApiError):
    code = "spoof_detected"
    status = 422
    default_message = "The face does not look live (a photo or a screen?)."


class NotRecognised(ApiError):
    code = "not_recognised"
    status = 422
    default_message = "The face does not match any enrolled student."


def create_session(*, school: School, **fields: Any) -> ClassSession:
    if fields["ends_at"] <= fields["starts_at"]:
        raise InvalidSessionTimes()
    return ClassSession.unscoped.create(school=school, **fields)


def update_session(*, session: ClassSession, **changes: Any) -> ClassSession:
    for field, value in changes.items():
        setattr(session, field, value)
    if session.ends_at <= session.starts_at:
        raise InvalidSessionTimes()
    session.save()
    return session


def mark_present(
    *,
    school: School,
    session: ClassSession,
    student: Student,
    seen_at: datetime,
    confidence: float,
    source: str,
    evidence: bytes = b"",
    evidence_time_s: float | None = None,
    timeline: dict[str, Any] | None = None,
) -> AttendanceRecord:
    """Idempotent: a student seen again keeps the first time and the best confidence (and its evidence).

    A manual correction is the teacher's word and is never overwritten by recognition.
    """
    status = AttendanceRecord.Status.PRESENT
    if source == AttendanceRecord.Source.CHECK_IN and seen_at > session.starts_at + timedelta(
        minutes=settings.FACEAPI_LATE_AFTER_MINUTES
    ):
        status = AttendanceRecord.Status.LATE
    with transaction.atomic():
        record, created = AttendanceRecord.unscoped.select_for_update().get_or_create(
            school=school,
            session=session,
            student=student,
            defaults={
                "status": status, "first_seen": seen_at, "confidence": confidence, "source": source,
                "evidence": evidence, "evidence_time_s": evidence_time_s, "timeline": timeline or {},
            },
        )  # fmt: skip
        if created or record.source == AttendanceRecord.Source.MANUAL:
            return record
        record.first_seen = min(filter(None, (record.first_seen, seen_at)))
        if timeline:
            record.timeline = timeline
        if confidence > (record.confidence or 0.0):
            record.confidence, record.source = confidence, source
            record.evidence, record.evidence_time_s = evidence, evidence_time_s
        record.save()
    return record


def mark_from_photo(*, school: School, session: ClassSession, image: RGBImage) -> dict[str, Any]:
    """Every enrolled student recognised in a (group) photo is marked present; unknown faces are returned."""
    now = timezone.now()
    recognitions = recognise(school=school, faces=detect_and_embed(image))
    for item in recognitions:
        if item.student:
            mark_present(
                school=school, session=session, student=item.student, seen_at=now, confidence=item.similarity,
                source=AttendanceRecord.Source.PHOTO, evidence=jpeg_thumbnail(item.face.crop),
            )  # fmt: skip
    return {
        "recognised": [r.as_dict() for r in recognitions if r.student],
        "unknown": [r.as_dict() for r in recognitions if not r.student],
        "image": {"width": int(image.shape[1]), "height": int(image.shape[0])},
    }


def liveness_of(image: RGBImage, face: EmbeddedFace) -> dict[str, Any] | None:
    """The liveness head's verdict, or None where this installation has no liveness head yet."""
    if "liveness" not in registry.available_features():
        return None
    batch = FaceBatch(image, [face.face], crops=face.crop[None], embeddings=face.embedding[None])
    return registry.head("liveness").predict(batch)[0]


def check_in(*, school: School, session: ClassSession, image: RGBImage) -> dict[str, Any]:
    """One live face at a kiosk: liveness first, then identify and mark."""
    face = require_single_face(image, many_message="Only one person at a time, please.")
    liveness = liveness_of(image, face)
    if liveness is not None and not liveness["is_real"]:
        raise SpoofDetected(score=liveness["score"])
    recognition = recognise(school=school, faces=[face])[0]
    if recognition.student is None:
        raise NotRecognised(similarity=round(recognition.similarity, 4))
    record = mark_present(
        school=school, session=session, student=recognition.student, seen_at=timezone.now(),
        confidence=recognition.similarity, source=AttendanceRecord.Source.CHECK_IN,
        evidence=jpeg_thumbnail(recognition.face.crop),
    )  # fmt: skip
    return {
        **recognition.as_dict(),
        "status": record.status,
        "liveness": liveness if liveness is not None else {"checked": False, "reason": "no liveness model installed"},
    }


def correct_attendance(
    *, school: School, session: ClassSession, student: Student, status: str, actor: str
) -> AttendanceRecord:
    """A teacher's correction: sets the status, keeps what recognition saw, and is audited."""
    with transaction.atomic():
        record, created = AttendanceRecord.unscoped.select_for_update().get_or_create(
            school=school, session=session, student=student, defaults={"source": AttendanceRecord.Source.MANUAL}
        )
        previous = None if created else record.status
        record.status = status
        record.source = AttendanceRecord.Source.MANUAL
        record.save()
        audit.record(
            school=school, actor=actor, action="correct_attendance", target=f"session:{session.pk}",
            student_id=student.pk, previous=previous, status=status,
        )  # fmt: skip
    return record
