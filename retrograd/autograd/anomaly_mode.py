"""Anomaly detection: remember each node's forward stack, catch NaN in backward.

Same as `torch.autograd.anomaly_mode`. While enabled, every node records the
stack of the forward call that created it (`node.metadata["traceback_"]`, and
`metadata["parent_"]` for a node made by a backward pass, as in torch); an error raised
while backward runs a node -- or, with `check_nan`, a NaN that a node
returned -- is preceded by a UserWarning that shows that stack, as torch does:

    Error detected in DivBackward0. Traceback of forward call that caused the error:
      File "train.py", line 12, in <module>
        z = x / y

A node created by a backward pass itself (`create_graph=True`) also remembers
the node whose backward created it, and the warning goes on with "Previous
calculation was induced by ...", as torch's does.

# Note [Anomaly mode is global]
torch keeps the mode in one process-wide flag (`AnomalyMode::_enabled`), not
per thread: a thread started inside `detect_anomaly()` sees it on. So does
retrograd. Node creation reads only `active[0]`, a module-level list, so the
mode costs one list index per node when it is off.
"""
import os
import sys
import traceback
import warnings

__all__ = ["detect_anomaly", "set_detect_anomaly"]

_WARN_ENABLED = ("Anomaly Detection has been enabled. This mode will increase the runtime and "
                 "should only be enabled for debugging.")
_NO_FORWARD = ("No forward pass information available. Enable detect anomaly during forward pass "
               "for more information.")
# The hint of the "modified by an inplace operation" error, with anomaly mode off and on.
HINT_OFF = ("Hint: enable anomaly detection to find the operation that failed to compute its "
            "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
HINT_ON = ("Hint: the backtrace further above shows the operation that failed to compute its "
           "gradient. The variable in question was changed in there or anywhere later. Good luck!")


class _State:
    """The mode, process-wide (Note [Anomaly mode is global]). The engine reads both fields."""
    enabled = False
    check_nan = True


_state = _State()
active = [False]        # == [_state.enabled]; read by every new node (ops/registry.py)


def set_anomaly_enabled(enabled, check_nan=True):
    """Same as `torch.set_anomaly_enabled`."""
    _state.enabled = bool(enabled)
    _state.check_nan = bool(check_nan)
    active[0] = _state.enabled


def is_anomaly_enabled():
    """Same as `torch.is_anomaly_enabled`."""
    return _state.enabled


def is_anomaly_check_nan_enabled():
    """Same as `torch.is_anomaly_check_nan_enabled`."""
    return _state.check_nan


def hint():
    """The hint that ends torch's "modified by an inplace operation" error, for the mode now."""
    return HINT_ON if _state.enabled else HINT_OFF


class detect_anomaly:
    """Same as `torch.autograd.detect_anomaly`: a context manager that turns anomaly mode on.

    As in torch, it warns when it is made, remembers the mode of that moment and restores
    it on exit, and it is not a decorator (calling it raises TypeError, as torch's does).
    """

    def __init__(self, check_nan=True):
        self.prev = _state.enabled
        self.check_nan = check_nan
        self.prev_check_nan = _state.check_nan
        warnings.warn(_WARN_ENABLED, UserWarning, stacklevel=2)

    def __enter__(self):
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *args):
        set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Same as `torch.autograd.set_detect_anomaly`: sets the mode now; as a context manager,
    restores the previous mode on exit."""

    def __init__(self, mode, check_nan=True):
        self.prev = _state.enabled
        self.prev_check_nan = _state.check_nan
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *args):
        set_anomaly_enabled(self.prev, self.prev_check_nan)


# ---------------------------------------------------------------- recording

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_engine_code = None


def _internal(code):
    """A frame of retrograd itself or of a generated node (`<node MulBackward0>`)."""
    fn = code.co_filename
    return fn.startswith(_PKG) or fn.startswith("<node ")


def record(node):
    """Remember the forward stack that created `node` (called for every new node while
    anomaly mode is on). The innermost frames that belong to retrograd are left out, so
    the stack ends at the user's line, as torch's ends at the Python line that called the op.
    Under a backward pass (create_graph=True), also remember the node being run: torch's
    "parent" of the new node."""
    global _engine_code
    if not _state.enabled:
        return
    if _engine_code is None:
        from . import engine
        _engine_code = engine.execute.__code__
    f, run = sys._getframe(1), None
    while f is not None and _internal(f.f_code):
        if run is None and f.f_code is _engine_code:
            run = f
        f = f.f_back
    md = node.metadata
    md["traceback_"] = traceback.format_stack(f) if f is not None else []
    if run is None:                 # a custom Function's backward: user frames come first
        run = f
        while run is not None and run.f_code is not _engine_code:
            run = run.f_back
    if run is not None:
        parent = run.f_locals.get("node")
        if parent is not None and parent is not node:
            md["parent_"] = parent


def _user_stacklevel():
    """The stacklevel that points a warning at the innermost frame outside retrograd."""
    f, level = sys._getframe(2), 2
    while f is not None and _internal(f.f_code):
        f = f.f_back
        level += 1
    return level


def _warn_trace(node):
    """torch's warnings for an error in `node`'s backward: where the node was made, then,
    for a node made by a backward pass, where the node that made it was made, and so on."""
    level = _user_stacklevel()
    trace = _traceback(node)
    if trace is None:
        warnings.warn(f"Error detected in {node.name()}. {_NO_FORWARD}", UserWarning, stacklevel=level)
        return
    warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                  f"error:\n{trace}", UserWarning, stacklevel=level)
    seen = {node}
    parent = _parent(node)
    while parent is not None and parent not in seen:
        seen.add(parent)
        warnings.warn(f"\n\nPrevious calculation was induced by {parent.name()}. Traceback of forward "
                      f"call that induced the previous calculation:\n{_traceback(parent) or ''}",
                      UserWarning, stacklevel=level)
        parent = _parent(parent)


def _traceback(node):
    """The forward stack `record` kept in `node.metadata["traceback_"]` (as torch keeps it), as text."""
    md = node._metadata
    tb = md.get("traceback_") if md is not None else None
    return None if tb is None else "".join(tb)


def _parent(node):
    md = node._metadata
    return md.get("parent_") if md is not None else None


def report(node, exc):
    """An exception while backward ran `node`: under anomaly mode, warn with the node's
    forward stack (once per exception, however many engines it passes through)."""
    if _state.enabled and not getattr(exc, "_anomaly_reported", False):
        _warn_trace(node)
        try:
            exc._anomaly_reported = True
        except AttributeError:      # an exception type that takes no attributes
            pass


def check_nan(node, outs):
    """torch's check of a node's outputs under anomaly mode with check_nan: the first output
    (by index) that holds a NaN raises, after the warning with the node's forward stack."""
    for i, g in enumerate(outs):
        if g is None:
            continue
        a = getattr(g, "_data", g)
        if bool((a != a).any()):
            e = RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
            report(node, e)
            raise e
