"""ONNX file -> Graph (needs the `onnx` package: pip install armconv[onnx]).

Every node is brought to the canonical form described in ir.py, whatever
opset the file uses; Constant nodes and initializers become constants.
Operators armconv does not run are reported all at once, by type and node.
"""
import numpy as np

from .ir import Graph, Node
from .ops import OPS

# Handled here or by the graph passes rather than by an Op of their own.
IMPORT_ONLY = {"Constant", "Dropout", "BatchNormalization"}


def _onnx():
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise ImportError(
            "reading ONNX files needs the onnx package: pip install 'armconv[onnx]' (or pip "
            "install onnx). Where onnx has no wheel (armv7, Termux), convert on another machine "
            "with armconv.load('model.onnx').save('model.npz') and load the .npz here.") from None
    return onnx, numpy_helper


def read_onnx(source):
    """source: a path or an onnx.ModelProto. Returns (Graph, opset)."""
    onnx, numpy_helper = _onnx()
    if isinstance(source, onnx.ModelProto):
        model = source
        where = "the ONNX model"
    else:
        where = repr(str(source))
        try:
            model = onnx.load(source)
        except (OSError, FileNotFoundError):
            raise
        except Exception as e:  # protobuf DecodeError and friends
            raise ValueError(f"{where} is not a readable ONNX file ({type(e).__name__}: {e}); "
                             "was it truncated or is it another format?") from None
    if not model.HasField("graph") or len(model.graph.node) == 0 and len(model.graph.output) == 0:
        raise ValueError(f"{where} holds no ONNX graph (truncated, or not an ONNX file)")
    opset = 0
    for o in model.opset_import:
        if o.domain in ("", "ai.onnx"):
            opset = o.version
    if opset == 0:
        raise ValueError(f"{where} declares no version of the default ONNX operator set")
    return _convert(model.graph, opset, onnx, numpy_helper, where), opset


def _attr(onnx, a):
    v = onnx.helper.get_attribute_value(a)
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, list):
        return [e.decode() if isinstance(e, bytes) else e for e in v]
    return v


def _convert(gp, opset, onnx, numpy_helper, where):
    consts = {}
    for init in gp.initializer:
        try:
            consts[init.name] = numpy_helper.to_array(init)
        except Exception as e:
            raise ValueError(f"{where}: cannot read the weights {init.name!r} ({e}); is the file "
                             "truncated, or its external data missing?") from None
    inputs = []
    for vi in gp.input:
        if vi.name in consts:
            continue  # old exporters list initializers among the inputs
        tt = vi.type.tensor_type
        if not vi.type.HasField("tensor_type"):
            raise ValueError(f"{where}: input {vi.name!r} is not a tensor")
        if tt.elem_type != onnx.TensorProto.FLOAT:
            raise ValueError(f"{where}: input {vi.name!r} has element type "
                             f"{onnx.TensorProto.DataType.Name(tt.elem_type)}; armconv runs float32 models")
        if not tt.HasField("shape"):
            raise ValueError(f"{where}: input {vi.name!r} has no declared rank")
        shape = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None for d in tt.shape.dim]
        inputs.append((vi.name, shape))
    outputs = [o.name for o in gp.output]

    names = set(consts) | {i for n in gp.node for i in n.output} | {n for n, _ in inputs}

    def fresh(base):
        k, name = 0, base
        while name in names:
            k += 1
            name = f"{base}:{k}"
        names.add(name)
        return name

    def new_const(base, value):
        name = fresh(base)
        consts[name] = np.asarray(value)
        return name

    nodes, unsupported = [], {}
    for idx, p in enumerate(gp.node):
        name = p.name or f"{p.op_type}_{idx}"
        if p.domain not in ("", "ai.onnx"):
            unsupported.setdefault(f"{p.domain}.{p.op_type}", name)
            continue
        if p.op_type not in OPS and p.op_type not in IMPORT_ONLY:
            unsupported.setdefault(p.op_type, name)
            continue
        attrs = {}
        for a in p.attribute:
            if a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
                unsupported.setdefault(p.op_type + " with a subgraph", name)
            elif a.type in (onnx.AttributeProto.TENSOR, onnx.AttributeProto.SPARSE_TENSOR):
                attrs[a.name] = (numpy_helper.to_array(a.t) if a.type == onnx.AttributeProto.TENSOR
                                 else a)
            else:
                attrs[a.name] = _attr(onnx, a)
        node = Node(p.op_type, name, list(p.input), list(p.output), attrs)
        if node.op == "Constant":
            consts[node.outputs[0]] = _constant_value(node, numpy_helper, where)
            continue
        _canonical(node, opset, new_const, where)
        nodes.append(node)
    if unsupported:
        listing = "; ".join(f"{op} (first at node {n!r})" for op, n in unsupported.items())
        raise ValueError(f"{where} uses operators armconv does not support: {listing}. Supported: "
                         + ", ".join(sorted(set(OPS) - {"ChannelAffine", "FullyConnected"} | IMPORT_ONLY)))
    return Graph(inputs, outputs, nodes, consts)


