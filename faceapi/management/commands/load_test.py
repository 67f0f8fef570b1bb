"""``make load``: concurrent clients against the real service, to show that it holds under load.

The service as ``make run`` starts it (``manage.py serve``: gunicorn and a Celery worker) on SQLite and the
filesystem broker in a temporary FACEAPI_VAR_DIR (``faceapi.live_service``), with the API-key throttle set out of
reach. A few students are enrolled from real photos, then ``--clients`` threads, each with its own keep-alive
session, send ``detect``, ``verify`` and ``identify`` requests in turn with real photos for ``--duration`` seconds.
Recorded: every status (a 5xx fails the run), p50/p95 per endpoint, throughput, 429s, and the resident memory of each
of the service's processes before and after. Written to the ``load`` section of docs/BENCHMARKS.md, or with
``--report`` to that JSON file alone (the test's short run).
"""

import json
import os
import random
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from django.core.management.base import BaseCommand, CommandError, CommandParser

from faceapi.live_service import running_service
from faceapi.management.commands.bench_service import phase, tree_ticks, wait_until_settled
from ml_models.bench import CONTENTION, summary, table
from ml_models.bench_peers import memory_mb, progress
from ml_models.benchmarks_doc import run_context, write_section
from ml_models.paths import shared_data_dir

PHOTOS = shared_data_dir() / "photos"
ENDPOINTS = ("detect", "verify", "identify")
ENROLLED = {
    "Barack Obama": "obama.jpg",
    "Joe Biden": "biden.jpg",
    "Lin-Manuel Miranda": "lin-manuel-miranda.png",
    "Alex Lacamoire": "alex-lacamoire.png",
}
QUERIES = (  # other photos of the enrolled people, a stranger and a two-face photo
    "obama2.jpg",
    "knn_examples/test/obama1.jpg",
    "knn_examples/train/biden/biden2.jpg",
    "knn_examples/test/alex_lacamoire1.jpg",
    "knn_examples/test/johnsnow_test1.jpg",
    "two_people.jpg",
)
THROTTLE_RATE = "1000000/minute"
WARMUP_S = 20.0  # untimed load before the memory is read (a quarter of the run at most)
REQUEST_TIMEOUT_S = 120


class Command(BaseCommand):
    help = "Load test: concurrent detect/verify/identify clients against the real service (docs/BENCHMARKS.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=int(os.environ.get("LOAD_CLIENTS", "16")))
        parser.add_argument("--duration", type=float, default=float(os.environ.get("LOAD_DURATION_S", "120")))
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--report", type=Path, help="write the JSON report here and leave docs/ alone")

    def handle(
        self, *args: Any, clients: int, duration: float, web_workers: int, report: Path | None, **_: Any
    ) -> None:
        if clients < 1 or duration <= 0:
            raise CommandError("--clients and --duration must be positive")
        data = measure(clients=clients, duration_s=duration, web_workers=web_workers)
        if report:
            report.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        else:
            write_section("load", render(data), data)
        progress(render(data))
        if data["server_errors"]:
            raise CommandError(f"{data['server_errors']} responses were 5xx")


# --- the clients ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    endpoint: str
    status: int  # 0: no answer (connection error or timeout)
    ms: float


Files = list[tuple[str, tuple[str, bytes]]]


def photo(name: str) -> tuple[str, bytes]:
    return name.rsplit("/", 1)[-1], (PHOTOS / name).read_bytes()


def request_files(endpoint: str, rng: random.Random, photos: dict[str, tuple[str, bytes]]) -> Files:
    """A request's multipart files: a query photo; for ``verify`` an enrolled photo beside it."""
    query = photos[rng.choice(QUERIES)]
    if endpoint == "verify":
        return [("image1", photos[rng.choice(list(ENROLLED.values()))]), ("image2", query)]
    return [("image", query)]


