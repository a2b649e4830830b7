"""See the graph: pictures, a text tree, and a step-by-step trace of backward.

torch needs a separate package (torchviz) to draw its graph and shows nothing
of backward as it runs. retrograd shows both:

- `draw(loss)`: the backward graph as Graphviz DOT text, labelled as torchviz
  labels it; renders to SVG/PNG (and inline in Jupyter) when the `graphviz`
  package and Graphviz's `dot` program are installed. The DOT text needs
  neither.
- `print_graph(loss)`: the same graph as an indented tree, for terminals.
- `trace_backward(loss)`: runs backward and records, node by node in the order
  the engine ran them, the gradient that arrived and what went to each input:
  the chain rule, one step at a time.

    >>> import retrograd as torch
    >>> from retrograd.viz import trace_backward
    >>> x = torch.tensor(2., requires_grad=True)
    >>> y = torch.tensor(3., requires_grad=True)
    >>> z = x * y
    >>> print(trace_backward(z, torch.tensor(5.)))
    backward from z, seeded with dL/dz = 5.
    #  node                dL/dout  -> input                  dout/din  dL/din
    1  MulBackward0 (z)    5.       -> #3 AccumulateGrad (x)  3.        15.
                                    -> #2 AccumulateGrad (y)  2.        10.
    2  AccumulateGrad (y)  10.      -> y.grad
    3  AccumulateGrad (x)  15.      -> x.grad

Names: tensors are named from `params` (a dict name -> tensor, or
`model.named_parameters()`), then from the caller's variables (`x`, `loss`):
a name only ever labels the very tensor that variable holds.

Everything here works on any Node with `name()` and `next_functions`; saved
values are read from `_saved_names` (`_saved_self`, ...) or `saved_tensors`.
Every walk over the graph is iterative: a 100,000-node chain draws, prints
and traces without touching the recursion limit.
"""
import re
import sys

import numpy as np

from .tensor import Tensor, _wrap
from .autograd.graph import AccumulateGrad, leaf_edge

__all__ = ["draw", "print_graph", "trace_backward", "Graph", "Trace", "Step", "Edge"]


# ================================================================ shared helpers

def _flatten(roots):
    """The root tensors of `roots` (tensors, or lists/tuples of them), in order, once each."""
    out, seen, stack = [], set(), list(reversed(roots))
    while stack:
        r = stack.pop()
        if isinstance(r, (list, tuple)):
            stack.extend(reversed(r))
        elif isinstance(r, Tensor):
            if id(r) not in seen:
                seen.add(id(r))
                out.append(r)
        else:
            raise TypeError(f"expected Tensors (or lists of Tensors), got {type(r).__name__}")
    return out


def _root_node(t):
    """The node at which backward from `t` starts: its grad_fn, or its AccumulateGrad;
    None for a tensor that does not require grad."""
    if not t.requires_grad:
        return None
    if t.grad_fn is not None:
        return t.grad_fn
    ref = t.__dict__.get("_accum")
    node = ref() if ref is not None else None
    return node if node is not None else leaf_edge(t)[0]


def _root_nr(t):
    return t.output_nr if t.grad_fn is not None else 0


def _children(node):
    """`node`'s edges that lead somewhere: (index, child, output_nr)."""
    return [(i, n, nr) for i, (n, nr) in enumerate(node.next_functions) if n is not None]


def _walk(starts):
    """Every node reachable from `starts`, each once, in depth-first preorder (iterative)."""
    order, seen = [], set()
    stack = [n for n in reversed(starts) if n is not None]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        order.append(n)
        kids = [c for c, _ in n.next_functions if c is not None and c not in seen]
        stack.extend(reversed(kids))
    return order


