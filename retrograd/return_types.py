"""Named tuples returned by ops, as `torch.return_types`.

    >>> torch.tensor([1., 2.]).max(0)
    torch.return_types.max(
    values=tensor(2.),
    indices=tensor(1))

torch's are C "structseq" types: a tuple subclass built from one sequence
(`torch.return_types.max((values, indices))`), with read-only fields, `n_fields`,
and the repr above. These behave the same; their class lives in this module
(not `torch.return_types`) so that pickling needs no torch.
"""
from operator import itemgetter

__all__ = []
all_return_types = []


class _StructSeq(tuple):
    """Base of the return types: a tuple with named, read-only fields."""
    __slots__ = ()
    _fields = ()
    n_fields = n_sequence_fields = 0
    n_unnamed_fields = 0

    def __new__(cls, sequence=None, dict=None):
        if sequence is None:
            raise TypeError("structseq() missing required argument 'sequence' (pos 1)")
        try:
            seq = tuple(sequence)
        except TypeError:
            raise TypeError("constructor requires a sequence") from None
        if len(seq) != cls.n_fields:
            raise TypeError(f"torch.return_types.{cls.__name__}() takes a {cls.n_fields}-sequence "
                            f"({len(seq)}-sequence given)")
        return tuple.__new__(cls, seq)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{body})"

    __str__ = __repr__

    def __reduce__(self):
        return (type(self), (tuple(self),))


class _field:
    """A read-only field (as structseq's member descriptors)."""
    __slots__ = ("_get",)

    def __init__(self, i):
        self._get = itemgetter(i)

    def __get__(self, obj, cls=None):
        return self if obj is None else self._get(obj)

    def __set__(self, obj, value):
        raise AttributeError("readonly attribute")

    def __delete__(self, obj):
        raise AttributeError("readonly attribute")


def _define(name, *fields):
    ns = {"__slots__": (), "_fields": fields, "n_fields": len(fields), "n_sequence_fields": len(fields),
          "__module__": __name__, "__qualname__": name}
    for i, f in enumerate(fields):
        ns[f] = _field(i)
    cls = type(name, (_StructSeq,), ns)
    globals()[name] = cls
    __all__.append(name)
    all_return_types.append(cls)
    return cls


for _name in ("max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax", "cummin"):
    _define(_name, "values", "indices")
_define("aminmax", "min", "max")
_define("frexp", "mantissa", "exponent")
_define("geqrf", "a", "tau")
_define("histogram", "hist", "bin_edges")
_define("histogramdd", "hist", "bin_edges")
_define("slogdet", "sign", "logabsdet")
_define("linalg_slogdet", "sign", "logabsdet")
_define("qr", "Q", "R")
_define("linalg_qr", "Q", "R")
_define("svd", "U", "S", "V")
_define("linalg_svd", "U", "S", "Vh")
_define("linalg_eig", "eigenvalues", "eigenvectors")
_define("linalg_eigh", "eigenvalues", "eigenvectors")
_define("linalg_cholesky_ex", "L", "info")
_define("linalg_inv_ex", "inverse", "info")
_define("linalg_solve_ex", "result", "info")
_define("linalg_lstsq", "solution", "residuals", "rank", "singular_values")
_define("linalg_lu", "P", "L", "U")
_define("lu_unpack", "P", "L", "U")
_define("linalg_lu_factor", "LU", "pivots")
_define("linalg_lu_factor_ex", "LU", "pivots", "info")
_define("linalg_ldl_factor", "LD", "pivots")
_define("linalg_ldl_factor_ex", "LD", "pivots", "info")
_define("triangular_solve", "solution", "cloned_coefficient")
del _name
