import secrets

from django.conf import settings
from django.db import models

from attendance.tenancy import TenantModel
from faceapi.jobs import Job


def new_callback_secret() -> str:
    return secrets.token_hex(32)


def default_match_threshold() -> float:
    return settings.FACEAPI_VERIFY_THRESHOLD


def default_max_faces() -> int:
    return settings.FACEAPI_MAX_FACES_PER_STUDENT


class School(models.Model):
    """The tenant: every piece of tenant data belongs to exactly one school."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    # Signs job callbacks (HMAC-SHA256) so that the school's receiver can tell they come from us.
    callback_secret = models.CharField(max_length=64, default=new_callback_secret)
    # Cosine similarity from which a face is taken to be an enrolled student (identify, attendance, duplicates).
    match_threshold = models.FloatField(default=default_match_threshold)
    max_faces_per_student = models.PositiveSmallIntegerField(default=default_max_faces)
    # Bumped by every enrolment change, so that each process knows when its cached gallery is stale.
    gallery_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(TenantModel):
    """A key for the JSON API. Only a SHA-256 of the key is stored; ``prefix`` is shown to identify it."""

    name = models.CharField(max_length=100, default="default")
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Membership(TenantModel):
    """A dashboard user's place in a school."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        TEACHER = "teacher", "Teacher"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.TEACHER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "user"], name="one_membership_per_school")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.school} ({self.role})"


class Student(TenantModel):
    external_id = models.CharField(max_length=64, help_text="The school's own id for the student.")
    name = models.CharField(max_length=200)
    group = models.CharField(max_length=100, blank=True, help_text="Class or group, e.g. 7B.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["school", "external_id"], name="unique_external_id_per_school")]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"


class FaceEnrollment(TenantModel):
    """One enrolled face: its embedding (float32 bytes) and a small aligned thumbnail, nothing else of the photo."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="faces")
    embedding = models.BinaryField()
    model_version = models.CharField(max_length=64)
    quality = models.JSONField(default=dict)
    thumbnail = models.BinaryField(help_text="JPEG, 96×96, of the aligned face")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class ClassSession(TenantModel):
    course = models.CharField(max_length=200)
    room = models.CharField(max_length=100, blank=True)
    group = models.CharField(max_length=100, blank=True, help_text="The class or group expected to attend.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.course} @ {self.starts_at:%Y-%m-%d %H:%M}"


class AttendanceRecord(TenantModel):
    class Status(models.TextChoices):
        PRESENT = "present"
        LATE = "late"
        ABSENT = "absent"
        EXCUSED = "excused"

    class Source(models.TextChoices):
        PHOTO = "photo"
        CHECK_IN = "check-in"
        VIDEO = "video"
        MANUAL = "manual"

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PRESENT)
    first_seen = models.DateTimeField(null=True, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    evidence = models.BinaryField(blank=True, default=b"", help_text="JPEG of the face that was recognised")
    evidence_time_s = models.FloatField(null=True, blank=True, help_text="Position in the video, for video evidence")
    timeline = models.JSONField(default=dict, blank=True, help_text="Seen intervals and emotions over a video")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["student__name", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "student"], name="one_record_per_student_session")]


class AuditEvent(TenantModel):
    """Who did what to biometric data and attendance: enrolments, deletions, manual corrections."""

    actor = models.CharField(max_length=150, help_text="api-key:<prefix> or user:<username>")
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=100, help_text="e.g. student:12")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class VideoJob(Job):
    """A classroom video turned into attendance on the worker."""

    kind = "video"
    task_name = "attendance.run_video_job"

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="+")
    options = models.JSONField(default=dict, blank=True)  # sample_fps
    video_name = models.CharField(max_length=255, blank=True)

    class Meta(Job.Meta):
        pass
