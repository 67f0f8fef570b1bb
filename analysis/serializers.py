"""Request parameters and response documents of the analysis API (the OpenAPI schema is built from these)."""

from rest_framework import serializers


class ImageUpload(serializers.Serializer):
    image = serializers.ImageField(required=False, help_text="JPEG, PNG, WebP, BMP, GIF (first frame) or TIFF.")
    image_base64 = serializers.CharField(required=False, help_text="The same image as base64 (or a data: URL).")


class DetectParams(serializers.Serializer):
    min_face_size = serializers.IntegerField(
        required=False, default=20, min_value=12, max_value=4096, help_text="Smallest face to find, in pixels."
    )


class EmbedParams(DetectParams):
    detect = serializers.BooleanField(
        required=False, default=True, help_text="false: the whole image is one face the client already cropped."
    )


class AnalyzeParams(EmbedParams):
    features = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Comma-separated heads to run (default: all served), e.g. emotion,mask.",
    )


class VerifyParams(serializers.Serializer):
    threshold = serializers.FloatField(
        required=False, min_value=0.0, max_value=1.0, help_text="Override of the calibrated cosine threshold."
    )


class JobParams(AnalyzeParams):
    callback_url = serializers.URLField(
        required=False, allow_blank=True, max_length=500, help_text="POSTed the job JSON when it ends (signed)."
    )


# --- request bodies for the schema ---
class DetectRequest(ImageUpload, DetectParams):
    pass


class EmbedRequest(ImageUpload, EmbedParams):
    pass


class AnalyzeRequest(ImageUpload, AnalyzeParams):
    pass


class VerifyRequest(VerifyParams):
    image1 = serializers.ImageField(required=False)
    image2 = serializers.ImageField(required=False)
    image1_base64 = serializers.CharField(required=False)
    image2_base64 = serializers.CharField(required=False)


class JobRequest(JobParams):
    images = serializers.ListField(
        child=serializers.FileField(), help_text="Images, repeated, and/or zip files of images."
    )


# --- response documents ---
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


class EmotionDoc(serializers.Serializer):
    dominant = serializers.CharField()
    scores = serializers.DictField(child=serializers.FloatField())


class FaceDoc(serializers.Serializer):
    box = BoxDoc()
    confidence = serializers.FloatField()
    landmarks = LandmarksDoc(allow_null=True, help_text="Image-left eye first; null with detect=false.")
    emotion = EmotionDoc(required=False)


class ImageDoc(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class AnalysisDoc(serializers.Serializer):
    faces = FaceDoc(many=True)
    image = ImageDoc()
    models = serializers.DictField(child=serializers.CharField())
    timings_ms = serializers.DictField(child=serializers.IntegerField())


class QualityDoc(serializers.Serializer):
    size_px = serializers.IntegerField()
    sharpness = serializers.FloatField()
    yaw = serializers.FloatField()
    roll_deg = serializers.FloatField()
    confidence = serializers.FloatField()


class EmbeddedFaceDoc(FaceDoc):
    quality = QualityDoc()
    embedding = serializers.ListField(child=serializers.FloatField(), help_text="512 floats, unit length.")


class EmbedDoc(AnalysisDoc):
    faces = EmbeddedFaceDoc(many=True)


class VerifyDoc(serializers.Serializer):
    verified = serializers.BooleanField()
    similarity = serializers.FloatField()
    threshold = serializers.FloatField()
    face1 = FaceDoc()
    face2 = FaceDoc()
    models = serializers.DictField(child=serializers.CharField())
    timings_ms = serializers.DictField(child=serializers.IntegerField())


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


class ModelDoc(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    sha256 = serializers.CharField()
    input_size = serializers.ListField(child=serializers.IntegerField())


class ModelsDoc(serializers.Serializer):
    models = serializers.DictField(child=ModelDoc(), help_text="detector, embedder and each head")
    features = serializers.ListField(child=serializers.CharField(), help_text="what analyze can run")
