"""torch's CPU random streams, bit for bit: the generator and every sampler.

# Note [torch's CPU random streams]
torch's CPU generator is mt19937 seeded with `init_genrand(seed & 0xffffffff)`;
NumPy's `MT19937` with `_legacy_seeding` is the same engine, so we draw its raw
32-bit words (`random_raw`) and transform them exactly as ATen's samplers do
(aten/src/ATen/core/{DistributionsHelper,TransformationHelper}.h and
native/cpu/DistributionTemplates.h):

- `random()` is one word, `random64()` two words, the first one high.
- uniform float32 (and float16, computed in float32): the low 24 bits of one word times 2^-24;
  float64: the low 53 bits of a random64 times 2^-53. Then `x * (to - from) + from`,
  which the compiler contracts into one fused multiply-add (see `fma64`).
- normal, tensors of 16+ contiguous elements: fill with uniforms, Box-Muller in
  blocks of 16 (u1 from the first 8, u2 from the next 8), and when the size is not
  a multiple of 16, draw 16 new uniforms and redo the last 16. float32 uses the
  AVX2 kernel (torch runs it on AVX2 and AVX512 machines), whose polynomial log
  and sincos (avx_mathfun.h) are reproduced operation for operation, fused
  multiply-adds included (`_log256`, `_sincos256`); float64 uses libm's log,
  cos and sin, which Python's `math` calls too (NumPy's own SIMD log differs by
  an ulp now and then, so the transcendental steps go through `math`).
- normal, fewer than 16 elements or not contiguous: one Box-Muller pair per two
  elements from two random64 uniforms, r = sqrt(-2 log1p(-u2)), theta = 2 pi u1;
  r cos(theta) is returned and r sin(theta) is cached in the generator for the
  next normal sample (any call, any size; `manual_seed` clears it).
- random_/randint: word % range (+ from), one word below a range of 2^28, else a
  random64; randperm: Fisher-Yates with `random() % (n - i)`.
- bernoulli, exponential, geometric, log_normal, cauchy, multinomial, poisson:
  one double uniform (or normal) per element through the formula torch uses.
- float16 is computed in float32 and rounded (normal: over ceil(n/16)*16 uniforms,
  the last block filling the last 16); a uniform that rounds up to `to` is `from`.
Elements are drawn in memory order (TensorIterator's order), so an in-place fill
of a transposed tensor gets torch's numbers too.

Known differences: on CPUs without AVX2 (and on ARM) torch's float32 normal uses
libm's float functions instead of the AVX2 kernel: there values differ by up to
~2e-6 (the AVX2 polynomials are less precise), while the stream stays in step. On
Intel CPUs torch's `bernoulli_(p)` with a float `p` (and so dropout) uses MKL's
VSL stream seeded from one word; that stream is not reproduced: we take the path
torch takes on other CPUs. CUDA tensors get the CPU stream, not torch's Philox.
"""
import math
import os

import numpy as np

_DEFAULT_SEED = 67280421310721
_N = 624
_STATE_SIZE = 5056          # sizeof(CPUGeneratorImplState)
_f32, _f64, _f16 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16)
_DIGITS = {_f16: 11, _f32: 24, _f64: 53}


