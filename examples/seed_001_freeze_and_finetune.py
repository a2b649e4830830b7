"""Seed 001: vector-Jacobian products, then freezing a "pretrained" network and
fine-tuning only a new last layer.

    python examples/seed_001_freeze_and_finetune.py [--torch]

The seed freezes torchvision's resnet18; here the pretrained network is a small
MLP trained first on one task, so the example needs nothing downloaded.
"""
from _lib import pick

torch = pick()
from_nn = torch.nn

# Q = 3a^3 - b^2: dQ/da = 9a^2, dQ/db = -2b.
a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3 * a ** 3 - b ** 2
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)
print(9 * a ** 2 == a.grad)
print(-2 * b == b.grad)

# A "pretrained" model: trained on task A (sign of the sum of the inputs).
torch.manual_seed(0)


class Net(from_nn.Module):
    def __init__(self):
        super().__init__()
        self.body = from_nn.Sequential(from_nn.Linear(8, 32), from_nn.ReLU(), from_nn.Linear(32, 32), from_nn.ReLU())
        self.fc = from_nn.Linear(32, 2)

    def forward(self, x):
        return self.fc(self.body(x))


model = Net()
X = torch.randn(256, 8)
task_a = (X.sum(1) > 0).long()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(100):
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(X), task_a)
    loss.backward()
    opt.step()
print("task A loss after pretraining:", round(loss.item(), 4))

model.zero_grad()     # a pretrained model arrives without gradients

# Freeze every parameter, then replace the last layer: only it will learn task B.
for param in model.parameters():
    param.requires_grad = False
model.fc = from_nn.Linear(32, 2)
print(model)
print("trainable:", [name for name, p in model.named_parameters() if p.requires_grad])

task_b = (X[:, 0] > 0).long()
opt = torch.optim.SGD(model.fc.parameters(), lr=0.1, momentum=0.9)
frozen_before = model.body[0].weight.clone()
for step in range(200):
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(X), task_b)
    loss.backward()
    opt.step()
acc = (model(X).argmax(1) == task_b).float().mean().item()
print(f"task B after fine-tuning the last layer only: loss {loss.item():.4f}, accuracy {acc:.1%}")
print("frozen layer unchanged:", torch.equal(model.body[0].weight, frozen_before), "grad:", model.body[0].weight.grad)
