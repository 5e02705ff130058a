// Winograd F(m x m, 3x3) convolution (operator side) for tile sides m = 2,
// 4, 6: 3x3, stride 1, dilation 1, any padding, any groups; and at stride 2
// for m = 2, 4 (core/winograd.h, stride-2 section: transform side n = 2m + 1,
// tile t's patch at input 2 m t - pad; everything below holds with that n,
// a block's staging box spanning s m k + 3 - s pixels for k tiles at stride
// s: wino_box_side()). Matrices and
// kernel contracts: core/winograd.h; transforms: core/winograd_kernels.h;
// per-position GEMM: core/wino_gemm.h. The cost model the fp32 planner
// chooses the tile size with is at the end of this file.
//
// Everything between the image and the output rows is nc4 vectors (4
// channels of one pixel, or of one transform position): the input transform
// writes them, the per-position GEMM multiplies them lane by lane (k in the
// lanes: wino_gemm_fn) and writes 4 output channels per vector, which the
// output transform reads. No transposes until the NCHW store. With n = m + 2
// the transform side and P = n^2 the number of positions (16, 36, 64):
//
// Construction: per group, U = G g G^T for every (out, in) channel pair of
// the group, in double, then for each of the P transform positions the
// group's Cout/g x Cin/g matrix U[p] is packed in blocks of 8 output
// channels: group gi, block b, input channel k at
//   U_gi + p * mpad * kpad + b * 8 * kpad + 8 k    (8 floats; Cout/g padded
// to mpad (8), Cin/g to kpad (4), zeros). Groups are independent
// convolutions; a grouped layer is all of them planned as one piece of work.
//
// Work units (core/plan.h): (image x group, block of T tiles, chunk of at
// most MC output channels), the chunk innermost; tiles go in raster order
// within a strip of at most kStripTiles tile columns. A unit runs, per chunk
// of at most KC input channels (in order, so that cuts do not change the
// bits):
//   1. input: for each group of 4 input channels of the chunk, the block's
//      bounding box of the input (rows and columns outside the image read as
//      zero: the padding is virtual) is interleaved into nc4 (`stage`), then
//      V = B^T d B of each tile is stored, per position p, as
//        V_p + (j / 8) * 8 * kc + q * nb * 4 + (j % 8) * 4   (tile j, quad q,
//      nb = tiles in j's group of 8): the GEMM's "v" with v_quad = 4 nb.
//   2. P GEMMs M_p (+)= U_p V_p, one wino_gemm_fn call each, the chunks of
//      input channels accumulating into M. M_p holds tile j's channels at
//      M_p + j * MC. The bias rides on position (1, 1) (see core/winograd.h):
//      the first chunk of that GEMM starts from it (the fp16 F(4,3): 16
//      positions start from it scaled, WinoMatrices::bias_x).
//   3. output: Y = A^T M A per tile and 4 output channels, clamped, written
//      to NCHW (edge tiles cut to the map).
//
// Scratch per worker (does not grow with H x W): V is P x T x KC floats, M is
// P x T x MC, plus the staging box. T is chosen so that chunks of 128
// channels keep each of V and M within kBufBytes (T <= 64, a multiple of 8
// while the map has more tiles than that), then KC and MC share 2 x
// kBufBytes (plan()): at most ~530 KB in all. With one chunk of input
// channels (the usual case: up to ~190 channels on large maps, more on small
// ones, whose blocks are all of their few tiles) the units of a block share
// one input transform; with several, each output chunk re-runs it.
// Threads on maps with few tile blocks (plan_for_threads): splitting the
// output channels or tiles of a block among threads would make each thread
// transform the block's input again and cut the GEMMs into more, smaller
// calls. Such a plan runs in three stages (core/plan.h) over the one-thread
// plan's blocks and chunks, with V and M of the whole call in one buffer the
// call's threads share:
//   stage 0: step 1, V of every block and input chunk (per block: the
//            chunks' V one after the other, each laid out as above), in units
//            of (image x group, block, a run of input-channel quads);
//   stage 1: step 2, into M (per block and output chunk: the unit's M
//            above), in units of (image x group, block, output chunk x a run
//            of positions): each position's GEMMs are independent;
//   stage 2: step 3, in units of (image x group, block, a run of the
//            block's tiles x a run of output quads).
// Every V float, GEMM call and output tile is the one-stage plan's, computed
// the same way: the bits do not change, and nothing is computed twice.
// The packed U takes P x g x mpad x kpad floats: about P / 9 times the 3x3
// weights (1.8x, 4x, 7.1x for F(2,3), F(4,3), F(6,3)).
//
// Windows and mixed tilings. A plan covers an output window (WinoPlan y0,
// x0, wh, ww; the whole map unless it is a region of a mixed tiling): tiles
// are laid from the window's origin, their input patches are read at that
// offset (the padding stays virtual: rows and columns outside the image read
// as zero), edge tiles are cut to the window, and outputs are stored at the
// full map's strides. A mixed tiling (algo "winograd63+23", "winograd63+43",
// "winograd43+23": winograd_tiling()) cuts the map into up to three windows,
// each run at its own tile size: F(core,3) on the largest part that is a
// multiple of the core tile, F(edge,3) on the right and bottom borders it
// leaves. A map that is not a multiple of its tile wastes the tiles' cut
// rows and columns; the border strips waste less at a smaller tile: 14x14
// at F(4,3) is 16 tiles x 36 positions = 576 products per channel pair,
// F(6,3) on 12x12 (4 x 64) and F(2,3) on the 2-wide border (13 x 16) is 464.
// Each output is computed by one tile of one size, so it is exactly as
// accurate as that tile size (never an F(m > 6) tile: fp32 F(7,3) measured
// ~30x F(6,3)'s error). WinogradMixed plans each region with the layer's
// F(m,3) implementation (WinogradConv::plan_window; for threads
// plan_for_threads_window, so a region with few tile blocks runs in stages)
// and strings their units together in every stage, as runs of each
// region's units weighed by the cost model (core/plan.h, WinoMixPlan: one
// super-block of runs per thread of the team it is planned for, each cut
// from its region by cost; that team's ranges are cut by the runs' costs
// once, when planning); scratch is the largest region's, the shared buffer
// of a plan in stages every region's one after the other. The layer keeps
// the plans it made (WinogradMixed::kept): a call plans only for an input
// size and thread count the layer has not seen. An `auto` layer's mixed
// tiling runs on the same packed U as its single tile sizes (one packing
// per tile size, made when a plan first needs it).
//
// fp16 (precision="fp16", F(2,3) and F(4,3) on {0, +-2/3, +-3/2, inf}:
// core/winograd.h): the same driver on the WinoF16T traits below. U is
// binary16, packed in blocks of 16 output channels (mpad: 16) per input
// channel; V is binary16 with k in the 8 lanes of a vector (kpad: 8; "quad"
// above reads "octet"), written by an input transform that takes the
// octet's staging: F(2,3) two 4-channel fp32 boxes (fp32 arithmetic, then
// rounded), F(4,3) one nc8 binary16 box (the image rounded as it is
// staged, binary16 arithmetic); the GEMM is wino_gemm_f16_fn (runs of input
// channels summed into fp32 M); M and the output transform are fp32 as
// above (F(4,3): 16 output channels per output transform call), the output
// stored as float32 or binary16 (the image's type: X, Y below).
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "core/buffer.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/half.h"
#include "core/wino_gemm.h"
#include "core/winograd.h"

