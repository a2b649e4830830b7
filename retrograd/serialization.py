"""save / load in PyTorch's own file format, with a loader that never runs code.

A file is a zip archive, as torch writes it: `<name>/data.pkl` (a protocol-2 pickle of
the object), one raw little-endian record per storage (`<name>/data/<key>`), and the
`version`, `byteorder`, `.format_version`, `.storage_alignment` records. In the pickle a
tensor is `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
OrderedDict())` with the storage as a persistent id `('storage', torch.FloatStorage,
key, location, numel)`. So `torch.load(path, weights_only=True)` reads retrograd's
files and `retrograd.load` reads torch's.

# Note [Loading without running code]
`load` unpickles with `find_class` restricted to an allow-list that mirrors torch's
`weights_only=True` one (OrderedDict, the tensor rebuild functions, storage types,
dtypes, Size, device, set, complex, bytearray, and what `add_safe_globals` adds), each
mapped to retrograd's own object; anything else -- `os.system`, a class of the user's
-- raises `pickle.UnpicklingError` with torch's message. Storages are read into fresh
arrays and every tensor is checked to lie inside its storage before it views it.
`weights_only=False` trusts the file: other globals are imported as plain pickle does.

Tensors that share memory (views of one base array) are saved against one storage, and
load as tensors sharing one array again (as torch's loaded tensors share a storage).
"""
import _compat_pickle
import collections
import contextlib
import io
import os
import pickle
import sys
import zipfile
from collections import OrderedDict

import numpy as np

from .backend import device as _device, as_device, to_device, to_numpy, ndarray
from .dtypes import dtype as _dtype
from .tensor import Tensor, Size, _wrap
from . import dtypes as _dtypes

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals"]

DEFAULT_PROTOCOL = 2
_STORAGE_ALIGNMENT = 64

# storage type name <-> NumPy dtype (torch.storage._dtype_to_storage_type_map)
_STORAGE_NAMES = {"DoubleStorage": np.float64, "FloatStorage": np.float32, "HalfStorage": np.float16,
                  "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
                  "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
                  "ComplexDoubleStorage": np.complex128, "ComplexFloatStorage": np.complex64}
_NP_TO_STORAGE = {np.dtype(v): k for k, v in _STORAGE_NAMES.items()}


# ---------------------------------------------------------------- writing

class _Global:
    """A `GLOBAL module name` opcode to write, for names that live in torch (not importable here)."""
    __slots__ = ("module", "name")
    _cache = {}

    def __new__(cls, module, name):
        g = cls._cache.get((module, name))
        if g is None:
            g = cls._cache[(module, name)] = object.__new__(cls)
            g.module, g.name = module, name
        return g

    def __call__(self, *args):          # pickle wants the function of a reduce to be callable
        raise TypeError(f"{self.module}.{self.name} exists only in PyTorch")


class _StorageRef:
    __slots__ = ("key", "type_name", "location", "numel", "array")

    def __init__(self, key, type_name, location, array):
        self.key, self.type_name, self.location, self.array = key, type_name, location, array
        self.numel = array.size


class _PlainTensor:
    """A Parameter's data, pickled as a plain tensor inside `_rebuild_parameter`."""
    __slots__ = ("t",)

    def __init__(self, t):
        self.t = t


