"""The heads on FaceNet's pooled features (attributes, mask, age & gender) on real photos, and the masked-face retry."""

import numpy as np
import pytest
from PIL import Image

from ml_models import registry
from ml_models.detection import DetectorSettings, MtcnnDetector, RetrySettings
from ml_models.heads import FaceBatch, age_gender, attributes, mask
from ml_models.model_info import sha256_file
from tests.conftest import SHARED_DATA

MASKED = "with_mask/with_mask020.jpg"  # a validation photo whose masked face MTCNN finds at default settings
MASKED_CLOSE_UP = "with_mask/170.jpg"  # the face fills the frame: only the retry (FACEAPI_DETECT_RETRY) finds it
MASKED_TILTED = "with_mask/0_0_12.jpg"  # a tilted, masked face: only the retry's rotated passes find it
HEADS = (attributes, mask, age_gender)


def mask_photo(name: str) -> np.ndarray:
    return np.asarray(Image.open(SHARED_DATA / "mask" / name).convert("RGB"))


def analyse(image: np.ndarray, feature: str) -> dict:
    faces = registry.detector().detect(image)
    assert faces, "no face found"
    return registry.head(feature).predict(FaceBatch(image, faces[:1]))[0]


@pytest.fixture(scope="module")
def obama(photo) -> np.ndarray:
    return photo("obama.jpg")


@pytest.mark.parametrize("module", HEADS, ids=lambda m: m.FEATURE)
def test_each_head_is_served_from_its_small_committed_weights(module):
    assert module.available()
    assert module.WEIGHTS.stat().st_size <= 5_000_000
    head = registry.head(module.FEATURE)
    assert head.uses_embeddings is True
    _, info = module.load()
    assert info.sha256 == sha256_file(module.WEIGHTS)
    assert info.input_size == [1792]


def test_obama_is_male_in_the_attributes(obama):
    result = analyse(obama, "attributes")
    assert len(result) == 40
    assert all(name == name.lower() and 0.0 <= p <= 1.0 for name, p in result.items())
    assert {"male", "smiling", "eyeglasses", "wearing_hat", "5_o_clock_shadow"} <= set(result)
    assert result["male"] > 0.9
    assert result["wearing_hat"] < 0.5


def test_obama_wears_no_mask(obama):
    result = analyse(obama, "mask")
    assert result["wearing_mask"] is False
    assert result["score"] < 0.1


def test_a_masked_photo_is_detected_and_masked():
    result = analyse(mask_photo(MASKED), "mask")
    assert result == {"wearing_mask": True, "score": result["score"]}
    assert result["score"] > 0.9


def test_obama_age_and_gender(obama):
    result = analyse(obama, "age_gender")
    assert result["gender"]["value"] == "male"
    assert result["gender"]["score"] > 0.9
    assert 35 <= result["age"] <= 70  # he was 47 in this 2008 portrait
    assert result["age"] == round(result["age"], 1)


def test_heads_read_the_one_backbone_pass(obama):
    faces = registry.detector().detect(obama)
    batch = FaceBatch(obama, faces)
    assert batch.pooled.shape == (1, 1792)
    np.testing.assert_array_equal(batch.embeddings, registry.embedder().embed(batch.crops))
    assert all(registry.head(m.FEATURE).predict(FaceBatch(obama, [])) == [] for m in HEADS)


def test_the_retry_is_on_by_default_and_finds_a_masked_close_up_that_plain_mtcnn_misses(photo):
    close_up = mask_photo(MASKED_CLOSE_UP)
    assert MtcnnDetector(DetectorSettings()).detect(close_up) == []
    served = registry.detector()
    assert served.settings.retry == RetrySettings()
    [face] = served.detect(close_up)
    height, width = close_up.shape[:2]
    assert min(face.box.x, face.box.y) >= 0
    assert face.box.x2 <= width
    assert face.box.y2 <= height
    assert face.box.width > width / 2  # the face fills the frame
    assert served.detect(photo("noface_rocket.jpg")) == []
    assert len(served.detect(photo("two_people.jpg"))) == 2  # the first pass found faces: no retry


@pytest.mark.parametrize(("value", "retry"), [("0", False), ("off", False), ("1", True), ("on", True), ("", True)])
def test_faceapi_detect_retry_turns_the_retry_on_and_off(monkeypatch, value, retry):
    monkeypatch.setenv("FACEAPI_DETECT_RETRY", value)
    assert registry.detector_settings().retry == (RetrySettings() if retry else None)


def test_the_retry_turns_the_image_to_find_a_tilted_masked_face():
    tilted = mask_photo(MASKED_TILTED)
    assert MtcnnDetector(DetectorSettings(retry=RetrySettings(angles=()))).detect(tilted) == []
    [face] = registry.detector().detect(tilted)  # found in both turned views: one face
    assert face.confidence >= RetrySettings().rotated_min_confidence
    box = face.box
    assert 0 <= box.x < box.x2 <= tilted.shape[1]
    assert 0 <= box.y < box.y2 <= tilted.shape[0]
    assert all(box.x <= x <= box.x2 and box.y <= y <= box.y2 for x, y in face.landmarks.values())
    marks = face.landmarks
    assert marks["left_eye"][0] < marks["right_eye"][0]
    assert max(marks["left_eye"][1], marks["right_eye"][1]) < min(marks["mouth_left"][1], marks["mouth_right"][1])
