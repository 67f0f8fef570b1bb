"""``make bench``'s heads part: each head timed per face on one batch, and ``analyze`` with every head."""

import pytest

from ml_models import registry
from ml_models.bench_heads import render, time_analyze, time_heads


@pytest.mark.slow
def test_each_head_and_a_whole_analyze_are_timed_and_rendered():
    heads = time_heads(batch=2)
    assert heads["faces"] == 2
    assert set(heads["heads"]) == set(registry.available_features())
    assert all(ms > 0 for ms in heads["heads"].values())
    analyze = time_analyze("obama-480p.jpg")
    assert analyze["faces"] == 1
    assert {"detect", "embed", "heads"} <= set(analyze["stages_ms"])
    data = {
        "context": {"date": "today", "commit": "abc", "machine": "here"},
        "features": list(registry.available_features()),
        "heads": heads,
        "analyze": {"obama-480p.jpg": analyze},
    }
    text = render(data)
    assert all(f"| {feature} |" in text for feature in registry.available_features())
    assert "| obama-480p.jpg (" in text
