"""Lines of code per directory, and the budget CI holds them to.

    python tools/sz.py           # print the table
    python tools/sz.py --check   # also fail (exit 1) above a budget

Raise a budget on purpose, in a commit message that says why.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUDGET = {                    # directory -> max lines of Python (code, comments and docstrings)
    "retrograd": 4000,
    "retrograd/autograd": 3000,
    "retrograd/ops": 12000,
    "retrograd/nn": 5000,
    "retrograd/optim": 1500,
    "retrograd/utils": 1500,
}
FILE_LIMITS = {"retrograd/autograd/engine.py": 200}
FILE_MAX = 800                # STYLE.md: at 800 lines, split


def count(path):
    with open(path, encoding="utf-8") as f:
        return sum(1 for line in f if line.strip())


def main():
    check = "--check" in sys.argv
    rows, bad = [], []
    for d in sorted(BUDGET) + sorted({os.path.relpath(r, ROOT) for r, _, fs in os.walk(os.path.join(ROOT, "retrograd"))
                                      if any(f.endswith(".py") for f in fs)} - set(BUDGET)):
        full = os.path.join(ROOT, d)
        if not os.path.isdir(full):
            continue
        files = [os.path.join(full, f) for f in os.listdir(full) if f.endswith(".py")]
        n = sum(count(f) for f in files)
        budget = BUDGET.get(d)
        rows.append((d, n, budget))
        if budget is not None and n > budget:
            bad.append(f"{d}: {n} lines > budget {budget}")
        for f in files:
            rel = os.path.relpath(f, ROOT)
            lim = FILE_LIMITS.get(rel, FILE_MAX)
            c = count(f)
            if c > lim:
                bad.append(f"{rel}: {c} lines > {lim}")
    width = max(len(r[0]) for r in rows)
    for d, n, b in rows:
        print(f"{d:<{width}}  {n:>6}  {'' if b is None else 'budget ' + str(b)}")
    total = sum(n for d, n, _ in rows)
    print(f"{'total':<{width}}  {total:>6}")
    if bad:
        print("\n".join(["", "over budget:"] + bad))
        if check:
            sys.exit(1)


if __name__ == "__main__":
    main()
