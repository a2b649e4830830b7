"""retrograd.utils.data against torch.utils.data: the same datasets, batches, order and errors."""
import collections
import warnings

import numpy as np
import pytest

import retrograd
from conftest import needs_torch

torch = pytest.importorskip("torch")
pytestmark = needs_torch

LIBS = {"torch": torch, "retrograd": retrograd}


def _plain(x):
    """Batches as comparable Python values: tensors become (dtype, shape, values)."""
    if isinstance(x, (torch.Tensor, retrograd.Tensor)):
        return ("tensor", str(x.dtype), tuple(x.shape), x.detach().numpy().tolist())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, tuple(_plain(v) for v in x))
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_plain(v) for v in x])
    return x


def _tensors(lib):
    x = lib.tensor(np.arange(30.0).reshape(10, 3), dtype=lib.float32)
    y = lib.tensor(np.arange(10) % 3)
    return x, y


def test_tensor_dataset():
    out = {}
    for name, lib in LIBS.items():
        ds = lib.utils.data.TensorDataset(*_tensors(lib))
        out[name] = (len(ds), _plain(ds[3]), _plain(ds[-1]), _plain(ds[2:4]))
    assert out["retrograd"] == out["torch"]
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        retrograd.utils.data.TensorDataset(retrograd.zeros(3), retrograd.zeros(4))


def test_concat_subset_stack_datasets():
    out = {}
    for name, lib in LIBS.items():
        D = lib.utils.data
        a, b = D.TensorDataset(*_tensors(lib)), D.TensorDataset(lib.arange(4.0))
        cat = D.ConcatDataset([a, b])
        cat2 = a + b
        sub = D.Subset(cat, [0, 11, 13, 2])
        st = D.StackDataset(x=b, y=D.Subset(a, [5, 6, 7, 8]))
        out[name] = (len(cat), cat.cumulative_sizes, _plain(cat[10]), _plain(cat[-1]), _plain(cat2[12]),
                     len(sub), _plain(sub[1]), _plain(sub.__getitems__([2, 3])), _plain(st[1]), len(st))
    assert out["retrograd"] == out["torch"]


def test_dataset_errors_match_torch():
    cases = [
        lambda lib: lib.utils.data.ConcatDataset([]),
        lambda lib: lib.utils.data.ConcatDataset([lib.utils.data.TensorDataset(lib.zeros(2))])[-3],
        lambda lib: lib.utils.data.Dataset()[0],
        lambda lib: lib.utils.data.StackDataset(),
        lambda lib: lib.utils.data.random_split(range(10), [3, 3]),
        lambda lib: lib.utils.data.random_split(range(10), [0.5, 1.5]),
    ]
    for case in cases:
        caught = {}
        for name, lib in LIBS.items():
            with pytest.raises(Exception) as e:
                case(lib)
            caught[name] = (type(e.value), str(e.value))
        assert caught["retrograd"] == caught["torch"]


def test_random_split_structure_and_determinism():
    D = retrograd.utils.data
    parts = D.random_split(range(10), [0.3, 0.3, 0.4], generator=retrograd.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 3, 4]
    assert sorted(i for p in parts for i in p) == list(range(10))
    again = D.random_split(range(10), [3, 3, 4], generator=retrograd.Generator().manual_seed(0))
    assert [list(p) for p in again] == [list(p) for p in parts]
    assert [len(p) for p in D.random_split(range(11), [0.5, 0.5])] == \
        [len(p) for p in torch.utils.data.random_split(range(11), [0.5, 0.5])]


def test_random_split_matches_torch():
    out = {}
    for name, lib in LIBS.items():
        parts = lib.utils.data.random_split(range(17), [0.2, 0.5, 0.3], generator=lib.Generator().manual_seed(5))
        out[name] = [list(p) for p in parts]
    assert out["retrograd"] == out["torch"]


# ---------------------------------------------------------------- collation

Point = collections.namedtuple("Point", "x y")

