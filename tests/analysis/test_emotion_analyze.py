"""``analyze`` serves the project's emotion head (its CNN averaged with the fer baseline) over HTTP."""

import pytest

from tests.analysis.conftest import upload
from tests.analysis.test_sync_endpoints import post

pytestmark = pytest.mark.django_db


def test_a_happy_fer_face_without_detection_is_happy(api, fer_face_png):
    body = post(api, "analyze", upload("face.png", fer_face_png), detect="false", features="emotion").json()
    [face] = body["faces"]
    assert face["emotion"]["dominant"] == "happy"
    assert face["emotion"]["scores"]["happy"] > 0.5
    assert body["models"]["emotion"].startswith("faceapi-emotion-cnn+fer-")


def test_the_models_endpoint_names_the_project_head(api):
    emotion = api.get("/api/v1/models").json()["models"]["emotion"]
    assert emotion["name"] == "faceapi-emotion-cnn+fer"
    assert emotion["input_size"] == [48, 48, 1]