def _caller_frame():
    """The innermost frame outside this module (the user's code)."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename == __file__:
        f = f.f_back
    return f


def _names(params, frame):
    """{id(tensor): (name, tensor)}: from `params` first, then the variables of `frame`."""
    names = {}
    if params is not None:
        items = params.items() if hasattr(params, "items") else params
        for name, t in items:
            if not isinstance(t, Tensor):
                raise TypeError(f"params: expected a Tensor for {name!r}, got {type(t).__name__}")
            names.setdefault(id(t), (str(name), t))
    if frame is not None:
        for scope in (frame.f_locals, frame.f_globals):
            for name, v in list(scope.items()):
                if isinstance(v, Tensor) and not name.startswith("_"):
                    names.setdefault(id(v), (name, v))
    return names


def _name(names, t):
    e = names.get(id(t))
    return e[0] if e is not None and e[1] is t else None


def _shape(t):
    """A shape as torchviz writes it: `(3, 4)`, `(3)`, `()`."""
    return "(" + ", ".join(str(s) for s in t.shape) + ")"


def _array(x):
    if isinstance(x, Tensor):
        x = x._data
    from .backend import to_numpy
    return to_numpy(x)


def _fmt(x, width=48):
    """A value on one line, as torch prints it: `15.`, `[0.5000, 1.0000]`, `[1., 1., ..., 1.]`;
    one too long for `width` as its shape and first values: `4x2 [0.1250, 0.1250, ...]`."""
    if x is None:
        return "None"
    a = np.asarray(_array(x))
    s = _fmt1(a)
    if len(s) <= width:
        return s
    if a.ndim > 1 or a.size > 1:
        shape = "x".join(str(n) for n in a.shape)
        flat = a.reshape(-1)
        for k in range(min(flat.size, 6), 0, -1):
            t = f"{shape} {_fmt1(flat[:k])[:-1]}, ...]"
            if len(t) <= width:
                return t
    return s[: width - 3] + "..."


def _fmt1(a):
    try:
        from ._tensor_str import printoptions
        with printoptions(threshold=6, edgeitems=2, linewidth=10 ** 6):
            s = repr(_wrap(a))
        s = s[len("tensor("):-1] if s.startswith("tensor(") else s
        s = re.sub(r",\s*(dtype|size)=.*$", "", s, flags=re.S)
    except Exception:                       # printing must never hide the graph
        s = np.array2string(a, precision=4, threshold=6, edgeitems=2, separator=", ")
    return re.sub(r"\s+", " ", s).replace("[ ", "[")


def _copy(g):
    """A private copy of a gradient's array (the engine may later reuse or add into it)."""
    if g is None:
        return None
    return (g._data if isinstance(g, Tensor) else g).copy()


def _t(a):
    """An array kept by a trace, as a Tensor (made on demand: traces of big graphs stay cheap)."""
    return None if a is None else _wrap(a)


# ================================================================ trace_backward

class Edge:
    """One input of a step: the child node it leads to and the gradient sent along it.

    `local` is the local derivative d(output)/d(input), `grad / grad_in`, when the node's
    output is a single nonzero value (the chain rule: grad = grad_in * local); else None.
    """
    __slots__ = ("index", "node", "output_nr", "_g", "_step")

    def __init__(self, index, node, output_nr, g, step):
        self.index, self.node, self.output_nr, self._g, self._step = index, node, output_nr, g, step

    @property
    def grad(self):
        return _t(self._g)

    @property
    def local(self):
        gin = self._step._gin
        if self._g is None or gin is None or isinstance(gin, tuple) or gin.size != 1:
            return None
        v = gin.reshape(())
        return None if v == 0 else _wrap(self._g / v)

    def __repr__(self):
        child = self.node.name() if self.node is not None else None
        return f"Edge({self.index} -> {child}, grad={_fmt(self._g)})"


class Step:
    """One node run by backward: `name`, the gradient that arrived (`grad_in`: a Tensor, or a
    tuple with one entry per output for a multi-output node), and `edges`, one `Edge` per
    input that leads to a node (`grads_out` lists just their gradients)."""
    __slots__ = ("index", "node", "name", "label", "_gin", "edges")

    def __init__(self, index, node, label, gin):
        self.index, self.node, self.name, self.label = index, node, node.name(), label
        self._gin = gin
        self.edges = ()

    @property
    def grad_in(self):
        g = self._gin
        return tuple(_t(x) for x in g) if isinstance(g, tuple) else _t(g)

    @property
    def grads_out(self):
        return tuple(e.grad for e in self.edges)

    def __repr__(self):
        return f"Step({self.index}, {self.name}, grad_in={_fmt_in(self._gin)}, " \
               f"grads_out=({', '.join(_fmt(e._g) for e in self.edges)}))"


