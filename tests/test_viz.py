"""retrograd.viz: DOT pictures, the text tree and the traced backward, checked against torch's
graph of the same program (node names and edges) and torch's gradients."""
import collections
import doctest
import io
import os
import re
import shutil
import sys

import numpy as np
import pytest

import retrograd
import retrograd.viz as viz
from retrograd.viz import draw, print_graph, trace_backward
from oracle import torch, assert_close, to_np

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
HAVE_DOT = shutil.which("dot") is not None
try:
    import graphviz  # noqa: F401
    HAVE_GRAPHVIZ = True
except ImportError:
    HAVE_GRAPHVIZ = False
needs_render = pytest.mark.skipif(not (HAVE_DOT and HAVE_GRAPHVIZ),
                                  reason="needs the graphviz package and Graphviz's dot program")


# ------------------------------------------------------------------ a tiny DOT reader

_STR = r'"(?:[^"\\]|\\.)*"'
_NODE = re.compile(rf'^\t(n\d+) \[label=({_STR})(.*)\]$')
_EDGE = re.compile(r'^\t(n\d+) -> (n\d+)(?: \[(.*)\])?$')
_ATTR = re.compile(rf'(\w+)=({_STR}|\S+)')


def _unq(s):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), s[1:-1]) if s.startswith('"') else s


Dot = collections.namedtuple("Dot", "nodes edges")   # nodes: {id: (label, attrs)}; edges: [(a, b, attrs)]


def parse_dot(text):
    """Nodes and edges of the DOT text `draw` writes; fails on any line it does not know."""
    lines = text.splitlines()
    assert lines[0] == "digraph {" and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        if line.startswith(("\tgraph [", "\tnode [", "\tedge [")):
            continue
        m = _NODE.match(line)
        if m:
            assert m.group(1) not in nodes, f"node {m.group(1)} declared twice"
            nodes[m.group(1)] = (_unq(m.group(2)), {k: _unq(v) for k, v in _ATTR.findall(m.group(3))})
            continue
        m = _EDGE.match(line)
        assert m, f"unexpected DOT line {line!r}"
        edges.append((m.group(1), m.group(2), {k: _unq(v) for k, v in _ATTR.findall(m.group(3) or "")}))
    for a, b, _ in edges:
        assert a in nodes and b in nodes, f"edge {a} -> {b} names an undeclared node"
    return Dot(nodes, edges)


def kind(attrs):
    return {"lightblue": "leaf", "darkolivegreen1": "output", "orange": "saved"}.get(attrs.get("fillcolor"), "op")


def dot_structure(dot):
    """(Counter of op names, Counter of leaf labels, Counter of (input, op) edges by label):
    what the drawing says, with leaves named by their first label line."""
    def lab(i):
        label, attrs = dot.nodes[i]
        return ("leaf:" if kind(attrs) == "leaf" else "") + label.split("\n")[0]
    ops = collections.Counter(lab(i) for i, (_, a) in dot.nodes.items() if kind(a) == "op")
    leaves = collections.Counter(lab(i) for i, (_, a) in dot.nodes.items() if kind(a) == "leaf")
    edges = collections.Counter((lab(a), lab(b)) for a, b, at in dot.edges
                                if kind(dot.nodes[a][1]) in ("op", "leaf") and kind(dot.nodes[b][1]) == "op")
    return ops, leaves, edges


def torch_structure(roots, names):
    """The same three counters for torch's graph from `roots`, walked through next_functions."""
    ids = {id(t): n for n, t in names.items()}
    def lab(node):
        if type(node).__name__ == "AccumulateGrad":
            return "leaf:" + ids[id(node.variable)]
        return node.name()
    seen, stack = set(), [r.grad_fn for r in roots if r.grad_fn is not None]
    ops, leaves, edges = collections.Counter(), collections.Counter(), collections.Counter()
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        (leaves if lab(n).startswith("leaf:") else ops)[lab(n)] += 1
        for c, _ in n.next_functions:
            if c is not None:
                edges[(lab(c), lab(n))] += 1
                stack.append(c)
    return ops, leaves, edges


def custom_cube(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 3 * x * x
    return Cube


# Programs: lib -> (roots, {name: leaf tensor}). Leaves are float64.
def prog_shared(lib):
    x = lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64, requires_grad=True)
    y = x * 2 + 1                           # used three times below
    loss = (y * y).mean() + y.exp().sum() + y.tanh().sum()
    return [loss], {"x": x}


