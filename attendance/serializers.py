from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from attendance.models import AttendanceRecord, AuditEvent, ClassSession, FaceEnrollment, Student
from attendance.services.recognition import student_summary
from faceapi.schema_docs import FaceDoc, ImageDoc


class CurrentSchoolSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    callback_secret = serializers.CharField(help_text="Verifies the HMAC-SHA256 signature of job callbacks.")
    api_key = serializers.SerializerMethodField()

    def get_api_key(self, school: object) -> dict[str, str]:
        api_key = self.context["api_key"]
        return {"prefix": api_key.prefix, "name": api_key.name}


class StudentSummaryDoc(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField()


class CandidateDoc(serializers.Serializer):
    student_id = serializers.IntegerField()
    similarity = serializers.FloatField()


class RecognisedFaceDoc(FaceDoc):
    student = StudentSummaryDoc(allow_null=True, help_text="null: nobody of the school is similar enough")
    similarity = serializers.FloatField()
    candidates = CandidateDoc(many=True)


class IdentifyDoc(serializers.Serializer):
    faces = RecognisedFaceDoc(many=True)


class PhotoMarkingDoc(serializers.Serializer):
    recognised = RecognisedFaceDoc(many=True, help_text="marked present")
    unknown = RecognisedFaceDoc(many=True, help_text="faces of nobody enrolled, with their boxes")
    image = ImageDoc()


class CheckInDoc(RecognisedFaceDoc):
    status = serializers.ChoiceField(choices=AttendanceRecord.Status.choices)
    liveness = serializers.JSONField()


class VideoUpload(serializers.Serializer):
    video = serializers.FileField(help_text="MP4, MOV, AVI or WebM.")
    sample_fps = serializers.FloatField(required=False, help_text="Frames analysed per second of video (default 2).")
    min_face_size = serializers.IntegerField(
        required=False, help_text="Smallest face to look for, in pixels of the video (default: 1/27 of its height)."
    )
    callback_url = serializers.URLField(required=False, help_text="POSTed the job JSON when it ends (signed).")


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

    @extend_schema_field(StudentSummaryDoc)
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
    min_face_size = serializers.IntegerField(required=False, min_value=20, max_value=1000)
    callback_url = serializers.URLField(required=False, allow_blank=True, max_length=500)


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "actor", "action", "target", "details", "created_at"]