SAMPLES = {
    "tensors": lambda lib: [lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])],
    "ints": lambda lib: [0, 1, 2, 3],
    "floats": lambda lib: [0.5, 1.5],
    "bools": lambda lib: [True, False],
    "strings": lambda lib: ["a", "b"],
    "tuples": lambda lib: [(lib.tensor(1), 2.0, "x"), (lib.tensor(3), 4.0, "y")],
    "lists": lambda lib: [[1, 2], [3, 4]],
    "dicts": lambda lib: [{"A": 0, "B": lib.tensor([1.0])}, {"A": 100, "B": lib.tensor([2.0])}],
    "nested": lambda lib: [{"a": (lib.ones(2), [1, {"z": 2.5}])}, {"a": (lib.zeros(2), [3, {"z": 3.5}])}],
    "namedtuple": lambda lib: [Point(0, lib.tensor(1.0)), Point(1, lib.tensor(2.0))],
    "numpy": lambda lib: [np.arange(3), np.arange(3, 6)],
    "numpy_scalars": lambda lib: [np.float64(1.5), np.float64(2.5)],
    "numpy_f32": lambda lib: [np.float32(1.5), np.int32(2)],
    "ordered": lambda lib: [collections.OrderedDict(b=1, a=2), collections.OrderedDict(b=3, a=4)],
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_default_collate_matches_torch(name):
    out = {}
    for lname, lib in LIBS.items():
        batch = lib.utils.data.default_collate(SAMPLES[name](lib))
        out[lname] = (type(batch).__name__, _plain(batch))
    assert out["retrograd"] == out["torch"]


@pytest.mark.parametrize("name", ["tensors", "ints", "tuples", "dicts", "numpy", "namedtuple"])
def test_default_convert_matches_torch(name):
    out = {}
    for lname, lib in LIBS.items():
        out[lname] = _plain(lib.utils.data.default_convert(SAMPLES[name](lib)))
    assert out["retrograd"] == out["torch"]


def test_collate_errors_match_torch():
    cases = [lambda lib: [object(), object()], lambda lib: [[1, 2], [3]], lambda lib: [np.array(["a"]), np.array(["b"])]]
    for case in cases:
        caught = {}
        for name, lib in LIBS.items():
            with pytest.raises(Exception) as e:
                lib.utils.data.default_collate(case(lib))
            caught[name] = (type(e.value), str(e.value).replace("torch.", "").replace("retrograd.", ""))
        assert caught["retrograd"] == caught["torch"]


# ---------------------------------------------------------------- DataLoader

class Squares:                      # a map-style dataset that is not a Dataset subclass
    def __len__(self):
        return 7

    def __getitem__(self, i):
        return {"i": i, "sq": float(i * i), "v": np.full(2, i, dtype=np.float32)}


class Stream(retrograd.utils.data.IterableDataset):
    def __init__(self, n, lib):
        self.n, self.lib = n, lib

    def __iter__(self):
        return iter(self.lib.tensor([i, -i]) for i in range(self.n))


class TStream(torch.utils.data.IterableDataset):
    def __init__(self, n, lib):
        self.n, self.lib = n, lib

    def __iter__(self):
        return iter(self.lib.tensor([i, -i]) for i in range(self.n))


LOADERS = {
    "default": lambda lib: lib.utils.data.DataLoader(lib.utils.data.TensorDataset(*_tensors(lib))),
    "batched": lambda lib: lib.utils.data.DataLoader(lib.utils.data.TensorDataset(*_tensors(lib)), batch_size=4),
    "drop_last": lambda lib: lib.utils.data.DataLoader(lib.utils.data.TensorDataset(*_tensors(lib)), batch_size=4,
                                                       drop_last=True),
    "dicts": lambda lib: lib.utils.data.DataLoader(Squares(), batch_size=3),
    "no_batching": lambda lib: lib.utils.data.DataLoader(Squares(), batch_size=None),
    "collate_fn": lambda lib: lib.utils.data.DataLoader(range(9), batch_size=4, collate_fn=lambda b: sum(b)),
    "sampler": lambda lib: lib.utils.data.DataLoader(range(10), batch_size=3, sampler=[9, 1, 8, 2, 7]),
    "batch_sampler": lambda lib: lib.utils.data.DataLoader(
        range(10), batch_sampler=lib.utils.data.BatchSampler(lib.utils.data.SequentialSampler(range(7)), 3, False)),
    "batch_sampler_list": lambda lib: lib.utils.data.DataLoader(range(10), batch_sampler=[[1, 2], [9], [0, 3, 4]]),
    "iterable": lambda lib: lib.utils.data.DataLoader((Stream if lib is retrograd else TStream)(7, lib),
                                                      batch_size=3),
    "iterable_drop_last": lambda lib: lib.utils.data.DataLoader((Stream if lib is retrograd else TStream)(7, lib),
                                                                batch_size=3, drop_last=True),
    "subset": lambda lib: lib.utils.data.DataLoader(
        lib.utils.data.Subset(lib.utils.data.TensorDataset(*_tensors(lib)), [5, 1, 3]), batch_size=2),
}