class Generator:
    """Same as `torch.Generator`: torch's CPU mt19937 stream, state layout included."""

    def __init__(self, device="cpu"):
        from .backend import as_device
        self.device = as_device(device)
        self._reset(_DEFAULT_SEED)

    def _reset(self, seed):
        self._seed = seed
        self._bg = None             # the NumPy MT19937, made on the first draw
        self._fresh = (1, 0)        # torch's (left, next) until something is drawn
        self._normal = None         # the cached second Box-Muller sample (a double)
        self._fnormal = None        # torch's float cache: never set on CPU, kept for get/set_state

    def _engine(self):
        if self._bg is None:
            self._bg = np.random.MT19937()
            self._bg._legacy_seeding(self._seed & 0xFFFFFFFF)
        return self._bg

    def _words(self, n):
        """n raw 32-bit words (as uint64), torch's `random()` n times."""
        self._fresh = None
        return self._engine().random_raw(n)

    def _words64(self, n):
        """n of torch's `random64()`: two words each, the first high."""
        w = self._words(2 * n)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def manual_seed(self, seed):
        self._reset(_unpack_seed(seed))
        return self

    def seed(self):
        s = int.from_bytes(os.urandom(8), "little")
        self._reset(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from .tensor import _wrap
        buf = np.zeros(_STATE_SIZE, np.uint8)
        key, pos = self._key_pos()
        if self._fresh is not None:
            left, nxt = self._fresh
        elif pos >= _N:
            left, nxt = 1, _N
        else:
            left, nxt = _N + 1 - pos, pos
        buf[0:8].view(np.uint64)[0] = self._seed
        buf[8:16].view(np.int32)[:] = (left, 1)
        buf[16:24].view(np.uint64)[0] = nxt
        buf[24:24 + 8 * _N].view(np.uint64)[:] = key
        if self._normal is not None:
            buf[5024:5032].view(np.float64)[0] = self._normal
            buf[5040:5044].view(np.int32)[0] = 1
        if self._fnormal is not None:
            buf[5048:5052].view(np.float32)[0] = self._fnormal
            buf[5052] = 1
        return _wrap(buf)

    def _key_pos(self):
        st = self._engine().state["state"]
        return st["key"], st["pos"]

    def set_state(self, new_state):
        from .tensor import Tensor
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        buf = np.ascontiguousarray(new_state._data).reshape(-1)
        if buf.size != _STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found the "
                               f"input RNG state size to be {buf.size}")
        seed = int(buf[0:8].view(np.uint64)[0])
        left, seeded = (int(v) for v in buf[8:16].view(np.int32))
        nxt = int(buf[16:24].view(np.uint64)[0]) & 0xFFFFFFFF
        if not (seeded and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        key = (buf[24:24 + 8 * _N].view(np.uint64) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        bg = np.random.MT19937()
        # left == 1: the next draw regenerates the state; else draw `nxt` onwards
        bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _N if left == 1 else nxt}}
        self._seed, self._bg, self._fresh = seed, bg, (left, nxt)
        self._normal = float(buf[5024:5032].view(np.float64)[0]) if buf[5040:5044].view(np.int32)[0] else None
        self._fnormal = float(buf[5048:5052].view(np.float32)[0]) if buf[5052] else None
        return self

    def clone_state(self):
        g = Generator(self.device)
        g.set_state(self.get_state())
        g._fresh = self._fresh
        return g

    def get_offset(self):
        raise RuntimeError("CPU Generator does not use offset")

    def set_offset(self, offset):
        raise RuntimeError("CPU Generator does not use offset")

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"


def _unpack_seed(seed):
    """torch's seed argument: an int in [-2^63, 2^64), negative ones wrapped to uint64."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        if hasattr(seed, "__index__") and not isinstance(seed, float):
            seed = seed.__index__()
        else:
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    seed = int(seed)
    if not -2 ** 63 <= seed < 2 ** 64:
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFFFFFFFFFFFFFF


default_generator = Generator()


def gen(generator):
    """The generator to draw from: `generator=` or the default one."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a torch.Generator, but got {type(generator).__name__}")
    return generator


# ---------------------------------------------------------------- exact arithmetic

def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _to_odd(v, err):
    """Round-to-odd of v + err (v = RN(v + err)): step v toward the exact value when inexact
    and its last bit is even. Rounding a round-to-odd value again is a correct rounding."""
    fix = (err != 0) & ((v.view(np.int64) & 1) == 0)
    if fix.any():
        v = np.where(fix, np.nextafter(v, np.where(err > 0, np.inf, -np.inf)), v)
    return v


