"""Benchmark retrograd against PyTorch (and the peer engines that are installed).

    python bench/run.py                  # 1 thread each, the README table
    python bench/run.py --threads all    # BLAS/torch threads on
    python bench/run.py --quick          # fewer rounds

Every (library, workload) runs in its own fresh process; libraries alternate
(A B A B ...) for several rounds so machine drift cancels, and each cell is the
median over rounds of the per-process medians.
"""
import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# (workload, unit, divisor, target ratio to torch, description)
ROWS = [
    ("chain", "us/op", 1000, 0.5, "1,000-op elementwise chain, 16 float64, fwd+bwd"),
    ("chain_create_graph", "us/op", 1000, 1.0, "same, backward with create_graph=True"),
    ("mlp", "ms/step", 1e-3, 1.0, "MLP 784-256-256-10, batch 64, f32, CE + SGD step"),
    ("cnn", "ms/step", 1e-3, 1.5, "small CNN, batch 32 of 28x28, one step"),
    ("chain_10k", "ms", 1e-3, None, "10,000-op chain on 1 element, fwd+bwd"),
    ("chain_100k", "ms", 1e-3, 1.0, "100,000-op chain on 1 element, fwd+bwd"),
]
PEER_WORKLOADS = {"chain", "mlp"}


def env_for(threads):
    env = dict(os.environ)
    if threads != "all":
        for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                  "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
            env[k] = str(threads)
        env["BENCH_THREADS"] = str(threads)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("JAX_PLATFORMS", "cpu")
    return env


