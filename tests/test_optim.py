"""retrograd.optim against torch.optim: the same problem, the same steps, the same parameters.

Each case is one lambda run on both libraries (`lib` is torch or retrograd). Models are
built from plain leaf tensors and elementwise/reduction ops, so these tests need no nn.
"""
import copy
import math
import warnings

import numpy as np
import pytest

import retrograd
from conftest import needs_torch

torch = pytest.importorskip("torch")
pytestmark = needs_torch

LIBS = {"torch": torch, "retrograd": retrograd}


def _params(lib, dtype, seed=0):
    rs = np.random.RandomState(seed)
    dt = getattr(lib, dtype)
    w = lib.tensor(rs.randn(5, 3), dtype=dt, requires_grad=True)
    b = lib.tensor(rs.randn(3), dtype=dt, requires_grad=True)
    c = lib.tensor(rs.randn(3) + 1j * rs.randn(3), dtype=lib.complex128) if dtype == "float64" else None
    return w, b, c


def _loss(lib, w, b, x, sign=1.0):
    """A small regression model with a quartic term (curvature changes along the path)."""
    y = x @ w + b
    return sign * (((y - 1.0) ** 2).sum() * 0.05 + (w * w * w * w).sum() * 0.002)


def _run(lib, make_opt, dtype, steps, sign=1.0):
    w, b, _ = _params(lib, dtype)
    x = lib.tensor(np.random.RandomState(1).randn(8, 5), dtype=getattr(lib, dtype))
    opt = make_opt(lib, [w, b])
    hist = []
    for _ in range(steps):
        opt.zero_grad()
        _loss(lib, w, b, x, sign).backward()
        opt.step()
        hist.append(np.concatenate([w.detach().numpy().ravel(), b.detach().numpy().ravel()]))
    return np.array(hist), opt


CASES = {
    "sgd": lambda lib, ps: lib.optim.SGD(ps, lr=0.1),
    "sgd_momentum": lambda lib, ps: lib.optim.SGD(ps, lr=0.05, momentum=0.9),
    "sgd_dampening_wd": lambda lib, ps: lib.optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1),
    "sgd_nesterov": lambda lib, ps: lib.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "adam": lambda lib, ps: lib.optim.Adam(ps, lr=0.02),
    "adam_amsgrad_wd": lambda lib, ps: lib.optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1,
                                                      amsgrad=True),
    "adam_decoupled": lambda lib, ps: lib.optim.Adam(ps, lr=0.02, weight_decay=0.1, decoupled_weight_decay=True),
    "adamw": lambda lib, ps: lib.optim.AdamW(ps, lr=0.02),
    "adamw_amsgrad": lambda lib, ps: lib.optim.AdamW(ps, lr=0.02, weight_decay=0.05, amsgrad=True),
    "rmsprop": lambda lib, ps: lib.optim.RMSprop(ps, lr=0.01),
    "rmsprop_centered_momentum": lambda lib, ps: lib.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-6,
                                                                   weight_decay=0.1, momentum=0.9, centered=True),
    "adagrad": lambda lib, ps: lib.optim.Adagrad(ps, lr=0.1),
    "adagrad_all": lambda lib, ps: lib.optim.Adagrad(ps, lr=0.1, lr_decay=0.01, weight_decay=0.1,
                                                     initial_accumulator_value=0.1, eps=1e-8),
    "adamax": lambda lib, ps: lib.optim.Adamax(ps, lr=0.02),
    "adamax_wd": lambda lib, ps: lib.optim.Adamax(ps, lr=0.02, betas=(0.8, 0.9), weight_decay=0.1),
    "nadam": lambda lib, ps: lib.optim.NAdam(ps, lr=0.02),
    "nadam_wd": lambda lib, ps: lib.optim.NAdam(ps, lr=0.02, weight_decay=0.1, momentum_decay=0.01),
    "nadam_decoupled": lambda lib, ps: lib.optim.NAdam(ps, lr=0.02, weight_decay=0.1, decoupled_weight_decay=True),
    "radam": lambda lib, ps: lib.optim.RAdam(ps, lr=0.02),
    "radam_wd": lambda lib, ps: lib.optim.RAdam(ps, lr=0.02, weight_decay=0.1),
    "radam_decoupled": lambda lib, ps: lib.optim.RAdam(ps, lr=0.02, weight_decay=0.1, decoupled_weight_decay=True),
}


