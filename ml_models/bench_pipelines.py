"""Per-photo detect + encode of every face, one photo at a time: the peers' row beside the service's own ``analyze``
in ``manage.py bench_service``.

Generic over a ``bench_peers.Method``, like the rest of ``bench_peers``: the command times our pipeline with it in
its own process, and each peer runs it under ``.bench-venv/bin/python -m ml_models.bench_pipelines`` (job as JSON
on stdin: ``peers``, ``photos``, ``runs``, ``out``; results written to ``out``, since face_recognition may print).
"""

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ml_models.bench_peers import PEERS, Image, Method, progress, repeat_ms


def detect_and_encode(method: Method, image: Image) -> int:
    """Every face of ``image`` detected and embedded; returns how many."""
    rows = method.detect(image)
    for row in rows:
        method.embed(image, row)
    return len(rows)


def time_pipeline(method: Method, paths: Sequence[str], runs: int) -> dict[str, dict[str, Any]]:
    """Per photo (by file name): ms of each of ``runs`` warm calls on the decoded image, and the faces found."""
    results = {}
    for path in paths:
        image = method.load(path)
        samples = repeat_ms(lambda image=image: detect_and_encode(method, image), runs)
        results[Path(path).name] = {"ms": samples, "faces": detect_and_encode(method, image)}
    return results


def run_peer(name: str, photos: Sequence[str], runs: int) -> dict[str, Any]:
    progress(f"peer {name}: detect + encode")
    try:
        method = PEERS[name]()
    except (Exception, SystemExit) as exc:  # face_recognition calls quit() when its models are missing
        return {"error": f"{type(exc).__name__}: {exc}".strip()}
    return {"versions": method.versions(), "photos": time_pipeline(method, photos, runs)}


def main() -> None:
    job = json.load(sys.stdin)
    results = {name: run_peer(name, job["photos"], job["runs"]) for name in job["peers"]}
    Path(job["out"]).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