def prog_multi_root(lib):
    w = lib.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=lib.float64, requires_grad=True)
    b = lib.tensor([0.1, 0.2], dtype=lib.float64, requires_grad=True)
    x = lib.tensor([1.0, 3.0], dtype=lib.float64)           # data: no grad, no node
    h = (x * w).sum(1) + b
    return [h.sin().sum(), (h * h).mean()], {"w": w, "b": b}


def prog_custom(lib):
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    c = lib.tensor([3.0, 4.0], dtype=lib.float64)           # a constant: no node
    y = custom_cube(lib).apply(x * c) + x.cos()
    return [y.sum()], {"x": x}


def prog_no_grad_leaves(lib):
    a = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    k = lib.tensor([5.0, 6.0], dtype=lib.float64)            # requires_grad=False
    frozen = lib.tensor([0.5, 0.5], dtype=lib.float64, requires_grad=True).detach()
    out = ((a * k) / (frozen + 1) + k.exp()).log().sum()
    return [out], {"a": a}


PROGRAMS = {"shared": prog_shared, "multi_root": prog_multi_root, "custom": prog_custom,
            "no_grad_leaves": prog_no_grad_leaves}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_dot_nodes_and_edges_match_torchs_graph(name):
    roots, params = PROGRAMS[name](retrograd)
    troots, tparams = PROGRAMS[name](torch)
    dot = parse_dot(draw(*roots, params=params).source)
    assert dot_structure(dot) == torch_structure(troots, tparams)
    # one green output node per root, fed by the root's node
    outs = [i for i, (_, a) in dot.nodes.items() if kind(a) == "output"]
    assert len(outs) == len(roots)
    for o in outs:
        feeders = [a for a, b, _ in dot.edges if b == o]
        assert len(feeders) == 1 and kind(dot.nodes[feeders[0]][1]) == "op"


def test_shared_subexpression_is_drawn_once():
    roots, params = prog_shared(retrograd)
    dot = parse_dot(draw(*roots, params=params).source)
    adds = [i for i, (lab, a) in dot.nodes.items() if lab == "AddBackward0"]
    # y = x * 2 + 1 is one node with three users (mul twice: y * y; exp; tanh)
    shared = [i for i in adds if sum(1 for a, _, _ in dot.edges if a == i) == 4]
    assert len(shared) == 1
    users = sorted(dot.nodes[b][0] for a, b, _ in dot.edges if a == shared[0])
    assert users == ["ExpBackward0", "MulBackward0", "MulBackward0", "TanhBackward0"]
    assert [lab for lab, a in dot.nodes.values() if kind(a) == "leaf"] == ["x\n (3)"]


def test_multiple_roots_share_their_common_subgraph():
    roots, params = prog_multi_root(retrograd)
    dot = parse_dot(draw(*roots, params=params).source)
    h = [i for i, (lab, _) in dot.nodes.items() if lab == "AddBackward0"]
    assert len(h) == 1
    users = sorted(dot.nodes[b][0] for a, b, _ in dot.edges if a == h[0])
    assert users == ["MulBackward0", "MulBackward0", "SinBackward0"]
    leaves = sorted(lab for lab, a in dot.nodes.values() if kind(a) == "leaf")
    assert leaves == ["b\n (2)", "w\n (2, 2)"]
    # a list of roots draws the same graph
    assert draw(roots, params=params).source == draw(*roots, params=params).source


def test_custom_function_node_is_labelled_with_its_backward_name():
    roots, params = prog_custom(retrograd)
    dot = parse_dot(draw(*roots, params=params, show_saved=True).source)
    (cube,) = [i for i, (lab, _) in dot.nodes.items() if lab == "CubeBackward"]
    saved = [b for a, b, at in dot.edges if a == cube and at.get("dir") == "none"]
    assert [dot.nodes[s][0] for s in saved] == ["saved_tensors[0]\n (2)"]


def test_leaves_that_do_not_require_grad_have_no_node():
    roots, params = prog_no_grad_leaves(retrograd)
    dot = parse_dot(draw(*roots, params=params).source)
    leaves = [lab for lab, a in dot.nodes.values() if kind(a) == "leaf"]
    assert leaves == ["a\n (2)"]
    # a root that does not require grad is drawn alone, as an output without a graph
    k = retrograd.tensor([5.0, 6.0])
    dot = parse_dot(draw(k).source)
    assert [(lab, kind(a)) for lab, a in dot.nodes.values()] == [("k\n (2)", "output")]
    assert dot.edges == []


