"""Planning a graph for given input shapes, and running the plan.

A :class:`Plan` is made once per set of input shapes (and cached by the
model). Walking the nodes in order it

1. infers every tensor's shape and dtype;
2. computes before the run whatever depends only on constants and shapes
   (Shape -> Gather -> Concat -> Reshape chains of exported models, folded
   here for the concrete input shapes) - those nodes do not run;
3. lays out every other tensor in one arena: a tensor's buffer is free for
   reuse after its last reader; view ops (Reshape, Flatten, ...) share their
   input's buffer; elementwise ops write over an input that dies at that node
   when shapes match. Buffers get offsets greedily, largest first, each at the
   lowest offset that does not collide with a buffer alive at the same time
   (the "greedy by size" strategy of TFLite's arena planner).

Running a plan takes an execution context (the arena and every node's bound
input/output views) from a small pool, so that concurrent calls never share
memory; the inputs are copied into the arena and the outputs copied out.
"""
import threading
import time

import numpy as np

from .ir import describe
from .ops import OPS, Tensor

ALIGN = 64


def _align(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


def check_arity(node, op):
    lo, hi = op.n_inputs
    n = sum(1 for i in node.inputs if i)
    if not lo <= n <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}" if hi < (1 << 20) else f"at least {lo}"
        raise ValueError(f"{describe(node)}: takes {want} inputs, got {n}")


def evaluate(node, ins, env=None):
    """Run one node on known values (constant folding); returns its output arrays."""
    op = OPS[node.op]
    metas = op.infer(node, ins)
    if op.view:
        return [np.asarray(ins[0].value, order="C").reshape(metas[0][0])]
    outs = [Tensor(s, d) for s, d in metas]
    ys = [np.empty(t.shape, t.dtype) for t in outs]
    xs = [None if t is None else np.asarray(t.value, t.dtype, order="C") for t in ins]
    op.prepare(node, ins, outs, env)(xs, ys)
    return ys


class Step:
    """A node that runs: its kernel and where its inputs and outputs live."""

    __slots__ = ("node", "fn", "inputs", "outputs", "macs", "algo", "glue")

    def __init__(self, node, fn, inputs, outputs, macs, algo):
        self.node, self.fn, self.inputs, self.outputs = node, fn, inputs, outputs
        self.macs, self.algo = macs, algo
        self.glue = node.op not in ("Conv", "FullyConnected")


class Context:
    """One arena and the steps bound to views of it."""

    __slots__ = ("arena", "inputs", "outputs", "bound")


