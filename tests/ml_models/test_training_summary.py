"""``make eval``'s summary of every head, read from the benchmark JSON files the head scripts write."""

import json

from ml_models.training.summary import Headline, headlines, render


def test_every_head_has_its_headline_in_the_committed_benchmarks():
    lines = headlines()
    assert [line.head for line in lines] == ["emotion", "attributes", "mask", "age_gender", "age_gender", "liveness"]
    assert all(line.value >= 0 for line in lines)
    text = render(lines, {"date": "today", "commit": "abc"})
    assert text.count("\n| ") == len(lines) + 1  # the header and one row per headline


def test_a_target_is_met_in_the_right_direction():
    assert Headline("mask", "accuracy", 0.991, "—", 0.99).met
    assert not Headline("mask", "accuracy", 0.9896, "—", 0.99).met
    assert Headline("age_gender", "MAE", 5.2, "—", 6.0, higher_is_better=False, is_fraction=False).met
    assert Headline("age_gender", "MAE", 5.2, "—", 6.0, False, False).shown(5.2) == "5.20"


def test_a_head_without_its_file_is_left_out(tmp_path):
    (tmp_path / "benchmarks-heads-mask.json").write_text(json.dumps({"validation": {"accuracy": 0.5}}))
    [line] = headlines(tmp_path)
    assert (line.head, line.value, line.met) == ("mask", 0.5, False)