def test_leaf_root_is_its_own_blue_node():
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    dot = parse_dot(draw(x).source)
    assert [(lab, kind(a)) for lab, a in dot.nodes.values()] == [("x\n (2)", "leaf")]


def test_names_come_from_params_then_caller_variables():
    w = retrograd.tensor([1.0, 2.0], requires_grad=True)
    other = retrograd.tensor([3.0, 4.0], requires_grad=True)
    loss = (w * other).sum()
    labels = {lab for lab, _ in parse_dot(draw(loss, params={"weight": w}).source).nodes.values()}
    assert {"weight\n (2)", "other\n (2)", "loss\n ()"} <= labels
    # without any name: shapes only
    labels = {lab for lab, _ in parse_dot(viz._dot([loss], {}, False, False, None)).nodes.values()}
    assert {"(2)", "()"} <= labels


def test_show_saved_draws_torchs_saved_tensors():
    """Orange nodes hang off each op for exactly the tensors torch saves (by attribute name)."""
    def program(lib):
        x = lib.tensor([0.5, 1.5], dtype=lib.float64, requires_grad=True)
        return (x.exp() * x.sin()).sum(), x
    loss, _ = program(retrograd)
    tloss, _ = program(torch)
    dot = parse_dot(draw(loss, show_saved=True).source)
    drawn = collections.Counter()
    for a, b, at in dot.edges:
        if at.get("dir") == "none":
            drawn[(dot.nodes[a][0].split("\n")[0], dot.nodes[b][0].split("\n")[0])] += 1
    expected = collections.Counter()
    seen, stack = set(), [tloss.grad_fn]
    while stack:
        n = stack.pop()
        if n in seen or n is None:
            continue
        seen.add(n)
        for k in dir(n):
            if k.startswith("_saved_") and isinstance(getattr(n, k), torch.Tensor):
                expected[(n.name(), k[len("_saved_"):])] += 1
        stack.extend(c for c, _ in n.next_functions)
    # saved tensors are shared: one orange node per tensor, labelled with the first name
    # that saved it; compare the (op, count) pairs and that each op's labels are torch names
    assert sum(drawn.values()) == sum(expected.values())
    assert collections.Counter(op for op, _ in drawn.elements()) == \
        collections.Counter(op for op, _ in expected.elements())
    labels = {lab.split("\n")[0] for lab, a in dot.nodes.values() if kind(a) == "saved"}
    assert labels <= {k for _, k in expected}
    # every saved value is listed under the op's name, as torchviz lists it
    sums = [lab for lab, a in dot.nodes.values() if lab.startswith("SumBackward0")]
    assert sums == ["SumBackward0\n--------------------\nself_sym_sizes: (2,)"]


# Labels torchviz 0.0.3 (`make_dot(loss, show_attrs=True, show_saved=True)`) gives torch's nodes
# for `(x.exp() * x.sin() * 2).sum() + (w * x).sum(0).mean()`, copied from its output.
TORCHVIZ_LABELS = [
    "AddBackward0\n------------\nalpha: 1",
    "SumBackward0\n--------------------\nself_sym_sizes: (2,)",
    "MulBackward0\n---------------------\nother: [saved tensor]\nself :           None",
    "MulBackward0\n---------------------\nother: [saved tensor]\nself : [saved tensor]",
    "ExpBackward0\n----------------------\nresult: [saved tensor]",
    "SinBackward0\n--------------------\nself: [saved tensor]",
    "MeanBackward0\n--------------------\nself_sym_numel:    2\nself_sym_sizes: (2,)",
    "SumBackward1\n----------------------\ndim           :   (0,)\nkeepdim       :  False\nself_sym_sizes: (2, 2)",
    "MulBackward0\n---------------------\nother: [saved tensor]\nself : [saved tensor]",
]


