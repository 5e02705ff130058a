// The GEMM family: one driver for every data type.
//
//   C (M x N) = out( A (M x K) * B (K x N) )
//
// In a convolution A is the weights of a group (M = its output channels,
// K = in_channels / groups * kh * kw), B the image (the image itself for a
// 1x1 stride-1 unpadded layer, otherwise the im2col matrix, core/im2col.h,
// packed straight from the image; N = output pixels) and C the NCHW output,
// written in place by the micro-kernel's store, where the output stage is
// fused.
//
// Data types are kernel traits (F32Gemm, S8Gemm, F16GemmT<IO>; i8mm kernels
// are a new table of an existing or new traits type, never a new driver):
//   A, B           element types of the packed operands
//   X              element type of B as the caller holds it (the image, a
//                  dense B): the B packers read X and write B, so a kernel
//                  may convert while packing (fp16 from an fp32 image)
//   C, Out         the output and its output stage (below)
//   kBlockBytes    target size of one packed B block (an L2 share)
//   kMaxKc         longest K-block; 0 = K is never split (the store needs the
//                  final sum, e.g. to requantize)
// A kernel table, GemmKernel<Traits>, gives the register tile MR x NR, the
// k grouping KR, the micro-kernel and the packers; dispatch.cpp chooses one
// table per traits type for the running CPU.
//
// Packed formats (shared by every table with the same MR, NR, KR, generic or
// NEON, so tests compare packers byte for byte). K is taken in groups of KR
// consecutive k (Kp = K rounded up to KR); within a group the KR values of one
// row (column) are contiguous:
//   A, MR-row panels, packed once per layer:
//     pa[p*MR*Kp + g*MR*KR + r*KR + i] = A[p*MR + r][g*KR + i]    (0 past M, K)
//     The K-block [k0, k0 + kc) of panel p (k0 a multiple of KR) starts at
//     pa + p*MR*Kp + k0*MR.
//   B, NR-column panels of one block (rows [k0, k0 + kc), columns [n0, n0 + nc)),
//     packed per call into scratch (kcp = kc rounded up to KR):
//     pb[q*NR*kcp + g*NR*KR + j*KR + i] = B[k0 + g*KR + i][n0 + q*NR + j]  (0 past N, K)
//   KR = 1 (fp32): A holds MR floats per k, B NR floats per k.
//   Edge groups (KR = 1 tables with b_edge_cols = E > 0: the aarch64 8x12
//   kernel and its generic twin): a block's last panel with r = nc % NR <=
//   E columns keeps its size and the offset of every 4-row group (rows
//   [4g, 4g + 4) start at 4g*NR), but inside a whole group of 4 rows the
//   r columns are k-contiguous, so that a narrow edge kernel loads 4 k of a
//   column at once (and multiplies by element):
//     pb[q*NR*kc + 4g*NR + j*4 + i] = B[k0 + 4g + i][n0 + q*NR + j]   (j < r, i < 4)
//   and the group's other 4*NR - 4r floats are 0. The last kc % 4 rows keep
//   the row layout above (row kk at kk*NR). packed_b_at() gives the offset.
//   So a slice of a block's rows packed on its own (staged plans) must start
//   at a multiple of 4 rows.
//   KR = 16 (int8 smull): a 16-byte group times a 16-byte group is smull +
//   smlal2 + sadalp; KR = 4 (int8 sdot): one sdot per 4-byte group by element;
//   KR = 8 (int8 i8mm): 16 bytes of A (rows r, r+1) and 16 of B (columns j,
//   j+1) are one smmla's operands, a 2x2 block of C.
//
// Micro-kernel (ukernel): C rows [0, m) (m <= MR), columns [0, n) (any n >= 1)
// of one A panel and the ceil(n / NR) B panels that follow each other at `b`:
//   kc: rows of the K-block (the panels hold kcp per row/column);
//   c: the block's first element, row stride ldc elements;
//   out: the output stage advanced to the panel's first row (per-row arrays
//        may be read for MR rows: callers make them readable that far);
//   flags: kAccumulate (start from C: a later K-block of an fp32 GEMM, instead
//        of the bias), kLastK (the last K-block: apply the activation).
// It writes exactly the m x n outputs and reads only the packed panels (plus
// their zero padding), C when accumulating, and the output stage.
//
// Output stages:
//   F32Output: C = clamp(bias[r] + acc) (the clamp on the last K-block, if set;
//     fmax/fmin semantics: NaN propagates).
//   F16Output: binary16 accumulation (one fused multiply-add per k, in k
//     order, from the bias rounded to binary16), clamp to [lo, hi] rounded to
//     binary16 (0, 6 and +-inf are exact) on the last K-block, then stored as
//     C (float: exact; Half). A later K-block starts from C, converted back
//     exactly (C holds binary16 values), so splitting K changes no bit.
//   S8Output: int32 accumulation of int8 products, exact (K <= 2^16,
//     |bias| <= 2^30), then Int32 (as is), Int8 (the requantization rule of
//     core/requant.h) or Float (fl32(fl32(acc) * fscale[r]), clamped if fclamp).
//
// Plan, then run ranges (the contract of core/plan.h at GEMM level):
// gemm_plan() fixes the blocking for an (M, N, K) problem and the work units,
// unit u = nb * m_panels + mp being MR-row panel mp of N-block nb (units of
// one N-block are consecutive, so a range packs each B block it touches once
// per K-block and sweeps its panels over it). gemm_run() computes any range
// of units with caller-given scratch; a unit always runs its whole K range in
// order, so the bits of C do not depend on how the units are cut. The driver
// allocates nothing and reads nothing but its arguments: one plan may run
// concurrently from several threads, each with its own scratch and range.
#pragma once

