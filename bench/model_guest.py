"""The ARM side of bench/model_bench.py: one engine runs one model REPS times.

    python model_guest.py ENGINE MODEL REPS N,C,H,W [PRECISION]
    python model_guest.py compare MODEL REPS N,C,H,W [PRECISION]   (not counted: int8 against fp32)

ENGINE: armconv (model(x): the whole call a user makes), armconv-glue (only
the plan's glue nodes: pooling, elementwise, concat, ...), armconv-noquant
(every node but an int8 model's Quantize nodes, its float32 -> int8 input
conversions), armconv-noquant-noadd (every node but the Quantize and Add nodes:
the Adds' share, float32 or int8, is armconv-noquant minus this), armconv-layers (only the convolution and fully connected
nodes), armconv-none (no node: the call's fixed cost: input copy, arena,
output copy), onnxruntime (one intra-op thread, sequential).
PRECISION: armconv.load's (fp32, fp16, int8, int8+fp16). compare: the model at fp32
and at int8 (or PRECISION) on REPS random inputs: max |int8 - fp32| / max |fp32| of the
output and how often the top-1 class agrees. A first run before the counted ones pays
for loading, planning and first-touch page faults; model_bench.py counts
this whole process with REPS = 1 and REPS = 1 + K and divides the
difference by K, so only the K extra inferences remain.
"""
import sys

import numpy as np


def compare(path, reps, shape, precision="int8"):
    import armconv
    f, q = armconv.load(path), armconv.load(path, precision=precision)
    rng = np.random.default_rng(2)
    errs, agree = [], 0
    for _ in range(reps):
        x = rng.standard_normal(shape).astype(np.float32)
        y, y8 = f(x), q(x)
        errs.append(float(np.abs(y8.astype(np.float64) - y).max() / np.abs(y).max()))
        agree += int(np.argmax(y) == np.argmax(y8))
    if precision == "fp16":  # the summary's line: how many layers run half precision
        what = next(line for line in q.summary().splitlines() if line.startswith("precision fp16"))
        what = what.split(" on this CPU")[0].replace("precision fp16: ", "fp16 layers ")
    else:
        what = f"int8 layers {len(q.int8_layers)} of {sum(1 for _, op in q.nodes if op == 'Conv')}"
    lo = "fp16" if precision == "fp16" else "int8"
    print(f"{what}; max|{lo} - fp32| / max|fp32| = {max(errs):.3e} (mean {np.mean(errs):.3e}); "
          f"top-1 agrees {agree}/{reps}")


def main():
    engine, path, reps, shape = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    precision = sys.argv[5] if len(sys.argv) > 5 else "fp32"
    if engine == "compare":
        return compare(path, reps, tuple(int(d) for d in shape.split(",")), precision if len(sys.argv) > 5 else "int8")
    x = np.random.default_rng(0).standard_normal(tuple(int(d) for d in shape.split(","))).astype(np.float32)
    if engine == "onnxruntime":
        from peers_guest import ort_session  # (this script's folder, bench/, is on sys.path)
        sess = ort_session(path)
        name = sess.get_inputs()[0].name
        run = lambda: sess.run(None, {name: x})  # noqa: E731
    else:
        import armconv
        model = armconv.load(path, precision=precision)
        if engine == "armconv":
            run = lambda: model(x)  # noqa: E731
        else:
            plan = model.plan({model.input_names[0]: x.shape})
            # A partial run's nodes read buffers that nodes which did not run would have
            # written: stale values, or int8 bytes read as float32 (NaN, which a Quantize
            # node rejects). So the partial runs that split an int8 model leave its Quantize
            # nodes out: quantize = armconv - armconv-noquant.
            only = {"armconv-glue": lambda s: s.glue,
                    "armconv-noquant": lambda s: s.node.op != "Quantize",
                    "armconv-noquant-noadd": lambda s: s.node.op not in ("Quantize", "Add"),
                    "armconv-layers": lambda s: not s.glue}.get(engine, lambda s: False)
            run = lambda: plan.run([x], only=only)  # noqa: E731
    for _ in range(reps):
        y = run()
    print(engine, "output checksum", float(np.asarray(y[0] if isinstance(y, (list, tuple)) else y).sum()))


if __name__ == "__main__":
    main()