namespace armconv {
namespace detail {

namespace {

const double kBT23[4 * 4] = {1, 0, -1, 0,  0, 1, 1, 0,  0, -1, 1, 0,  0, 1, 0, -1};
const double kG23[4 * 3] = {1, 0, 0,  0.5, 0.5, 0.5,  0.5, -0.5, 0.5,  0, 0, 1};
const double kAT23[2 * 4] = {1, 1, 1, 0,  0, 1, -1, -1};

const double kBT43[6 * 6] = {
    4, 0, -5, 0, 1, 0,   0, -4, -4, 1, 1, 0,  0, 4, -4, -1, 1, 0,
    0, -2, -1, 2, 1, 0,  0, 2, -1, -2, 1, 0,  0, 4, 0, -5, 0, 1,
};
const double kG43[6 * 3] = {
    1.0 / 4, 0, 0,
    -1.0 / 6, -1.0 / 6, -1.0 / 6,
    -1.0 / 6, 1.0 / 6, -1.0 / 6,
    1.0 / 24, 1.0 / 12, 1.0 / 6,
    1.0 / 24, -1.0 / 12, 1.0 / 6,
    0, 0, 1,
};
const double kAT43[4 * 6] = {
    1, 1, 1, 1, 1, 0,  0, 1, -1, 2, -2, 0,  0, 1, 1, 4, 4, 0,  0, 1, -1, 8, -8, 1,
};

const double kBT63[8 * 8] = {
    1, 0, -21.0 / 4, 0, 21.0 / 4, 0, -1, 0,
    0, 1, 1, -17.0 / 4, -17.0 / 4, 1, 1, 0,
    0, -1, 1, 17.0 / 4, -17.0 / 4, -1, 1, 0,
    0, 0.5, 0.25, -2.5, -1.25, 2, 1, 0,
    0, -0.5, 0.25, 2.5, -1.25, -2, 1, 0,
    0, 2, 4, -2.5, -5, 0.5, 1, 0,
    0, -2, 4, 2.5, -5, -0.5, 1, 0,
    0, -1, 0, 21.0 / 4, 0, -21.0 / 4, 0, 1,
};
const double kG63[8 * 3] = {
    1, 0, 0,
    -2.0 / 9, -2.0 / 9, -2.0 / 9,
    -2.0 / 9, 2.0 / 9, -2.0 / 9,
    1.0 / 90, 1.0 / 45, 2.0 / 45,
    1.0 / 90, -1.0 / 45, 2.0 / 45,
    32.0 / 45, 16.0 / 45, 8.0 / 45,
    32.0 / 45, -16.0 / 45, 8.0 / 45,
    0, 0, 1,
};
const double kAT63[6 * 8] = {
    1, 1, 1, 1, 1, 1, 1, 0,
    0, 1, -1, 2, -2, 0.5, -0.5, 0,
    0, 1, 1, 4, 4, 0.25, 0.25, 0,
    0, 1, -1, 8, -8, 0.125, -0.125, 0,
    0, 1, 1, 16, 16, 1.0 / 16, 1.0 / 16, 0,
    0, 1, -1, 32, -32, 1.0 / 32, -1.0 / 32, 1,
};

// F(4,3) on {0, +-2/3, +-3/2, inf} (the fp16 Winograd; core/winograd.h).
const double kBT43h[6 * 6] = {
    1, 0, -97.0 / 36, 0, 1, 0,
    0, -1.5, -2.25, 2.0 / 3, 1, 0,
    0, 1.5, -2.25, -2.0 / 3, 1, 0,
    0, -2.0 / 3, -4.0 / 9, 1.5, 1, 0,
    0, 2.0 / 3, -4.0 / 9, -1.5, 1, 0,
    0, 1, 0, -97.0 / 36, 0, 1,
};
const double kG43h[6 * 3] = {
    1, 0, 0,
    -18.0 / 65, -12.0 / 65, -8.0 / 65,
    -18.0 / 65, 12.0 / 65, -8.0 / 65,
    12.0 / 65, 18.0 / 65, 27.0 / 65,
    12.0 / 65, -18.0 / 65, 27.0 / 65,
    0, 0, 1,
};
const double kAT43h[4 * 6] = {
    1, 2.25, 2.25, 2.0 / 3, 2.0 / 3, 0,
    0, 1.5, -1.5, 1, -1, 0,
    0, 1, 1, 1.5, 1.5, 0,
    0, 2.0 / 3, -2.0 / 3, 2.25, -2.25, 1,
};
const double kBiasX43h[6] = {-1.25, 5.0 / 6, 1.0 / 6, 0, 0, 5.0 / 9};
const WinoMatrices kMatrices43h = {4, 6, kBT43h, kG43h, kAT43h, kBiasX43h};

// int8 F(2,3) (core/winograd.h, int8 section): G scaled by 2, so that U' =
// (2G) g (2G)^T = 4 G g G^T is an integer matrix (computed exactly in double).
const double kG23x2[4 * 3] = {2, 0, 0,  1, 1, 1,  1, -1, 1,  0, 0, 2};
const WinoMatrices kMatrices23s8 = {2, 4, kBT23, kG23x2, kAT23};

const WinoMatrices kMatrices[3] = {
    {2, 4, kBT23, kG23, kAT23}, {4, 6, kBT43, kG43, kAT43}, {6, 8, kBT63, kG63, kAT63}};

// Stride 2 (core/winograd.h): B'^T, G', A'^T of F(2,3)s2 (F(2,2) on {0, 1,
// inf}) and F(4,3)s2 (F(4,2) on {0, 1, -1, 2, inf}), natural-order patches.
const double kBT23s2[5 * 5] = {
    1, 0, -1, 0, 0,
    0, 0, 1, 0, 0,
    0, 0, -1, 0, 1,
    0, 1, 0, 0, 0,
    0, 0, 0, 1, 0,
};
const double kG23s2[5 * 3] = {
    1, 0, 0,
    1, 0, 1,
    0, 0, 1,
    0, 1, 0,
    0, 1, 0,
};
const double kAT23s2[2 * 5] = {
    1, 1, 0, 1, 0,
    0, 1, 1, 0, 1,
};
const double kBT43s2[9 * 9] = {
    2, 0, -1, 0, -2, 0, 1, 0, 0,
    0, 0, 2, 0, 1, 0, -1, 0, 0,
    0, 0, 2, 0, -3, 0, 1, 0, 0,
    0, 0, -1, 0, 0, 0, 1, 0, 0,
    0, 0, 2, 0, -1, 0, -2, 0, 1,
    0, 1, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 1, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 1, 0,
};
const double kG43s2[9 * 3] = {
    1.0 / 2, 0, 0,
    1.0 / 2, 0, 1.0 / 2,
    -1.0 / 6, 0, 1.0 / 6,
    1.0 / 6, 0, 1.0 / 3,
    0, 0, 1,
    0, 1, 0,
    0, 1, 0,
    0, 1, 0,
    0, 1, 0,
};
const double kAT43s2[4 * 9] = {
    1, 1, 1, 1, 0, 1, 0, 0, 0,
    0, 1, -1, 2, 0, 0, 1, 0, 0,
    0, 1, 1, 4, 0, 0, 0, 1, 0,
    0, 1, -1, 8, 1, 0, 0, 0, 1,
};
const WinoMatrices kMatricesS2[2] = {{2, 5, kBT23s2, kG23s2, kAT23s2}, {4, 9, kBT43s2, kG43s2, kAT43s2}};

// Budget of each of V and M: together they are an L2's worth on Cortex-A72
// (1 MB shared) and A76 (512 KB).
constexpr size_t kBufBytes = 256 * 1024;
// Channel chunks (MC, KC) on maps of at least a block of tiles, and the
// largest tile blocks (T).
constexpr size_t kMaxChunk = 128;
constexpr size_t kMaxBlock = 64;
// Widest strip of tiles one block's staging box may span.
constexpr size_t kStripTiles = 32;
// Smallest chunk of output channels a plan for threads cuts (8 would make the
// per-position GEMM calls' fixed costs weigh).
constexpr size_t kMinThreadChunk = 16;
// Largest V and M a plan in stages shares among its threads (the whole
// call's; with a staging box it stays within a thread's cached scratch,
// kMaxCachedScratch).
constexpr size_t kMaxShared = size_t(6) << 20;
// Units per `target` unit (kUnitsPerThread per thread) each stage of a plan
// in stages offers where it can: cutting its axes costs nothing but the
// unit's own few instructions, and finer units split by cost more evenly.
constexpr size_t kStageUnits = 2;

// Parts of the cost model at the end of this file (estimated instructions):
// one wino_gemm_fn call of m8 8-channel blocks, n tiles and kq k-quads; the
// input transform of one k-quad of nt tiles from a rows x cols staging box;
// the output transform of one tile x 4 channels. Plans for threads weigh
// their units with them.
double wino_gemm_cost(size_t m8, size_t n, size_t kq);
double wino_input_cost(size_t m, size_t s, size_t nt, size_t rows, size_t cols);
double wino_output_cost(size_t m, size_t s, bool clamp);

// The side of the input box that k consecutive F(m x m) tiles at stride s
// read: s m (k - 1) + n, n = s (m - 1) + 3 (tiles overlap by n - s m).
constexpr size_t wino_box_side(size_t m, size_t s, size_t k) { return s * m * k + 3 - s; }

// `total` split into equal chunks of at most `most` (at least `step`),
// each a multiple of `step`.
size_t equal_chunk(size_t total, size_t most, size_t step) {
  most = std::max(step, most / step * step);
  return round_up(div_up(total, div_up(total, most)), step);
}

// The blocking of one group's F(m, 3) on an ho x wo output map, the input
// channels padded to kpad (a multiple of kstep: 4 for fp32, 8 for fp16), the
// output ones to mpad (of mstep: 8, 16): everything of WinoPlan (plan() and
// the cost model share it). Sizes are reckoned in floats for both (fp16's V
// of binary16 takes half of what is reckoned).
void wino_geometry(size_t m, size_t s, size_t kpad, size_t mpad, size_t ho, size_t wo, WinoPlan* wp,
                   size_t kstep = 4, size_t mstep = 8) {
  const size_t npos = wino_side(m, s) * wino_side(m, s);
  wp->m = m;
  wp->wh = ho;
  wp->ww = wo;
  wp->tiles_y = div_up(ho, m);
  wp->tiles_x = div_up(wo, m);
  const size_t ntx = std::min(kStripTiles, wp->tiles_x);
  wp->strips = div_up(wp->tiles_x, kStripTiles);
  // Tiles per block on large maps: V and M of a block within kBufBytes each
  // at chunks of up to kMaxChunk channels.
  const size_t per_tile = npos * std::max(std::min(mpad, kMaxChunk), std::min(kpad, kMaxChunk)) * sizeof(float);
  const size_t block = std::min(kMaxBlock, std::max<size_t>(8, kBufBytes / per_tile / 8 * 8));
  wp->t = std::min(block, wp->tiles_y * ntx);
  wp->blocks_full = div_up(wp->tiles_y * ntx, wp->t);
  wp->blocks_last = div_up(wp->tiles_y * (wp->tiles_x - (wp->strips - 1) * kStripTiles), wp->t);
  wp->blocks = (wp->strips - 1) * wp->blocks_full + wp->blocks_last;
  // Chunks: V and M of a block share 2 x kBufBytes. All input channels in
  // one chunk when V takes at most 3/4 of it (then V is transformed once per
  // block and shared by the output chunks, which take the rest), else chunks
  // of about half each, at least kMaxChunk channels (which T was chosen
  // for); equal chunks rather than full ones and a sliver.
  const size_t per_ch = npos * wp->t * sizeof(float);  // bytes of one channel of V or M
  const size_t fit = 2 * kBufBytes / per_ch;
  if (4 * kpad <= 3 * fit) {
    wp->kc = kpad;
    wp->mc = equal_chunk(mpad, std::max(mstep, fit - kpad), mstep);
  } else {
    wp->kc = equal_chunk(kpad, std::max(kMaxChunk, fit / 2), kstep);
    wp->mc = equal_chunk(mpad, std::max(kMaxChunk, fit - wp->kc), mstep);
  }
  wp->m_chunks = div_up(mpad, wp->mc);
  // A block spans at most ceil(t / ntx) + 1 tile rows (it may start mid-row).
  const size_t trows = std::min(wp->tiles_y, div_up(wp->t, ntx) + 1);
  wp->box_rows = wino_box_side(m, s, trows);
  wp->box_cols = wino_box_side(m, s, ntx);
  wp->v_floats = npos * wp->t * wp->kc;
  wp->m_floats = npos * wp->t * wp->mc;
  wp->stage_floats = wp->box_rows * wp->box_cols * 4;
}

// The unit indices (image x group, then three inner axes of sizes s1, s2,
// s3) of a stage's units from unit u on, stepped one unit at a time: one
// division per axis for the first unit of a range, none per unit after it
// (armv7 divides in software).
struct Odometer {
  size_t size[4], at[4];
  Odometer(size_t u, size_t s1, size_t s2, size_t s3) : size{0, s1, s2, s3} {
    for (int i = 3; i > 0; i--) {
      at[i] = u % size[i];
      u /= size[i];
    }
    at[0] = u;
  }
  // To the next unit; returns the outermost axis whose index changed.
  int next() {
    for (int i = 3; i > 0; i--) {
      if (++at[i] < size[i]) return i;
      at[i] = 0;
    }
    ++at[0];
    return 0;
  }
};

// ---- element traits --------------------------------------------------------------
//
// The one driver below is instantiated for fp32 and for fp16 (precision
// "fp16": core/winograd.h, fp16 section); the traits hold what differs:
// the element of U and V, how many input channels one V vector holds (kLanes:
// a quad of floats, an octet of binary16) and output channels one packed U
// block (kMBlock), the kernels and how they are called. In the fp16 driver a
// "quad" of the comments and of WinoPlan (k_quads_per_unit) is an octet.

struct WinoF32 {
  using Elem = float;
  using Acc = float;    // M
  using Stage = float;  // the staging box: nc4 (kStageLanes channels per pixel)
  using Base = ConvImpl;
  static constexpr size_t kLanes = 4, kMBlock = 8, kStageLanes = 4, kOutLanes = 4;
  struct Kernels {
    const WinoKernels* tx;
    const WinoGemmKernels* gemm;
  };
  static Kernels kernels_for(size_t m, size_t s) {
    return {s == 2 ? kernels().winograd_s2[wino_s2_index(m)] : kernels().winograd[wino_index(m)],
            kernels().wino_gemm};
  }
  static const WinoMatrices& matrices(size_t m, size_t s) { return s == 2 ? wino_matrices_s2(m) : wino_matrices(m); }
  static Elem round(double s) { return float(s); }
  static size_t run_octets(size_t /*m*/, size_t /*cg*/) { return 0; }  // (no runs)
  static void gemm(const Kernels& k, size_t /*run*/, size_t mblocks, size_t n, size_t kgroups, const Elem* u,
                   size_t u_stride, const Elem* v, float* c, size_t ldc, const float* bias, bool accumulate) {
    k.gemm->gemm(mblocks, n, kgroups, u, u_stride, v, c, ldc, bias, accumulate);
  }
  static void input(const Kernels& k, const float* const* box, size_t row, Elem* dst, size_t dst_pos) {
    k.tx->input(box[0], row, dst, dst_pos);
  }
  static void pack(const Kernels& k, const float* x, size_t ch_stride, size_t nch, size_t lo, size_t n,
                   size_t hi, float* dst) {
    k.tx->pack_nc4(x, ch_stride, nch, lo, n, hi, dst);
  }
  static void output(const Kernels& k, const float* m, size_t src_pos, float* dst, size_t rows, size_t cols,
                     size_t nch, size_t dst_ch, size_t dst_row, const Conv2dParams& p, size_t /*ch*/) {
    k.tx->output(m, src_pos, WinoOutTile{dst, rows, cols}, nch, dst_ch, dst_row, p.clamp, p.out_min, p.out_max);
  }
};

// H8: F(4,3)'s binary16 input side (core/winograd.h: one nc8 binary16
// staging box per octet, V computed in binary16); else F(2,3)'s (two nc4
// fp32 boxes per octet, fp32 transforms).
template <bool H8>
struct WinoF16T {
  using Elem = Half;
  using Acc = float;
  using Stage = std::conditional_t<H8, Half, float>;
  using Base = ConvImplF16;
  // (kOutLanes: output channels per output transform call; F(4,3): 16)
  static constexpr size_t kLanes = 8, kMBlock = 16, kStageLanes = H8 ? 8 : 4, kOutLanes = H8 ? 16 : 4;
  struct Kernels {
    const WinoF16Kernels* tx;
    const WinoGemmF16Kernels* gemm;
  };
  static Kernels kernels_for(size_t m) {
    return {kernels().winograd_f16[m == 4 ? 1 : 0], kernels().wino_gemm_f16};
  }
  static const WinoMatrices& matrices(size_t m, size_t /*s: 1*/) { return wino_matrices_f16(m); }
  static Elem round(double s) { return round_half(s); }
  // Runs of the GEMM, in octets, for F(m,3) with cg input channels per
  // group (bench/wino_fp16_study.py's emulation, max|err| / max|ref|): 32
  // channels, except 16 for F(4,3) up to 48 channels, where one or two runs
  // of 32 would be most of the sum (runs of 32 at Cin 32: median 7.5e-3,
  // max 1.06e-2 over 20 seeds; runs of 16 at Cin 24..48: max 7.8e-3).
  static size_t run_octets(size_t m, size_t cg) { return m == 4 && cg <= kShortRunChannels ? 2 : 4; }
  static constexpr size_t kShortRunChannels = 48;
  static void gemm(const Kernels& k, size_t run, size_t mblocks, size_t n, size_t kgroups, const Elem* u,
                   size_t u_stride, const Elem* v, float* c, size_t ldc, const float* bias, bool accumulate) {
    k.gemm->gemm(mblocks, n, kgroups, run, u, u_stride, v, c, ldc, bias, accumulate);
  }
  static void input(const Kernels& k, const Stage* const* box, size_t row, Elem* dst, size_t dst_pos) {
    if constexpr (H8)
      k.tx->input_h8(box[0], row, dst, dst_pos);
    else
      k.tx->input(box[0], box[1], row, dst, dst_pos);
  }
  static void pack(const Kernels& k, const float* x, size_t ch_stride, size_t nch, size_t lo, size_t n,
                   size_t hi, Stage* dst) {
    if constexpr (H8)
      k.tx->pack_nc8h(x, ch_stride, nch, lo, n, hi, dst);
    else
      k.tx->pack_nc4(x, ch_stride, nch, lo, n, hi, dst);
  }
  static void pack(const Kernels& k, const Half* x, size_t ch_stride, size_t nch, size_t lo, size_t n,
                   size_t hi, Stage* dst) {
    if constexpr (H8)
      k.tx->pack_nc8h_h(x, ch_stride, nch, lo, n, hi, dst);
    else
      k.tx->pack_nc4_h(x, ch_stride, nch, lo, n, hi, dst);
  }
  static void output(const Kernels& k, const float* m, size_t src_pos, float* dst, size_t rows, size_t cols,
                     size_t nch, size_t dst_ch, size_t dst_row, const Conv2dParams& p, size_t /*ch*/) {
    k.tx->output(m, src_pos, WinoOutTile{dst, rows, cols}, nch, dst_ch, dst_row, p.clamp, p.out_min, p.out_max);
  }
  static void output(const Kernels& k, const float* m, size_t src_pos, Half* dst, size_t rows, size_t cols,
                     size_t nch, size_t dst_ch, size_t dst_row, const Conv2dParams& p, size_t /*ch*/) {
    k.tx->output_h(m, src_pos, WinoOutTileH{dst, rows, cols}, nch, dst_ch, dst_row, p.clamp, p.out_min,
                   p.out_max);
  }
};
using WinoF16 = WinoF16T<false>;   // F(2,3)
using WinoF16H = WinoF16T<true>;   // F(4,3)


// int8 (QConv2d, core/winograd.h int8 section): U' = (2G) g (2G)^T exact in
// int16, packed in blocks of 8 output channels; the image staged as one nc8
// int16 box (8 channels per 16-byte pixel: the same bytes as an nc4 float
// box); V int16 with k in the 8 lanes (an "octet" where the comments say
// quad); M int32; no bias in the GEMM (the output transform adds bias_q
// after the exact division by 4) and the output stage of the layer
// (S8Output: requantization or float dequantization).
struct WinoS8 {
  using Elem = int16_t;
  using Acc = int32_t;
  using Stage = int16_t;
  using Base = ConvImplS8;
  static constexpr size_t kLanes = 8, kMBlock = 8, kStageLanes = 8, kOutLanes = 4;
  struct Kernels {
    const WinoS8Kernels* tx;
    const WinoGemmS16Kernels* gemm;
    const S8Output* out;  // the layer's (QuantLayer::out)
  };
  static const WinoMatrices& matrices(size_t /*m: 2*/, size_t /*s: 1*/) { return kMatrices23s8; }
  static Elem round(double s) { return int16_t(std::lrint(s)); }  // (s is an exact integer)
  static size_t run_octets(size_t /*m*/, size_t /*cg*/) { return 0; }
  static void gemm(const Kernels& k, size_t /*run*/, size_t mblocks, size_t n, size_t kgroups, const Elem* u,
                   size_t u_stride, const Elem* v, Acc* c, size_t ldc, const float* /*bias: none*/,
                   bool accumulate) {
    k.gemm->gemm(mblocks, n, kgroups, u, u_stride, v, c, ldc, accumulate);
  }
  static void input(const Kernels& k, const Stage* const* box, size_t row, Elem* dst, size_t dst_pos) {
    k.tx->input(box[0], row, dst, dst_pos);
  }
  static void pack(const Kernels& k, const int8_t* x, size_t ch_stride, size_t nch, size_t lo, size_t n,
                   size_t hi, Stage* dst) {
    k.tx->pack_nc8(x, ch_stride, nch, lo, n, hi, dst);
  }
  static void output(const Kernels& k, const Acc* m, size_t src_pos, int8_t* dst, size_t rows, size_t cols,
                     size_t nch, size_t dst_ch, size_t dst_row, const Conv2dParams& /*p*/, size_t ch) {
    k.tx->output_s8(m, src_pos, dst, rows, cols, nch, dst_ch, dst_row, *k.out, ch);
  }
  static void output(const Kernels& k, const Acc* m, size_t src_pos, float* dst, size_t rows, size_t cols,
                     size_t nch, size_t dst_ch, size_t dst_row, const Conv2dParams& /*p*/, size_t ch) {
    k.tx->output_f(m, src_pos, dst, rows, cols, nch, dst_ch, dst_row, *k.out, ch);
  }
};

template <class T>
class WinogradConv : public T::Base {
  using Elem = typename T::Elem;
  using Acc = typename T::Acc;
  using Stage = typename T::Stage;
  // V vector lanes, U block rows, staging lanes per pixel, boxes per V vector.
  static constexpr size_t L = T::kLanes, MB = T::kMBlock, SL = T::kStageLanes, NB = L / SL, OL = T::kOutLanes;