def _state_arrays(opt, params):
    return [{k: (v.detach().numpy() if hasattr(v, "detach") else v) for k, v in opt.state[p].items()}
            for p in params]


@pytest.mark.parametrize("dtype,rtol,atol", [("float64", 1e-10, 1e-12), ("float32", 2e-5, 2e-6)])
@pytest.mark.parametrize("name", list(CASES))
def test_optimizer_matches_torch_every_step(name, dtype, rtol, atol):
    make = CASES[name]
    ht, ot = _run(torch, make, dtype, 60)
    hr, orr = _run(retrograd, make, dtype, 60)
    for step, (a, b) in enumerate(zip(ht, hr)):
        np.testing.assert_allclose(b, a, rtol=rtol, atol=atol, err_msg=f"step {step}")
    # The state has torch's keys, dtypes and values ('step' as a float tensor).
    st, sr = _state_arrays(ot, ot.param_groups[0]["params"]), _state_arrays(orr, orr.param_groups[0]["params"])
    for a, b in zip(st, sr):
        assert list(b) == list(a)
        for k in a:
            assert b[k].dtype == a[k].dtype, k
            np.testing.assert_allclose(b[k], a[k], rtol=rtol * 10, atol=atol, err_msg=k)


@pytest.mark.parametrize("name", ["sgd_momentum", "adam", "rmsprop", "adagrad", "adamax", "nadam", "radam"])
def test_maximize_matches_torch(name):
    def make(lib, ps):
        opt = CASES[name](lib, ps)
        for g in opt.param_groups:
            g["maximize"] = True
        return opt
    ht, _ = _run(torch, make, "float64", 50, sign=-1.0)
    hr, _ = _run(retrograd, make, "float64", 50, sign=-1.0)
    np.testing.assert_allclose(hr, ht, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "rmsprop_centered_momentum", "adagrad", "adamax",
                                  "nadam", "radam"])
def test_rosenbrock_matches_torch(name):
    def run(lib):
        xy = lib.tensor([-1.5, 2.0], dtype=lib.float64, requires_grad=True)
        opt = CASES[name](lib, [xy])
        for g in opt.param_groups:
            g["lr"] = g["lr"] * 0.01 if name == "sgd" else g["lr"]
        out = []
        for _ in range(80):
            opt.zero_grad()
            x, y = xy[0], xy[1]
            ((1 - x) ** 2 + 100 * (y - x * x) ** 2).backward()
            opt.step()
            out.append(xy.detach().numpy().copy())
        return np.array(out)
    np.testing.assert_allclose(run(retrograd), run(torch), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["sgd_momentum", "adam_amsgrad_wd", "rmsprop_centered_momentum", "adagrad_all",
                                  "adamax", "nadam", "radam"])
def test_complex_params_match_torch(name):
    def run(lib):
        z = lib.tensor(np.array([1 + 2j, -0.5 + 0.1j, 0.3 - 1j]), requires_grad=True)
        opt = CASES[name](lib, [z])
        out = []
        for _ in range(30):
            opt.zero_grad()
            (z.abs() ** 2).sum().backward()
            opt.step()
            out.append(z.detach().numpy().copy())
        return np.array(out)
    np.testing.assert_allclose(run(retrograd), run(torch), rtol=1e-10, atol=1e-12)


def _groups_run(lib, steps=30):
    w, b, _ = _params(lib, "float64")
    frozen = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)      # never gets a grad
    x = lib.tensor(np.random.RandomState(1).randn(8, 5), dtype=lib.float64)
    opt = lib.optim.Adam([{"params": [w], "lr": 0.05}, {"params": [b, frozen], "weight_decay": 0.1}], lr=0.01)
    for _ in range(steps):
        opt.zero_grad()
        _loss(lib, w, b, x).backward()
        opt.step()
    return opt, [t.detach().numpy().copy() for t in (w, b, frozen)]