def _fmt_in(g, width=48):
    return "(" + ", ".join(_fmt(x, width) for x in g) + ")" if isinstance(g, tuple) else _fmt(g, width)


class Trace:
    """What one backward pass did, node by node (see `trace_backward`).

    `steps` lists a `Step` per node in the order the engine ran them; `step(node)` finds one;
    `grad_of(tensor)` is the gradient that reached a tensor in this pass; `draw()` draws the
    graph with each edge labelled with its gradient. `print(trace)` shows a table (the first
    `max_rows` steps; `trace.table(max_rows=None)` shows them all).
    """

    max_rows = 40

    def __init__(self, roots, seeds, names):
        self.roots = roots
        self.seeds = seeds
        self.steps = []
        self._by_node = {}
        self._names = names

    def step(self, node):
        """The step that ran `node`, or None if it did not run."""
        return self._by_node.get(node)

    def grad_of(self, tensor):
        """The gradient that reached `tensor` in this pass (for a leaf: what was added to its
        `.grad`), or None if none did."""
        s = self._by_node.get(_root_node(tensor))
        if s is None:
            return None
        g = s._gin
        return _t(g[_root_nr(tensor)] if isinstance(g, tuple) else g)

    def draw(self, **kwargs):
        """`draw(*roots, trace=self, ...)`: the graph with the gradients of this pass."""
        kwargs.setdefault("params", {n: t for n, t in self._names.values()})
        return draw(*self.roots, trace=self, **kwargs)

    def __len__(self):
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __str__(self):
        return self.table()

    __repr__ = __str__

    def table(self, max_rows=-1):
        """The steps as a table; at most `max_rows` steps (default `Trace.max_rows`, None: all)."""
        if max_rows == -1:
            max_rows = self.max_rows
        heads = []
        for t, g in zip(self.roots, self.seeds):
            n = _name(self._names, t) or "output"
            heads.append(f"dL/d{n} = {_fmt(g)}")
        rootnames = ", ".join(_name(self._names, t) or "output" for t in self.roots)
        lines = [f"backward from {rootnames}, seeded with {', '.join(heads)}"]
        rows = [("#", "node", "dL/dout", "-> input", "dout/din", "dL/din")]
        shown = self.steps if max_rows is None else self.steps[:max_rows]
        for s in shown:
            first = (str(s.index), s.label, _fmt_in(s._gin))
            if isinstance(s.node, AccumulateGrad):
                var = _name(self._names, s.node.variable) or "leaf"
                rows.append(first + (f"-> {var}.grad", "", ""))
                continue
            if not s.edges:
                rows.append(first + ("", "", ""))
            for k, e in enumerate(s.edges):
                child = self._by_node.get(e.node)
                to = f"#{child.index} {child.label}" if child is not None else _label(e.node, self._names)
                if e.node._nout != 1:
                    to += f" [output {e.output_nr}]"
                local = e.local
                rows.append((first if k == 0 else ("", "", "")) +
                            (f"-> {to}", _fmt(local) if local is not None else "", _fmt(e._g)))
        widths = [max(len(r[c]) for r in rows) for c in range(6)]
        for r in rows:
            cells = [r[0].rjust(widths[0])] + [r[c].ljust(widths[c]) for c in range(1, 6)]
            lines.append("  ".join(cells).rstrip())
        if max_rows is not None and len(self.steps) > max_rows:
            lines.append(f"... {len(self.steps) - max_rows} more steps (trace.steps has them all)")
        return "\n".join(lines)


def _label(node, names):
    """A node's name, with the name of its tensor where one is known."""
    if isinstance(node, AccumulateGrad):
        n = _name(names, node.variable)
        return f"AccumulateGrad ({n})" if n else f"AccumulateGrad {_shape(node.variable)}"
    return node.name()


def _step_label(node, roots, names):
    label = _label(node, names)
    if isinstance(node, AccumulateGrad):
        return label
    for t in roots:
        if t.grad_fn is node:
            n = _name(names, t)
            if n:
                return f"{label} ({n})"
    return label