 public:
  WinogradConv(const Conv2dParams& p, size_t m, const float* weight, const float* bias,
               const typename T::Kernels& k)
      : p_(p),
        m_(m),
        s_(size_t(p.stride_h)),
        n_(wino_side(m, s_)),
        npos_(n_ * n_),
        k_(k) {
    g_ = size_t(p.groups);
    cg_ = size_t(p.in_channels) / g_;
    mg_ = size_t(p.out_channels) / g_;
    kpad_ = round_up(cg_, L);
    mpad_ = round_up(mg_, MB);
    run_ = T::run_octets(m, cg_);
    bias_off_.fill(kNoBias);
    bias_spread_ = false;
    if (!weight) return;  // plan only (core/conv_impl.h)
    const WinoMatrices& mx = T::matrices(m, s_);
    const size_t n = n_, gsize = npos_ * mpad_ * kpad_;
    // U[p][co][ci] = sum_{u,v} G[i][u] g[co][ci][u][v] G[j][v], p = n i + j.
    packed_u_.reset(g_ * gsize);  // zero-filled: the padding
    double gg[9][3];              // G g
    for (size_t gi = 0; gi < g_; gi++)
      for (size_t co = 0; co < mg_; co++)
        for (size_t ci = 0; ci < cg_; ci++) {
          const float* w = weight + ((gi * mg_ + co) * cg_ + ci) * 9;
          for (size_t i = 0; i < n; i++)
            for (size_t v = 0; v < 3; v++)
              gg[i][v] = mx.g[3 * i] * w[v] + mx.g[3 * i + 1] * w[3 + v] + mx.g[3 * i + 2] * w[6 + v];
          Elem* u = packed_u_.data() + gi * gsize + (co / MB) * MB * kpad_ + ci * MB + co % MB;
          for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
              const double s = gg[i][0] * mx.g[3 * j] + gg[i][1] * mx.g[3 * j + 1] + gg[i][2] * mx.g[3 * j + 2];
              u[(n * i + j) * mpad_ * kpad_] = T::round(s);
            }
        }
    // The bias: M of the positions that have a bias_off_ starts from it
    // (the first input chunk's GEMM), one copy per such position (a slot of
    // g_ x mpad_ floats at bias_off_): at (1, 1) unchanged, or
    // (mx.bias_x) scaled by x_i x_j.
    if (bias) {
      size_t slots = 0;
      for (size_t pos = 0; pos < npos_; pos++)
        if (mx.bias_x ? mx.bias_x[pos / n] * mx.bias_x[pos % n] != 0 : pos == wino_bias_pos_n(n))
          bias_off_[pos] = slots++ * g_ * mpad_;
      bias_spread_ = mx.bias_x != nullptr;
      bias_.reset(slots * g_ * mpad_);
      for (size_t pos = 0; pos < npos_; pos++) {
        if (bias_off_[pos] == kNoBias) continue;
        const double f = mx.bias_x ? mx.bias_x[pos / n] * mx.bias_x[pos % n] : 1.0;
        float* dst = bias_.data() + bias_off_[pos];
        for (size_t gi = 0; gi < g_; gi++)
          for (size_t o = 0; o < mg_; o++) dst[gi * mpad_ + o] = float(f * double(bias[gi * mg_ + o]));
      }
    }
  }

  ConvPlan plan(int64_t n, int64_t h, int64_t w) const override { return plan_window(n, h, w, nullptr); }

  // The plan of the tiles of one output window (a region of a mixed tiling:
  // its m is this layer's; nullptr: the whole map). Its units write that
  // window only.
  ConvPlan plan_window(int64_t n, int64_t h, int64_t w, const WinoRegion* win) const {
    ConvPlan pl;
    pl.algo = s_ == 2 ? (m_ == 2 ? "winograd23s2" : "winograd43s2")
                      : m_ == 2 ? "winograd23" : m_ == 4 ? "winograd43" : "winograd63";
    pl.n = n;
    pl.h = h;
    pl.w = w;
    output_size(p_, h, w, &pl.ho, &pl.wo);
    const WinoRegion r = win ? *win : WinoRegion{m_, 0, 0, size_t(pl.ho), size_t(pl.wo)};
    WinoPlan& wp = pl.wino;
    wino_geometry(m_, s_, kpad_, mpad_, r.h, r.w, &wp, L, MB);
    wp.y0 = r.y0;
    wp.x0 = r.x0;
    pl.macs = conv_macs(p_, pl) * double(r.h * r.w) / double(pl.ho * pl.wo);
    // A direct-convolution MAC costs about 3.6 / (MACs per instruction) of an
    // fp32 GEMM's (F(6,3) 5-12, F(4,3) 4-8, F(2,3) 2-4): what a team's size goes by.
    // (stride 2 takes its tile side's: F(4,3)s2 measures 4.6-5.3 MACs/insn, F(2,3)s2 3.7-4.8)
    pl.cost_per_mac = m_ == 6 ? 0.4 : m_ == 4 ? 0.55 : 0.8;
    units(&pl);
    return pl;
  }

