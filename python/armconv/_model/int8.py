"""int8 whole-model inference: calibration (Model.quantize), the rule that
picks the layers that run int8 on this CPU, and the graph rewrite that runs
them.

Post-training static quantization, symmetric, no zero point (armconv's int8
rules, README "int8 (quantized) inference"):

1. Calibration (:func:`observe_ranges`): the float32 model runs over the
   representative inputs; every convolution records ``max|x|`` of its input
   over all of them. ``input_scale = max|x| / 127`` is stored on the Conv
   node (attribute ``input_scale``, saved with the model). A convolution
   whose input was 0 on every calibration input gets no scale (nothing to
   calibrate against) and stays float32. The weights are quantized per
   output channel by QConv2d itself (``max|w[o]| / 127``); bias and the fused
   activation stay as the float layer has them; the output is float32
   (``float32(acc) * dequant_scale``, then the clamp: QConv2d's float output).
2. At load time (:func:`int8_graph`), on the CPU that runs the model, the
   calibrated convolutions run int8 where :func:`pick_layers` says so (or
   every one, ``layers="all"``). An int8 convolution whose output another
   int8 convolution alone reads stores int8 at that one's input scale
   (requantization fused into its output stage); every other int8 input is
   quantized by a ``Quantize`` node (one per tensor and scale: convolutions
   reading the same tensor share it), ``clip(round_half_away_from_zero(x /
   input_scale), -127, 127)``; values beyond the calibrated range saturate
   to +-127. Fully connected layers stay float32.
3. The residual stream (:func:`pick_adds`, layers="auto" only): calibration
   also records, for every Add of two non-constant same-shape float32
   operands (no fused activation, or ReLU) whose output a Conv or another
   such Add reads, ``add_scales = [max|a|, max|b|, max|y|] / 127`` (saved with
   the model). Where the convolutions around it run int8 and nothing reads its
   tensors as float32 (:func:`stream_check`), such an Add may run int8
   (src/core/add_s8.h: ``y = clamp(round_half_away((a sa + b sb) / sy))``
   through fixed-point multipliers): the projections whose output it reads
   store int8 at its operand scales, and the expansions reading its output
   read it int8 at their input_scale (the same calibrated tensor, the same
   scale), with no Quantize node. The rule weighs the int8 Add's counted
   instructions against the float32 Add's plus the Quantize nodes and the
   float32 stores it spares (:data:`ADD_INSNS`, QUANTIZE_INSNS,
   :data:`STREAM_STORE`).
   On MobileNetV2 on the A76 (every convolution int8) all 10 residual Adds
   run int8 and the only Quantize node left is the input's; on the A72 and
   armv7 the 4 Adds of the 96- and 160-channel stages (whose convolutions run
   int8 there) do; the 6 of the 24-, 32- and 64-channel stages stay float32
   (projections that run float32 there write their operands). The rule
   takes the convolutions' picks as given (it does not revisit them with the
   stream's savings).

The rule (``layers="auto"``) compares counted instructions. Per input element
a layer costs ``m / r32`` instructions in float32 and ``m / r8`` in int8, plus
:data:`QUANTIZE_INSNS` when its int8 input must be quantized and
:data:`STORE_F32` per output element when its int8 output is stored float32
(dequantized for a float reader), where ``m`` =
MACs per input element = ``(out_channels / groups) kh kw / (sh sw)`` and
``r32``, ``r8`` the MACs per instruction the kernels reach for the layer's
kind on this CPU's int8 kernel (:data:`RATES`); int8 costs count 1 /
:data:`MARGIN` (1 / 0.9) times (accuracy: int8 must save a tenth).

The decision is per chain (:func:`int8_chains`): convolutions each of which
alone reads the previous one's output, the pairs that run int8 -> int8
without a float round trip (MobileNetV2's expand -> depthwise -> project,
and the next block's expand where no residual Add reads the projection).
Within a chain a layer pays the quantization only if the layer before it
runs float32; a float32 layer after an int8 one costs the int8 layer its
float32 store (the dequantization is fused into it: STORE_F32, 0.39 per
element on the A76, not charged on the A72, see there). :func:`pick_chain`
finds the cheapest assignment of a chain by dynamic programming (exact for
this model; the sizes of the layers' inputs relative to the chain's first
come from the channel counts and strides, so the pick depends on the
weights and attributes only, not on the input size). A convolution alone in
its chain gets :func:`int8_pays`, int8 where ``m / r8 + QUANTIZE_INSNS +
STORE_F32 growth <= 0.9 m / r32``:
  Cortex-A76 (sdot): pointwise layers with m >= 16 (K <= 32: m >= 18),
  other dense convs (3x3 s2: m >= 27, i.e. 12 or more output channels);
  never depthwise, never 3x3 s1 (fp32 Winograd counts as many MACs per
  instruction as sdot im2col).
  Cortex-A72 (smull/smlal): pointwise layers of K >= 33 input channels with
  m >= 86 (MobileNetV2's 64->384 and wider expansions, its 576->96,
  960->160, 960->320 projections and 320->1280 layer; not its K <= 32 ones:
  SMALL_K_POINTWISE); nothing else alone.
  armv7 (Cortex-A15): the same rule as the A72 (K >= 33, m >= 74); nothing
  else.
  i8mm cores (smmla; Cortex-A710 class, QEMU -cpu max): pointwise layers
  with m >= 13 (K <= 32: m >= 15), 3x3 s2 from 9 output channels, and 3x3
  s1 from 11 (smmla im2col or int8 Winograd counts 22.5 MACs per
  instruction against fp32 Winograd's 12.5); never depthwise alone (the
  sdot depthwise kernels, as on the A76).
(test_model_int8.py::test_rule_thresholds checks these.) In a chain, more:
on the A76 every convolution of torchvision's MobileNetV2 (its 16- and
24-channel projections read int8 from their depthwise layer, whose int8
output spares them a Quantize; its stride-2 depthwise layers, int8 where
their int8 input spares their expansion a float32 store); on the A72 its
31 from the 64-channel stage on (the depthwise layers between int8 pointwise
ones: 2.24 / 2.27 MACs per instruction on the assembly kernel, int8 where
that spares their reader a Quantize; 18, those that pay alone, with the
intrinsics kernel's 1.4 / 1.0); on armv7 the 18 that pay alone. With the Quantize at 4.31 instructions
per element and the int8 GEMMs before their strip kernels (before
089b0bf, 51882a2), 9 on the A72 (its three widest expansions and the last
block's chain) and 4 on armv7. A tensor
that several int8 convolutions read (through one shared Quantize node) is
charged to each of them: the rule may
miss such a saving, never count one that is not there.

Precision "int8+fp16" on a CPU with fp16 vector arithmetic: the same int8
layers as "int8"; a layer the rule leaves float runs half precision where
that counts fewer instructions than float32 for its kind and input width
(:func:`float_precision`, :data:`FP16_RATES`; the model's LayerCache asks it
when it makes the layer), as every layer at precision "fp16": on the A76
dense convolutions (ResNet-18's 3x3 stride-1 layers run fp16 Winograd) and
depthwise 3x3 layers (weighed by the map's width, :data:`F32_DW_RATES`);
fully connected layers stay float32. Weighing int8 against fp16 inside the chain rule
counted more, not fewer, instructions on MobileNetV2 (on 9209cf5: 48.3 M
against 46.4 M): the int8 picks stay those measured against float32.
"""
import itertools
import math

