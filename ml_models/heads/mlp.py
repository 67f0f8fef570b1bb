"""Small dense networks on FaceNet features, stored as ``.npz`` and run in numpy (no TensorFlow for the heads).

The file holds the input standardisation (``mean``, ``scale``), ``kernel_<i>``/``bias_<i>`` per layer (ReLU
between layers, none after the last), the names of the outputs and the version (the training date).
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ml_models.heads import FaceBatch
from ml_models.model_info import ModelInfo, sha256_file

Array = NDArray[np.float32]


def sigmoid(logits: Array) -> Array:
    return (0.5 * (1.0 + np.tanh(0.5 * logits))).astype(np.float32)  # tanh form: no overflow warnings


@dataclass(frozen=True)
class DenseNet:
    mean: Array
    scale: Array
    layers: list[tuple[Array, Array]]
    outputs: tuple[str, ...]
    version: str

    @property
    def input_dim(self) -> int:
        return int(self.mean.shape[0])

    def __call__(self, features: Array) -> Array:
        """N×input_dim features → N×len(outputs) raw outputs (logits or values)."""
        x = (np.asarray(features, dtype=np.float32) - self.mean) / self.scale
        for index, (kernel, bias) in enumerate(self.layers):
            x = x @ kernel + bias
            if index < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        return x

    def save(self, path: Path) -> None:
        arrays = {
            f"{kind}_{i}": value
            for i, layer in enumerate(self.layers)
            for kind, value in zip(("kernel", "bias"), layer, strict=True)
        }
        np.savez_compressed(
            path,
            mean=self.mean,
            scale=self.scale,
            outputs=np.array(self.outputs),
            version=np.array(self.version),
            **arrays,
        )

    @classmethod
    def load(cls, path: Path) -> "DenseNet":
        with np.load(path, allow_pickle=False) as data:
            depth = sum(1 for key in data.files if key.startswith("kernel_"))
            layers = [(data[f"kernel_{i}"], data[f"bias_{i}"]) for i in range(depth)]
            return cls(
                data["mean"], data["scale"], layers, tuple(str(n) for n in data["outputs"]), str(data["version"])
            )


def load_net(path: Path, name: str) -> tuple[DenseNet, ModelInfo]:
    """The network in ``path`` and what ``GET /models`` says of it."""
    net = DenseNet.load(path)
    return net, ModelInfo(name, net.version, sha256_file(path), [net.input_dim])


class PooledFeaturesHead(ABC):
    """A head on the backbone's pooled features: it shares the one FaceNet pass with every other such head."""

    feature: str
    name: str
    uses_embeddings = True

    def __init__(self, net: DenseNet) -> None:
        self._net = net
        self.version = net.version

    def predict(self, batch: FaceBatch) -> list[dict[str, Any]]:
        if not len(batch):
            return []
        return [self.result(row) for row in self._net(batch.pooled)]

    @abstractmethod
    def result(self, outputs: Array) -> dict[str, Any]:
        """One face's JSON from its row of network outputs."""
