#!/usr/bin/env python3
"""Write bench/peer_layers.json: every convolution layer of torchvision's
MobileNetV2 and ResNet-18 at 224x224, batch 1, for bench/peers.py.

    build-test/venv/bin/python bench/peer_layers.py [--check]

Built from torchvision's own module definitions: torch.fx traces each
network, ShapeProp gives each convolution's input shape, and the graph says
what follows it. BatchNorm is folded into the convolution's bias (so every
layer has a bias); a ReLU/ReLU6 that directly follows conv+BN is fused into
the layer (act "relu"/"relu6"); where something else comes first (ResNet's
second convolution of a block feeds the residual add, and the ReLU follows
the add) the layer has no activation. This is what armconv's model runner
runs for these networks (armconv.load fuses the same way); --check compares
the list with the convolution nodes of armconv's plan for the exported ONNX
model (needs the host armconv build of scripts/test.sh on PYTHONPATH and
takes a minute per network).

Each layer: name (the torchvision module path), cin, cout, k, stride, pad,
groups, h, w (input map), act, macs (direct convolution).
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "peer_layers.json")
NETWORKS = {"mobilenet_v2": "mbv2", "resnet18": "r18"}


def layers_of(name):
    import torch
    import torch.fx
    import torchvision
    from torch.fx.passes.shape_prop import ShapeProp

    model = getattr(torchvision.models, name)(weights=None).eval()
    gm = torch.fx.symbolic_trace(model)
    ShapeProp(gm).propagate(torch.zeros(1, 3, 224, 224))
    mods = dict(gm.named_modules())
    out = []
    for node in gm.graph.nodes:
        if node.op != "call_module" or not isinstance(mods[node.target], torch.nn.Conv2d):
            continue
        conv = mods[node.target]
        n, c, h, w = node.args[0].meta["tensor_meta"].shape
        act = None
        users = list(node.users)
        if len(users) == 1 and users[0].op == "call_module" and isinstance(mods[users[0].target], torch.nn.BatchNorm2d):
            after = list(users[0].users)
            if len(after) == 1 and after[0].op == "call_module":
                m = mods[after[0].target]
                act = "relu6" if isinstance(m, torch.nn.ReLU6) else "relu" if isinstance(m, torch.nn.ReLU) else None
        assert conv.dilation == (1, 1) and conv.kernel_size[0] == conv.kernel_size[1]
        assert conv.stride[0] == conv.stride[1] and conv.padding[0] == conv.padding[1]
        k, s, p, g = conv.kernel_size[0], conv.stride[0], conv.padding[0], conv.groups
        ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        out.append(dict(name=node.target, cin=c, cout=conv.out_channels, k=k, stride=s, pad=p, groups=g,
                        h=h, w=w, act=act, macs=conv.out_channels * ho * wo * (c // g) * k * k))
    return out


def check(name, layers):
    """The same layers as armconv's plan of the exported model (shapes, act, MACs)."""
    import tempfile

    import torch
    import torchvision

    import armconv
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, f"{name}.onnx")
        torch.onnx.export(model, (torch.randn(1, 3, 224, 224),), dynamo=True, verbose=False).save(path)
        plan = armconv.load(path).plan()
    convs = [s for s in plan.steps if s.node.op == "Conv"]
    if len(convs) != len(layers) or [s.macs for s in convs] != [l_["macs"] for l_ in layers]:
        raise SystemExit(f"{name}: armconv's plan has {len(convs)} Conv nodes "
                         f"({sum(s.macs for s in convs)} MACs), the list {len(layers)}")
    print(f"{name}: {len(layers)} convolution layers, as in armconv's plan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with armconv's plan of the ONNX export")
    ap.add_argument("-o", "--out", default=OUT)
    a = ap.parse_args()
    import torch
    import torchvision
    nets = {}
    for name, short in NETWORKS.items():
        layers = layers_of(name)
        if a.check:
            check(name, layers)
        nets[name] = dict(short=short, layers=layers)
    doc = {"generated_by": "bench/peer_layers.py", "torch": torch.__version__.split("+")[0],
           "torchvision": torchvision.__version__.split("+")[0], "input": [1, 3, 224, 224], "networks": nets}
    with open(a.out, "w") as f:
        f.write("{\n")
        f.write(",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in doc.items() if k != "networks"))
        f.write(',\n "networks": {\n')
        parts = []
        for name, net in nets.items():
            rows = ",\n".join("   " + json.dumps(layer) for layer in net["layers"])
            parts.append(f'  {json.dumps(name)}: {{"short": {json.dumps(net["short"])}, "layers": [\n{rows}\n  ]}}')
        f.write(",\n".join(parts) + "\n }\n}\n")
    for name, net in nets.items():
        print(f"{name}: {len(net['layers'])} layers, {sum(l_['macs'] for l_ in net['layers']) / 1e6:.1f} M MACs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