def _watch(trace, nodes):
    """Record every run of `nodes` into `trace` through Node hooks; returns their handles."""
    steps, by_node, roots, names = trace.steps, trace._by_node, trace.roots, trace._names
    handles = []

    def pre(node, grad_outputs):
        gin = tuple(_copy(g) for g in grad_outputs)
        s = Step(len(steps) + 1, node, _step_label(node, roots, names), gin[0] if node._nout == 1 else gin)
        steps.append(s)
        by_node[node] = s

    def post(node, grad_inputs, grad_outputs):
        s = by_node.get(node)
        if s is not None:
            n = len(grad_inputs)
            s.edges = tuple(Edge(i, c, nr, _copy(grad_inputs[i]) if i < n else None, s)
                            for i, (c, nr) in enumerate(node.next_functions) if c is not None)

    for node in nodes:
        handles.append(node.register_prehook(lambda go, node=node: pre(node, go)))
        if not isinstance(node, AccumulateGrad):
            handles.append(node.register_hook(lambda gi, go, node=node: post(node, gi, go)))
    return handles


def _unwatch(handles, nodes):
    """Remove the trace's hooks; a node left with no hook at all goes back to the engine's
    fast path (its `_hooked` flag is cleared)."""
    for h in handles:
        h.remove()
    for n in nodes:
        if not (n._pre_hooks or n._post_hooks or n._tensor_pre_hooks or n._retain_hooks):
            n.__dict__.pop("_hooked", None)


def _seeds(roots, gradient):
    if gradient is None:
        return [None] * len(roots)
    if len(roots) > 1 or isinstance(gradient, (list, tuple)):
        return list(gradient)
    return [gradient]


def trace_backward(loss, gradient=None, retain_graph=None, *, params=None):
    """Run `loss.backward(gradient, retain_graph)` and record every step of it.

    Returns a `Trace`: for each node in the order the engine ran it, the gradient that
    arrived (dL/d its output) and the gradient it sent to each input (the vector-Jacobian
    product), with the local derivative where the output is one value. `.grad` ends up
    exactly as a plain `backward()` leaves it: the trace only watches, through Node
    hooks it removes afterwards. `loss` may be a list of tensors (then `gradient` is a
    list too), as for `torch.autograd.backward`.
    """
    from .autograd import backward
    roots = _flatten([loss])
    names = _names(params, _caller_frame())
    seeds = _seeds(roots, gradient)
    trace = Trace(roots, [], names)
    nodes = _walk([_root_node(t) for t in roots])
    handles = _watch(trace, nodes)
    try:
        backward(roots, None if gradient is None else seeds, retain_graph=retain_graph)
    finally:
        _unwatch(handles, nodes)
    trace.seeds = [_wrap(np.ones_like(_array(t))) if g is None else
                   g.detach() if isinstance(g, Tensor) else _wrap(np.asarray(g)) for t, g in zip(roots, seeds)]
    return trace


def _dry_trace(roots, names):
    """The gradients that would flow from `roots` (seeded with ones), without touching any
    `.grad`: autograd.grad over every leaf, with the graph kept."""
    from .autograd import grad as autograd_grad
    nodes = _walk([_root_node(t) for t in roots])
    leaves = [n.variable for n in nodes if isinstance(n, AccumulateGrad)]
    seeds = [_wrap(np.ones_like(_array(t))) for t in roots]
    trace = Trace(roots, seeds, names)
    if not leaves:
        return trace
    handles = _watch(trace, nodes)
    try:
        autograd_grad(roots, leaves, grad_outputs=seeds, retain_graph=True, allow_unused=True)
    except RuntimeError as e:
        if "backward through the graph a second time" in str(e):
            raise RuntimeError(
                "draw(show_values=True) runs backward again to see the gradients, but an earlier "
                "backward freed this graph's saved values. Pass trace=trace_backward(loss) (it keeps "
                "what flowed), or call backward(retain_graph=True) before drawing.") from e
        raise
    finally:
        _unwatch(handles, nodes)
    return trace


# ================================================================ print_graph

