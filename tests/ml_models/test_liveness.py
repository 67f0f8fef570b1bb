"""The liveness head (MiniFASNetV2 + V1SE run by cv2.dnn): parity with the original PyTorch model, real verdicts."""

import json
from pathlib import Path

import numpy as np
import pytest

from ml_models import registry
from ml_models.faces import Box, DetectedFace
from ml_models.heads import FaceBatch
from ml_models.heads import liveness as liveness_head
from ml_models.images import decode_image
from ml_models.model_info import sha256_file
from ml_models.paths import WEIGHTS_DIR
from tests.conftest import SHARED_DATA

MINIFASNET = SHARED_DATA / "antispoof" / "minifasnet"
NUAA = SHARED_DATA / "antispoof" / "nuaa"
# The original's softmax on its sample images, recorded with PyTorch by `python -m ml_models.training.liveness`.
PARITY = json.loads((Path(__file__).with_name("liveness_parity.json")).read_text())["samples"]
# NUAA frames of validation subjects (never used to choose the threshold) that are plain to the eye: a person at the
# webcam, or a printed photo held up with its white border in view. One face each.
CLEAR_LIVE = ("real/0005_00_00_01_17.jpg", "real/0007_00_00_01_12.jpg", "real/0009_01_00_01_0.jpg")
CLEAR_SPOOF = ("spoof/0005_00_00_01_10.jpg", "spoof/0006_00_00_01_100.jpg", "spoof/0008_00_00_01_10.jpg")


@pytest.fixture(scope="module")
def head() -> liveness_head.MiniFasNetHead:
    return registry.head("liveness")


def read(path: Path) -> np.ndarray:
    return decode_image(path.read_bytes())


def predict_largest(head: liveness_head.MiniFasNetHead, image: np.ndarray) -> dict:
    faces = registry.detector().detect(image)
    return head.predict(FaceBatch(image, faces[:1]))[0]


def test_the_served_head_is_the_converted_minifasnet(head):
    assert liveness_head.available()
    assert head.uses_embeddings is False
    card = (WEIGHTS_DIR / "MODEL_CARD.md").read_text()
    for net in liveness_head.NETWORKS:
        assert net.path.stat().st_size <= 5_000_000
        assert sha256_file(net.path) in card
    assert registry.models_info()["liveness"]["input_size"] == [80, 80, 3]


@pytest.mark.parametrize("sample", PARITY, ids=[s["file"] for s in PARITY])
def test_the_port_matches_the_original_on_its_samples(head, sample):
    image = read(MINIFASNET / "sample" / sample["file"])
    face = DetectedFace(Box(**sample["box"]), 1.0, {})
    for net, ported in zip(liveness_head.NETWORKS, head.softmaxes(image, [face]), strict=True):
        np.testing.assert_allclose(ported[0], sample["softmax"][net.stem], atol=1e-4, rtol=0)


@pytest.mark.parametrize(("name", "real"), [("image_T1.jpg", True), ("image_F1.jpg", False), ("image_F2.jpg", False)])
def test_the_originals_sample_inputs_get_its_verdicts(head, name, real):
    assert predict_largest(head, read(MINIFASNET / "sample" / name))["is_real"] is real


def test_a_real_photo_is_real(head, photo):
    result = predict_largest(head, photo("obama.jpg"))
    assert set(result) == {"is_real", "score"}
    assert result["is_real"] is True
    assert result["score"] > 0.9


@pytest.mark.parametrize("name", CLEAR_LIVE)
def test_clear_live_nuaa_frames_are_real(head, name):
    assert predict_largest(head, read(NUAA / name))["is_real"] is True


@pytest.mark.parametrize("name", CLEAR_SPOOF)
def test_clear_printed_photo_attacks_are_spoof(head, name):
    result = predict_largest(head, read(NUAA / name))
    assert result["is_real"] is False
    assert result["score"] < 0.05


def test_faces_of_one_image_go_in_one_batch(head, photo):
    image = photo("two_people.jpg")
    faces = registry.detector().detect(image)
    together = head.predict(FaceBatch(image, faces))
    alone = [head.predict(FaceBatch(image, [face]))[0] for face in faces]
    assert len(together) == len(faces) == 2
    for joint, single in zip(together, alone, strict=True):
        assert joint["is_real"] == single["is_real"]
        assert joint["score"] == pytest.approx(single["score"], abs=1e-4)
    assert head.predict(FaceBatch(image, [])) == []
