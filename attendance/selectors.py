"""Reads of the school domain; every function takes the school it reads for and returns only its rows."""

from django.db.models import Count, Q, QuerySet

from attendance.api_keys import key_matches, parse_key
from attendance.models import (
    ApiKey,
    AttendanceRecord,
    AuditEvent,
    ClassSession,
    FaceEnrollment,
    School,
    Student,
    VideoJob,
)
from attendance.tenancy import get_for_school


def api_key_for_secret(raw_key: str) -> ApiKey | None:
    """The live key for a presented secret, or None (unknown, malformed or revoked alike).

    This is the one read that cannot be scoped by school: it is how the school is found.
    """
    parsed = parse_key(raw_key)
    if parsed is None:
        return None
    api_key = ApiKey.unscoped.select_related("school").filter(prefix=parsed.prefix).first()
    if api_key is None or not key_matches(parsed.full, api_key.key_hash) or not api_key.is_active:
        return None
    return api_key


def students(*, school: School, search: str = "", group: str = "", active: bool | None = None) -> QuerySet[Student]:
    rows = Student.objects.for_school(school).annotate(face_count=Count("faces"))
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(external_id__icontains=search))
    if group:
        rows = rows.filter(group=group)
    if active is not None:
        rows = rows.filter(active=active)
    return rows


def student(*, school: School, student_id: int) -> Student:
    return get_for_school(Student, school=school, pk=student_id)


def faces(*, school: School, student: Student) -> QuerySet[FaceEnrollment]:
    return FaceEnrollment.objects.for_school(school).filter(student=student)


def face(*, school: School, student: Student, face_id: int) -> FaceEnrollment:
    return get_for_school(FaceEnrollment, school=school, student=student, pk=face_id)


def sessions(*, school: School, group: str = "") -> QuerySet[ClassSession]:
    rows = ClassSession.objects.for_school(school)
    return rows.filter(group=group) if group else rows


def session(*, school: School, session_id: int) -> ClassSession:
    return get_for_school(ClassSession, school=school, pk=session_id)


def attendance(*, school: School, session: ClassSession) -> QuerySet[AttendanceRecord]:
    return AttendanceRecord.objects.for_school(school).filter(session=session).select_related("student")


def attendance_record(*, school: School, session: ClassSession, student_id: int) -> AttendanceRecord:
    return get_for_school(AttendanceRecord, school=school, session=session, student_id=student_id)


def video_job(*, school: School, session: ClassSession, job_id: str) -> VideoJob:
    return get_for_school(VideoJob, school=school, session=session, pk=job_id)


def audit_events(*, school: School) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.for_school(school)
