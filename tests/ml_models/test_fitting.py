"""The training helpers that merge small nets into one served net compute exactly what the nets compute."""

import dataclasses

import numpy as np
import pytest

from ml_models.training.fitting import MlpConfig, averaged, binary_cross_entropy, stack, train_mlp

CONFIG = MlpConfig(hidden=8, epochs=3, batch_size=16, learning_rate=1e-2, weight_decay=0.0, seed=0)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype(np.float32)
    return x, (x[:, :2] > 0).astype(np.float32)


def fitted(data: tuple[np.ndarray, np.ndarray], seed: int, outputs: tuple[str, ...] = ("a", "b")):
    x, y = data
    return train_mlp(x, y, binary_cross_entropy, dataclasses.replace(CONFIG, seed=seed), outputs=outputs)


def test_averaged_nets_are_one_net_giving_the_mean_of_their_outputs(data):
    nets = [fitted(data, seed) for seed in (0, 1, 2)]
    merged = averaged(nets)
    assert merged.layers[0][0].shape == (5, 24)
    assert merged.outputs == ("a", "b")
    np.testing.assert_allclose(merged(data[0]), np.mean([net(data[0]) for net in nets], axis=0), atol=1e-5)


def test_stacked_nets_are_one_net_giving_both_outputs(data):
    first, second = fitted(data, 0), fitted(data, 1, outputs=("c", "d"))
    merged = stack(first, second)
    assert merged.outputs == ("a", "b", "c", "d")
    np.testing.assert_allclose(merged(data[0]), np.hstack([first(data[0]), second(data[0])]), atol=1e-5)


def test_nets_standardised_differently_are_refused(data):
    x, y = data
    other = train_mlp(x * 2, y, binary_cross_entropy, CONFIG, outputs=("a", "b"))
    with pytest.raises(ValueError, match="standardised differently"):
        averaged([fitted(data, 0), other])
