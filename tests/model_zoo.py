"""PyTorch models for the model-runner tests, and their ONNX export.

Hand-built blocks cover every operator armconv.load() supports and every
fusion it makes, in the forms torch.onnx.export writes them; torchvision's
MobileNetV2 and ResNet-18 (random weights, eval mode) are the real networks.
Needs torch (and torchvision for those two); importing this module without
torch raises ImportError, so tests import it after pytest.importorskip.

As a script it writes the QEMU fixtures (scripts/test.sh runs it on the host):

    python tests/model_zoo.py fixtures OUTDIR

OUTDIR/<name>.npz (armconv's numpy-only saved model), <name>.input.npy and
<name>.expected.npy (torch's output), and manifest.json with each model's
error bound: the ARM Pythons that run tests/test_model_saved.py have numpy,
not torch or onnx.
"""
import io
import json
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# Bounds on max|armconv - torch| / max|torch| (tests/test_model_torch.py).
TOL = 1e-4
# Where a 3x3 stride-1 convolution may run Winograd F(6,3), whose per-layer
# error is up to ~1e-4 of the output's RMS (README, "Accuracy of Winograd").
TOL_WINOGRAD = 1e-3


def conv_bn(cin, cout, k=3, stride=1, groups=1, act=nn.ReLU6):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """MobileNetV2's block: 1x1 expand, 3x3 depthwise, 1x1 project (+ residual)."""

    def __init__(self, c, expand=4, stride=1, cout=None):
        super().__init__()
        cout = cout or c
        h = c * expand
        self.body = nn.Sequential(conv_bn(c, h, 1), conv_bn(h, h, 3, stride, groups=h),
                                  conv_bn(h, cout, 1, act=None))
        self.residual = stride == 1 and cout == c

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class ConvChain(nn.Module):
    """conv-bn-relu6 chains and depthwise-separable blocks; conv with bias + BN."""

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 16, 3, 2)
        self.dws = nn.Sequential(conv_bn(16, 16, 3, groups=16), conv_bn(16, 24, 1))
        self.ir1 = InvertedResidual(24, 4, 1)
        self.ir2 = InvertedResidual(24, 3, 2, 32)
        self.tail = nn.Sequential(nn.Conv2d(32, 40, 3, padding=1, bias=True), nn.BatchNorm2d(40), nn.ReLU())

    def forward(self, x):
        return self.tail(self.ir2(self.ir1(self.dws(self.stem(x)))))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = conv_bn(cin, cout, 3, stride, act=nn.ReLU)
        self.c2 = conv_bn(cout, cout, 3, 1, act=None)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        s = x if self.down is None else self.down(x)
        return F.relu(self.c2(self.c1(x)) + s)


class Residual(nn.Module):
    """ResNet basic blocks (Add + Relu fused), the 7x7 stem and max pooling."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 7, 2, 3, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                                  nn.MaxPool2d(3, 2, 1))
        self.b1 = BasicBlock(16, 16, 1)
        self.b2 = BasicBlock(16, 32, 2)

    def forward(self, x):
        return self.b2(self.b1(self.stem(x)))


class SqueezeExcite(nn.Module):
    """MobileNetV3 / EfficientNet style: hardswish and SiLU activations,
    squeeze-and-excitation scales (GlobalAveragePool / ReduceMean, 1x1 convs,
    Hardsigmoid or Sigmoid, broadcast Mul)."""

    def __init__(self, c=24):
        super().__init__()
        self.expand = nn.Sequential(nn.Conv2d(3, c, 3, 1, 1), nn.BatchNorm2d(c), nn.Hardswish())
        self.se1 = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(c, 8, 1), nn.ReLU(), nn.Conv2d(8, c, 1),
                                 nn.Hardsigmoid())
        self.dw = nn.Sequential(nn.Conv2d(c, c, 5, 1, 2, groups=c), nn.BatchNorm2d(c), nn.SiLU())
        self.fc1 = nn.Linear(c, 6)
        self.fc2 = nn.Linear(6, c)

    def forward(self, x):
        x = self.expand(x)
        x = x * self.se1(x)
        x = self.dw(x)
        s = x.mean((2, 3))
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(s))))
        return x * s[:, :, None, None]


class Shuffle(nn.Module):
    """ShuffleNetV2's unit: channel split (Split/Slice), channel shuffle
    (Reshape, Transpose with the batch taken from the input's Shape), Concat."""

    def __init__(self, c=16):
        super().__init__()
        self.conv_in = conv_bn(3, c, 3, 1, act=nn.ReLU)
        b = c // 2
        self.branch = nn.Sequential(conv_bn(b, b, 1, act=nn.ReLU), conv_bn(b, b, 3, groups=b, act=None),
                                    conv_bn(b, b, 1, act=nn.ReLU))

    @staticmethod
    def shuffle(x, groups=2):
        n, c, h, w = x.shape
        return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)

    def forward(self, x):
        x = self.conv_in(x)
        a, b = x.chunk(2, dim=1)
        x = self.shuffle(torch.cat([a, self.branch(b)], 1))
        a, b = x[:, :8], x[:, 8:]
        return self.shuffle(torch.cat([self.branch(a), b], 1))


