"""``make train`` / ``make eval``: every head's script in turn, each in its own process.

``python -m ml_models.training`` trains every head; with ``--eval`` each script only evaluates the committed weights
on its validation split and writes its section of docs/BENCHMARKS.md, then ``summary`` puts every head's validation
numbers in one table there (``heads-summary``).
"""

import subprocess
import sys

from ml_models.training import TRAINERS, summary


def main(args: list[str]) -> int:
    for module in TRAINERS:
        print(f"== {module} {' '.join(args)}", flush=True)
        if subprocess.run([sys.executable, "-m", module, *args], check=False).returncode != 0:  # nosec B603  # our own argv, no shell
            print(f"{module} failed", file=sys.stderr)
            return 1
    if "--eval" in args:
        summary.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