def test_param_groups_and_skipped_params_match_torch():
    ot, pt = _groups_run(torch)
    orr, pr = _groups_run(retrograd)
    for a, b in zip(pt, pr):
        np.testing.assert_allclose(b, a, rtol=1e-10)
    # param_groups: every default filled in, as torch
    for gt, gr in zip(ot.param_groups, orr.param_groups):
        assert {k: v for k, v in gr.items() if k != "params"} == {k: v for k, v in gt.items() if k != "params"}
    # a parameter whose grad stayed None has no state
    assert len(orr.state) == len(ot.state) == 2


def test_closure_and_return_value():
    def run(lib):
        w, b, _ = _params(lib, "float64")
        x = lib.tensor(np.random.RandomState(1).randn(8, 5), dtype=lib.float64)
        opt = lib.optim.SGD([w, b], lr=0.1, momentum=0.5)

        def closure():
            opt.zero_grad()
            loss = _loss(lib, w, b, x)
            loss.backward()
            return loss
        losses = [opt.step(closure).item() for _ in range(10)]
        assert opt.step() is None
        return losses, w.detach().numpy().copy()
    (lt, wt), (lr_, wr) = run(torch), run(retrograd)
    np.testing.assert_allclose(lr_, lt, rtol=1e-10)
    np.testing.assert_allclose(wr, wt, rtol=1e-10)


@pytest.mark.parametrize("name", list(CASES))
def test_repr_matches_torch(name):
    ps = {n: [n.tensor([1.0], requires_grad=True)] for n in (torch, retrograd)}
    assert repr(CASES[name](retrograd, ps[retrograd])) == repr(CASES[name](torch, ps[torch]))


def test_repr_two_groups():
    def make(lib):
        a, b = lib.zeros(1, requires_grad=True), lib.zeros(1, requires_grad=True)
        return lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    assert repr(make(retrograd)) == repr(make(torch))


def _sd_run(lib, make, steps, sd=None, param_values=None):
    w, b, _ = _params(lib, "float64")
    if param_values is not None:
        with lib.no_grad():
            w.copy_(lib.tensor(param_values[0]))
            b.copy_(lib.tensor(param_values[1]))
    x = lib.tensor(np.random.RandomState(1).randn(8, 5), dtype=lib.float64)
    opt = make(lib, [w, b])
    if sd is not None:
        opt.load_state_dict(sd)
    for _ in range(steps):
        opt.zero_grad()
        _loss(lib, w, b, x).backward()
        opt.step()
    return opt, [w.detach().numpy().copy(), b.detach().numpy().copy()]


def _plain(obj):
    """A state dict with tensors as arrays, to compare across libraries."""
    if hasattr(obj, "detach"):
        return ("tensor", str(obj.dtype), obj.detach().numpy().tolist())
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(v) for v in obj)
    return obj


@pytest.mark.parametrize("name", ["sgd_momentum", "adam_amsgrad_wd", "adamw", "rmsprop_centered_momentum",
                                  "adagrad_all", "adamax", "nadam", "radam"])
def test_state_dict_layout_and_resume_match_torch(name):
    make = CASES[name]
    ot, pt = _sd_run(torch, make, 10)
    orr, pr = _sd_run(retrograd, make, 10)
    sdt, sdr = ot.state_dict(), orr.state_dict()
    assert set(sdr) == {"state", "param_groups"}
    assert list(sdr["state"]) == list(sdt["state"]) == [0, 1]
    assert sdr["param_groups"] == sdt["param_groups"]
    a, b = _plain(sdt["state"]), _plain(sdr["state"])
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].keys() == b[k].keys()
        for key in a[k]:
            assert b[k][key][:2] == a[k][key][:2]
            np.testing.assert_allclose(b[k][key][2], a[k][key][2], rtol=1e-10, atol=1e-14)
    # Resuming from the state dict (into a fresh optimizer) continues as torch does.
    ot2, pt2 = _sd_run(torch, make, 10, copy.deepcopy(sdt), pt)
    orr2, pr2 = _sd_run(retrograd, make, 10, copy.deepcopy(sdr), pr)
    for x, y in zip(pt2, pr2):
        np.testing.assert_allclose(y, x, rtol=1e-10)
    # and a retrograd optimizer loads torch's state dict (converted tensor by tensor)
    conv = _to_retrograd(copy.deepcopy(sdt))
    orr3, pr3 = _sd_run(retrograd, make, 10, conv, pt)
    for x, y in zip(pt2, pr3):
        np.testing.assert_allclose(y, x, rtol=1e-10)