class Branches(nn.Module):
    """Inception-style concatenated branches (1x1, 3x3, dilated 3x3, 5x5,
    pool + 1x1) and every pooling form: MaxPool and AveragePool with
    ceil_mode, count_include_pad on and off, GlobalMaxPool."""

    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(8, 8, 1)
        self.b3 = nn.Sequential(nn.Conv2d(8, 6, 1), nn.ReLU(), nn.Conv2d(6, 8, 3, padding=1))
        self.bd = nn.Conv2d(8, 4, 3, padding=2, dilation=2)
        self.b5 = nn.Conv2d(8, 4, 5, padding=2, stride=1)
        self.bp = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(8, 4, 1))
        self.grouped = nn.Conv2d(28, 28, 3, stride=(2, 1), padding=(1, 0), groups=4)

    def forward(self, x):
        x = torch.cat([self.b1(x), self.b3(x), self.bd(x), self.b5(x), self.bp(x)], 1)
        x = self.grouped(F.relu(x))
        a = F.max_pool2d(x, 3, 2, 1, ceil_mode=True)
        b = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)
        c = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=True)
        d = F.avg_pool2d(x, 2, 2)
        d = F.pad(d, (0, a.shape[3] - d.shape[3], 0, a.shape[2] - d.shape[2]))
        y = a + b - c * d
        return torch.cat([F.adaptive_max_pool2d(y, 1), F.adaptive_avg_pool2d(y, 1)], 1)


class Head(nn.Module):
    """Input normalisation (Sub/Div broadcast), a conv, a classifier head:
    flatten (by the input's own Shape), Linear + BatchNorm1d + ReLU, Dropout,
    Linear, Softmax."""

    def __init__(self, classes=10):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        self.conv = conv_bn(3, 16, 3, 2, act=nn.ReLU)
        self.pool = nn.AvgPool2d(4, 4)
        self.fc1 = nn.Linear(64, 32)
        self.bn = nn.BatchNorm1d(32)
        self.drop = nn.Dropout(0.3)
        self.fc2 = nn.Linear(32, classes)

    def forward(self, x):
        x = (x - self.mean) / self.std
        x = self.pool(self.conv(x))
        x = x.view(x.size(0), -1)
        x = self.drop(F.relu(self.bn(self.fc1(x))))
        return F.softmax(self.fc2(x), dim=1)


class Activations(nn.Module):
    """LeakyRelu, PRelu (per channel), Tanh, Sigmoid, HardSigmoid, HardSwish,
    Clip with other bounds (fused into the conv), min/max clamps."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 12, 3, padding=1)
        self.prelu = nn.PReLU(12)
        self.c2 = nn.Conv2d(12, 12, 1)
        self.c3 = nn.Conv2d(12, 12, 3, padding=1, groups=12)

    def forward(self, x):
        x = self.c1(x)
        a = F.leaky_relu(x, 0.1) + self.prelu(x)
        b = torch.tanh(a) * torch.sigmoid(a) + F.hardsigmoid(a) - F.hardswish(a)
        c = torch.clamp(self.c2(b), -0.5, 0.75)
        d = torch.clamp(self.c3(c), min=-0.25)
        return torch.minimum(torch.maximum(d, torch.tensor(-0.1)), torch.tensor(0.6)) + b


class Reshapes(nn.Module):
    """Slice (steps, negative ends), Squeeze/Unsqueeze, permute (Transpose),
    Gather with a constant index, a MatMul of two activations, Flatten,
    and explicit Pad: zero (folded into the next conv), reflect, edge."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3)
        self.conv2 = nn.Conv2d(8, 8, 3)

    def forward(self, x):
        x = self.conv(F.pad(x, (1, 2, 0, 1)))              # Pad folded into Conv (asymmetric)
        y = x[:, :, 1:-1, ::2]                              # Slice
        y = F.pad(y, (1, 1, 1, 1), mode="reflect")
        y = F.pad(y, (0, 1, 1, 0), mode="replicate")
        z = y.unsqueeze(1).squeeze(1).permute(0, 1, 3, 2).contiguous()
        z = self.conv2(z)
        g = z[:, 0]                                         # Gather, axis 1
        f = z.flatten(2)                                    # (n, c, hw)
        m = torch.matmul(f, f.transpose(1, 2)) / f.shape[2]  # (n, c, c)
        return torch.cat([m.flatten(1), g.flatten(1)], 1)


