// Depthwise cases beyond the two (dw3x3s1_64_56, dw3x3s2_64_56 in
// insn_bench.cpp): the MobileNet v1 depthwise layers at 224x224 input, a
// tall map (x4 rows) that separates the per-row cost from the per-plane one;
// depthwise 5x5 (EfficientNet-B0's stages, no fused activation: SiLU follows),
// other kernel shapes (ConvNeXt's 7x7, a dilated 3x3), as `auto` runs them;
// and the int8 depthwise 3x3 (QConv2d, int8 in and out).
// MobileNetV2's depthwise layers on the 112x112 to 28x28 maps (mbv2_dw_*;
// those on 14x14 and 7x7 maps: bench_nets.cpp). The same layers on the
// maps of other input sizes, whose widths are not MobileNetV2's: SSDLite-
// MobileNetV2 at 300x300 (ssd_dw_*: maps 150, 75, 38, 19, 10, 5), MobileNetV2
// at 192x192 (mb192_dw_*: 96, 48, 24, 12, 6), 160x160 (mb160_dw_*: 80,
// 40, 20, 10, 5) and 256x256 (mb256_dw_*: the stride-1 16 and 8).
#include <limits>
#include <string>

#include "armconv/armconv.h"
#include "bench_cases.h"

namespace {

using namespace armconv;
using armconv::bench::Case;

Case dw_case(const std::string& name, int64_t c, int64_t stride, int64_t h, int64_t w,
             bool relu6) {
  const float hi = relu6 ? 6.0f : std::numeric_limits<float>::infinity();
  const float lo = relu6 ? 0.0f : -std::numeric_limits<float>::infinity();
  return bench::conv_case(name, Algo::Depthwise3x3, bench::conv_params(c, c, 3, stride, 1, c, lo, hi), h, w);
}

// A depthwise k x k layer without activation, padding k / 2 (dilation d:
// padding d * (k / 2)), as `auto` runs it.
Case dwk_case(const std::string& name, int64_t c, int64_t k, int64_t stride, int64_t h,
              int64_t d = 1) {
  Conv2dParams p = bench::conv_params(c, c, k, stride, d * (k / 2), c);
  p.dilation_h = p.dilation_w = d;
  return bench::conv_case(name, Algo::Auto, p, h, h);
}

int reg = [] {
  bench::add_case(dw_case("dw3x3s1_64_224x56", 64, 1, 224, 56, false));
  bench::add_case(dw_case("dw3x3s2_64_224x56", 64, 2, 224, 56, false));
  // MobileNet v1 (224x224 input), relu6 fused.
  bench::add_case(dw_case("mbv1_dw_s1_32_112", 32, 1, 112, 112, true));
  bench::add_case(dw_case("mbv1_dw_s2_64_112", 64, 2, 112, 112, true));
  bench::add_case(dw_case("mbv1_dw_s1_128_56", 128, 1, 56, 56, true));
  bench::add_case(dw_case("mbv1_dw_s2_128_56", 128, 2, 56, 56, true));
  bench::add_case(dw_case("mbv1_dw_s1_256_28", 256, 1, 28, 28, true));
  bench::add_case(dw_case("mbv1_dw_s2_256_28", 256, 2, 28, 28, true));
  bench::add_case(dw_case("mbv1_dw_s1_512_14", 512, 1, 14, 14, true));
  bench::add_case(dw_case("mbv1_dw_s2_512_14", 512, 2, 14, 14, true));
  bench::add_case(dw_case("mbv1_dw_s1_1024_7", 1024, 1, 7, 7, true));
  // MobileNetV2 (224x224 input), relu6 fused: features.1 .. features.7.
  bench::add_case(dw_case("mbv2_dw_32_112", 32, 1, 112, 112, true));
  bench::add_case(dw_case("mbv2_dw_s2_96_112", 96, 2, 112, 112, true));
  bench::add_case(dw_case("mbv2_dw_144_56", 144, 1, 56, 56, true));
  bench::add_case(dw_case("mbv2_dw_s2_144_56", 144, 2, 56, 56, true));
  bench::add_case(dw_case("mbv2_dw_192_28", 192, 1, 28, 28, true));
  bench::add_case(dw_case("mbv2_dw_s2_192_28", 192, 2, 28, 28, true));
  // The small-map layers (14x14, 14 -> 7, 7x7; with relu6: bench_nets.cpp's
  // mbv2_dw_*) and 28 -> 14 without the clamp (the kernels' other activation).
  bench::add_case(dw_case("mbv2_dw_s2_192_28_noclamp", 192, 2, 28, 28, false));
  bench::add_case(dw_case("mbv2_dw_384_14_noclamp", 384, 1, 14, 14, false));
  bench::add_case(dw_case("mbv2_dw_s2_576_14_noclamp", 576, 2, 14, 14, false));
  bench::add_case(dw_case("mbv2_dw_960_7_noclamp", 960, 1, 7, 7, false));
  // SSDLite-MobileNetV2 (300x300 input), relu6 fused: the backbone's
  // depthwise layers on 150 .. 10 and the extra layers' on 10 and 5.
  bench::add_case(dw_case("ssd_dw_32_150", 32, 1, 150, 150, true));
  bench::add_case(dw_case("ssd_dw_s2_96_150", 96, 2, 150, 150, true));
  bench::add_case(dw_case("ssd_dw_144_75", 144, 1, 75, 75, true));
  bench::add_case(dw_case("ssd_dw_s2_144_75", 144, 2, 75, 75, true));
  bench::add_case(dw_case("ssd_dw_192_38", 192, 1, 38, 38, true));
  bench::add_case(dw_case("ssd_dw_s2_192_38", 192, 2, 38, 38, true));
  bench::add_case(dw_case("ssd_dw_384_19", 384, 1, 19, 19, true));
  bench::add_case(dw_case("ssd_dw_s2_576_19", 576, 2, 19, 19, true));
  bench::add_case(dw_case("ssd_dw_960_10", 960, 1, 10, 10, true));
  bench::add_case(dw_case("ssd_dw_s2_512_10", 512, 2, 10, 10, true));
  bench::add_case(dw_case("ssd_dw_256_5", 256, 1, 5, 5, true));
  // MobileNetV2 at 192x192 and 160x160 input: the widths those add.
  bench::add_case(dw_case("mb192_dw_s2_96_96", 96, 2, 96, 96, true));
  bench::add_case(dw_case("mb192_dw_s2_144_48", 144, 2, 48, 48, true));
  bench::add_case(dw_case("mb192_dw_384_12", 384, 1, 12, 12, true));
  bench::add_case(dw_case("mb192_dw_960_6", 960, 1, 6, 6, true));
  bench::add_case(dw_case("mb160_dw_s2_96_80", 96, 2, 80, 80, true));
  bench::add_case(dw_case("mb160_dw_s2_144_40", 144, 2, 40, 40, true));
  bench::add_case(dw_case("mb160_dw_960_5", 960, 1, 5, 5, true));
  // MobileNetV2 at 256x256 input: its 16x16 and 8x8 stride-1 layers (maps
  // of whole vectors, one band).
  bench::add_case(dw_case("mb256_dw_384_16", 384, 1, 16, 16, true));
  bench::add_case(dw_case("mb256_dw_960_8", 960, 1, 8, 8, true));
  // Depthwise 5x5, stride 1 and 2.
  bench::add_case(dwk_case("dw5x5s1_64_56", 64, 5, 1, 56));
  bench::add_case(dwk_case("dw5x5s2_64_56", 64, 5, 2, 56));
  // EfficientNet-B0 (224x224 input): the 5x5 stages (expanded channels).
  bench::add_case(dwk_case("effb0_dw5x5_240_28", 240, 5, 1, 28));
  bench::add_case(dwk_case("effb0_dw5x5_672_14", 672, 5, 1, 14));
  bench::add_case(dwk_case("effb0_dw5x5s2_672_14", 672, 5, 2, 14));
  bench::add_case(dwk_case("effb0_dw5x5_1152_7", 1152, 5, 1, 7));
  // Other shapes: ConvNeXt-T's 7x7 (stage 2), a dilated 3x3 (DeepLab-style).
  bench::add_case(dwk_case("cnxt_dw7x7_192_28", 192, 7, 1, 28));
  bench::add_case(dwk_case("dw3x3d2_64_28", 64, 3, 1, 28, 2));
  // int8 depthwise 3x3 (relu6 folded into the int8 range is not modelled).
  bench::add_case(bench::qconv_case("qdw3x3s1_64_56", bench::conv_params(64, 64, 3, 1, 1, 64), 56, 56, false));
  bench::add_case(bench::qconv_case("qdw3x3s2_64_56", bench::conv_params(64, 64, 3, 2, 1, 64), 56, 56, false));
  // int8 depthwise 3x3 with float32 output (dequantized: a quantized layer
  // feeding a float one) on MobileNetV2's small maps (the rows kernels).
  bench::add_case(
      bench::qconv_case("qmbv2_dw_384_14_f32", bench::conv_params(384, 384, 3, 1, 1, 384, 0.0f, 6.0f), 14, 14, true));
  bench::add_case(
      bench::qconv_case("qmbv2_dw_s2_576_14_f32", bench::conv_params(576, 576, 3, 2, 1, 576, 0.0f, 6.0f), 14, 14, true));
  bench::add_case(
      bench::qconv_case("qmbv2_dw_960_7_f32", bench::conv_params(960, 960, 3, 1, 1, 960, 0.0f, 6.0f), 7, 7, true));
  // int8 depthwise 3x3 on MobileNetV2's large maps (the shapes of mbv2_dw_*
  // above; the 14x14 and 7x7 ones are bench_nets' qmbv2_dw_*), int8 and
  // float32 output.
  struct QDw {
    const char* name;
    int64_t c, s, hw;
  };
  const QDw qdw[] = {{"qmbv2_dw_32_112", 32, 1, 112},    {"qmbv2_dw_s2_96_112", 96, 2, 112},
                     {"qmbv2_dw_144_56", 144, 1, 56},    {"qmbv2_dw_s2_144_56", 144, 2, 56},
                     {"qmbv2_dw_192_28", 192, 1, 28},    {"qmbv2_dw_s2_192_28", 192, 2, 28}};
  for (const QDw& l : qdw) {
    const armconv::Conv2dParams cp = bench::conv_params(l.c, l.c, 3, l.s, 1, l.c, 0.0f, 6.0f);
    bench::add_case(bench::qconv_case(l.name, cp, l.hw, l.hw, false));
    bench::add_case(bench::qconv_case(std::string(l.name) + "_f32", cp, l.hw, l.hw, true));
  }
  return 0;
}();

}  // namespace