import numpy as np

from .._armconv import cpu_info as _cpu_info
from .._armconv import quantize as _quantize
from .ir import Graph, Node, describe

LAYERS = ("auto", "all")

# MACs per executed instruction, one thread, whole call (packing, stores),
# counted under qemu-user with `python3 bench/insncount.py --cpu CPU CASES`
# (cortex-a72: "smull", cortex-a76: "dotprod"; `--arch arm --cpu
# cortex-a15`: "armv7"). Keyed by the int8 GEMM kernel cpu_info() reports;
# the float32 kernels are the same machine code on the A72 and A76, so their
# counts are the same there (mbv2_dw_384_14 2.342 on both). Re-counted on
# 3f09be1 (the perf gate's figures, bench/baseline.json, equal to within
# 0.0001 on that commit; the cases the gate has not on a CPU counted with
# the command above). Kinds, the cases behind them (fp32 / int8) and what
# they counted (a72 | a76 | a15):
#   pointwise  1x1, groups 1: mbv2_pw_* mbv2_pwl_* mbv2_conv_320_1280_7
#              r18_1x1s2_* / q<same> (int8 output; a float32 output costs
#              STORE_F32 more, below)
#              fp32 3.58-3.72 | 3.58-3.72 | 3.11-3.30 (K >= 64 input channels)
#                   3.20-3.52 | 3.20-3.52 | 2.71-3.00 (K = 16..32: mbv2_pw_16_96_112,
#                   _24_144_56, _32_192_28, mbv2_pwl_32_16_112)
#              int8 4.30-4.93 | 11.8-14.0 | 3.66-4.35 (K >= 64)
#                   2.88-3.84 | 7.54-10.0 | 2.32-3.13 (K = 16..32: q<same>)
#              (re-counted after the strip kernels of gemm_s8_4x4k16.cpp,
#              gemm_s8_8x12k4_dotprod.cpp (on 089b0bf) and armv7's
#              gemm_s8_4x2k16.cpp (on 51882a2); before them 3.74-4.63 |
#              10.7-13.2 | 2.70-4.19 and 2.14-3.02 | 6.07-8.73 | 1.28-2.02.)
#              int8 depends on K more than float32 does: K <= 32 layers have
#              their own pair, SMALL_K_POINTWISE (with the A72's K >= 64 figure
#              the rule would run MobileNetV2's 32->192 expansions int8 on the
#              A72, where int8 counts 3.84 against float32's 3.45: less than
#              MARGIN asks).
#   depthwise  3x3, groups == channels, stride 1: mbv2_dw_{32_112, 144_56,
#              192_28, 384_14, 576_14, 960_7} dw3x3s1_64_56 / qmbv2_dw_{384_14,
#              576_14, 960_7} (int8 output, as inside an int8 chain; float32
#              output 0.94-0.97 times that) qdw3x3s1_64_56
#              fp32 2.08-2.72 (3.14) | as a72 | 1.63-1.83 (1.92)
#              int8 1.08-1.72 | 1.08-1.72 | 0.83-1.08 (a72 before its assembly
#                   kernel; a76 before the sdot kernels)
#              int8 on the A72's assembly kernel (dwconv3x3_s8-aarch64-1x16-smull,
#                   bench/insncount.py --cpu cortex-a72 'qmbv2_dw_*', the perf gate's
#                   figures on the dws8 branch, 99a2692): 2.55 (32@112), 2.49 (144@56),
#                   2.20 (192@28), 2.10 (384@14, 576@14), 1.63 (960@7); over
#                   MobileNetV2's 13 stride-1 layers 16.4 M MACs in 7.31 M
#                   instructions: 2.24 (the "smull" figure)
#              int8 on the sdot kernels (dwconv3x3_s8-aarch64-1x16-dotprod, a76;
#                   bench/insncount.py --cpu cortex-a76 'qmbv2_dw_*' qdw3x3s1_64_56,
#                   the perf gate's figures): 3.62 (32@112), 3.03 (144@56), 2.82
#                   (192@28), 2.73 (384@14), 2.74 (576@14), 2.20 (960@7), 3.03
#                   (qdw3x3s1_64_56); float32 output 0.83-0.97 times that. Over
#                   MobileNetV2's 13 stride-1 layers 16.4 M MACs in 5.61 M
#                   instructions: 2.92 (on d0cb8e7, with the small-map loops;
#                   5.98 M, 2.74, before them; 11.25 M before the sdot kernels)
#   depthwise_s2  the same, stride 2: mbv2_dw_s2_{96_112, 144_56, 192_28,
#              576_14} dw3x3s2_64_56 / qmbv2_dw_s2_576_14 qdw3x3s2_64_56
#              fp32 2.06-2.44 (2.49) | as a72 | 1.82-2.12 (2.07)
#              int8 0.94-1.07 | 0.94-1.07 | 0.68-0.83 (a72 before its assembly
#                   kernel; a76 before the sdot kernels)
#              int8 on the A72's assembly kernel (as above): 2.44 (96@112), 2.17
#                   (144@56), 2.04 (192@28), 1.60 (576@14); over MobileNetV2's 4
#                   stride-2 layers 4.32 M MACs in 1.91 M instructions: 2.27
#              int8 on the sdot kernels (a76, as above): 2.62 (96@112), 2.39
#                   (144@56), 2.10 (192@28), 2.01 (576@14), 2.38 (qdw3x3s2_64_56);
#                   over MobileNetV2's 4 stride-2 layers 4.32 M MACs in 1.75 M
#                   instructions: 2.48 (1.82 M, 2.38, before the small-map loops;
#                   4.15 M before the sdot kernels)
#              (on 1c5ca8f one depthwise figure: fp32 1.50-1.95, int8 1.00-1.56
#              on aarch64; since then the fp32 whole-plane assembly kernels;
#              the int8 ones unchanged.) Both strides depend on the map too:
#              aarch64 fp32 stride 1 2.65-2.72 on 28-112 wide maps, 2.34 at 14,
#              2.08 at 7; int8 1.72 at 14, 1.08 at 7 (960 channels). The rule has
#              no map sizes (a chain's pick depends on its weights alone): the
#              table holds the middle (the sdot kernels: MobileNetV2's whole
#              layers' figure, 2.9 and 2.5, on d0cb8e7 (2.7 and 2.35 before the
#              small-map loops); with them every MobileNetV2 pick on the A76 stays
#              int8, as before).
#   conv3x3s1  3x3 stride 1 dense: r18_3x3_* (fp32 Winograd) / qr18_3x3_*
#              fp32 10.7-14.6 | 10.7-14.6 | 9.06-11.9
#              int8 6.05-7.51 | 12.8-13.7 | 4.47-5.53 (a76 on 089b0bf: sdot im2col)
#   other      every other dense conv: r18_3x3s2_* / qr18_3x3s2_* (3x3 s2)
#              fp32 4.70-5.62 | 4.70-5.62 | 3.93-4.24
#              int8 4.72-4.82 | 12.6-13.4 | 4.19-4.27 (089b0bf; a15 51882a2)
# The table holds a middle value of each range (pointwise: of the K >= 64
# layers, where a wide layer, the only kind int8 pays for on the A72 and
# armv7, sits).
RATES = {
    # kernel: {kind: (fp32, int8)}
    "smull": {"pointwise": (3.65, 4.6), "depthwise": (2.5, 2.24), "depthwise_s2": (2.2, 2.27),
              "conv3x3s1": (12.5, 6.9), "other": (5.2, 4.75)},
    "dotprod": {"pointwise": (3.65, 12.9), "depthwise": (2.5, 2.9), "depthwise_s2": (2.2, 2.5),
                "conv3x3s1": (12.5, 13.2), "other": (5.2, 13.0)},
    # armv7 depthwise: still the intrinsics kernel's figures. The assembly kernel
    # (dwconv3x3_s8-armv7-1x8-smull, 1e79d52) counts 1.67-2.21 on MobileNetV2's 28- to
    # 112-wide maps (cortex-a15) but leaves maps up to 16 wide and int8 outputs with a
    # shift E > 0 to the intrinsics one (0.83-1.08), and bench/model_bench.py has no
    # armv7 guest to count a whole model with a changed rule.
    "armv7": {"pointwise": (3.15, 4.0), "depthwise": (1.75, 0.95), "depthwise_s2": (1.9, 0.8),
              "conv3x3s1": (10.3, 5.1), "other": (4.1, 4.2)},
    # i8mm (gemm_s8-aarch64-8x8k8-i8mm, smmla; QEMU -cpu max, the perf gate's max run
    # on the i8mm branch, c6fcdaa): pointwise K >= 64 int8 17.9-24.7 (qmbv2_pw_64_384_14
    # .. qmbv2_pwl_960_320_7, qr18_1x1s2_* 20.7-21.3), conv3x3s1 21.4-23.7 (qr18_3x3_*),
    # other 22.0-23.1 (qr18_3x3s2_*); depthwise on the sdot kernels as "dotprod" (an
    # i8mm core has dotprod; the same machine code); float32 the same kernels as the
    # A72's. Dense 3x3 stride 1 pays int8 here (22.5 against fp32 Winograd's 12.5).
    "i8mm": {"pointwise": (3.65, 21.0), "depthwise": (2.5, 2.9), "depthwise_s2": (2.2, 2.5),
             "conv3x3s1": (12.5, 22.5), "other": (5.2, 22.5)},
}
# Pointwise layers of K <= 32 input channels (RATES' pointwise pair is of K >= 64):
# (fp32, int8), the middles of the K = 16..32 ranges above (a15 fp32 2.71-3.00).
SMALL_K = 32
# i8mm: 9.32-13.9 (qmbv2_pw_16_96_112, _24_144_56, _32_192_28, qmbv2_pwl_32_16_112
# on max: the int8 store is 59 of a K = 16 tile's 106 instructions).
SMALL_K_POINTWISE = {"smull": (3.35, 3.4), "dotprod": (3.35, 8.8), "armv7": (2.85, 2.7),
                     "i8mm": (3.35, 11.5)}
