"""Attendance evidence (face crops) is cleared after FACEAPI_EVIDENCE_RETENTION_DAYS by the beat task; rows stay."""

import logging
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from attendance.models import AttendanceRecord, AuditEvent, ClassSession, Student
from attendance.services.retention import RETENTION_ACTOR
from attendance.tasks import purge_expired_evidence
from faceapi.celery import app

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8 a face \xff\xd9"


def record(school, *, age_days: float, name: str) -> AttendanceRecord:
    start = timezone.now() - timedelta(days=age_days, hours=1)
    student = Student.unscoped.create(school=school, external_id=name, name=name)
    session = ClassSession.unscoped.create(school=school, course="Maths", starts_at=start, ends_at=start)
    row = AttendanceRecord.unscoped.create(
        school=school, session=session, student=student, source="video", evidence=JPEG, evidence_time_s=3.5,
        first_seen=start, confidence=0.9,
    )  # fmt: skip
    AttendanceRecord.unscoped.filter(pk=row.pk).update(updated_at=start)  # as if written back then
    return row


def test_old_evidence_is_cleared_new_kept_and_rows_stay(tenant, other_tenant, settings, caplog):
    settings.FACEAPI_EVIDENCE_RETENTION_DAYS = 30
    old = record(tenant.school, age_days=31, name="old")
    new = record(tenant.school, age_days=29, name="new")
    other_old = [record(other_tenant.school, age_days=40 + i, name=f"o{i}") for i in range(2)]
    caplog.set_level(logging.INFO, logger="attendance.services.retention")

    assert purge_expired_evidence() == 3

    old.refresh_from_db()
    assert (bytes(old.evidence), old.evidence_time_s, old.status, old.confidence) == (b"", None, "present", 0.9)
    new.refresh_from_db()
    assert (bytes(new.evidence), new.evidence_time_s) == (JPEG, 3.5)
    assert AttendanceRecord.unscoped.count() == 4
    for tenant_, count in ((tenant, 1), (other_tenant, 2)):
        event = AuditEvent.objects.for_school(tenant_.school).get(action="purge_evidence")
        assert (event.actor, event.details) == (RETENTION_ACTOR, {"records": count, "retention_days": 30})
    assert "cleared the evidence of 3 attendance records" in caplog.text
    assert all(bytes(row.evidence) == b"" for row in AttendanceRecord.unscoped.filter(pk__in=[r.pk for r in other_old]))
    assert purge_expired_evidence() == 0  # nothing left to clear: no new audit events
    assert AuditEvent.unscoped.filter(action="purge_evidence").count() == 2


def test_the_attendance_api_shows_no_evidence_once_cleared(tenant, api, settings):
    settings.FACEAPI_EVIDENCE_RETENTION_DAYS = 30
    old = record(tenant.school, age_days=31, name="old")
    before = api.get(f"/api/v1/sessions/{old.session_id}/attendance").json()["attendance"][0]
    assert before["evidence_url"]
    purge_expired_evidence()
    after = api.get(f"/api/v1/sessions/{old.session_id}/attendance").json()["attendance"][0]
    assert (after["evidence_url"], after["status"]) == (None, "present")


def test_zero_days_keeps_evidence_forever(tenant, settings):
    settings.FACEAPI_EVIDENCE_RETENTION_DAYS = 0
    old = record(tenant.school, age_days=3650, name="old")
    assert purge_expired_evidence() == 0
    old.refresh_from_db()
    assert bytes(old.evidence) == JPEG


def test_beat_schedules_both_purges_as_registered_tasks():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"faceapi.purge_expired_jobs", "attendance.purge_expired_evidence"} <= scheduled
    assert scheduled <= set(app.tasks)