@pytest.mark.parametrize("name", list(LOADERS))
def test_dataloader_batches_match_torch(name):
    out = {}
    for lname, lib in LIBS.items():
        loader = LOADERS[name](lib)
        batches = [_plain(b) for b in loader]
        again = [_plain(b) for b in loader]          # a DataLoader can be iterated again
        try:
            n = len(loader)
        except TypeError:
            n = None
        out[lname] = (batches, again, n)
    assert out["retrograd"] == out["torch"]


def test_dataloader_attributes_match_torch():
    out = {}
    for name, lib in LIBS.items():
        loader = lib.utils.data.DataLoader(range(10), batch_size=3, shuffle=True)
        out[name] = (loader.batch_size, loader.drop_last, type(loader.sampler).__name__,
                     type(loader.batch_sampler).__name__, loader.num_workers, len(loader))
    assert out["retrograd"] == out["torch"]


def test_shuffle_is_a_permutation_and_seeded():
    def order(seed):
        g = retrograd.Generator().manual_seed(seed)
        loader = retrograd.utils.data.DataLoader(range(23), batch_size=5, shuffle=True, generator=g)
        return [b.tolist() for b in loader] + [b.tolist() for b in loader]
    a = order(0)
    assert [len(b) for b in a[:5]] == [5, 5, 5, 5, 3]
    assert sorted(sum(a[:5], [])) == list(range(23)) == sorted(sum(a[5:], []))
    assert a == order(0)
    assert a[:5] != a[5:]                   # each epoch reshuffles
    assert a != order(1)


def test_shuffle_order_matches_torch():
    out = {}
    for name, lib in LIBS.items():
        g = lib.Generator().manual_seed(42)
        loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(*_tensors(lib)), batch_size=3,
                                           shuffle=True, generator=g)
        out[name] = [[_plain(b) for b in loader] for _ in range(3)]
    assert out["retrograd"] == out["torch"]


def test_shuffle_with_global_seed_matches_torch():
    out = {}
    for name, lib in LIBS.items():
        lib.manual_seed(7)
        loader = lib.utils.data.DataLoader(range(12), batch_size=5, shuffle=True)
        out[name] = [[b.tolist() for b in loader] for _ in range(2)]
    assert out["retrograd"] == out["torch"]


@pytest.mark.parametrize("make", [
    lambda lib, g: lib.utils.data.RandomSampler(range(10), generator=g),
    lambda lib, g: lib.utils.data.RandomSampler(range(10), num_samples=25, generator=g),
    lambda lib, g: lib.utils.data.RandomSampler(range(10), replacement=True, num_samples=70, generator=g),
    lambda lib, g: lib.utils.data.SubsetRandomSampler([3, 5, 7, 9, 11], generator=g),
    lambda lib, g: lib.utils.data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 10, generator=g),
    lambda lib, g: lib.utils.data.WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, replacement=False,
                                                        generator=g),
])
def test_random_samplers_match_torch(make):
    out = {}
    for name, lib in LIBS.items():
        s = make(lib, lib.Generator().manual_seed(1))
        out[name] = (list(s), list(s), len(s))
    assert out["retrograd"] == out["torch"]


def test_random_samplers_structure():
    g = retrograd.Generator().manual_seed(1)
    D = retrograd.utils.data
    assert sorted(D.RandomSampler(range(10), generator=g)) == list(range(10))
    s = list(D.RandomSampler(range(10), num_samples=25, generator=g))
    assert len(s) == 25 and set(s) == set(range(10))
    r = list(D.RandomSampler(range(10), replacement=True, num_samples=70, generator=g))
    assert len(r) == 70 and all(0 <= i < 10 for i in r)
    assert sorted(D.SubsetRandomSampler([3, 5, 7], generator=g)) == [3, 5, 7]
    w = list(D.WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 50, generator=g))
    assert len(w) == 50 and set(w) <= {1, 3}
    nw = list(D.WeightedRandomSampler([0.9, 0.4, 0.05, 0.2], 4, replacement=False, generator=g))
    assert sorted(nw) == [0, 1, 2, 3]


def test_sequential_and_batch_samplers_match_torch():
    out = {}
    for name, lib in LIBS.items():
        D = lib.utils.data
        out[name] = [list(D.SequentialSampler(range(5))), len(D.SequentialSampler(range(5))),
                     list(D.BatchSampler(range(10), 3, False)), list(D.BatchSampler(range(10), 3, True)),
                     len(D.BatchSampler(range(10), 3, False)), len(D.BatchSampler(range(10), 3, True))]
    assert out["retrograd"] == out["torch"]