# Instructions per element of the float32 -> int8 conversion of an int8
# layer's input (the Quantize node, quantize-<isa>-16): bench/insncount.py
# 'quantize_*' (the perf gate's quantize_64_56: 2.50 on cortex-a72 and a76,
# 2.63 on cortex-a15, counted on b57be0e with the magic-number rounding of
# neon/quantize.h; the kernel before it 4.31 / 4.88, the generic loop before
# that 42 on cortex-a72).
# i8mm: the same kernel and machine code as the A76's.
QUANTIZE_INSNS = {"dotprod": 2.50, "smull": 2.50, "armv7": 2.63, "i8mm": 2.50}
# Instructions per output element that an int8 layer adds when it stores
# float32 (dequantized: its reader runs float32, or is not a convolution, or
# the tensor has other readers) instead of int8 for an int8 reader (RATES'
# int8 figures are of int8 stores). MobileNetV2 on cortex-a76, 3f09be1, the
# node alone in its model's plan (plan.run(only=...) between guest_marks
# regions, int8 file of bench/model_bench.py, rule with and without the
# stride-2 depthwise layers int8): expand 16->96 at 112x112 3.30 M (int8
# store) -> 3.77 M (float32), 24->144 at 56x56 1.63 -> 1.81 M: 0.39 per
# output element both; QConv2d 16->96 at 112x112 alone through the Python API
# (bench/guest_marks.py regions): 0.32 on cortex-a76, 0.38 on cortex-a72
# (64->384 at 14x14: 0.31 and 0.37; 160->960 at 7x7 on cortex-a72: 0.27).
# Without it (the rule before) and with the stride-keyed depthwise figures the
# rule ran MobileNetV2's stride-2 depthwise layers float32 on cortex-a76,
# which counted 47.0 M against 46.4 M with them int8 (model_bench --precision
# int8: their expansions' float32 stores, +0.47 M at 16->96 alone). On the
# A72 the rule does not charge it (0): with 0.38 it would run MobileNetV2's
# three 96->576 expansions float32, where int8 (with the store and the
# Quantize) counts about 7% fewer instructions (qmbv2_pw_96_576_14 4.09 vs
# mbv2_pw_96_576_14 3.64), less than MARGIN asks: the rule before picked them
# only because it left the store out, and dropping them would raise the
# A72's count (a policy question: MARGIN, not the counts). armv7: not counted.
# i8mm: not counted whole; the A76's figure (the smmla unit's float32 output stage
# counts 91 instructions per 64 outputs with a clamp against 59-63 for int8,
# gemm_s8_8x8k8_i8mm.cpp: +0.44 per element; about the same without one).
STORE_F32 = {"dotprod": 0.39, "smull": 0.0, "armv7": 0.0, "i8mm": 0.39}
# Instructions per element of the residual Add, (float32, int8): the float32
# kernel (eltwise-<isa>-16, in place, no clamp) and the int8 one (add_s8-<isa>-16,
# src/neon/add_s8.h: fixed-point multipliers), bench/insncount.py add_24_56
# add_s8_24_56 (24x56x56, MobileNetV2's first residual Add; the int8 one in place
# into its second operand as the model runs it), counted on the qadd branch:
# cortex-a72 and a76 0.5674 and 1.6915 (the same machine code: the sdot kernels
# are not involved), `--arch arm --cpu cortex-a15` 0.7567 and 1.8807. Per
# element of a stream tensor the int8 Add spares a Quantize (QUANTIZE_INSNS)
# where a Conv reads it and a float32 store (STREAM_STORE) where a Conv writes
# it (pick_adds).
ADD_INSNS = {"dotprod": (0.5674, 1.6915), "smull": (0.5674, 1.6915), "armv7": (0.7567, 1.8807),
             "i8mm": (0.5674, 1.6915)}