def print_graph(*roots, params=None, file=None):
    """Print the backward graph of `roots` as an indented tree, output first.

    Each line is a node; its inputs follow it: a single input on the next line at the
    same indentation, several as branches (`├──`, `└──`). A node reached more than once
    is printed once, numbered (`AddBackward0 #2`), and referenced afterwards
    (`AddBackward0 [see #2]`); leaves (AccumulateGrad) are printed with their name and
    shape each time. Inputs that need no gradient are not shown.

    >>> import retrograd as torch
    >>> x = torch.ones(3, requires_grad=True)
    >>> y = x + 2
    >>> print_graph((y * y).mean())
    MeanBackward0 -> ()
    MulBackward0
    ├── AddBackward0 #1
    │   AccumulateGrad x (3)
    └── AddBackward0 [see #1]
    """
    names = _names(params, _caller_frame())
    print("\n".join(_tree_lines(_flatten(roots), names)), file=file if file is not None else sys.stdout)


def _tree_lines(roots, names):
    starts = [_root_node(t) for t in roots]
    indeg = {}
    for n in starts:
        if n is not None:
            indeg[n] = indeg.get(n, 0) + 1
    for n in _walk(starts):
        for c, _ in n.next_functions:
            if c is not None:
                indeg[c] = indeg.get(c, 0) + 1
    numbers = {}
    lines = []
    for t, node in zip(roots, starts):
        name = _name(names, t)
        if node is None:
            lines.append(f"{name or 'tensor'} {_shape(t)} (does not require grad: no graph)")
            continue
        stack = [(node, _root_nr(t), "", "", t)]
        while stack:
            n, nr, prefix, glyph, root = stack.pop()
            if isinstance(n, AccumulateGrad):
                v = n.variable
                vn = _name(names, v)
                lines.append(f"{prefix}{glyph}AccumulateGrad {vn + ' ' if vn else ''}{_shape(v)}")
                continue
            label = n.name()
            if n._nout != 1:
                label += f" [output {nr}]"
            out = f" -> {name + ' ' if name else ''}{_shape(root)}" if root is not None else ""
            kids = _children(n)
            if n in numbers:
                lines.append(f"{prefix}{glyph}{label} [see #{numbers[n]}]{out}")
                continue
            if indeg.get(n, 0) > 1 and kids:
                numbers[n] = len(numbers) + 1
                label += f" #{numbers[n]}"
            lines.append(f"{prefix}{glyph}{label}{out}")
            cont = prefix + ("│   " if glyph == "├── " else "    " if glyph == "└── " else "")
            if len(kids) == 1:
                stack.append((kids[0][1], kids[0][2], cont, "", None))
            else:
                for k in range(len(kids) - 1, -1, -1):
                    _, c, cnr = kids[k]
                    stack.append((c, cnr, cont, "└── " if k == len(kids) - 1 else "├── ", None))
    return lines


# ================================================================ draw

_NODE_ATTR = 'align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled'
_EDGE_ATTR = "fontname=monospace fontsize=9"


def _q(s):
    """A DOT quoted string; newlines become DOT's `\\n` line breaks."""
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def draw(*roots, params=None, show_saved=False, show_values=False, trace=None):
    """The backward graph of `roots` as a `Graph` (Graphviz DOT), labelled as torchviz does.

    Labels and colours are torchviz's (`make_dot`): op nodes show their class name; leaves
    (light blue) their name from `params` (or the caller's variable) and shape; outputs
    (green) their shape; shared subexpressions appear once. Arrows point the way the
    forward pass went (input -> op -> output). Tensors that do not require grad have no
    node. Unlike torchviz, a leaf and its AccumulateGrad are one node.

    show_saved: what torchviz's show_saved and show_attrs show together: each node's saved
      tensors (orange, joined to their node by a line without arrow), and under its name a
      rule and one `name: value` line per saved value (`[saved tensor]` for tensors).
    trace: a `Trace` from `trace_backward`; each edge is labelled with the gradient that
      flowed along it in that pass.
    show_values: label leaves and outputs with their values (and leaves with `.grad`),
      and each edge with its gradient: from `trace` if given, else from a fresh backward
      from the roots seeded with ones that changes no `.grad` (the graph must not have
      been freed: use `trace_backward` or `retain_graph=True`).

    `str(graph)` / `graph.source` is the DOT text; `graph.render("g", format="svg")` and
    Jupyter's inline display need the `graphviz` package and the `dot` program.
    """
    rts = _flatten(roots)
    names = _names(params, _caller_frame())
    if show_values and trace is None:
        trace = _dry_trace([t for t in rts if t.requires_grad], names)
    return Graph(_dot(rts, names, show_saved, show_values, trace))