def _constant_value(node, numpy_helper, where):
    a = node.attrs
    if "value" in a and isinstance(a["value"], np.ndarray):
        return a["value"]
    if "value_float" in a:
        return np.array(a["value_float"], np.float32)
    if "value_floats" in a:
        return np.array(a["value_floats"], np.float32)
    if "value_int" in a:
        return np.array(a["value_int"], np.int64)
    if "value_ints" in a:
        return np.array(a["value_ints"], np.int64)
    raise ValueError(f"{where}: Constant node {node.name!r} holds a kind of value armconv does not "
                     f"support ({', '.join(a)})")


def _attrs_to_inputs(node, new_const, spec):
    """Move attributes to inputs: spec = [(attr name, input position, dtype)]."""
    for attr, pos, dtype in spec:
        if attr in node.attrs:
            v = node.attrs.pop(attr)
            while len(node.inputs) < pos:
                node.inputs.append("")
            name = new_const(f"{node.name}:{attr}", np.array(v, dtype))
            if len(node.inputs) == pos:
                node.inputs.append(name)
            else:
                node.inputs[pos] = name


def _canonical(node, opset, new_const, where):
    op, a = node.op, node.attrs
    if op == "Clip" and opset < 11:
        _attrs_to_inputs(node, new_const, [("min", 1, np.float32), ("max", 2, np.float32)])
    elif op == "Split" and opset < 13:
        _attrs_to_inputs(node, new_const, [("split", 1, np.int64)])
    elif op in ("Squeeze", "Unsqueeze") and opset < 13:
        _attrs_to_inputs(node, new_const, [("axes", 1, np.int64)])
    elif op in ("ReduceMean", "ReduceMax", "ReduceMin") and opset < 18 or op == "ReduceSum" and opset < 13:
        _attrs_to_inputs(node, new_const, [("axes", 1, np.int64)])
    elif op == "Slice" and opset < 10:
        _attrs_to_inputs(node, new_const, [("starts", 1, np.int64), ("ends", 2, np.int64),
                                           ("axes", 3, np.int64)])
    elif op == "Pad" and opset < 11:
        _attrs_to_inputs(node, new_const, [("pads", 1, np.int64), ("value", 2, np.float32)])
    elif op in ("Softmax", "LogSoftmax"):
        if opset < 13:
            a.setdefault("axis", 1)
            a["coerce2d"] = 1
        else:
            a.setdefault("axis", -1)
    elif op == "Resize":
        if opset < 11:  # Resize-10: (X, scales), asymmetric coordinates
            node.inputs = [node.inputs[0], "", node.inputs[1]]
            a.setdefault("coordinate_transformation_mode", "asymmetric")
            a.setdefault("nearest_mode", "round_prefer_floor")
        if a.get("mode", "nearest") == "cubic":
            raise ValueError(f"{where}: node {node.name!r} (Resize): mode 'cubic' is not supported "
                             "(nearest, linear)")
    elif op == "ConstantOfShape":
        v = a.pop("value", None)
        v = np.zeros(1, np.float32) if v is None else np.asarray(v)
        a["value"] = v.reshape(-1)[0].item()
        a["dtype"] = v.dtype.name
    elif op == "Cast":
        import onnx
        a["to"] = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(int(a["to"]))).name
    elif op == "Dropout" and opset < 12:
        a.pop("ratio", None)
    elif op == "BatchNormalization":
        if opset < 9 and not a.get("spatial", 1):
            raise ValueError(f"{where}: node {node.name!r} (BatchNormalization): spatial=0 is not supported")
        a.pop("spatial", None)
        a.pop("momentum", None)
    for k, v in list(a.items()):
        if isinstance(v, np.ndarray):
            raise ValueError(f"{where}: node {node.name!r} ({op}): tensor attribute {k!r} is not supported")
        if not isinstance(v, (int, float, str, list)):
            raise ValueError(f"{where}: node {node.name!r} ({op}): attribute {k!r} of an unsupported kind")
