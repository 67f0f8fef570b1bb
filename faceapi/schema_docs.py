"""Serializers that document shapes shared by the analysis and attendance APIs (DESIGN §4), for OpenAPI."""

from rest_framework import serializers


class ImageUpload(serializers.Serializer):
    image = serializers.ImageField(required=False, help_text="JPEG, PNG, WebP, BMP, GIF (first frame) or TIFF.")
    image_base64 = serializers.CharField(required=False, help_text="The same image as base64 (or a data: URL).")


class BoxDoc(serializers.Serializer):
    x = serializers.IntegerField()
    y = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


def _point() -> serializers.ListField:
    return serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)


class LandmarksDoc(serializers.Serializer):
    left_eye = _point()
    right_eye = _point()
    nose = _point()
    mouth_left = _point()
    mouth_right = _point()


class FaceDoc(serializers.Serializer):
    box = BoxDoc()
    confidence = serializers.FloatField()
    landmarks = LandmarksDoc(allow_null=True, help_text="Image-left eye first; null with detect=false.")


class ImageDoc(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class JobDoc(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "running", "succeeded", "failed"])
    progress = serializers.IntegerField(min_value=0, max_value=100)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    result = serializers.JSONField(allow_null=True)
    error = serializers.JSONField(allow_null=True)
    callback = serializers.JSONField(allow_null=True)
    url = serializers.CharField(required=False)


class ErrorBodyDoc(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. no_face, duplicate_face.")
    message = serializers.CharField()
    details = serializers.DictField()


class ErrorDoc(serializers.Serializer):
    error = ErrorBodyDoc()


MULTIPART = "multipart/form-data"
JSON = "application/json"