def _dot(roots, names, show_saved, show_values, trace):
    ids = {}          # key -> DOT id
    keep = []         # objects whose id() is a key: kept alive so ids are not reused
    body = []

    def new_id(key, obj):
        ids[key] = f"n{len(ids)}"
        keep.append(obj)
        return ids[key]

    def var_label(t, extra=None):
        n = _name(names, t) or extra or ""
        lab = f"{n}\n {_shape(t)}" if n else _shape(t)
        if show_values:
            lab += f"\n= {_fmt(t, 40)}"
            g = t._grad if t.is_leaf else None
            if g is not None:
                lab += f"\ngrad {_fmt(g, 40)}"
        return lab

    starts = [_root_node(t) for t in roots]
    nodes = _walk(starts)
    for n in nodes:
        nid = new_id(n, n)
        if isinstance(n, AccumulateGrad):
            body.append(f"\t{nid} [label={_q(var_label(n.variable))} fillcolor=lightblue]")
            continue
        saved = _saved(n) if show_saved else ()
        lab = _fn_label(n, saved)
        if trace is not None:
            s = trace.step(n)
            if s is not None:
                lab += "\ngrad " + _fmt_in(s._gin, 40)
        body.append(f"\t{nid} [label={_q(lab)}]")
        for k, v in saved:
            tensors = [(k, v)] if isinstance(v, Tensor) else \
                [(f"{k}[{i}]", x) for i, x in enumerate(v) if isinstance(x, Tensor)] \
                if isinstance(v, (tuple, list)) else []
            for sk, st in tensors:
                key = ("saved", id(st)) if st.grad_fn is None else ("saved", id(st.grad_fn), st.output_nr, id(st._data))
                sid = ids.get(key)
                if sid is None:
                    sid = new_id(key, st)
                    body.append(f"\t{sid} [label={_q(_saved_label(st, sk, show_values))} fillcolor=orange]")
                body.append(f"\t{nid} -> {sid} [dir=none]")
    # edges: input -> op, one per edge (x * x has two)
    for n in nodes:
        s = trace.step(n) if trace is not None else None
        grads = {e.index: e for e in s.edges} if s is not None else {}
        for i, c, nr in _children(n):
            attrs = []
            if c._nout != 1:
                attrs.append(f"taillabel={_q(nr)}")
            e = grads.get(i)
            if e is not None:
                attrs.append(f"label={_q(' ' + _fmt(e._g, 40))}")
            body.append(f"\t{ids[c]} -> {ids[n]}" + (f" [{' '.join(attrs)}]" if attrs else ""))
    # outputs
    seen = set()
    for t, node in zip(roots, starts):
        if id(t) in seen or isinstance(node, AccumulateGrad):
            continue                            # a leaf root is its own (blue) node
        seen.add(id(t))
        oid = new_id(("out", id(t)), t)
        body.append(f"\t{oid} [label={_q(var_label(t))} fillcolor=darkolivegreen1]")
        if node is not None:                    # else: no graph, the tensor is drawn alone
            body.append(f"\t{ids[node]} -> {oid}")
    head = ["digraph {", '\tgraph [size="12,12"]', f"\tnode [{_NODE_ATTR}]", f"\tedge [{_EDGE_ATTR}]"]
    return "\n".join(head + body + ["}"]) + "\n"


_MAX_ATTR_CHARS = 50       # torchviz's max_attr_chars