# What an int8 convolution saves per output element when it writes the int8
# stream instead of its float32 dequantization for a float32 Add (the credit
# pick_adds gives a stream tensor a Conv writes). Not STORE_F32 (counted on
# expansions): on MobileNetV2's projections the int8 store counted more, not
# less: bench/model_bench.py --precision int8 -k 2 --models mobilenet_v2, the
# convolution layers' count (int8-layers) with the float32 stream (main,
# df322b1) and the int8 one (this branch), the same calibration: cortex-a76
# 32.722 -> 32.742 M over its 15 stream-writing projections (355936 output
# elements: -0.056 per element), cortex-a72 78.268 -> 78.285 M over its 6
# (79968: -0.21; the runs repeat to about 2000 instructions, 0.025 per element
# here). armv7: not counted (0).
# i8mm: not counted, the A76's figure.
STREAM_STORE = {"dotprod": -0.056, "smull": -0.21, "armv7": 0.0, "i8mm": -0.056}
# Components of Adds linked through their tensors with at most this many Adds
# are decided over every subset (pick_adds); larger ones all or nothing.
ADD_SUBSETS_MAX = 10
# int8 must save this share of a layer's instructions to be picked: it costs
# accuracy (about 1/254 of the ranges per layer), so a tie goes to float32.
MARGIN = 0.9
# MACs per executed instruction of the half-precision kernels (float32 in and
# out, as a model runs them) on cortex-a76, on 3f09be1:
#   pointwise     fp16_conv1x1_64_56 6.88, fp16_conv1x1_128_28 7.20, fp16_gemm_256 7.31
#   conv3x3s1     fp16_wino43_32_56 15.79, fp16_wino43_256_14 18.64, fp16_wino43_64_28 20.23
#                 (the least: 7x7 maps were not counted)
#   other         fp16_conv3x3s2_32_64_56 6.45, fp16_im2col3x3_64_28 6.59
#   (bench/insncount.py --cpu cortex-a76 CASE, the perf gate's figures), and
#   depthwise     by the input's width: the fp16 depthwise kernels on MobileNetV2's
#   depthwise_s2  layers (relu6, float32 in and out), bench/insncount.py --cpu
#                 cortex-a76 'fp16_mbv2_dw*' (the perf gate's cases, bench/bench_fp16.cpp),
#                 re-counted with the narrow-map rows kernels
#                 (neon/aarch64/dwconv3x3_rows_fp16.cpp; counted on 8230e04):
#                 stride 1: C=32 112x112 3.65, 144@56 3.52, 192@28 2.91, 384@14 2.82,
#                           576@14 2.83, 960@7 2.36
#                 stride 2: 96@112 2.55, 144@56 2.36, 192@28 2.27, 576@14 2.11
#                 (float32 on the same layers, mbv2_dw_*, then: stride 1 2.72, 2.68,
#                 2.65, 2.34, 2.34, 2.08; stride 2 2.44, 2.15, 2.12, 2.05: fp16 counted
#                 fewer instructions on every one; F32_DW_RATES below holds today's
#                 float32 figures by width). ((min width, rate), ...),
#                 widest first. (Before the rows
#                 kernels, counted through the Python API as one call between
#                 bench/guest_marks.py region marks, about 1.5% below insn_bench:
#                 stride 1 3.61, 3.49, 2.28, 1.51, 0.48; stride 2 2.00, 1.85,
#                 0.88, 0.45.)
FP16_RATES = {"pointwise": 7.0, "conv3x3s1": 15.7, "other": 6.45,
              "depthwise": ((56, 3.52), (28, 2.91), (14, 2.82), (1, 2.36)),
              "depthwise_s2": ((112, 2.55), (56, 2.36), (28, 2.27), (1, 2.11))}
# The float32 depthwise 3x3 kernels on the same layers, by input width as above
# (mbv2_dw_* of the perf gate, the same on cortex-a72 and a76), re-counted with
# the stride-1 square-map passes and the stride-2 half groups and written-out
# rows (dwconv3x3_1x16_s1_ld1rows.cpp, dwconv3x3_1x16_s2_ld4rows.cpp, session
# 34): stride 1 2.72, 2.68, 2.65 (112, 56, 28), 2.50 (14; 2.34 before), 2.17 (7;
# 2.08); stride 2 2.45 (112; 2.44), 2.41 (56; 2.15), 2.17 (28; 2.12), 2.16 (14;
# 2.06). The half-precision rule weighs fp16 against these: fp16 on every
# MobileNetV2 stride-1 depthwise layer (7-wide: 2.36 against 2.17) and on the
# stride-2 ones 112 and 28 wide (2.55 against 2.45, 2.27 against 2.17), float32
# on the 56- and 14-wide ones (2.41 against fp16's 2.36, 2.16 against 2.11;
# before the float32 kernels' changes fp16 on all four). RATES' single figure
# per stride (2.5, 2.2) stays the int8 rule's: a chain's pick does not depend
# on the map (see RATES).
F32_DW_RATES = {"depthwise": ((28, 2.65), (14, 2.50), (1, 2.17)),
                "depthwise_s2": ((112, 2.45), (56, 2.41), (28, 2.17), (1, 2.16))}
# Where the half-precision rule ("fp16", and the layers "int8+fp16" leaves
# float) runs a layer fp16: where FP16_RATES beats the float32 figure for its
# kind (f32_rate: by map width for depthwise 3x3): on cortex-a76 every dense
# convolution (1x1, 3x3 stride 1 by Winograd, other: im2col) and every
# depthwise 3x3 layer (until session 31 the rule weighed depthwise against
# RATES' one float32 figure per stride and kept stride-1 maps under 14 wide and
# stride-2 maps under 28 float32), not depthwise of other sizes (not counted
# in fp16) and not fully connected layers
# (model.py LayerCache.fc_layer): at batch 1 (a GEMV) MobileNetV2's 1280 -> 1000
# layer counted 2.09 M instructions in fp16 against 0.48 M in float32 (0.61 and
# 2.69 MACs per instruction; ResNet-18's 512 -> 1000: 0.82 M against 0.20 M),
# counted through the Python API as one call between bench/guest_marks.py
# region marks (an empty region subtracted).


def int8_isa():
    """The RATES key of this CPU's int8 kernels, or None (generic kernels: x86,
    or a CPU without NEON), where the rule never picks int8."""
    name = _cpu_info()["kernels"].get("gemm_s8", "")
    if "i8mm" in name:
        return "i8mm"
    if "dotprod" in name:
        return "dotprod"
    if name.startswith("gemm_s8-aarch64"):
        return "smull"
    if name.startswith("gemm_s8-armv7"):
        return "armv7"
    return None


def layer_kind(w_shape, groups, strides):
    cout, cin_g, kh, kw = w_shape
    cin = cin_g * groups
    if groups > 1 and groups == cin and cout == cin:
        return "depthwise" if tuple(strides) == (1, 1) else "depthwise_s2"
    if groups == 1 and kh == kw == 1:
        return "pointwise"
    if groups == 1 and kh == kw == 3 and tuple(strides) == (1, 1):
        return "conv3x3s1"
    return "other"


