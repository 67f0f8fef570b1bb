"""``make bench``: each served head's time per face, batched, and the whole ``analyze`` with every head.

Heads: each head's ``predict`` on one ``FaceBatch`` of ``BATCH`` faces of a group photo whose shared FaceNet pass
(crops, embedding, pooled features) is done beforehand, so a head on those features is timed alone; the shared pass
is its own row. Analyze: ``analyze_image`` with every feature on a decoded photo of one face and one of six (what
``POST analyze`` runs after decoding), per stage. Warm calls, median of ``RUNS``.
"""

import statistics
import time
from collections.abc import Callable
from typing import Any

from ml_models import registry
from ml_models.analysis import analyze_image
from ml_models.bench_peers import progress, repeat_ms
from ml_models.benchmarks_doc import run_context, write_section
from ml_models.heads import FaceBatch
from ml_models.images import decode_image
from ml_models.paths import shared_data_dir
from ml_models.timing import Timings

BATCH = 32
RUNS = 5
GROUP_PHOTO = "group_retinaface_img3.jpg"  # more than BATCH faces
ANALYZE_PHOTOS = ("obama-480p.jpg", "group_insightface_t1.jpg")  # 1 and 6 faces
TARGET_MS = 5.0  # per face per head, batched (issue 7)


def median_ms(call: Callable[[], object]) -> float:
    return statistics.median(repeat_ms(call, RUNS))


def photo(name: str) -> Any:
    return decode_image((shared_data_dir() / "photos" / name).read_bytes())


def time_heads(batch: int = BATCH) -> dict[str, Any]:
    """ms per face of the shared FaceNet pass and of each head on ``batch`` faces."""
    image = photo(GROUP_PHOTO)
    faces = registry.detector().detect(image)[:batch]

    backbone_ms = median_ms(lambda: FaceBatch(image, faces).pooled)
    shared = FaceBatch(image, faces)
    shared.pooled  # noqa: B018 (computed once here: the heads below read it)
    heads = {
        feature: median_ms(lambda feature=feature: registry.head(feature).predict(shared)) / len(faces)
        for feature in registry.available_features()
    }
    return {"faces": len(faces), "backbone_ms_per_face": backbone_ms / len(faces), "heads": heads}


def time_analyze(name: str) -> dict[str, Any]:
    image = photo(name)
    features = registry.available_features()
    document = analyze_image(image, features=features)
    samples, stages = [], []
    for _ in range(RUNS):
        timings = Timings()
        started = time.perf_counter()
        analyze_image(image, features=features, timings=timings)
        samples.append((time.perf_counter() - started) * 1000)
        stages.append(timings.stages)
    return {
        "faces": len(document["faces"]),
        "size": f"{image.shape[1]}×{image.shape[0]}",
        "ms": statistics.median(samples),
        "stages_ms": {stage: statistics.median(s[stage] for s in stages) for stage in stages[0]},
    }


def render(data: dict[str, Any]) -> str:
    context, heads = data["context"], data["heads"]
    rows = [f"| shared FaceNet pass (crops, embedding, pooled features) | {heads['backbone_ms_per_face']:.2f} | |"]
    rows += [
        f"| {feature} | {ms:.2f} | {'met' if ms <= TARGET_MS else '**missed**'} |"
        for feature, ms in heads["heads"].items()
    ]
    analyze = [
        f"| {name} ({a['size']}) | {a['faces']} | {a['ms']:.0f} | "
        + ", ".join(f"{stage} {ms:.0f}" for stage, ms in a["stages_ms"].items())
        + " |"
        for name, a in data["analyze"].items()
    ]
    return f"""
## Heads: ms per face, batched, and `analyze` with every head (`make bench`)

`python -m ml_models.bench_heads` on {context["date"]}, commit `{context["commit"]}`, {context["machine"]}; warm
calls, median of {RUNS}. Per head: its `predict` on one batch of {heads["faces"]} faces of {GROUP_PHOTO}, divided by
the faces; the heads on FaceNet features (attributes, mask, age_gender) read the shared pass, timed on its own row.
Target: ≤ {TARGET_MS:g} ms per face per head.

| head | ms per face | target |
|---|---:|---|
{chr(10).join(rows)}

`analyze_image` with every head ({", ".join(data["features"])})
on the decoded photo, as `POST analyze` runs it after decoding; ms per stage (medians):

| photo | faces | ms | stages |
|---|---:|---:|---|
{chr(10).join(analyze)}
"""


def main() -> None:
    context = run_context()
    progress("heads: loading the models (registry.warm_up)")
    registry.warm_up()
    progress("heads: timing each head on a batch")
    heads = time_heads()
    progress("heads: timing analyze with every head")
    analyze = {name: time_analyze(name) for name in ANALYZE_PHOTOS}
    data = {
        "context": context,
        "features": list(registry.available_features()),
        "models": registry.model_versions(),
        "heads": heads,
        "analyze": analyze,
    }
    markdown = render(data)
    write_section("bench-heads", markdown, data)
    progress(markdown)


if __name__ == "__main__":
    main()
