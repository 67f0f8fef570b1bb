"""The 40 CelebA attributes (multi-label, a score each: ≥ 0.5 means present, at thresholds chosen in training)."""

from typing import Any

from ml_models.heads.mlp import Array, PooledFeaturesHead, load_net, sigmoid
from ml_models.model_info import ModelInfo
from ml_models.paths import WEIGHTS_DIR

FEATURE = "attributes"
WEIGHTS = WEIGHTS_DIR / "attributes-mlp.npz"  # written by ml_models.training.attributes


class AttributesHead(PooledFeaturesHead):
    feature = FEATURE
    name = "faceapi-attributes-mlp"

    def result(self, outputs: Array) -> dict[str, Any]:
        return {name: round(float(p), 4) for name, p in zip(self._net.outputs, sigmoid(outputs), strict=True)}


def available() -> bool:
    return WEIGHTS.is_file()


def load() -> tuple[AttributesHead, ModelInfo]:
    net, info = load_net(WEIGHTS, AttributesHead.name)
    return AttributesHead(net), info