def run_worker(lib, workload, env, seconds, extra=()):
    cmd = [sys.executable, os.path.join(HERE, "worker.py"), lib, workload, "--seconds", str(seconds), *extra]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def import_time(module, env, reps=5):
    """Seconds `import module` adds to a bare interpreter, with bytecode caches written and
    used as an installed package has them (a first run writes them)."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", f"import {module}"], env=env, check=True)
    base, t = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        base.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], env=env, check=True)
        t.append(time.perf_counter() - t0)
    return max(0.0, statistics.median(t) - statistics.median(base))


def installed(module):
    try:
        return importlib.util.find_spec(module) is not None
    except Exception:
        return False


def versions(peers):
    import numpy
    out = {"python": platform.python_version(), "numpy": numpy.__version__}
    for m in ["retrograd", "torch"] + peers:
        try:
            from importlib.metadata import version
            out[m] = version(m)
        except Exception:
            out[m] = "?"
    return out


def fmt(x, unit):
    if x is None:
        return "—"
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workloads", default=",".join(r[0] for r in ROWS))
    ap.add_argument("--peers", default="auto", help="comma list, 'auto' (installed ones) or 'none'")
    ap.add_argument("--json", default=os.path.join(HERE, "results", "latest.json"))
    a = ap.parse_args()
    if a.quick:
        a.rounds, a.seconds = 1, 0.5
    env = env_for(a.threads)
    from peers import PEERS, MODULES
    peers = ([p for p in PEERS if installed(MODULES[p])] if a.peers == "auto"
             else [] if a.peers == "none" else a.peers.split(","))
    wanted = a.workloads.split(",")
    results = {}
    for wl, unit, div, target, desc in ROWS:
        if wl not in wanted:
            continue
        libs = ["retrograd", "torch"] + ([p for p in peers] if wl in PEER_WORKLOADS else [])
        cells = {lib: [] for lib in libs}
        for _ in range(a.rounds):
            for lib in libs:                       # A B A B: drift cancels
                r = run_worker(lib, wl, env, a.seconds)
                cells[lib].append(r)
        row = {}
        for lib, rs in cells.items():
            meds = [r["median"] for r in rs if "median" in r]
            err = next((r.get("error") for r in rs if "error" in r), None)
            row[lib] = {"value": statistics.median(meds) / div * (1e6 if unit == "us/op" else 1) if meds else None,
                        "error": err, "skip": any(r.get("skip") for r in rs)}
            if unit == "us/op" and meds:
                row[lib]["value"] = statistics.median(meds) * 1e6 / div
            elif meds:
                row[lib]["value"] = statistics.median(meds) * 1e3
        results[wl] = row
        print(f"  {wl}: " + ", ".join(f"{k}={fmt(v['value'], unit)}" for k, v in row.items()), file=sys.stderr)
    extra = {}
    if "hvp" in wanted or "all" in wanted or True:
        g = [run_worker("retrograd", "grad", env, a.seconds) for _ in range(a.rounds)]
        h = [run_worker("retrograd", "hvp", env, a.seconds) for _ in range(a.rounds)]
        gt = [run_worker("torch", "grad", env, a.seconds) for _ in range(a.rounds)]
        ht = [run_worker("torch", "hvp", env, a.seconds) for _ in range(a.rounds)]
        med = lambda rs: statistics.median([r["median"] for r in rs if "median" in r]) if any("median" in r for r in rs) else None
        extra["hvp_over_grad"] = {"retrograd": (med(h) / med(g)) if med(h) and med(g) else None,
                                  "torch": (med(ht) / med(gt)) if med(ht) and med(gt) else None}
        extra["import_s"] = {"retrograd": import_time("retrograd", env), "torch": import_time("torch", env),
                             "numpy": import_time("numpy", env)}
        rss = {lib: run_worker(lib, "mlp", env, 0, ("--steps", "200")).get("rss_mb") for lib in ("retrograd", "torch")}
        extra["rss_mb"] = rss
    info = {"threads": a.threads, "rounds": a.rounds, "machine": platform.machine(),
            "cpus": os.cpu_count(), "versions": versions(peers)}
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump({"info": info, "results": results, "extra": extra}, f, indent=1)
    print(table(info, results, extra, peers))


def table(info, results, extra, peers):
    v = info["versions"]
    lines = [f"threads: {info['threads']} · rounds: {info['rounds']} · " +
             " · ".join(f"{k} {v[k]}" for k in v), ""]
    head = "| workload | unit | retrograd | PyTorch | ratio | target |" + "".join(f" {p} |" for p in peers)
    lines += [head, "|" + "---|" * (6 + len(peers))]
    for wl, unit, div, target, desc in ROWS:
        if wl not in results:
            continue
        r = results[wl]
        ours, theirs = r["retrograd"]["value"], r["torch"]["value"]
        ratio = f"{ours / theirs:.2f}×" if ours and theirs else "—"
        ok = "" if target is None or not (ours and theirs) else (" ✓" if ours / theirs <= target else " ✗")
        row = f"| {desc} | {unit} | {fmt(ours, unit)} | {fmt(theirs, unit)} | {ratio}{ok} | {'≤ %.1f×' % target if target else ''} |"
        for p in peers:
            c = r.get(p)
            row += f" {fmt(c['value'], unit) if c and c['value'] else '—'} |"
        lines.append(row)
    h = extra.get("hvp_over_grad", {})
    if h.get("retrograd"):
        lines.append(f"| Hessian-vector product ÷ one gradient (small MLP) | ratio | {h['retrograd']:.2f} | "
                     f"{h['torch']:.2f} | — | ≤ 3 |" + " |" * len(peers))
    imp = extra.get("import_s", {})
    if imp:
        ok = " ✓" if imp["retrograd"] <= 0.1 else " ✗"
        np_s = f" (NumPy alone: {imp['numpy']:.3f} s)" if imp.get("numpy") else ""
        lines.append(f"| `import`{np_s} | s | {imp['retrograd']:.3f}{ok} | {imp['torch']:.3f} | "
                     f"{imp['retrograd'] / imp['torch']:.2f}× | ≤ 0.1 s |" + " |" * len(peers))
    rss = extra.get("rss_mb", {})
    if rss.get("retrograd") and rss.get("torch"):
        lines.append(f"| peak RSS, 200 MLP steps | MB | {rss['retrograd']:.0f} | {rss['torch']:.0f} | "
                     f"{rss['retrograd'] / rss['torch']:.2f}× | ≤ 0.3× |" + " |" * len(peers))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
