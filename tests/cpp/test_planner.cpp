// The fp32 planner's cost model and its choices (src/core/conv2d.cpp,
// winograd_conv_cost() in conv_winograd.cpp, im2col_conv_cost() in
// conv_gemm.cpp):
//   1. the model against the instruction counts it was fitted to: 3x3
//      stride-1 layers (padding 1, no activation) forced to each algorithm,
//      bench/insncount.py 'pays_*' (aarch64, -cpu cortex-a72) and
//      bench/insncount.py --arch arm 'pays_*' (armv7, -cpu cortex-a15): the
//      tables below, the one of the ISA the test is built for (other
//      targets use aarch64's model); re-measure after changing a kernel;
//   2. on every layer of the table, `auto` runs the model's favourite, and
//      that costs at most 5% more than the measured best;
//   3. the algorithm the 3x3 layers of ResNet-18 and MobileNetV2 get, each
//      with its reason;
//   4. forcing each algorithm runs it on every map, and an `auto` layer's
//      output is the forced algorithm's, bit for bit;
//   5. mixed Winograd tilings (winograd63+23, winograd63+43, winograd43+23:
//      conv_winograd.cpp): the model (the sum of its regions' costs) against
//      their counts (bench/insncount.py 'pays_mix*', same CPUs), and `auto`
//      picks one exactly where the model finds it cheaper than every single
//      tile size and im2col, which the counts confirm (within 5%, as in 2);
//   6. stride 2 (winograd23s2, winograd43s2, winograd43s2+23s2): the model
//      against 'pays_*s2_*' counts, `auto`'s picks, forced and auto bits.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "rand.h"
#include "armconv/armconv.h"
#include "core/conv_impl.h"
#include "check.h"

using namespace armconv;
using namespace armconv::detail;

