"""Same as `torch.nn`: Module and its layers, Parameter, init, functional and utils."""
from .parameter import Parameter, Buffer  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import modules  # noqa: F401
# After the star import, which would otherwise bring nn.modules.utils in as `utils`.
from . import functional, init, utils  # noqa: F401,E402
