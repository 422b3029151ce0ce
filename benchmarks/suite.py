"""Benchmark suite: wall time and peak memory of every model against actors, issues and draws.

Run from the repository root (not part of the tests)::

    python benchmarks/suite.py [--quick] [--out DIR] [--sweeps actors issues draws]
                               [--models compromise median eum nash] [--cap SECONDS]
                               [--wait-quiet SECONDS] [--retry-busy N] [--from-json FILE]

Sweeps (sizes with ``--quick`` in brackets):

* ``actors``: 10, 30, 100, 300, 1000 actors on 1 issue [10, 100, 300];
* ``issues``: 1, 5, 20 issues at 30 actors [1, 20];
* ``draws``: 1, 100, 1000, 10000 Monte Carlo draws of the bundled korea-hanoi-2019
  scenario (6 actors x 5 issues, ``summitry.analysis.uncertainty.sample``, seed 1)
  [1, 1000].

With the four models of summitry 0.1 the full suite takes about 3 minutes on an idle
2-core machine (5 with ``--wait-quiet`` on a shared one), ``--quick`` about a minute
(fewer sizes, shorter repeats, a 5 s cap); each new model adds to both.

The actors and issues sweeps use synthetic inputs from a fixed seed (``--samples`` of them,
1 by default): positions, saliences, capabilities and a status quo on every issue uniform
on [0, 1], every actor present, actors 0 and 1 veto players on every issue (so the Nash
model has vetoes).

Every model in ``summitry.MODELS`` is measured unless ``--models`` names some. An
iterative model (the EUM) is measured twice: ``eum (to stop)`` runs until its stopping rule
(converged, cycle, or its default ``max_rounds=100``), ``eum (N rounds)`` runs exactly
``--rounds`` rounds (10 by default) with the stopping rules off.

Method. Every (model, size) runs in a fresh subprocess that imports summitry, warms the
model up on a tiny input (numba compiles or loads its cached EUM round there), builds the
inputs, then

* memory: resets the kernel's peak-RSS mark (``/proc/self/clear_refs`` = 5), runs once and
  reads ``VmHWM`` from ``/proc/self/status``: *run peak* is that peak minus the RSS just
  before the run, i.e. what the run itself adds, numba's allocations included
  (tracemalloc does not see them). As a cross-check, *process peak - baseline* is the
  child's lifetime peak RSS (``VmHWM``, as ``getrusage(RUSAGE_SELF).ru_maxrss`` reports
  it) minus that of a baseline child that only imports and warms up the same model; it
  includes building the inputs and cannot see a run smaller than the warm-up's own peak;
* time: wall-clock seconds (``time.perf_counter``) of ``Model.run`` (drawing the inputs not
  included), best of several runs: runs repeat until they add up to ``--min-time``
  seconds (1, quick 0.2), at least 3 when one run takes under 5 s, 2 under 30 s, at most
  20.

Other processes compete for the CPUs: for each run the suite records how many cores they
kept busy meanwhile (from ``/proc/stat`` less the child's own CPU time), stars times
taken with half a core or more busy, with ``--wait-quiet S`` waits up to S seconds
before each run for the machine to go quiet, and with ``--retry-busy N`` runs a
configuration up to N more times while others were busy during it, keeping the quietest
(then fastest) attempt.

Growth exponents are least-squares slopes of log(time) and log(memory) against log(size)
over the larger sizes of each sweep (the largest 3 of 5 or 4 sizes, 2 of 3); memory
exponents use only those of them where the run added at least 1 MiB, and need two. A run
predicted (from the slope of the series so far) to take more than ``--cap`` seconds (60,
quick 5) is skipped and marked so, and so is every run once the suite has spent
``--budget`` seconds (600, quick 90; time spent waiting for a quiet machine not counted)
or would with the run predicted; a child that outlives ``3 x cap + 60`` seconds is killed
and marked timed out.

Outputs in ``--out`` (default ``benchmarks/results``): ``results.json`` (every
measurement and the machine), ``results.md`` (the tables as markdown) and one log-log PNG
chart per sweep, time and memory side by side, one line per model.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO = "korea-hanoi-2019"

FULL = {
    "actors": [10, 30, 100, 300, 1000],
    "issues": [1, 5, 20],
    "draws": [1, 100, 1000, 10000],
}
QUICK = {
    "actors": [10, 100, 300],
    "issues": [1, 20],
    "draws": [1, 1000],
}
AXIS = {"actors": "actors (1 issue)", "issues": "issues (30 actors)", "draws": "draws"}


# -- inputs ----------------------------------------------------------------------------------


def synthetic(n_samples: int, n_actors: int, n_issues: int, seed: int = 0) -> Any:
    """Uniform random inputs; actors 0 and 1 (when there are two) veto every issue."""
    import numpy as np

    from summitry.inputs import Inputs

    rng = np.random.default_rng(seed)
    shape = (n_samples, n_actors, n_issues)
    veto = np.zeros((n_actors, n_issues), dtype=bool)
    veto[: min(2, n_actors)] = True
    return Inputs(
        actors=tuple(f"a{k}" for k in range(n_actors)),
        issues=tuple(f"i{k}" for k in range(n_issues)),
        position=rng.uniform(size=shape),
        salience=rng.uniform(size=shape),
        capability=rng.uniform(size=(n_samples, n_actors)),
        status_quo=rng.uniform(size=(n_samples, n_issues)),
        veto=veto,
        present=np.ones((n_actors, n_issues), dtype=bool),
        scale_min=np.zeros(n_issues),
        scale_max=np.ones(n_issues),
    )


def build_inputs(cfg: dict[str, Any]) -> Any:
    if cfg["source"] == "synthetic":
        return synthetic(cfg["draws"], cfg["actors"], cfg["issues"], seed=cfg.get("seed", 0))
    import summitry
    from summitry.analysis.uncertainty import sample

    return sample(summitry.load(cfg["source"]), cfg["draws"], seed=1)


# -- the child process -----------------------------------------------------------------------


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_kib() -> int:
    """This process's peak RSS since start (or since the last reset), KiB."""
    hwm = _status_kib("VmHWM")
    if hwm is not None:
        return hwm
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS


