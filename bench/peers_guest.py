"""The ARM side of bench/peers.py: one engine runs one convolution layer.

    python peers_guest.py ENGINE CASE.npz K OUT.npy

CASE.npz (written by peers.py on the host) holds the layer: x (1, C, H, W)
float32, w (Cout, C/groups, kh, kw), b (Cout,), the geometry (stride, pad,
groups), the activation (act: 0 none, 1 relu, 2 relu6) and, for int8
cases, the quantized tensors and their scales; onnxruntime's engines read
the one-node model CASE.<engine>.onnx next to it.

Everything a layer needs before its first call happens first: weights
prepared (packed, transformed), the input converted to the layout and type
the engine takes (not counted), one warm-up call. Then K calls run between
the counter's region marks (bench/guest_marks.py): only they are counted.
The output of the last call, converted back to NCHW float32 outside the
region, goes to OUT.npy, where peers.py checks it against a float64
reference.

ENGINE:
  empty        a no-op call: what the region's marks and loop cost
  armconv      armconv.Conv2d(...)(x) through the Python API, NCHW in and out
  ncnn         ncnn's fp32 path: Convolution / ConvolutionDepthWise layer,
               input packed as an ncnn Net hands it to the layer (pack4 when
               the channels are a multiple of 4), output left in its packed
               layout (layout conversion not counted); pool allocators as a
               Net uses them; fp16/bf16 storage off
  ncnn-fp16    the same with fp16 storage and arithmetic on: input cast to
               fp16 and packed by 8 (not counted), fp16 pack8 output
  ncnn-int8    int8 weights (per output channel scales): int8 input packed
               by 8 (not counted; quantizing it is then skipped), int8 output
               (requantized) or float32 output (dequantized) as the case says
  onnxruntime  InferenceSession.run of the one-node model (Conv, fused
               Relu/Clip; QLinearConv; MatMulInteger), one thread: the whole
               call a Python user makes
"""
import os
import sys

import numpy as np

import guest_marks


def _ncnn_setup(case, engine):
    import ncnn

    x, w, b = case["x"][0], case["w"], case["b"]
    cout, cg, kh, kw = w.shape
    c = x.shape[0]
    groups, stride, pad, act = (int(case[k]) for k in ("groups", "stride", "pad", "act"))
    int8 = engine == "ncnn-int8"
    fp16 = engine == "ncnn-fp16"

    opt = ncnn.Option()
    opt.num_threads = 1
    opt.use_packing_layout = True
    opt.use_bf16_storage = False
    for name in ("use_fp16_packed", "use_fp16_storage", "use_fp16_arithmetic"):
        setattr(opt, name, fp16)
    # A Net runs its layers with a pool allocator for blobs and an unlocked one
    # for workspace; they must outlive the Option (it keeps raw pointers).
    allocators = (ncnn.PoolAllocator(), ncnn.UnlockedPoolAllocator())
    opt.blob_allocator, opt.workspace_allocator = allocators

    # ncnn.Mat(array) wraps the array's memory without a copy: every array a
    # Mat is made from must stay alive (keep) as long as the Mat
    arrays = []

    def mat(a):
        arrays.append(np.ascontiguousarray(a))
        return ncnn.Mat(arrays[-1])

    depthwise_kind = groups > 1
    layer = ncnn.create_layer("ConvolutionDepthWise" if depthwise_kind else "Convolution")
    pd = ncnn.ParamDict()
    for key, val in ((0, cout), (1, kw), (11, kh), (3, stride), (13, stride), (4, pad), (14, pad), (15, pad),
                     (16, pad), (5, 1), (6, int(w.size))):
        pd.set(key, val)
    if depthwise_kind:
        pd.set(7, groups)
    if act == 1:
        pd.set(9, 1)
    elif act == 2:
        pd.set(9, 3)
        pd.set(10, mat(np.array([0.0, 6.0], np.float32)))
    if int8:
        int8_out = bool(case["int8_out"])
        # int8_scale_term: weight scales per output channel (1); > 100: the
        # output is requantized to int8 with top_blob_int8_scales
        pd.set(8, 101 if int8_out else 1)
        # ncnn's scales multiply (q = x * scale): the reciprocals of armconv's
        mats = [mat(case["wq"].reshape(-1)), mat(b), mat((1.0 / case["w_scale"]).astype(np.float32)),
                mat(np.array([1.0 / case["x_scale"]], np.float32))]
        if depthwise_kind:
            raise SystemExit("ncnn-int8: depthwise cases are not measured")
        if int8_out:
            mats.append(mat(np.array([1.0 / case["y_scale"]], np.float32)))
    else:
        mats = [mat(w.reshape(-1)), mat(b)]

    class Weights(ncnn.ModelBin):  # hands the layer its weights in load order
        def __init__(self, mats):
            super().__init__()
            self.mats = list(mats)

        def load(self, w, type):
            return self.mats.pop(0)

    if layer.load_param(pd) != 0 or layer.load_model(Weights(mats)) != 0 or layer.create_pipeline(opt) != 0:
        raise SystemExit(f"{engine}: setting up the ncnn layer failed")
    if fp16 and not layer.support_fp16_storage:
        raise SystemExit("ncnn-fp16: this CPU has no fp16 arithmetic (ncnn would run fp32: use cortex-a76)")

    # The layout a Net hands this layer (Net::convert_layout): fp32 pack4 when
    # the channels are a multiple of 4; fp16 arithmetic pack8 (else 4); int8 pack8.
    if int8:
        xm = mat(case["xq"][0])
        pack = 8 if c % 8 == 0 else 1
    elif fp16:
        xm = ncnn.cast_float32_to_float16(mat(x), opt)
        pack = 8 if c % 8 == 0 else 4 if c % 4 == 0 else 1
    else:
        xm = mat(x)
        pack = 4 if c % 4 == 0 else 1
    xm = ncnn.convert_packing(xm, pack, opt)
    top = ncnn.Mat()

    def run():
        # keywords pick the one-blob overload (the first one, over lists, would
        # take a Mat as a sequence)
        return layer.forward(bottom_blob=xm, top_blob=top, opt=opt)

    def output():
        y = top
        if y.elemsize // y.elempack == 2:
            y = ncnn.cast_float16_to_float32(y, opt)
        y = ncnn.convert_packing(y, 1, opt)
        a = np.array(y)
        if int8 and bool(case["int8_out"]):
            a = a.view(np.int8) if a.dtype != np.int8 else a
        return a.reshape(1, cout, a.shape[-2], a.shape[-1]).copy()

    keep = (ncnn, allocators, layer, xm, top, mats, arrays)
    return run, output, keep


