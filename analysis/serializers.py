"""Request parameters and response documents of the analysis API (the OpenAPI schema is built from these)."""

from rest_framework import serializers

from faceapi.schema_docs import FaceDoc, ImageDoc, ImageUpload


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
class DetectUpload(ImageUpload, DetectParams):
    pass


class EmbedUpload(ImageUpload, EmbedParams):
    pass


class AnalyzeUpload(ImageUpload, AnalyzeParams):
    pass


class VerifyUpload(VerifyParams):
    image1 = serializers.ImageField(required=False, help_text="The first image (or image1_base64).")
    image2 = serializers.ImageField(required=False, help_text="The second image (or image2_base64).")
    image1_base64 = serializers.CharField(required=False, help_text="The first image as base64.")
    image2_base64 = serializers.CharField(required=False, help_text="The second image as base64.")


class JobUpload(JobParams):
    images = serializers.ListField(
        child=serializers.FileField(),
        help_text="Images, repeated, and/or zip files of images (folders, links and system junk files inside are "
        "skipped).",
    )


# --- response documents ---
class EmotionDoc(serializers.Serializer):
    dominant = serializers.CharField()
    scores = serializers.DictField(child=serializers.FloatField())


class AnalyzedFaceDoc(FaceDoc):
    emotion = EmotionDoc(required=False)
    attributes = serializers.DictField(child=serializers.FloatField(), required=False, help_text="40 CelebA probs")
    mask = serializers.JSONField(required=False, help_text='{"wearing_mask": bool, "score": float}')
    age = serializers.FloatField(required=False)
    gender = serializers.JSONField(required=False, help_text='{"value": "male"|"female", "score": float}')
    liveness = serializers.JSONField(required=False, help_text='{"is_real": bool, "score": float}')


class AnalysisDoc(serializers.Serializer):
    faces = AnalyzedFaceDoc(many=True)
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


class ModelDoc(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    sha256 = serializers.CharField()
    input_size = serializers.ListField(child=serializers.IntegerField())


class ModelsDoc(serializers.Serializer):
    models = serializers.DictField(child=ModelDoc(), help_text="detector, embedder and each head")
    features = serializers.ListField(child=serializers.CharField(), help_text="what analyze can run")