def _fn_label(node, saved):
    """An op node's label as torchviz writes it: the node's class name; with saved values, a
    rule and one `name: value` line each (tensors as `[saved tensor]`), values right-aligned
    in a column at most 50 characters wide."""
    name = type(node).__name__
    saved = [(k, v) for k, v in saved if k != "saved_tensors"]    # a custom Function's: drawn only
    if not saved:
        return name
    rows = [(k, "[saved tensor]" if isinstance(v, Tensor) else
             "[saved tensors]" if isinstance(v, (tuple, list)) and any(isinstance(x, Tensor) for x in v)
             else str(v))
            for k, v in saved]
    key = max(len(k) for k, _ in rows)
    width = min(max(len(v) for _, v in rows), _MAX_ATTR_CHARS)
    cut = lambda v: v[: width - 3] + "..." if len(v) > width else v
    return "\n".join([name, "-" * max(key + width + 2, len(name))] +
                     [f"{k:<{key}}: {cut(v):>{width}}" for k, v in rows])


def _saved_label(t, name, show_values):
    lab = f"{name}\n {_shape(t)}"
    if show_values:
        lab += f"\n= {_fmt(t, 40)}"
    return lab


class _Freed:
    def __repr__(self):
        return "<freed by backward>"


_FREED_VALUE = _Freed()


def _saved(node):
    """(name, value) for what `node` saved, in `dir()` order under torch's names without
    `_saved_` (`saved_tensors` for a custom Function); a value that backward freed reads
    `<freed by backward>`."""
    out = []
    for n in sorted(getattr(node, "_saved_names", ()) or ()):
        try:
            out.append((n, getattr(node, "_saved_" + n)))
        except RuntimeError:
            out.append((n, _FREED_VALUE))
    if not out and hasattr(type(node), "saved_tensors"):
        try:
            out.append(("saved_tensors", tuple(node.saved_tensors)))
        except RuntimeError:
            out.append(("saved_tensors", _FREED_VALUE))
    return out


class Graph:
    """A drawn graph: `source` (or `str(g)`) is its Graphviz DOT text.

    `render(filename, format="svg")` writes a picture and returns its path; `pipe(format)`
    returns the picture's bytes; Jupyter shows it inline. These three need the `graphviz`
    Python package and Graphviz's `dot` program (`pip install graphviz`, and
    `apt install graphviz` / `brew install graphviz`); the DOT text needs nothing.
    """

    def __init__(self, source):
        self.source = source

    def __str__(self):
        return self.source

    def __repr__(self):
        n = sum(1 for line in self.source.splitlines() if re.match(r"\tn\d+ \[", line))
        e = sum(1 for line in self.source.splitlines() if " -> " in line)
        return f"<retrograd.viz.Graph: {n} nodes, {e} edges; .source is the DOT text>"

    def save(self, filename):
        """Write the DOT text to `filename` and return the filename."""
        with open(filename, "w", encoding="utf-8") as f:
            f.write(self.source)
        return filename

    def _source(self):
        try:
            import graphviz
        except ImportError:
            raise ImportError("rendering a graph needs the graphviz Python package (pip install graphviz) "
                              "and Graphviz's dot program; the DOT text (graph.source) needs neither") from None
        return graphviz, graphviz.Source(self.source)

    def pipe(self, format="svg"):
        """The rendered picture as bytes (`format`: "svg", "png", ... as `dot -T` takes)."""
        graphviz, src = self._source()
        try:
            return src.pipe(format=format)
        except graphviz.ExecutableNotFound:
            raise RuntimeError("rendering a graph needs Graphviz's dot program on PATH "
                               "(apt install graphviz / brew install graphviz)") from None

    def render(self, filename="graph", format="svg", cleanup=True):
        """Write the picture to `filename.<format>` and return that path."""
        data = self.pipe(format)
        path = filename if filename.endswith("." + format) else f"{filename}.{format}"
        with open(path, "wb") as f:
            f.write(data)
        return path

    def _repr_svg_(self):
        """Jupyter's inline SVG; None (Jupyter then shows the text) when graphviz is missing."""
        try:
            return self.pipe("svg").decode("utf-8")
        except (ImportError, RuntimeError):
            return None

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": repr(self)}
        svg = self._repr_svg_()
        if svg is not None:
            bundle["image/svg+xml"] = svg
        else:
            bundle["text/plain"] += "\n(install the graphviz package and dot to see it drawn)\n" + self.source
        return bundle
