"""Same as `torch.nn`: Module and its layers, Parameter, init, functional and utils."""
import types as _types

from .parameter import Parameter, Buffer  # noqa: F401
from . import modules  # noqa: F401
from .modules import *  # noqa: F401,F403

# The star import also brings in the files of nn.modules (linear, utils, ...); torch.nn has
# none of them, and `utils` must be nn.utils below, so they go.
for _name, _value in list(globals().items()):
    if isinstance(_value, _types.ModuleType) and _value.__name__.startswith(__name__ + ".modules."):
        del globals()[_name]

from . import functional, init, utils  # noqa: F401,E402