def _to_retrograd(obj):
    if isinstance(obj, torch.Tensor):
        return retrograd.tensor(obj.numpy())
    if isinstance(obj, dict):
        return {k: _to_retrograd(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_retrograd(v) for v in obj]
    return obj


def test_load_state_dict_casts_to_param_dtype_but_not_step():
    p = retrograd.zeros(2, dtype=retrograd.float64, requires_grad=True)
    opt = retrograd.optim.Adam([p])
    sd = {"state": {0: {"step": retrograd.tensor(3.0), "exp_avg": retrograd.ones(2), "exp_avg_sq": retrograd.ones(2)}},
          "param_groups": [dict(opt.state_dict()["param_groups"][0])]}
    opt.load_state_dict(sd)
    st = opt.state[p]
    assert st["exp_avg"].dtype == retrograd.float64 and st["step"].dtype == retrograd.float32


def test_state_dict_errors_match_torch():
    def err(lib, groups_saved, groups_now):
        def groups(sizes):
            ps = iter([lib.zeros(1, requires_grad=True) for _ in range(6)])
            return [{"params": [next(ps) for _ in range(n)]} for n in sizes]
        src = lib.optim.SGD(groups(groups_saved), lr=0.1)
        dst = lib.optim.SGD(groups(groups_now), lr=0.1)
        with pytest.raises(ValueError) as e:
            dst.load_state_dict(src.state_dict())
        return str(e.value)
    assert err(retrograd, [1], [1, 2]) == err(torch, [1], [1, 2])
    assert err(retrograd, [1], [2]) == err(torch, [1], [2])


def test_zero_grad_matches_torch():
    for set_to_none in (True, False):
        out = {}
        for name, lib in LIBS.items():
            w = lib.ones(3, requires_grad=True)
            (w * w).sum().backward()
            opt = lib.optim.SGD([w], lr=0.1)
            g = w.grad
            opt.zero_grad(set_to_none=set_to_none)
            out[name] = None if w.grad is None else (w.grad.numpy().tolist(), w.grad is g)
        assert out["retrograd"] == out["torch"]


def test_step_is_in_place_under_no_grad_and_bumps_the_version():
    for name, lib in LIBS.items():
        w = lib.ones(3, requires_grad=True)
        view = w.detach()
        (w * w).sum().backward()
        v0 = w._version
        opt = lib.optim.Adam([w], lr=0.1)
        opt.step()
        assert w._version > v0, name
        assert w.is_leaf and w.requires_grad and w.grad_fn is None
        np.testing.assert_allclose(view.numpy(), w.detach().numpy())     # updated in place
    # a graph that saved w before the step now fails torch's version check
    w = retrograd.ones(2, requires_grad=True)
    y = (w * w).sum()
    opt = retrograd.optim.SGD([w], lr=0.1)
    w.grad = retrograd.ones(2)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


ERROR_CASES = [
    lambda lib: lib.optim.SGD([], lr=0.1),
    lambda lib: lib.optim.SGD([lib.ones(1, requires_grad=True)], lr=-1.0),
    lambda lib: lib.optim.SGD([lib.ones(1, requires_grad=True)], lr=0.1, momentum=-0.5),
    lambda lib: lib.optim.SGD([lib.ones(1, requires_grad=True)], lr=0.1, weight_decay=-1),
    lambda lib: lib.optim.SGD([lib.ones(1, requires_grad=True)], lr=0.1, nesterov=True),
    lambda lib: lib.optim.Adam([lib.ones(1, requires_grad=True)], lr=-1.0),
    lambda lib: lib.optim.Adam([lib.ones(1, requires_grad=True)], eps=-1.0),
    lambda lib: lib.optim.Adam([lib.ones(1, requires_grad=True)], betas=(1.0, 0.9)),
    lambda lib: lib.optim.Adam([lib.ones(1, requires_grad=True)], betas=(0.9, -0.1)),
    lambda lib: lib.optim.AdamW([lib.ones(1, requires_grad=True)], weight_decay=-0.1),
    lambda lib: lib.optim.RMSprop([lib.ones(1, requires_grad=True)], alpha=-0.1),
    lambda lib: lib.optim.Adagrad([lib.ones(1, requires_grad=True)], lr_decay=-0.1),
    lambda lib: lib.optim.Adagrad([lib.ones(1, requires_grad=True)], initial_accumulator_value=-1),
    lambda lib: lib.optim.NAdam([lib.ones(1, requires_grad=True)], momentum_decay=-1),
    lambda lib: lib.optim.SGD(lib.ones(2, requires_grad=True), lr=0.1),
    lambda lib: lib.optim.SGD([1.0], lr=0.1),
    lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2], lr=0.1),
    lambda lib: lib.optim.SGD([{"params": {lib.ones(2, requires_grad=True)}}], lr=0.1),
    lambda lib: (lambda p: lib.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1))(lib.ones(1, requires_grad=True)),
    lambda lib: lib.optim.SGD([lib.ones(1, requires_grad=True)], lr=0.1).add_param_group([1]),
    lambda lib: lib.optim.SGD([("a", lib.ones(1, requires_grad=True)), lib.ones(1, requires_grad=True)], lr=0.1),
]