def macs_per_input(w_shape, groups, strides):
    cout, _, kh, kw = w_shape
    return cout / groups * kh * kw / (strides[0] * strides[1])


def conv_geometry(node, w):
    """(weight as (O, I/g, kh, kw), groups, strides) of a Conv node (1-D as 2-D)."""
    g = int(node.attrs.get("group", 1))
    nd = w.ndim - 2
    strides = list(node.attrs.get("strides") or [1] * nd)
    shape = tuple(w.shape)
    if nd == 1:
        shape = (shape[0], shape[1], 1, shape[2])
        strides = [1] + strides
    return shape, g, tuple(strides)


# ------------------------------------------------------------------ calibration

def calibration_batches(model, calibration):
    """[{input name: float32 array}] from an array, a dict, or a list of either."""
    names = model.input_names
    if calibration is None:
        raise ValueError("calibration is None: give representative inputs, e.g. "
                         "model.quantize(x) with x an array of a few hundred real inputs")
    if isinstance(calibration, (np.ndarray, dict)):
        items = [calibration]
    elif isinstance(calibration, (list, tuple)):
        items = list(calibration)
    else:
        raise TypeError(f"calibration must be an array, a dict {{input name: array}} or a list of "
                        f"them, got {type(calibration).__name__}")
    if not items:
        raise ValueError("calibration is empty: give at least one batch of representative inputs")
    batches = []
    for i, item in enumerate(items):
        where = "calibration" if len(items) == 1 and item is calibration else f"calibration[{i}]"
        if isinstance(item, np.ndarray):
            if len(names) != 1:
                raise ValueError(f"{where} is an array but the model has {len(names)} inputs "
                                 f"({', '.join(map(repr, names))}): give dicts {{input name: array}}")
            item = {names[0]: item}
        elif not isinstance(item, dict):
            raise TypeError(f"{where} must be a numpy array or a dict {{input name: array}}, got "
                            f"{type(item).__name__}")
        feeds = {}
        for k, x in item.items():
            if not isinstance(x, np.ndarray):
                raise TypeError(f"{where}[{k!r}] must be a numpy array, got {type(x).__name__}")
            if x.dtype.kind != "f":
                raise TypeError(f"{where}[{k!r}] has dtype {x.dtype}: calibration inputs are the float "
                                "inputs the model runs on (preprocessed as for model(x)); cast with "
                                "x.astype(np.float32)")
            x = np.ascontiguousarray(x, np.float32)
            if x.ndim and x.shape[0] == 0:
                raise ValueError(f"{where}[{k!r}] has no samples (shape {x.shape})")
            if not np.isfinite(x).all():
                raise ValueError(f"{where}[{k!r}] holds NaN or infinity: calibration inputs must be "
                                 "finite")
            feeds[k] = x
        try:
            model._feeds(feeds)  # names, shapes
        except (ValueError, TypeError) as e:
            raise type(e)(f"{where}: {e}") from None
        batches.append(feeds)
    return batches


def _chunks(feeds, names, size):
    """The batch cut into pieces of at most `size` samples (when every input has the
    same batch size; the ranges are maxima, so the cut does not change them)."""
    ns = {feeds[n].shape[0] for n in names if feeds[n].ndim}
    if len(ns) != 1:
        yield feeds
        return
    n = ns.pop()
    for i in range(0, n, size):
        yield {k: v[i:i + size] for k, v in feeds.items()}


def add_operands(node, consts=()):
    """(a, b) of an Add node that may join the int8 residual stream: two
    operands, neither a constant, and a fused activation (if any) that the int8
    Add's lower clamp runs (ReLU: lo 0 or none, hi none); else None."""
    if node.op != "Add" or len(node.inputs) != 2 or any(t in consts or not t for t in node.inputs):
        return None
    act = node.attrs.get("activation")
    if act is not None:
        lo, hi = float(act[0]), float(act[1])
        if hi != math.inf or lo not in (-math.inf, 0.0):
            return None
    return tuple(node.inputs)


def observe_ranges(fmodel, batches, chunk=8):
    """{Conv node name: max|x| of its input} over the float model's runs, and
    {Add node name: (max|a|, max|b|, max|y|)} for every Add that may join an
    int8 residual stream (add_operands; same-shape float32 operands on every
    calibration input) and whose output another Conv or such Add reads (y's
    range is its readers' observation of it; 0.0 where none reads it).

    Batches run in pieces of `chunk` samples; a model whose graph fixes the
    batch size (a Reshape to [1, ...] in an export without a dynamic batch
    axis) cannot plan them: it gets the batch one sample at a time."""
    ranges = {}
    tensors = {}  # tensor name -> max|x| over every observation
    mixed = set()  # Adds seen with operands of other shapes or dtypes
    names = fmodel.input_names
    graph = fmodel._graph
    adds = {n.name: n for n in graph.nodes if add_operands(n, graph.consts) is not None}

    def plan_for(xs):
        return fmodel.plan({n: x.shape for n, x in zip(names, xs)})

    def record(t, x, b, node):
        m = max(float(x.max()), -float(x.min())) if x.size else 0.0
        if not math.isfinite(m):
            raise ValueError(f"calibration batch {b}: the input of {describe(node)} holds "
                             "NaN or infinity (the float model overflows on this input)")
        tensors[t] = max(tensors.get(t, 0.0), m)
        return m
    for b, feeds in enumerate(batches):
        size = chunk
        try:
            plan_for([next(_chunks(feeds, names, size))[n] for n in names])
        except ValueError:
            size = 1
        for part in _chunks(feeds, names, size):
            xs = [part[n] for n in names]
            try:
                plan = plan_for(xs)
            except ValueError as e:
                raise ValueError(f"calibration batch {b}: {e}") from None

            def observe(step, ins, b=b):
                node = step.node
                if node.op == "Conv":
                    m = record(node.inputs[0], ins[0], b, node)
                    ranges[node.name] = max(ranges.get(node.name, 0.0), m)
                elif node.name in adds:
                    if ins[0].shape != ins[1].shape or ins[0].dtype != np.float32 or ins[1].dtype != np.float32:
                        mixed.add(node.name)
                    for t, x in zip(node.inputs, ins):
                        record(t, x, b, node)
            plan.run(xs, observe=observe)
    for name, n in adds.items():
        if name not in mixed:
            a, b_ = n.inputs
            ranges[name] = (tensors.get(a, 0.0), tensors.get(b_, 0.0), tensors.get(n.outputs[0], 0.0))
    return ranges