class _Pickler(pickle._Pickler):
    """The pure-Python pickler, taught to write torch's globals without importing torch."""
    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}          # id(base array) -> _StorageRef

    def _write_global(self, obj):
        if id(obj) in self.memo:
            self.write(self.get(self.memo[id(obj)][0]))
            return
        self.write(pickle.GLOBAL + obj.module.encode("utf-8") + b"\n" + obj.name.encode("utf-8") + b"\n")
        self.memoize(obj)

    dispatch[_Global] = _write_global
    dispatch[_dtype] = lambda self, dt: self._write_global(_Global("torch", dt._name))

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return ("storage", _Global("torch", obj.type_name), obj.key, obj.location, obj.numel)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            param = getattr(sys.modules.get("retrograd.nn"), "Parameter", None)
            if param is not None and isinstance(obj, param):
                return (_Global("torch._utils", "_rebuild_parameter"),
                        (_PlainTensor(obj), obj.requires_grad, OrderedDict()))
            return self._reduce_tensor(obj)
        if type(obj) is _PlainTensor:
            return self._reduce_tensor(obj.t)
        if type(obj) is Size:
            return (_Global("torch", "Size"), (tuple(obj),))
        if type(obj) is _device:
            return (_Global("torch", "device"), (obj.type,) if obj.index is None else (obj.type, obj.index))
        return NotImplemented

    def _reduce_tensor(self, t):
        storage, offset, stride = self._storage_of(t)
        return (_Global("torch._utils", "_rebuild_tensor_v2"),
                (storage, offset, tuple(t.shape), stride, t.requires_grad, OrderedDict()))

    def _storage_of(self, t):
        """(storage ref, element offset, element strides) of a tensor, sharing a storage with its views."""
        arr = t._data
        location = "cpu"
        if type(arr) is not ndarray:                      # CuPy: copy to the host
            location = f"cuda:{arr.device.id}"
            arr = np.ascontiguousarray(to_numpy(arr))
        if arr.dtype not in _NP_TO_STORAGE:
            raise RuntimeError(f"retrograd.save: cannot save a tensor of dtype {arr.dtype} in torch's format")
        base, offset, stride = _in_base(arr)
        if base is None:                                  # not expressible as a view: save a copy
            base = np.ascontiguousarray(arr).copy() if arr.base is not None else np.ascontiguousarray(arr)
            offset, stride = 0, tuple(s // arr.itemsize for s in base.strides) if base.ndim else ()
        ref = self.storages.get(id(base))
        if ref is None:
            ref = self.storages[id(base)] = _StorageRef(str(len(self.storages)), _NP_TO_STORAGE[arr.dtype],
                                                        location, base.reshape(-1))
        return ref, offset, stride


def _in_base(arr):
    """The C-contiguous array that owns `arr`'s memory, with arr's element offset and strides in it;
    (None, 0, ()) when arr is not a plain strided view of such an array."""
    base = arr
    while isinstance(base.base, ndarray):
        base = base.base
    item = arr.itemsize
    if (base.dtype != arr.dtype or not base.flags.c_contiguous or arr.size == 0
            or any(s < 0 or s % item for s in arr.strides)):
        return None, 0, ()
    start = arr.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    if start < 0 or start % item:
        return None, 0, ()
    stride = tuple(s // item for s in arr.strides)
    offset = start // item
    last = offset + sum((n - 1) * s for n, s in zip(arr.shape, stride))
    if last >= base.size:
        return None, 0, ()
    return base, offset, stride


def _archive_name(f):
    if isinstance(f, (str, os.PathLike)):
        name = os.path.splitext(os.path.basename(os.fspath(f)))[0]
        return name or "archive"
    return "archive"


def _write_record(zf, name, data):
    """A stored (uncompressed) zip entry whose data starts on a 64-byte boundary, as torch aligns them."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    header_end = zf.fp.tell() + 30 + len(name.encode("utf-8"))
    pad = (-(header_end + 4)) % _STORAGE_ALIGNMENT
    info.extra = b"FB" + pad.to_bytes(2, "little") + b"Z" * pad
    info.file_size = len(data)
    with zf.open(info, "w") as w:
        w.write(data)


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Same as `torch.save`: writes PyTorch's zip format (torch.load reads it)."""
    if pickle_protocol != DEFAULT_PROTOCOL:
        raise ValueError("retrograd.save writes pickle protocol 2 (torch's default)")
    buf = io.BytesIO()
    pickler = _Pickler(buf, pickle_protocol)
    pickler.dump(obj)
    name = _archive_name(f)
    opened = open(os.fspath(f), "wb") if isinstance(f, (str, os.PathLike)) else contextlib.nullcontext(f)
    with opened as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as zf:
        _write_record(zf, f"{name}/data.pkl", buf.getvalue())
        _write_record(zf, f"{name}/.format_version", b"1")
        _write_record(zf, f"{name}/.storage_alignment", str(_STORAGE_ALIGNMENT).encode())
        if not _disable_byteorder_record:
            _write_record(zf, f"{name}/byteorder", sys.byteorder.encode())
        for ref in pickler.storages.values():
            _write_record(zf, f"{name}/data/{ref.key}", memoryview(ref.array.view(np.uint8)))
        _write_record(zf, f"{name}/version", b"3\n")


# ---------------------------------------------------------------- reading

class _StorageType:
    """torch.FloatStorage & co. as seen by the loader: just a dtype (None: untyped bytes)."""

    def __init__(self, name, np_dtype):
        self.name, self.np = name, np_dtype

    def __repr__(self):
        return f"StorageType(dtype={self.name})"


class _LoadedStorage:
    __slots__ = ("array", "device")

    def __init__(self, array, device):
        self.array, self.device = array, device


def _check_bounds(storage_numel, offset, size, stride, itemsize):
    if any(s < 0 for s in stride) or offset < 0 or len(size) != len(stride):
        raise RuntimeError(f"setStorage: invalid sizes {list(size)}, strides {list(stride)} or storage offset {offset}")
    if any(n == 0 for n in size):
        return
    need = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if need > storage_numel:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and itemsize "
            f"{itemsize} requiring a storage size of {need * itemsize} are out of bounds for storage of size "
            f"{storage_numel * itemsize}")


def _view(storage, offset, size, stride, np_dtype=None):
    """The array of a loaded tensor: a view into its storage's array (bounds checked first)."""
    arr = storage.array
    if np_dtype is not None and np.dtype(np_dtype) != arr.dtype:
        arr = arr.view(np_dtype)
    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    _check_bounds(arr.size, int(offset), size, stride, arr.itemsize)
    if any(n == 0 for n in size):
        out = np.empty(size, dtype=arr.dtype)
    else:
        out = np.lib.stride_tricks.as_strided(arr[int(offset):], shape=size,
                                              strides=tuple(s * arr.itemsize for s in stride))
    if storage.device.type != "cpu":
        out = to_device(np.ascontiguousarray(out), storage.device)
    return out


def _finish_tensor(arr, requires_grad, metadata):
    if metadata:
        if metadata.get("conj"):
            arr = np.conj(arr)
        if metadata.get("neg"):
            arr = -arr
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _wrap(_view(storage, storage_offset, size, stride))


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    return _finish_tensor(_view(storage, storage_offset, size, stride), requires_grad, metadata)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None):
    return _finish_tensor(_view(storage, storage_offset, size, stride, dtype.np), requires_grad, metadata)