@pytest.mark.parametrize("i", range(len(ERROR_CASES)))
def test_errors_match_torch(i):
    caught = {}
    for name, lib in LIBS.items():
        with pytest.raises(Exception) as e:
            ERROR_CASES[i](lib)
        caught[name] = (type(e.value), str(e.value))
    assert caught["retrograd"] == caught["torch"]


def test_duplicate_params_warn_as_torch():
    msgs = {}
    for name, lib in LIBS.items():
        p = lib.ones(1, requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.optim.SGD([p, p], lr=0.1)
        msgs[name] = [str(x.message) for x in w]
    assert msgs["retrograd"] == msgs["torch"] and msgs["torch"]


def test_named_params_and_add_param_group():
    for name, lib in LIBS.items():
        a, b = lib.ones(1, requires_grad=True), lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([("a", a)], lr=0.1)
        opt.add_param_group({"params": [("b", b)], "lr": 0.5})
        assert [g["param_names"] for g in opt.param_groups] == [["a"], ["b"]]
        assert opt.state_dict()["param_groups"][1]["params"] == [1]


def test_step_hooks():
    calls = []
    w = retrograd.ones(1, requires_grad=True)
    w.grad = retrograd.ones(1)
    opt = retrograd.optim.SGD([w], lr=0.1)
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o is opt)))
    h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", o is opt)))
    hg = retrograd.optim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append(("global",)))
    opt.step()
    assert calls == [("global",), ("pre", True), ("post", True)]
    for h in (h1, h2, hg):
        h.remove()
    opt.step()
    assert len(calls) == 3
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    assert opt.state_dict()["extra"] == 1
    loaded = []
    opt.register_load_state_dict_post_hook(lambda o: loaded.append(1))
    sd = opt.state_dict()
    del sd["extra"]
    opt.load_state_dict(sd)
    assert loaded == [1]


def test_subclass_optimizer_gets_step_hooks():
    class Plain(retrograd.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.5})

        def step(self, closure=None):
            with retrograd.no_grad():
                for g in self.param_groups:
                    for p in g["params"]:
                        p.sub_(g["lr"] * p.grad)
    w = retrograd.ones(2, requires_grad=True)
    w.grad = retrograd.ones(2)
    opt = Plain([w])
    seen = []
    opt.register_step_post_hook(lambda *a: seen.append(1))
    opt.step()
    assert seen == [1]
    np.testing.assert_allclose(w.detach().numpy(), [0.5, 0.5])


def test_deepcopy_and_pickle_of_an_optimizer():
    w = retrograd.ones(2, requires_grad=True)
    w.grad = retrograd.ones(2)
    opt = retrograd.optim.Adam([w], lr=0.1)
    opt.step()
    twin = copy.deepcopy(opt)
    assert twin.param_groups[0]["lr"] == 0.1
    assert float(list(twin.state.values())[0]["step"]) == 1.0


