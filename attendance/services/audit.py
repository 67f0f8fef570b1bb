from typing import Any

from attendance.models import AuditEvent, School


def record(*, school: School, actor: str, action: str, target: str, **details: Any) -> AuditEvent:
    """Append one audit event (enrolment, deletion, correction); never updated or deleted by the app."""
    return AuditEvent.unscoped.create(school=school, actor=actor, action=action, target=target, details=details)
