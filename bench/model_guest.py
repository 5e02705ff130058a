"""The ARM side of bench/model_bench.py: one engine runs one model REPS times.

    python model_guest.py ENGINE MODEL REPS N,C,H,W

ENGINE: armconv (model(x): the whole call a user makes), armconv-glue (only
the plan's glue nodes: pooling, elementwise, concat, ...), armconv-none (no
node: the call's fixed cost: input copy, arena, output copy), onnxruntime
(one intra-op thread, sequential). A first run before the counted ones pays
for loading, planning and first-touch page faults; model_bench.py counts
this whole process with REPS = 1 and REPS = 1 + K and divides the
difference by K, so only the K extra inferences remain.
"""
import sys

import numpy as np


def main():
    engine, path, reps, shape = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    x = np.random.default_rng(0).standard_normal(tuple(int(d) for d in shape.split(","))).astype(np.float32)
    if engine == "onnxruntime":
        from peers_guest import ort_session  # (this script's folder, bench/, is on sys.path)
        sess = ort_session(path)
        name = sess.get_inputs()[0].name
        run = lambda: sess.run(None, {name: x})  # noqa: E731
    else:
        import armconv
        model = armconv.load(path)
        if engine == "armconv":
            run = lambda: model(x)  # noqa: E731
        else:
            plan = model.plan({model.input_names[0]: x.shape})
            only = (lambda s: s.glue) if engine == "armconv-glue" else (lambda s: False)
            run = lambda: plan.run([x], only=only)  # noqa: E731
    for _ in range(reps):
        y = run()
    print(engine, "output checksum", float(np.asarray(y[0] if isinstance(y, (list, tuple)) else y).sum()))


if __name__ == "__main__":
    main()