# ---------------------------------------------------------------- lr_scheduler

def _opt(lib, lr=0.1, n_groups=1, cls="SGD"):
    groups = [{"params": [lib.zeros(1, requires_grad=True)], "lr": lr * (i + 1)} for i in range(n_groups)]
    if cls == "SGD":
        return lib.optim.SGD(groups, lr=lr, momentum=0.9)
    return getattr(lib.optim, cls)(groups, lr=lr)


SCHEDULERS = {
    "step": lambda lib, o: lib.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.5),
    "multistep": lambda lib, o: lib.optim.lr_scheduler.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.3),
    "exponential": lambda lib, o: lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.93),
    "cosine": lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "lambda": lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, lr_lambda=lambda e: 0.95 ** e + 0.01 * (e % 3)),
    "lambda_list": lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** e]),
    "multiplicative": lambda lib, o: lib.optim.lr_scheduler.MultiplicativeLR(o, lr_lambda=lambda e: 0.97),
    "linear": lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=12),
    "constant": lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=0.4, total_iters=7),
    "polynomial": lambda lib, o: lib.optim.lr_scheduler.PolynomialLR(o, total_iters=20, power=2.0),
    "warm_restarts": lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2,
                                                                                        eta_min=0.01),
    "onecycle": lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=41),
    "onecycle_3phase_linear": lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(
        o, max_lr=[1.0, 2.0], epochs=4, steps_per_epoch=10, pct_start=0.25, anneal_strategy="linear",
        three_phase=True),
    "cyclic": lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                                             step_size_down=6),
    "cyclic_tri2": lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                                  mode="triangular2"),
    "cyclic_exp": lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                                 mode="exp_range", gamma=0.9),
    "sequential": lambda lib, o: lib.optim.lr_scheduler.SequentialLR(
        o, [lib.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=5),
            lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=12),
            lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)], milestones=[5, 17]),
    "chained": lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=6),
         lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)]),
}


def _lr_trace(lib, name, epochs=40, n_groups=2, cls="SGD"):
    opt = _opt(lib, n_groups=n_groups, cls=cls)
    sched = SCHEDULERS[name](lib, opt)
    out = [(sched.get_last_lr(), [g.get("momentum", g.get("betas")) for g in opt.param_groups])]
    for _ in range(epochs):
        opt.step()
        sched.step()
        out.append((sched.get_last_lr(), [g.get("momentum", g.get("betas")) for g in opt.param_groups]))
    return out, opt, sched


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_scheduler_lrs_match_torch_exactly(name):
    epochs = 40
    assert _lr_trace(retrograd, name, epochs)[0] == _lr_trace(torch, name, epochs)[0]


@pytest.mark.parametrize("name", ["onecycle", "cyclic"])
def test_scheduler_cycles_adam_betas_as_torch(name):
    assert _lr_trace(retrograd, name, 40, cls="Adam")[0] == _lr_trace(torch, name, 40, cls="Adam")[0]


def test_closed_form_with_epoch_matches_torch():
    def trace(lib):
        out = []
        for name, epochs in [("step", [3, 9, 4, 12]), ("multistep", [2, 8, 21]), ("exponential", [5, 1]),
                             ("cosine", [3, 17]), ("linear", [4, 30]), ("constant", [2, 9]),
                             ("polynomial", [7, 25]), ("warm_restarts", [0.5, 3, 7.25, 40, 2])]:
            opt = _opt(lib)
            sched = SCHEDULERS[name](lib, opt)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for e in epochs:
                    sched.step(e)
                    out.append((name, sched.get_last_lr()))
        return out
    assert trace(retrograd) == trace(torch)


def test_reduce_lr_on_plateau_matches_torch():
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.7] + [0.7] * 20
    for kwargs in [dict(patience=2), dict(mode="max", factor=0.5, patience=1, threshold_mode="abs", cooldown=2),
                   dict(patience=0, min_lr=[0.05, 0.01], threshold=0.1)]:
        traces = []
        for lib in (torch, retrograd):
            opt = _opt(lib, n_groups=2)
            s = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
            tr = []
            for m in metrics:
                opt.step()
                s.step(m)
                tr.append((s.get_last_lr(), s.num_bad_epochs, s.cooldown_counter, s.best))
            traces.append(tr)
        assert traces[1] == traces[0]


