"""summitry's EUM against the schelling program's challenge solver, whole processes, side by side.

Both programs forecast the European Community emission case with Germany and France
uncertain, 10,000 draws, in the same session. summitry reads
``benchmarks/data/ec-example-uncertain.yaml``; schelling reads its own replication
fixture (``tests/fixtures/emission_standards.json`` of its checkout) with the matching
triangular ranges written in (see the YAML's header). Each command runs three times;
the median wall time and the median peak resident memory are reported (``/usr/bin/time``).
A last row times the floor under any summitry forecast: an interpreter that only imports
the libraries the forecast command needs (numpy, scipy.special, pydantic, PyYAML, typer,
rich), and does nothing else.

    python benchmarks/bench_schelling.py --schelling /path/to/venv/bin/schelling \\
        --checkout /path/to/schelling [--draws 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
SCENARIO = HERE / "data" / "ec-example-uncertain.yaml"
RANGES = {  # the triangular ranges matched by the YAML's standard deviations
    "germany": {"position": (4, 4, 6), "salience": (60, 80, 100)},
    "france": {"position": (8, 10, 10), "salience": (40, 60, 80)},
}
RULES = {
    "summitry eum, default rule (cycles, up to 100 rounds)": "eum",
    "summitry eum, schelling's rule (median, eps 0.5, 20 rounds)": (
        "eum:stop=median,eps=0.5,patience=2,max_rounds=20"
    ),
}
FLOOR = "import numpy, scipy.special, pydantic, yaml, typer, rich"


def peer_input(checkout: Path, folder: Path) -> Path:
    """schelling's EC fixture with the uncertain ranges of :data:`RANGES`."""
    game = json.loads((checkout / "tests/fixtures/emission_standards.json").read_text())
    for actor in game["actors"]:
        for field, (low, mode, high) in RANGES.get(actor["id"], {}).items():
            actor[field] = {"low": low, "mode": mode, "high": high}
    path = folder / "ec_uncertain.json"
    path.write_text(json.dumps(game))
    return path


def measure(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Median wall seconds and median peak memory (MiB) of ``repeat`` runs of ``cmd``."""
    times, peaks = [], []
    for _ in range(repeat):
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", *cmd], capture_output=True, text=True, check=True
        )
        wall, kib = done.stderr.strip().splitlines()[-1].split()
        times.append(float(wall))
        peaks.append(int(kib) / 1024)
    return statistics.median(times), statistics.median(peaks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schelling", required=True, help="the schelling command")
    ap.add_argument("--checkout", required=True, type=Path, help="schelling's source tree")
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    summitry = str(Path(sys.executable).with_name("summitry"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        game = peer_input(args.checkout, folder)
        peer = [args.schelling, "solve", str(game), "--draws", str(args.draws)]
        peer += ["--solver", "challenge", "--out-dir", str(folder / "runs")]
        subprocess.run(peer[:3] + ["--draws", "10"] + peer[5:], capture_output=True, check=True)
        label = "schelling challenge (median, eps 0.5, 20 rounds)"
        rows.append((label, *measure(peer, args.repeat)))
        for label, spec in RULES.items():
            cmd = [summitry, "forecast", str(SCENARIO), "--model", spec]
            cmd += ["--samples", str(args.draws), "--no-store"]
            subprocess.run(cmd[:5] + ["--samples", "1000", "--no-store"], capture_output=True)
            rows.append((label, *measure(cmd, args.repeat)))
        floor = [sys.executable, "-c", FLOOR]
        label = "floor: importing the libraries a forecast needs"
        rows.append((label, *measure(floor, args.repeat)))
    base_t, base_m = rows[0][1], rows[0][2]
    print(f"{args.draws:,} draws, median of {args.repeat} whole processes")
    print(f"{'program and rule':<62} {'time s':>7} {'peak MiB':>9} {'time ratio':>10}")
    for label, t, m in rows:
        print(f"{label:<62} {t:7.2f} {m:9.0f} {t / base_t:10.3f}")
    print(f"(memory ratios to schelling: {', '.join(f'{m / base_m:.2f}' for _, _, m in rows)})")


if __name__ == "__main__":
    main()