def calibrated_graph(graph, ranges, layers, samples):
    """A copy of graph whose Conv nodes carry input_scale = max|x| / 127, and
    whose Add nodes that may run int8 (observe_ranges gave them three nonzero
    ranges) carry add_scales = [max|a|, max|b|, max|y|] / 127."""
    nodes = []
    for n in graph.nodes:
        attrs = dict(n.attrs)
        attrs.pop("input_scale", None)
        attrs.pop("add_scales", None)
        r = ranges.get(n.name)
        if n.op == "Conv" and isinstance(r, float) and r > 0:
            attrs["input_scale"] = r / 127.0
        if n.op == "Add" and isinstance(r, tuple) and all(v > 0 for v in r):
            attrs["add_scales"] = [v / 127.0 for v in r]
        nodes.append(Node(n.op, n.name, n.inputs, n.outputs, attrs))
    meta = dict(graph.meta)
    meta["int8"] = {"layers": layers, "samples": samples}
    return Graph(graph.inputs, graph.outputs, nodes, graph.consts, meta)


def has_scales(graph):
    return any(n.op == "Conv" and "input_scale" in n.attrs for n in graph.nodes)


# ------------------------------------------------------------------ the rewrite

# Where the float round trip of an edge between two convolutions costs (per
# element of the tensor between them): QUANTIZE_INSNS where an int8 layer reads
# a float tensor (its producer runs float32, or is not a convolution, or the
# tensor has other readers: the fused requantization writes one reader's scale
# into the only copy, or is a graph output), and STORE_F32 where an int8 layer
# writes one (its dequantization is fused into its output stage, which costs
# more than the requantizing int8 store: `bench/insncount.py qconv1x1_64_56
# qconv1x1_64_56_f32` counted the float32 store 2% cheaper, but inside
# MobileNetV2 and through the Python API it counts 0.27-0.39 more per element).


def kind_rates(w_shape, groups, strides, isa):
    """(fp32, int8) MACs per instruction of a convolution on the int8 kernel family
    `isa`: RATES by kind, SMALL_K_POINTWISE for 1x1 layers of K <= SMALL_K."""
    kind = layer_kind(w_shape, groups, strides)
    if kind == "pointwise" and w_shape[1] <= SMALL_K:
        return SMALL_K_POINTWISE[isa]
    return RATES[isa][kind]


def layer_costs(w_shape, groups, strides, isa):
    """(fp32, int8, growth, store) of a convolution per element of its input:
    instructions of the float32 kernels and of the int8 kernels (input
    already int8, output int8), output elements per input element,
    (out_channels / in_channels) / (sh sw) (padding ignored: the ratio of a
    'same' convolution; it weights the next layer of a chain), and what the
    int8 layer adds when it stores float32 instead (STORE_F32 x growth)."""
    r32, r8 = kind_rates(w_shape, groups, strides, isa)
    m = macs_per_input(w_shape, groups, strides)
    cout, cin_g = w_shape[0], w_shape[1]
    growth = cout / (cin_g * groups) / (strides[0] * strides[1])
    return m / r32, m / r8, growth, STORE_F32[isa] * growth


def fp16_rate(kind, width):
    """FP16_RATES' figure for a layer of this kind whose input is `width` wide."""
    r = FP16_RATES[kind]
    if isinstance(r, tuple):
        return next(rate for w0, rate in r if width >= w0)
    return r


def f32_rate(kind, width, isa):
    """The float32 figure the half-precision rule weighs FP16_RATES against: by the
    input's width for depthwise 3x3 (F32_DW_RATES), else RATES' float32 column."""
    r = F32_DW_RATES.get(kind)
    if r is not None:
        return next(rate for w0, rate in r if width >= w0)
    return RATES[isa or "smull"][kind][0]


def float_precision(w_shape, groups, strides, isa, fp16, width=1):
    """"fp16" where half precision counts fewer instructions than float32 for this
    layer on an input `width` wide (fp16: the model asks for it and the CPU has
    it), else "fp32"."""
    if not fp16:
        return "fp32"
    kind = layer_kind(w_shape, groups, strides)
    if kind.startswith("depthwise") and tuple(w_shape[2:]) != (3, 3):
        return "fp32"  # counted: 3x3 only
    return "fp16" if fp16_rate(kind, width) > f32_rate(kind, width, isa) else "fp32"


def int8_pays(w_shape, groups, strides, isa):
    """(runs int8, why) for a 2-D convolution on the int8 kernel family `isa` whose
    input is float32 (it pays the Quantize node): the rule for a layer alone, which
    pick_layers applies to a chain of one."""
    if isa is None:
        return False, "generic int8 kernels"
    c32, g8, _, store = layer_costs(w_shape, groups, strides, isa)
    c8 = g8 + QUANTIZE_INSNS[isa] + store
    kind = layer_kind(w_shape, groups, strides)
    return c8 <= MARGIN * c32, f"{kind}: int8 {c8:.1f} vs fp32 {c32:.1f} insns per input element"


def int8_chains(graph, eligible):
    """The eligible Conv nodes as chains [node, ...]: within a chain each node's
    output is read by the next alone (its input 0; not a graph output), the
    edges an int8 -> int8 pair runs without a float round trip. Every eligible
    node is in exactly one chain (a node has at most one such reader and one
    such producer); chains in graph order of their first node."""
    uses = graph.consumers()
    outputs = set(graph.outputs)

    def next_of(n):
        t = n.outputs[0]
        r = uses.get(t, [])
        if t in outputs or len(r) != 1 or r[0].inputs.count(t) != 1:
            return None
        c = r[0]
        return c if c.name in eligible and c.inputs[0] == t else None
    nxt = {n.name: next_of(n) for n in graph.nodes if n.name in eligible}
    has_prev = {c.name for c in nxt.values() if c is not None}
    chains = []
    for n in graph.nodes:
        if n.name in eligible and n.name not in has_prev:
            chain = [n]
            while nxt[chain[-1].name] is not None:
                chain.append(nxt[chain[-1].name])
            chains.append(chain)
    return chains


def pick_chain(costs, q, margin=None):
    """Which layers of a chain run int8: the assignment of least modelled cost.

    costs: [(fp32, int8, growth, store)] per layer (layer_costs), q: QUANTIZE_INSNS.
    Per element of the chain's input, layer i sees w_i = growth_0 ... growth_{i-1}
    elements; it costs w_i fp32 in float32, w_i int8 in int8 plus w_i q when the
    layer before it runs float32 (or it is the first), plus w_i store when the
    layer after it runs float32 (or it is the last: its output leaves the chain
    as float32). int8 costs count 1 / margin times (accuracy: int8 must save
    1 - MARGIN of what it replaces, as int8_pays). A dynamic program over the
    chain (state: the previous layer's precision), ties to float32; exact for
    this cost model (a chain is a path).
    Returns ([bool] per layer, [int8 input already int8] per layer)."""
    margin = MARGIN if margin is None else margin
    w = 1.0
    best = {False: (0.0, []), True: (math.inf, [])}  # previous layer's precision -> (cost, picks)
    store = 0.0  # the previous layer's float32 store, were it int8, per chain-input element
    for c32, c8, growth, *st in costs:
        from_fp, from_i8 = best[False][0], best[True][0] + store / margin
        fp = (from_fp, best[False][1]) if from_fp <= from_i8 else (from_i8, best[True][1])  # ties: fp32
        i8_from_fp = best[False][0] + w * (c8 + q) / margin
        i8_from_i8 = best[True][0] + w * c8 / margin
        i8 = (i8_from_i8, best[True][1]) if i8_from_i8 < i8_from_fp else (i8_from_fp, best[False][1])
        best = {False: (fp[0] + w * c32, fp[1] + [False]), True: (i8[0], i8[1] + [True])}
        store = w * (st[0] if st else 0.0)
        w *= growth
    i8_end = best[True][0] + store / margin
    picks = best[True][1] if i8_end < best[False][0] else best[False][1]
    return picks, [i > 0 and picks[i - 1] for i in range(len(picks))]


