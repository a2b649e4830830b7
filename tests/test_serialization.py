"""retrograd.save / retrograd.load against torch.save / torch.load, in both directions."""
import collections
import io
import os
import pickle
import zipfile

import numpy as np
import pytest

import retrograd
from conftest import needs_torch

torch = pytest.importorskip("torch")
pytestmark = needs_torch


def _plain(x):
    if isinstance(x, (torch.Tensor, retrograd.Tensor)):
        return ("tensor", str(x.dtype), tuple(x.shape), x.requires_grad, x.detach().numpy().tolist())
    if isinstance(x, dict):
        return (type(x).__name__, {k: _plain(v) for k, v in x.items()})
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_plain(v) for v in x])
    if isinstance(x, (set, frozenset)):
        return (type(x).__name__, sorted(x))
    return (type(x).__name__, repr(x))


def _obj(lib):
    base = lib.arange(12.0).reshape(3, 4)
    return collections.OrderedDict([
        ("w", base), ("row", base[1]), ("col", base[:, 2]), ("t", base.t()),
        ("grad", lib.tensor([1.0, -2.0], requires_grad=True)),
        ("f64", lib.tensor([1.5, 2.5], dtype=lib.float64)), ("f16", lib.tensor([0.5, 1.0], dtype=lib.float16)),
        ("i64", lib.tensor([1, 2, 3])), ("i32", lib.tensor([4], dtype=lib.int32)),
        ("i16", lib.tensor([4], dtype=lib.int16)), ("i8", lib.tensor([-4], dtype=lib.int8)),
        ("u8", lib.tensor([250], dtype=lib.uint8)), ("b", lib.tensor([True, False])),
        ("c64", lib.tensor([1 + 2j], dtype=lib.complex64)), ("c128", lib.tensor([3 - 1j], dtype=lib.complex128)),
        ("scalar0d", lib.tensor(3.25)), ("empty", lib.zeros(0, 3)),
        ("nested", {"list": [1, 2.5, "s", None, True], "tuple": (lib.ones(2), ("deep", lib.zeros(1)))}),
        ("dtype", lib.float64), ("size", lib.Size([2, 3])), ("device", lib.device("cpu")),
        ("bytes", b"\x00\xff"), ("set", {1, 2}), ("complex", 1 + 2j), ("big", 2 ** 70), ("neg", -1.5e-300),
    ])


def test_round_trip_in_memory_and_on_disk(tmp_path):
    obj = _obj(retrograd)
    buf = io.BytesIO()
    retrograd.save(obj, buf)
    buf.seek(0)
    back = retrograd.load(buf)
    assert _plain(back) == _plain(obj)
    path = tmp_path / "ckpt.pt"
    retrograd.save(obj, path)
    assert _plain(retrograd.load(path)) == _plain(obj)
    assert _plain(retrograd.load(str(path))) == _plain(obj)
    assert zipfile.ZipFile(path).namelist()[0] == "ckpt/data.pkl"       # torch names the archive after the file


def test_torch_reads_retrograd_files(tmp_path):
    path = tmp_path / "from_retrograd.pt"
    retrograd.save(_obj(retrograd), path)
    loaded = torch.load(path, weights_only=True)
    assert _plain(loaded) == _plain(_obj(torch))
    # the views still share the base's storage in torch
    assert loaded["row"].untyped_storage().data_ptr() == loaded["w"].untyped_storage().data_ptr()
    assert loaded["t"].stride() == (1, 4) and loaded["col"].storage_offset() == 2
    loaded["w"][1, 2] = 100.0
    assert loaded["row"][2].item() == 100.0 and loaded["col"][1].item() == 100.0
    # storages are 64-byte aligned, so torch can even memory-map them
    assert _plain(torch.load(path, weights_only=True, mmap=True)) == _plain(_obj(torch))