LOADER_ERRORS = [
    lambda lib: lib.utils.data.DataLoader(range(5), num_workers=-1),
    lambda lib: lib.utils.data.DataLoader(range(5), timeout=-1),
    lambda lib: lib.utils.data.DataLoader(range(5), prefetch_factor=2),
    lambda lib: lib.utils.data.DataLoader(range(5), persistent_workers=True),
    lambda lib: lib.utils.data.DataLoader(range(5), multiprocessing_context="spawn"),
    lambda lib: lib.utils.data.DataLoader(range(5), shuffle=True, sampler=[0, 1]),
    lambda lib: lib.utils.data.DataLoader(range(5), batch_size=2, batch_sampler=[[0]]),
    lambda lib: lib.utils.data.DataLoader(range(5), batch_size=None, drop_last=True),
    lambda lib: lib.utils.data.DataLoader((Stream if lib is retrograd else TStream)(3, lib), shuffle=True),
    lambda lib: lib.utils.data.DataLoader((Stream if lib is retrograd else TStream)(3, lib), sampler=[0]),
    lambda lib: setattr(lib.utils.data.DataLoader(range(5)), "batch_size", 3),
    lambda lib: lib.utils.data.BatchSampler(range(3), 0, False),
    lambda lib: lib.utils.data.BatchSampler(range(3), 2, 1),
    lambda lib: lib.utils.data.RandomSampler(range(3), replacement=1),
    lambda lib: lib.utils.data.RandomSampler(range(3), num_samples=0),
    lambda lib: lib.utils.data.WeightedRandomSampler([1.0], 0),
    lambda lib: lib.utils.data.WeightedRandomSampler([[1.0]], 1),
]


@pytest.mark.parametrize("i", range(len(LOADER_ERRORS)))
def test_dataloader_errors_match_torch(i):
    caught = {}
    for name, lib in LIBS.items():
        with pytest.raises(Exception) as e:
            LOADER_ERRORS[i](lib)
        caught[name] = (type(e.value), str(e.value).replace("<tests.test_data.Stream", "<X").split(" object at")[0]
                        .replace("<tests.test_data.TStream", "<X").replace("<test_data.Stream", "<X")
                        .replace("<test_data.TStream", "<X"))
    assert caught["retrograd"] == caught["torch"]


def test_num_workers_warns_and_loads_in_process():
    with pytest.warns(UserWarning, match="main process"):
        loader = retrograd.utils.data.DataLoader(range(6), batch_size=4, num_workers=2)
    assert [b.tolist() for b in loader] == [[0, 1, 2, 3], [4, 5]]
    assert retrograd.utils.data.get_worker_info() is None


def test_batches_of_grad_tensors_keep_the_graph():
    w = retrograd.ones(4, 2, requires_grad=True)
    loader = retrograd.utils.data.DataLoader([w[i] * 2 for i in range(4)], batch_size=2)
    batch = next(iter(loader))
    batch.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [[2, 2], [2, 2], [0, 0], [0, 0]])


def test_training_loop_with_dataloader_and_optimizer():
    """A whole epoch loop: TensorDataset + DataLoader + SGD, as torch runs it (sequential order)."""
    out = {}
    for name, lib in LIBS.items():
        x, y = _tensors(lib)
        w = lib.zeros(3, dtype=lib.float32, requires_grad=True)
        opt = lib.optim.SGD([w], lr=1e-3, momentum=0.9)
        loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y.to(lib.float32)), batch_size=4)
        for _ in range(3):
            for xb, yb in loader:
                opt.zero_grad()
                (((xb * w).sum(-1) - yb) ** 2).mean().backward()
                opt.step()
        out[name] = w.detach().numpy().copy()
    np.testing.assert_allclose(out["retrograd"], out["torch"], rtol=1e-5)


def test_iterable_len_warning_matches_torch():
    msgs = {}
    for name, lib in LIBS.items():
        class Liar(lib.utils.data.IterableDataset):
            def __iter__(self):
                return iter(range(5))

            def __len__(self):
                return 2

            def __repr__(self):
                return "Liar"
        loader = lib.utils.data.DataLoader(Liar(), batch_size=None)
        assert len(loader) == 2
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            list(loader)
        msgs[name] = [str(m.message) for m in w]
    assert msgs["retrograd"] == msgs["torch"] and msgs["torch"]
