"""The Python API against the `coprod` command on generated data.

    cargo build --release --example coprod
    (cd python && maturin develop --release)
    python python/benches/bench_million.py [participants] [rounds]

Generates N participants (default 1,000,000; about 9.4 assessments each) with the
crate's seeded generator (`coprod generate`), copies the demo's plan, impact map,
population and activities beside them, then alternates, round by round, `coprod run
plan.toml --out DIR --quiet` and the same run from Python (`coproduction.run(plan)` and
`write_report(DIR)`, in a fresh interpreter so that its start and the imports are
counted), and prints the median wall times and their ratio. Both write the whole report.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
COPROD = Path(os.environ.get("COPROD_BIN", TARGET / "release" / "examples" / "coprod"))

PYTHON_RUN = """
import sys, time, coproduction
start = time.perf_counter()
coproduction.run(sys.argv[1]).write_report(sys.argv[2])
print(time.perf_counter() - start)
"""


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    participants = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if not COPROD.exists():
        sys.exit(f"{COPROD} not found: cargo build --release --example coprod (or set COPROD_BIN)")
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "data"
        subprocess.run([str(COPROD), "generate", str(data), "--participants", str(participants), "--seed", "7"], check=True)
        for name in ("plan.toml", "impact_map.toml", "population.csv", "activities.csv"):
            shutil.copy(REPO / "fixtures" / "demo" / name, data / name)
        plan = str(data / "plan.toml")
        cli, python, inside = [], [], []
        for _ in range(rounds):
            seconds, _ = timed([str(COPROD), "run", plan, "--out", f"{work}/cli", "--quiet"])
            cli.append(seconds)
            seconds, out = timed([sys.executable, "-c", PYTHON_RUN, plan, f"{work}/python"])
            python.append(seconds)
            inside.append(float(out.strip()))
        same = (Path(work) / "cli" / "results.json").read_bytes() == (Path(work) / "python" / "results.json").read_bytes()
    cli_s, python_s, inside_s = (statistics.median(x) for x in (cli, python, inside))
    print(f"participants: {participants:,}; rounds: {rounds} (medians)")
    print(f"coprod run:               {cli_s:.2f} s")
    print(f"Python, fresh interpreter: {python_s:.2f} s ({python_s / cli_s:.3f} x the command)")
    print(f"Python, run + write_report alone: {inside_s:.2f} s ({inside_s / cli_s:.3f} x)")
    print(f"results.json identical: {same}")


if __name__ == "__main__":
    main()
