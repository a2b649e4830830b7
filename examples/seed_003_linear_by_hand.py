"""Seed 003: the chain rule by hand, then a linear model y = x * w trained by hand.

    python examples/seed_003_linear_by_hand.py [--torch]
"""
from _lib import pick

torch = pick()

# z = x * y with dL/dz = 5: dL/dx = 5 * y = 15 and dL/dy = 5 * x = 10.
x = torch.tensor(2.0, requires_grad=True)
y = torch.tensor(3.0, requires_grad=True)
z = x * y
z.backward(torch.tensor(5.0))
print("dL/dx =", x.grad, " dL/dy =", y.grad)

# A linear model fitted to y = 2x with gradients read from .grad.
x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
w = torch.tensor([1.0], requires_grad=True)


def forward(x):
    return x * w


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


print("predict (before training)", 4, forward(4).item())
for epoch in range(10):
    for x_val, y_val in zip(x_data, y_data):
        l = loss(x_val, y_val)
        l.backward()
        print("\tgrad:", x_val, y_val, w.grad.item())
        w.data = w.data - 0.01 * w.grad.data
        w.grad.data.zero_()
    print("progress:", epoch, l.item())
print("predict (after training)", 4, forward(4).item())
