"""Wearing a face mask or not, from the backbone's pooled features (a small MLP chosen by cross-validation)."""

from typing import Any

from ml_models.heads.mlp import Array, PooledFeaturesHead, load_net, sigmoid
from ml_models.model_info import ModelInfo
from ml_models.paths import WEIGHTS_DIR

FEATURE = "mask"
WEIGHTS = WEIGHTS_DIR / "mask-mlp.npz"  # written by ml_models.training.mask
THRESHOLD = 0.5


class MaskHead(PooledFeaturesHead):
    feature = FEATURE
    name = "faceapi-mask-mlp"

    def result(self, outputs: Array) -> dict[str, Any]:
        score = float(sigmoid(outputs)[0])
        return {"wearing_mask": score >= THRESHOLD, "score": round(score, 4)}


def available() -> bool:
    return WEIGHTS.is_file()


def load() -> tuple[MaskHead, ModelInfo]:
    net, info = load_net(WEIGHTS, MaskHead.name)
    return MaskHead(net), info