def _compiled() -> int:
    """Signatures compiled so far by every numba function of summitry's models."""
    total = 0
    for name, module in list(sys.modules.items()):
        if name.startswith("summitry.models"):
            for obj in vars(module).values():
                signatures = getattr(obj, "signatures", None)
                if isinstance(signatures, list):
                    total += len(signatures)
    return total


def child(cfg: dict[str, Any]) -> dict[str, Any]:
    """Warm up, run once for memory, then time; return what was measured."""
    import numpy as np

    import summitry

    model = summitry.MODELS[cfg["model"]]()
    rounds = cfg.get("rounds")
    model.run(synthetic(2, 5, 2, seed=123), rng=0, rounds=rounds)  # warm-up (numba)
    if cfg.get("baseline"):
        return {"process_peak_mib": _peak_kib() / 1024}
    compiled = _compiled()
    out: dict[str, Any] = {}
    inputs = build_inputs(cfg)
    out["shape"] = [inputs.n_samples, inputs.n_actors, inputs.n_issues]

    warm_peak = _peak_kib()
    before = _status_kib("VmRSS")
    exact = _reset_peak()
    start = time.perf_counter()
    traj = model.run(inputs, rng=0, rounds=rounds)
    first = time.perf_counter() - start
    peak = _status_kib("VmHWM")
    if exact and before is not None and peak is not None:
        out["run_peak_mib"] = max(0, peak - before) / 1024
    out["rss_before_mib"] = (before or 0) / 1024
    stop = np.asarray(traj.stop_round)
    out["rounds_mean"] = float(stop.mean())
    out["rounds_max"] = int(stop.max())
    out["lane_rounds"] = int(stop.sum())
    del traj

    times = [first]
    while len(times) < cfg["max_repeat"]:
        n, total = len(times), sum(times)
        want = 3 if first < 5.0 else 2 if first < 30.0 else 1
        if total >= cfg["min_time"] and n >= want:
            break
        start = time.perf_counter()
        model.run(inputs, rng=0, rounds=rounds)
        times.append(time.perf_counter() - start)
    out["seconds"] = min(times)
    out["repeats"] = len(times)
    out["recompiled"] = _compiled() != compiled
    # the lifetime peak, as getrusage would give it without the reset above
    out["process_peak_mib"] = max(warm_peak, _peak_kib()) / 1024
    return out


