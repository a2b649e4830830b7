"""Train an MLP and a small CNN on real handwritten digits, with retrograd.

    python examples/train_digits.py              # retrograd
    python examples/train_digits.py --torch      # the same script under PyTorch
    python examples/train_digits.py --compare    # both, loss curves in one picture

The data is scikit-learn's bundled digits set (1,797 scans of handwritten
digits, 8x8 pixels, from the UCI repository; nothing is downloaded). The
script is ordinary PyTorch code: only the import line differs between the two
libraries. It prints held-out accuracy and saves the loss curves as a PNG.
"""
import argparse
import importlib
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))   # run from a checkout without installing


def load_digits(seed=0, test_fraction=0.2):
    from sklearn.datasets import load_digits as sk_digits
    d = sk_digits()
    x = (d.images / 16.0).astype(np.float32)[:, None, :, :]      # N x 1 x 8 x 8, in [0, 1]
    y = d.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(len(y) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def build(torch, kind):
    nn = torch.nn
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                             nn.Linear(64, 10))
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 16 x 4 x 4
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 32 x 2 x 2
        nn.Flatten(), nn.Linear(128, 10))


def train(lib_name, kind, epochs, seed=0, quiet=False):
    """Train one model under one library; returns per-epoch losses and the held-out accuracy."""
    from tqdm import tqdm
    torch = importlib.import_module(lib_name)
    torch.manual_seed(seed)
    xtr, ytr, xte, yte = load_digits(seed)
    data = torch.utils.data.TensorDataset(torch.from_numpy(xtr), torch.from_numpy(ytr))
    loader = torch.utils.data.DataLoader(data, batch_size=64, shuffle=True,
                                         generator=torch.Generator().manual_seed(seed))
    model = build(torch, kind)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    losses, steps, t0 = [], 0, time.perf_counter()
    bar = tqdm(range(epochs), desc=f"{lib_name:9s} {kind}", disable=quiet, ncols=88)
    for _ in bar:
        model.train()
        total, n = 0.0, 0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
            n += len(yb)
            steps += 1
        losses.append(total / n)
        bar.set_postfix(loss=f"{losses[-1]:.4f}")
    seconds = time.perf_counter() - t0

    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(xte)).argmax(dim=1)
        acc = (pred == torch.from_numpy(yte)).float().mean().item()
    return {"losses": losses, "accuracy": acc, "steps_per_s": steps / seconds}


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for (lib, kind), r in results.items():
        ax.plot(range(1, len(r["losses"]) + 1), r["losses"], "-" if lib == "retrograd" else "--",
                label=f"{lib} {kind} (test acc {r['accuracy']:.1%})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (cross-entropy)")
    ax.set_yscale("log")
    ax.set_title("Handwritten digits (scikit-learn, 8x8)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--torch", action="store_true", help="run under PyTorch instead of retrograd")
    p.add_argument("--compare", action="store_true", help="run under both and plot both")
    p.add_argument("--model", choices=["mlp", "cnn", "both"], default="both")
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--out", default=os.path.join(HERE, "digits_loss.png"))
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    args = p.parse_args(argv)

    libs = ["retrograd", "torch"] if args.compare else ["torch" if args.torch else "retrograd"]
    kinds = ["mlp", "cnn"] if args.model == "both" else [args.model]
    results = {}
    for kind in kinds:
        for lib in libs:
            r = results[lib, kind] = train(lib, kind, args.epochs, quiet=args.quiet)
            print(f"{lib:9s} {kind}: held-out accuracy {r['accuracy']:.1%}, "
                  f"final loss {r['losses'][-1]:.4f}, {r['steps_per_s']:.0f} steps/s")
    plot(results, args.out)
    print(f"loss curves: {os.path.relpath(args.out)}")
    return results


if __name__ == "__main__":
    main()