  // Threads: kUnitsPerThread units per thread, from smaller tile blocks (down
  // to 8 tiles, the GEMM's widest register block), then, with all input
  // channels in one chunk, smaller chunks of output channels (down to
  // kMinThreadChunk; consecutive units of a block share its input transform,
  // so a finer chunk repeats a transform only where a thread's range starts
  // inside a block; with several input chunks every unit transforms its
  // block anew, so those are left as they are). The sums do not change: the
  // input chunks (kc) stay, an output chunk only selects rows of U, and tile
  // blocks stay multiples of 8 tiles, so each tile keeps its place in the
  // GEMM's 8-, 4-, 2- and 1-tile register blocks (the armv7 kernel sums 2-
  // and 1-tile blocks in several accumulators: another place would change
  // the bits).
  //
  // When the map has fewer tile blocks than that (small maps), the plan runs
  // in three stages instead (see the top of the file), if the whole call's V
  // and M fit kMaxShared: the one-thread plan's blocks and chunks, cut into
  // units along input quads (stage 0), positions (stage 1) and output quads
  // (stage 2), which repeats no work.
  ConvPlan plan_for_threads(int64_t n, int64_t h, int64_t w, int threads) const override {
    return plan_for_threads_window(n, h, w, threads, nullptr);
  }
  ConvPlan plan_for_threads_window(int64_t n, int64_t h, int64_t w, int threads, const WinoRegion* win) const {
    ConvPlan pl = plan_window(n, h, w, win);
    WinoPlan& wp = pl.wino;
    const size_t target = kUnitsPerThread * size_t(threads);
    if (pl.units < target && staged_plan(&pl, target)) return pl;
    while (pl.units < target && wp.t > 8) {
      retile(&wp, std::max<size_t>(8, wp.t / 2 / 8 * 8), wp.mc);
      units(&pl);
    }
    if (wp.kc >= kpad_)
      for (size_t chunks = wp.m_chunks; pl.units < target && wp.mc > kMinThreadChunk;) {
        const size_t mc = std::max(kMinThreadChunk, round_up(div_up(mpad_, ++chunks), MB));
        if (mc >= wp.mc) continue;
        retile(&wp, wp.t, mc);
        units(&pl);
      }
    units(&pl, true);
    return pl;
  }


 protected:
  // X, Y: float, or (fp16) Half images.
  template <class X, class Y>
  void run_t(const ConvPlan& pl, const X* x, Y* y, size_t begin, size_t end, void* scratch) const {
    const WinoPlan& wp = pl.wino;
    if (wp.staged) throw Error("internal: a Winograd plan in stages runs through run_stage()");
    // Not zeroed: every element of V, M and the staging box that is read was
    // written before (by the input transform, the GEMM, the staging) in the
    // same unit.
    Elem* vbuf = static_cast<Elem*>(scratch);
    Acc* mbuf = reinterpret_cast<Acc*>(vbuf + wp.v_floats) + 16;
    Stage* stage = reinterpret_cast<Stage*>(mbuf + wp.m_floats + 16);
    const size_t h = size_t(pl.h), w = size_t(pl.w), ho = size_t(pl.ho), wo = size_t(pl.wo);
    const size_t hw = h * w, howo = ho * wo, per_ig = wp.blocks * wp.m_chunks;
    // With one chunk of input channels, V does not depend on the output chunk:
    // consecutive units of the same tile block transform the input once.
    const bool one_k_chunk = kpad_ <= wp.kc;
    size_t v_block = SIZE_MAX;  // (image x group) * blocks + block whose V is in vbuf
    for (size_t u = begin; u < end; u++) {
      // Unit: image-group ig (image b, group gi), tile block bi, output
      // chunk mi.
      const size_t ig = u / per_ig, bi = u % per_ig / wp.m_chunks, mi = u % wp.m_chunks;
      const size_t b = ig / g_, gi = ig % g_;
      const Block bk = block_of(wp, bi);
      const X* xg = x + (b * g_ + gi) * cg_ * hw;
      Y* yg = y + (b * g_ + gi) * mg_ * howo;
      const Elem* ug = packed_u_.data() + gi * npos_ * mpad_ * kpad_;
      const float* bias = bias_.size() ? bias_.data() + gi * mpad_ : nullptr;
      const size_t m0 = mi * wp.mc, mn = std::min(wp.mc, mpad_ - m0);
      for (size_t k0 = 0; k0 < kpad_; k0 += wp.kc) {
        const size_t kn = std::min(wp.kc, kpad_ - k0);
        if (!one_k_chunk || v_block != u / wp.m_chunks)
          input_block(xg, h, w, wp, bk, k0, kn, 0, kn / L, stage, vbuf);
        v_block = u / wp.m_chunks;
        gemm_chunk(wp, ug, bias, m0, mn, k0, kn, bk.nt, vbuf, mbuf);
      }
      output_block(yg, ho, wo, wp, bk, m0, std::min(mg_, m0 + wp.mc), mbuf, 0, bk.nt, gi * mg_);
    }
  }

  // A plan in stages (plan_for_threads): stage 0 writes V of its units'
  // blocks and input quads into `shared`, stage 1 the GEMMs of its positions
  // into M (after V in `shared`), stage 2 the output transform of its output
  // quads from there.
  template <class X, class Y>
  void run_stage_t(const ConvPlan& pl, int stage, const X* x, Y* y, size_t begin, size_t end, void* scratch,
                   void* shared) const {
    const WinoPlan& wp = pl.wino;
    if (!wp.staged) {
      run_t(pl, x, y, begin, end, scratch);
      return;
    }
    Elem* vall = static_cast<Elem*>(shared);
    Acc* mall = reinterpret_cast<Acc*>(static_cast<unsigned char*>(shared) + shared_v_bytes(pl));
    const size_t h = size_t(pl.h), w = size_t(pl.w), ho = size_t(pl.ho), wo = size_t(pl.wo);
    const size_t hw = h * w, howo = ho * wo;
    const size_t chunk_floats = npos_ * wp.t * wp.kc;  // one input chunk's V of a block
    if (stage == 0) {
      Stage* stage_box = static_cast<Stage*>(scratch);
      const size_t quads = kpad_ / L, chunk_quads = wp.kc / L;
      Odometer o(begin, wp.blocks, wp.k_units, 1);
      Block bk = block_of(wp, o.at[1]);
      for (size_t u = begin; u < end; u++) {
        // Unit: image-group ig, tile block bi, input quads [q0, q1).
        const size_t ig = o.at[0], bi = o.at[1];
        const X* xg = x + ig * cg_ * hw;  // (image b, group gi): b * g_ + gi = ig
        Elem* slab = vall + (ig * wp.blocks + bi) * wp.slab_floats;
        const size_t q0 = o.at[2] * wp.k_quads_per_unit, q1 = std::min(quads, q0 + wp.k_quads_per_unit);
        for (size_t q = q0; q < q1;) {  // by input chunk
          const size_t ci = q / chunk_quads, k0 = ci * wp.kc, kn = std::min(wp.kc, kpad_ - k0);
          const size_t qe = std::min(q1, ci * chunk_quads + kn / L);
          input_block(xg, h, w, wp, bk, k0, kn, q - ci * chunk_quads, qe - ci * chunk_quads, stage_box,
                      slab + ci * chunk_floats);
          q = qe;
        }
        if (o.next() < 2) bk = block_of(wp, o.at[1]);  // a new block
      }
      return;
    }
    if (stage == 1) {
      Odometer o(begin, wp.blocks, wp.m_chunks, wp.pos_units);
      Block bk = block_of(wp, o.at[1]);
      for (size_t u = begin; u < end; u++) {
        // Unit: image-group ig, tile block bi, output chunk mi, positions [p0, p1).
        const size_t ig = o.at[0], bi = o.at[1], mi = o.at[2];
        const size_t p0 = o.at[3] * wp.pos_per_unit, p1 = std::min(npos_, p0 + wp.pos_per_unit);
        const size_t gi = ig % g_;
        const Elem* ug = packed_u_.data() + gi * npos_ * mpad_ * kpad_;
        const float* bias = bias_.size() ? bias_.data() + gi * mpad_ : nullptr;
        const Elem* slab = vall + (ig * wp.blocks + bi) * wp.slab_floats;
        Acc* mslab = mall + ((ig * wp.blocks + bi) * wp.m_chunks + mi) * wp.m_slab_floats;
        const size_t m0 = mi * wp.mc, mn = std::min(wp.mc, mpad_ - m0);
        for (size_t k0 = 0, ci = 0; k0 < kpad_; k0 += wp.kc, ci++)
          gemm_chunk(wp, ug, bias, m0, mn, k0, std::min(wp.kc, kpad_ - k0), bk.nt, slab + ci * chunk_floats,
                     mslab, p0, p1);
        if (o.next() < 2) bk = block_of(wp, o.at[1]);
      }
      return;
    }
    Odometer o(begin, wp.blocks, wp.tile_runs, wp.o_units);
    Block bk = block_of(wp, o.at[1]);
    for (size_t u = begin; u < end; u++) {
      // Unit: image-group ig, tile block bi, the block's tiles [j0, j1),
      // output channels [o0, o1).
      const size_t ig = o.at[0], bi = o.at[1], tr = o.at[2];
      const size_t j0 = tr * bk.nt / wp.tile_runs, j1 = (tr + 1) * bk.nt / wp.tile_runs;
      Y* yg = y + ig * mg_ * howo;
      const size_t o0 = o.at[3] * wp.o_quads_per_unit * 4, o1 = std::min(mg_, o0 + wp.o_quads_per_unit * 4);
      for (size_t mi = o0 / wp.mc, m0 = mi * wp.mc; m0 < o1; mi++, m0 += wp.mc) {  // by output chunk
        const size_t lo = std::max(o0, m0);
        output_block(yg, ho, wo, wp, bk, lo, std::min(o1, m0 + wp.mc),
                     mall + ((ig * wp.blocks + bi) * wp.m_chunks + mi) * wp.m_slab_floats + (lo - m0), j0, j1,
                     (ig % g_) * mg_);
      }
      if (o.next() < 2) bk = block_of(wp, o.at[1]);
    }
  }

