"""Trains the mask head on FaceNet's pooled features and measures MTCNN on masked faces, with and without its retry.

``python -m ml_models.training.mask`` chooses the head's recipe by cross-validation inside the training part, trains
it (seeded), saves ``ml_models/weights/mask-mlp.npz`` and writes the "Mask" section of
``ml_models/weights/MODEL_CARD.md``; ``--eval`` evaluates the committed weights on the validation split and writes
the ``heads-mask`` section of ``docs/BENCHMARKS.md``. Both measure how many masked faces MTCNN finds without and with
the retry (``ml_models.detection.RetrySettings``, ``FACEAPI_DETECT_RETRY``) and what the retry costs on photos/.

Data: ``mask/`` (640 photos, with_mask / without_mask). Several photos are copies of one another (the two sources
share images; "x copy N.jpg" files), so copies are grouped (embedding cosine ≥ ``DUPLICATE_SIMILARITY``): the
validation split took whole groups, stratified by label, and the cross-validation folds take whole groups too.
The validation split is frozen in ``mask_val.txt`` beside this file (``holdout_split`` over the copy groups, seed 0,
drawn with the detector before its retry was on), so that a change of detector settings cannot move it.
"""

import argparse
import csv
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ml_models.benchmarks_doc import run_context, write_section
from ml_models.detection import DetectorSettings, MtcnnDetector, RetrySettings
from ml_models.heads.mask import WEIGHTS, MaskHead
from ml_models.heads.mlp import DenseNet, sigmoid
from ml_models.images import RGBImage
from ml_models.model_info import sha256_file
from ml_models.paths import shared_data_dir
from ml_models.training.features import FaceFeatures, face_features, read_rgb
from ml_models.training.fitting import (
    REPRODUCIBLE,
    MlpConfig,
    binary_cross_entropy,
    duplicate_groups,
    group_folds,
    head_ms_per_face,
    percent,
    train_mlp,
    write_card_section,
)

SEED = 0
FOLDS = 5  # cross-validation inside the training part, by copy groups
DUPLICATE_SIMILARITY = 0.8
SPLIT_FILE = Path(__file__).with_name("mask_val.txt")
# The recipes compared by cross-validation on the training part; the lowest mean log-loss ships.
CANDIDATES = {
    "logistic": MlpConfig(hidden=0, epochs=40, batch_size=64, learning_rate=1e-3, weight_decay=1e-3, seed=SEED),
    "MLP, 64 hidden": MlpConfig(
        hidden=64, epochs=40, batch_size=64, learning_rate=1e-3, weight_decay=1e-2, dropout=0.3, seed=SEED
    ),
}
NEGATIVE_PHOTOS = ("noface_rocket.jpg", "noface_coffee.png")
TILE_SIDES = (96, 160, 256)
COST_RUNS = 3  # timed detections per photo for the retry's cost, after one warm-up call
CARD_TITLE = "## Mask"


@dataclass(frozen=True)
class Dataset:
    files: list[str]
    masked: NDArray[np.bool_]
    sources: list[str]
    groups: NDArray[np.int64]
    val: NDArray[np.bool_]
    features: FaceFeatures