def fma64(a, b, c):
    """round(a * b + c), one rounding, as the fused multiply-add torch's kernels compile to.
    Boldo & Melquiond's emulation: exact product (Dekker), exact sum, round to odd."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    p = a * b
    sa, sb = 134217729.0 * a, 134217729.0 * b
    ah, bh = sa - (sa - a), sb - (sb - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(c, p)
    v, ve = _two_sum(tl, e)
    with np.errstate(all="ignore"):
        r = th + _to_odd(v, ve)
    bad = ~np.isfinite(r) | ~np.isfinite(p)
    return np.where(bad, p + c, r) if bad.any() else r


def fma32(a, b, c):
    """round(a * b + c) in float32 with one rounding: the product is exact in float64, and the
    float64 sum rounds to float32 correctly unless it lands on a float32 tie while inexact;
    those (rare) are moved toward the exact value first."""
    p = np.asarray(a, np.float32).astype(np.float64) * np.asarray(b, np.float32).astype(np.float64)
    c = np.asarray(c, np.float32).astype(np.float64)
    s, err = _two_sum(p, c)
    low = s.view(np.int64) & ((1 << 29) - 1)
    with np.errstate(all="ignore"):
        risky = (err != 0) & ((low == 1 << 28) | (np.abs(s) < 2.0 ** -125))
        if risky.any():
            s = _to_odd(s, np.where(risky, err, 0))
        return s.astype(np.float32)


def _affine(x, std, mean, fused):
    """x * std + mean as torch computes it (fused, or two roundings)."""
    if not fused:
        return x * std + mean
    if std == 1:
        return x + mean
    if mean == 0:
        return x * std + x.dtype.type(0)      # fma(x, std, +0): -0 becomes +0 as in the fma
    return fma32(x, std, mean) if x.dtype == _f32 else fma64(x, std, mean)


def libm(f, x):
    """f (a `math` function: the C library's) on every element of a float64 array."""
    x = np.asarray(x, np.float64)
    return np.fromiter(map(f, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


# ---------------------------------------------------------------- uniform

def unit(g, n, dt):
    """n uniforms on [0, 1) as torch's uniform_real_distribution<dt> draws them."""
    dt = np.dtype(dt)
    if dt == _f64:
        return (g._words64(n) & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
    # float32, and float16 (computed in float32, as torch does for reduced precisions)
    return (g._words(n) & np.uint64((1 << 24) - 1)).astype(np.float32) * np.float32(2.0 ** -24)


def uniform(g, n, dt, lo, hi):
    """Same values as `torch.empty(n, dtype=dt).uniform_(lo, hi)`."""
    dt = np.dtype(dt)
    x = unit(g, n, dt)
    if dt == _f64:
        x = fma64(x, hi - lo, lo) if (lo, hi) != (0, 1) else x
    else:
        lo32, hi32 = np.float32(lo), np.float32(hi)
        x = (fma32(x, hi32 - lo32, lo32) if (lo, hi) != (0, 1) else x).astype(dt)
    # a value that rounds up to `to` becomes `from`: the range stays [from, to)
    return np.where(x >= dt.type(hi), dt.type(lo), x)


# ---------------------------------------------------------------- normal

def normal(g, n, dt, mean, std, contiguous=True):
    """Same values as `torch.empty(n, dtype=dt).normal_(mean, std)` (contiguous or not)."""
    dt = np.dtype(dt)
    if n >= 16 and contiguous:
        if dt == _f16:
            # float32 blocks over ceil(n/16)*16 uniforms; the last block fills the last 16
            m = -(-n // 16) * 16
            buf = _fill16_f32(unit(g, m, _f32), np.float32(mean), np.float32(std))
            return np.concatenate([buf[:n - 16], buf[m - 16:]]).astype(_f16)
        fill = _fill16_f32 if dt == _f32 else _fill16_f64
        m, s = dt.type(mean), dt.type(std)
        d = unit(g, n, dt)
        out = np.empty(n, dt)
        k = n // 16 * 16
        out[:k] = fill(d[:k], m, s)
        if n % 16:
            out[n - 16:] = fill(unit(g, 16, dt), m, s)
        return out
    return box_muller(g, n, mean, std).astype(dt)


def box_muller(g, n, mean, std):
    """n samples of torch's normal_distribution<double>, with its cached second sample."""
    out = np.empty(n)
    i = 0
    if n and g._normal is not None:
        out[0] = g._normal
        g._normal = None
        i = 1
    m = n - i
    if m > 0:
        k = (m + 1) // 2
        u = unit(g, 2 * k, _f64)
        r = np.sqrt(-2.0 * libm(math.log1p, -u[1::2]))
        theta = 2.0 * math.pi * u[0::2]
        pairs = np.empty((k, 2))
        pairs[:, 0] = r * libm(math.cos, theta)
        pairs[:, 1] = r * libm(math.sin, theta)
        flat = pairs.ravel()
        out[i:] = flat[:m]
        if m % 2:
            g._normal = float(flat[-1])
    return _affine(out, float(std), float(mean), True)


def _fill16_f64(d, mean, std):
    d = d.reshape(-1, 16)
    radius = np.sqrt(-2 * libm(math.log, 1 - d[:, :8]))
    theta = 2.0 * math.pi * d[:, 8:]
    n1 = radius * libm(math.cos, theta)
    n2 = radius * libm(math.sin, theta)
    return _affine(np.concatenate([n1, n2], axis=1), std, mean, True).ravel()


def _fill16_f32(d, mean, std):
    """torch's normal_fill_16_AVX2 on blocks of 16 float32 uniforms."""
    f = np.float32
    d = d.reshape(-1, 16)
    radius = np.sqrt(f(-2) * _log256(f(1) - d[:, :8]))
    s, c = _sincos256(f(2.0 * math.pi) * d[:, 8:])
    n1, n2 = radius * c, radius * s
    return np.concatenate([fma32(n1, std, mean), fma32(n2, std, mean)], axis=1).ravel()


# avx_mathfun.h (Cephes in AVX), as GCC compiles it: each multiply whose only use is an
# add becomes a fused multiply-add. Checked bit for bit against torch.
_LOG_P = [-1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
          -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1]


def _log256(x):
    f = np.float32
    invalid = x <= 0
    x = np.maximum(x, np.array(0x00800000, np.int32).view(np.float32))
    xi = x.view(np.int32)
    e = ((xi.view(np.uint32) >> 23).astype(np.int32) - 0x7f).astype(np.float32) + f(1)
    x = ((xi & ~0x7f800000) | np.array(0.5, np.float32).view(np.int32)).view(np.float32)
    mask = x < f(0.707106781186547524)
    tmp = np.where(mask, x, f(0))
    x = x - f(1)
    e = e - np.where(mask, f(1), f(0))
    x = x + tmp
    z = x * x
    y = np.full_like(x, f(7.0376836292E-2))
    for p in _LOG_P:
        y = fma32(y, x, f(p))
    y = y * x
    y = fma32(y, z, e * f(-2.12194440e-4))
    y = fma32(z, f(-0.5), y)
    x = fma32(e, f(0.693359375), x + y)
    return np.where(invalid, np.float32(np.nan), x)


def _sincos256(x):
    f = np.float32
    sign_sin = x.view(np.int32) & np.int32(-2 ** 31)
    x = np.abs(x)
    j = ((x * f(1.27323954473516)).astype(np.int32) + 1) & ~1
    y = j.astype(np.float32)
    swap_sin = (j & 4) << 29
    poly = (j & 2) == 0
    x = fma32(y, f(-0.78515625), x)
    x = fma32(y, f(-2.4187564849853515625e-4), x)
    x = fma32(y, f(-3.77489497744594108e-8), x)
    sign_cos = (~(j - 2) & 4) << 29
    sign_sin = sign_sin ^ swap_sin
    z = x * x
    yc = fma32(f(2.443315711809948E-005), z, f(-1.388731625493765E-003))
    yc = fma32(yc, z, f(4.166664568298827E-002))
    yc = fma32(yc * z, z, -(z * f(0.5))) + f(1)
    ys = fma32(f(-1.9515295891E-4), z, f(8.3321608736E-3))
    ys = fma32(ys, z, f(-1.6666654611E-1))
    ys = fma32(ys * z, x, x)
    sin = np.where(poly, ys, yc)
    cos = np.where(poly, yc, ys)
    return ((sin.view(np.int32) ^ sign_sin).view(np.float32),
            (cos.view(np.int32) ^ sign_cos).view(np.float32))


# ---------------------------------------------------------------- integers

def random_from_to(g, n, dt, span, base):
    """`random_(from, to)`: (word % span) + from; a random64 from a span of 2^28 up."""
    dt = np.dtype(dt)
    wide = span >= 1 << 28
    w = g._words64(n) if wide else g._words(n)
    v = (w % np.uint64(span)) + np.uint64(base & 0xFFFFFFFFFFFFFFFF)
    return v.view(np.int64).astype(dt)


def random_full(g, n, dt):
    """`random_(-2**63)`: a whole random64 as int64."""
    dt = np.dtype(dt)
    return g._words64(n).view(np.int64).astype(dt)


def random_default(g, n, dt):
    """`random_()`: [0, max] of integer dtypes, [0, 2^digits] of floating ones."""
    dt = np.dtype(dt)
    if dt == np.bool_:
        return (g._words(n) & np.uint64(1)).astype(np.bool_)
    if dt.kind == "f":
        d = _DIGITS[dt]
        w = g._words64(n) if dt == _f64 else g._words(n)
        return (w % np.uint64((1 << d) + 1)).astype(dt)
    w = g._words64(n) if dt == np.int64 else g._words(n)
    return (w % np.uint64(int(np.iinfo(dt).max) + 1)).astype(dt)


def randperm(g, n):
    """torch's CPU randperm: Fisher-Yates, swapping r[i] with r[i + random() % (n - i)]."""
    if n < 0xFFFFFFFF // 20:
        r = list(range(n))
        if n > 1:
            z = (g._words(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
            for i, k in enumerate(z):
                k += i
                r[i], r[k] = r[k], r[i]
        return np.array(r, np.int64)
    # torch's inside-out variant for huge n (random64 avoids the modulo bias)
    z = (g._words64(n) % np.arange(1, n + 1, dtype=np.uint64)).tolist()
    r = [0] * n
    for i, k in enumerate(z):
        r[i] = r[k]
        r[k] = i
    return np.array(r, np.int64)


# ---------------------------------------------------------------- other distributions

def bernoulli_scalar(g, n, p):
    """`bernoulli_(p)`, float p: a double uniform < p (see the Note for Intel CPUs)."""
    return unit(g, n, _f64) < p


def bernoulli_tensor(g, p):
    """`bernoulli_(p)`, p an array in draw order: a uniform of p's precision (float for
    float32/float16 p, double for float64 p) < p."""
    if p.dtype == _f64:
        return unit(g, p.size, _f64).reshape(p.shape) < p
    return unit(g, p.size, _f32).reshape(p.shape) < p.astype(np.float32)


def exponential(g, n, lambd):
    u = unit(g, n, _f64)
    return (-1.0 / lambd) * libm(math.log1p, -u)


def geometric(g, n, p):
    u = unit(g, n, _f64)
    with np.errstate(all="ignore"):
        return np.ceil(libm(_log, u) / math.log1p(-p))


def _log(x):
    return math.log(x) if x > 0 else -math.inf


def log_normal(g, n, mean, std):
    return libm(_exp, box_muller(g, n, mean, std))


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def cauchy(g, n, median, sigma):
    u = unit(g, n, _f64)
    t = libm(math.tan, math.pi * (u - 0.5))
    return fma64(sigma, t, median)


def multinomial_with_replacement(g, rows, n_sample):
    """torch's CPU kernel: per row, a normalized running sum in the input's precision
    (float for float16), then a binary search for each double uniform."""
    acc = np.float32 if rows.dtype == _f16 else rows.dtype.type
    out = np.empty((rows.shape[0], n_sample), np.int64)
    for i, row in enumerate(rows.astype(acc)):
        if (row < 0).any():
            raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
        if not np.isfinite(row).all():
            raise RuntimeError("invalid multinomial distribution (encountering probability entry = "
                               "infinity or NaN)")
        cum = np.cumsum(row, dtype=acc)
        total = cum[-1]
        if not total > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cum = cum / total
        cum[-1] = 1
        u = unit(g, n_sample, _f64)
        out[i] = np.searchsorted(cum.astype(np.float64), u, side="left")
    return out


def poisson(g, rates):
    """torch's sample_poisson (transformed rejection for rate >= 10, products of uniforms below)."""
    out = np.empty(rates.size)
    for i, lam in enumerate(rates.astype(np.float64).ravel().tolist()):
        out[i] = _poisson1(g, lam)
    return out.reshape(rates.shape)


def _u1(g):
    return float(unit(g, 1, _f64)[0])


def _poisson1(g, lam):
    if lam < 0 or lam != lam:
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            U = _u1(g) - 0.5
            V = _u1(g)
            us = 0.5 - abs(U)
            k = math.floor((2 * a / us + b) * U + lam + 0.43)
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or (us < 0.013 and V > us):
                continue
            if (math.log(V) + math.log(invalpha) - math.log(a / (us * us) + b)
                    <= -lam + k * loglam - math.lgamma(k + 1.0)):
                return k
    if lam == 0:
        return 0
    enlam, x, prod = math.exp(-lam), 0, 1.0
    while True:
        prod *= _u1(g)
        if prod > enlam:
            x += 1
        else:
            return x


# ---------------------------------------------------------------- order of elements

def _perm(a):
    """The axis order in which torch draws the elements of array `a`: memory order
    (TensorIterator sorts dimensions by stride); None for C order."""
    if a.ndim < 2 or a.flags.c_contiguous or min(a.strides) < 0:
        return None
    return sorted(range(a.ndim), key=lambda i: -a.strides[i])