def test_retrograd_reads_torch_files(tmp_path):
    path = tmp_path / "from_torch.pt"
    torch.save(_obj(torch), path)
    loaded = retrograd.load(path)
    assert _plain(loaded) == _plain(_obj(retrograd))
    assert isinstance(loaded, collections.OrderedDict)
    assert isinstance(loaded["size"], retrograd.Size) and loaded["dtype"] is retrograd.float64
    # tensors that shared a storage in torch share memory in retrograd
    loaded["w"][1, 2] = 100.0
    assert loaded["row"][2].item() == 100.0 and loaded["col"][1].item() == 100.0 and loaded["t"][2, 1].item() == 100.0
    # and are writable, independent leaves (as torch's loaded tensors)
    assert loaded["grad"].requires_grad and loaded["grad"].is_leaf
    loaded["i64"].add_(1)


def test_torch_state_dict_and_parameters_load(tmp_path):
    torch.manual_seed(0)
    lin = torch.nn.Linear(3, 2)
    path = tmp_path / "linear.pt"
    torch.save({"sd": lin.state_dict(), "param": lin.weight, "params": list(lin.parameters())}, path)
    loaded = retrograd.load(path)
    assert list(loaded["sd"]) == ["weight", "bias"]
    np.testing.assert_array_equal(loaded["sd"]["weight"].numpy(), lin.weight.detach().numpy())
    assert not loaded["sd"]["weight"].requires_grad
    assert loaded["param"].requires_grad
    np.testing.assert_array_equal(loaded["param"].detach().numpy(), lin.weight.detach().numpy())


def _adam_run(lib, sd=None, steps=5):
    w = lib.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    b = lib.tensor([0.5, -0.5], requires_grad=True)
    opt = lib.optim.Adam([w, b], lr=0.05, amsgrad=True)
    if sd is not None:
        opt.load_state_dict(sd)
    for _ in range(steps):
        opt.zero_grad()
        ((w * w).sum() + (b * w.sum(1)).sum()).backward()
        opt.step()
    return opt, w, b