def load_dataset() -> Dataset:
    root = shared_data_dir() / "mask"
    with (root / "labels.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    files = [row["file"] for row in rows]
    features = face_features("mask", [root / file for file in files])
    return Dataset(
        files,
        np.array([row["label"] == "with_mask" for row in rows]),
        [row["source"] for row in rows],
        duplicate_groups(features.embeddings, DUPLICATE_SIMILARITY),
        np.isin(files, SPLIT_FILE.read_text().splitlines()),
        features,
    )


def fit(data: Dataset, features: NDArray[np.float32], train: NDArray[np.bool_], config: MlpConfig) -> DenseNet:
    targets = data.masked[:, None].astype(np.float32)
    return train_mlp(features[train], targets[train], binary_cross_entropy, config, outputs=("wearing_mask",))


def scores(net: DenseNet, features: NDArray[np.float32]) -> NDArray[np.float32]:
    return sigmoid(net(features))[:, 0]


@dataclass(frozen=True)
class Validation:
    images: int
    masked: int
    accuracy: float
    masked_recall: float  # with_mask photos called masked
    unmasked_recall: float
    errors: list[tuple[str, float]]  # (file, score) of each wrong call

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__


def architecture(net: DenseNet) -> str:
    return f"MLP, {len(net.layers[0][1])} hidden" if len(net.layers) > 1 else "logistic"


def validate(data: Dataset, net: DenseNet, features: NDArray[np.float32]) -> Validation:
    val = data.val
    predicted = scores(net, features[val])
    truth = data.masked[val]
    called = predicted >= 0.5
    files = np.array(data.files)[val]
    return Validation(
        int(val.sum()),
        int(truth.sum()),
        float((called == truth).mean()),
        float(called[truth].mean()),
        float((~called[~truth]).mean()),
        [(str(f), round(float(s), 3)) for f, s, c, t in zip(files, predicted, called, truth, strict=True) if c != t],
    )


@dataclass(frozen=True)
class CrossValidation:
    accuracy: float
    log_loss: float


def cross_validate(data: Dataset, features: NDArray[np.float32], config: MlpConfig) -> CrossValidation:
    """Out-of-fold accuracy and mean log-loss over ``FOLDS`` folds of the training part (validation never seen)."""
    train = np.flatnonzero(~data.val)
    folds = group_folds(data.groups[train], FOLDS, SEED)
    predicted = np.empty(len(train), dtype=np.float32)
    for fold in range(FOLDS):
        fitted = np.zeros(len(data.files), dtype=bool)
        fitted[train[folds != fold]] = True
        predicted[folds == fold] = scores(fit(data, features, fitted, config), features[train[folds == fold]])
    truth = data.masked[train]
    likelihood = np.clip(np.where(truth, predicted, 1 - predicted), 1e-7, 1.0)
    return CrossValidation(float(((predicted >= 0.5) == truth).mean()), float(-np.log(likelihood).mean()))


# --- detection of masked faces, and the retry's cost -----------------------------------------------------------


def plain_detector() -> MtcnnDetector:
    return MtcnnDetector(DetectorSettings())


def retry_detector() -> MtcnnDetector:
    return MtcnnDetector(DetectorSettings(retry=RetrySettings()))


@dataclass(frozen=True)
class Recall:
    masked: int
    found_plain: int
    found_unturned: int  # with the retry's padded pass but not its rotated ones
    found_retry: int
    unmasked: int
    unmasked_found_plain: int
    unmasked_found_retry: int
    negatives: int
    false_faces_retry: int
    retry_ms: float  # per image of the retried (first pass empty) ones, both passes

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__


def negative_images() -> list[RGBImage]:
    """The face-free photos and their square tiles (half-tile strides): where a permissive pass may invent faces."""
    images = [read_rgb(shared_data_dir() / "photos" / name) for name in NEGATIVE_PHOTOS]
    tiles = [
        image[y : y + side, x : x + side]
        for image in images
        for side in TILE_SIDES
        for y in range(0, image.shape[0] - side, side // 2)
        for x in range(0, image.shape[1] - side, side // 2)
    ]
    return images + tiles


def detection_recall(data: Dataset, plain: MtcnnDetector, retrying: MtcnnDetector) -> Recall:
    """Photos with ≥ 1 face without the retry and with it (and with it but not turned); the retry runs only where
    the first pass is empty, so it is timed on those photos, and checked for invented faces on face-free ones."""
    root = shared_data_dir() / "mask"
    images = [read_rgb(root / file) for file in data.files]
    found = np.array([bool(plain.detect(image)) for image in images])
    missed = np.flatnonzero(~found)

    def found_again(detector: MtcnnDetector) -> NDArray[np.bool_]:
        again = np.zeros(len(found), dtype=bool)
        again[missed] = [bool(detector.detect(images[i])) for i in missed]
        return again

    started = time.perf_counter()
    recovered = found_again(retrying)
    retry_ms = (time.perf_counter() - started) * 1000 / max(len(missed), 1)
    recovered_unturned = found_again(MtcnnDetector(DetectorSettings(retry=RetrySettings(angles=()))))
    negatives = negative_images()
    masked = data.masked
    return Recall(
        int(masked.sum()),
        int(found[masked].sum()),
        int((found | recovered_unturned)[masked].sum()),
        int((found | recovered)[masked].sum()),
        int((~masked).sum()),
        int(found[~masked].sum()),
        int((found | recovered)[~masked].sum()),
        len(negatives),
        sum(len(faces) for faces in retrying.detect_batch(negatives)),
        retry_ms,
    )


@dataclass(frozen=True)
class RetryCost:
    photos: int  # photos/ where MTCNN finds a face (the retry never runs there)
    plain_ms: float  # mean over those photos of the median detection time
    retry_ms: float
    same_faces: bool  # both detectors found the same faces on every photo
    face_free: int  # photos/ without a face (where the retry runs)
    face_free_plain_ms: float
    face_free_retry_ms: float

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__


def median_ms(detector: MtcnnDetector, image: RGBImage) -> float:
    detector.detect(image)
    samples = []
    for _ in range(COST_RUNS):
        started = time.perf_counter()
        detector.detect(image)
        samples.append((time.perf_counter() - started) * 1000)
    return float(np.median(samples))


def retry_cost(plain: MtcnnDetector, retrying: MtcnnDetector) -> RetryCost:
    """Detection time per photo of photos/ (its manifest) without and with the retry, photo by photo alternately."""
    root = shared_data_dir() / "photos"
    with (root / "manifest.csv").open() as stream:
        images = [read_rgb(root / row["file"]) for row in csv.DictReader(stream)]
    with_faces, face_free, same = [], [], True
    for image in images:
        plain_faces, retry_faces = plain.detect(image), retrying.detect(image)
        same &= [f.box for f in plain_faces] == [f.box for f in retry_faces]
        (with_faces if plain_faces else face_free).append((median_ms(plain, image), median_ms(retrying, image)))
    mean = np.mean(with_faces, axis=0)
    free = np.mean(face_free, axis=0) if face_free else np.zeros(2)
    return RetryCost(len(with_faces), *map(float, mean), same, len(face_free), *map(float, free))


# --- reports ---------------------------------------------------------------------------------------------------


def recall_text(recall: Recall, cost: RetryCost) -> str:
    r, c, retry = recall, cost, RetrySettings()
    return (
        f"Without the retry MTCNN finds a face in **{r.found_plain} of {r.masked}** with_mask photos "
        f"({percent(r.found_plain / r.masked)}) and in {r.unmasked_found_plain} of {r.unmasked} without_mask ones. "
        f"With the retry (`FACEAPI_DETECT_RETRY`, on by default; `RetrySettings`: only where the first pass is "
        f"empty, a second pass on the image with a black border of {retry.pad * 100:g} % of its longer side and "
        f"thresholds {' / '.join(f'{t:g}' for t in retry.thresholds)}, faces kept from confidence "
        f"{retry.min_confidence:g}; where that finds nothing too, the same pass on a copy at most "
        f"{retry.rotated_max_side} px long turned by {' and '.join(f'{a:+g}°' for a in retry.angles)}, faces kept "
        f"from confidence {retry.rotated_min_confidence:g}) it finds **{r.found_retry} of {r.masked}** "
        f"({percent(r.found_retry / r.masked)}; {r.found_unturned} without the turned passes; without_mask "
        f"{r.unmasked_found_retry} of {r.unmasked}), and {r.false_faces_retry} faces on {r.negatives} face-free "
        f"images (the two no-face photos and their tiles). "
        f"Cost: {r.retry_ms:.0f} ms per retried mask photo (all passes). On the {c.photos} photos of photos/ where "
        f"MTCNN finds a face the retry never runs: {c.plain_ms:.0f} ms per photo without it, {c.retry_ms:.0f} ms "
        f"with it (median of {COST_RUNS} runs each, mean over the photos; the same faces: "
        f"{'yes' if c.same_faces else '**no**'}); on its {c.face_free} face-free photos {c.face_free_plain_ms:.0f} "
        f"ms without, {c.face_free_retry_ms:.0f} ms with. Most misses are close-ups whose face fills the frame "
        "(the border is what finds them), then tilted heads (the turned passes); the rest are faces turned away or "
        "mostly covered."
    )


def validation_table(results: dict[str, Validation]) -> str:
    rows = [
        f"| {name} | {v.images} ({v.masked} masked) | **{100 * v.accuracy:.2f} %** | {percent(v.masked_recall)} "
        f"| {percent(v.unmasked_recall)} | {len(v.errors)} |"
        for name, v in results.items()
    ]
    header = "| model | validation images | accuracy | masked called masked | unmasked called unmasked | errors |"
    return "\n".join([header, "|---|---:|---:|---:|---:|---:|", *rows])


def cross_validation_table(cv: dict[str, CrossValidation], chosen: str) -> str:
    rows = [
        f"| {name}{' (shipped)' if name == chosen else ''} | {percent(c.accuracy)} | {c.log_loss:.4f} |"
        for name, c in cv.items()
    ]
    return "\n".join(["| recipe | CV accuracy | CV log-loss |", "|---|---:|---:|", *rows])


def card_rows(data: Dataset, net: DenseNet, config: MlpConfig, ms: float, seconds: float) -> list[tuple[str, str]]:
    groups = len(np.unique(data.groups))
    val = data.val
    hidden = f"{config.hidden} ReLU (dropout {config.dropout:g} in training) → " if config.hidden else ""
    return [
        ("Model", f"`{MaskHead.name}`, weights `{WEIGHTS.name}` ({WEIGHTS.stat().st_size / 1e3:.0f} kB, numpy)"),
        ("sha256", f"`{sha256_file(WEIGHTS)}`"),
        (
            "Written by",
            f"`python -m ml_models.training.mask` on {datetime.now(UTC):%Y-%m-%d} (seed {SEED}); `--eval` "
            "re-measures the committed weights into docs/BENCHMARKS.md (`heads-mask`)",
        ),
        (
            "Data",
            "`../shared/data/mask/`: 640 photos, 320 with_mask (280 real from chandrikadeb7/Face-Mask-Detection, "
            "MIT; 40 with synthetic masks from prajnasb/observations) and 320 without_mask (280 + 40); see SOURCE.txt",
        ),
        (
            "Split",
            f"`ml_models/training/mask_val.txt`: {int(val.sum())} validation photos ({int(data.masked[val].sum())} "
            f"with_mask, {int((~data.masked[val]).sum())} without), {int((~val).sum())} training photos; drawn once "
            "by whole groups of copies (FaceNet embedding cosine ≥ 0.8), 30 % of each label, seed 0, and frozen. "
            f"The recipe is chosen by {FOLDS}-fold cross-validation inside the training part ({groups} copy groups "
            "here, folds by whole groups); validation is only measured",
        ),
        (
            "Preprocessing",
            "what serving does: MTCNN with its retry (`FACEAPI_DETECT_RETRY`, on by default), the largest face's "
            f"`margin_crop`; where it finds no face ({data.features.no_face} of 640) the whole photo, as "
            "`detect=false` does. The crop goes through the FaceNet backbone once; the head reads the 1792-d pooled "
            "layer, standardised with the training mean and std.",
        ),
        (
            "Architecture",
            f"{architecture(net)}: 1792 → {hidden}1 sigmoid output, the probability of a mask (`wearing_mask` = "
            "score ≥ 0.5); numpy at inference (`ml_models.heads.mask`)",
        ),
        (
            "Training",
            f"binary cross-entropy, AdamW (lr {config.learning_rate:g}, weight decay {config.weight_decay:g}), "
            f"batch {config.batch_size}, {config.epochs} epochs; {REPRODUCIBLE}. **{seconds:.0f} s** "
            "for the head, after the features (cached)",
        ),
        ("Speed", f"{ms:.3f} ms/face for the head alone (batch 32), on the backbone pass shared with the other heads"),
    ]


SHIPPED = "(shipped)"


def card_section(
    data: Dataset,
    net: DenseNet,
    chosen: str,
    cv: dict[str, CrossValidation],
    results: dict[str, Validation],
    recall: Recall,
    cost: RetryCost,
    timing: tuple[float, float],
) -> str:
    rows = "\n".join(f"| {label} | {value} |" for label, value in card_rows(data, net, CANDIDATES[chosen], *timing))
    shipped = next(v for name, v in results.items() if name.endswith(SHIPPED))
    errors = ", ".join(f"`{name}` ({score})" for name, score in shipped.errors) or "none"
    return f"""{CARD_TITLE}

| | |
|---|---|
{rows}

Recipe, chosen by cross-validation on the training part only (pooled features; out-of-fold accuracy and mean
log-loss, the lowest log-loss ships):

{cross_validation_table(cv, chosen)}

Validation (target ≥ 99 %; the 512-d embedding with the shipped recipe beside it):

{validation_table(results)}

The 512-d embedding is trained to ignore occlusions (a masked and an unmasked photo of one person should match),
which is why the pooled layer is used. Tried on the training folds and not better there: the pooled features of the
lower third of the face (the backbone's 3×3 map before pooling) added to the pooled ones, the three rows of that map,
the embedding added to the pooled features, stronger weight decay. Before the retry was on, the same validation split
scored 97.9 % (logistic regression on features of crops without the retry: 143 photos fell back to the whole image).
Tried later, with the retry before its turned passes (98.96 % on validation then, 2 errors): the backbone's earlier
layers pooled (Block17 and Block35 outputs) added to the pooled ones scored better on the training folds (99.8 %,
log-loss 0.019) but not on validation (98.4 %, 3 errors); mirrored and jittered crops as extra training rows: 99.6 %
on the folds. Neither ships. Both errors then resisted every recipe: a blue mask held over the face by a hand
(labelled no mask), and a tilted, sepia-toned face that MTCNN did not find, so the whole photo was classified. The
turned passes of the retry (chosen on the training part's photos, below) now find that face, and it is called
unmasked; the recipe is the same, chosen again by cross-validation on the new features.

Wrong calls of the shipped head on its validation split (probability of a mask): {errors}.

Masked faces and the detector: {recall_text(recall, cost)}

Known failure cases: a face covered by a hand, a scarf, a microphone or a phone (the data labels a hand over the
mouth as no mask, a scarf as a mask; both are close calls for the head); masks of unusual colours or prints are few
in the data; a masked face that MTCNN does not find even with the retry gets no mask result at all.
"""


def benchmark_section(
    results: dict[str, Validation], recall: Recall, cost: RetryCost, ms: float, context: dict[str, str]
) -> str:
    return f"""## Mask head (mask/, frozen grouped stratified validation split)

`python -m ml_models.training.mask --eval` on {context["date"]}, commit {context["commit"]}, {context["machine"]}.
The committed `{WEIGHTS.name}`; target ≥ 99 %.

{validation_table(results)}

Head alone: {ms:.3f} ms/face (batch 32), on the backbone pass shared with the embedding.

{recall_text(recall, cost)}
"""


def train(data: Dataset) -> tuple[DenseNet, str, dict[str, CrossValidation], dict[str, Validation], float]:
    """Choose the recipe by cross-validation, train it on the whole training part, save it; validate both."""
    pooled, embeddings = data.features.pooled, data.features.embeddings
    cv = {name: cross_validate(data, pooled, config) for name, config in CANDIDATES.items()}
    chosen = min(cv, key=lambda name: cv[name].log_loss)
    print(cross_validation_table(cv, chosen), flush=True)
    started = time.perf_counter()
    net = fit(data, pooled, ~data.val, CANDIDATES[chosen])
    seconds = time.perf_counter() - started
    net.save(WEIGHTS)
    results = {
        f"512-d embedding, {chosen}": validate(data, fit(data, embeddings, ~data.val, CANDIDATES[chosen]), embeddings)
    }
    for name, config in CANDIDATES.items():
        candidate = net if name == chosen else fit(data, pooled, ~data.val, config)
        results[f"pooled 1792-d, {name}" + f" {SHIPPED}" * (name == chosen)] = validate(data, candidate, pooled)
    return net, chosen, cv, results, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", action="store_true", help="only evaluate the committed weights")
    args = parser.parse_args()
    data = load_dataset()
    pooled = data.features.pooled
    if args.eval:
        net = DenseNet.load(WEIGHTS)
        results = {f"pooled 1792-d, {architecture(net)} {SHIPPED}": validate(data, net, pooled)}
    else:
        net, chosen, cv, results, seconds = train(data)
    ms = head_ms_per_face(net, pooled[data.val])
    print(validation_table(results), flush=True)
    plain, retrying = plain_detector(), retry_detector()
    recall, cost = detection_recall(data, plain, retrying), retry_cost(plain, retrying)
    print(recall_text(recall, cost), flush=True)
    if args.eval:
        context = run_context()
        payload = {
            "context": context,
            "ms_per_face_head": ms,
            "validation": next(iter(results.values())).as_dict(),
            "detection": recall.as_dict(),
            "retry_cost": cost.as_dict(),
        }
        write_section("heads-mask", benchmark_section(results, recall, cost, ms, context), payload)
    else:
        write_card_section(CARD_TITLE, card_section(data, net, chosen, cv, results, recall, cost, (ms, seconds)))


if __name__ == "__main__":
    main()