def pick_layers(graph, layers, isa):
    """({Conv node names that run int8}, {Conv node name: why it runs int8 or float32}).

    Calibrated convolutions within the int8 GEMM's K limit are eligible;
    layers="all" runs every one int8; "auto" splits them into chains
    (int8_chains) and picks each chain's layers by pick_chain on the counts
    of this CPU's kernels (isa, RATES, QUANTIZE_INSNS). So a layer whose
    input arrives int8 from an int8 producer pays no quantization (a
    MobileNetV2 16-channel projection after an int8 depthwise layer), and a
    layer that does not pay alone (a depthwise one) may run int8 when that
    spares its reader the quantization of its output."""
    why, geo = {}, {}
    for n in graph.nodes:
        if n.op != "Conv":
            continue
        w = graph.consts.get(n.inputs[1]) if len(n.inputs) > 1 else None
        if n.attrs.get("input_scale") is None or w is None:
            why[n.name] = "fp32: not calibrated (input always 0)" if w is not None else "fp32"
        elif w[0].size > 65536:
            why[n.name] = "fp32: K > 65536 (int8 GEMM limit)"
        else:
            geo[n.name] = conv_geometry(n, w)
    if layers == "all":
        why.update((k, "int8: layers='all'") for k in geo)
        return set(geo), why
    if isa is None:
        why.update((k, "fp32: generic int8 kernels") for k in geo)
        return set(), why
    picked = set()
    for chain in int8_chains(graph, geo):
        costs = [layer_costs(*geo[n.name], isa) for n in chain]
        picks, fed = pick_chain(costs, QUANTIZE_INSNS[isa])
        for i, (n, p) in enumerate(zip(chain, picks)):
            c32, c8, _, store = costs[i]
            src = f"input int8 from {chain[i - 1].name!r}" if fed[i] else "input quantized"
            if not fed[i]:
                c8 += QUANTIZE_INSNS[isa]
            if not (i + 1 < len(chain) and picks[i + 1]):
                c8 += store  # its output float32
            where = f"; chain {chain[0].name!r}..{chain[-1].name!r}" if len(chain) > 1 else ""
            if p and i + 1 < len(chain) and picks[i + 1]:
                where += f"; its int8 output spares {chain[i + 1].name!r} a Quantize"
            why[n.name] = (f"{'int8' if p else 'fp32'}: {layer_kind(*geo[n.name])}: int8 {c8:.1f} "
                           f"({src}) vs fp32 {c32:.1f} insns per input element{where}")
            if p:
                picked.add(n.name)
    return picked, why


def stream_check(graph, picked, adds):
    """Whether the Adds named in `adds` can run int8 with the Conv nodes named in
    `picked` int8: ({tensor: scale} of the int8 residual stream, None) or (None,
    why not). The stream is every operand and output of those Adds; each such
    tensor must be written by a picked Conv (which then stores int8 at the
    tensor's scale) or by one of the Adds, and read only by the Adds (at the
    scale of its add_scales) and by picked Convs as their input 0 once, at an
    input_scale equal to that scale (all of them are max|x| / 127 of the same
    calibrated tensor); never a graph input or output."""
    uses = graph.consumers()
    prod = graph.producers()
    outputs = set(graph.outputs)
    by_name = {n.name: n for n in graph.nodes}
    scale = {}
    for name in adds:
        n = by_name[name]
        if add_operands(n, graph.consts) is None or len(n.attrs.get("add_scales") or ()) != 3:
            return None, f"{name!r} is not an Add that may run int8"
        for t, s in zip(list(n.inputs) + [n.outputs[0]], n.attrs["add_scales"]):
            if scale.setdefault(t, float(s)) != float(s):
                return None, f"{t!r} has two scales"
    for t, s in scale.items():
        if t in outputs:
            return None, f"{t!r} is a graph output"
        p = prod.get(t)
        if p is None:
            return None, f"{t!r} is a graph input"
        if not ((p.op == "Conv" and p.name in picked) or p.name in adds):
            return None, f"{t!r} comes from {describe(p)}, which runs float32"
        for r in uses.get(t, []):
            if r.name in adds:
                continue
            if r.op == "Conv" and r.name in picked and r.inputs.count(t) == 1 and r.inputs[0] == t:
                if float(r.attrs["input_scale"]) != s:
                    return None, f"{describe(r)} reads {t!r} at another scale"
                continue
            return None, f"{describe(r)} reads {t!r} as float32"
    return scale, None


def pick_adds(graph, picked, isa):
    """({Add node names that run int8}, {Add node name: why int8 or float32}).

    Runs after the convolutions' pick (they are taken as given). Candidates:
    the calibrated Adds (add_scales). They are grouped into components (Adds
    linked through a tensor); for each, every subset (components of at most
    ADD_SUBSETS_MAX Adds; else all or none) that stream_check accepts is
    weighed, per element of the Adds' tensors (one shape in a component):
    float32 costs ADD_INSNS' float32 figure per Add, plus per stream tensor
    STREAM_STORE where a Conv writes it (int8: it stores int8 instead of its
    float32 dequantization; negative: the int8 store counted more) and
    QUANTIZE_INSNS where a Conv reads it (the
    Quantize node the int8 stream spares); int8 costs ADD_INSNS' int8 figure
    per Add, 1 / MARGIN times (accuracy: one more rounding per Add). The
    subset saving the most runs int8, if it saves anything (ties: float32)."""
    why = {}
    cands = [n for n in graph.nodes if n.op == "Add" and n.attrs.get("add_scales") is not None]
    if not cands:
        return set(), why
    if isa is None:
        why.update((n.name, "fp32: generic int8 kernels") for n in cands)
        return set(), why
    cands = [n for n in cands if add_operands(n, graph.consts) is not None]
    prod = graph.producers()
    uses = graph.consumers()
    # components: union-find over the Adds' tensors
    parent = {n.name: n.name for n in cands}

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a
    owner = {}
    for n in cands:
        for t in list(n.inputs) + [n.outputs[0]]:
            if t in owner:
                parent[find(n.name)] = find(owner[t])
            else:
                owner[t] = n.name
    comps = {}
    for n in cands:
        comps.setdefault(find(n.name), []).append(n.name)
    f32, s8 = ADD_INSNS[isa]
    q, st = QUANTIZE_INSNS[isa], STREAM_STORE[isa]
    chosen = set()
    for names in comps.values():
        if len(names) <= ADD_SUBSETS_MAX:
            subsets = [frozenset(c) for k in range(1, len(names) + 1) for c in itertools.combinations(names, k)]
        else:
            subsets = [frozenset(names)]
        best, best_gain, best_cost, why_not, feasible = None, 0.0, None, None, False
        for sub in subsets:
            stream, err = stream_check(graph, picked, sub)
            if stream is None:
                why_not = err  # the last: the whole component's
                continue
            feasible = True
            fcost = f32 * len(sub)
            for t in stream:
                p = prod[t]
                if p.op == "Conv":
                    fcost += st
                if any(r.op == "Conv" for r in uses.get(t, [])):
                    fcost += q
            icost = s8 * len(sub) / MARGIN
            if fcost - icost > best_gain:
                best, best_gain, best_cost = sub, fcost - icost, (icost, fcost)
        for name in names:
            if best is not None and name in best:
                why[name] = (f"int8: residual stream of {len(best)} Add(s): int8 {best_cost[0]:.2f} vs "
                             f"fp32 {best_cost[1]:.2f} insns per element (Add, Quantize, float32 stores)")
            elif best is not None or feasible:
                why[name] = "fp32: int8 saves nothing here"
            else:
                why[name] = f"fp32: {why_not}"
        if best is not None:
            chosen |= best
    return chosen, why


