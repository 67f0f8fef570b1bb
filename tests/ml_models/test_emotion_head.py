"""The served emotion head (the project's CNN averaged with the fer baseline) on real FER2013 validation faces."""

import numpy as np
import pytest

from ml_models import registry
from ml_models.faces import Box, DetectedFace, whole_image_face
from ml_models.heads import FaceBatch
from ml_models.heads import emotion as emotion_head
from ml_models.model_info import sha256_files
from ml_models.prepare import prepared_file
from tests.conftest import SHARED_DATA

# Indices into val.npz (sorted by class, then file name) of faces whose expression is plain to a person looking at
# them, chosen by eye among the first 16 of each class before checking the model: broad smiles, open mouths with
# raised brows, relaxed faces.
CLEAR_FACES = {
    1022: "happy",
    1025: "happy",
    1030: "happy",
    2567: "surprise",
    2573: "surprise",
    2576: "surprise",
    2983: "neutral",
    2994: "neutral",
    2997: "neutral",
}


@pytest.fixture(scope="module")
def val_faces() -> np.ndarray:
    return np.load(SHARED_DATA / "fer2013" / "val.npz")["x"]


@pytest.fixture(scope="module")
def head() -> emotion_head.EmotionHead:
    return registry.head("emotion")


def rgb(grey: np.ndarray) -> np.ndarray:
    return np.repeat(grey[..., None], 3, axis=2)


def predict_whole(head: emotion_head.EmotionHead, image: np.ndarray) -> dict:
    [result] = head.predict(FaceBatch(image, [whole_image_face(image)]))
    return result


def test_the_served_head_is_the_project_cnn_with_the_baseline(head):
    assert emotion_head.available()
    assert isinstance(head, emotion_head.EmotionHead)
    assert head.uses_embeddings is False
    _, info = emotion_head.load()
    baseline_path, _ = prepared_file(emotion_head.BASELINE)
    assert info.name == "faceapi-emotion-cnn+fer"
    assert info.sha256 == sha256_files([*emotion_head.CNN_WEIGHTS, baseline_path])
    assert len(head.cnns) == len(emotion_head.CNN_WEIGHTS) == 2
    assert all(weights.stat().st_size <= 5_000_000 for weights in emotion_head.CNN_WEIGHTS)


@pytest.mark.parametrize(("index", "label"), CLEAR_FACES.items())
def test_clear_fer_faces_get_their_label(head, val_faces, index, label):
    assert predict_whole(head, rgb(val_faces[index]))["dominant"] == label


def test_the_json_shape(head, val_faces):
    result = predict_whole(head, rgb(val_faces[1022]))
    assert set(result) == {"dominant", "scores"}
    assert list(result["scores"]) == list(emotion_head.EMOTIONS)
    assert sum(result["scores"].values()) == pytest.approx(1.0, abs=0.01)
    assert result["dominant"] == max(result["scores"], key=result["scores"].get)
    assert head.predict(FaceBatch(rgb(val_faces[1022]), [])) == []


def test_faces_of_one_image_are_cropped_and_batched(head, val_faces):
    """Three FER faces side by side, each given by its box: the same scores as each face alone."""
    indices = [1022, 2567, 2983]
    image = rgb(np.hstack([val_faces[i] for i in indices]))
    faces = [DetectedFace(Box(48 * k, 0, 48, 48), 1.0, {}) for k in range(len(indices))]
    together = head.predict(FaceBatch(image, faces))
    alone = [predict_whole(head, rgb(val_faces[i])) for i in indices]
    for joint, single in zip(together, alone, strict=True):
        assert joint["dominant"] == single["dominant"]
        assert joint["scores"] == pytest.approx(single["scores"], abs=2e-3)


def test_a_detected_smiling_face_is_happy(head, photo):
    image = photo("obama.jpg")
    faces = registry.detector().detect(image)
    assert head.predict(FaceBatch(image, faces[:1]))[0]["dominant"] == "happy"
