"""Same as `torch.nn` (being written): for now only `torch.nn.functional`."""
from . import functional  # noqa: F401