def session_for(api_key: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Api-Key {api_key}"
    return session


def client(base: str, api_key: str, seed: int, deadline: float, photos: dict[str, tuple[str, bytes]]) -> list[Sample]:
    """One client: the endpoints in turn (each client starts at a different one) until ``deadline``."""
    session, samples = session_for(api_key), []
    rng = random.Random(seed)  # nosec B311  # a seeded generator for reproducible load, not for security
    turn = seed
    while time.monotonic() < deadline:
        endpoint = ENDPOINTS[turn % len(ENDPOINTS)]
        turn += 1
        files = request_files(endpoint, rng, photos)
        started = time.perf_counter()
        try:
            status = session.post(f"{base}/api/v1/{endpoint}", files=files, timeout=REQUEST_TIMEOUT_S).status_code
        except requests.RequestException:
            status = 0
        samples.append(Sample(endpoint, status, (time.perf_counter() - started) * 1000))
    return samples


def run_clients(base: str, api_key: str, clients: int, duration_s: float) -> tuple[list[Sample], float]:
    photos = {name: photo(name) for name in (*ENROLLED.values(), *QUERIES)}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        runs = [pool.submit(client, base, api_key, seed, started + duration_s, photos) for seed in range(clients)]
        samples = [sample for run in runs for sample in run.result()]
    return samples, time.monotonic() - started


def enrol(base: str, api_key: str) -> None:
    session = session_for(api_key)
    for number, (name, file) in enumerate(ENROLLED.items()):
        body = {"external_id": f"L{number}", "name": name, "group": "load"}
        student = session.post(f"{base}/api/v1/students", json=body, timeout=REQUEST_TIMEOUT_S)
        student.raise_for_status()
        face = session.post(
            f"{base}/api/v1/students/{student.json()['id']}/faces", files=[("image", photo(file))], timeout=120
        )
        face.raise_for_status()


def warm_up_seconds(duration_s: float) -> float:
    return max(2.0, min(WARMUP_S, duration_s / 4))


def warm_up(base: str, api_key: str, clients: int, duration_s: float) -> None:
    """The same mix at the same concurrency, untimed: every web worker and request thread traces its model graphs
    and grows its buffers before the memory is read, so growth over the run means a leak, not a warm-up."""
    run_clients(base, api_key, clients, warm_up_seconds(duration_s))


# --- the service's processes ---------------------------------------------------------------------------------------


def descendants() -> dict[int, tuple[int, str]]:
    """Every live process below this one: pid → (parent pid, command line)."""
    processes = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # ended meanwhile
            continue
        processes[int(entry.name)] = (parent, command)
    below, pending = {}, [os.getpid()]
    while pending:
        pid = pending.pop()
        for child, (parent, command) in processes.items():
            if parent == pid:
                below[child] = (parent, command)
                pending.append(child)
    return below


def role(pid: int, tree: dict[int, tuple[int, str]]) -> str:
    parent, command = tree[pid]
    parent_command = tree.get(parent, (0, ""))[1]
    if "gunicorn" in command:
        return "web worker (gunicorn)" if "gunicorn" in parent_command else "web master (gunicorn)"
    if "celery" in command:
        return "celery child" if "celery" in parent_command else "celery worker"
    return "manage.py serve" if "serve" in command else command[:40]


def service_rss() -> dict[int, dict[str, Any]]:
    """Role and resident memory (MiB) of each of the service's processes."""
    tree, found = descendants(), {}
    for pid in tree:
        try:
            rss = memory_mb((Path("/proc") / str(pid) / "status").read_text())["rss"]
        except OSError:
            continue
        found[pid] = {"role": role(pid, tree), "rss_mb": rss}
    return found


def rss_growth(before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for pid in sorted(before.keys() | after.keys()):
        first, last = before.get(pid), after.get(pid)
        row = {"pid": pid, "role": (first or last)["role"]}
        row["rss_before_mb"] = first["rss_mb"] if first else None
        row["rss_after_mb"] = last["rss_mb"] if last else None
        row["growth_pct"] = 100 * (last["rss_mb"] / first["rss_mb"] - 1) if first and last else None
        rows.append(row)
    return rows


# --- measuring and reporting ---------------------------------------------------------------------------------------


def endpoint_stats(samples: list[Sample], seconds: float) -> dict[str, Any]:
    ok = [sample.ms for sample in samples if 200 <= sample.status < 300]
    return {
        "requests": len(samples),
        "statuses": {str(status): count for status, count in sorted(Counter(s.status for s in samples).items())},
        "ms": summary(ok) if ok else None,
        "throughput_rps": len(samples) / seconds,
    }


def measure(*, clients: int, duration_s: float, web_workers: int) -> dict[str, Any]:
    context = {**run_context(), "load_average": os.getloadavg()}
    contention: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="faceapi-load-") as tmp:
        service = running_service(
            Path(tmp) / "var",
            school=f"load {uuid.uuid4().hex[:8]}",
            serve_args=("--web-workers", str(web_workers)),
            env={"FACEAPI_THROTTLE_RATE": THROTTLE_RATE},
        )
        with service as (base, api_key):
            progress("the service answers; waiting for its processes to finish warming their models")
            wait_until_settled()
            enrol(base, api_key)
            progress(f"warm-up: {clients} clients for {warm_up_seconds(duration_s):.0f} s, untimed")
            warm_up(base, api_key, clients, duration_s)
            before = service_rss()
            progress(f"{clients} clients for {duration_s:.0f} s")
            ticks = tree_ticks()
            samples, seconds = phase("load", lambda: run_clients(base, api_key, clients, duration_s), contention)
            service_cpu_s = (tree_ticks() - ticks) / os.sysconf("SC_CLK_TCK")
            after = service_rss()
    statuses = Counter(sample.status for sample in samples)
    return {
        "context": context,
        "clients": clients,
        "duration_s": duration_s,
        "seconds": seconds,
        "web_workers": web_workers,
        "warm_up_s": warm_up_seconds(duration_s),
        "throttle_rate": THROTTLE_RATE,
        "requests": len(samples),
        "throughput_rps": len(samples) / seconds,
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
        "server_errors": sum(count for status, count in statuses.items() if status >= 500),
        "throttled": statuses.get(429, 0),
        "no_answer": statuses.get(0, 0),
        "endpoints": {e: endpoint_stats([s for s in samples if s.endpoint == e], seconds) for e in ENDPOINTS},
        "processes": rss_growth(before, after),
        "service_cpu_s": service_cpu_s,
        "contention": contention,
    }


def _ms(stats: dict[str, Any] | None, key: str) -> str:
    return f"{stats[key]:.0f}" if stats else "–"


def contention(share: float) -> str:
    note = f"Other processes took {share:.0%} of the machine's CPU during the run."
    if share > CONTENTION:
        note += " **Taken under contention: rerun `make load` on an idle machine for the service's own capacity.**"
    return note


def render(data: dict[str, Any]) -> str:
    context = data["context"]
    load = ", ".join(f"{value:.1f}" for value in context["load_average"])
    endpoints = table(
        ["endpoint", "requests", "requests/s", "p50 ms", "p95 ms", "mean ms", "statuses"],
        [
            [
                f"`{name}`",
                str(stats["requests"]),
                f"{stats['throughput_rps']:.2f}",
                _ms(stats["ms"], "p50"),
                _ms(stats["ms"], "p95"),
                _ms(stats["ms"], "mean"),
                ", ".join(f"{status}: {count}" for status, count in stats["statuses"].items()),
            ]
            for name, stats in data["endpoints"].items()
        ],
    )
    processes = table(
        ["process", "pid", "RSS before MiB", "RSS after MiB", "growth"],
        [
            [
                row["role"],
                str(row["pid"]),
                f"{row['rss_before_mb']:.0f}" if row["rss_before_mb"] is not None else "(not yet)",
                f"{row['rss_after_mb']:.0f}" if row["rss_after_mb"] is not None else "(gone)",
                f"{row['growth_pct']:+.1f} %" if row["growth_pct"] is not None else "–",
            ]
            for row in data["processes"]
        ],
    )
    verdict = "**no 5xx**" if not data["server_errors"] else f"**{data['server_errors']} responses were 5xx**"
    return f"""
## Load (`make load`)

`python manage.py load_test` (`faceapi/management/commands/load_test.py`). Measured {context["date"]}, commit
`{context["commit"]}`, {context["machine"]}; load average when it started {load} (1, 5, 15 min).
{contention(data["contention"]["load"])}

The real service (`manage.py serve --web-workers {data["web_workers"]}`: gunicorn, {data["web_workers"]} workers × 4
threads, and a Celery worker) on SQLite and the filesystem broker in a temporary FACEAPI_VAR_DIR, the throttle at
{data["throttle_rate"]}; {len(ENROLLED)} students enrolled from real photos. {data["clients"]} clients (threads, each
with a keep-alive session) sent `detect`, `verify` and `identify` in turn, with real photos from
`{PHOTOS.parent.name}/photos`, for {data["duration_s"]:.0f} s: {data["requests"]} requests,
**{data["throughput_rps"]:.2f} requests/s** in all; {verdict}, {data["throttled"]} throttled (429),
{data["no_answer"]} unanswered. Latencies are the client's, over the 2xx responses. The service's processes used
{data["service_cpu_s"]:.0f} s of CPU during the {data["seconds"]:.0f} s.

{endpoints}

Resident memory (VmRSS) of each of the service's processes after an untimed warm-up of the same mix at the same
concurrency ({data["warm_up_s"]:.0f} s) and after the run (the
Celery worker's models live in its pool child; the small child is the embedded beat):

{processes}
"""