 private:
  // The plan's units, their costs and its scratch, from its WinoPlan.
  // Plans for threads (weigh) have the costs of their units' last indices
  // from the cost model (a leftover tile of the GEMM costs more than its
  // share of an 8-tile group); a one-thread plan, which nothing splits, by
  // tiles and channels. A plan for threads's every stage grid also says what
  // its full unit costs by the model (unit_cost: a mixed plan weighs its
  // regions' units with it, WinogradMixed).
  void units(ConvPlan* pl, bool weigh = false) const {
    const WinoPlan& wp = pl->wino;
    const size_t images = size_t(pl->n) * g_;
    // The last tile block of the map (nt tiles) and the last output chunk
    // may be smaller.
    const Block full = block_of(wp, 0), last = block_of(wp, wp.blocks - 1);
    const size_t mc_last = mpad_ - (wp.m_chunks - 1) * wp.mc;
    auto unit_cost = [&](const Block& bk, size_t mn) {
      return gemm_cost(wp, bk.nt, mn) + output_cost(bk.nt, mn) +
             (kpad_ <= wp.kc ? input_cost(bk) / double(wp.m_chunks) : input_cost(bk));
    };
    pl->axes[0] = images;
    pl->axes[1] = wp.blocks;
    pl->axes[2] = wp.m_chunks;
    pl->last_cost[0] = 1.0;
    pl->last_cost[1] = weigh ? std::min(1.0, unit_cost(last, wp.mc) / unit_cost(full, wp.mc))
                             : double(last.nt) / double(full.nt);
    pl->last_cost[2] = weigh ? std::min(1.0, unit_cost(full, mc_last) / unit_cost(full, wp.mc))
                             : double(mc_last) / double(wp.mc);
    pl->unit_cost = weigh ? unit_cost(full, wp.mc) : 1.0;
    // V, M and the staging boxes (one per quad of a V vector), each followed
    // by 64 bytes of slack.
    // (a staging pixel is 16 bytes: 4 floats or 8 int16s)
    pl->scratch_bytes = wp.v_floats * sizeof(Elem) + (wp.m_floats + NB * wp.stage_floats) * sizeof(float) + 3 * 64;
    pl->stages = 1;
    pl->shared_bytes = 0;
    if (wp.staged) {
      // In stages: stage 0 over (image x group, block, input quad run),
      // stage 1 over (image x group, block, output chunk x position run),
      // stage 2 over (image x group, block, tile run x output quad run);
      // scratch: the staging boxes (stage 0); V and M of every block shared.
      const size_t quads = kpad_ / L, oquads = div_up(mg_, 4);
      pl->stages = 3;
      UnitGrid& g0 = pl->early[0];
      g0.axes[0] = images;
      g0.axes[1] = wp.blocks;
      g0.axes[2] = wp.k_units;
      g0.last_cost[0] = 1.0;
      g0.last_cost[1] = std::min(1.0, input_cost(last) / input_cost(full));
      g0.last_cost[2] = double(quads - (wp.k_units - 1) * wp.k_quads_per_unit) / double(wp.k_quads_per_unit);
      g0.unit_cost = input_cost(full) * double(wp.k_quads_per_unit) / double(quads);
      UnitGrid& g1 = pl->early[1];
      g1.axes[0] = images;
      g1.axes[1] = wp.blocks;
      g1.axes[2] = wp.m_chunks * wp.pos_units;
      g1.last_cost[0] = 1.0;
      g1.last_cost[1] = std::min(1.0, gemm_cost(wp, last.nt, wp.mc) / gemm_cost(wp, full.nt, wp.mc));
      // (the last chunk's last position run; the chunks are about equal)
      g1.last_cost[2] = std::min(1.0, gemm_cost(wp, full.nt, mc_last) / gemm_cost(wp, full.nt, wp.mc)) *
                        double(npos_ - (wp.pos_units - 1) * wp.pos_per_unit) / double(wp.pos_per_unit);
      g1.unit_cost = gemm_cost(wp, full.nt, wp.mc) * double(wp.pos_per_unit) / double(npos_);
      pl->axes[2] = wp.tile_runs * wp.o_units;
      pl->last_cost[1] = double(last.nt) / double(full.nt);
      // (the last quad run of the last tile run)
      pl->last_cost[2] = double(oquads - (wp.o_units - 1) * wp.o_quads_per_unit) / double(wp.o_quads_per_unit);
      pl->unit_cost = output_cost(full.nt, 4 * wp.o_quads_per_unit) / double(wp.tile_runs);
      pl->scratch_bytes = NB * wp.stage_floats * sizeof(float) + 64;
      pl->shared_bytes = shared_v_bytes(*pl) + images * wp.blocks * wp.m_chunks * wp.m_slab_floats * sizeof(float);
    }
    pl->units = pl->axes[0] * pl->axes[1] * pl->axes[2];
  }

  // wp with tile blocks of t tiles (a multiple of 8, or all of a strip's) and
  // chunks of mc output channels; the input chunks stay.
  void retile(WinoPlan* wp, size_t t, size_t mc) const {
    const size_t ntx = std::min(kStripTiles, wp->tiles_x);
    wp->t = std::min(t, wp->tiles_y * ntx);
    wp->blocks_full = div_up(wp->tiles_y * ntx, wp->t);
    wp->blocks_last = div_up(wp->tiles_y * (wp->tiles_x - (wp->strips - 1) * kStripTiles), wp->t);
    wp->blocks = (wp->strips - 1) * wp->blocks_full + wp->blocks_last;
    wp->mc = mc;
    wp->m_chunks = div_up(mpad_, mc);
    const size_t trows = std::min(wp->tiles_y, div_up(wp->t, ntx) + 1);
    wp->box_rows = wino_box_side(m_, s_, trows);
    wp->box_cols = wino_box_side(m_, s_, ntx);
    wp->v_floats = npos_ * wp->t * wp->kc;
    wp->m_floats = npos_ * wp->t * wp->mc;
    wp->stage_floats = wp->box_rows * wp->box_cols * 4;
  }

  struct Block {
    size_t tx0, ntx;  // strip: tile columns [tx0, tx0 + ntx)
    size_t b0, nt;    // tiles [b0, b0 + nt) in the strip's raster order
  };

  // Tile block bi of an image (strip s, block sb within it).
  static Block block_of(const WinoPlan& wp, size_t bi) {
    const size_t s = std::min(bi / wp.blocks_full, wp.strips - 1);
    const size_t sb = bi - s * wp.blocks_full;
    const size_t tx0 = s * kStripTiles, ntx = std::min(kStripTiles, wp.tiles_x - tx0);
    const size_t ntiles = wp.tiles_y * ntx, b0 = sb * wp.t;
    return Block{tx0, ntx, b0, std::min(wp.t, ntiles - b0)};
  }

  // Step 2 for one input chunk [k0, k0 + kn) and output channels [m0, m0 +
  // mn) of a block of nt tiles: M_p (+)= U_p V_p for every position p; v: the
  // chunk's V, m: the unit's M (the output chunk's).
  // Positions [p0, p1) only, when given.
  void gemm_chunk(const WinoPlan& wp, const Elem* ug, const float* bias, size_t m0, size_t mn, size_t k0,
                  size_t kn, size_t nt, const Elem* v, Acc* m, size_t p0 = 0, size_t p1 = SIZE_MAX) const {
    // The first input chunk starts M from the bias: at one position (its
    // slot at offset 0), or where bias_off_ says when it is spread (locals:
    // they stay in registers across the kernel calls).
    const bool first = k0 == 0 && bias, spread = first && bias_spread_;
    const size_t at = first && !bias_spread_ ? wino_bias_pos_n(n_) : kNoBias;
    for (size_t pos = p0; pos < std::min(p1, npos_); pos++) {
      const Elem* up = ug + pos * mpad_ * kpad_ + m0 * kpad_ + k0 * MB;
      const float* bp = pos == at ? bias + m0
                        : spread && bias_off_[pos] != kNoBias ? bias + bias_off_[pos] + m0
                                                              : nullptr;
      T::gemm(k_, run_, mn / MB, nt, kn / L, up, MB * kpad_, v + pos * wp.t * wp.kc, m + pos * wp.t * wp.mc,
              wp.mc, bp, k0 > 0);
    }
  }

  // Makes *pl (the one-thread plan, fewer than `target` units) a plan in
  // three stages, if the call's V and M fit kMaxShared; returns whether it
  // did. The blocks and chunks stay the one-thread plan's, so every GEMM call
  // is one of its calls; the stages cut the work along axes that cost
  // nothing to cut (input quads, positions, output quads): kStageUnits x
  // `target` units each where the layer has them.
  bool staged_plan(ConvPlan* pl, size_t target) const {
    WinoPlan& wp = pl->wino;
    const size_t outer = size_t(pl->n) * g_ * wp.blocks;
    const size_t chunks = div_up(kpad_, wp.kc);
    wp.slab_floats = npos_ * wp.t * wp.kc * chunks;
    wp.m_slab_floats = npos_ * wp.t * wp.mc;
    if (shared_v_bytes(*pl) + outer * wp.m_chunks * wp.m_slab_floats * sizeof(float) > kMaxShared) return false;
    const size_t want = kStageUnits * target;
    // Runs of about equal length along each stage's innermost axis.
    auto runs = [&](size_t items, size_t per_outer, size_t* per_unit, size_t* unit_count) {
      *per_unit = div_up(items, std::min(items, div_up(want, per_outer)));
      *unit_count = div_up(items, *per_unit);
    };
    runs(kpad_ / L, outer, &wp.k_quads_per_unit, &wp.k_units);
    runs(npos_, outer * wp.m_chunks, &wp.pos_per_unit, &wp.pos_units);
    // The output transform: runs of a block's tiles (a tile's place costs a
    // few instructions per run of quads it is cut into), then of output quads
    // if the tiles are few (a team is never larger than its last stage's units).
    wp.tile_runs = std::min(wp.t, div_up(want, outer));
    runs(div_up(mg_, 4), outer * wp.tile_runs, &wp.o_quads_per_unit, &wp.o_units);
    wp.staged = true;
    units(pl, true);
    return true;
  }

  // Bytes of the shared V of a plan in stages (64-byte rounded: M follows).
  size_t shared_v_bytes(const ConvPlan& pl) const {
    return round_up(size_t(pl.n) * g_ * pl.wino.blocks * pl.wino.slab_floats * sizeof(Elem), 64);
  }

  // Estimated instructions of the parts of one block of nt tiles
  // (bk: its place), for weighing units: the input transform of all input
  // channels, the GEMMs of an output chunk of mn channels over all positions
  // and all input chunks, the output transform of mn channels.
  double input_cost(const Block& bk) const {
    size_t rows, cols;
    box_of(bk, &rows, &cols);
    return double(kpad_ / 4) * wino_input_cost(m_, s_, bk.nt, rows, cols);
  }
  double gemm_cost(const WinoPlan& wp, size_t nt, size_t mn) const {
    double c = 0;
    for (size_t k0 = 0; k0 < kpad_; k0 += wp.kc)
      c += wino_gemm_cost(div_up(mn, 8), nt, std::min(wp.kc, kpad_ - k0) / 4);
    return double(npos_) * c;
  }
  double output_cost(size_t nt, size_t mn) const {
    return double(nt * div_up(mn, 4)) * wino_output_cost(m_, s_, p_.clamp);
  }

  // Tile k of the block: its row and column within the strip.
  static void tile_at(const Block& bk, size_t k, size_t* ty, size_t* tx) {
    *ty = (bk.b0 + k) / bk.ntx;
    *tx = (bk.b0 + k) % bk.ntx;
  }

  // The staging box of a block: rows x cols pixels, from tile row ty0 and
  // strip tile column cx0 on.
  void box_of(const Block& bk, size_t* rows, size_t* cols, size_t* ty0 = nullptr, size_t* cx0 = nullptr) const {
    size_t y0, tx_first, y1, tx_last;
    tile_at(bk, 0, &y0, &tx_first);
    tile_at(bk, bk.nt - 1, &y1, &tx_last);
    const size_t x0 = y0 == y1 ? tx_first : 0, x1 = y0 == y1 ? tx_last : bk.ntx - 1;
    *rows = wino_box_side(m_, s_, y1 - y0 + 1);
    *cols = wino_box_side(m_, s_, x1 - x0 + 1);
    if (ty0) *ty0 = y0;
    if (cx0) *cx0 = x0;
  }

