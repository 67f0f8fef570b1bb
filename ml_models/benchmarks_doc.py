"""Writes measured numbers into ``docs/BENCHMARKS.md`` (one section per script) and a JSON file beside it."""

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ml_models.paths import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "BENCHMARKS.md"
HEADER = (
    "# Benchmarks\n\n"
    "Numbers here are written by `make eval` (accuracy) and `make bench` (speed); nothing is typed by hand.\n"
)


def run_context() -> dict[str, str]:
    """Date, commit and machine: every number is stamped with where and when it was measured."""
    try:
        done = subprocess.run(  # nosec B603 B607  # git with fixed arguments, to stamp results
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        )
        commit = done.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def write_section(name: str, markdown: str, data: dict[str, Any], doc: Path = DOC) -> None:
    """Replace section ``name`` of the document (added at the end the first time) and write ``<name>.json``."""
    start, end = _markers(name)
    text = doc.read_text() if doc.exists() else HEADER
    block = f"{start}\n{markdown.strip()}\n{end}"
    if start in text and end in text:
        before, _, rest = text.partition(start)
        _, _, after = rest.partition(end)
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text)
    (doc.parent / f"benchmarks-{name}.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