def test_op_labels_are_torchvizs():
    x = retrograd.tensor([0.5, 1.5], requires_grad=True)
    w = retrograd.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    loss = (x.exp() * x.sin() * 2).sum() + (w * x).sum(0).mean()
    dot = parse_dot(draw(loss, show_saved=True).source)
    assert sorted(lab for lab, a in dot.nodes.values() if kind(a) == "op") == sorted(TORCHVIZ_LABELS)
    # without show_saved a label is the node's name alone
    plain = parse_dot(draw(loss).source)
    assert sorted(lab for lab, a in plain.nodes.values() if kind(a) == "op") == \
        sorted(lab.split("\n")[0] for lab in TORCHVIZ_LABELS)


def test_long_saved_values_are_cut_as_torchviz_cuts_them():
    x = retrograd.ones(0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, requires_grad=True)
    dot = parse_dot(draw(x.sum(), show_saved=True).source)
    (label,) = [lab for lab, a in dot.nodes.values() if kind(a) == "op"]
    name, rule, line = label.split("\n")
    sizes = str(tuple(x.shape))                     # 61 characters: cut to 50
    assert line == "self_sym_sizes: " + sizes[:47] + "..."
    assert rule == "-" * (14 + 2 + 50)


def test_show_saved_after_backward_marks_freed_values():
    x = retrograd.tensor([0.5, 1.5], requires_grad=True)
    y = x.exp().sum()
    y.backward()
    labels = [lab for lab, _ in parse_dot(draw(y, show_saved=True).source).nodes.values()]
    assert "ExpBackward0\n---------------------------\nresult: <freed by backward>" in labels
    assert "SumBackward0\n--------------------\nself_sym_sizes: (2,)" in labels


