"""See the graph: the chain rule of seed 003 step by step, a tree view of a small network's
graph, and a picture of it (DOT text always; SVG when Graphviz's `dot` is installed).

    python examples/see_the_graph.py [--out DIR]
"""
import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import retrograd as torch                                     # noqa: E402
from retrograd.viz import print_graph, trace_backward  # noqa: E402


def chain_rule():
    """Seed 003: z = x * y with dL/dz = 5 gives dL/dx = 5 * y = 15 and dL/dy = 5 * x = 10."""
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = x * y
    trace = trace_backward(z, torch.tensor(5.0))
    print(trace)
    print("dL/dx =", x.grad, " dL/dy =", y.grad)


def small_network():
    """A two-layer network on four samples. Each layer is written with broadcasting
    (x[:, :, None] * W).sum(1) -- the same numbers as x @ W -- so only elementwise ops
    and reductions appear in the graph."""
    torch.manual_seed(0)
    x = torch.randn(4, 3)                                     # data: no gradient, no node
    target = torch.randn(4, 2)
    W1 = torch.randn(3, 5, requires_grad=True)
    b1 = torch.zeros(5, requires_grad=True)
    W2 = torch.randn(5, 2, requires_grad=True)
    b2 = torch.zeros(2, requires_grad=True)
    h = ((x.reshape(4, 3, 1) * W1).sum(1) + b1).tanh()
    out = (h.reshape(4, 5, 1) * W2).sum(1) + b2
    loss = ((out - target) ** 2).mean()
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return loss, params


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None, help="folder for the pictures (default: a new temporary folder)")
    args = ap.parse_args(argv)
    out = args.out or tempfile.mkdtemp(prefix="see_the_graph_")
    os.makedirs(out, exist_ok=True)

    print("== the chain rule, one node at a time (seed 003)")
    chain_rule()

    print("\n== a small network's backward graph")
    loss, params = small_network()
    print_graph(loss, params=params)

    print("\n== its backward pass")
    trace = trace_backward(loss, retain_graph=True, params=params)
    print(trace.table(max_rows=6))

    graph = trace.draw(show_saved=True)
    paths = [graph.save(os.path.join(out, "small_network.dot"))]
    try:
        import graphviz  # noqa: F401
        have_graphviz = True
    except ImportError:
        have_graphviz = False
    if have_graphviz and shutil.which("dot"):
        paths.append(graph.render(os.path.join(out, "small_network"), format="svg"))
    else:
        print("(install the graphviz package and Graphviz's dot program to get an SVG as well)")
    print("\nwrote", ", ".join(paths))
    return paths


if __name__ == "__main__":
    main()
