"""Anomaly mode against torch: NaN caught in backward with the node named, the forward stack
shown in torch's warning, the mode's switches and their scope."""
import re
import threading
import warnings

import numpy as np
import pytest

import retrograd
from retrograd.autograd import anomaly_mode
from oracle import torch, assert_close

LIBS = (retrograd, torch)
_SUFFIX = re.compile(r" \(Triggered internally at [^)]*\)")


def _user_frames(text):
    """A warning's text without torch's C++ suffix and without frames inside either library
    (torch lists its own Python frames -- Function.apply, autograd.grad -- retrograd does not)."""
    text = _SUFFIX.sub("", text)
    out, skip = [], False
    for line in text.split("\n"):
        if line.startswith("  File "):
            skip = "site-packages/torch/" in line or "/retrograd/" in line
        elif not line.startswith("    "):
            skip = False
        if not skip:
            out.append(line)
    return "\n".join(out)


def report(program, lib):
    """Run program(lib): (exception type and message, or None; the UserWarnings it gave,
    normalised). NumPy's floating-point RuntimeWarnings are not part of the comparison."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            program(lib)
            err = None
        except Exception as e:                      # noqa: BLE001 -- compared with torch's
            err = (type(e).__name__, str(e))
    return err, [_user_frames(str(w.message)) for w in caught if w.category is UserWarning]


def same_report(program):
    ours, theirs = [report(program, lib) for lib in LIBS]     # one line: same caller frames
    assert ours == theirs
    return ours


def leaf(lib, values):
    return lib.tensor(values, dtype=lib.float64, requires_grad=True)


@pytest.fixture(autouse=True)
def _mode_off_after():
    yield
    anomaly_mode.set_anomaly_enabled(False)
    torch.autograd.set_detect_anomaly(False)


# ------------------------------------------------------------------ NaN in backward

def test_nan_in_div_backward_names_the_node_and_output():
    def program(lib):
        x, y = leaf(lib, [0.0, 1.0]), leaf(lib, [0.0, 2.0])
        with lib.autograd.detect_anomaly():
            z = (x / y) * 0           # grad_self = 0 / 0: nan in the 0th output
            z.sum().backward()
    err, warns = same_report(program)
    assert err == ("RuntimeError", "Function 'DivBackward0' returned nan values in its 0th output.")
    assert warns[0].startswith("Anomaly Detection has been enabled.")
    assert warns[1].startswith("Error detected in DivBackward0. Traceback of forward call that caused the error:")
    assert warns[1].rstrip().endswith("z = (x / y) * 0           # grad_self = 0 / 0: nan in the 0th output")


def test_nan_in_a_later_output_is_reported_with_its_index():
    def program(lib):
        x, y = leaf(lib, [0.0, 1.0]), leaf(lib, [0.0, 2.0])
        with lib.autograd.detect_anomaly():
            z = x / y                 # grad_self = 1/0 = inf, grad_other = -0/0 = nan
            z.sum().backward()
    err, _ = same_report(program)
    assert err == ("RuntimeError", "Function 'DivBackward0' returned nan values in its 1th output.")


def test_nan_in_log_backward_deep_in_a_graph():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        with lib.autograd.set_detect_anomaly(True):
            h = (x * 0).log()
            loss = (h.exp() * x).sum()
            loss.backward()
    err, warns = same_report(program)
    assert err == ("RuntimeError", "Function 'LogBackward0' returned nan values in its 0th output.")
    assert "h = (x * 0).log()" in warns[-1]


def test_without_check_nan_or_anomaly_mode_nan_flows_into_grad():
    def program(lib, mode):
        x = leaf(lib, [0.0, 1.0])
        with np.errstate(all="ignore"):
            if mode is None:
                (x / x).sum().backward()
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    with lib.autograd.detect_anomaly(check_nan=False):
                        (x / x).sum().backward()
        return x.grad
    for mode in (None, False):
        assert_close(program(retrograd, mode), program(torch, mode), 1e-12, 1e-12)


def test_node_made_outside_anomaly_mode_has_no_forward_trace():
    def program(lib):
        x = leaf(lib, [0.0])
        z = x / x
        with lib.autograd.detect_anomaly():
            z.sum().backward()
    err, warns = same_report(program)
    assert err[1] == "Function 'DivBackward0' returned nan values in its 1th output."
    assert warns[1] == ("Error detected in DivBackward0. No forward pass information available. "
                        "Enable detect anomaly during forward pass for more information.")


def _bad(lib):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")
    return Bad


def _raising(lib):
    class Raising(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("boom")
    return Raising


def test_nan_from_a_custom_function():
    def program(lib):
        x = leaf(lib, [1.0])
        with lib.autograd.detect_anomaly():
            y = _bad(lib).apply(x)
            y.sum().backward()
    err, warns = same_report(program)
    assert err == ("RuntimeError", "Function 'BadBackward' returned nan values in its 0th output.")
    assert "y = _bad(lib).apply(x)" in warns[1]


def test_any_error_in_backward_shows_the_forward_stack():
    def program(lib):
        x = leaf(lib, [1.0])
        with lib.autograd.detect_anomaly():
            y = _raising(lib).apply(x)
            y.sum().backward()
    err, warns = same_report(program)
    assert err == ("ValueError", "boom")
    assert warns[1].startswith("Error detected in RaisingBackward.")


def test_double_backward_shows_the_node_that_induced_the_failing_one():
    def program(lib):
        x = leaf(lib, [0.0])
        with lib.autograd.detect_anomaly():
            y = x.sin()
            g, = lib.autograd.grad(y.sum(), x, create_graph=True)
            (g / x).sum().backward()
    err, warns = same_report(program)
    assert err == ("RuntimeError", "Function 'CosBackward0' returned nan values in its 0th output.")
    assert warns[1].startswith("Error detected in CosBackward0.")
    assert "g, = lib.autograd.grad(y.sum(), x, create_graph=True)" in warns[1]
    assert warns[2].startswith("\n\nPrevious calculation was induced by SinBackward0.")
    assert "y = x.sin()" in warns[2]


def test_no_nan_no_error():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        with lib.autograd.detect_anomaly():
            (x.exp() / x).sum().backward()
        return x.grad
    err, warns = same_report(program)
    assert err is None and len(warns) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_close(program(retrograd), program(torch), 1e-12, 1e-12)


# ------------------------------------------------------------------ the switches

def _state(lib):
    if lib is torch:
        return torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()
    return anomaly_mode.is_anomaly_enabled(), anomaly_mode.is_anomaly_check_nan_enabled()


def test_detect_anomaly_restores_the_previous_mode():
    for lib in LIBS:
        seen = [_state(lib)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly(check_nan=False):
                seen.append(_state(lib))
                with lib.autograd.detect_anomaly():
                    seen.append(_state(lib))
                seen.append(_state(lib))
        seen.append(_state(lib))
        assert seen == [(False, True), (True, False), (True, True), (True, False), (False, True)], lib


def test_set_detect_anomaly_as_a_call_and_as_a_context_manager():
    for lib in LIBS:
        seen = []
        lib.autograd.set_detect_anomaly(True, check_nan=False)
        seen.append(_state(lib))
        with lib.autograd.set_detect_anomaly(False):
            seen.append(_state(lib))
        seen.append(_state(lib))
        lib.autograd.set_detect_anomaly(False)
        seen.append(_state(lib))
        assert seen == [(True, False), (False, True), (True, False), (False, True)], lib


def test_detect_anomaly_warns_when_made():
    for lib in LIBS:
        with pytest.warns(UserWarning, match="^Anomaly Detection has been enabled. This mode will increase "
                          "the runtime and should only be enabled for debugging.$"):
            lib.autograd.detect_anomaly()


def test_the_mode_is_process_wide():
    """torch's flag is global, not per thread: a thread sees the mode set by another."""
    for lib in LIBS:
        seen = []
        lib.autograd.set_detect_anomaly(True)
        t = threading.Thread(target=lambda: seen.append(_state(lib)[0]))
        t.start()
        t.join()
        lib.autograd.set_detect_anomaly(False)
        assert seen == [True], lib


def test_inplace_error_hint_changes_under_anomaly_mode():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        with lib.autograd.detect_anomaly():
            y = x.exp()
            z = y.exp()
            y.add_(1)
            z.sum().backward()
    err, _ = same_report(program)
    assert "the backtrace further above" in err[1]


def test_nodes_keep_the_forward_stack_in_metadata_as_torch_does():
    def program(lib):
        x = leaf(lib, [1.0])
        plain = x.exp()                                     # made outside the mode: no trace
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                y = x.exp()
                g, = lib.autograd.grad((y * 2).sum(), x, create_graph=True)
        md = g.grad_fn.metadata
        return (plain.grad_fn.metadata, [_user_frames(f) for f in y.grad_fn.metadata["traceback_"]],
                sorted(md), md["parent_"].name())
    ours, theirs = [program(lib) for lib in LIBS]           # one line: same caller frames
    assert ours[0] == theirs[0] == {}
    assert [f for f in ours[1] if f] == [f for f in theirs[1] if f]
    assert ours[1][-1].endswith("y = x.exp()\n")
    assert ours[2:] == theirs[2:] == (["parent_", "traceback_"], "ExpBackward0")