def test_optimizer_state_dict_crosses_libraries(tmp_path):
    ot, _, _ = _adam_run(torch)
    orr, _, _ = _adam_run(retrograd)
    # retrograd's optimizer state dict -> torch
    p = tmp_path / "opt_rg.pt"
    retrograd.save(orr.state_dict(), p)
    sd_t = torch.load(p, weights_only=True)
    assert sd_t["param_groups"] == ot.state_dict()["param_groups"]
    for k, v in ot.state_dict()["state"][0].items():
        assert sd_t["state"][0][k].dtype == v.dtype
        np.testing.assert_allclose(sd_t["state"][0][k].numpy(), v.numpy(), rtol=1e-6)
    # torch's optimizer state dict -> retrograd, and training continues alike
    q = tmp_path / "opt_torch.pt"
    torch.save(ot.state_dict(), q)
    sd_r = retrograd.load(q)
    assert sorted(sd_r["state"]) == [0, 1] and sd_r["state"][0]["step"].dtype == retrograd.float32
    _, wt, bt = _adam_run(torch, torch.load(q, weights_only=True))
    _, wr, br = _adam_run(retrograd, sd_r)
    np.testing.assert_allclose(wr.detach().numpy(), wt.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(br.detach().numpy(), bt.detach().numpy(), rtol=1e-6)


def _tampered(payload):
    """A torch checkpoint whose data.pkl is replaced by `payload`."""
    good = io.BytesIO()
    torch.save({"a": torch.ones(2)}, good)
    src = zipfile.ZipFile(io.BytesIO(good.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in src.namelist():
            z.writestr(n, payload if n.endswith("data.pkl") else src.read(n))
    return out.getvalue()


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class Custom:
    def __init__(self, v=1):
        self.v = v

    def __eq__(self, other):
        return isinstance(other, Custom) and other.v == self.v


def _errors(data, **kw):
    out = {}
    for name, load in (("torch", torch.load), ("retrograd", retrograd.load)):
        with pytest.raises(pickle.UnpicklingError) as e:
            load(io.BytesIO(data), **kw)
        out[name] = str(e.value)
    return out


def test_tampered_file_raises_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    msgs = _errors(_tampered(pickle.dumps(_Evil(marker), protocol=2)))
    assert not marker.exists()
    assert msgs["retrograd"] == msgs["torch"]
    assert "blocked" in msgs["retrograd"]


@pytest.mark.parametrize("payload", [
    lambda: pickle.dumps(Custom(3), protocol=2),
    lambda: pickle.dumps(collections.defaultdict(int), protocol=2),
    lambda: pickle.dumps(np.arange(3), protocol=2),
    lambda: pickle.dumps(print, protocol=2),
])
def test_unsupported_globals_raise_torchs_error(payload):
    msgs = _errors(_tampered(payload()))
    assert msgs["retrograd"] == msgs["torch"]
    assert "Unsupported global" in msgs["retrograd"]


def test_safe_globals_and_weights_only_false():
    data = io.BytesIO()
    retrograd.save({"c": Custom(7), "t": retrograd.ones(1)}, data)
    raw = data.getvalue()
    with pytest.raises(pickle.UnpicklingError):
        retrograd.load(io.BytesIO(raw))
    with retrograd.serialization.safe_globals([Custom]):
        assert retrograd.load(io.BytesIO(raw))["c"] == Custom(7)
    with pytest.raises(pickle.UnpicklingError):
        retrograd.load(io.BytesIO(raw))
    assert retrograd.load(io.BytesIO(raw), weights_only=False)["c"] == Custom(7)
    retrograd.serialization.add_safe_globals([Custom])
    try:
        assert Custom in retrograd.serialization.get_safe_globals()
        assert retrograd.load(io.BytesIO(raw))["c"] == Custom(7)
    finally:
        retrograd.serialization.clear_safe_globals()


def test_out_of_bounds_tensor_is_rejected():
    # a _rebuild_tensor_v2 that asks for 100 elements of a 2-element storage
    good = io.BytesIO()
    torch.save(torch.ones(2), good)
    raw = zipfile.ZipFile(io.BytesIO(good.getvalue())).read("archive/data.pkl")
    bad_pkl = raw.replace(b"K\x02\x85", b"Kd\x85", 1)            # size (2,) -> (100,)
    assert bad_pkl != raw
    with pytest.raises(RuntimeError, match="out of bounds"):
        retrograd.load(io.BytesIO(_tampered_pkl(good.getvalue(), bad_pkl)))


def _tampered_pkl(checkpoint, pkl):
    src = zipfile.ZipFile(io.BytesIO(checkpoint))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in src.namelist():
            z.writestr(n, pkl if n.endswith("data.pkl") else src.read(n))
    return out.getvalue()


def test_not_a_checkpoint():
    with pytest.raises(pickle.UnpicklingError, match="not a zip archive"):
        retrograd.load(io.BytesIO(b"garbage"))


def test_map_location():
    buf = io.BytesIO()
    torch.save({"x": torch.arange(3.0)}, buf)
    for ml in ("cpu", retrograd.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage):
        out = retrograd.load(io.BytesIO(buf.getvalue()), map_location=ml)
        assert out["x"].tolist() == [0.0, 1.0, 2.0] and out["x"].device.type == "cpu"
    if not retrograd.backend.cuda_is_available():
        with pytest.raises(RuntimeError, match="torch.cuda.is_available\\(\\) is False"):
            retrograd.load(io.BytesIO(buf.getvalue()), map_location="cuda")


def test_saving_does_not_copy_into_unrelated_storages():
    big = retrograd.arange(1000.0)
    small = retrograd.arange(4.0)
    buf = io.BytesIO()
    retrograd.save([big[:2], small], buf)
    names = zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()
    assert sum(n.startswith("archive/data/") for n in names) == 2     # one record per storage, as torch
    loaded = torch.load(io.BytesIO(buf.getvalue()))
    assert loaded[0].untyped_storage().nbytes() == 4000                # the whole storage, as torch saves it
