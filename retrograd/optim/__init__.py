"""retrograd.optim: same as `torch.optim` -- optimizers and learning-rate schedulers.

    opt = retrograd.optim.SGD([w, b], lr=0.1, momentum=0.9)
    loss.backward(); opt.step(); opt.zero_grad()
"""
from . import lr_scheduler
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW, Adamax, NAdam, RAdam
from .rmsprop import RMSprop, Adagrad

__all__ = ["Adagrad", "Adam", "Adamax", "AdamW", "NAdam", "Optimizer", "RAdam", "RMSprop", "SGD",
           "lr_scheduler"]
