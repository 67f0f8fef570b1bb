"""``analyze`` serves the attributes, mask and age & gender heads over HTTP, in the DESIGN §4 shape."""

import pytest

from tests.analysis.conftest import upload
from tests.analysis.test_sync_endpoints import post
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.django_db

MASKED = "with_mask/with_mask020.jpg"  # a validation photo of the mask head
HEAD_KEYS = {"emotion", "attributes", "mask", "age", "gender"}


def test_analyze_returns_every_feature_head_in_the_design_shape(api):
    body = post(api, "analyze", upload("obama.jpg")).json()
    [face] = body["faces"]
    assert set(face) >= HEAD_KEYS
    assert len(face["attributes"]) == 40
    assert face["attributes"]["male"] > 0.9
    assert face["mask"] == {"wearing_mask": False, "score": face["mask"]["score"]}
    assert isinstance(face["age"], float)
    assert face["gender"] == {"value": "male", "score": face["gender"]["score"]}
    assert face["gender"]["score"] > 0.9
    models = body["models"]
    assert models["attributes"].startswith("faceapi-attributes-mlp-")
    assert models["mask"].startswith("faceapi-mask-mlp-")
    assert models["age_gender"].startswith("faceapi-age-gender-mlp-")
    assert "embed" in body["timings_ms"]


def test_features_mask_narrows_to_the_mask(api):
    photo = (SHARED_DATA / "mask" / MASKED).read_bytes()
    body = post(api, "analyze", upload("masked.jpg", photo), features="mask").json()
    [face] = body["faces"]
    assert face["mask"]["wearing_mask"] is True
    assert not HEAD_KEYS - {"mask"} & set(face)
    assert set(body["models"]) >= {"detector", "mask"}


def test_features_age_gender_adds_age_and_gender_only(api):
    [face] = post(api, "analyze", upload("obama.jpg"), features="age_gender").json()["faces"]
    assert set(face) & HEAD_KEYS == {"age", "gender"}


def test_the_models_endpoint_lists_the_three_heads(api):
    models = api.get("/api/v1/models").json()["models"]
    for feature in ("attributes", "mask", "age_gender"):
        assert models[feature]["input_size"] == [1792]
        assert len(models[feature]["sha256"]) == 64