@pytest.mark.parametrize("name", ["step", "cosine", "lambda", "onecycle", "cyclic", "sequential", "chained",
                                  "warm_restarts", "multistep"])
def test_scheduler_state_dict_resume_matches_torch(name):
    def run(lib):
        opt = _opt(lib, n_groups=2)
        sched = SCHEDULERS[name](lib, opt)
        for _ in range(13):
            opt.step()
            sched.step()
        sd, osd = sched.state_dict(), opt.state_dict()
        opt2 = _opt(lib, n_groups=2)
        sched2 = SCHEDULERS[name](lib, opt2)
        sched2.load_state_dict(copy.deepcopy(sd))
        opt2.load_state_dict(copy.deepcopy(osd))
        out = []
        for _ in range(20):
            opt2.step()
            sched2.step()
            out.append(sched2.get_last_lr())
        keys = sorted(k for k in sd if k not in ("_schedulers",))
        return out, keys
    assert run(retrograd) == run(torch)


def test_scheduler_warnings_match_torch():
    msgs = {}
    for name, lib in LIBS.items():
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 3)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            sched.step()            # before optimizer.step()
            sched.get_lr()          # outside step()
        msgs[name] = [str(x.message) for x in w]
    assert msgs["retrograd"] == msgs["torch"] and len(msgs["torch"]) == 2


def _onecycle_overrun(lib):
    opt = _opt(lib)
    sched = lib.optim.lr_scheduler.OneCycleLR(opt, 1.0, total_steps=2)
    for _ in range(3):
        opt.step()
        sched.step()


SCHED_ERRORS = [
    lambda lib: lib.optim.lr_scheduler.StepLR(object(), 3),
    lambda lib: lib.optim.lr_scheduler.StepLR(_opt(lib), 3, last_epoch=4),
    lambda lib: lib.optim.lr_scheduler.LambdaLR(_opt(lib), [lambda e: 1.0] * 3),
    lambda lib: lib.optim.lr_scheduler.ConstantLR(_opt(lib), factor=2.0),
    lambda lib: lib.optim.lr_scheduler.LinearLR(_opt(lib), start_factor=0),
    lambda lib: lib.optim.lr_scheduler.ReduceLROnPlateau(_opt(lib), factor=1.5),
    lambda lib: lib.optim.lr_scheduler.ReduceLROnPlateau(_opt(lib), mode="avg"),
    lambda lib: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(_opt(lib), T_0=0),
    lambda lib: lib.optim.lr_scheduler.OneCycleLR(_opt(lib), max_lr=1.0),
    lambda lib: lib.optim.lr_scheduler.OneCycleLR(_opt(lib, cls="Adagrad"), max_lr=1.0, total_steps=10),
    lambda lib: _onecycle_overrun(lib),
    lambda lib: lib.optim.lr_scheduler.SequentialLR(_opt(lib), [], milestones=[]),
    lambda lib: (lambda o: lib.optim.lr_scheduler.SequentialLR(
        o, [lib.optim.lr_scheduler.StepLR(o, 2)], milestones=[3]))(_opt(lib)),
]


@pytest.mark.parametrize("i", range(len(SCHED_ERRORS)))
def test_scheduler_errors_match_torch(i):
    caught = {}
    for name, lib in LIBS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as e:
                SCHED_ERRORS[i](lib)
        caught[name] = (type(e.value), str(e.value))
    assert caught["retrograd"] == caught["torch"]


def test_tensor_lr_is_updated_in_place_by_schedulers():
    for lib in (torch, retrograd):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=lib.tensor(0.1))
        lr_t = opt.param_groups[0]["lr"]
        sched = lib.optim.lr_scheduler.StepLR(opt, 1, gamma=0.5)
        opt.step()
        sched.step()
        assert opt.param_groups[0]["lr"] is lr_t
        assert math.isclose(float(lr_t), 0.05, rel_tol=1e-6)