namespace {

const Algo kAlgos[4] = {Algo::Im2col, Algo::Winograd23, Algo::Winograd43, Algo::Winograd63};

// Cin, Cout, map (input = output, padding 1); instructions of one call for
// im2col, F(2,3), F(4,3), F(6,3).
struct Measured {
  int cin, cout, map;
  double insns[4];
};
#if defined(__arm__)
const Measured kMeasured[] = {  // armv7, cortex-a15
    {4, 4, 28, {189192, 179248, 101928, 88041}},
    {4, 16, 28, {299500, 350807, 202784, 172902}},
    {16, 4, 28, {507444, 437873, 254865, 211531}},
    {8, 8, 28, {395565, 300838, 173377, 144351}},
    {16, 16, 28, {918270, 703436, 409501, 345662}},
    {8, 8, 14, {114802, 78468, 60534, 62539}},
    {64, 64, 14, {2632590, 1464118, 1090160, 1131926}},
    {8, 8, 7, {40431, 28084, 23086, 33725}},
    {32, 32, 7, {238300, 160142, 111286, 176370}},
    {64, 64, 7, {772437, 479392, 309620, 509708}},
    {64, 64, 8, {830788, 474728, 303736, 506468}},
    {64, 64, 10, {1391418, 765302, 673742, 513866}},
    {64, 64, 12, {1873064, 1066488, 669382, 511564}},
    {256, 256, 7, {10523515, 5836692, 3435806, 5950890}},
    {256, 256, 14, {36957491, 19310856, 13254464, 15106314}},
    {64, 64, 4, {229443, 135861, 131895, 221807}},
    {64, 64, 5, {447340, 297640, 301964, 224420}},
    {64, 64, 6, {556097, 298944, 305716, 226124}},
    {16, 16, 7, {82538, 61662, 46562, 70893}},
    {16, 16, 14, {256374, 181526, 138656, 142504}},
    {8, 8, 10, {65121, 43169, 41031, 34135}},
    {4, 4, 14, {59046, 47826, 36581, 41420}},
    {4, 4, 7, {23169, 17805, 16319, 24223}},
    {3, 16, 56, {919199, 1387092, 781462, 626507}},
    {3, 32, 28, {366597, 623044, 363877, 312640}},
    {256, 256, 4, {3019528, 1515438, 1342378, 2342646}},
    {8, 64, 7, {110602, 125457, 98892, 154506}},
    {64, 8, 7, {241408, 131213, 92676, 138121}},
    {64, 64, 2, {128626, 62067, 131654, 221460}},
    {64, 64, 3, {235734, 137584, 133874, 223146}},
    {128, 128, 28, {37693406, 19613114, 11515806, 10238736}},
    {64, 64, 56, {39684471, 23044118, 13307346, 11558560}},
    {512, 512, 7, {41049513, 22951300, 12767366, 23494612}},
    {256, 256, 2, {1627437, 606409, 1341396, 2341208}},
    {16, 16, 56, {3547706, 2816926, 1608846, 1305386}},
    {32, 32, 3, {74394, 50314, 52023, 84079}},
    {128, 128, 1, {423797, 180045, 392763, 679690}},
    {16, 16, 1, {14816, 12200, 23032, 36698}},
};
#else
const Measured kMeasured[] = {  // aarch64, cortex-a72
    {4, 4, 28, {157958, 116228, 59074, 62156}},
    {4, 16, 28, {205034, 255281, 120766, 124960}},
    {16, 4, 28, {463220, 286093, 157570, 162538}},
    {8, 8, 28, {246482, 206325, 104542, 108378}},
    {16, 16, 28, {689900, 505810, 264818, 266794}},
    {8, 8, 14, {79919, 54478, 38894, 47713}},
    {64, 64, 14, {2250384, 1165216, 833148, 910474}},
    {8, 8, 7, {27580, 20209, 16191, 27797}},
    {32, 32, 7, {181138, 124610, 80102, 141643}},
    {64, 64, 7, {610819, 387140, 234947, 417449}},
    {64, 64, 8, {782519, 382724, 229619, 412953}},
    {64, 64, 10, {1200735, 608184, 503526, 419353}},
    {64, 64, 12, {1552528, 851020, 497958, 414569}},
    {256, 256, 7, {8383177, 4930042, 2857477, 5082441}},
    {256, 256, 14, {32320755, 15833219, 10994601, 12410934}},
    {64, 64, 4, {239536, 107711, 89751, 157917}},
    {64, 64, 5, {333934, 232495, 230819, 160397}},
    {64, 64, 6, {420214, 234655, 232755, 161965}},
    {16, 16, 7, {63465, 46295, 32915, 57417}},
    {16, 16, 14, {205164, 131884, 92769, 111059}},
    {8, 8, 10, {47653, 30150, 26257, 28035}},
    {4, 4, 14, {51365, 31088, 22940, 29838}},
    {4, 4, 7, {18488, 12191, 11536, 19475}},
    {3, 16, 56, {593596, 1006746, 466758, 455222}},
    {3, 32, 28, {261868, 466374, 217022, 221084}},
    {256, 256, 4, {3197802, 1280924, 978334, 1735266}},
    {8, 64, 7, {84526, 95772, 61902, 108471}},
    {64, 8, 7, {173718, 95436, 66773, 119208}},
    {64, 64, 2, {95640, 43728, 90199, 158061}},
    {64, 64, 3, {159964, 108959, 91463, 159405}},
    {128, 128, 28, {32237985, 16122670, 9130608, 8475474}},
    {64, 64, 56, {33017008, 18239468, 10025988, 9442476}},
    {512, 512, 7, {32632529, 19381099, 10874512, 20097062}},
    {256, 256, 2, {1214172, 448010, 980014, 1735730}},
    {16, 16, 56, {2557750, 2001638, 1034642, 1007962}},
    {32, 32, 3, {48253, 38343, 35273, 60573}},
    {128, 128, 1, {133228, 129060, 279013, 493502}},
    {16, 16, 1, {6352, 8766, 16652, 28354}},
};
#endif

Conv2dParams params3x3(int cin, int cout, int groups = 1, bool relu = false) {
  Conv2dParams p;
  p.in_channels = cin;
  p.out_channels = cout;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.groups = groups;
  if (relu) {
    p.clamp = true;
    p.out_min = 0.0f;
    p.out_max = INFINITY;
  }
  return p;
}

double model(Algo a, const Conv2dParams& p, int64_t ho, int64_t wo) {
  size_t core, edge;
  if (mixed_tiles(a, &core, &edge)) return winograd_tiling(p, core, edge, ho, wo).cost;
  switch (a) {
    case Algo::Winograd23: return winograd_conv_cost(p, 2, ho, wo);
    case Algo::Winograd43: return winograd_conv_cost(p, 4, ho, wo);
    case Algo::Winograd63: return winograd_conv_cost(p, 6, ho, wo);
    case Algo::Winograd23s2: return winograd_conv_cost(p, 2, ho, wo);
    case Algo::Winograd43s2: return winograd_conv_cost(p, 4, ho, wo);
    default: return im2col_conv_cost(p, ho, wo);
  }
}

std::vector<float> random_weights(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  armconv_test::Uniform<float> d(-1.0f, 1.0f);
  std::vector<float> w(n);
  for (float& v : w) v = d(rng);
  return w;
}

void test_model_against_counts() {
  double worst_w = 0, worst_i = 0;
  for (const Measured& m : kMeasured) {
    const Conv2dParams p = params3x3(m.cin, m.cout);
    for (int i = 0; i < 4; i++) {
      const double err = std::fabs(model(kAlgos[i], p, m.map, m.map) / m.insns[i] - 1);
      // Winograd: fitted to within 5.3% (armv7 10.4%); im2col to within 22%
      // (armv7 17%; few channels).
      const double tol = i == 0 ? 0.25 : 0.11;
      CHECK(err <= tol, "%s %d->%d %dx%d: model %.0f, measured %.0f", algo_name(kAlgos[i]), m.cin, m.cout,
            m.map, m.map, model(kAlgos[i], p, m.map, m.map), m.insns[i]);
      (i == 0 ? worst_i : worst_w) = std::max(i == 0 ? worst_i : worst_w, err);
    }
  }
  std::printf("model vs counts: Winograd within %.1f%%, im2col within %.1f%%\n", 100 * worst_w, 100 * worst_i);
}

void test_choices_against_counts() {
  for (const Measured& m : kMeasured) {
    const Conv2dParams p = params3x3(m.cin, m.cout);
    const double best = *std::min_element(m.insns, m.insns + 4);
    int fav = 0;
    for (int i = 1; i < 4; i++)
      if (model(kAlgos[i], p, m.map, m.map) < model(kAlgos[fav], p, m.map, m.map)) fav = i;
    CHECK(m.insns[fav] <= 1.05 * best, "%d->%d %dx%d: the model favours %s (%.0f), the best costs %.0f", m.cin,
          m.cout, m.map, m.map, algo_name(kAlgos[fav]), m.insns[fav], best);
    const std::vector<float> w = random_weights(size_t(m.cin) * size_t(m.cout) * 9, 1);
    const Conv2d layer(p, w.data(), nullptr);
    const Algo a = layer.algo_for(m.map, m.map);
    size_t core, edge;
    if (mixed_tiles(a, &core, &edge))  // (the mixed tilings' counts: test_mixed_against_counts)
      CHECK(model(a, p, m.map, m.map) < model(kAlgos[fav], p, m.map, m.map) &&
                winograd_tiling(p, core, edge, m.map, m.map).count > 1,
            "%d->%d %dx%d: auto runs %s, the model favours %s", m.cin, m.cout, m.map, m.map, algo_name(a),
            algo_name(kAlgos[fav]));
    else
      CHECK(a == kAlgos[fav], "%d->%d %dx%d: auto runs %s, the model favours %s", m.cin, m.cout, m.map, m.map,
            algo_name(a), algo_name(kAlgos[fav]));
  }
}

const Algo kMixes[3] = {Algo::Winograd63x23, Algo::Winograd63x43, Algo::Winograd43x23};

// Mixed tilings measured whole (bench/insncount.py 'pays_mix*': mix6323,
// mix6343, mix4323), Cin, Cout, map as above; the single tile sizes' counts
// of the same layers are in kMeasured where they are there.
struct MeasuredMix {
  int cin, cout, map;
  double insns[3];
};
#if defined(__arm__)
const MeasuredMix kMeasuredMix[] = {  // armv7, cortex-a15
    {64, 64, 7, {506632, 610072, 521762}},
    {512, 512, 7, {19739400, 23475262, 21676254}},
    {64, 64, 10, {762126, 718800, 639454}},
    {8, 8, 14, {74778, 86078, 81614}},
    {16, 16, 14, {147818, 170576, 165940}},
    {64, 64, 14, {990476, 1128430, 1148600}},
    {256, 256, 14, {11295964, 12689722, 13332368}},
    {32, 32, 20, {607486, 682950, 579728}},
    {4, 16, 28, {215782, 197706, 207502}},
    {16, 16, 28, {423672, 372668, 414242}},
    {128, 128, 28, {11575960, 9717374, 11522604}},
    {16, 16, 56, {1318562, 1369186, 1617452}},
    {64, 64, 56, {11248442, 11579740, 13323244}},
};
#else
const MeasuredMix kMeasuredMix[] = {  // aarch64, cortex-a72
    {64, 64, 7, {368953, 440244, 395140}},
    {512, 512, 7, {15665721, 18697536, 17952124}},
    {64, 64, 10, {575914, 507006, 482393}},
    {8, 8, 14, {54240, 61015, 52338}},
    {16, 16, 14, {108124, 121084, 110811}},
    {64, 64, 14, {775309, 856444, 858714}},
    {256, 256, 14, {9445941, 10444896, 10852368}},
    {32, 32, 20, {460510, 497464, 402955}},
    {4, 16, 28, {155027, 132994, 122101}},
    {16, 16, 28, {314142, 266511, 264832}},
    {128, 128, 28, {9589708, 7907276, 9098387}},
    {16, 16, 56, {989838, 1007682, 1029272}},
    {64, 64, 56, {9036648, 9213483, 9982486}},
};
#endif

void test_mixed_against_counts() {
  double worst = 0;
  for (const MeasuredMix& m : kMeasuredMix) {
    const Conv2dParams p = params3x3(m.cin, m.cout);
    for (int i = 0; i < 3; i++) {
      const double err = std::fabs(model(kMixes[i], p, m.map, m.map) / m.insns[i] - 1);
      CHECK(err <= 0.11, "%s %d->%d %dx%d: model %.0f, measured %.0f", algo_name(kMixes[i]), m.cin, m.cout, m.map,
            m.map, model(kMixes[i], p, m.map, m.map), m.insns[i]);
      worst = std::max(worst, err);
    }
    // Where `auto` runs a mixed tiling, it costs at most 5% more than the
    // measured best of the single tile sizes and im2col (where kMeasured has
    // them), as test_choices_against_counts asks of the single tile sizes
    // (armv7 16->16 56x56: F(6,3)+F(2,3) 1.32 M, F(6,3) 1.31 M).
    const std::vector<float> w = random_weights(size_t(m.cin) * size_t(m.cout) * 9, 1);
    const Conv2d layer(p, w.data(), nullptr);
    const Algo a = layer.algo_for(m.map, m.map);
    for (const Measured& s : kMeasured) {
      if (s.cin != m.cin || s.cout != m.cout || s.map != m.map) continue;
      const double best = *std::min_element(s.insns, s.insns + 4);
      for (int i = 0; i < 3; i++)
        if (a == kMixes[i])
          CHECK(m.insns[i] <= 1.05 * best, "%d->%d %dx%d: auto runs %s (%.0f), the best single costs %.0f", m.cin,
                m.cout, m.map, m.map, algo_name(a), m.insns[i], best);
    }
  }
  std::printf("model vs counts: mixed tilings within %.1f%%\n", 100 * worst);
}

// ---- stride 2 ------------------------------------------------------------------
//
// 3x3 stride-2 layers (padding 1, no activation) forced to im2col, F(2,3)s2,
// F(4,3)s2 and F(4,3)s2+F(2,3)s2 (bench/insncount.py 'pays_*s2_*',
// bench/bench_winograd_s2.cpp; map: the input's): the model against the
// counts (the stride-2 transforms' own terms, the rest of the Winograd model
// and the im2col model as fitted at stride 1), and `auto`'s pick within 6%
// of the measured best.
const Algo kS2Algos[4] = {Algo::Im2col, Algo::Winograd23s2, Algo::Winograd43s2, Algo::Winograd43s2x23s2};
#if defined(__arm__)
const Measured kMeasuredS2[] = {  // armv7, cortex-a15
    {4, 4, 28, {57285, 64423, 70602, 90375}},
    {16, 16, 28, {239406, 251298, 277955, 282697}},
    {8, 8, 14, {37888, 37892, 43480, 67467}},
    {64, 64, 14, {703253, 713870, 656007, 855164}},
    {64, 64, 28, {2534770, 2190538, 2356356, 2173971}},
    {32, 32, 7, {69035, 73004, 107431, 110843}},
    {64, 64, 7, {224188, 205493, 285060, 288467}},
    {16, 16, 56, {821989, 984011, 851265, 855052}},
    {3, 32, 56, {296551, 827744, 709391, 713406}},
    {64, 128, 56, {18338508, 16212249, 13644828, 13649588}},
    {128, 256, 28, {18090018, 14547770, 15275827, 13685288}},
    {256, 512, 14, {18429456, 18674932, 14709552, 19143277}},
    {512, 512, 7, {11640632, 8780227, 10936536, 10939918}},
    {64, 64, 3, {92966, 91797, 280617, 95144}},
    {64, 64, 27, {2569750, 2210842, 2374100, 2168291}},
    {128, 128, 15, {3046734, 2452040, 2137684, 2141138}},
    {32, 64, 112, {19139100, 19502601, 16853699, 16862413}},
    {256, 256, 9, {5006522, 5406473, 7543791, 6587781}},
};
#else
const Measured kMeasuredS2[] = {  // aarch64, cortex-a72
    {4, 4, 28, {33554, 35153, 39712, 53360}},
    {16, 16, 28, {201008, 156810, 167722, 173520}},
    {8, 8, 14, {28493, 23111, 28856, 44253}},
    {64, 64, 14, {603483, 543696, 479036, 619156}},
    {64, 64, 28, {2213337, 1643074, 1737506, 1562737}},
    {32, 32, 7, {63903, 51428, 70329, 72563}},
    {64, 64, 7, {209623, 154492, 189215, 191449}},
    {16, 16, 56, {687852, 608698, 497157, 499490}},
    {3, 32, 56, {229127, 496348, 397028, 399462}},
    {64, 128, 56, {16098551, 12555207, 10266067, 10268905}},
    {128, 256, 28, {15956379, 11801849, 12351958, 10799205}},
    {256, 512, 14, {15970383, 15254838, 12291360, 15402604}},
    {512, 512, 7, {10813739, 7477356, 8113267, 8115497}},
    {64, 64, 3, {72193, 62285, 189533, 64515}},
    {64, 64, 27, {2235203, 1658978, 1750354, 1565713}},
    {128, 128, 15, {2736441, 1968408, 1673752, 1675980}},
    {32, 64, 112, {16689006, 14032525, 11617981, 11622635}},
    {256, 256, 9, {4266670, 4397436, 6256088, 4990412}},
};
#endif

Conv2dParams params3x3s2(int cin, int cout) {
  Conv2dParams p = params3x3(cin, cout);
  p.stride_h = p.stride_w = 2;
  return p;
}

void test_s2_against_counts() {
  double worst[4] = {0, 0, 0, 0};
  for (const Measured& m : kMeasuredS2) {
    const Conv2dParams p = params3x3s2(m.cin, m.cout);
    const int64_t o = (m.map - 1) / 2 + 1;  // output side
    double best = HUGE_VAL, model_best = HUGE_VAL;
    int fav = 0;
    for (int i = 0; i < 4; i++) {
      const double est = model(kS2Algos[i], p, o, o);
      const double err = std::fabs(est / m.insns[i] - 1);
      worst[i] = std::max(worst[i], err);
      // (im2col: its model was fitted at stride 1; on a 2x2 output of 64
      // channels it overestimates by 35%, where Winograd wins anyway)
      CHECK(err <= (i == 0 ? 0.36 : 0.11), "%s %d->%d %dx%d: model %.0f, measured %.0f", algo_name(kS2Algos[i]),
            m.cin, m.cout, m.map, m.map, est, m.insns[i]);
      best = std::min(best, m.insns[i]);
      // (what `auto` compares: a Winograd estimate over the margin of
      // conv2d.cpp's kS2WinoMargin, 0.9 on armv7, 0.95 on aarch64; a mixed
      // tiling only with more than one region)
      if (i == 3 && winograd_tiling(p, 4, 2, o, o).count == 1) continue;
#if defined(__arm__)
      const double margin = 0.9;
#else
      const double margin = 0.95;
#endif
      const double pick = i == 0 ? est : est / margin;
      if (pick < model_best) model_best = pick, fav = i;
    }
    const std::vector<float> w = random_weights(size_t(m.cin) * size_t(m.cout) * 9, 1);
    const Conv2d layer(p, w.data(), nullptr);
    const Algo a = layer.algo_for(m.map, m.map);
    CHECK(a == kS2Algos[fav], "s2 %d->%d %dx%d: auto runs %s, the model favours %s", m.cin, m.cout, m.map, m.map,
          algo_name(a), algo_name(kS2Algos[fav]));
    // (within 6%: aarch64 4->4 28x28 runs F(2,3)s2, 4.8% above im2col; few
    // channels, where every algorithm costs little)
    CHECK(m.insns[fav] <= 1.06 * best, "s2 %d->%d %dx%d: auto runs %s (%.0f), the best costs %.0f", m.cin, m.cout,
          m.map, m.map, algo_name(kS2Algos[fav]), m.insns[fav], best);
  }
  std::printf("model vs counts, stride 2: im2col within %.1f%%, F(2,3)s2 %.1f%%, F(4,3)s2 %.1f%%, mixed %.1f%%\n",
              100 * worst[0], 100 * worst[1], 100 * worst[2], 100 * worst[3]);
}

// One conv layer of a network: what `auto` runs on it, and why.
struct NetLayer {
  const char* name;
  int cin, cout, k, stride, groups, map;  // input map
  Algo expect;
  const char* why;
};

void test_network_layers() {
  const NetLayer layers[] = {
      // ResNet-18: the 3x3 stride-1 layers (conv + BN + ReLU; the second of a
      // block has no ReLU before the sum, both cost the same here). The
      // reasons quote cortex-a72 counts; cortex-a15's rank the same.
#if defined(__arm__)
      {"resnet18 layer1 3x3 64->64 56x56", 64, 64, 3, 1, 1, 56, Algo::Winograd63x23,
       "F(6,3) on 54x54 + F(2,3) on the 2-wide border: 11.25 M instructions, F(6,3) 11.56 M, F(6,3)+F(4,3) "
       "11.58 M"},
      {"resnet18 layer2 3x3 128->128 28x28", 128, 128, 3, 1, 1, 28, Algo::Winograd63x43,
       "F(6,3) on 24x24 + F(4,3) on the 4-wide border: 9.72 M, F(6,3) 10.24 M, F(4,3) 11.52 M"},
      {"resnet18 layer3 3x3 256->256 14x14", 256, 256, 3, 1, 1, 14, Algo::Winograd63x23,
       "F(6,3) on 12x12 + F(2,3) on the 2-wide border: 11.30 M, F(4,3) 13.26 M, F(6,3) 15.11 M"},
      {"resnet18 layer4 3x3 512->512 7x7", 512, 512, 3, 1, 1, 7, Algo::Winograd43,
       "F(4,3): 12.77 M, F(6,3)+F(2,3) 19.74 M, F(6,3) 23.49 M"},
#else
      // (the mixed tilings' counts: kMeasuredMix, 64->64 56x56 etc., no relu)
      {"resnet18 layer1 3x3 64->64 56x56", 64, 64, 3, 1, 1, 56, Algo::Winograd63x23,
       "F(6,3) on 54x54 + F(2,3) on the 2-wide border: 9.04 M instructions, F(6,3) 9.40 M (56x56 computed "
       "as 60x60), F(6,3)+F(4,3) 9.21 M"},
      {"resnet18 layer2 3x3 128->128 28x28", 128, 128, 3, 1, 1, 28, Algo::Winograd63x43,
       "F(6,3) on 24x24 + F(4,3) on the 4-wide border: 7.91 M, F(6,3) 8.45 M (30x30 computed), F(4,3) 9.10 M"},
      {"resnet18 layer3 3x3 256->256 14x14", 256, 256, 3, 1, 1, 14, Algo::Winograd63x23,
       "F(6,3) on 12x12 + F(2,3) on the 2-wide border: 9.45 M, F(4,3) 10.97 M (16x16 computed), F(6,3) 12.36 M "
       "(18x18)"},
      {"resnet18 layer4 3x3 512->512 7x7", 512, 512, 3, 1, 1, 7, Algo::Winograd43,
       "F(4,3): 10.85 M, F(6,3)+F(2,3) 15.67 M (F(2,3) tiles on 1-wide borders compute 2 for 1), F(6,3) 20.06 M"},
#endif
      // MobileNetV2 has no dense 3x3 stride-1 layer (its 3x3 layers are
      // depthwise, or the stride-2 stem): none gets a Winograd tiling.
      // ResNet-18's 3x3 stride-2 layers: the stride-2 Winograd (kMeasuredS2
      // holds the counts, no relu; cortex-a15's rank the same).
      {"resnet18 layer2.0 3x3 s2 64->128 56x56", 64, 128, 3, 2, 1, 56, Algo::Winograd43s2,
       "F(4,3)s2 on the 28x28 output (a multiple of 4): 10.27 M instructions, F(2,3)s2 12.56 M, im2col 16.10 M"},
      {"resnet18 layer3.0 3x3 s2 128->256 28x28", 128, 256, 3, 2, 1, 28, Algo::Winograd43s2x23s2,
       "F(4,3)s2 on 12x12 of the 14x14 output + F(2,3)s2 on the 2-wide border: 10.80 M, F(2,3)s2 11.80 M, "
       "F(4,3)s2 12.35 M (16x16 computed), im2col 15.96 M"},
      {"resnet18 layer4.0 3x3 s2 256->512 14x14", 256, 512, 3, 2, 1, 14, Algo::Winograd43s2,
       "F(4,3)s2 on the 7x7 output (8x8 computed): 12.29 M, F(2,3)s2 15.25 M, F(4,3)s2+F(2,3)s2 15.40 M (F(2,3)s2 "
       "tiles on 3-wide borders), im2col 15.97 M"},
      // Not Winograd's shapes, or Winograd does not pay: the 3-channel
      // stride-2 stem (3->32 56x56 measures im2col 0.23 M, F(4,3)s2 0.40 M:
      // one k-quad of 3 channels, the transforms per output dominate), 7x7.
      {"resnet18 stem 7x7 s2 3->64 224x224", 3, 64, 7, 2, 1, 224, Algo::Im2col, "7x7"},
      {"mobilenetv2 stem 3x3 s2 3->32 224x224", 3, 32, 3, 2, 1, 224, Algo::Im2col,
       "3 input channels: F(4,3)s2's transforms per output cost more than im2col's GEMM"},
      {"mobilenetv2 depthwise 3x3 s1 96 14x14", 96, 96, 3, 1, 96, 14, Algo::Depthwise3x3, "depthwise"},
      {"mobilenetv2 depthwise 3x3 s2 144 56x56", 144, 144, 3, 2, 144, 56, Algo::Depthwise3x3, "depthwise"},
      {"mobilenetv2 pointwise 1x1 32->16 112x112", 32, 16, 1, 1, 1, 112, Algo::Gemm, "1x1"},
      // Grouped 3x3, 16 channels per group: each group is a 16->16 layer.
#if defined(__arm__)
      {"grouped 3x3 64->64 g4 28x28", 64, 64, 3, 1, 4, 28, Algo::Winograd63,
       "per group F(6,3): 16->16 28x28 measures 0.346 M on cortex-a15, F(4,3) 0.410 M, F(6,3)+F(4,3) 0.373 M"},
#else
      {"grouped 3x3 64->64 g4 28x28", 64, 64, 3, 1, 4, 28, Algo::Winograd43,
       "per group F(4,3): 16->16 28x28 measures 0.263 M, F(6,3) 0.265 M (equal within the fit), F(6,3)+F(4,3) "
       "0.267 M"},
#endif
      {"grouped 3x3 160->160 g10 14x14", 160, 160, 3, 1, 10, 14, Algo::Winograd43,
       "per group F(4,3): 16->16 14x14 measures 0.093 M, F(6,3) 0.111 M, F(6,3)+F(2,3) 0.108 M (aarch64; "
       "few channels: the F(2,3) borders' transforms and GEMM calls weigh)"},
  };
  for (const NetLayer& l : layers) {
    Conv2dParams p = params3x3(l.cin, l.cout, l.groups, true);
    p.kernel_h = p.kernel_w = l.k;
    p.stride_h = p.stride_w = l.stride;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = l.k / 2;
    const std::vector<float> w = random_weights(size_t(l.cout) * size_t(l.cin / l.groups) * l.k * l.k, 2);
    const Conv2d layer(p, w.data(), nullptr);
    const Algo a = layer.algo_for(l.map, l.map);
    CHECK(a == l.expect, "%s: auto runs %s, expected %s (%s)", l.name, algo_name(a), algo_name(l.expect), l.why);
  }
}

// Forced algorithms run on every map; `auto` gives the forced algorithm's
// bits (on some of these maps a mixed tiling's).
void test_forced_and_auto() {
  int mixed_auto = 0;
  std::mt19937 rng(3);
  armconv_test::Uniform<float> d(-1.0f, 1.0f);
  for (int cin : {3, 16, 40, 64})
    for (int groups : {1, 2}) {
      const int cout = cin == 64 ? 64 : 8 * groups;  // (64->64 on 14x14: winograd63+23)
      if (cin % groups) continue;
      const Conv2dParams p = params3x3(cin, cout, groups, true);
      const std::vector<float> w = random_weights(size_t(cout) * size_t(cin / groups) * 9, 4);
      const std::vector<float> b = random_weights(size_t(cout), 5);
      const Conv2d autol(p, w.data(), b.data());
      for (Algo a : {kAlgos[0], kAlgos[1], kAlgos[2], kAlgos[3], kMixes[0], kMixes[1], kMixes[2]}) {
        const Conv2d forced(p, w.data(), b.data(), a);
        CHECK(forced.algo() == a, "forced %s reports %s", algo_name(a), algo_name(forced.algo()));
        for (int s : {1, 2, 5, 7, 9, 14, 29}) {
          CHECK(forced.algo_for(s, s) == a, "forced %s runs %s on %dx%d", algo_name(a),
                algo_name(forced.algo_for(s, s)), s, s);
          if (autol.algo_for(s, s) != a) continue;
          size_t core, edge;
          mixed_auto += mixed_tiles(a, &core, &edge);
          std::vector<float> x(size_t(2) * cin * s * s), y0(size_t(2) * cout * s * s), y1(y0.size());
          for (float& v : x) v = d(rng);
          autol.run(x.data(), 2, s, s, y0.data());
          forced.run(x.data(), 2, s, s, y1.data());
          CHECK(y0 == y1, "auto (%s) and forced differ: %d->%d g%d %dx%d", algo_name(a), cin, cout, groups, s, s);
        }
      }
    }
  CHECK(mixed_auto > 0, "auto ran no mixed tiling on these layers");
}

// Stride 2: forcing each algorithm runs it on every map; `auto` gives the
// forced algorithm's bits where it picks it (and picks the stride-2
// Winograd somewhere).
void test_s2_forced_and_auto() {
  int wino_auto = 0;
  std::mt19937 rng(7);
  armconv_test::Uniform<float> d(-1.0f, 1.0f);
  for (int cin : {8, 64}) {
    Conv2dParams p = params3x3s2(cin, cin);
    p.clamp = true;
    p.out_min = 0.0f;
    p.out_max = INFINITY;
    const std::vector<float> w = random_weights(size_t(cin) * size_t(cin) * 9, 4);
    const std::vector<float> b = random_weights(size_t(cin), 5);
    const Conv2d autol(p, w.data(), b.data());
    for (Algo a : kS2Algos) {
      const Conv2d forced(p, w.data(), b.data(), a);
      for (int s : {1, 3, 7, 14, 28, 29}) {
        CHECK(forced.algo_for(s, s) == a, "forced %s runs %s on %dx%d", algo_name(a), algo_name(forced.algo_for(s, s)),
              s, s);
        if (autol.algo_for(s, s) != a) continue;
        wino_auto += a != Algo::Im2col;
        const int64_t o = (s - 1) / 2 + 1;
        std::vector<float> x(size_t(2) * cin * s * s), y0(size_t(2) * cin * o * o), y1(y0.size());
        for (float& v : x) v = d(rng);
        autol.run(x.data(), 2, s, s, y0.data());
        forced.run(x.data(), 2, s, s, y1.data());
        CHECK(y0 == y1, "s2 auto (%s) and forced differ: %d->%d %dx%d", algo_name(a), cin, cin, s, s);
      }
    }
  }
  CHECK(wino_auto > 0, "auto ran no stride-2 Winograd on these layers");
}

}  // namespace

int main() {
  test_model_against_counts();
  test_choices_against_counts();
  test_network_layers();
  test_forced_and_auto();
  test_mixed_against_counts();
  test_s2_against_counts();
  test_s2_forced_and_auto();
  if (failures) std::printf("%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