  // V of the input chunk [k0, k0 + kn) of the group at x for the block's
  // tiles: its quads [q_begin, q_end) (L channels each, k0 + L q on; a
  // staging box per 4 of them).
  template <class X>
  void input_block(const X* x, size_t h, size_t w, const WinoPlan& pl, const Block& bk, size_t k0,
                   size_t kn, size_t q_begin, size_t q_end, Stage* stage, Elem* v) const {
    // Bounding box of the block's input patches, in strip tile units.
    size_t ty0, cx0, rows, cols;
    box_of(bk, &rows, &cols, &ty0, &cx0);
    // 64-bit: padding may be up to 2^31 - 1 on a 32-bit target.
    // (stride s: output row oy reads input rows s oy - pad_top on)
    const int64_t iy0 = int64_t(s_ * (pl.y0 + m_ * ty0)) - p_.pad_top;
    const int64_t ix0 = int64_t(s_ * (pl.x0 + m_ * (bk.tx0 + cx0))) - p_.pad_left;
    // Columns of the box inside the image: [c_lo, c_hi).
    const int64_t lo = std::min<int64_t>(std::max<int64_t>(0, -ix0), int64_t(cols));
    const size_t c_lo = size_t(lo);
    const size_t c_hi = size_t(std::max<int64_t>(lo, std::min<int64_t>(int64_t(cols), int64_t(w) - ix0)));
    const size_t row4 = cols * SL;  // a box row, in Stage elements
    // (a box holds stage_floats * 4 / SL Stage elements: 16-byte pixels)
    const size_t box_elems = pl.stage_floats * 4 / SL;
    // A tile's step in the box: s m pixels along x, s m box rows along y;
    // the block's first tile.
    const size_t step_x = s_ * m_ * SL, step_y = s_ * m_ * row4;
    const size_t v_pos = pl.t * pl.kc;  // (a local: not reloaded after each kernel call)
    size_t ty_first, tx_first;
    tile_at(bk, 0, &ty_first, &tx_first);
    (void)ty_first;  // (= ty0: the box starts at the first tile's row)
    for (size_t q = q_begin; q < q_end; q++) {
      // Box s holds channels k0 + L q + 4 s on (fp32: one box, < cg_, as
      // kpad_ pads Cin/g to 4; fp16: two, the second absent (nullptr: zero
      // channels) past cg_).
      Stage* box[NB];
      for (size_t s = 0; s < NB; s++) {
        const size_t c0 = k0 + L * q + SL * s;
        box[s] = nullptr;
        if (c0 >= cg_) continue;
        box[s] = stage + s * box_elems;
        const size_t nch = std::min<size_t>(SL, cg_ - c0);
        const X* xc = x + c0 * h * w;
        for (size_t r = 0; r < rows; r++) {
          const int64_t iy = iy0 + int64_t(r);
          if (iy < 0 || iy >= int64_t(h) || c_lo == c_hi)
            T::pack(k_, xc, 0, nch, cols, 0, 0, box[s] + r * row4);
          else
            T::pack(k_, xc + size_t(iy) * w + size_t(ix0 + int64_t(c_lo)), h * w, nch, c_lo, c_hi - c_lo,
                    cols - c_hi, box[s] + r * row4);
        }
      }
      // The block's tiles in raster order: tile j at (ty, tx) reads the box
      // from s m (ty - ty0) rows and s m (tx - cx0) pixels on; its V goes to
      // v_at(v, nt, kn, j, q) (groups of 8 tiles). Walked by steps, with no
      // division per tile (tile_at's / and %: a libgcc call each on armv7).
      size_t tx = tx_first, off = s_ * m_ * (tx_first - cx0) * SL;
      for (size_t g0 = 0; g0 < bk.nt; g0 += 8) {
        const size_t nb = std::min<size_t>(8, bk.nt - g0);
        Elem* dst = v + g0 * kn + q * nb * L;
        for (size_t jj = 0; jj < nb; jj++, dst += L) {
          const Stage* src[NB];
          for (size_t s = 0; s < NB; s++) src[s] = s == 0 || box[s] ? box[s] + off : nullptr;  // (box 0: c0 < cg_)
          T::input(k_, src, row4, dst, v_pos);
          off += step_x;
          if (++tx == bk.ntx) {  // the next tile row, from the strip's first column
            tx = 0;
            off += step_y - bk.ntx * step_x;
          }
        }
      }
    }
  }

  // Where V_pos of tile j, k-quad q goes (see the top of the file; fp16: L =
  // 8 lanes, the layout of wino_gemm_f16_fn).
  static Elem* v_at(Elem* v, size_t nt, size_t kn, size_t j, size_t q) {
    const size_t g = j / 8, nb = std::min<size_t>(8, nt - 8 * g);
    return v + g * 8 * kn + q * nb * L + (j % 8) * L;
  }

  // Step 3 for the output channels [o_lo, o_hi) (from a multiple of 4, all
  // or part of one output chunk; o_hi <= mg_) of the block's tiles [j0, j1):
  // m is M of channel o_lo of the block's tile 0 (the chunk's M, offset).
  template <class Y>
  // ch0: the group's first output channel in the layer (the int8 output
  // stage's per-channel arrays).
  void output_block(Y* y, size_t ho, size_t wo, const WinoPlan& pl, const Block& bk, size_t o_lo, size_t o_hi,
                    const Acc* m, size_t j0, size_t j1, size_t ch0) const {
    const size_t howo = ho * wo;
    y += o_lo * howo;
    m += j0 * pl.mc;
    if (j0 >= j1) return;
    // The tiles walked by steps from tile j0 (one division for the block,
    // not one per tile): column tx of the strip, output row oy.
    size_t ty, tx;
    tile_at(bk, j0, &ty, &tx);
    size_t oy = pl.y0 + m_ * ty, rows = std::min(m_, pl.y0 + pl.wh - oy);
    // (locals: not reloaded after each kernel call)
    const size_t m_pos = pl.t * pl.mc, o_end = OL == 4 ? mg_ : o_hi;
    for (size_t j = j0; j < j1; j++, m += pl.mc) {
      // (edge tiles cut to the window)
      const size_t ox = pl.x0 + m_ * (bk.tx0 + tx);
      const size_t cols = std::min(m_, pl.x0 + pl.ww - ox);
      Y* yt = y + oy * wo + ox;
      for (size_t o = o_lo; o < o_hi; o += OL, yt += OL * howo)
        T::output(k_, m + (o - o_lo), m_pos, yt, rows, cols, std::min<size_t>(OL, o_end - o), howo, wo, p_, ch0 + o);
      if (++tx == bk.ntx) {
        tx = 0;
        oy += m_;
        rows = std::min(m_, pl.y0 + pl.wh - oy);
      }
    }
  }

 protected:
  Conv2dParams p_;
  size_t m_, s_, n_, npos_;  // tile side, stride (1, 2), transform side, positions
  typename T::Kernels k_;
  size_t g_, cg_, mg_, kpad_, mpad_;
  size_t run_;  // octets per binary16 run of the fp16 GEMM (T::run_octets)
  Buffer<Elem> packed_u_;
  // The bias per slot, group and output channel (slot, g_, mpad_), and
  // where each position's slot starts in it (kNoBias: none; at most 81
  // positions, F(4,3) at stride 2): one slot, at position (1, 1), unless
  // the matrices spread the bias (WinoMatrices::bias_x, the fp16 F(4,3)).
  static constexpr size_t kNoBias = SIZE_MAX;
  Buffer<float> bias_;
  std::array<size_t, 81> bias_off_;
  bool bias_spread_;  // bias_off_ has several slots (else the one at (1, 1))
};

// The fp16 instantiation runs binary16 images too (ConvImplF16).
// The float32-image instantiations (fp32, and fp16 on float32 images).
template <class T>
class WinogradConvF : public WinogradConv<T> {
 public:
  using WinogradConv<T>::WinogradConv;
  void run(const ConvPlan& pl, const float* x, float* y, size_t begin, size_t end,
           void* scratch) const override {
    this->run_t(pl, x, y, begin, end, scratch);
  }
  void run_stage(const ConvPlan& pl, int stage, const float* x, float* y, size_t begin, size_t end,
                 void* scratch, void* shared) const override {
    this->run_stage_t(pl, stage, x, y, begin, end, scratch, shared);
  }
};

// int8 (QConv2d): int8 images, int8 or float32 output (the layer's S8Output).
class WinogradConvS8 final : public WinogradConv<WinoS8> {
 public:
  using WinogradConv<WinoS8>::WinogradConv;
  void run(const ConvPlan& pl, const int8_t* x, void* y, size_t begin, size_t end, void* scratch) const override {
    if (k_.out->kind == S8OutKind::Float)
      run_t(pl, x, static_cast<float*>(y), begin, end, scratch);
    else
      run_t(pl, x, static_cast<int8_t*>(y), begin, end, scratch);
  }
  void run_stage(const ConvPlan& pl, int stage, const int8_t* x, void* y, size_t begin, size_t end, void* scratch,
                 void* shared) const override {
    if (k_.out->kind == S8OutKind::Float)
      run_stage_t(pl, stage, x, static_cast<float*>(y), begin, end, scratch, shared);
    else
      run_stage_t(pl, stage, x, static_cast<int8_t*>(y), begin, end, scratch, shared);
  }
};

template <class T>
class WinogradConvF16 final : public WinogradConvF<T> {
 public:
  using WinogradConvF<T>::WinogradConvF;
  using WinogradConvF<T>::run;
  using WinogradConvF<T>::run_stage;
  void run(const ConvPlan& pl, const Half* x, Half* y, size_t begin, size_t end, void* scratch) const override {
    this->run_t(pl, x, y, begin, end, scratch);
  }
  void run_stage(const ConvPlan& pl, int stage, const Half* x, Half* y, size_t begin, size_t end, void* scratch,
                 void* shared) const override {
    this->run_stage_t(pl, stage, x, y, begin, end, scratch, shared);
  }
};

// The fp16 layer of F(m,3) on the kernels k (m = 2 or 4).
ConvImplPtr make_f16_conv(const Conv2dParams& p, size_t m, const float* weight, const float* bias,
                          const WinoF16Kernels* tx, const WinoGemmF16Kernels* gemm) {
  if (m == 4) return ConvImplPtr(new WinogradConvF16<WinoF16H>(p, m, weight, bias, WinoF16H::Kernels{tx, gemm}));
  return ConvImplPtr(new WinogradConvF16<WinoF16>(p, m, weight, bias, WinoF16::Kernels{tx, gemm}));
}

// A mixed tiling (core/plan.h, WinoMixPlan): each region is its tile size's
// plan of its window (WinogradConv::plan_window; for threads
// plan_for_threads_window, so a region on few tiles runs in stages), and the
// mixed plan strings their units together, stage by stage, in runs
// (UnitRuns) that say whose units they are and what they cost. A unit is one
// of a region's units: the bits do not depend on the cut, as for each region.
class WinogradMixed final : public ConvImpl {
 public:
  WinogradMixed(const Conv2dParams& p, size_t core, size_t edge, WinoPartFn part)
      : p_(p), core_(core), edge_(edge), part_(std::move(part)) {}

  ConvPlan plan(int64_t n, int64_t h, int64_t w) const override { return kept(n, h, w, 0); }
  ConvPlan plan_for_threads(int64_t n, int64_t h, int64_t w, int threads) const override {
    return kept(n, h, w, threads > 1 ? threads : 0);
  }
  void run(const ConvPlan& pl, const float* x, float* y, size_t begin, size_t end, void* scratch) const override {
    run_stage(pl, 0, x, y, begin, end, scratch, nullptr);
  }
  // Units [begin, end) of stage `stage`: of each run (core/plan.h,
  // WinoMixPlan) they cover, the ones in range, on the run's region's own
  // plan (with the mixed plan's map) and its part of the shared buffer.
  void run_stage(const ConvPlan& pl, int stage, const float* x, float* y, size_t begin, size_t end, void* scratch,
                 void* shared) const override {
    const WinoMixPlan& mx = *pl.wino_mix;
    const UnitRuns& runs = *(stage + 1 < pl.stages ? pl.early[stage].runs : pl.runs);
    if (begin >= end) return;
    ConvPlan q;  // a region's plan: the map's sizes, the region's WinoPlan and stages
    q.n = pl.n;
    q.h = pl.h;
    q.w = pl.w;
    q.ho = pl.ho;
    q.wo = pl.wo;
    for (size_t i = runs.run_of(begin); i < runs.runs.size() && runs.runs[i].at < end; i++) {
      const UnitRun& run = runs.runs[i];
      const size_t r = run.tag;
      const int s = stage - (pl.stages - mx.stages[r]);  // the region's stage (runs exist only where >= 0)
      const size_t lo = std::max(begin, run.at), hi = std::min(end, run.at + run.count);
      q.wino = mx.part[r];
      q.stages = mx.stages[r];
      part(mx.part[r].m)
          .run_stage(q, s, x, y, run.first + (lo - run.at), run.first + (hi - run.at), scratch,
                     shared ? static_cast<unsigned char*>(shared) + mx.shared_at[r] : nullptr);
    }
  }

