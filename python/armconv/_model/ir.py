"""The model's graph: nodes over named tensors, constants as numpy arrays.

The node vocabulary is ONNX's (op names, attribute names and meanings), in one
canonical form whatever opset a file was written with: parameters that some
opsets give as attributes and others as inputs (Clip's bounds, Slice's starts,
Split's sizes, Squeeze's axes, ReduceMean's axes, Pad's pads) are always
inputs, usually constants. A few ops exist only after the graph work at load
time (see passes.py): ``Conv`` with a fused ``activation``, ``FullyConnected``,
``ChannelAffine``, and ``Add``/``Sub``/``Mul``/``Div`` with a fused
``activation``. int8 models (int8.py): a ``Conv`` may carry its calibrated
``input_scale``; in the graph an int8 model runs, ``Quantize`` (float32 ->
int8 at attribute ``scale``) feeds the Conv nodes marked ``int8``.

Attributes are plain JSON values (int, float, str, lists of them), so that a
graph saves to a numpy-only file; arrays are always constants, referenced by
name as inputs. An empty input name means "absent" (as in ONNX).
"""


class Node:
    __slots__ = ("op", "name", "inputs", "outputs", "attrs")

    def __init__(self, op, name, inputs, outputs, attrs=None):
        self.op = op
        self.name = name
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.attrs = dict(attrs or {})

    def input(self, i):
        """Name of input i, or "" when it is absent."""
        return self.inputs[i] if i < len(self.inputs) else ""

    def __repr__(self):
        return f"Node({self.op!r}, {self.name!r}, {self.inputs}, {self.outputs}, {self.attrs})"


class Graph:
    """inputs: [(name, shape)] with None for a dimension the file leaves free;
    outputs: [name]; nodes: topologically sorted; consts: {name: ndarray};
    meta: JSON values about the whole graph (saved with it; "int8": how
    Model.quantize calibrated it)."""

    def __init__(self, inputs, outputs, nodes, consts, meta=None):
        self.inputs = [(n, tuple(s)) for n, s in inputs]
        self.outputs = list(outputs)
        self.nodes = list(nodes)
        self.consts = dict(consts)
        self.meta = dict(meta or {})

    def consumers(self):
        """{tensor name: [nodes that read it]}."""
        uses = {}
        for n in self.nodes:
            for i in n.inputs:
                if i:
                    uses.setdefault(i, []).append(n)
        return uses

    def producers(self):
        return {o: n for n in self.nodes for o in n.outputs if o}


def describe(node):
    """How messages name a node: "node 'conv1' (Conv)"."""
    return f"node {node.name!r} ({node.op})"
