"""The synchronous analysis endpoints over HTTP, with real photos and real models."""

import base64

import numpy as np
import pytest
from PIL import Image

from tests import images
from tests.analysis.conftest import reencode, upload
from tests.conftest import PHOTOS

pytestmark = pytest.mark.django_db


def post(api, path: str, data: dict, **query: object):
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return api.post(f"/api/v1/{path}{suffix}", data, format="multipart")


def test_detect_one_face_in_the_design_shape(api):
    body = post(api, "detect", upload("obama-480p.jpg")).json()
    assert body["image"] == {"width": 853, "height": 480}
    assert len(body["faces"]) == 1
    face = body["faces"][0]
    assert set(face) == {"box", "confidence", "landmarks"}
    assert set(face["box"]) == {"x", "y", "width", "height"}
    assert list(face["landmarks"]) == ["left_eye", "right_eye", "nose", "mouth_left", "mouth_right"]
    assert body["models"]["detector"] == "mtcnn-1.0.0"
    assert "detect" in body["timings_ms"]


def test_detect_many_faces_and_none(api):
    assert len(post(api, "detect", upload("two_people.jpg")).json()["faces"]) == 2
    assert len(post(api, "detect", upload("group_retinaface_img3.jpg")).json()["faces"]) >= 30
    response = post(api, "detect", upload("noface_rocket.jpg"))
    assert response.status_code == 200
    assert response.json()["faces"] == []


def test_detect_min_face_size(api):
    small = len(post(api, "detect", upload("group_retinaface_img3.jpg")).json()["faces"])
    big = len(post(api, "detect", upload("group_retinaface_img3.jpg"), min_face_size=60).json()["faces"])
    assert big < small
    response = post(api, "detect", upload("obama-480p.jpg"), min_face_size=3)
    assert response.status_code == 400
    assert "min_face_size" in response.json()["error"]["details"]["fields"]


def test_analyze_runs_every_served_head(api):
    body = post(api, "analyze", upload("two_people.jpg")).json()
    assert len(body["faces"]) == 2
    for face in body["faces"]:
        emotion = face["emotion"]
        assert emotion["dominant"] in emotion["scores"]
        assert set(emotion["scores"]) == {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"}
        assert sum(emotion["scores"].values()) == pytest.approx(1.0, abs=0.01)
    assert "emotion" in body["models"]
    assert "heads" in body["timings_ms"]


def test_analyze_features_narrow_and_unknown_is_400(api):
    narrowed = post(api, "analyze", upload("obama-480p.jpg"), features="emotion").json()
    assert "emotion" in narrowed["faces"][0]
    error = post(api, "analyze", upload("obama-480p.jpg"), features="emotion,telepathy").json()["error"]
    assert error["code"] == "invalid_feature"
    assert error["details"]["unknown"] == ["telepathy"]


def test_analyze_a_cropped_fer_face_without_detection(api, fer_face_png):
    body = post(api, "analyze", upload("face.png", fer_face_png), detect="false").json()
    assert len(body["faces"]) == 1
    assert body["faces"][0]["box"] == {"x": 0, "y": 0, "width": 48, "height": 48}
    assert body["faces"][0]["landmarks"] is None
    assert body["faces"][0]["emotion"]["dominant"] == "happy"


def test_analyze_without_faces_is_200_empty(api):
    body = post(api, "analyze", upload("noface_coffee.png")).json()
    assert body["faces"] == []


def test_embed_gives_unit_512_vectors(api):
    body = post(api, "embed", upload("two_people.jpg")).json()
    assert len(body["faces"]) == 2
    for face in body["faces"]:
        vector = np.array(face["embedding"])
        assert vector.shape == (512,)
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-4)
        assert face["quality"]["size_px"] > 100
    assert body["models"]["embedder"] == "facenet-20180408-102900"


def test_embed_needs_a_face(api):
    error = post(api, "embed", upload("noface_rocket.jpg")).json()["error"]
    assert error["code"] == "no_face"


def test_verify_same_and_different_people(api):
    same = post(api, "verify", {**upload("obama.jpg", field="image1"), **upload("obama2.jpg", field="image2")})
    assert same.status_code == 200
    body = same.json()
    assert body["verified"] is True
    assert body["similarity"] >= body["threshold"]
    assert set(body) >= {"verified", "similarity", "threshold", "face1", "face2"}
    different = post(api, "verify", {**upload("obama.jpg", field="image1"), **upload("biden.jpg", field="image2")})
    assert different.json()["verified"] is False


def test_verify_names_the_image_without_a_face(api):
    response = post(
        api, "verify", {**upload("obama.jpg", field="image1"), **upload("noface_rocket.jpg", field="image2")}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_face"
    assert response.json()["error"]["details"] == {"image": "image2"}


def test_verify_threshold_override_and_json_base64(api):
    def encoded(name: str) -> str:
        return base64.b64encode((PHOTOS / name).read_bytes()).decode()

    body = {"image1_base64": encoded("obama.jpg"), "image2_base64": encoded("obama2.jpg"), "threshold": 0.99}
    response = api.post("/api/v1/verify", body, format="json")
    assert response.json()["threshold"] == 0.99
    assert response.json()["verified"] is False
    body["threshold"] = 1.5
    assert api.post("/api/v1/verify", body, format="json").status_code == 400


def test_models_lists_each_model_with_its_checksum(api):
    body = api.get("/api/v1/models").json()
    assert {"detector", "embedder", "emotion"} <= set(body["models"])
    assert "emotion" in body["features"]
    for model in body["models"].values():
        assert len(model["sha256"]) == 64
        assert model["version"]


@pytest.mark.parametrize(("mode", "fmt"), [("L", "JPEG"), ("CMYK", "JPEG"), ("RGBA", "PNG")])
def test_grey_cmyk_and_alpha_photos_work(api, mode, fmt):
    body = post(api, "detect", upload(f"two_people.{fmt.lower()}", reencode("two_people.jpg", mode, fmt))).json()
    assert len(body["faces"]) == 2


def test_exif_rotated_photo_gives_boxes_in_the_upright_frame(api):
    upright = Image.open(PHOTOS / "obama-480p.jpg")
    sideways = upright.rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    body = post(api, "detect", upload("rotated.jpg", images.encode(sideways, "JPEG", exif=exif.tobytes()))).json()
    assert body["image"] == {"width": 853, "height": 480}
    box = body["faces"][0]["box"]
    expected = post(api, "detect", upload("obama-480p.jpg")).json()["faces"][0]["box"]
    assert abs(box["x"] - expected["x"]) < 10
    assert abs(box["y"] - expected["y"]) < 10


def test_tiny_faces_are_found(api):
    small = Image.open(PHOTOS / "two_people.jpg").resize((282, 165))  # faces of ~37 px
    body = post(api, "detect", upload("small.png", images.encode(small, "PNG"))).json()
    assert len(body["faces"]) == 2


def test_huge_images_are_refused_before_decoding(api):
    response = post(api, "detect", upload("bomb.png", images.decompression_bomb_png()))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "image_too_large"


def test_every_endpoint_needs_a_key(client):
    for path in ("detect", "analyze", "embed", "verify", "analysis-jobs"):
        assert client.post(f"/api/v1/{path}").status_code == 401
    assert client.get("/api/v1/models").status_code == 401
