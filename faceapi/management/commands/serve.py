import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

STOP_GRACE_S = 15
GUNICORN_CONF = Path(__file__).resolve().parents[2] / "gunicorn_conf.py"


class Command(BaseCommand):
    help = "Run the web server (gunicorn) and a Celery worker together; Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
        parser.add_argument("--worker-concurrency", type=int, default=int(os.environ.get("WORKER_CONCURRENCY", "1")))

    def handle(self, *args: Any, port: int, host: str, web_workers: int, worker_concurrency: int, **_: Any) -> None:
        python = sys.executable
        commands = {
            "web": [
                *(python, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "faceapi.wsgi:application"),
                *("--bind", f"{host}:{port}", "--workers", str(web_workers)),
            ],
            "worker": [
                *(python, "-m", "celery", "-A", "faceapi", "worker", "--loglevel", "INFO"),
                *("--concurrency", str(worker_concurrency), "--without-gossip", "--without-mingle"),
                # The one scheduler of this single-machine setup (it purges expired jobs).
                *("--beat", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")),
            ],
        }
        # Each child leads its own process group, so that stopping can reach every process it started.
        processes = {
            name: subprocess.Popen(cmd, start_new_session=True)  # nosec B603  # our own argv, no shell
            for name, cmd in commands.items()
        }
        self.stdout.write(f"faceapi: web on http://{host}:{port}/ and a Celery worker; Ctrl-C stops both.")
        stopping = False

        def stop(signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        exited = [name for name, p in processes.items() if p.poll() is not None]
        self._stop_all(processes)
        if exited and not stopping:
            self.stderr.write(f"faceapi: {', '.join(exited)} exited; stopped the rest.")
            sys.exit(1)

    def _stop_all(self, processes: dict[str, subprocess.Popen]) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # anything of that group still alive (a stuck child)
