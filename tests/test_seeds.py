"""The autograd programs of the seed documents (../shared/SEEDS.md), run with
`import retrograd as torch` and with torch itself: the printed output must be identical."""
import contextlib
import io

import numpy as np

import retrograd
from oracle import torch


def printed(program, lib, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        program(lib, *args)
    return out.getvalue()


def same_output(program, *args):
    ours, theirs = printed(program, retrograd, *args), printed(program, torch, *args)
    assert ours == theirs
    return ours


def seed_001(torch):
    a = torch.tensor([2., 3.], requires_grad=True)
    b = torch.tensor([6., 4.], requires_grad=True)
    Q = 3 * a ** 3 - b ** 2
    print(Q)
    external_grad = torch.tensor([1., 1.])
    Q.backward(gradient=external_grad)
    # check if collected gradients are correct
    print(9 * a ** 2 == a.grad)
    print(-2 * b == b.grad)
    print(a.grad, b.grad)


def test_seed_001_gradients_of_Q():
    out = same_output(seed_001)
    assert "tensor([True, True])" in out


def seed_002(torch, values):
    x = torch.tensor(values, requires_grad=True)
    print(x)
    y = x + 2
    print(y)
    z = y * y * 2
    print(z)
    m = z.mean()
    print(m)
    m.backward()
    print(x.grad)
    x = torch.tensor(values, requires_grad=True)
    y = x + 2
    z = y * y * 2
    try:
        z.backward()
    except RuntimeError as e:
        print("RuntimeError:", e)
    r = torch.tensor([1.0, 0, 0], dtype=torch.float32)
    z.backward(r)
    print(x.grad)


def test_seed_002_graph_reprs_and_jacobian_row():
    values = np.random.default_rng(0).standard_normal(3).astype(np.float32).tolist()
    out = same_output(seed_002, values)
    assert "grad_fn=<AddBackward0>" in out and "grad_fn=<MeanBackward0>" in out
    assert "grad can be implicitly created only for scalar outputs" in out


def seed_003_chain_rule(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = x * y
    z.backward(torch.tensor(5.0))
    print(x.grad, y.grad)            # dL/dx = 15, dL/dy = 10


def test_seed_003_chain_rule_by_hand():
    out = same_output(seed_003_chain_rule)
    assert out == "tensor(15.) tensor(10.)\n"


def seed_003_training(torch):
    x_data = [1.0, 2.0, 3.0]
    y_data = [2.0, 4.0, 6.0]
    w = torch.tensor([1.0], requires_grad=True)

    def forward(x):
        return x * w

    def loss(y_pred, y_val):
        return (y_pred - y_val) ** 2

    print("Prediction (before training)", 4, forward(4).item())
    for epoch in range(10):
        for x_val, y_val in zip(x_data, y_data):
            y_pred = forward(x_val)
            l = loss(y_pred, y_val)
            l.backward()
            print('\tgrad : ', x_val, y_val, w.grad.data[0])
            w.data = w.data - 0.01 * w.grad.data
            w.grad.data.zero_()
        print(f"Epoch : {epoch} | Loss : {l.item()}")
    print("Prediction (after training)", 4, forward(4).item())


def test_seed_003_linear_model_trained_by_hand():
    out = same_output(seed_003_training)
    assert out.startswith("Prediction (before training) 4 4.0\n")
    after = float(out.strip().split()[-1])
    assert 7.5 < after < 8.0          # the post's run: 4.0 before, 7.80 after ten epochs
