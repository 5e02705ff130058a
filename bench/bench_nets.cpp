// Layers of real networks on the small maps where per-call costs weigh most
// (torchvision's MobileNetV2 and ResNet-18, 224x224 input, batch 1, BatchNorm
// folded into the bias), as `auto` runs them. MobileNetV2: relu6 after the
// expansion 1x1 and the depthwise 3x3, none after the projection 1x1;
// ResNet-18: relu after each convolution (the residual add is not counted).
//   mbv2_*: pw = expansion 1x1, dw = depthwise 3x3, pwl = projection 1x1
//   r18_*:  conv3x3 / downsampling conv3x3 s2 / the 1x1 s2 shortcut
//   r18_stem_*: ResNet-18's first layer, 7x7 s2 p3, 3->64 on 224x224
//   mbv2_stem_*: MobileNetV2's first layer, 3x3 s2 p1, 3->32 on 224x224, relu6
//   effb0_se_*, mbv3_se_*: the squeeze-and-excitation 1x1 layers of
//     EfficientNet-B0 (SiLU / sigmoid follow: no fused activation) and
//     MobileNetV3-Large (relu after the squeeze), on their 1x1 maps
//   head_*: output heads whose channel count is not a multiple of 8 (the
//     last M-panel of the fp32 GEMM is partial): a YOLOv3 detection head
//     (3 x 85 = 255 channels on the 13x13 map) and a 21-class (VOC)
//     segmentation head on a 56x56 map, and a 3-channel (RGB) output layer;
//     fp32 only
// The q* twins are QConv2d (int8 in, int8 out) on the same shapes.
#include <limits>
#include <string>

#include "armconv/armconv.h"
#include "bench_cases.h"

namespace {

using namespace armconv;
using namespace armconv::bench;

constexpr float kInf = std::numeric_limits<float>::infinity();

struct Layer {
  const char* name;
  int64_t cin, cout, k, stride, groups, h;  // input map h x h, padding k / 2
  float out_min, out_max;
};

const Layer kLayers[] = {
    // MobileNetV2, the large maps' 1x1 layers (small K: the per-tile bias,
    // clamp and stores weigh): features.1's projection (32->16, 112x112, no
    // activation), the expansions of features.2 (16->96, 112x112), .3
    // (24->144, 56x56) and .5 (32->192, 28x28)
    {"mbv2_pwl_32_16_112", 32, 16, 1, 1, 1, 112, -kInf, kInf},
    {"mbv2_pw_16_96_112", 16, 96, 1, 1, 1, 112, 0.0f, 6.0f},
    {"mbv2_pw_24_144_56", 24, 144, 1, 1, 1, 56, 0.0f, 6.0f},
    {"mbv2_pw_32_192_28", 32, 192, 1, 1, 1, 28, 0.0f, 6.0f},
    // MobileNetV2, 14x14 stage (inverted residual blocks with 64 and 96 channels)
    {"mbv2_pw_64_384_14", 64, 384, 1, 1, 1, 14, 0.0f, 6.0f},
    {"mbv2_dw_384_14", 384, 384, 3, 1, 384, 14, 0.0f, 6.0f},
    {"mbv2_pwl_384_96_14", 384, 96, 1, 1, 1, 14, -kInf, kInf},
    {"mbv2_pw_96_576_14", 96, 576, 1, 1, 1, 14, 0.0f, 6.0f},
    {"mbv2_dw_576_14", 576, 576, 3, 1, 576, 14, 0.0f, 6.0f},
    {"mbv2_dw_s2_576_14", 576, 576, 3, 2, 576, 14, 0.0f, 6.0f},
    // MobileNetV2, 7x7 stage (160 and 320 channels) and the last 1x1
    {"mbv2_pw_160_960_7", 160, 960, 1, 1, 1, 7, 0.0f, 6.0f},
    {"mbv2_dw_960_7", 960, 960, 3, 1, 960, 7, 0.0f, 6.0f},
    {"mbv2_pwl_960_160_7", 960, 160, 1, 1, 1, 7, -kInf, kInf},
    {"mbv2_pwl_960_320_7", 960, 320, 1, 1, 1, 7, -kInf, kInf},
    {"mbv2_conv_320_1280_7", 320, 1280, 1, 1, 1, 7, 0.0f, 6.0f},
    // ResNet-18, layer1 (56x56), layer2 (28x28): the 3x3 stride-1 layers
    {"r18_3x3_64_56", 64, 64, 3, 1, 1, 56, 0.0f, kInf},
    {"r18_3x3_128_28", 128, 128, 3, 1, 1, 28, 0.0f, kInf},
    {"r18_3x3s2_64_128_56", 64, 128, 3, 2, 1, 56, 0.0f, kInf},
    // ResNet-18, layer3 (14x14) and layer4 (7x7)
    {"r18_3x3_256_14", 256, 256, 3, 1, 1, 14, 0.0f, kInf},
    {"r18_3x3s2_128_256_28", 128, 256, 3, 2, 1, 28, 0.0f, kInf},
    {"r18_1x1s2_128_256_28", 128, 256, 1, 2, 1, 28, -kInf, kInf},
    {"r18_3x3_512_7", 512, 512, 3, 1, 1, 7, 0.0f, kInf},
    {"r18_3x3s2_256_512_14", 256, 512, 3, 2, 1, 14, 0.0f, kInf},
    {"r18_1x1s2_256_512_14", 256, 512, 1, 2, 1, 14, -kInf, kInf},
    {"r18_stem_7x7s2_3_64_224", 3, 64, 7, 2, 1, 224, 0.0f, kInf},
    {"mbv2_stem_3x3s2_3_32_224", 3, 32, 3, 2, 1, 224, 0.0f, 6.0f},
    // Squeeze-and-excitation (1x1 maps)
    {"effb0_se_1152_48", 1152, 48, 1, 1, 1, 1, -kInf, kInf},
    {"effb0_se_48_1152", 48, 1152, 1, 1, 1, 1, -kInf, kInf},
    {"effb0_se_672_28", 672, 28, 1, 1, 1, 1, -kInf, kInf},
    {"effb0_se_28_672", 28, 672, 1, 1, 1, 1, -kInf, kInf},
    {"mbv3_se_960_240", 960, 240, 1, 1, 1, 1, 0.0f, kInf},
    {"mbv3_se_240_960", 240, 960, 1, 1, 1, 1, -kInf, kInf},
};

const Layer kHeads[] = {
    {"head_256_255_13", 256, 255, 1, 1, 1, 13, -kInf, kInf},
    {"head_64_21_56", 64, 21, 1, 1, 1, 56, -kInf, kInf},
    {"head_64_3_56", 64, 3, 1, 1, 1, 56, -kInf, kInf},
};

int reg = [] {
  for (const Layer& l : kLayers) {
    const Conv2dParams p = conv_params(l.cin, l.cout, l.k, l.stride, l.k / 2, l.groups, l.out_min, l.out_max);
    add_case(conv_case(l.name, Algo::Auto, p, l.h, l.h));
    // int8 (not the 3-channel stem, which has no int8 path worth measuring)
    if (l.cin > 3) add_case(qconv_case(std::string("q") + l.name, p, l.h, l.h, false));
  }
  for (const Layer& l : kHeads)
    add_case(conv_case(l.name, Algo::Auto,
                       conv_params(l.cin, l.cout, l.k, l.stride, l.k / 2, l.groups, l.out_min, l.out_max),
                       l.h, l.h));
  return 0;
}();

}  // namespace