# -- the parent ------------------------------------------------------------------------------


def run_child(cfg: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run one configuration in a fresh interpreter."""
    env = dict(os.environ)
    src = str(ROOT / "src")
    env["PYTHONPATH"] = src + os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else src
    cpu0, own0, wall0 = _cpu_busy(), _children_cpu(), time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", json.dumps(cfg)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return {"status": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        return {"status": f"failed: {tail[0]}"}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    wall = time.perf_counter() - wall0
    if cpu0 is not None:
        others = (_cpu_busy() - cpu0) - (_children_cpu() - own0)
        result["others_cores"] = max(0.0, others / wall)
    result["status"] = "ok"
    return result


def _cpu_busy() -> float | None:
    """CPU-seconds spent busy by every process on the machine so far (Linux)."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def quieter(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether run ``a`` was taken on a quieter machine than ``b`` (or as quiet, faster)."""
    if a["status"] != "ok" or b["status"] != "ok":
        return a["status"] == "ok"
    busy_a, busy_b = a.get("others_cores", 0.0) >= BUSY, b.get("others_cores", 0.0) >= BUSY
    return (busy_b and not busy_a) or (busy_a == busy_b and a["seconds"] < b["seconds"])


def wait_for_quiet(limit: float) -> float:
    """Wait up to ``limit`` seconds until other processes keep under half a core busy."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        before = _cpu_busy()
        if before is None:
            break
        time.sleep(0.5)
        if (_cpu_busy() - before) / 0.5 < 0.5:
            break
    return time.perf_counter() - start


def child_main(cfg: dict[str, Any]) -> None:
    print(json.dumps(child(cfg)))


def series_of(models: list[str], rounds: int) -> list[dict[str, Any]]:
    """The lines of every chart: each model, an iterative one twice (to stop, fixed rounds)."""
    import summitry

    out = []
    for name in models:
        if summitry.MODELS[name].iterative:
            common = {"model": name, "iterative": True}
            out.append({"key": name, "label": f"{name} (to stop)", "rounds": None, **common})
            label = f"{name} ({rounds} rounds)"
            out.append({"key": f"{name}@{rounds}", "label": label, "rounds": rounds, **common})
        else:
            out.append({"key": name, "label": name, "model": name, "rounds": None})
    return out


def config(sweep: str, size: int, series: dict[str, Any], args: argparse.Namespace) -> dict:
    cfg = {
        "model": series["model"],
        "rounds": series["rounds"],
        "min_time": args.min_time,
        "max_repeat": 20,
    }
    if sweep == "actors":
        cfg.update(source="synthetic", draws=args.samples, actors=size, issues=1)
    elif sweep == "issues":
        cfg.update(source="synthetic", draws=args.samples, actors=30, issues=size)
    else:
        cfg.update(source=args.scenario, draws=size, actors=None, issues=None)
    return cfg


def predicted(points: list[tuple[int, float]], size: int) -> float | None:
    """Time at ``size`` extrapolated from the last two measured points (slope 1 to 3)."""
    if len(points) < 2:
        return None
    (n1, t1), (n0, t0) = points[-2], points[-1]
    slope = math.log(t0 / t1) / math.log(n0 / n1) if t0 > 0 and t1 > 0 else 2.0
    return t0 * (size / n0) ** min(3.0, max(1.0, slope))


def fit(points: list[tuple[float, float]], larger: bool = True) -> float | None:
    """Least-squares slope of log y on log x, over the larger sizes only by default.

    The larger sizes are the largest ``n // 2 + 1`` of ``n`` (3 of 5 or 4, 2 of 3).
    """
    pts = [(x, y) for x, y in points if y is not None and y > 0]
    if len(pts) < 2:
        return None
    if larger:
        pts = sorted(pts)[-max(2, len(pts) // 2 + 1) :]
    xs = [math.log(x) for x, _ in pts]
    ys = [math.log(y) for _, y in pts]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


BUSY = 0.5
"""Cores: a time measured while other processes kept this many busy is starred."""

MEM_DRAWN = 0.1
"""MiB: smaller run peaks are left out of the memory chart."""

MEM_FLOOR = 1.0
"""MiB: runs adding less are within the noise of RSS and left out of memory exponents."""


def exponents(results: list[dict], sweep: str, key: str) -> tuple[float | None, float | None]:
    """Time and memory growth exponents of one series; memory only from runs of 1 MiB up."""
    rows = [r for r in results if r["sweep"] == sweep and r["series"] == key and r["ok"]]
    t = fit([(r["size"], r["seconds"]) for r in rows])
    sizes = sorted(r["size"] for r in rows)
    larger = set(sizes[-max(2, len(sizes) // 2 + 1) :])
    mem = [
        (r["size"], r["run_peak_mib"])
        for r in rows
        if r["size"] in larger and (r.get("run_peak_mib") or 0.0) >= MEM_FLOOR
    ]
    return t, fit(mem, larger=False) if len(mem) >= 2 else None


# -- formatting ------------------------------------------------------------------------------


def fmt_time(s: float | None) -> str:
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def fmt_mem(m: float | None) -> str:
    return "-" if m is None else f"{m:.1f}"


def fmt_exp(e: float | None) -> str:
    return "n/a" if e is None else f"{e:.2f}"


def cell(r: dict | None, what: str) -> str:
    if r is None:
        return "-"
    if not r["ok"]:
        return r["status"].split(":")[0]
    if what == "time":
        busy = r.get("others_cores", 0.0) >= BUSY
        return fmt_time(r["seconds"]) + (" *" if busy else "")
    if what == "mem":
        return fmt_mem(r.get("run_peak_mib"))
    return fmt_mem(r.get("over_baseline_mib"))


def tables(results: list[dict], sweep: str, series: list[dict]) -> list[tuple[str, list, list]]:
    """(title, header, rows) for the time, memory and exponent tables of one sweep."""
    sizes = sorted({r["size"] for r in results if r["sweep"] == sweep})
    index = {(r["series"], r["size"]): r for r in results if r["sweep"] == sweep}
    labels = [s["label"] for s in series]
    out = []
    for what, title in (
        ("time", f"wall time, best of repeats (* other processes busy >= {BUSY} core)"),
        ("mem", "run peak RSS, MiB"),
        ("base", "process peak - baseline child, MiB"),
    ):
        rows = [[str(n)] + [cell(index.get((s["key"], n)), what) for s in series] for n in sizes]
        out.append((f"{AXIS[sweep]}: {title}", [AXIS[sweep].split()[0], *labels], rows))
    iterative = [s for s in series if s.get("iterative")]
    if iterative:
        rows = []
        for n in sizes:
            row = [str(n)]
            for s in iterative:
                r = index.get((s["key"], n))
                if r is None or not r["ok"]:
                    row += ["-", "-"]
                    continue
                per = r["seconds"] / r["lane_rounds"] if r["lane_rounds"] else None
                row += [f"{r['rounds_mean']:.1f} / {r['rounds_max']}", fmt_time(per)]
            rows.append(row)
        header = [AXIS[sweep].split()[0]]
        for s in iterative:
            header += [f"{s['label']}: rounds mean / max", f"{s['label']}: time per lane-round"]
        out.append((f"{AXIS[sweep]}: rounds played by the iterative models", header, rows))
    rows = []
    for s in series:
        t, m = exponents(results, sweep, s["key"])
        rows.append([s["label"], fmt_exp(t), fmt_exp(m)])
        if s.get("iterative"):
            pts = [
                (r["size"], r["seconds"] / r["lane_rounds"])
                for r in results
                if r["sweep"] == sweep and r["series"] == s["key"] and r["ok"] and r["lane_rounds"]
            ]
            rows[-1].append(fmt_exp(fit(pts)))
        else:
            rows[-1].append("")
    out.append(
        (
            f"{AXIS[sweep]}: growth exponents (log-log slope over the larger sizes)",
            ["model", "time", "run peak memory", "time per lane-round"],
            rows,
        )
    )
    return out


def print_tables(tabs: list[tuple[str, list, list]]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain text
        for title, header, rows in tabs:
            print(f"\n{title}")
            print(" | ".join(header))
            for row in rows:
                print(" | ".join(row))
        return
    console = Console()
    for title, header, rows in tabs:
        table = Table(title=title, title_justify="left")
        for k, h in enumerate(header):
            table.add_column(h, justify="left" if k == 0 else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)


def markdown(tabs: list[tuple[str, list, list]]) -> str:
    lines = []
    for title, header, rows in tabs:
        lines += [f"**{title}**", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


def chart(
    results: list[dict], sweep: str, series: list[dict], path: Path, subtitle: str = ""
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 4.2), sharex=True)
    for k, s in enumerate(series):
        color = f"C{k}"
        rows = sorted(
            (r for r in results if r["sweep"] == sweep and r["series"] == s["key"] and r["ok"]),
            key=lambda r: r["size"],
        )
        if not rows:
            continue
        t_exp, m_exp = exponents(results, sweep, s["key"])
        label = s["label"] + (f"  (slope {t_exp:.2f})" if t_exp is not None else "")
        ax_t.plot(
            [r["size"] for r in rows], [r["seconds"] for r in rows], "o-", color=color, label=label
        )
        mem = [(r["size"], r.get("run_peak_mib")) for r in rows]
        mem = [(n, m) for n, m in mem if m is not None and m >= MEM_DRAWN]
        if mem:
            label = s["label"] + (f"  (slope {m_exp:.2f})" if m_exp is not None else "")
            ax_m.plot(*zip(*mem, strict=True), "o-", color=color, label=label)
    ax_t.set_title("wall time, best of repeats", fontsize=9)
    ax_m.set_title(f"run peak RSS; runs adding < {MEM_DRAWN} MiB (noise) not drawn", fontsize=9)
    for ax, ylabel in ((ax_t, "wall time, s"), (ax_m, "run peak RSS above start, MiB")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(AXIS[sweep])
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"summitry: {AXIS[sweep]}{subtitle}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def machine() -> dict[str, Any]:
    import numba
    import numpy

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem_gib = None
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": mem_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "numba_threads": numba.config.NUMBA_NUM_THREADS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about a minute: smaller sizes")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--sweeps", nargs="+", choices=list(FULL), default=list(FULL))
    parser.add_argument("--models", nargs="+", default=None, help="default: every model")
    parser.add_argument("--samples", type=int, default=1, help="samples in actors/issues sweeps")
    parser.add_argument("--scenario", default=SCENARIO, help="bundled scenario of the draws sweep")
    parser.add_argument(
        "--rounds", type=int, default=10, help="rounds of the fixed-rounds run of iterative models"
    )
    parser.add_argument(
        "--cap", type=float, default=None, help="skip runs predicted longer (s; 60, quick 5)"
    )
    parser.add_argument("--min-time", type=float, default=None, help="seconds of repeats")
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="skip what is left once the runs have taken this long (s; 600, quick 90)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        help="before each run, wait up to this many seconds for other processes to go idle",
    )
    parser.add_argument(
        "--retry-busy",
        type=int,
        default=0,
        help="run a configuration again (up to N times) when others were busy during it",
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        default=None,
        help="print the tables and redraw the charts of an earlier results.json; run nothing",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(json.loads(args.child))
        return
    if args.from_json:
        data = json.loads(args.from_json.read_text())
        out = args.out if "--out" in sys.argv else args.from_json.parent
    else:
        data, out = measure(args), args.out
    report(data, out)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run every configuration; return the machine, the settings and the measurements."""
    import summitry

    models = args.models or list(summitry.MODELS)
    sizes = QUICK if args.quick else FULL
    if args.min_time is None:
        args.min_time = 0.2 if args.quick else 1.0
    if args.cap is None:
        args.cap = 5.0 if args.quick else 60.0
    if args.budget is None:
        args.budget = 90.0 if args.quick else 600.0
    series = series_of(models, args.rounds)
    info = machine()
    print(
        f"{info['nproc']} CPUs ({info['cpu']}), python {info['python']}, numpy {info['numpy']},"
        f" numba {info['numba']}; {'quick' if args.quick else 'full'} suite"
    )
    wall = time.perf_counter()

    baseline: dict[str, float] = {}
    for name in dict.fromkeys(s["model"] for s in series):
        b = run_child({"model": name, "baseline": True}, timeout=600)
        if b["status"] != "ok":
            sys.exit(f"baseline child for {name} {b['status']}")
        baseline[name] = b["process_peak_mib"]
    print("baseline children (import + warm-up) peak RSS, MiB:", baseline)

    timeout, waited = 3 * args.cap + 60, 0.0
    results: list[dict] = []
    for sweep in args.sweeps:
        for s in series:
            measured: list[tuple[int, float]] = []
            for size in sizes[sweep]:
                guess = predicted(measured, size)
                row = {"sweep": sweep, "series": s["key"], "label": s["label"], "size": size}
                spent = time.perf_counter() - wall - waited
                skip = None
                if guess is not None and guess > args.cap:
                    skip = f"skipped: predicted {guess:.0f} s > cap"
                elif spent + (guess or 0.0) > args.budget:
                    skip = f"skipped: over the suite's {args.budget:.0f} s budget"
                if skip:
                    row.update(ok=False, status=skip)
                    print(f"  {sweep:>6} {s['label']:<16} {size:>6}  {row['status']}")
                    results.append(row)
                    continue
                res: dict[str, Any] = {}
                for attempt in range(1 + args.retry_busy):
                    if args.wait_quiet:
                        waited += wait_for_quiet(args.wait_quiet)
                    new = run_child(config(sweep, size, s, args), timeout)
                    new["attempts"] = attempt + 1
                    if not res or quieter(new, res):
                        res = new
                    if new["status"] != "ok" or new.get("others_cores", 0.0) < BUSY:
                        break
                row.update(res, ok=res["status"] == "ok")
                if row["ok"]:
                    row["over_baseline_mib"] = res["process_peak_mib"] - baseline[s["model"]]
                    measured.append((size, res["seconds"]))
                    note = " (recompiled during the run!)" if res["recompiled"] else ""
                    print(
                        f"  {sweep:>6} {s['label']:<16} {size:>6}  {fmt_time(res['seconds']):>9}"
                        f"  run peak {fmt_mem(res.get('run_peak_mib')):>7} MiB"
                        f"  x{res['repeats']}  others {res.get('others_cores', 0):.1f} cores{note}",
                        flush=True,
                    )
                else:
                    print(f"  {sweep:>6} {s['label']:<16} {size:>6}  {row['status']}", flush=True)
                results.append(row)
    return {
        "command": " ".join(["python", "benchmarks/suite.py", *sys.argv[1:]]),
        "machine": info,
        "settings": {
            k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "child"
        },
        "series": series,
        "baseline_mib": baseline,
        "elapsed_s": time.perf_counter() - wall,
        "waited_s": waited,
        "results": results,
    }


def report(data: dict[str, Any], out: Path) -> None:
    """Print the tables; write results.json, results.md and the charts into ``out``."""
    info, results, series = data["machine"], data["results"], data["series"]
    sweeps = list(dict.fromkeys(r["sweep"] for r in results))
    loads = [r["others_cores"] for r in results if r.get("others_cores") is not None]
    busy = sum(loads) / len(loads) if loads else 0.0
    md = [
        f"Command: `{data['command']}`",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory_gib']:.0f} GiB,"
        f" python {info['python']}, numpy {info['numpy']}, numba {info['numba']}"
        f" ({info['numba_threads']} threads). The suite took {data['elapsed_s']:.0f} s"
        f" ({data['waited_s']:.0f} s of it waiting for a quiet machine). Other processes kept"
        f" {busy:.1f} cores busy on average during the runs (at most {max(loads, default=0):.1f})."
        f" Synthetic sweeps: {data['settings']['samples']} sample(s). Baseline children (import"
        " + warm-up) peak RSS, MiB: "
        + ", ".join(f"{k} {v:.0f}" for k, v in data["baseline_mib"].items()),
        "",
    ]
    out.mkdir(parents=True, exist_ok=True)
    for sweep in sweeps:
        tabs = tables(results, sweep, series)
        print_tables(tabs)
        md.append(markdown(tabs))
        if sweep == "draws":
            note = f", {data['settings']['scenario']}"
        else:
            n = data["settings"]["samples"]
            note = f", {n} sample{'s' if n != 1 else ''} each"
        chart(results, sweep, series, out / f"{sweep}.png", note)
    for r in results:
        if not r["ok"]:
            print(f"not measured: {r['sweep']} {r['label']} {r['size']}: {r['status']}")
    (out / "results.md").write_text("\n".join(md))
    (out / "results.json").write_text(json.dumps(data, indent=1))
    print(f"suite took {data['elapsed_s']:.0f} s; wrote {out}/results.{{json,md}} and charts")


if __name__ == "__main__":
    main()
