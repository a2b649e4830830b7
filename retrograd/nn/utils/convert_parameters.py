"""parameters_to_vector and vector_to_parameters: all parameters as one flat vector, and back."""
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_param_device(param, old_device):
    """All parameters must live on one device (torch's TypeError otherwise)."""
    if old_device is not None and param.device != old_device:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return param.device


def parameters_to_vector(parameters):
    """Same as `torch.nn.utils.parameters_to_vector`: one 1-D tensor (differentiable: CatBackward0)."""
    from ... import cat
    device, vec = None, []
    for param in parameters:
        device = _check_param_device(param, device)
        vec.append(param.view(-1))
    return cat(vec)


def vector_to_parameters(vec, parameters):
    """Same as `torch.nn.utils.vector_to_parameters`: each parameter's `.data` becomes its slice of vec."""
    if not isinstance(vec, Tensor):
        from ..modules.module import _typename
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    device, pointer = None, 0
    for param in parameters:
        device = _check_param_device(param, device)
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
