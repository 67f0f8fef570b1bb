"""What the head trainers share: seeded splits, a small MLP trained in numpy, and the model card's sections.

The MLP is trained with plain numpy (mini-batch AdamW, dropout on the hidden layer): bit-reproducible for a seed on
one machine and BLAS thread count (OpenBLAS splits its sums by thread, so 1 and 2 threads end a few rounding errors
apart, which training then grows), and what it saves is exactly what ``ml_models.heads.mlp.DenseNet`` runs at
inference.
"""

import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from ml_models.heads.mlp import Array, DenseNet, sigmoid
from ml_models.paths import WEIGHTS_DIR

CARD = WEIGHTS_DIR / "MODEL_CARD.md"

# outputs, targets → (mean loss, d loss / d outputs)
Loss = Callable[[Array, Array], tuple[float, Array]]


def binary_cross_entropy(logits: Array, targets: Array) -> tuple[float, Array]:
    """Mean over samples of the summed per-column BCE with logits (multi-label, or one column)."""
    loss = np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))
    return float(loss.sum(axis=1).mean()), (sigmoid(logits) - targets) / len(logits)


def soft_cross_entropy(logits: Array, targets: Array) -> tuple[float, Array]:
    """Softmax cross-entropy against target distributions (rows of ``targets`` sum to 1)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-(targets * log_p).sum(axis=1).mean()), (np.exp(log_p) - targets) / len(logits)


def huber(predictions: Array, targets: Array, delta: float) -> tuple[float, Array]:
    error = predictions - targets
    small = np.abs(error) <= delta
    loss = np.where(small, 0.5 * error**2, delta * (np.abs(error) - 0.5 * delta))
    return float(loss.sum(axis=1).mean()), np.where(small, error, delta * np.sign(error)) / len(predictions)


@dataclass(frozen=True)
class MlpConfig:
    hidden: int = 256
    epochs: int = 40
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4  # decoupled (AdamW), kernels only
    dropout: float = 0.3  # on the hidden layer
    seed: int = 0


class _Adam:
    def __init__(self, params: list[Array], config: MlpConfig, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self.params, self.config, self.beta1, self.beta2 = params, config, beta1, beta2
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.step = 0

    def update(self, grads: list[Array]) -> None:
        self.step += 1
        rate = self.config.learning_rate
        correction1, correction2 = 1 - self.beta1**self.step, 1 - self.beta2**self.step
        for param, grad, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= self.beta1
            m += (1 - self.beta1) * grad
            v *= self.beta2
            v += (1 - self.beta2) * grad**2
            if param.ndim == 2:
                param -= rate * self.config.weight_decay * param
            param -= rate * (m / correction1) / (np.sqrt(v / correction2) + 1e-8)


def _initial_layers(sizes: list[int], rng: np.random.Generator) -> list[tuple[Array, Array]]:
    """He-uniform kernels, zero biases."""
    layers = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        limit = np.sqrt(6.0 / fan_in)
        layers.append((rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32), np.zeros(fan_out, np.float32)))
    return layers


def _batch_step(
    layers: list[tuple[Array, Array]], x: Array, y: Array, loss: Loss, keep: Array | None
) -> tuple[float, list[Array]]:
    """Forward and backward: an optional hidden ReLU layer (dropout mask ``keep``, already scaled), then linear."""
    activations, inputs = x, [x]
    for kernel, bias in layers[:-1]:
        activations = np.maximum(activations @ kernel + bias, 0.0)
        if keep is not None:
            activations = activations * keep
        inputs.append(activations)
    value, grad = loss(activations @ layers[-1][0] + layers[-1][1], y)
    grads: list[Array] = []
    for index in range(len(layers) - 1, -1, -1):
        kernel = layers[index][0]
        grads[:0] = [inputs[index].T @ grad, grad.sum(axis=0)]
        if index:
            grad = (grad @ kernel.T) * (inputs[index] > 0)
            if keep is not None:
                grad *= keep
    return value, grads


def train_mlp(
    x: Array, y: Array, loss: Loss, config: MlpConfig, *, outputs: tuple[str, ...], output_bias: Array | None = None
) -> DenseNet:
    """An MLP (one hidden ReLU layer, or linear when ``config.hidden`` is 0) fitted to ``x`` → ``y``."""
    rng = np.random.default_rng(config.seed)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    x = ((x - mean) / scale).astype(np.float32)
    sizes = [x.shape[1], *([config.hidden] if config.hidden else []), y.shape[1]]
    layers = _initial_layers(sizes, rng)
    if output_bias is not None:
        layers[-1][1][:] = output_bias
    optimizer = _Adam([p for layer in layers for p in layer], config)
    started = time.perf_counter()
    for epoch in range(config.epochs):
        order = rng.permutation(len(x))
        total = 0.0
        for start in range(0, len(x), config.batch_size):
            batch = order[start : start + config.batch_size]
            keep = None
            if config.hidden and config.dropout:
                keep = ((rng.random((len(batch), config.hidden)) >= config.dropout) / (1 - config.dropout)).astype(
                    np.float32
                )
            value, grads = _batch_step(layers, x[batch], y[batch], loss, keep)
            optimizer.update(grads)
            total += value * len(batch)
        _report_epoch(epoch, config.epochs, total / len(x), started)
    return DenseNet(
        mean.astype(np.float32), scale.astype(np.float32), layers, outputs, datetime.now(UTC).strftime("%Y%m%d")
    )


def _check_same_standardisation(nets: list[DenseNet]) -> None:
    """Merged nets share one input standardisation: they must have been fitted to the same inputs."""
    first = nets[0]
    if any(not (np.array_equal(first.mean, n.mean) and np.array_equal(first.scale, n.scale)) for n in nets[1:]):
        raise ValueError("the nets were standardised differently")


def stack(first: DenseNet, second: DenseNet) -> DenseNet:
    """Two one-hidden-layer nets trained on the same inputs as one: hidden units side by side, outputs concatenated.

    The result computes exactly both nets in one pass (block-diagonal output layer).
    """
    _check_same_standardisation([first, second])
    (k1, b1), (out1, c1) = first.layers
    (k2, b2), (out2, c2) = second.layers
    output = np.zeros((len(b1) + len(b2), len(c1) + len(c2)), dtype=np.float32)
    output[: len(b1), : len(c1)], output[len(b1) :, len(c1) :] = out1, out2
    hidden = (np.concatenate([k1, k2], axis=1), np.concatenate([b1, b2]))
    layers = [hidden, (output, np.concatenate([c1, c2]))]
    return DenseNet(first.mean, first.scale, layers, first.outputs + second.outputs, first.version)


def averaged(nets: list[DenseNet]) -> DenseNet:
    """One-hidden-layer nets trained on the same inputs (different seeds) as one net whose outputs are the mean of
    theirs: hidden units side by side, each output kernel scaled by 1/len(nets). Exactly the averaged ensemble."""
    first = nets[0]
    _check_same_standardisation(nets)
    hidden = (np.concatenate([n.layers[0][0] for n in nets], axis=1), np.concatenate([n.layers[0][1] for n in nets]))
    output = np.concatenate([n.layers[1][0] for n in nets]) / len(nets)
    bias = np.mean([n.layers[1][1] for n in nets], axis=0)
    return DenseNet(first.mean, first.scale, [hidden, (output.astype(np.float32), bias.astype(np.float32))],
                    first.outputs, first.version)  # fmt: skip


def _report_epoch(epoch: int, epochs: int, loss: float, started: float) -> None:
    done = epoch + 1
    if done % 10 and done != epochs:
        return
    elapsed = time.perf_counter() - started
    print(
        f"  epoch {done}/{epochs}: loss {loss:.4f}, {elapsed:.0f} s, ETA {elapsed / done * (epochs - done):.0f} s",
        flush=True,
    )


def holdout_split(
    val_fraction: float, seed: int, *, groups: NDArray[np.int64], strata: NDArray[np.int64] | None = None
) -> NDArray[np.bool_]:
    """A validation mask: in each stratum, whole groups in a seeded order until ``val_fraction`` of its samples."""
    strata = np.zeros(len(groups), dtype=np.int64) if strata is None else strata
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(groups), dtype=bool)
    for stratum in np.unique(strata):
        members = strata == stratum
        target, size = val_fraction * members.sum(), 0
        for group in rng.permutation(np.unique(groups[members])):
            if size >= target:
                break
            chosen = members & (groups == group)
            mask |= chosen
            size += int(chosen.sum())
    return mask


def group_folds(groups: NDArray[np.int64], n_folds: int, seed: int) -> NDArray[np.int64]:
    """Fold of each sample for cross-validation inside a training part: whole groups dealt out in a seeded order."""
    order = np.random.default_rng(seed).permutation(np.unique(groups))
    fold_of_group = dict(zip(order.tolist(), np.arange(len(order)) % n_folds, strict=True))
    return np.array([fold_of_group[group] for group in groups.tolist()], dtype=np.int64)


def duplicate_groups(embeddings: NDArray[np.float32], similarity: float) -> NDArray[np.int64]:
    """Group ids joining every pair of images whose embeddings' cosine is ≥ ``similarity`` (copies of one photo)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    _, labels = connected_components(csr_matrix(embeddings @ embeddings.T >= similarity), directed=False)
    return labels.astype(np.int64)


# What the cards say of these heads' training (see the module's docstring).
REPRODUCIBLE = "plain numpy, bit-reproducible for a seed on one machine and BLAS thread count"


def write_card_section(title: str, section: str) -> None:
    """Replace (or append) the section of ``ml_models/weights/MODEL_CARD.md`` that starts with ``title``."""
    text = CARD.read_text()
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.strip() + "\n\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section.strip() + "\n"
    CARD.write_text(text)


def head_ms_per_face(net: DenseNet, features: Array, batch: int = 32, repeats: int = 200) -> float:
    """The head alone (numpy) per face, in batches of ``batch``; the shared backbone pass is not included."""
    chunk = features[:batch]
    started = time.perf_counter()
    for _ in range(repeats):
        net(chunk)
    return (time.perf_counter() - started) * 1000 / (repeats * len(chunk))


def percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"
