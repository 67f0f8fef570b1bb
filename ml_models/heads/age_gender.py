"""Age (the mean of a distribution over 0–100 years) and gender (two classes, as UTKFace labels it), from the
backbone's pooled features."""

from typing import Any

import numpy as np

from ml_models.heads.mlp import Array, PooledFeaturesHead, load_net, sigmoid
from ml_models.model_info import ModelInfo
from ml_models.paths import WEIGHTS_DIR

FEATURE = "age_gender"
WEIGHTS = WEIGHTS_DIR / "age-gender-mlp.npz"  # written by ml_models.training.age_gender
AGES = np.arange(101, dtype=np.float32)  # the network's first 101 outputs are logits over these ages; then female


def predictions(outputs: Array) -> tuple[Array, Array]:
    """N×102 network outputs → (expected age in years, probability of female)."""
    logits = outputs[:, : len(AGES)]
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (weights @ AGES) / weights.sum(axis=1), sigmoid(outputs[:, len(AGES)])


class AgeGenderHead(PooledFeaturesHead):
    feature = FEATURE
    name = "faceapi-age-gender-mlp"

    def result(self, outputs: Array) -> dict[str, Any]:
        age, female = (float(v[0]) for v in predictions(outputs[None]))
        gender = {"value": "female", "score": female} if female >= 0.5 else {"value": "male", "score": 1 - female}
        return {"age": round(age, 1), "gender": {**gender, "score": round(gender["score"], 4)}}


def available() -> bool:
    return WEIGHTS.is_file()


def load() -> tuple[AgeGenderHead, ModelInfo]:
    net, info = load_net(WEIGHTS, AgeGenderHead.name)
    return AgeGenderHead(net), info
