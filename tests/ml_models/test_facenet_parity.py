"""The converted Keras FaceNet reproduces the original frozen graph (run by cv2.dnn) on real faces."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ml_models.facenet_convert import (
    EMBEDDING_DIM,
    GRAPH_OUTPUT,
    IMAGE_SIZE,
    build_facenet_model,
    facenet_graph_path,
)
from ml_models.paths import models_dir
from ml_models.prepare import FACENET, prepare_model
from tests.conftest import PHOTOS

# MTCNN boxes of these photos plus a margin, as (left, top, right, bottom).
FACE_BOXES = (
    ("obama.jpg", (330, 40, 656, 466)),
    ("biden.jpg", (225, 70, 440, 355)),
    ("two_people.jpg", (210, 0, 410, 240)),
    ("two_people.jpg", (770, 15, 965, 270)),
)


def read_original_graph() -> cv2.dnn.Net:
    """The frozen graph in cv2.dnn, minus its control-dependency edges, which OpenCV 4.14's importer rejects.

    Those edges only order two constant shape nodes after the ops whose shapes they hold; values are unchanged.
    """
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(facenet_graph_path().read_bytes())
    for node in graph_def.node:
        node.input[:] = [name for name in node.input if not name.startswith("^")]
    return cv2.dnn.readNetFromTensorflow(np.frombuffer(graph_def.SerializeToString(), np.uint8))


def load_face(filename: str, box: tuple[int, int, int, int]) -> np.ndarray:
    """The face crop as 160x160 RGB float32, normalised (x - 127.5) / 128."""
    image = cv2.imread(str(PHOTOS / filename), cv2.IMREAD_COLOR)
    assert image is not None, f"cannot read {PHOTOS / filename}"
    left, top, right, bottom = box
    crop = cv2.cvtColor(image[top:bottom, left:right], cv2.COLOR_BGR2RGB)
    face = cv2.resize(crop, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_AREA)
    return (face.astype(np.float32) - 127.5) / 128.0


@pytest.fixture(scope="session")
def faces() -> np.ndarray:
    return np.stack([load_face(filename, box) for filename, box in FACE_BOXES])


@pytest.fixture(scope="session")
def keras_embeddings(faces: np.ndarray) -> np.ndarray:
    prepare_model(FACENET)
    model = build_facenet_model()
    model.load_weights(models_dir() / FACENET.filename)
    return np.asarray(model.predict_on_batch(faces))


@pytest.fixture(scope="session")
def graph_embeddings(faces: np.ndarray) -> np.ndarray:
    net = read_original_graph()
    outputs = []
    # The graph's input placeholder is fixed at batch 1, and cv2.dnn feeds the NHWC graph from an NCHW blob.
    for face in faces:
        net.setInput(face.transpose(2, 0, 1)[np.newaxis])
        outputs.append(net.forward(GRAPH_OUTPUT).reshape(EMBEDDING_DIM))
    return np.stack(outputs)


def test_keras_matches_original_graph(keras_embeddings: np.ndarray, graph_embeddings: np.ndarray) -> None:
    assert keras_embeddings.shape == (len(FACE_BOXES), EMBEDDING_DIM)
    assert np.abs(keras_embeddings - graph_embeddings).max() <= 1e-5


def test_embeddings_are_unit_length(keras_embeddings: np.ndarray, graph_embeddings: np.ndarray) -> None:
    np.testing.assert_allclose(np.linalg.norm(keras_embeddings, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(graph_embeddings, axis=1), 1.0, atol=1e-5)
