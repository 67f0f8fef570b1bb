"""Running a Keras model on batches of any size without retracing it for every new size.

Keras traces a model once per input shape; a web server sees every batch size from 1 to N, and each new one
cost seconds. Padding each chunk up to a few fixed sizes keeps the traces to those sizes (warmed up at start).
"""

import numpy as np

BUCKETS = (1, 2, 4, 8, 16, 32)


def bucket_for(count: int, max_batch: int) -> int:
    return next((size for size in BUCKETS if size >= count and size <= max_batch), max_batch)


def predict_in_buckets(model: object, inputs: np.ndarray, *, max_batch: int = 32) -> np.ndarray:
    """``model.predict_on_batch`` over ``inputs`` in chunks of at most ``max_batch``, each padded to a bucket."""
    outputs = []
    for start in range(0, len(inputs), max_batch):
        chunk = inputs[start : start + max_batch]
        size = bucket_for(len(chunk), max_batch)
        if size > len(chunk):
            padding = np.zeros((size - len(chunk), *chunk.shape[1:]), dtype=chunk.dtype)
            chunk = np.concatenate([chunk, padding])
        outputs.append(np.asarray(model.predict_on_batch(chunk))[: min(max_batch, len(inputs) - start)])
    return np.concatenate(outputs)


def warm_up_buckets(model: object, sample: np.ndarray, *, max_batch: int = 32) -> None:
    """Trace ``model`` for every bucket size up to ``max_batch`` (``sample`` is one input, without batch axis)."""
    for size in (s for s in BUCKETS if s <= max_batch):
        model.predict_on_batch(np.repeat(sample[None], size, axis=0))
