"""Reads of the school domain; every function takes the school it reads for and returns only its rows."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from attendance.api_keys import key_matches, parse_key
from attendance.models import (
    ApiKey,
    AttendanceRecord,
    AuditEvent,
    ClassSession,
    FaceEnrollment,
    Membership,
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
    # Counting faces groups the rows, which drops Meta.ordering: order again for stable pages.
    rows = Student.objects.for_school(school).annotate(face_count=Count("faces")).order_by("name", "id")
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


def attendance_evidence(*, school: School, session: ClassSession, student_id: int) -> bytes:
    """The JPEG of the recognised face; a 404 where there is none (manual record, or purged by retention)."""
    record = attendance_record(school=school, session=session, student_id=student_id)
    if not record.evidence:
        raise Http404("No evidence photo for this record.")
    return bytes(record.evidence)


def video_job(*, school: School, session: ClassSession, job_id: str) -> VideoJob:
    return get_for_school(VideoJob, school=school, session=session, pk=job_id)


def audit_events(*, school: School) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.for_school(school)


def memberships(*, user: AbstractBaseUser) -> QuerySet[Membership]:
    """The schools a dashboard user belongs to: the one read keyed by the user, who may span schools."""
    return Membership.unscoped.filter(user=user).select_related("school").order_by("school__name")


def api_keys(*, school: School) -> QuerySet[ApiKey]:
    return ApiKey.objects.for_school(school)


def api_key(*, school: School, key_id: int) -> ApiKey:
    return get_for_school(ApiKey, school=school, pk=key_id)


def video_jobs(*, school: School, session: ClassSession | None = None) -> QuerySet[VideoJob]:
    rows = VideoJob.objects.for_school(school).select_related("session")
    return rows.filter(session=session) if session else rows


def groups(*, school: School) -> list[str]:
    """The groups that students or sessions of the school name, sorted."""
    student_groups = Student.objects.for_school(school).exclude(group="").values_list("group", flat=True)
    session_groups = ClassSession.objects.for_school(school).exclude(group="").values_list("group", flat=True)
    return sorted(set(student_groups) | set(session_groups))


@dataclass(frozen=True)
class SessionAttendanceRate:
    session: ClassSession
    attended: int
    expected: int

    @property
    def rate(self) -> float | None:
        return self.attended / self.expected if self.expected else None


def attendance_rates(*, school: School, group: str) -> list[SessionAttendanceRate]:
    """Per session of ``group``, oldest first: students present or late out of the group's active students."""
    expected = Student.objects.for_school(school).filter(group=group, active=True).count()
    counts = dict(
        AttendanceRecord.objects.for_school(school)
        .filter(session__group=group, status__in=[AttendanceRecord.Status.PRESENT, AttendanceRecord.Status.LATE])
        .values("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )
    rows = ClassSession.objects.for_school(school).filter(group=group).order_by("starts_at", "id")
    return [SessionAttendanceRate(session=s, attended=counts.get(s.pk, 0), expected=expected) for s in rows]


@dataclass(frozen=True)
class SheetLine:
    student: Student
    record: AttendanceRecord | None

    @property
    def attended(self) -> bool:
        return self.record is not None and self.record.status in (
            AttendanceRecord.Status.PRESENT,
            AttendanceRecord.Status.LATE,
        )


def attendance_sheet(*, school: School, session: ClassSession) -> list[SheetLine]:
    """Everyone with a record for the session, plus the session group's active students not seen yet, by name."""
    records = {r.student_id: r for r in attendance(school=school, session=session)}
    expected = Student.objects.for_school(school).filter(group=session.group, active=True) if session.group else []
    students = {r.student_id: r.student for r in records.values()} | {s.pk: s for s in expected}
    ordered = sorted(students.values(), key=lambda s: (s.name.lower(), s.pk))
    return [SheetLine(student=s, record=records.get(s.pk)) for s in ordered]
