"""Seed 004 (../shared/SEEDS.md): custom autograd Functions -- LegendrePolynomial3 fitted to
sin(x), MyReLU, LinearFunction checked with gradcheck, MulConstant -- each program run with
`import retrograd as torch` and with torch itself, printing the same output."""
import contextlib
import io
import math

import numpy as np
from oracle import torch

import retrograd


def printed(program, lib, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        program(lib, *args)
    return out.getvalue()


def numbers(text):
    return [float(w) for w in text.replace(",", " ").replace("(", " ").replace(")", " ").split()
            if _is_number(w)]


def _is_number(w):
    try:
        float(w)
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------- Legendre polynomial fit

def legendre_fit(torch, steps, dtype_name):
    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    dtype = getattr(torch, dtype_name)
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    for t in range(steps):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    print(f'Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)')
    print(y_pred.grad_fn, P3(c + d * x).grad_fn.name())


def test_legendre_fit_float64_matches_torch():
    # 500 of the post's 2000 steps keep the test fast; both libraries run the same number
    ours, theirs = printed(legendre_fit, retrograd, 500, "float64"), printed(legendre_fit, torch, 500, "float64")
    np.testing.assert_allclose(numbers(ours), numbers(theirs), rtol=1e-9, atol=1e-12)   # a, c stay ~1e-17
    assert "LegendrePolynomial3Backward" in ours
    assert ours.splitlines()[-1].split()[0] == theirs.splitlines()[-1].split()[0] == "<AddBackward0"


def test_legendre_fit_float32_as_in_the_post():
    ours, theirs = printed(legendre_fit, retrograd, 500, "float"), printed(legendre_fit, torch, 500, "float")
    # float32 sums of 2000 terms round differently in NumPy and torch: close, not bit-equal
    np.testing.assert_allclose(numbers(ours), numbers(theirs), rtol=1e-4, atol=1e-6)
    assert [ln.split()[0] for ln in ours.splitlines()] == [ln.split()[0] for ln in theirs.splitlines()]


# ---------------------------------------------------------------- MyReLU

def my_relu(torch, data):
    class MyReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    x = torch.tensor(data, requires_grad=True)
    y = MyReLU.apply(x)
    print(y)
    (y * torch.tensor(data)).sum().backward()
    print(x.grad)


def test_my_relu_matches_torch():
    data = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32).tolist()
    ours, theirs = printed(my_relu, retrograd, data), printed(my_relu, torch, data)
    assert ours == theirs
    assert "grad_fn=<MyReLUBackward>" in ours


# ---------------------------------------------------------------- LinearFunction and gradcheck

def linear_function(torch, a, w, bias):
    class LinearFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    linear = LinearFunction.apply
    from_np = lambda arr, rg: torch.tensor(arr, dtype=torch.double, requires_grad=rg)
    # the post's check: input (20, 20) without grad, weight (30, 20) with grad
    input = (from_np(a, False), from_np(w, True))
    test = torch.autograd.gradcheck(linear, input, eps=1e-6, atol=1e-4)
    print(test)
    # with a bias, every argument requiring grad
    input = (from_np(a[:3, :4], True), from_np(w[:5, :4], True), from_np(bias[:5], True))
    print(torch.autograd.gradcheck(linear, input, eps=1e-6, atol=1e-4))
    out = linear(*input)
    print(out.grad_fn.name(), out.shape)
    out.sum().backward()
    print(input[0].grad, input[1].grad, input[2].grad)


def test_linear_function_and_gradcheck_match_torch():
    rng = np.random.default_rng(4)
    args = rng.standard_normal((20, 20)), rng.standard_normal((30, 20)), rng.standard_normal(30)
    ours, theirs = printed(linear_function, retrograd, *args), printed(linear_function, torch, *args)
    assert ours == theirs
    assert ours.startswith("True\nTrue\nLinearFunctionBackward torch.Size([3, 5])\n")


# ---------------------------------------------------------------- MulConstant

def mul_constant(torch, data):
    Function = torch.autograd.Function          # the post's `from torch.autograd import Function`

    class MulConstant(Function):
        @staticmethod
        def forward(ctx, tensor, constant):
            ctx.constant = constant
            return tensor * constant

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.constant, None

    x = torch.tensor(data, requires_grad=True)
    y = MulConstant.apply(x, 2.5)
    print(y)
    y.backward(torch.ones_like(y))
    print(x.grad)
    z = MulConstant.apply(MulConstant.apply(x, -3), 0.5)
    print(z, z.grad_fn.next_functions[0][0].name())
    print(torch.autograd.gradcheck(lambda t: MulConstant.apply(t, 4.0), (x.detach().double().requires_grad_(),)))


def test_mul_constant_matches_torch():
    data = [1.5, -2.0, 0.25]
    ours = printed(mul_constant, retrograd, data)
    theirs = printed(mul_constant, torch, data)
    assert ours == theirs
    assert "grad_fn=<MulConstantBackward>" in ours
