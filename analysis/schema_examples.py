"""OpenAPI examples of the analysis endpoints, shown in /api/docs: real responses of `make docs`
(docs/generate_api_examples.py), cut short where noted."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse

MODELS = {
    "detector": "mtcnn-1.0.0",
    "embedder": "facenet-20180408-102900",
    "emotion": "faceapi-emotion-cnn+fer-3-20261127",
}
OBAMA_480P_FACE = {
    "box": {"x": 394, "y": 37, "width": 103, "height": 148},
    "confidence": 0.9953,
    "landmarks": {
        "left_eye": [422.0, 95.0],
        "right_eye": [468.0, 94.0],
        "nose": [446.0, 122.0],
        "mouth_left": [419.0, 142.0],
        "mouth_right": [470.0, 140.0],
    },
}
OBAMA_FACE = {
    "box": {"x": 371, "y": 83, "width": 244, "height": 342},
    "confidence": 1.0,
    "landmarks": {
        "left_eye": [442.0, 214.0],
        "right_eye": [550.0, 212.0],
        "nose": [498.0, 276.0],
        "mouth_left": [434.0, 318.0],
        "mouth_right": [555.0, 316.0],
    },
}
HAPPY = {
    "dominant": "happy",
    "scores": {
        "angry": 0.0001,
        "disgust": 0.0,
        "fear": 0.0,
        "happy": 0.9999,
        "sad": 0.0,
        "surprise": 0.0,
        "neutral": 0.0,
    },
}
JOB_ID = "8bbfb369-a7ba-4fcd-904c-190aef2198b1"
JOB_URL = f"http://127.0.0.1:8000/api/v1/jobs/{JOB_ID}"

IMAGE_BASE64_REQUEST = OpenApiExample(
    "image as base64",
    request_only=True,
    media_type="application/json",
    value={"image_base64": "/9j/4AAQSkZJRgABAQEASABIAAD…", "min_face_size": 40},
    description="The base64 is cut short here. A `data:image/jpeg;base64,…` URL works too.",
)

DETECT_RESPONSE = OpenApiExample(
    "one face",
    response_only=True,
    description="obama-480p.jpg",
    value={
        "faces": [OBAMA_480P_FACE],
        "image": {"width": 853, "height": 480},
        "models": MODELS,
        "timings_ms": {"detect": 127, "heads": 0},
    },
)

ANALYZE_RESPONSE = OpenApiExample(
    "emotion",
    response_only=True,
    description="features=emotion on obama-480p.jpg",
    value={
        "faces": [{**OBAMA_480P_FACE, "emotion": HAPPY}],
        "image": {"width": 853, "height": 480},
        "models": MODELS,
        "timings_ms": {"detect": 562, "heads": 19},
    },
)

ANALYZE_CROP_RESPONSE = OpenApiExample(
    "face crop",
    response_only=True,
    description="detect=false, features=emotion on obama-480p.jpg cut to its face box",
    value={
        "faces": [
            {
                "box": {"x": 0, "y": 0, "width": 103, "height": 148},
                "confidence": 1.0,
                "landmarks": None,
                "emotion": {
                    "dominant": "happy",
                    "scores": {
                        "angry": 0.018,
                        "disgust": 0.0,
                        "fear": 0.0093,
                        "happy": 0.9674,
                        "sad": 0.0014,
                        "surprise": 0.0009,
                        "neutral": 0.003,
                    },
                },
            }
        ],
        "image": {"width": 103, "height": 148},
        "models": MODELS,
        "timings_ms": {"heads": 6},
    },
)

EMBED_RESPONSE = OpenApiExample(
    "one face",
    response_only=True,
    description="obama.jpg; the embedding is cut to its first 4 of 512 values.",
    value={
        "faces": [
            {
                **OBAMA_FACE,
                "quality": {"size_px": 244, "sharpness": 767.6, "yaw": 0.015, "roll_deg": -1.1, "confidence": 1.0},
                "embedding": [0.003823, -0.04095, -0.042429, 0.008794],
            }
        ],
        "image": {"width": 910, "height": 1137},
        "models": MODELS,
        "timings_ms": {"detect": 545, "embed": 49},
    },
)

VERIFY_RESPONSE = OpenApiExample(
    "different people",
    response_only=True,
    description="obama.jpg and biden.jpg",
    value={
        "verified": False,
        "similarity": 0.0773,
        "threshold": 0.414,
        "face1": OBAMA_FACE,
        "face2": {
            "box": {"x": 252, "y": 99, "width": 160, "height": 226},
            "confidence": 0.9996,
            "landmarks": {
                "left_eye": [310.0, 187.0],
                "right_eye": [379.0, 201.0],
                "nose": [345.0, 234.0],
                "mouth_left": [301.0, 266.0],
                "mouth_right": [362.0, 277.0],
            },
        },
        "models": MODELS,
        "timings_ms": {"detect": 812, "embed": 99},
    },
)

NO_FACE_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="`no_face`: an image has no face (`details.image` names which).",
    examples=[
        OpenApiExample(
            "no face",
            value={
                "error": {"code": "no_face", "message": "No face was found in image2.", "details": {"image": "image2"}}
            },
        )
    ],
)

MODELS_RESPONSE = OpenApiExample(
    "models",
    response_only=True,
    value={
        "models": {
            "detector": {
                "name": "mtcnn",
                "version": "1.0.0",
                "sha256": "5b83c4443d63603b0b1524bbb1bc6425b4e3112a2924b97a13ae3f041de7c63e",
                "input_size": [-1, -1, 3],
            },
            "embedder": {
                "name": "facenet",
                "version": "20180408-102900",
                "sha256": "8e123e75c047f4719c2cdb5fd29b2ef209b1d34679006a4655343c9be4218aec",
                "input_size": [160, 160, 3],
            },
            "emotion": {
                "name": "faceapi-emotion-cnn+fer",
                "version": "3-20261127",
                "sha256": "a4d8e210c78d54dccf47a6b1dd6b54e533ce1968a1c6af8f5215606eeb4def0c",
                "input_size": [48, 48, 1],
            },
            "attributes": {
                "name": "faceapi-attributes-mlp",
                "version": "20261127",
                "sha256": "3f5b12c2887fd233f36da51a0c316a482f47d407d92f0e599b7f156ec3bd7679",
                "input_size": [1792],
            },
            "mask": {
                "name": "faceapi-mask-mlp",
                "version": "20261127",
                "sha256": "cc850f9e93d087cc827df22bebc2e39b336f38015c17f5d64e321c0289e8fb6d",
                "input_size": [1792],
            },
            "age_gender": {
                "name": "faceapi-age-gender-mlp",
                "version": "20261127",
                "sha256": "09c948815d57b34106e8fbe3f7533d94fa19275e76be6f36f653a738c32f421b",
                "input_size": [1792],
            },
            "liveness": {
                "name": "minifasnet-v2-v1se",
                "version": "b6d5f04",
                "sha256": "11b4f381c2e6af1132766a601f62a7a332193c85d4eab40ac54e753002571ba4",
                "input_size": [80, 80, 3],
            },
        },
        "features": ["emotion", "attributes", "mask", "age_gender", "liveness"],
    },
)

JOB_QUEUED = {
    "id": JOB_ID,
    "kind": "analysis",
    "status": "queued",
    "progress": 0,
    "created_at": "2026-11-26T17:44:20.303788+00:00",
    "started_at": None,
    "finished_at": None,
    "expires_at": "2026-11-29T17:44:20.303491+00:00",
    "result": None,
    "error": None,
    "callback": None,
    "url": JOB_URL,
}

JOB_ACCEPTED_RESPONSE = OpenApiExample("queued", response_only=True, status_codes=["202"], value=JOB_QUEUED)

JOB_FINISHED_RESPONSE = OpenApiExample(
    "succeeded",
    response_only=True,
    description="obama-480p.jpg and noface_rocket.jpg, features=emotion",
    value={
        **JOB_QUEUED,
        "status": "succeeded",
        "progress": 100,
        "started_at": "2026-11-26T17:44:20.713008+00:00",
        "finished_at": "2026-11-26T17:44:21.573884+00:00",
        "result": {
            "images": [
                {
                    "name": "obama-480p.jpg",
                    "status": "ok",
                    "faces": [{**OBAMA_480P_FACE, "emotion": HAPPY}],
                    "image": {"width": 853, "height": 480},
                    "models": MODELS,
                    "timings_ms": {"detect": 562, "heads": 19},
                },
                {
                    "name": "noface_rocket.jpg",
                    "status": "ok",
                    "faces": [],
                    "image": {"width": 640, "height": 427},
                    "models": MODELS,
                    "timings_ms": {"detect": 200, "heads": 0},
                },
            ],
            "succeeded": 2,
            "failed": 0,
        },
    },
)
