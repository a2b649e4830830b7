"""The recurrences behind nn.RNN/LSTM/GRU and their cells: torch's `torch.rnn_tanh`, `torch.lstm`,
`torch.gru`, `torch.rnn_tanh_cell`, ... (ATen's RNN.cpp), written with retrograd's ops so that
autograd differentiates them like any other composite.

As in torch's CPU path, a layer first projects the whole sequence through `weight_ih` with one
`linear` (one big matrix product instead of one per time step), then steps through time adding
`linear(h, weight_hh, bias_hh)`. Outputs are stacked (StackBackward0), the two directions of a
bidirectional layer concatenated on the feature axis, and dropout is applied to the output of every
layer but the last, in training mode only.

`params` is the flat list of weights in torch's order, per layer and direction:
`w_ih, w_hh[, b_ih, b_hh][, w_hr]` (`w_hr`, the LSTM projection, only when proj_size > 0).
"""
from .nn_layers import linear, dropout


def _rt():
    import retrograd
    return retrograd


# ------------------------------------------------------------------ one time step

def _simple_step(act, gi, h, w_hh, b_hh):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), with gi = x W_ih^T + b_ih already computed."""
    return act(linear(h, w_hh, b_hh) + gi)


def _lstm_step(gi, hc, w_hh, b_hh, w_hr=None):
    """One LSTM step: gates i, f, g, o; c' = f*c + i*g; h' = o*tanh(c') (then projected by w_hr)."""
    h, c = hc
    gates = linear(h, w_hh, b_hh) + gi
    i, f, g, o = gates.chunk(4, 1)
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    c = f * c + i * g
    h = o * c.tanh()
    if w_hr is not None:
        h = h.matmul(w_hr.t())
    return h, c


def _gru_step(gi, h, w_hh, b_hh):
    """One GRU step: reset r, update z, new n = tanh(gi_n + r * gh_n); h' = (h - n) * z + n."""
    gh = linear(h, w_hh, b_hh)
    i_r, i_z, i_n = gi.chunk(3, 1)
    h_r, h_z, h_n = gh.chunk(3, 1)
    r = (h_r + i_r).sigmoid()
    z = (h_z + i_z).sigmoid()
    n = (i_n + h_n * r).tanh()
    return (h - n) * z + n          # = (1 - z) * n + z * h, in torch's order of operations


# ------------------------------------------------------------------ cells

def _check_cell(input, hx, w_ih, w_hh, label):
    if label == 0 and input.shape[1] != w_ih.shape[1]:
        raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected {w_ih.shape[1]}")
    if input.shape[0] != hx.shape[0]:
        raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{label} batch size {hx.shape[0]}")
    if hx.shape[1] != w_hh.shape[1]:
        raise RuntimeError(f"hidden{label} has inconsistent hidden_size: got {hx.shape[1]}, expected {w_hh.shape[1]}")


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """Same as `torch.rnn_tanh_cell` (what nn.RNNCell runs)."""
    _check_cell(input, hx, w_ih, w_hh, 0)
    return _simple_step(_rt().tanh, linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """Same as `torch.rnn_relu_cell`."""
    _check_cell(input, hx, w_ih, w_hh, 0)
    return _simple_step(_rt().relu, linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """Same as `torch.lstm_cell`: hx is (h, c); returns (h', c')."""
    _check_cell(input, hx[0], w_ih, w_hh, 0)
    _check_cell(input, hx[1], w_ih, w_hh, 1)
    return _lstm_step(linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """Same as `torch.gru_cell`."""
    _check_cell(input, hx, w_ih, w_hh, 0)
    return _gru_step(linear(input, w_ih, b_ih), hx, w_hh, b_hh)


# ------------------------------------------------------------------ whole sequences

def _layer(step, input, hidden, w, reverse):
    """Run one direction of one layer over input (T, B, F): returns (outputs (T, B, H), final hidden).
    w = (w_ih, w_hh, b_ih, b_hh, w_hr), any bias or w_hr None."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    gis = linear(input, w_ih, b_ih).unbind(0)      # the input projection of every step at once
    extra = () if w_hr is None else (w_hr,)
    outs = []
    for t in (reversed(range(len(gis))) if reverse else range(len(gis))):
        hidden = step(gis[t], hidden, w_hh, b_hh, *extra)
        outs.append(hidden[0] if isinstance(hidden, tuple) else hidden)
    if reverse:
        outs.reverse()
    return _rt().stack(outs, 0), hidden


def _unflatten(params, has_biases, n_weights):
    """torch's flat weight list -> one (w_ih, w_hh, b_ih, b_hh, w_hr) tuple per layer and direction."""
    per = n_weights + (2 if has_biases else 0)
    groups = []
    for k in range(0, len(params), per):
        g = list(params[k:k + per])
        w_ih, w_hh = g[0], g[1]
        b_ih, b_hh = (g[2], g[3]) if has_biases else (None, None)
        groups.append((w_ih, w_hh, b_ih, b_hh, g[-1] if n_weights == 3 else None))
    return groups


def _stack_layers(step, input, hiddens, params, has_biases, num_layers, p, train, bidirectional, batch_first):
    """The layers one after another (dropout between them); returns (output, final hiddens per
    layer and direction, in torch's order l0, l0_reverse, l1, ...)."""
    rt = _rt()
    if batch_first:
        input = input.transpose(0, 1)
    if input.shape[0] == 0:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    dirs = 2 if bidirectional else 1
    has_proj = len(params) == num_layers * dirs * (5 if has_biases else 3)
    weights = _unflatten(params, has_biases, 3 if has_proj else 2)
    finals = []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            out, last = _layer(step, input, hiddens[k], weights[k], reverse=d == 1)
            outs.append(out)
            finals.append(last)
        input = rt.cat(outs, 2) if dirs == 2 else outs[0]
        if p != 0 and train and layer < num_layers - 1:
            input = dropout(input, p, True)
    return (input.transpose(0, 1) if batch_first else input), finals


def rnn_tanh(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """Same as `torch.rnn_tanh` (what nn.RNN runs): returns (output, h_n)."""
    return _simple_seq(_rt().tanh, input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                       batch_first)


def rnn_relu(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """Same as `torch.rnn_relu`."""
    return _simple_seq(_rt().relu, input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                       batch_first)


def _simple_seq(act, input, hx, *args):
    def step(gi, h, w_hh, b_hh):
        return _simple_step(act, gi, h, w_hh, b_hh)
    out, finals = _stack_layers(step, input, hx.unbind(0), *args)
    return out, _rt().stack(finals, 0)


def gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """Same as `torch.gru`: returns (output, h_n)."""
    out, finals = _stack_layers(_gru_step, input, hx.unbind(0), params, has_biases, num_layers, dropout, train,
                                bidirectional, batch_first)
    return out, _rt().stack(finals, 0)


def lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """Same as `torch.lstm`: hx is (h_0, c_0); returns (output, h_n, c_n)."""
    rt = _rt()
    hiddens = list(zip(hx[0].unbind(0), hx[1].unbind(0)))
    out, finals = _stack_layers(_lstm_step, input, hiddens, params, has_biases, num_layers, dropout, train,
                                bidirectional, batch_first)
    return out, rt.stack([h for h, _ in finals], 0), rt.stack([c for _, c in finals], 0)