 private:
  const WinogradConv<WinoF32>& part(size_t m) const {
    return static_cast<const WinogradConv<WinoF32>&>(part_(m));
  }

  // A layer's calls see few input sizes and thread counts, and a call on a
  // team plans twice (plan, then plan_for_threads: core/conv_impl.h
  // call_plan): so each plan made is kept, with the layer, for the calls
  // after it (a copy of a kept plan shares its WinoMixPlan). The layer is
  // immutable and may be called from several threads at once: a kept plan is
  // never changed or freed while the layer lives; last_[0] (one thread) and
  // last_[1] (threads) point at the one the last call of that kind found
  // (atomic, release/acquire: a reader sees it whole); the list of kept plans
  // and the planning of a new one are under mu_ (a ForkSafeSection: a child
  // forked meanwhile never inherits mu_ held). At most kMaxKept plans
  // (a caller cycling through more sizes plans them anew each time).
  struct Kept {
    int64_t n, h, w;
    int threads;
    ConvPlan plan;
  };
  static constexpr size_t kMaxKept = 16;
  ConvPlan kept(int64_t n, int64_t h, int64_t w, int threads) const {
    std::atomic<const Kept*>& last = last_[threads > 1 ? 1 : 0];
    const Kept* k = last.load(std::memory_order_acquire);
    if (k && k->n == n && k->h == h && k->w == w && k->threads == threads) return k->plan;
    ForkSafeSection section;  // (threads/threads.h: a fork() waits until mu_ is free)
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::unique_ptr<const Kept>& e : kept_)
      if (e->n == n && e->h == h && e->w == w && e->threads == threads) {
        last.store(e.get(), std::memory_order_release);
        return e->plan;
      }
    ConvPlan pl = mix(n, h, w, threads);
    if (kept_.size() < kMaxKept) {
      kept_.emplace_back(new Kept{n, h, w, threads, pl});
      last.store(kept_.back().get(), std::memory_order_release);
    }
    return pl;
  }

  ConvPlan mix(int64_t n, int64_t h, int64_t w, int threads) const {
    int64_t ho, wo;
    output_size(p_, h, w, &ho, &wo);
    const WinoTiling t = winograd_tiling(p_, core_, edge_, ho, wo);
    ConvPlan parts[kMaxWinoRegions];
    int stages = 1;
    for (size_t r = 0; r < t.count; r++) {
      const WinogradConv<WinoF32>& impl = part(t.r[r].m);
      parts[r] = threads > 1 ? impl.plan_for_threads_window(n, h, w, threads, &t.r[r])
                             : impl.plan_window(n, h, w, &t.r[r]);
      stages = std::max(stages, parts[r].stages);
    }
    ConvPlan pl;
    pl.algo = p_.stride_h == 2 ? "winograd43s2+23s2"
              : core_ == 4     ? "winograd43+23"
              : edge_ == 4     ? "winograd63+43"
                               : "winograd63+23";
    pl.n = n;
    pl.h = h;
    pl.w = w;
    pl.ho = ho;
    pl.wo = wo;
    pl.wino = parts[0].wino;
    pl.stages = stages;
    auto mix = std::make_shared<WinoMixPlan>();  // (the stages' runs in it: one allocation)
    WinoMixPlan& mx = *mix;
    mx.count = t.count;
    mx.team = threads > 1 ? size_t(threads) : 1;
    double work = 0;
    for (size_t r = 0; r < t.count; r++) {
      const ConvPlan& q = parts[r];
      mx.part[r] = q.wino;
      mx.stages[r] = q.stages;
      mx.shared_at[r] = pl.shared_bytes;
      pl.shared_bytes += round_up(q.shared_bytes, 64);
      pl.scratch_bytes = std::max(pl.scratch_bytes, q.scratch_bytes);
      pl.macs += q.macs;
      work += q.work();
    }
    // Each stage's units: `team` super-blocks, super-block k holding the
    // k-th of `team` ranges of equal cost of every region's units (the
    // region's own split_units), each run weighed by its region's unit cost
    // (core/plan.h, WinoMixPlan): a team of that size is cut at the
    // super-blocks' ends, another by the runs' costs.
    const size_t team = mx.team;
    size_t local[kMaxWinoRegions * 9];  // the cuts, up to 8 threads without an allocation
    std::unique_ptr<size_t[]> heap(team < 9 ? nullptr : new size_t[kMaxWinoRegions * (team + 1)]);
    size_t* const cuts = heap ? heap.get() : local;
    for (int s = 0; s < stages; s++) {
      UnitRuns& runs = mx.runs[s];
      runs.runs.reserve(team * t.count);
      UnitGrid grids[kMaxWinoRegions];
      for (size_t r = 0; r < t.count; r++) {
        const int rs = s - (stages - parts[r].stages);  // the region's stage
        if (rs < 0) continue;  // (no units: its cuts stay unread)
        grids[r] = parts[r].stage_grid(rs);
        size_t* c = cuts + r * (team + 1);
        if (team > 1) {
          split_units(grids[r], int(team), c);
        } else {
          c[0] = 0;
          c[1] = grids[r].units();
        }
      }
      for (size_t k = 0; k < team; k++)
        for (size_t r = 0; r < t.count; r++) {
          if (s < stages - parts[r].stages) continue;
          const size_t* c = cuts + r * (team + 1);
          runs.add(grids[r], c[k], c[k + 1] - c[k], r);
        }
      // The team's ranges, cut once here by the runs' costs (nearer to even
      // than the super-blocks' ends, whose regions' cuts each round their own
      // way): split_units hands them out as they are.
      if (team > 1) {
        runs.starts.resize(team + 1);
        split_units(UnitRuns::grid(&runs), int(team), runs.starts.data());
        runs.team = team;
      }
      const UnitRuns* held = &runs;  // (owned by the mixed plan: pl.wino_mix below)
      if (s + 1 < stages) {
        pl.early[s] = UnitRuns::grid(held);
      } else {
        pl.axes[0] = runs.units;
        pl.units = runs.units;
        pl.runs = held;
      }
    }
    pl.cost_per_mac = pl.macs > 0 ? work / pl.macs : 1.0;
    pl.wino_mix = std::move(mix);
    return pl;
  }

  Conv2dParams p_;
  size_t core_, edge_;
  WinoPartFn part_;
  mutable std::atomic<const Kept*> last_[2] = {{nullptr}, {nullptr}};
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<const Kept>> kept_;  // under mu_
};

}  // namespace

const WinoMatrices& wino_matrices(size_t m) { return kMatrices[wino_index(m)]; }
const WinoMatrices& wino_matrices_s2(size_t m) { return kMatricesS2[wino_s2_index(m)]; }
const WinoMatrices& wino_matrices_f16(size_t m) { return m == 4 ? kMatrices43h : kMatrices[wino_index(m)]; }

const char* winograd_conv_rejects(const Conv2dParams& p) {
  if (p.kernel_h != 3 || p.kernel_w != 3) return "it needs a 3x3 kernel";
  if (p.stride_h != 1 || p.stride_w != 1) return "it needs stride 1";
  if (p.dilation_h != 1 || p.dilation_w != 1) return "it needs dilation 1";
  return nullptr;
}

const char* winograd_s2_conv_rejects(const Conv2dParams& p) {
  if (p.kernel_h != 3 || p.kernel_w != 3) return "it needs a 3x3 kernel";
  if (p.stride_h != 2 || p.stride_w != 2) return "it needs stride 2";
  if (p.dilation_h != 1 || p.dilation_w != 1) return "it needs dilation 1";
  return nullptr;
}

ConvImplPtr make_winograd_mixed(const Conv2dParams& p, size_t core, size_t edge, WinoPartFn part) {
  if (!((core == 6 && (edge == 2 || edge == 4) && p.stride_h == 1) || (core == 4 && edge == 2)))
    throw Error("internal: no mixed Winograd tiling F(" + std::to_string(core) + ",3)+F(" + std::to_string(edge) +
                ",3)");
  return ConvImplPtr(new WinogradMixed(p, core, edge, std::move(part)));
}

ConvImplPtr make_winograd_mixed_layer(const Conv2dParams& p, size_t core, size_t edge, const float* weight,
                                      const float* bias) {
  auto parts = std::make_shared<std::array<ConvImplPtr, 2>>();
  (*parts)[0] = make_winograd_conv(p, core, weight, bias);
  (*parts)[1] = make_winograd_conv(p, edge, weight, bias);
  return make_winograd_mixed(p, core, edge,
                             [parts, core](size_t m) -> const ConvImpl& { return *(*parts)[m == core ? 0 : 1]; });
}

ConvImplPtr make_winograd_conv(const Conv2dParams& p, size_t m, const float* weight, const float* bias) {
  const size_t s = size_t(p.stride_h);
  if (!(s == 1 && (m == 2 || m == 4 || m == 6)) && !(s == 2 && (m == 2 || m == 4)))
    throw Error("internal: no Winograd F(" + std::to_string(m) + ",3) at stride " + std::to_string(s));
  return ConvImplPtr(new WinogradConvF<WinoF32>(p, m, weight, bias, WinoF32::kernels_for(m, s)));
}

bool winograd_runs_f16(size_t m) { return m != 6 && kernels().wino_gemm_f16 && kernels().winograd_f16[m == 4]; }

ConvImplPtr make_winograd_conv_f16(const Conv2dParams& p, size_t m, const float* weight, const float* bias) {
  if (!winograd_runs_f16(m) || p.stride_h != 1) return nullptr;  // (no fp16 stride-2 Winograd)
  const WinoF16::Kernels k = WinoF16::kernels_for(m);
  return make_f16_conv(p, m, weight, bias, k.tx, k.gemm);
}

const char* winograd_s8_conv_rejects(const Conv2dParams& p) {
  if (const char* why = winograd_conv_rejects(p)) return why;
  if (p.in_channels / p.groups > int64_t(kWinoS8MaxChannels))
    return "int8 F(2,3) is exact up to 3669 input channels per group (4 x the sum must fit int32)";
  return nullptr;
}

ConvImplS8Ptr make_winograd_s8_conv_with(const Conv2dParams& p, const QuantLayer& q, const WinoS8Kernels& tx,
                                         const WinoGemmS16Kernels& gemm) {
  if (const char* why = winograd_s8_conv_rejects(p)) throw Error(std::string("winograd23 (int8): ") + why);
  const std::vector<float> w(q.w_q.begin(), q.w_q.end());  // (exact: U' is computed in double)
  return ConvImplS8Ptr(new WinogradConvS8(p, 2, w.data(), nullptr, WinoS8::Kernels{&tx, &gemm, &q.out}));
}

ConvImplS8Ptr make_winograd_s8_conv(const Conv2dParams& p, const QuantLayer& q) {
  return make_winograd_s8_conv_with(p, q, *kernels().winograd23_s8, *kernels().wino_gemm_s16);
}

ConvImplPtr make_winograd_conv_f16_with(const Conv2dParams& p, size_t m, const float* weight, const float* bias,
                                        const WinoF16Kernels& tx, const WinoGemmF16Kernels& gemm) {
  if (m != 2 && m != 4) throw Error("internal: the fp16 Winograd has F(2,3) and F(4,3) only");
  return make_f16_conv(p, m, weight, bias, &tx, &gemm);
}