def _parameter_class():
    try:
        from .nn import Parameter
    except ImportError:
        return None
    return Parameter


def _rebuild_parameter(data, requires_grad, backward_hooks):
    param = _parameter_class()
    if param is None:
        data.requires_grad = requires_grad
        return data
    return param(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_obj_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _set_obj_state(obj, state):
    if isinstance(state, tuple):
        dict_state, slots_state = state if len(state) == 2 else (state[0], None)
    else:
        dict_state, slots_state = state, None
    for k, v in (dict_state or {}).items():
        if not k.startswith("_"):            # retrograd keeps its own machinery in "_" attributes
            setattr(obj, k, v)
    for k, v in (slots_state or {}).items():
        if not k.startswith("_"):
            setattr(obj, k, v)
    return obj


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if new_type is not Tensor and not isinstance(ret, new_type):
        if new_type is _parameter_class():
            ret = new_type(ret, ret.requires_grad)
        else:
            raise pickle.UnpicklingError(f"retrograd cannot rebuild a tensor of type {new_type}")
    return _set_obj_state(ret, state) if state else ret


def _encode(s, encoding="latin1"):
    import codecs
    return codecs.encode(s, encoding)


def _allowed_globals():
    """torch's weights_only allow-list, each name mapped to what it means in retrograd."""
    rc = {"collections.OrderedDict": OrderedDict, "collections.Counter": collections.Counter,
          "torch.Size": Size, "torch.Tensor": Tensor, "torch.device": _device,
          "_codecs.encode": _encode, "builtins.bytearray": bytearray, "builtins.set": set,
          "builtins.complex": complex,
          "torch._utils._rebuild_tensor": _rebuild_tensor, "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
          "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
          "torch._utils._rebuild_parameter": _rebuild_parameter,
          "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
          "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
          "torch.storage.UntypedStorage": _StorageType("uint8", np.uint8),
          "torch.UntypedStorage": _StorageType("uint8", np.uint8)}
    for name, np_dtype in _STORAGE_NAMES.items():
        rc["torch." + name] = _StorageType(name, np_dtype)
    for name in ("float16", "float32", "float64", "complex64", "complex128", "int8", "int16", "int32", "int64",
                 "uint8"):
        rc["torch." + name] = getattr(_dtypes, name)
    rc["torch.bool"] = _dtypes.bool_
    param = _parameter_class()
    if param is not None:
        rc["torch.nn.parameter.Parameter"] = param
    return rc


_user_safe_globals = {}          # "module.name" -> object


def add_safe_globals(safe_globals):
    """Same as `torch.serialization.add_safe_globals`: allow these globals when weights_only=True."""
    for g in safe_globals:
        if isinstance(g, tuple):
            obj, name = g
        else:
            obj, name = g, f"{g.__module__}.{g.__qualname__}"
        _user_safe_globals[name] = obj


def get_safe_globals():
    """Same as `torch.serialization.get_safe_globals`."""
    return list(_user_safe_globals.values())


def clear_safe_globals():
    """Same as `torch.serialization.clear_safe_globals`."""
    _user_safe_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """Same as `torch.serialization.safe_globals`: allow these globals inside the block."""
    saved = dict(_user_safe_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _user_safe_globals.clear()
        _user_safe_globals.update(saved)


_BLOCKLISTED_MODULES = ("sys", "os", "posix", "nt")
_UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` from `False` "
    "to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but it can "
    "result in arbitrary code execution. Do it only if you got the file from a trusted source.")
_DOCS_MESSAGE = ("\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
                 "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")


class _UnsafeGlobal(pickle.UnpicklingError):
    pass


def _weights_only_message(message, unsafe_global):
    if unsafe_global:
        return ("Weights only load failed. This file can still be loaded, to do so you have two options, "
                "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
                f"\n\t(1) {_UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please check "
                "the recommended steps in the following error message.\n\tWeightsUnpickler error: "
                + message + _DOCS_MESSAGE)
    return f"Weights only load failed. {_UNSAFE_MESSAGE}\n" + "\n\n" + message + _DOCS_MESSAGE


class _Unpickler(pickle.Unpickler):
    """See Note [Loading without running code]."""

    def __init__(self, file, read_record, map_location, weights_only, byteswap=False, **kwargs):
        super().__init__(file, **kwargs)
        self._read_record = read_record
        self._byteswap = byteswap
        self._map_location = map_location
        self._weights_only = weights_only
        self._allowed = _allowed_globals()
        self._storages = {}

    def find_class(self, module, name):
        # protocol 2 writes Python 2 names (__builtin__.set): map them as pickle's fix_imports does
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full_path = f"{module}.{name}"
        if full_path in self._allowed:
            return self._allowed[full_path]
        if full_path in _user_safe_globals:
            return _user_safe_globals[full_path]
        if self._weights_only:
            if module in _BLOCKLISTED_MODULES:
                raise pickle.UnpicklingError(
                    f"Trying to load unsupported GLOBAL {full_path} whose module {module} is blocked.")
            if full_path.startswith("builtins."):
                full_path = full_path[len("builtins."):]
            raise _UnsafeGlobal(
                f"Unsupported global: GLOBAL {full_path} was not an allowed global by default. Please use "
                f"`torch.serialization.add_safe_globals([{full_path}])` or the "
                f"`torch.serialization.safe_globals([{full_path}])` context manager to allowlist this global "
                "if you trust this class/function.")
        if module == "torch" or module.startswith("torch."):
            raise pickle.UnpicklingError(f"retrograd.load cannot rebuild {full_path} (a PyTorch object)")
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage":
            raise pickle.UnpicklingError("unsupported persistent id encountered")
        _, storage_type, key, location, numel = pid
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"unsupported storage type {storage_type!r}")
        key = str(key)
        st = self._storages.get(key)
        if st is None:
            data = self._read_record(f"data/{key}")
            arr = np.frombuffer(bytearray(data), dtype=storage_type.np)
            if self._byteswap:
                arr.byteswap(inplace=True)
            st = self._storages[key] = _LoadedStorage(arr, self._target(location))
        return st

    def _target(self, location):
        ml = self._map_location
        if callable(ml) and not isinstance(ml, (str, _device)):
            ml = None if ml(None, location) is None else "cpu"
        if isinstance(ml, dict):
            location = ml.get(location, location)
        elif ml is not None:
            location = ml
        dev = as_device(location)
        if dev.type == "cuda":
            from .backend import cuda_is_available
            if not cuda_is_available():
                raise RuntimeError(
                    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
                    "If you are running on a CPU-only machine, please use torch.load with "
                    "map_location=torch.device('cpu') to map your storages to the CPU.")
        return dev


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Same as `torch.load` for PyTorch's zip format (torch >= 1.6); `weights_only` defaults to True.

    `mmap` is accepted and ignored (records are read into memory); pickle_module must be None or pickle.
    """
    if weights_only is None:
        weights_only = True
    if pickle_module is not None and pickle_module is not pickle:
        raise ValueError("retrograd.load unpickles with the standard pickle module")
    pickle_load_args.setdefault("encoding", "utf-8")
    opened = open(os.fspath(f), "rb") if isinstance(f, (str, os.PathLike)) else contextlib.nullcontext(f)
    with opened as fh:
        if not zipfile.is_zipfile(fh):
            raise pickle.UnpicklingError(
                "retrograd.load reads PyTorch's zip format (torch.save since PyTorch 1.6); this file is not a "
                "zip archive")
        fh.seek(0)
        with zipfile.ZipFile(fh) as zf:
            names = zf.namelist()
            pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
            if not pkl:
                raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
            prefix = pkl[0][:-len("data.pkl")]
            swap = prefix + "byteorder" in names and zf.read(prefix + "byteorder").decode() != sys.byteorder

            def read_record(name):
                return zf.read(prefix + name)

            unpickler = _Unpickler(io.BytesIO(zf.read(pkl[0])), read_record, map_location, weights_only,
                                   swap, **pickle_load_args)
            try:
                result = unpickler.load()
            except _UnsafeGlobal as e:
                raise pickle.UnpicklingError(_weights_only_message(str(e), True)) from None
            except pickle.UnpicklingError as e:
                if not weights_only:
                    raise
                raise pickle.UnpicklingError(_weights_only_message(str(e), False)) from None
    return result

