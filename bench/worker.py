"""Time one workload on one library in a fresh process; print the result as JSON.

    python bench/worker.py LIB WORKLOAD [--min-reps N] [--seconds S]

LIB is retrograd, torch, or a peer from peers.py. The parent (run.py) sets the
thread count through the environment before this process imports anything.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))


def load(lib):
    if lib == "retrograd":
        import retrograd
        return retrograd
    if lib == "torch":
        import torch
        torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "0")) or torch.get_num_threads())
        return torch
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lib")
    ap.add_argument("workload")
    ap.add_argument("--min-reps", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--steps", type=int, default=0, help="run exactly this many steps (rss)")
    a = ap.parse_args()
    mod = load(a.lib)
    if mod is not None:
        from workloads import WORKLOADS
        step = WORKLOADS[a.workload](mod)
    else:
        from peers import make
        step = make(a.lib, a.workload)
    if step is None:
        print(json.dumps({"skip": True}))
        return
    if a.steps:
        for _ in range(a.steps):
            step()
        print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
        return
    step()                       # warm up
    step()
    times = []
    start = time.perf_counter()
    while len(times) < a.min_reps or time.perf_counter() - start < a.seconds:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
        if len(times) >= 200:
            break
    print(json.dumps({"median": statistics.median(times), "min": min(times), "n": len(times)}))


if __name__ == "__main__":
    main()