def test_show_values_labels_edges_with_torchs_gradients():
    def program(lib):
        x = lib.tensor([0.5, -1.0], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([2.0, 3.0], dtype=lib.float64, requires_grad=True)
        h = x * y
        loss = (h.exp() + h).sum()
        return loss, x, y, h
    loss, x, y, h = program(retrograd)
    dot = parse_dot(draw(loss, show_values=True).source)
    assert x.grad is None and y.grad is None       # drawing changes no .grad
    tloss, tx, ty, th = program(torch)
    th.retain_grad()
    tloss.backward()
    # MulBackward0 (h) is labelled with dL/dh; the edges into it carry dL/dx and dL/dy,
    # the edges out of it what AddBackward0 and ExpBackward0 each sent to h
    (mul,) = [i for i, (lab, _) in dot.nodes.items() if lab.startswith("MulBackward0")]
    assert dot.nodes[mul][0] == "MulBackward0\ngrad " + viz._fmt(retrograd.tensor(to_np(th.grad)))
    out_of_mul = {dot.nodes[b][0].split("\n")[0]: at["label"].strip() for a, b, at in dot.edges if a == mul}
    assert out_of_mul == {"AddBackward0": "[1., 1.]",
                          "ExpBackward0": viz._fmt(retrograd.tensor(to_np(th.exp().detach())))}
    into_mul = sorted(at["label"].strip() for a, b, at in dot.edges if b == mul)
    assert into_mul == sorted([viz._fmt(retrograd.tensor(to_np(tx.grad))), viz._fmt(retrograd.tensor(to_np(ty.grad)))])
    # leaves show their values
    assert any(lab.startswith("x\n (2)\n= [0.5000, -1.0000]") for lab, _ in dot.nodes.values())


def test_show_values_after_a_freeing_backward_says_what_to_do():
    x = retrograd.tensor([0.5, 1.5], requires_grad=True)
    loss = x.exp().sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        draw(loss, show_values=True)


def test_trace_draw_labels_each_edge_with_its_gradient():
    x = retrograd.tensor(2.0, requires_grad=True)
    y = retrograd.tensor(3.0, requires_grad=True)
    z = x * y
    trace = trace_backward(z, retrograd.tensor(5.0))
    dot = parse_dot(trace.draw().source)
    labels = {(dot.nodes[a][0].split("\n")[0], dot.nodes[b][0].split("\n")[0]): at.get("label", "").strip()
              for a, b, at in dot.edges}
    assert labels[("x", "MulBackward0")] == "15."
    assert labels[("y", "MulBackward0")] == "10."


# ------------------------------------------------------------------ rendering

@needs_render
def test_svg_and_png_render(tmp_path):
    roots, params = prog_shared(retrograd)
    g = draw(*roots, params=params)
    svg = g.pipe("svg").decode()
    assert "<svg" in svg and "AddBackward0" in svg and "MulBackward0" in svg
    assert g._repr_svg_() == svg
    bundle = g._repr_mimebundle_()
    assert bundle["image/svg+xml"] == svg and bundle["text/plain"] == repr(g)
    path = g.render(str(tmp_path / "graph"), format="png")
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_without_graphviz_the_dot_text_still_works(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "graphviz", None)       # `import graphviz` now fails
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    g = draw((x * x).sum())
    assert g._repr_svg_() is None
    bundle = g._repr_mimebundle_()
    assert set(bundle) == {"text/plain"} and "digraph {" in bundle["text/plain"]
    with pytest.raises(ImportError, match="graphviz"):
        g.pipe("svg")
    p = g.save(str(tmp_path / "g.dot"))
    with open(p) as f:
        assert f.read() == g.source == str(g)
    assert repr(g) == "<retrograd.viz.Graph: 4 nodes, 4 edges; .source is the DOT text>"


# ------------------------------------------------------------------ print_graph

def test_print_graph_prints_shared_subgraphs_once(capsys):
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    w = retrograd.tensor([0.5, 0.5], requires_grad=True)
    h = (x * w).tanh()
    loss = (h * h).sum() + h.exp().mean()
    print_graph(loss)
    assert capsys.readouterr().out == (
        "AddBackward0 -> loss ()\n"
        "├── SumBackward0\n"
        "│   MulBackward0\n"
        "│   ├── TanhBackward0 #1\n"
        "│   │   MulBackward0\n"
        "│   │   ├── AccumulateGrad x (2)\n"
        "│   │   └── AccumulateGrad w (2)\n"
        "│   └── TanhBackward0 [see #1]\n"
        "└── MeanBackward0\n"
        "    ExpBackward0\n"
        "    TanhBackward0 [see #1]\n")


def test_print_graph_multiple_roots_and_multi_output_nodes(capsys):
    class Two(retrograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + gb * 3
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    c = retrograd.tensor([1.0])
    a, b = Two.apply(x)
    print_graph(a, b, c, x)
    assert capsys.readouterr().out == (
        "TwoBackward [output 0] #1 -> a (2)\n"
        "AccumulateGrad x (2)\n"
        "TwoBackward [output 1] [see #1] -> b (2)\n"
        "c (1) (does not require grad: no graph)\n"
        "AccumulateGrad x (2)\n")


def test_print_graph_names_nodes_as_torch_does():
    """Every op line names a node of torch's graph of the same program."""
    roots, params = prog_multi_root(retrograd)
    troots, tparams = prog_multi_root(torch)
    f = io.StringIO()
    print_graph(*roots, params=params, file=f)
    text = f.getvalue()
    printed = collections.Counter(re.sub(r"^[│├└─ ]*", "", line).split(" ")[0] for line in text.splitlines())
    ops, leaves, _ = torch_structure(troots, tparams)
    assert set(printed) - {"AccumulateGrad"} == set(ops)


# ------------------------------------------------------------------ trace_backward

def test_trace_backward_seed_003_chain_rule():
    def program(lib):
        x = lib.tensor(2.0, requires_grad=True)
        y = lib.tensor(3.0, requires_grad=True)
        return x, y, x * y
    x, y, z = program(retrograd)
    trace = trace_backward(z, retrograd.tensor(5.0))
    tx, ty, tz = program(torch)
    tz.backward(torch.tensor(5.0))
    assert_close(x.grad, tx.grad, 0, 0)
    assert_close(y.grad, ty.grad, 0, 0)
    assert_close(trace.grad_of(x), tx.grad, 0, 0)
    assert_close(trace.grad_of(y), ty.grad, 0, 0)
    assert_close(trace.grad_of(z), torch.tensor(5.0), 0, 0)
    first = trace.steps[0]
    assert first.name == "MulBackward0" and first.node is z.grad_fn
    assert float(first.grad_in) == 5.0
    by_child = {e.node.variable is x: e for e in first.edges}
    assert float(by_child[True].local) == 3.0 and float(by_child[True].grad) == 15.0    # dz/dx = y
    assert float(by_child[False].local) == 2.0 and float(by_child[False].grad) == 10.0  # dz/dy = x
    assert [s.name for s in trace] == ["MulBackward0"] + ["torch::autograd::AccumulateGrad"] * 2
    text = str(trace)
    assert text.splitlines()[0] == "backward from z, seeded with dL/dz = 5."
    assert re.search(r"AccumulateGrad \(x\)\s+3\.\s+15\.", text)
    assert re.search(r"AccumulateGrad \(y\)\s+2\.\s+10\.", text)


def test_trace_backward_leaves_grads_as_backward_does():
    def program(lib):
        w = lib.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=lib.float64, requires_grad=True)
        x = lib.tensor([1.0, 3.0], dtype=lib.float64)
        h = (x * w).sum(1).tanh()
        return w, [(h * h).sum(), h.exp().mean()]
    w, roots = program(retrograd)
    trace = trace_backward(roots, [retrograd.tensor(1.0, dtype=retrograd.float64),
                                   retrograd.tensor(2.0, dtype=retrograd.float64)])
    tw, troots = program(torch)
    torch.autograd.backward(troots, [torch.tensor(1.0, dtype=torch.float64), torch.tensor(2.0, dtype=torch.float64)])
    assert_close(w.grad, tw.grad, rtol=1e-12, atol=1e-12)
    assert_close(trace.grad_of(w), tw.grad, rtol=1e-12, atol=1e-12)
    # each step's outgoing gradients are what arrives at its children, summed over edges
    arrived = collections.defaultdict(lambda: 0)
    for s in trace:
        for e in s.edges:
            arrived[e.node] = arrived[e.node] + to_np(e.grad)
    for s in trace:
        if s.node in arrived:
            np.testing.assert_allclose(to_np(s.grad_in), arrived[s.node], rtol=1e-12)
    # the hooks it used are gone
    assert all(not s.node._pre_hooks and not s.node._post_hooks and not s.node._hooked for s in trace)


def test_trace_table_and_structured_data_for_big_graphs():
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(60):
        y = y.sin()
    trace = trace_backward(y.sum())
    assert len(trace) == 62 and len(trace.steps) == 62
    lines = str(trace).splitlines()
    assert lines[-1] == "... 22 more steps (trace.steps has them all)"
    assert len(trace.table(max_rows=None).splitlines()) == 2 + 62
    assert trace.step(y.grad_fn).name == "SinBackward0"
    assert "Step(1, SumBackward0" in repr(trace.steps[0])


# ------------------------------------------------------------------ 100,000-node chain

def test_a_100000_node_chain_draws_prints_and_traces():
    x = retrograd.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    dot = draw(y).source
    assert dot.count(" -> ") == 100_001 and dot.count("MulBackward0") == 100_000
    f = io.StringIO()
    print_graph(y, file=f)
    text = f.getvalue()
    assert text.count("\n") == 100_001 and text.endswith("AccumulateGrad x ()\n")
    trace = trace_backward(y)
    assert len(trace) == 100_001 and float(x.grad) == 1.0


def test_module_docstrings_run():
    failed, attempted = doctest.testmod(viz)
    assert attempted >= 8 and failed == 0


def test_example_script_runs(tmp_path, capsys):
    sys.path.insert(0, EXAMPLES)
    try:
        import see_the_graph
    finally:
        sys.path.remove(EXAMPLES)
    paths = see_the_graph.main(["--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert re.search(r"-> #\d AccumulateGrad \(x\)\s+3\.\s+15\.", out)
    assert re.search(r"-> #\d AccumulateGrad \(y\)\s+2\.\s+10\.", out)
    assert "AccumulateGrad W1 (3, 5)" in out
    dot = parse_dot(open(paths[0]).read())
    assert sorted(lab.split("\n")[0] for lab, a in dot.nodes.values() if kind(a) == "leaf") == ["W1", "W2", "b1", "b2"]
    if HAVE_DOT and HAVE_GRAPHVIZ:
        assert paths[1].endswith(".svg") and "<svg" in open(paths[1]).read()


def test_trace_backward_keeps_user_hooks_working():
    def program(lib, trace):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        seen = []
        x.register_hook(lambda g: seen.append(g.tolist()))
        h = x.exp()
        h.retain_grad()
        h.register_hook(lambda g: g * 2)
        loss = (h * x).sum()
        if trace:
            trace_backward(loss, retain_graph=True)
        else:
            loss.backward(retain_graph=True)
        loss.backward()
        return x.grad, h.grad, seen
    ours, theirs = program(retrograd, True), program(torch, False)
    assert_close(ours[:2], theirs[:2], 1e-12, 1e-12)
    assert ours[2] == theirs[2]
