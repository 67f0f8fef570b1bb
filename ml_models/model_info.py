"""What ``GET /api/v1/models`` says of each model, and the checksums behind it."""

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: str
    sha256: str
    input_size: list[int | None]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sha256_files(paths: Iterable[Path]) -> str:
    """SHA-256 of one file, or of several files' bytes in the given order."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_files([path])
