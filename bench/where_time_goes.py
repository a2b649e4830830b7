"""Where retrograd's time goes, per op, on one workload.

    python bench/where_time_goes.py                 # the 1,000-op chain, forward + backward
    python bench/where_time_goes.py chain_create_graph
    python bench/where_time_goes.py mlp --top 25

Runs the workload under cProfile and sorts each function's own time into the
steps of an op's life: dispatch (promotion, Tensor and Node creation inline),
saving for backward, the engine's bookkeeping, the backward formulas, the
edge fix-ups (undoing broadcasting, casting back), gradient accumulation and
NumPy itself. cProfile inflates Python-level costs, so read the shares, not
the absolute times.
"""
import argparse
import cProfile
import os
import pstats
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import workloads  # noqa: E402

CATEGORIES = [
    # (category, predicate on (filename, function name, names of its callers))
    ("saving for backward", lambda f, n, c: n in ("_save", "_save_k")),
    ("backward formulas", lambda f, n, c: n in ("_run", "_run_free") or bool({"_run", "_run_free"} & c)),
    ("edge fix-ups (broadcast, cast)", lambda f, n, c: n in ("_fix_edges", "sum_to") or "_fix_edges" in c),
    ("accumulation into .grad", lambda f, n, c: n == "accumulate_grad" or "accumulate_grad" in c),
    ("engine bookkeeping", lambda f, n, c: f.endswith(("engine.py", "hooks.py", "graph.py"))),
    ("dispatch (promotion, Tensor and Node creation)",
     lambda f, n, c: f.endswith(("dispatch.py", "tensor.py", "dtypes.py", "grad_mode.py"))),
    ("op forwards (array code)", lambda f, n, c: "retrograd" in f),
    ("NumPy and builtins, called from dispatch", lambda f, n, c: True),
]


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("workload", nargs="?", default="chain")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--top", type=int, default=0, help="also print the top N functions")
    args = p.parse_args(argv)
    import retrograd
    step = workloads.WORKLOADS[args.workload](retrograd)
    for _ in range(3):
        step()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(args.steps):
        step()
    prof.disable()
    stats = pstats.Stats(prof)
    totals = {c: 0.0 for c, _ in CATEGORIES}
    for (fname, _line, func), (_cc, _nc, tt, _ct, callers) in stats.stats.items():
        called_by = {c[2] for c in callers}
        for cat, pred in CATEGORIES:
            if pred(fname, func, called_by):
                totals[cat] += tt
                break
    whole = sum(totals.values())
    print(f"{args.workload}: {args.steps} steps under cProfile, {whole / args.steps * 1e3:.2f} ms/step")
    for cat, t in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {cat:48s} {100 * t / whole:5.1f} %")
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