class Upsample(nn.Module):
    """Resize: nearest and bilinear (half pixel, align corners), by scale and by size."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, 2, 1)
        self.out = nn.Conv2d(6, 4, 3, padding=1)

    def forward(self, x):
        y = self.conv(x)
        a = F.interpolate(y, scale_factor=2, mode="nearest")
        b = F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)
        c = F.interpolate(y, size=a.shape[2:], mode="bilinear", align_corners=True)
        d = F.interpolate(y[:, :, :-1, :-1], size=a.shape[2:], mode="nearest")
        return self.out(a + b - c + d)


BLOCKS = {
    "conv_chain": (ConvChain, (3, 24, 24)),
    "residual": (Residual, (3, 32, 32)),
    "squeeze_excite": (SqueezeExcite, (3, 16, 16)),
    "shuffle": (Shuffle, (3, 12, 12)),
    "branches": (Branches, (8, 13, 11)),
    "head": (Head, (3, 17, 17)),
    "activations": (Activations, (3, 9, 10)),
    "reshapes": (Reshapes, (4, 12, 11)),
    "upsample": (Upsample, (3, 10, 14)),
}


def randomize_bn(module, seed):
    """Give BatchNorm layers non-trivial statistics (fresh ones are the identity)."""
    g = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.2)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.2)
    return module


def block(name, seed=0):
    cls, shape = BLOCKS[name]
    torch.manual_seed(seed)
    return randomize_bn(cls(), seed).eval(), shape


def torchvision_model(name, seed=0):
    import torchvision
    torch.manual_seed(seed)
    return randomize_bn(getattr(torchvision.models, name)(weights=None), seed).eval()


EXPORTERS = ("dynamo", "legacy", "legacy11")


def export(module, x, exporter="dynamo", free_map_size=False):
    """ONNX bytes of `module` traced at x, with a dynamic batch axis (and height
    and width, with free_map_size).

    dynamo: torch.onnx.export(dynamo=True) (torch's default exporter; it folds
    BatchNormalization into Conv itself). legacy: the TorchScript exporter
    (dynamo=False) without constant folding, so BatchNormalization and the
    Shape/Gather/Concat arithmetic reach armconv. legacy11: the same at opset
    11 (attribute forms of Squeeze, ReduceMean, Split, ...).
    """
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if exporter == "dynamo":
            dims = {0: torch.export.Dim("batch", min=1, max=1024)}
            if free_map_size:
                dims.update({2: torch.export.Dim("height", min=32, max=4096),
                             3: torch.export.Dim("width", min=32, max=4096)})
            prog = torch.onnx.export(module, (x,), dynamo=True, input_names=["input"],
                                     output_names=["output"], dynamic_shapes=(dims,), verbose=False)
            return prog.model_proto.SerializeToString()
        opset = 11 if exporter == "legacy11" else 17
        axes = {0: "batch", 2: "height", 3: "width"} if free_map_size else {0: "batch"}
        torch.onnx.export(module, (x,), f, dynamo=False, opset_version=opset, do_constant_folding=False,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": axes, "output": {0: "batch"}})
        return f.getvalue()


def run_torch(module, x):
    with torch.no_grad():
        return module(torch.from_numpy(x)).numpy()


# ----------------------------------------------------------------- fixtures for QEMU

FIXTURES = {
    # name: (builder, input shape, batch)
    "mobilenet_v2": (lambda: torchvision_model("mobilenet_v2"), (3, 64, 64), 1),
    "squeeze_excite": (lambda: block("squeeze_excite")[0], BLOCKS["squeeze_excite"][1], 2),
    "shuffle": (lambda: block("shuffle")[0], BLOCKS["shuffle"][1], 2),
    "residual": (lambda: block("residual")[0], BLOCKS["residual"][1], 1),
}


def write_fixtures(outdir):
    import armconv
    os.makedirs(outdir, exist_ok=True)
    manifest = {}
    rng = np.random.default_rng(1234)
    for name, (build, shape, batch) in FIXTURES.items():
        module = build()
        x = rng.standard_normal((batch,) + shape).astype(np.float32)
        model = load_bytes(export(module, torch.from_numpy(x)))
        path = os.path.join(outdir, name + ".npz")
        model.save(path)
        np.save(os.path.join(outdir, name + ".input.npy"), x)
        np.save(os.path.join(outdir, name + ".expected.npy"), run_torch(module, x))
        tol = TOL_WINOGRAD if may_run_winograd(model) else TOL
        manifest[name] = {"tol": tol}
        print(f"{name}: {os.path.getsize(path) / 1e6:.2f} MB, error bound {tol}")
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


def load_bytes(data):
    import onnx

    import armconv
    return armconv.load(onnx.load_from_string(data))


def may_run_winograd(model):
    """Whether `auto` may pick Winograd F(6,3) for a layer of the model on some CPU
    (3x3, stride 1, dilation 1, one group): the looser error bound applies."""
    g = model._graph
    for n in g.nodes:
        if n.op == "Conv":
            w = g.consts[n.inputs[1]]
            if (w.shape[2:] == (3, 3) and n.attrs.get("group", 1) == 1
                    and all(s == 1 for s in n.attrs.get("strides") or [1])
                    and all(d == 1 for d in n.attrs.get("dilations") or [1])):
                return True
    return False


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "fixtures":
        sys.exit(__doc__)
    write_fixtures(sys.argv[2])