class Plan:
    def __init__(self, graph, input_shapes, env):
        self.graph = graph
        self.input_shapes = dict(input_shapes)
        self.tensors = {}  # name -> Tensor (value set when known before the run)
        self.steps = []
        self.folded = []  # nodes computed before the run
        self.views = []   # view nodes: no step, their output shares the input's buffer
        self._pool = []
        self._lock = threading.Lock()
        self._infer(env)
        self._plan_memory()

    # ------------------------------------------------------------ shapes
    def _infer(self, env):
        t = self.tensors
        for name, value in self.graph.consts.items():
            t[name] = Tensor(value.shape, value.dtype, value)
        for name, _ in self.graph.inputs:
            t[name] = Tensor(self.input_shapes[name], np.float32)
        self.view_of = {}  # view output name -> input name
        for node in self.graph.nodes:
            op = OPS.get(node.op)
            if op is None:
                raise ValueError(f"{describe(node)}: operator {node.op!r} is not supported")
            check_arity(node, op)
            ins = []
            for i in node.inputs:
                if not i:
                    ins.append(None)
                elif i not in t:
                    raise ValueError(f"{describe(node)}: its input {i!r} is produced by no node")
                else:
                    ins.append(t[i])
            known = all(x is None or x.value is not None for x in ins) or node.op == "Shape"
            if known:
                for name, v in zip(node.outputs, evaluate(node, ins, env)):
                    if name:
                        t[name] = Tensor(v.shape, v.dtype, v)
                self.folded.append(node)
                continue
            metas = op.infer(node, ins)
            outs = [Tensor(s, d) for s, d in metas]
            for name, o in zip(node.outputs, outs):
                if name:
                    t[name] = o
            if op.view:
                self.view_of[node.outputs[0]] = node.inputs[0]
                self.views.append(node)
                continue
            fn = op.prepare(node, ins, outs, env)
            self.steps.append(Step(node, fn, list(node.inputs), list(node.outputs),
                                   op.macs(node, ins, outs), op.algo(node, ins, outs, env)))
        for o in self.graph.outputs:
            if o not in t:
                raise ValueError(f"the graph output {o!r} is produced by no node")

    # ------------------------------------------------------------ memory
    def _plan_memory(self):
        t = self.tensors
        runtime = lambda n: n and t[n].value is None  # noqa: E731
        # Alias classes: a view output belongs to the class of its input.
        root = {}

        def find(n):
            while n in self.view_of:
                n = self.view_of[n]
            return n
        for name in t:
            if runtime(name):
                root[name] = find(name)
        # Time: inputs are copied in at 0, step i runs at i + 1, outputs are copied out at end.
        end = len(self.steps) + 1
        first, last = {}, {}

        def use(name, time):
            r = root[name]
            last[r] = max(last.get(r, time), time)
        for name, _ in self.graph.inputs:
            first[name] = 0
            use(name, 0)
        for i, s in enumerate(self.steps, 1):
            for n in s.inputs:
                if runtime(n):
                    use(n, i)
            for n in s.outputs:
                if runtime(n):
                    first.setdefault(root[n], i)
                    use(n, i)
        # a view is read wherever its own readers are: they were counted on
        # the root through root[] above.
        for o in self.graph.outputs:
            if runtime(o):
                use(o, end)
        # Buffers: one per class, except that an in-place step's output class
        # joins the buffer of the input class it overwrites.
        buf_of = {}
        buffers = []  # [first, last, nbytes]

        def new_buffer(r):
            buf_of[r] = len(buffers)
            nbytes = t[r].size * t[r].dtype.itemsize
            buffers.append([first[r], last[r], _align(max(nbytes, 1))])
        for name, _ in self.graph.inputs:
            new_buffer(name)
        self.inplace = {}
        for i, s in enumerate(self.steps, 1):
            op = OPS[s.node.op]
            for k, n in enumerate(s.outputs):
                if not runtime(n):
                    continue
                r = root[n]
                if k == 0:
                    for j in op.inplace_inputs(s.node):
                        src = s.inputs[j] if j < len(s.inputs) else ""
                        if not runtime(src):
                            continue
                        b = buf_of[root[src]]
                        if (buffers[b][1] == i and t[src].shape == t[n].shape
                                and t[src].dtype == t[n].dtype):
                            buf_of[r] = b
                            buffers[b][1] = last[r]
                            self.inplace[s.node.name] = src
                            break
                if r not in buf_of:
                    new_buffer(r)
        self.buffer_of = {n: buf_of[r] for n, r in root.items()}
        # Offsets: largest first, lowest free offset among buffers alive at the same time.
        order = sorted(range(len(buffers)), key=lambda b: (-buffers[b][2], buffers[b][0]))
        placed = []  # (offset, size, first, last)
        offsets = [0] * len(buffers)
        for b in order:
            f, l, size = buffers[b]
            busy = sorted((o, o + sz) for o, sz, f2, l2 in placed if f2 <= l and f <= l2)
            off = 0
            for lo, hi in busy:
                if off + size <= lo:
                    break
                off = max(off, hi)
            offsets[b] = off
            placed.append((off, size, f, l))
        self.offsets = offsets
        self.buffers = buffers
        self.arena_bytes = max((o + b[2] for o, b in zip(offsets, buffers)), default=0)
        # The liveness lower bound: the most bytes alive at one time.
        self.lower_bound_bytes = max(
            (sum(b[2] for b in buffers if b[0] <= time <= b[1]) for time in range(end + 1)), default=0)

    # ------------------------------------------------------------ running
    def _context(self):
        c = Context()
        c.arena = np.empty(self.arena_bytes + ALIGN, np.uint8)
        base = (-c.arena.ctypes.data) % ALIGN
        views = {}

        def view(name):
            if not name:
                return None
            tv = self.tensors[name]
            if tv.value is not None:
                return tv.value
            if name not in views:
                off = base + self.offsets[self.buffer_of[name]]
                nbytes = tv.size * tv.dtype.itemsize
                views[name] = c.arena[off:off + nbytes].view(tv.dtype).reshape(tv.shape)
            return views[name]
        c.inputs = [view(n) for n, _ in self.graph.inputs]
        c.outputs = [view(n) for n in self.graph.outputs]
        c.bound = [(s.fn, [view(n) for n in s.inputs], [view(n) for n in s.outputs]) for s in self.steps]
        return c

    def run(self, feeds, timings=None, only=None, observe=None):
        """feeds: input arrays in graph.inputs order (validated by the caller).

        timings: a list of len(steps) floats to which each step's seconds are
        added; only: run only the steps for which only(step) is true (for
        measuring a class of nodes; the outputs are then meaningless);
        observe: called as observe(step, inputs) before each step runs
        (calibration: Model.quantize).
        """
        try:
            c = self._pool.pop()
        except IndexError:
            c = self._context()
        try:
            for v, x in zip(c.inputs, feeds):
                np.copyto(v, x)
            if timings is None and only is None and observe is None:
                for fn, xs, ys in c.bound:
                    fn(xs, ys)
            else:
                for i, (s, (fn, xs, ys)) in enumerate(zip(self.steps, c.bound)):
                    if only is not None and not only(s):
                        continue
                    if observe is not None:
                        observe(s, xs)
                    t0 = time.perf_counter()
                    fn(xs, ys)
                    if timings is not None:
                        timings[i] += time.perf_counter() - t0
            return [np.array(v, copy=True) for v in c.outputs]
        finally:
            self._pool.append(c)
