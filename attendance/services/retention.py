"""Retention of attendance evidence: the face crops go after ``FACEAPI_EVIDENCE_RETENTION_DAYS``, the records stay."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from attendance.models import AttendanceRecord, School
from attendance.services import audit

logger = logging.getLogger(__name__)

RETENTION_ACTOR = "system:retention"


def purge_expired_evidence() -> int:
    """Clear the evidence of records last written before the retention period; audited per school, logged in total.

    Enrolment thumbnails are not touched: they are part of the enrolment and go with the student.
    """
    days = settings.FACEAPI_EVIDENCE_RETENTION_DAYS
    if days <= 0:
        return 0
    expired = AttendanceRecord.unscoped.filter(updated_at__lt=timezone.now() - timedelta(days=days)).exclude(
        evidence=b""
    )
    purged = 0
    for school in School.objects.filter(pk__in=expired.values("school")):
        with transaction.atomic():
            # QuerySet.update leaves updated_at alone: the record still says when attendance was last changed.
            count = expired.filter(school=school).update(evidence=b"", evidence_time_s=None)
            audit.record(
                school=school, actor=RETENTION_ACTOR, action="purge_evidence", target=f"school:{school.pk}",
                records=count, retention_days=days,
            )  # fmt: skip
        purged += count
    logger.info("evidence retention: cleared the evidence of %d attendance records (older than %d days)", purged, days)
    return purged
