"""``make load`` in its short mode: the real service, two clients for a few seconds, and the report's shape."""

import json
import subprocess
import sys

import pytest

from faceapi.live_service import PROJECT_ROOT, service_env
from faceapi.management.commands.load_test import ENDPOINTS, rss_growth


@pytest.mark.slow
def test_a_short_load_run_reports_every_endpoint_without_5xx(tmp_path):
    report = tmp_path / "load.json"
    command = [sys.executable, "manage.py", "load_test", "--clients", "2", "--duration", "5", "--web-workers", "1"]
    subprocess.run([*command, "--report", str(report)], cwd=PROJECT_ROOT, env=service_env(tmp_path), check=True)
    data = json.loads(report.read_text())
    assert (data["clients"], data["duration_s"], data["server_errors"], data["no_answer"]) == (2, 5, 0, 0)
    assert data["requests"] == sum(stats["requests"] for stats in data["endpoints"].values())
    assert data["throughput_rps"] > 0
    for name in ENDPOINTS:
        stats = data["endpoints"][name]
        assert stats["statuses"] == {"200": stats["requests"]}, (name, stats)
        assert 0 < stats["ms"]["p50"] <= stats["ms"]["p95"]
    served = [row for row in data["processes"] if row["role"] in ("web worker (gunicorn)", "celery worker")]
    assert sorted(row["role"] for row in served) == ["celery worker", "web worker (gunicorn)"]
    assert all(row["growth_pct"] is not None for row in served)
    # The models are loaded in the web worker and in the Celery pool's child (the worker's main process holds none).
    holders = [row for row in data["processes"] if row["role"] in ("web worker (gunicorn)", "celery child")]
    assert sum(row["rss_before_mb"] > 500 for row in holders) == 2


def test_rss_growth_names_processes_that_came_or_went():
    before = {1: {"role": "web worker (gunicorn)", "rss_mb": 400.0}, 2: {"role": "celery worker", "rss_mb": 500.0}}
    after = {1: {"role": "web worker (gunicorn)", "rss_mb": 420.0}, 3: {"role": "web worker (gunicorn)", "rss_mb": 9}}
    rows = {row["pid"]: row for row in rss_growth(before, after)}
    assert rows[1]["growth_pct"] == pytest.approx(5.0)
    assert (rows[2]["rss_after_mb"], rows[2]["growth_pct"]) == (None, None)
    assert (rows[3]["rss_before_mb"], rows[3]["growth_pct"]) == (None, None)