def ort_session(path):
    """An onnxruntime session on one thread, nodes run in sequence (also bench/model_guest.py's)."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def _ort_setup(case, engine, path):
    sess = ort_session(path)
    name = sess.get_inputs()[0].name
    kind = str(case["ort"])
    if kind == "matmulinteger":
        feed = {name: np.ascontiguousarray(case["a"])}
    elif kind == "qlinearconv":
        feed = {name: np.ascontiguousarray(case["xq"])}
    else:
        feed = {name: np.ascontiguousarray(case["x"])}
    box = []

    def run():
        box[:] = sess.run(None, feed)

    return run, lambda: np.asarray(box[0]), (sess,)


def main():
    engine, path, k, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    case = dict(np.load(path))
    if engine == "empty":
        run, output, keep = (lambda: None), (lambda: np.zeros(1, np.float32)), ()
    elif engine == "armconv":
        import armconv

        act = {0: None, 1: "relu", 2: "relu6"}[int(case["act"])]
        layer = armconv.Conv2d(case["w"], case["b"], int(case["stride"]), int(case["pad"]),
                               groups=int(case["groups"]), activation=act)
        x = case["x"]
        box = []

        def run():
            box[:] = [layer(x)]

        output, keep = (lambda: box[0]), (layer,)
    elif engine.startswith("ncnn"):
        run, output, keep = _ncnn_setup(case, engine)
    elif engine == "onnxruntime":
        run, output, keep = _ort_setup(case, engine, os.path.splitext(path)[0] + f".{engine}.onnx")
    else:
        raise SystemExit(f"unknown engine {engine!r}")
    if run() not in (None, 0):  # warm-up: first-call allocations, lazy set-up
        raise SystemExit(f"{engine}: the call failed")
    guest_marks.region_on()
    for _ in range(k):
        run()
    guest_marks.region_off()
    np.save(out, output())
    sys.stdout.flush()
    # ncnn's pool allocators complain when destroyed before the Mats that use
    # them (keep holds both); nothing after the region matters: leave without
    # tearing down.
    assert keep is not None
    os._exit(0)


if __name__ == "__main__":
    main()
