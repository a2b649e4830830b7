"""Workloads, written once against torch's API, run on retrograd and on PyTorch.

Each workload is `make(lib) -> step`, where `step()` runs one timed iteration.
"""
import numpy as np

CHAIN_OPS = 1000


def _chain(x, n):
    # four cheap elementwise ops every engine has: mul/add by a scalar, tanh, exp
    for _ in range(n // 4):
        x = x * 1.001
        x = x.tanh()
        x = x + 0.5
        x = x.exp()
    return x


def chain(lib, n=CHAIN_OPS, size=16, create_graph=False):
    x = lib.tensor(np.random.default_rng(0).uniform(-1, 1, size), dtype=lib.float64, requires_grad=True)

    def step():
        y = _chain(x, n).sum()
        if create_graph:
            lib.autograd.grad(y, x, create_graph=True)
        else:
            lib.autograd.grad(y, x)
    return step


def _mlp_params(lib, sizes, rng):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        W = lib.tensor(rng.uniform(-bound, bound, (fan_in, fan_out)), dtype=lib.float32, requires_grad=True)
        b = lib.tensor(rng.uniform(-bound, bound, fan_out), dtype=lib.float32, requires_grad=True)
        params += [W, b]
    return params


def _mlp_forward(lib, params, x):
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i + 2 < len(params):
            h = h.relu()
    return h


def _has_nn(lib):
    return hasattr(lib, "nn") and hasattr(lib.nn, "Linear") and hasattr(lib, "optim")


def mlp(lib, batch=64, sizes=(784, 256, 256, 10)):
    """One SGD training step of an MLP with ReLU and cross-entropy, float32."""
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, sizes[0])), dtype=lib.float32)
    y = lib.tensor(rng.integers(0, sizes[-1], batch))
    if _has_nn(lib):
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(lib.nn.Linear(a, b))
            if i + 2 < len(sizes):
                layers.append(lib.nn.ReLU())
        model = lib.nn.Sequential(*layers)
        opt = lib.optim.SGD(model.parameters(), lr=0.01)
        loss_fn = lib.nn.functional.cross_entropy

        def step():
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        return step
    params = _mlp_params(lib, sizes, rng)
    rows = lib.arange(batch)

    def step():
        for p in params:
            p.grad = None
        logits = _mlp_forward(lib, params, x)
        loss = (logits.logsumexp(1) - logits[rows, y]).mean()
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= 0.01 * p.grad
    return step


def cnn(lib, batch=32):
    """conv 1->8 3x3, ReLU, max-pool 2, conv 8->16 3x3, ReLU, flatten, linear ->10; one SGD step."""
    nn = lib.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3), nn.ReLU(),
                          nn.Flatten(), nn.Linear(16 * 11 * 11, 10))
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 1, 28, 28)), dtype=lib.float32)
    y = lib.tensor(rng.integers(0, 10, batch))

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return step


def long_chain(lib, n):
    """A chain of n ops on a 1-element tensor, forward + backward."""
    x = lib.tensor([0.5], dtype=lib.float64, requires_grad=True)

    def step():
        y = _chain(x, n).sum()
        y.backward()
        x.grad = None
    return step


def _small_mlp_loss(lib):
    rng = np.random.default_rng(1)
    params = _mlp_params(lib, (32, 64, 64, 1), rng)
    x = lib.tensor(rng.standard_normal((16, 32)), dtype=lib.float32)

    def loss():
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = h.tanh()
        return (h * h).mean()
    return params, loss


def grad_only(lib):
    params, loss = _small_mlp_loss(lib)

    def step():
        lib.autograd.grad(loss(), params)
    return step


def hvp(lib):
    """Hessian-vector product of a small MLP's loss by double backward."""
    params, loss = _small_mlp_loss(lib)
    vs = [lib.ones_like(p) for p in params]

    def step():
        gs = lib.autograd.grad(loss(), params, create_graph=True)
        dot = sum((g * v).sum() for g, v in zip(gs, vs))
        lib.autograd.grad(dot, params)
    return step


WORKLOADS = {
    "chain": lambda lib: chain(lib),
    "chain_create_graph": lambda lib: chain(lib, create_graph=True),
    "mlp": lambda lib: mlp(lib),
    "cnn": lambda lib: cnn(lib),
    "chain_10k": lambda lib: long_chain(lib, 10_000),
    "chain_100k": lambda lib: long_chain(lib, 100_000),
    "grad": lambda lib: grad_only(lib),
    "hvp": lambda lib: hvp(lib),
}