#include <cstddef>
#include <cstdint>

#include "armconv/armconv.h"  // Half
#include "core/im2col.h"

namespace armconv {
namespace detail {

// Micro-kernel flags.
enum : unsigned {
  kAccumulate = 1u,  // C holds the sum of the earlier K-blocks: start from it
  kLastK = 2u,       // the last K-block: apply the activation
};

// ---- output stages -----------------------------------------------------------

struct F32Output {
  const float* bias = nullptr;  // per row, never null (zeros for no bias)
  bool clamp = false;           // clamp to [lo, hi] on the last K-block
  float lo = 0.0f, hi = 0.0f;
};

// IO: the element type of C (float or Half); the stage itself is the same.
template <class IO>
struct F16Output {
  const Half* bias = nullptr;  // per row, binary16, never null (zeros for no bias)
  bool clamp = false;          // clamp to [lo, hi] on the last K-block
  Half lo{0xfc00}, hi{0x7c00};  // -inf, +inf
};

enum class S8OutKind { Int32, Int8, Float };

struct S8Output {
  S8OutKind kind = S8OutKind::Int32;
  const int32_t* bias = nullptr;  // per row, never null
  const int32_t* mult = nullptr;  // Int8: M[r] (core/requant.h)
  int shift = 0;                  // Int8: E
  int32_t qmin = -127, qmax = 127;
  const float* fscale = nullptr;  // Float: per row
  bool fclamp = false;
  float fmin = 0.0f, fmax = 0.0f;
};

// The output stage seen from row r on (per-row arrays advanced by r), and the
// size of one C element. (Inline, in an anonymous namespace: see
// core/im2col.h.)
namespace {
inline F32Output out_from_row(const F32Output& o, size_t r) {
  F32Output x = o;
  x.bias += r;
  return x;
}
inline S8Output out_from_row(const S8Output& o, size_t r) {
  S8Output x = o;
  x.bias += r;
  if (x.mult) x.mult += r;
  if (x.fscale) x.fscale += r;
  return x;
}
template <class IO>
inline F16Output<IO> out_from_row(const F16Output<IO>& o, size_t r) {
  F16Output<IO> x = o;
  x.bias += r;
  return x;
}
inline size_t out_elem_bytes(const F32Output&) { return sizeof(float); }
template <class IO>
inline size_t out_elem_bytes(const F16Output<IO>&) { return sizeof(IO); }
inline size_t out_elem_bytes(const S8Output& o) { return o.kind == S8OutKind::Int8 ? 1 : 4; }
}  // namespace

// ---- traits --------------------------------------------------------------------

struct F32Gemm {
  using A = float;
  using B = float;
  using X = float;
  using C = float;
  using Out = F32Output;
  static constexpr size_t kBlockBytes = 256 * 1024;  // an L2 share on Cortex-A72/A76
  static constexpr size_t kMaxKc = 512;
};

// Half precision (Armv8.2 FP16 kernels): A and B binary16, packed from fp32
// weights and an image of IO elements (float, converted while packing; or
// Half), C of IO elements. F16Gemm: float32 images and outputs; F16GemmH:
// binary16 ones. The two share A panels and micro-kernel arithmetic.
template <class IO>
struct F16GemmT {
  using A = Half;
  using B = Half;
  using X = IO;
  using C = IO;
  using Out = F16Output<IO>;
  static constexpr size_t kBlockBytes = 256 * 1024;
  static constexpr size_t kMaxKc = 512;
};
using F16Gemm = F16GemmT<float>;
using F16GemmH = F16GemmT<Half>;

constexpr size_t kS8MaxK = size_t(1) << 16;
constexpr int32_t kS8MaxBias = int32_t(1) << 30;

struct S8Gemm {
  using A = int8_t;
  using B = int8_t;
  using X = int8_t;
  using C = void;  // int32_t, int8_t or float by Out::kind
  using Out = S8Output;
  static constexpr size_t kBlockBytes = 128 * 1024;  // half an L2 share: the rest for C
  static constexpr size_t kMaxKc = 0;                // requantization needs the whole sum
};

// ---- kernel tables ---------------------------------------------------------------

template <class T>
struct GemmKernel {
  using A = typename T::A;
  using B = typename T::B;
  using X = typename T::X;
  using C = typename T::C;
  using Out = typename T::Out;
  using ukernel_fn = void (*)(size_t kc, size_t m, size_t n, const A* a, const B* b, C* c,
                              size_t ldc, const Out& out, unsigned flags);
  // Rows [0, m) x columns [0, k) of A (row stride lda) into MR-row panels
  // (round_up(m, MR) * Kp elements).
  using pack_a_fn = void (*)(size_t m, size_t k, const A* a, size_t lda, A* dst);
  // The kc x nc block of a dense B at `b` (row stride ldb) into NR-column
  // panels (round_up(nc, NR) * kcp elements).
  using pack_b_fn = void (*)(size_t kc, size_t nc, const X* b, size_t ldb, B* dst);
  // Rows [k0, k0 + kc) x columns [n0, n0 + nc) of the im2col matrix of `g`
  // (g.x: X elements; k0 a multiple of KR), as pack_b_fn would pack them.
  using pack_im2col_fn = void (*)(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc,
                                  B* dst);

