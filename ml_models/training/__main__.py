"""``make train``: every head's training script, one after the other, each in its own process."""

import subprocess
import sys

from ml_models.training import TRAINERS


def main() -> int:
    for module in TRAINERS:
        print(f"== {module}", flush=True)
        if subprocess.run([sys.executable, "-m", module], check=False).returncode != 0:
            print(f"{module} failed", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