// ---- the cost model -------------------------------------------------------------
//
// winograd_conv_cost() estimates the instructions one image of the layer
// executes, walking the blocking wino_geometry() gives the driver (units,
// channel chunks, tile blocks, staging boxes) with per-part costs. Every
// figure is executed instructions under qemu-user (bench/insncount.py; the
// cases are in bench/bench_winograd.cpp), one table per ISA: aarch64 from
// -cpu cortex-a72 (cortex-a76 counts the same), armv7 from -cpu cortex-a15
// (--arch arm); other targets (the generic kernels) use aarch64's.
//
//   transforms, per tile x 4 channels (wino<t>_in_x400, wino<t>_out_x400,
//   wino<t>_out_clamp_x400 divided by 400; stride 2: bench/bench_winograd_s2.cpp,
//   wino<t>s2_*; aarch64: the assembly of neon/aarch64/winograd{23,43}s2_nc4.cpp,
//   armv7: the compiled templates of core/winograd_kernels.h):
//                          F(2,3)  F(4,3)  F(6,3)
//     aarch64 input          109     268     595
//             output         174     263     528
//             clamped        184     305     610
//     armv7   input          174     500     685
//             output         182     419     619
//             clamped        192     455     707
//                          F(2,3)s2  F(4,3)s2
//     aarch64 input           77       343
//             output         136       331
//             clamped        154       373
//     armv7   input          202      1042
//             output         200       615
//             clamped        210       651
//
//   per-position GEMM (wpos_k<K>_n<N>: 64 channels, K = 16/64/128, N = 1..16
//   tiles; a straight line in K for every N): per 8 channels and k-quad, a
//   group of 8 tiles costs 69 (aarch64's 8x8 block) or 80 (armv7: two 8x4
//   blocks). The tiles left after the groups go in 4/2/1-tile blocks:
//   aarch64 runs them for pairs of 8-channel blocks at once (16-channel
//   blocks, per pair 50 + 32/38/37 and 70/39/23 per k-quad for 4/2/1
//   tiles) and an odd last block alone; armv7 per 8-channel block (40/23/15
//   per k-quad).
//
// The remaining constants (per unit, GEMM call, 8-tile group, leftover
// block, staging row and pixel) are a least-squares fit of the model to 116
// whole layers per ISA (pays_wino{23,43,63}_<Cin>_<Cout>_<map>: Cin, Cout
// 3..512, maps 1..56, padding 1, unclamped): aarch64 within 5.3% of every
// count (mean 0.9%), armv7 within 10.4% (mean 1.7%). The planner compares
// these estimates with im2col_conv_cost() (conv_gemm.cpp);
// tests/cpp/test_planner.cpp holds the counts and checks the fit. Stride 2
// adds only its transform terms (above) and its geometry (positions, boxes):
// with no constant refitted, the model is within 6.0% of the 54 stride-2
// Winograd counts on cortex-a72 (pays_wino{23,43,4323}s2_*: 18 layers, Cin
// 3..512, input maps 3..112; F(2,3)s2 4.1%, F(4,3)s2 5.8%, mixed 6.0%) and
// within 9.4% on cortex-a15 (2.8%, 3.7%, 9.4%).
namespace {

struct WinoCostModel {
  double in[3], out[3], out_clamp[3];  // transforms per tile x 4 channels, F(2,3), F(4,3), F(6,3)
  double unit;                         // per work unit (and the call's own fixed cost)
  double gemm_call;                    // per wino_gemm_fn call
  double group8, group8_kq;            // per 8-channel block x 8-tile group, and per k-quad of it
  bool pairs;                          // leftover tiles in 16-channel blocks (aarch64)
  double pair, pair_piece[3], pair_piece_kq[3];  // per pair; per 1/2/4-tile piece, and per k-quad
  double piece, piece_kq[3];  // a lone 8-channel block: per 1/2/4-tile piece, and per k-quad
  double stage_row, stage_pixel;  // staging: per box row x 4 channels, per pixel of it
  double in_s2[2], out_s2[2], out_clamp_s2[2];  // stride 2: F(2,3)s2, F(4,3)s2 transforms
};

#if defined(__arm__)
const WinoCostModel kCost = {{174, 500, 685}, {182, 419, 619}, {192, 455, 707},
                             4336, 30.8, 98.4, 80,
                             false, 0, {0, 0, 0}, {0, 0, 0},
                             104.1, {15, 23, 40},
                             97.9, 6.2,
                             {202, 1042}, {200, 615}, {210, 651}};
#else
const WinoCostModel kCost = {{109, 268, 595}, {174, 263, 528}, {184, 305, 610},
                             1667, 103, 28.5, 69,
                             true, 50, {37, 38, 32}, {23, 39, 70},
                             37.4, {9.07, 18.14, 36.28},
                             107.6, 1.74,
                             {77, 343}, {136, 331}, {154, 373}};
#endif

// One wino_gemm_fn call: m8 blocks of 8 channels, n tiles, kq k-quads.
double wino_gemm_cost(size_t m8, size_t n, size_t kq) {
  const WinoCostModel& c = kCost;
  double cost = c.gemm_call + double(m8 * (n / 8)) * (c.group8 + c.group8_kq * double(kq));
  size_t r = n % 8;
  if (r == 0) return cost;
  double pair = c.pair, lone = 0;
  for (size_t piece : {4, 2, 1}) {
    if (r < piece) continue;
    r -= piece;
    const size_t i = piece == 4 ? 2 : piece - 1;
    pair += c.pair_piece[i] + c.pair_piece_kq[i] * double(kq);
    lone += c.piece + c.piece_kq[i] * double(kq);
  }
  if (!c.pairs) return cost + double(m8) * lone;
  return cost + double(m8 / 2) * pair + (m8 % 2 ? lone : 0.0);
}

double wino_in_tile_cost(size_t m, size_t s) {
  return s == 2 ? kCost.in_s2[wino_s2_index(m)] : kCost.in[wino_index(m)];
}

double wino_input_cost(size_t m, size_t s, size_t nt, size_t rows, size_t cols) {
  return double(nt) * wino_in_tile_cost(m, s) + double(rows) * (kCost.stage_row + double(cols) * kCost.stage_pixel);
}

double wino_output_cost(size_t m, size_t s, bool clamp) {
  if (s == 2) return clamp ? kCost.out_clamp_s2[wino_s2_index(m)] : kCost.out_s2[wino_s2_index(m)];
  return clamp ? kCost.out_clamp[wino_index(m)] : kCost.out[wino_index(m)];
}

}  // namespace

double winograd_conv_cost(const Conv2dParams& p, size_t m, int64_t ho, int64_t wo) {
  const size_t g = size_t(p.groups), cg = size_t(p.in_channels) / g, mg = size_t(p.out_channels) / g;
  const size_t s = size_t(p.stride_h), kpad = round_up(cg, 4), mpad = round_up(mg, 8);
  const size_t npos = wino_side(m, s) * wino_side(m, s);
  WinoPlan wp;
  wino_geometry(m, s, kpad, mpad, size_t(ho), size_t(wo), &wp);
  const double out = wino_output_cost(m, s, p.clamp), in = wino_in_tile_cost(m, s);
  const bool one_k_chunk = kpad <= wp.kc;
  // The blocks of one strip of ntx tile columns: t tiles each, the last the
  // rest; a block's staging box spans the tile rows it touches.
  auto strip_cost = [&](size_t ntx) {
    const size_t ntiles = wp.tiles_y * ntx;
    double c = 0;
    for (size_t b0 = 0; b0 < ntiles; b0 += wp.t) {
      const size_t nt = std::min(wp.t, ntiles - b0), r0 = b0 / ntx, r1 = (b0 + nt - 1) / ntx;
      const double rows = double(wino_box_side(m, s, r1 - r0 + 1));
      const double cols = double(wino_box_side(m, s, r0 == r1 ? nt : ntx));
      for (size_t m0 = 0; m0 < mpad; m0 += wp.mc) {
        const size_t mn = std::min(wp.mc, mpad - m0);
        c += kCost.unit + double(nt * div_up(std::min(mg, m0 + mn) - m0, 4)) * out;
        for (size_t k0 = 0; k0 < kpad; k0 += wp.kc) {
          const size_t kq = std::min(wp.kc, kpad - k0) / 4;
          if (!one_k_chunk || m0 == 0)
            c += double(kq) * (double(nt) * in + rows * (kCost.stage_row + cols * kCost.stage_pixel));
          c += double(npos) * wino_gemm_cost(mn / 8, nt, kq);
        }
      }
    }
    return c;
  };
  const size_t last = wp.tiles_x - (wp.strips - 1) * kStripTiles;
  double c = strip_cost(last);
  if (wp.strips > 1) c += double(wp.strips - 1) * strip_cost(kStripTiles);
  return double(g) * c;
}

// int8 F(2,3) (the int8 planner compares it with im2col_s8_conv_cost,
// conv_gemm.cpp): estimated instructions of one image, per group, with T =
// ceil(Ho/2) ceil(Wo/2) tiles, K8 = ceil(Cin/g / 8) input octets, M8 =
// ceil(Cout/g / 8) and M4 = ceil(Cout/g / 4) output blocks:
//   a T M8 K8   the 16 per-position GEMMs (smlal: 256 MACs per 8 tiles x
//               8 channels x octet and position, with loads)
//   b T K8      staging (nc8 int16) and the input transform
//   c T M4      the output transform with requantization and stores
//   d M8 ceil(T/8) 16   register blocks (accumulator set-up and stores)
//   e           per call
// A least-squares fit (relative error) to the counts of
// bench/bench_int8.cpp's qpays_wino23_* cases (3..512 channels, maps 1..56,
// python3 bench/insncount.py 'qpays_*'):
//   aarch64 (cortex-a76 counts; the A72 runs the same code and counts within
//   0.3% to 4% of them): within 11.7% of every count, mean 3.0%.
//   armv7 (cortex-a15, --arch arm): within 10.9%, mean 2.7%.
namespace {
struct WinoS8Cost {
  double a, b, c, d, e;
};
#if defined(__arm__)
const WinoS8Cost kS8Cost = {396.1, 331.0, 48.67, 202.9, 2986};
#else
const WinoS8Cost kS8Cost = {291.0, 214.2, 79.32, 161.6, 1983};
#endif
}  // namespace

double winograd_s8_conv_cost(const Conv2dParams& p, int64_t ho, int64_t wo) {
  const double t = double(div_up(size_t(ho), 2) * div_up(size_t(wo), 2));
  const double k8 = double(div_up(size_t(p.in_channels / p.groups), 8));
  const double m8 = double(div_up(size_t(p.out_channels / p.groups), 8));
  const double m4 = double(div_up(size_t(p.out_channels / p.groups), 4));
  const WinoS8Cost& c = kS8Cost;
  return double(p.groups) * (c.a * t * m8 * k8 + c.b * t * k8 + c.c * t * m4 + c.d * m8 * std::ceil(t / 8) * 16 + c.e);
}

// A mixed tiling prices as the sum of its regions, each a map of its
// window's size (the model above has no term for the map's edges: a window
// inside the map costs what a map of its size does). bench/bench_winograd.cpp
// 'mix*' and tests/cpp/test_planner.cpp hold measured counts of whole mixed
// layers against which the sum is checked.
WinoTiling winograd_tiling(const Conv2dParams& p, size_t core, size_t edge, int64_t ho, int64_t wo) {
  const size_t h = size_t(ho), w = size_t(wo), ch = h / core * core, cw = w / core * core;
  WinoTiling t;
  if (ch == 0 || cw == 0) {
    t.r[t.count++] = {edge, 0, 0, h, w};
  } else {
    t.r[t.count++] = {core, 0, 0, ch, cw};
    if (cw < w) t.r[t.count++] = {edge, 0, cw, ch, w - cw};  // the right border, core rows
    if (ch < h) t.r[t.count++] = {edge, ch, 0, h - ch, w};   // the bottom border, all columns
  }
  for (size_t r = 0; r < t.count; r++)
    t.cost += winograd_conv_cost(p, t.r[r].m, int64_t(t.r[r].h), int64_t(t.r[r].w));
  return t;
}

}  // namespace detail
}  // namespace armconv
