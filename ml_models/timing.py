"""Per-stage wall-clock timings, reported as ``timings_ms`` in responses and job results."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Timings:
    stages: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.stages[name] = self.stages.get(name, 0.0) + (time.perf_counter() - start) * 1000

    def as_dict(self) -> dict[str, int]:
        return {name: round(ms) for name, ms in self.stages.items()}
