"""The same workloads for the other Python autograd engines, each in its own idiom.

Optional: a peer that is not installed is skipped. `make(name, workload)` returns a
step function or None when that engine cannot run that workload.
"""
import numpy as np

from workloads import CHAIN_OPS


def _x(size=16):
    return np.random.default_rng(0).uniform(-1, 1, size)


# ---------------------------------------------------------------- HIPS autograd

def hips(workload):
    import autograd
    import autograd.numpy as anp
    if workload == "chain":
        def f(x):
            for _ in range(CHAIN_OPS // 4):
                x = anp.exp(anp.tanh(x * 1.001) + 0.5)
            return anp.sum(x)
        g = autograd.grad(f)
        x = _x()
        return lambda: g(x)
    if workload == "mlp":
        rng = np.random.default_rng(0)
        sizes = (784, 256, 256, 10)
        params = [(rng.uniform(-.03, .03, (a, b)).astype(np.float32), np.zeros(b, np.float32))
                  for a, b in zip(sizes[:-1], sizes[1:])]
        x = rng.standard_normal((64, 784)).astype(np.float32)
        y = rng.integers(0, 10, 64)

        def loss(params):
            h = x
            for i, (W, b) in enumerate(params):
                h = anp.dot(h, W) + b
                if i + 1 < len(params):
                    h = anp.maximum(h, 0)
            lse = anp.log(anp.sum(anp.exp(h - anp.max(h, 1, keepdims=True)), 1)) + anp.max(h, 1)
            return anp.mean(lse - h[np.arange(64), y])
        g = autograd.grad(loss)

        def step():
            grads = g(params)
            for i, ((W, b), (gW, gb)) in enumerate(zip(params, grads)):
                params[i] = (W - 0.01 * gW, b - 0.01 * gb)
        return step
    return None


# ---------------------------------------------------------------- MyGrad

def mygrad(workload):
    import mygrad as mg
    if workload == "chain":
        x = mg.tensor(_x())

        def step():
            y = x
            for _ in range(CHAIN_OPS // 4):
                y = mg.exp(mg.tanh(y * 1.001) + 0.5)
            mg.sum(y).backward()
        return step
    if workload == "mlp":
        rng = np.random.default_rng(0)
        sizes = (784, 256, 256, 10)
        params = [(mg.tensor(rng.uniform(-.03, .03, (a, b)).astype(np.float32)),
                   mg.tensor(np.zeros(b, np.float32))) for a, b in zip(sizes[:-1], sizes[1:])]
        x = rng.standard_normal((64, 784)).astype(np.float32)
        y = rng.integers(0, 10, 64)
        from mygrad.nnet.losses import softmax_crossentropy

        def step():
            h = x
            for i, (W, b) in enumerate(params):
                h = mg.matmul(h, W) + b
                if i + 1 < len(params):
                    h = mg.maximum(h, 0)
            loss = softmax_crossentropy(h, y)
            loss.backward()
            for W, b in params:
                W.data -= 0.01 * W.grad
                b.data -= 0.01 * b.grad
        return step
    return None


# ---------------------------------------------------------------- DeZero

def dezero(workload):
    np.int = int          # DeZero 0.0.13 still uses np.int, gone in NumPy 2 (bench-only shim)
    import dezero as dz
    import dezero.functions as F
    if workload == "chain":
        x = dz.Variable(_x())

        def step():
            y = x
            for _ in range(CHAIN_OPS // 4):
                y = F.exp(F.tanh(y * 1.001) + 0.5)
            x.cleargrad()
            F.sum(y).backward()
        return step
    if workload == "mlp":
        import dezero.layers as L
        rng = np.random.default_rng(0)
        model = dz.models.MLP((256, 256, 10))
        opt = dz.optimizers.SGD(0.01).setup(model)
        x = rng.standard_normal((64, 784)).astype(np.float32)
        y = rng.integers(0, 10, 64)

        def step():
            loss = F.softmax_cross_entropy(model(x), y)
            model.cleargrads()
            loss.backward()
            opt.update()
        return step
    return None


# ---------------------------------------------------------------- micrograd (scalar engine)

def micrograd(workload):
    from micrograd.engine import Value
    if workload == "chain":
        # micrograd has no tanh/exp: four of its own ops per cycle, one chain per element
        xs = _x()

        def step():
            total = Value(0.0)
            for v in xs:
                y = Value(float(v))
                for _ in range(CHAIN_OPS // 4):
                    y = ((y * 1.001).relu() + 0.5) * 0.5
                total = total + y
            total.backward()
        return step
    return None


# ---------------------------------------------------------------- tinygrad

def tinygrad(workload):
    import shutil
    if not shutil.which("clang"):
        return None           # tinygrad's CPU backend compiles kernels with clang
    from tinygrad import Tensor
    if workload == "chain":
        x = Tensor(_x().astype(np.float32))
        x.requires_grad = True

        def step():
            y = x
            for _ in range(CHAIN_OPS // 4):
                y = ((y * 1.001).tanh() + 0.5).exp()
            y.sum().backward()
            x.grad.realize()
        return step
    return None


# ---------------------------------------------------------------- JAX (eager)

def jax(workload):
    import jax as jx
    import jax.numpy as jnp
    jx.config.update("jax_enable_x64", True)
    if workload == "chain":
        def f(x):
            for _ in range(CHAIN_OPS // 4):
                x = jnp.exp(jnp.tanh(x * 1.001) + 0.5)
            return jnp.sum(x)
        g = jx.grad(f)
        x = jnp.asarray(_x())
        return lambda: g(x).block_until_ready()
    return None


PEERS = {"autograd": hips, "mygrad": mygrad, "dezero": dezero, "micrograd": micrograd,
         "tinygrad": tinygrad, "jax": jax}
MODULES = {"autograd": "autograd", "mygrad": "mygrad", "dezero": "dezero", "micrograd": "micrograd",
           "tinygrad": "tinygrad", "jax": "jax"}


def make(name, workload):
    return PEERS[name](workload)