def int8_graph(graph, layers, isa="cpu"):
    """The graph that runs, and {Conv or Add node name: why it runs int8 or float32}.

    1. pick_layers decides which Conv nodes run int8 on this CPU (isa:
       int8_isa() unless given; None: generic kernels); they carry attrs["int8"].
       (Precision "int8+fp16": the same int8 layers; which of the others run
       half precision the model's LayerCache decides when it makes each layer,
       by float_precision on the layer's input width.)
    2. layers="auto": pick_adds decides which calibrated Add nodes run int8
       (the residual stream between int8 convolutions; layers="all" runs every
       convolution int8 and leaves the Adds float32).
    3. An int8 conv whose output only another int8 conv reads emits int8 at
       that reader's input_scale (QConv2d's int8 output: requantization
       fused into its store; attrs["output_scale"]), so the pair needs no
       float round trip; so does one whose output is in the int8 stream (at
       the stream tensor's scale), and an int8 conv reading the stream reads
       it as it is. Every other int8 conv reads its input through a Quantize
       node (one per tensor and scale).
    """
    isa = int8_isa() if isa == "cpu" else isa
    picked, why = pick_layers(graph, layers, isa)
    adds = set()
    if layers != "all":
        adds, add_why = pick_adds(graph, picked, isa)
        why.update(add_why)
    return int8_rewrite(graph, picked, adds), why


def int8_rewrite(graph, picked, adds=()):
    """The graph with the Conv nodes named in `picked` and the Add nodes named in
    `adds` int8 (int8_graph's step 3; stream_check must accept them)."""
    from .._armconv import add_s8_params
    stream, err = stream_check(graph, picked, set(adds))
    if stream is None:
        raise ValueError(f"the Adds {sorted(adds)} cannot run int8: {err}")
    uses = graph.consumers()
    prod = graph.producers()
    outputs = set(graph.outputs)

    def sole_reader(t):
        r = uses.get(t, [])
        return r[0] if t not in outputs and len(r) == 1 and r[0].inputs.count(t) == 1 else None

    nodes = []
    quantized = {}  # (tensor, scale) -> int8 tensor name
    qnodes = {}  # (tensor, scale) -> its Quantize node
    taken = {o for n in graph.nodes for o in n.outputs} | set(graph.consts) | {n for n, _ in graph.inputs}
    for n in graph.nodes:
        if n.op == "Add" and n.name in adds:
            attrs = dict(n.attrs)
            attrs["int8"] = True
            sa, sb, sy = (float(v) for v in attrs["add_scales"])
            lo = -127 if attrs.get("activation") is None or float(attrs["activation"][0]) < 0 else 0
            attrs["add_params"] = list(add_s8_params(sa, sb, sy, lo))
            nodes.append(Node(n.op, n.name, n.inputs, n.outputs, attrs))
            continue
        if n.op != "Conv" or n.name not in picked:
            nodes.append(n)
            continue
        attrs = dict(n.attrs)
        attrs["int8"] = True
        c = sole_reader(n.outputs[0])
        if n.outputs[0] in stream:
            attrs["output_scale"] = stream[n.outputs[0]]  # 3: int8 out into the stream
        elif c is not None and c.op == "Conv" and c.name in picked and c.inputs[0] == n.outputs[0]:
            attrs["output_scale"] = float(c.attrs["input_scale"])  # 3: int8 out
        src = n.inputs[0]
        p = prod.get(src)
        if src in stream or (p is not None and p.op == "Conv" and p.name in picked and sole_reader(src) is n):
            nodes.append(Node(n.op, n.name, n.inputs, n.outputs, attrs))  # reads p's int8 output
            continue
        scale = float(attrs["input_scale"])
        key = (src, scale)
        if key not in quantized:
            q = base = f"{src}:int8"
            k = 0
            while q in taken:
                k += 1
                q = f"{base}:{k}"
            taken.add(q)
            quantized[key] = q
            origin = (f"the output of {describe(p)}" if p is not None else
                      "a model input" if src in {i for i, _ in graph.inputs} else "a constant")
            qnodes[key] = Node("Quantize", f"{n.name}:quantize", [src], [q],
                               {"scale": scale, "fused": [], "readers": [], "origin": origin})
            nodes.append(qnodes[key])
        qnodes[key].attrs["readers"].append(n.name)
        nodes.append(Node(n.op, n.name, [quantized[key]] + n.inputs[1:], n.outputs, attrs))
    return Graph(graph.inputs, graph.outputs, nodes, graph.consts, graph.meta)


def nan_message(node):
    """What a Quantize node's NaN error says: the int8 convolutions it feeds, where the
    NaN came from, what to do."""
    readers = node.attrs.get("readers") or [node.name]
    convs = ", ".join(f"node {r!r} (Conv)" for r in readers)
    return (f"{convs}: runs int8 and its input {node.inputs[0]!r} ({node.attrs.get('origin', 'a tensor')}) "
            "holds NaN, which int8 cannot represent (a float32 layer passes NaN on). Check the model's "
            "inputs for NaN (np.isnan(x).any()); if they have none, a node before this one made it "
            "(model.summary() lists the nodes in the order they run; the float32 model, "
            "armconv.load(path), shows whether float32 makes it too)")


def quantize_kernel(scale, node=None):
    """fn(xs, ys) of a Quantize node: ys[0] = clip(round_half_away(xs[0] / scale), -127, 127);
    a NaN in xs[0] raises ValueError naming the node's readers (nan_message)."""
    s = np.array([scale], np.float32)
    where = None if node is None else nan_message(node)

    def fn(xs, ys):
        x = xs[0]
        try:
            _quantize(x.reshape(1, 1, x.size), s, ys[0].reshape(1, 1, x.size))
        except ValueError as e:
            if where is None or "NaN" not in str(e):
                raise
            raise ValueError(where) from None
    return fn
