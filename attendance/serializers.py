from rest_framework import serializers
from rest_framework.reverse import reverse

from attendance.models import AttendanceRecord, AuditEvent, ClassSession, FaceEnrollment, Student
from attendance.services.recognition import student_summary


class CurrentSchoolSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    callback_secret = serializers.CharField(help_text="Verifies the HMAC-SHA256 signature of job callbacks.")
    api_key = serializers.SerializerMethodField()

    def get_api_key(self, school: object) -> dict[str, str]:
        api_key = self.context["api_key"]
        return {"prefix": api_key.prefix, "name": api_key.name}


class StudentSerializer(serializers.ModelSerializer):
    face_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Student
        fields = ["id", "external_id", "name", "group", "active", "face_count", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class StudentUpdateSerializer(StudentSerializer):
    class Meta(StudentSerializer.Meta):
        extra_kwargs = {"external_id": {"required": False}, "name": {"required": False}}


class FaceSerializer(serializers.ModelSerializer):
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = FaceEnrollment
        fields = ["id", "student", "model_version", "quality", "created_at", "thumbnail_url"]

    def get_thumbnail_url(self, face: FaceEnrollment) -> str:
        return reverse("student-face-thumbnail", args=[face.student_id, face.pk], request=self.context.get("request"))


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClassSession
        fields = ["id", "course", "room", "group", "starts_at", "ends_at", "created_at"]
        read_only_fields = ["id", "created_at"]


class SessionUpdateSerializer(SessionSerializer):
    class Meta(SessionSerializer.Meta):
        extra_kwargs = {name: {"required": False} for name in ("course", "starts_at", "ends_at")}


class AttendanceSerializer(serializers.ModelSerializer):
    student = serializers.SerializerMethodField()
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = AttendanceRecord
        fields = [
            "student",
            "status",
            "first_seen",
            "confidence",
            "source",
            "evidence_time_s",
            "evidence_url",
            "timeline",
        ]

    def get_student(self, record: AttendanceRecord) -> dict[str, object]:
        return student_summary(record.student)

    def get_evidence_url(self, record: AttendanceRecord) -> str | None:
        if not record.evidence:
            return None
        return reverse(
            "attendance-evidence", args=[record.session_id, record.student_id], request=self.context.get("request")
        )


class CorrectionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AttendanceRecord.Status.choices)


class VideoParams(serializers.Serializer):
    sample_fps = serializers.FloatField(required=False, min_value=0.2, max_value=30.0)
    callback_url = serializers.URLField(required=False, allow_blank=True, max_length=500)


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "actor", "action", "target", "details", "created_at"]