  const char* name;  // <family>-<isa>-<tile>[-<variant>], reported by cpu_info()
  size_t mr, nr, kr;
  ukernel_fn ukernel;
  pack_a_fn pack_a;
  pack_b_fn pack_b;
  // nullptr: the driver packs im2col through pack_b, KR rows of the matrix at
  // a time gathered into scratch (the int8 tables: their B packers transpose
  // KR-row groups in registers).
  pack_im2col_fn pack_im2col;
  // pack_im2col is fastest on a stride-1 geometry without padding (and an
  // output width a multiple of 4; with pack_im2col_ok below: the padded
  // geometries it accepts): the convolution driver then packs from a
  // zero-padded copy of the image it makes in scratch, where that copy is
  // small (conv_gemm.cpp, kMaxPadCopy).
  bool pad_copy = false;
  // N = 1 (a 1x1 layer on a 1x1 map: squeeze-and-excitation): one A panel
  // (m <= MR rows, packed as for the micro-kernel, all K) times a dense x of
  // k elements, y[r * ldy] = out(bias[r] + sum_k A[r][k] x[k]) with the
  // activation, the K sum in one pass (no K-blocks), no B panel packed:
  // x is read 4 k per load. nullptr: the table has none (the driver runs
  // the GEMM).
  using gemv_fn = void (*)(size_t k, size_t m, const A* a, const X* x, C* y, size_t ldy, const Out& out);
  gemv_fn gemv = nullptr;
  // The planner's cost of a partial panel (n % NR columns), for splitting
  // units by cost (gemm_plan, threads.h split_units): the micro-kernel
  // computes edge_step columns at a time (the sdot 8x12 kernel: v =
  // ceil(r / 4) of its 3 column vectors), and its spill and store cost
  // about one vector more, so a panel of r columns costs (v + 1) / (NR /
  // edge_step + 1) of a full one (1 column: a half; measured, qemu
  // cortex-a76: 0.4 to 0.55). edge_step = NR: a full tile. 0: the default
  // (KR = 1: about r / NR, at least a quarter; KR > 1: a full tile).
  // edge_costs below, where set, overrides the model.
  size_t edge_step = 0;
  // A 1-column partial panel's cost where the kernel has a 1-column edge
  // tile cheaper than the edge_step model says (armv7 6x8: 0.3 of a full
  // tile); 0: the edge_step model.
  double edge1_cost = 0.0;
  // The planner's cost of a partial last M-panel (m % MR rows): the kernel
  // computes row_step rows at a time in place, and its loads, stores and
  // loop cost about one step more, so m rows cost (ceil(m / row_step) + 1) /
  // (MR / row_step + 1) of a full panel (armv7 6x8, row_step = 1: (1 + m) /
  // 7, measured). 0: a full panel.
  size_t row_step = 0;
  // Edge groups of the B format (above): a last panel of 1..b_edge_cols
  // columns is packed in 4-row groups, each column's 4 k contiguous. 0: none.
  size_t b_edge_cols = 0;
  // Measured costs, where the models above do not fit the kernel's edge
  // tiles: edge_costs[r] (r = 1..NR-1) a partial panel of r columns,
  // row_costs[m] (m = 1..MR-1) a partial M-panel of m rows, relative to a
  // full one (entry 0 unused; above 1 counts as 1). nullptr: the models.
  // Read by gemm_edge_cost() / gemm_row_cost() (the planner's
  // last_block_cost / last_panel_cost).
  const double* edge_costs = nullptr;
  const double* row_costs = nullptr;
  // Where pack_im2col is fast: nullptr, on every geometry; else the
  // geometries pack_im2col_ok() accepts (it packs the others correctly, but
  // slowly), and the convolution driver runs a layer whose geometry it
  // refuses with the staged packing (the table with pack_im2col = nullptr,
  // conv_gemm.cpp). With pad_copy, it also decides which padded layers get
  // a zero-padded copy: those whose padded geometry it accepts.
  using im2col_ok_fn = bool (*)(const Im2colGeom& g);
  im2col_ok_fn pack_im2col_ok = nullptr;
};

// The planner's cost of a partial last panel of r = 1..NR-1 columns, and
// of a partial last M-panel of m = 1..MR-1 rows, relative to a full one (at
// most 1): the table's measured costs, else the models of edge_step /
// edge1_cost and row_step above.
template <class T>
double gemm_edge_cost(const GemmKernel<T>& kern, size_t r);
template <class T>
double gemm_row_cost(const GemmKernel<T>& kern, size_t m);

// Offset of B[k0 + kk][n0 + q*NR + j] in panel q's kcp*NR elements, for a
// panel of `cols` valid columns of a block of kc rows (KR = 1 when
// b_edge_cols > 0; otherwise the layout of any KR).
inline size_t packed_b_at(size_t nr, size_t kr, size_t edge_cols, size_t kc, size_t cols, size_t kk,
                          size_t j) {
  if (cols <= edge_cols && kk < kc / 4 * 4) return kk / 4 * 4 * nr + j * 4 + kk % 4;
  return kk / kr * nr * kr + j * kr + kk % kr;
}

using SgemmKernels = GemmKernel<F32Gemm>;
using S8GemmKernels = GemmKernel<S8Gemm>;
using HgemmKernels = GemmKernel<F16Gemm>;    // float32 image and output
using HgemmKernelsH = GemmKernel<F16GemmH>;  // binary16 image and output
// The two tables of one fp16 kernel (same tile, same A panels).
struct HgemmPair {
  const HgemmKernels* f32;
  const HgemmKernelsH* f16;
};

// Implementations; which exist depends on the build (dispatch.cpp picks).
const SgemmKernels& sgemm_generic_kernels();
// Generic tables with the tile of a NEON one, for comparing packers and
// micro-kernels with it; nullptr if not instantiated.
const SgemmKernels* sgemm_generic_kernels_for(size_t mr, size_t nr);
const S8GemmKernels& gemm_s8_generic_kernels();
const S8GemmKernels* gemm_s8_generic_kernels_for(size_t mr, size_t nr, size_t kr);
#if defined(ARMCONV_HAVE_NEON)
const SgemmKernels& sgemm_neon_kernels();   // neon/aarch64/sgemm_8x12.cpp, neon/armv7/sgemm_6x8.cpp
const S8GemmKernels& gemm_s8_neon_kernels();  // neon/aarch64/gemm_s8_4x4k16.cpp, neon/armv7/gemm_s8_4x2k16.cpp
#endif
#if defined(ARMCONV_HAVE_DOTPROD)
const S8GemmKernels& gemm_s8_dotprod_kernels();  // neon/aarch64/gemm_s8_8x12k4_dotprod.cpp
#endif
#if defined(ARMCONV_HAVE_I8MM)
const S8GemmKernels& gemm_s8_i8mm_kernels();  // neon/aarch64/gemm_s8_8x8k8_i8mm.cpp
#endif
// Generic twins of the fp16 tables (core/half.h arithmetic: the same bits as
// the NEON kernels of that tile), for tests on any host; {nullptr, nullptr}
// for a tile not instantiated. Never dispatched: a CPU without fp16 vector
// arithmetic runs fp16 layers with the fp32 kernels.
HgemmPair hgemm_generic_kernels_for(size_t mr, size_t nr);
#if defined(ARMCONV_HAVE_FP16)
HgemmPair hgemm_fp16_kernels();  // neon/aarch64/hgemm_8x24_fp16.cpp
#endif

// ---- the driver ------------------------------------------------------------------

// Blocking and work units of one (M x N x K) GEMM for a table.
struct GemmPlan {
  size_t m = 0, n = 0, k = 0;
  size_t kp = 0;        // K rounded up to KR: packed A panels hold MR * kp elements
  size_t kc = 0;        // K-block (a multiple of KR unless it is all of K)
  size_t nc = 0;        // N-block width (a multiple of NR)
  size_t n_blocks = 0;  // ceil(N / nc)
  size_t m_panels = 0;  // ceil(M / MR)
  double last_block_cost = 1.0;  // the last N-block's cost relative to a full one
  double last_panel_cost = 1.0;  // the last M-panel's (GemmKernel::row_step)
  size_t b_bytes = 0;      // the packed B block (at the start of scratch)
  size_t stage_bytes = 0;  // staged im2col packing (after it), or 0
  size_t scratch_bytes = 0;  // per worker, 64-byte aligned
  size_t units() const { return n_blocks * m_panels; }
  // A plan in stages (gemm_plan(..., stages = true)): stage 0 (gemm_pack)
  // packs B once, into a buffer the threads share; stage 1 (gemm_run_packed)
  // runs the micro-kernels of the units above from it. The buffer holds, per
  // K-block, the NR-column panels of all of N one after the other (as one
  // pack_b of the whole K-block would lay them out; kb_bytes apart), so
  // stage 1's N-blocks need not match how stage 0 cut the packing. Stage 0's
  // units: (slab of slab_nc columns (the one-thread N-blocks), K-block,
  // slice of slice_k rows (a multiple of KR), group of pack_panels panels),
  // the group innermost: a thread's range then takes every group of a slice
  // before the next slice, so its panels are a fair sample of the slab's
  // (an im2col panel costs one piece per output row its columns lie in, and
  // which panels cross a row repeats along N). The same packed bytes and the
  // same micro-kernel calls on each output as gemm_run: the same results.
  bool staged = false;
  size_t k_blocks = 1;
  size_t slab_nc = 0, slabs = 0;
  double last_slab_cost = 1.0;
  size_t pack_panels = 0, pack_groups = 0;
  size_t slice_k = 0, k_slices = 1;
  size_t kb_bytes = 0;  // one K-block's panels (NR x round_up(kc, KR) elements each)
  size_t pack_units() const { return slabs * k_blocks * pack_groups * k_slices; }
  // 64 bytes of slack at the end: vector loads may run over a panel's end.
  size_t shared_bytes() const { return (k_blocks * kb_bytes + 64 + 63) / 64 * 64; }
};

// The operand B of one GEMM: a dense matrix, or an image read as its im2col
// matrix (g.x points at elements of type T::X).
template <class T>
struct GemmB {
  const typename T::X* b = nullptr;  // dense: B[k][n] = b[k * ldb + n]
  size_t ldb = 0;
  const Im2colGeom* im2col = nullptr;
};

// `im2col`: B will come from an image (sizes the staging scratch).
// want_units: the units the caller would like (for its threads): N is cut
// into N-blocks of equal width, and into more of them than the L2 blocking
// asks when it gives fewer units (each at least kMinBlockPanels panels wide).
// 0: the L2 blocking as it is. stages: a plan in stages (see GemmPlan) with
// about want_units units in stage 0 too. taps: an im2col B's kernel taps
// per input channel (kernel_h x kernel_w; what a packer call's set-up walks).
constexpr size_t kMinBlockPanels = 2;
template <class T>
GemmPlan gemm_plan(const GemmKernel<T>& kern, size_t m, size_t n, size_t k, bool im2col,
                   size_t want_units = 0, bool stages = false, size_t taps = 1);

// Units [begin, end) of the plan. packed_a: pack_a() of the whole A; c: C
// (row stride ldc elements); out: the output stage from row 0 (per-row arrays
// readable MR entries past M); scratch: plan.scratch_bytes, 64-byte aligned,
// any content, used by one caller at a time.
template <class T>
void gemm_run(const GemmKernel<T>& kern, const GemmPlan& plan, const typename T::A* packed_a,
              const GemmB<T>& b, typename T::C* c, size_t ldc, const typename T::Out& out,
              size_t begin, size_t end, void* scratch);

// A plan in stages. gemm_pack: stage-0 units [begin, end), B into `shared`
// (plan.shared_bytes(), 64-byte aligned); scratch: plan.scratch_bytes.
// gemm_run_packed: stage-1 units [begin, end) (those of gemm_run), once every
// stage-0 unit is done.
template <class T>
void gemm_pack(const GemmKernel<T>& kern, const GemmPlan& plan, const GemmB<T>& b, size_t begin,
               size_t end, void* shared, void* scratch);
template <class T>
void gemm_run_packed(const GemmKernel<T>& kern, const GemmPlan& plan, const typename T::A* packed_a,
                     const void* shared, typename T::C* c, size_t ldc, const typename T::Out& out,
                     size_t begin, size_t end);

}  // namespace detail
}  // namespace armconv
