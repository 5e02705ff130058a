// NEON int8 depthwise 3x3, stride 1 and 2, aarch64, armv8.0 (no dotprod:
// the Cortex-A72 of a Raspberry Pi 4) (dwconv3x3_s8-aarch64-1x16-smull).
// Contract: core/dwconv.h; bit-exact with the generic loop
// (generic/dwconv_s8.cpp): the int32 sums are exact, the output stage is the
// rule of core/requant.h (sqshl, sqrdmulh, saturating narrows, clamp) or the
// float dequantization (scvtf, one multiply, clamp), as in DwS8Store.
// A baseline unit: nothing here needs more than armv8.0 + AdvSIMD.
//
// The planes this kernel takes run as column strips in inline asm (below);
// the others go to the intrinsics kernels of neon/dwconv3x3_s8.h (shared with
// armv7; included here: anonymous namespace): maps under 8 outputs wide
// (w > 16), paddings beyond 1 column on a side (left > 1, or a strip reading
// more than one column past the row) or at the top (stride 1: > 2, stride 2:
// > 1), and of the narrow maps (w <= 16) the last plane of a run and those
// the narrow strip does not take (neon/dwconv3x3_s8_rows.h: whole rows in
// registers, exact stores; stride 2, 16 < w <= 31: the last plane of a
// narrow run goes to the 8-lane strips).
//
// Strips: 16 output columns x0 .. x0 + 15 at x0 = 0, 16, .., then the rest
// r = wo % 16 as one 8-lane strip at wo - 8 (r <= 8) or one 16-lane strip at
// wo - 16 (r > 8: overlapping the one before, storing some outputs twice);
// maps of 8 .. 15 outputs: 8-lane strips at 0 and wo - 8. Output column x
// reads input columns x*S - pad_left + {0, 1, 2}; a strip of L lanes reads
// columns c0 .. c0 + span - 1, c0 = x0*S - pad_left, span = (L - 1) * S + 3
// (18 or 10 for stride 1; 33 or 17 for stride 2). A row's three tap windows
// (L lanes each: tap column t of output x0 + i in lane i; 8 lanes: the same
// instructions on D registers):
//   stride 1, interior (0 <= c0, c0 + span <= w): three loads at c0, +1, +2.
//   stride 2, interior: LD2 at c0 (even columns: tap 0; odd: tap 1) and LD2
//     at c0 + 1 (odd: tap 1 again, overwritten with the same bytes; even:
//     tap 2).
//   left edge (c0 = -1, the row at column 0): the in-row loads of taps 1, 2;
//     tap 0 = EXT of a zero vector and tap 1's (stride 1) or tap 2's
//     (stride 2) window: lane 0 = the padding, lane i = column i - 1 (S 1) or
//     2i - 1 (S 2).
//   right edge (c0 + span = w + 1: the last column is padding): taps 0, 1
//     loaded; tap 2 = EXT of tap 1's (stride 1) or tap 0's (stride 2) window
//     and zero: the last lane = the padding.
//   narrow (w <= 16, stride 2: w <= 31; pad_left 1, one strip of L >= wo
//     lanes from column 0):
//     the left edge's loads (reading past the row's end, into the next row:
//     junk lanes only) and a mask on the tap-2 window (the right padding).
//     Lanes >= wo are stored too (into the next row or plane, which are
//     written after): all planes of a run but the last.
// So each row costs 3 (stride 1) or 2 (stride 2) instructions (narrow: one
// more); loads never read outside [c0, c0 + span) of the row except narrow.
//
// Rows: a strip runs down the output rows keeping the windows of the input
// rows it reuses in registers (stride 1: output row oy reads input rows
// oy - pt .. oy - pt + 2: two kept, one loaded; stride 2: one kept, two
// loaded). The loop is unrolled 3 (stride 1) or 2 (stride 2) so that keeping
// is renaming. The first rows' windows come from p0 (and p1), the rows
// loaded per output row from xin, xin + st, ..; rows outside the plane are a
// static zero row (kSmullZero): after the n rows whose input is inside the
// plane, n2 rows from xin2 (stride 1: the zero row, st2 = 0; stride 2, one
// row: its two input rows, st2 = the distance between them), in the same
// loop (re-entered at the row after the one it left). Planes: one asm call
// runs a strip down all planes of a run (the outputs of plane i + 1 follow
// plane i's, so the output pointer runs on; the rows restart from a control
// block in memory, SmullCtl, updated per plane; taps, bias, M or scale
// post-incremented).
//
// Arithmetic per 16 outputs of one row (the tap pairs of neon/dwconv3x3_s8.h):
//   p = smull(x_t, w_t) + smlal(x_t', w_t') in int16, 8 lanes per half:
//       |p| <= 2 * 128 * 127 = 32512 < 2^15, exact;
//   4 pairs (taps 0+1, 2+3, 4+5, 6+7) and tap 8 alone: 18 multiplies;
//   widened into 4 int32x4 accumulators by saddw/saddw2, the first group
//   from the bias register (non-destructive: no moves): 20 widens (5 int16
//   terms and the bias into one int32 sum: 5 adds per 4 lanes, the least).
// Output stage: int8: [sqshl by E (4), only when E > 0], sqrdmulh by M (4),
// sqxtn/sqxtn2 to int16 (4) and to int8 (2), smax qmin, smin qmax (2), one
// ST1 post-indexed by the output row: 13 (17). Float: scvtf (4), fmul by the
// scale (4), [fmax/fmin (8) with the clamp], one ST1 of 4 vectors: 9 (17).
// With the loads (3 or 4) and the loop's subs/b (2): stride 1, int8 output:
// 3 + 38 + 13 + 2 = 56 instructions per 144 MACs (2.57 MACs/insn) in the
// strip's loop; stride 2: 57. 8 lanes: 3 + 19 + 8 + 2 = 32 per 72 MACs.
// Per plane and strip: ~28 (the control block, taps, the first rows).
//
// Register map of the asm (every call sets all of it up; v8-v15 are saved
// by the compiler for the clobbers, once per kernel call):
//   v0-v8    the taps w0..w8, each byte broadcast to 16 lanes (LD4R, LD1R)
//   v9-v11   windows set A (taps 0, 1, 2 of an input row)
//   v12-v14  set B
//   v15-v17  set C
//   v18-v21  the 16 int32 sums (outputs 0-3, 4-7, 8-11, 12-15; 8 lanes:
//            v18, v19)
//   v22-v25  int16 pair products (v22/v24 outputs 0-7, v23/v25 8-15);
//            v22/v23 also the narrowed int8 result
//   v26      bias (int32 x4)
//   v27      int8: M (int32 x4); float: the scale
//   v28      int8: E (int32 x4, sqshl); float: fmin
//   v29/v30  int8: qmin/qmax (int8 x16); float: v29 fmax
//   v31      zero (the padding of the edge strips), or the narrow mask
//   GPRs: kt taps, bias, q (M or scale) (post-incremented per plane), ctl the
//   control block, p0/p1 the first rows (p0b = p0 + 1, stride 2 interior;
//   also a temporary), xin/xin1 the rows loaded in the loop (xin1 = xin + 1),
//   xin2 the rows after them, st input row step, n/n2 output rows, np
//   planes, out/ost output pointer and row step, mask.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/dwconv.h"
#include "neon/dwconv3x3_s8.h"
#include "neon/dwconv3x3_s8_rowplan.h"

namespace armconv {
namespace detail {
namespace {

// The zero row: rows outside the plane (every load of a strip reads at most
// 34 bytes from its pointer).
alignas(16) const int8_t kSmullZero[64] = {};

enum SmullMode { kInterior = 0, kLeft = 1, kRight = 2, kNarrow = 3 };
// Output variants: int8 (shift 0 / > 0), float (clamp off / on).
enum SmullOut { kOI8 = 0, kOI8Shift = 1, kOF32 = 2, kOF32Clamp = 3 };

// ---- window loads: LD*(P, P1, a, b, c) loads one input row's taps 0, 1, 2
// into va, vb, vc from pointer operand P (P1 = P + 1: stride 2 interior),
// advancing P (and P1) by st.
#define SM_LD1_INT(P, P1, a, b, c)              \
  "ldur q" #b ", [%[" #P "], #1]\n\t"         \
  "ldur q" #c ", [%[" #P "], #2]\n\t"         \
  "ld1 {v" #a ".16b}, [%[" #P "]], %[st]\n\t"
#define SM_LD1_LEFT(P, P1, a, b, c)             \
  "ldur q" #c ", [%[" #P "], #1]\n\t"         \
  "ld1 {v" #b ".16b}, [%[" #P "]], %[st]\n\t" \
  "ext v" #a ".16b, v31.16b, v" #b ".16b, #15\n\t"
#define SM_LD1_RIGHT(P, P1, a, b, c)            \
  "ldur q" #b ", [%[" #P "], #1]\n\t"         \
  "ld1 {v" #a ".16b}, [%[" #P "]], %[st]\n\t" \
  "ext v" #c ".16b, v" #b ".16b, v31.16b, #1\n\t"
#define SM_LD2_INT(P, P1, a, b, c)                           \
  "ld2 {v" #a ".16b, v" #b ".16b}, [%[" #P "]], %[st]\n\t" \
  "ld2 {v" #b ".16b, v" #c ".16b}, [%[" #P1 "]], %[st]\n\t"
#define SM_LD2_LEFT(P, P1, a, b, c)                          \
  "ld2 {v" #b ".16b, v" #c ".16b}, [%[" #P "]], %[st]\n\t" \
  "ext v" #a ".16b, v31.16b, v" #c ".16b, #15\n\t"
#define SM_LD2_RIGHT(P, P1, a, b, c)                         \
  "ld2 {v" #a ".16b, v" #b ".16b}, [%[" #P "]], %[st]\n\t" \
  "ext v" #c ".16b, v" #a ".16b, v31.16b, #1\n\t"

// The 8-lane strips (LD*8: 8 output columns; spans 10 and 17): the same
// with 8-byte vectors (D registers; EXT by 7 for the left edge).
#define SM_LD1_INT8(P, P1, a, b, c)             \
  "ldur d" #b ", [%[" #P "], #1]\n\t"         \
  "ldur d" #c ", [%[" #P "], #2]\n\t"         \
  "ld1 {v" #a ".8b}, [%[" #P "]], %[st]\n\t"
#define SM_LD1_LEFT8(P, P1, a, b, c)            \
  "ldur d" #c ", [%[" #P "], #1]\n\t"         \
  "ld1 {v" #b ".8b}, [%[" #P "]], %[st]\n\t"  \
  "ext v" #a ".8b, v31.8b, v" #b ".8b, #7\n\t"
#define SM_LD1_RIGHT8(P, P1, a, b, c)           \
  "ldur d" #b ", [%[" #P "], #1]\n\t"         \
  "ld1 {v" #a ".8b}, [%[" #P "]], %[st]\n\t"  \
  "ext v" #c ".8b, v" #b ".8b, v31.8b, #1\n\t"
#define SM_LD2_INT8(P, P1, a, b, c)                          \
  "ld2 {v" #a ".8b, v" #b ".8b}, [%[" #P "]], %[st]\n\t"  \
  "ld2 {v" #b ".8b, v" #c ".8b}, [%[" #P1 "]], %[st]\n\t"
#define SM_LD2_LEFT8(P, P1, a, b, c)                         \
  "ld2 {v" #b ".8b, v" #c ".8b}, [%[" #P "]], %[st]\n\t"  \
  "ext v" #a ".8b, v31.8b, v" #c ".8b, #7\n\t"
#define SM_LD2_RIGHT8(P, P1, a, b, c)                        \
  "ld2 {v" #a ".8b, v" #b ".8b}, [%[" #P "]], %[st]\n\t"  \
  "ext v" #c ".8b, v" #a ".8b, v31.8b, #1\n\t"

// Narrow maps (kNarrow: pad_left 1, w <= 16 (stride 2: <= 31), one strip of L >= wo lanes
// from column 0; lanes >= wo are junk, not stored where it matters): as the
// left edge, but v31 is a mask, 0xff in the lanes whose tap-2 window column
// (i + 1, stride 1; 2i + 1, stride 2) is inside the row, 0 elsewhere (the
// column past the row is the right padding; its lane 15 (7) is 0, so that
// EXT still shifts a zero into lane 0). The loads read past the row's end
// (into the next row: only junk lanes use those bytes).
#define SM_LD1_NARROW(P, P1, a, b, c)           \
  "ldur q" #c ", [%[" #P "], #1]\n\t"         \
  "ld1 {v" #b ".16b}, [%[" #P "]], %[st]\n\t" \
  "ext v" #a ".16b, v31.16b, v" #b ".16b, #15\n\t" \
  "and v" #c ".16b, v" #c ".16b, v31.16b\n\t"
#define SM_LD1_NARROW8(P, P1, a, b, c)          \
  "ldur d" #c ", [%[" #P "], #1]\n\t"         \
  "ld1 {v" #b ".8b}, [%[" #P "]], %[st]\n\t"  \
  "ext v" #a ".8b, v31.8b, v" #b ".8b, #7\n\t" \
  "and v" #c ".8b, v" #c ".8b, v31.8b\n\t"
#define SM_LD2_NARROW(P, P1, a, b, c)                        \
  "ld2 {v" #b ".16b, v" #c ".16b}, [%[" #P "]], %[st]\n\t" \
  "ext v" #a ".16b, v31.16b, v" #c ".16b, #15\n\t"          \
  "and v" #c ".16b, v" #c ".16b, v31.16b\n\t"
#define SM_LD2_NARROW8(P, P1, a, b, c)                       \
  "ld2 {v" #b ".8b, v" #c ".8b}, [%[" #P "]], %[st]\n\t"  \
  "ext v" #a ".8b, v31.8b, v" #c ".8b, #7\n\t"             \
  "and v" #c ".8b, v" #c ".8b, v31.8b\n\t"

// Window sets (see the register map), parenthesized, and the indirection
// that spreads them into three arguments.
#define SM_A (9, 10, 11)
#define SM_B (12, 13, 14)
#define SM_C (15, 16, 17)
#define SM_UNP(a, b, c) a, b, c
#define SM_LOAD(LD, P, P1, SET) SM_LOAD_(LD, P, P1, SM_UNP SET)
#define SM_LOAD_(LD, P, P1, ...) SM_LOAD__(LD, P, P1, __VA_ARGS__)
#define SM_LOAD__(LD, P, P1, a, b, c) LD(P, P1, a, b, c)

// ---- the 9 taps of one output row: input rows (a: top, b, c: bottom).
// Pairs (0,1) (2,3) (4,5) (6,7) in int16 (|sum of 2 products| < 2^15), tap 8
// alone; acc = bias + widen(pair 1), then += pairs 2..4 and tap 8.
#define SM_MAC(SA, SB, SC) SM_MAC_X(SM_UNP SA, SM_UNP SB, SM_UNP SC)
#define SM_MAC_X(...) SM_MAC_(__VA_ARGS__)
#define SM_MAC_(a0, a1, a2, b0, b1, b2, c0, c1, c2)    \
  "smull  v22.8h, v" #a0 ".8b, v0.8b\n\t"               \
  "smull2 v23.8h, v" #a0 ".16b, v0.16b\n\t"             \
  "smull  v24.8h, v" #a2 ".8b, v2.8b\n\t"               \
  "smull2 v25.8h, v" #a2 ".16b, v2.16b\n\t"             \
  "smlal  v22.8h, v" #a1 ".8b, v1.8b\n\t"               \
  "smlal2 v23.8h, v" #a1 ".16b, v1.16b\n\t"             \
  "smlal  v24.8h, v" #b0 ".8b, v3.8b\n\t"               \
  "smlal2 v25.8h, v" #b0 ".16b, v3.16b\n\t"             \
  "saddw  v18.4s, v26.4s, v22.4h\n\t"                   \
  "saddw2 v19.4s, v26.4s, v22.8h\n\t"                   \
  "saddw  v20.4s, v26.4s, v23.4h\n\t"                   \
  "saddw2 v21.4s, v26.4s, v23.8h\n\t"                   \
  "smull  v22.8h, v" #b1 ".8b, v4.8b\n\t"               \
  "smull2 v23.8h, v" #b1 ".16b, v4.16b\n\t"             \
  "saddw  v18.4s, v18.4s, v24.4h\n\t"                   \
  "saddw2 v19.4s, v19.4s, v24.8h\n\t"                   \
  "saddw  v20.4s, v20.4s, v25.4h\n\t"                   \
  "saddw2 v21.4s, v21.4s, v25.8h\n\t"                   \
  "smlal  v22.8h, v" #b2 ".8b, v5.8b\n\t"               \
  "smlal2 v23.8h, v" #b2 ".16b, v5.16b\n\t"             \
  "smull  v24.8h, v" #c0 ".8b, v6.8b\n\t"               \
  "smull2 v25.8h, v" #c0 ".16b, v6.16b\n\t"             \
  "saddw  v18.4s, v18.4s, v22.4h\n\t"                   \
  "saddw2 v19.4s, v19.4s, v22.8h\n\t"                   \
  "saddw  v20.4s, v20.4s, v23.4h\n\t"                   \
  "saddw2 v21.4s, v21.4s, v23.8h\n\t"                   \
  "smlal  v24.8h, v" #c1 ".8b, v7.8b\n\t"               \
  "smlal2 v25.8h, v" #c1 ".16b, v7.16b\n\t"             \
  "smull  v22.8h, v" #c2 ".8b, v8.8b\n\t"               \
  "smull2 v23.8h, v" #c2 ".16b, v8.16b\n\t"             \
  "saddw  v18.4s, v18.4s, v24.4h\n\t"                   \
  "saddw2 v19.4s, v19.4s, v24.8h\n\t"                   \
  "saddw  v20.4s, v20.4s, v25.4h\n\t"                   \
  "saddw2 v21.4s, v21.4s, v25.8h\n\t"                   \
  "saddw  v18.4s, v18.4s, v22.4h\n\t"                   \
  "saddw2 v19.4s, v19.4s, v22.8h\n\t"                   \
  "saddw  v20.4s, v20.4s, v23.4h\n\t"                   \
  "saddw2 v21.4s, v21.4s, v23.8h\n\t"

// 8 lanes: the same pairs, the low halves only (v22, v24; sums v18, v19).
#define SM_MAC8(SA, SB, SC) SM_MAC8_X(SM_UNP SA, SM_UNP SB, SM_UNP SC)
#define SM_MAC8_X(...) SM_MAC8_(__VA_ARGS__)
#define SM_MAC8_(a0, a1, a2, b0, b1, b2, c0, c1, c2)   \
  "smull  v22.8h, v" #a0 ".8b, v0.8b\n\t"              \
  "smull  v24.8h, v" #a2 ".8b, v2.8b\n\t"              \
  "smlal  v22.8h, v" #a1 ".8b, v1.8b\n\t"              \
  "smlal  v24.8h, v" #b0 ".8b, v3.8b\n\t"              \
  "saddw  v18.4s, v26.4s, v22.4h\n\t"                  \
  "saddw2 v19.4s, v26.4s, v22.8h\n\t"                  \
  "smull  v22.8h, v" #b1 ".8b, v4.8b\n\t"              \
  "saddw  v18.4s, v18.4s, v24.4h\n\t"                  \
  "saddw2 v19.4s, v19.4s, v24.8h\n\t"                  \
  "smlal  v22.8h, v" #b2 ".8b, v5.8b\n\t"              \
  "smull  v24.8h, v" #c0 ".8b, v6.8b\n\t"              \
  "saddw  v18.4s, v18.4s, v22.4h\n\t"                  \
  "saddw2 v19.4s, v19.4s, v22.8h\n\t"                  \
  "smlal  v24.8h, v" #c1 ".8b, v7.8b\n\t"              \
  "smull  v22.8h, v" #c2 ".8b, v8.8b\n\t"              \
  "saddw  v18.4s, v18.4s, v24.4h\n\t"                  \
  "saddw2 v19.4s, v19.4s, v24.8h\n\t"                  \
  "saddw  v18.4s, v18.4s, v22.4h\n\t"                  \
  "saddw2 v19.4s, v19.4s, v22.8h\n\t"

// ---- output stages: the 16 sums v18-v21 to out (post-indexed by ost).
// int8 (core/requant.h): x = sat(acc * 2^E) (sqshl; skipped when E = 0),
// t = sqrdmulh(x, M) = floor((2xM + 2^31) / 2^32), narrowed with saturation
// to int16 then int8, clamped to [qmin, qmax].
#define SM_SHIFT                          \
  "sqshl v18.4s, v18.4s, v28.4s\n\t"      \
  "sqshl v19.4s, v19.4s, v28.4s\n\t"      \
  "sqshl v20.4s, v20.4s, v28.4s\n\t"      \
  "sqshl v21.4s, v21.4s, v28.4s\n\t"
#define SM_REQ                              \
  "sqrdmulh v18.4s, v18.4s, v27.4s\n\t"     \
  "sqrdmulh v19.4s, v19.4s, v27.4s\n\t"     \
  "sqrdmulh v20.4s, v20.4s, v27.4s\n\t"     \
  "sqrdmulh v21.4s, v21.4s, v27.4s\n\t"     \
  "sqxtn  v22.4h, v18.4s\n\t"               \
  "sqxtn  v23.4h, v20.4s\n\t"               \
  "sqxtn2 v22.8h, v19.4s\n\t"               \
  "sqxtn2 v23.8h, v21.4s\n\t"               \
  "sqxtn  v22.8b, v22.8h\n\t"               \
  "sqxtn2 v22.16b, v23.8h\n\t"              \
  "smax v22.16b, v22.16b, v29.16b\n\t"      \
  "smin v22.16b, v22.16b, v30.16b\n\t"      \
  "st1 {v22.16b}, [%[out]], %[ost]\n\t"
#define SM_OUT_I8 SM_REQ
#define SM_OUT_I8S SM_SHIFT SM_REQ
// float: fl32(acc) * scale (one rounding each), clamped to [fmin, fmax].
#define SM_FMUL                          \
  "scvtf v18.4s, v18.4s\n\t"             \
  "scvtf v19.4s, v19.4s\n\t"             \
  "scvtf v20.4s, v20.4s\n\t"             \
  "scvtf v21.4s, v21.4s\n\t"             \
  "fmul v18.4s, v18.4s, v27.4s\n\t"      \
  "fmul v19.4s, v19.4s, v27.4s\n\t"      \
  "fmul v20.4s, v20.4s, v27.4s\n\t"      \
  "fmul v21.4s, v21.4s, v27.4s\n\t"
#define SM_FCLAMP                        \
  "fmax v18.4s, v18.4s, v28.4s\n\t"      \
  "fmax v19.4s, v19.4s, v28.4s\n\t"      \
  "fmax v20.4s, v20.4s, v28.4s\n\t"      \
  "fmax v21.4s, v21.4s, v28.4s\n\t"      \
  "fmin v18.4s, v18.4s, v29.4s\n\t"      \
  "fmin v19.4s, v19.4s, v29.4s\n\t"      \
  "fmin v20.4s, v20.4s, v29.4s\n\t"      \
  "fmin v21.4s, v21.4s, v29.4s\n\t"
#define SM_FST "st1 {v18.4s, v19.4s, v20.4s, v21.4s}, [%[out]], %[ost]\n\t"
#define SM_OUT_F32 SM_FMUL SM_FST
#define SM_OUT_F32C SM_FMUL SM_FCLAMP SM_FST

// 8 lanes (v18, v19): the same stages, one 8-byte or 32-byte store.
#define SM_OUT8_SHIFT                     \
  "sqshl v18.4s, v18.4s, v28.4s\n\t"      \
  "sqshl v19.4s, v19.4s, v28.4s\n\t"
#define SM_OUT8_REQ                         \
  "sqrdmulh v18.4s, v18.4s, v27.4s\n\t"     \
  "sqrdmulh v19.4s, v19.4s, v27.4s\n\t"     \
  "sqxtn  v22.4h, v18.4s\n\t"               \
  "sqxtn2 v22.8h, v19.4s\n\t"               \
  "sqxtn  v22.8b, v22.8h\n\t"               \
  "smax v22.8b, v22.8b, v29.8b\n\t"         \
  "smin v22.8b, v22.8b, v30.8b\n\t"         \
  "st1 {v22.8b}, [%[out]], %[ost]\n\t"
#define SM_OUT8_I8 SM_OUT8_REQ
#define SM_OUT8_I8S SM_OUT8_SHIFT SM_OUT8_REQ
#define SM_OUT8_FMUL                     \
  "scvtf v18.4s, v18.4s\n\t"             \
  "scvtf v19.4s, v19.4s\n\t"             \
  "fmul v18.4s, v18.4s, v27.4s\n\t"      \
  "fmul v19.4s, v19.4s, v27.4s\n\t"
#define SM_OUT8_FCLAMP                   \
  "fmax v18.4s, v18.4s, v28.4s\n\t"      \
  "fmax v19.4s, v19.4s, v28.4s\n\t"      \
  "fmin v18.4s, v18.4s, v29.4s\n\t"      \
  "fmin v19.4s, v19.4s, v29.4s\n\t"
#define SM_OUT8_FST "st1 {v18.4s, v19.4s}, [%[out]], %[ost]\n\t"
#define SM_OUT8_F32 SM_OUT8_FMUL SM_OUT8_FST
#define SM_OUT8_F32C SM_OUT8_FMUL SM_OUT8_FCLAMP SM_OUT8_FST

// ---- setup. Once per call: the output stage's constants (from the control
// block, through p0b) and v31 (zero or the narrow mask).
#define SM_CONST_I8                        \
  "add %[p0b], %[ctl], #104\n\t"           \
  "ld1r {v28.4s}, [%[p0b]], #4\n\t"        \
  "ld1r {v29.16b}, [%[p0b]]\n\t"           \
  "add %[p0b], %[ctl], #112\n\t"           \
  "ld1r {v30.16b}, [%[p0b]]\n\t"           \
  "ldr q31, [%[mask]]\n\t"
#define SM_CONST_F32                       \
  "add %[p0b], %[ctl], #108\n\t"           \
  "ld1r {v28.4s}, [%[p0b]], #4\n\t"        \
  "ld1r {v29.4s}, [%[p0b]]\n\t"            \
  "ldr q31, [%[mask]]\n\t"
// Per plane: the rows from the control block (and the next plane's written
// back: each pointer plus its step, h * w or 0 for the zero row), the
// counts, the taps (LD4R x2 + LD1R: k[0..8] each broadcast; kt += 16), bias
// and M or scale (bias, q += 4).
#define SM_PLANE                                                 \
  "ldp %[p0], %[p1], [%[ctl]]\n\t"                               \
  "ldp %[xin], %[xin2], [%[ctl], #16]\n\t"                       \
  "ldp %[p0b], %[xin1], [%[ctl], #32]\n\t"                       \
  "add %[p0b], %[p0], %[p0b]\n\t"                                \
  "add %[xin1], %[p1], %[xin1]\n\t"                              \
  "stp %[p0b], %[xin1], [%[ctl]]\n\t"                            \
  "ldp %[p0b], %[xin1], [%[ctl], #48]\n\t"                       \
  "add %[p0b], %[xin], %[p0b]\n\t"                               \
  "add %[xin1], %[xin2], %[xin1]\n\t"                            \
  "stp %[p0b], %[xin1], [%[ctl], #16]\n\t"                       \
  "ldp %[n], %[n2], [%[ctl], #64]\n\t"                           \
  "ldr %[st], [%[ctl], #80]\n\t"                                 \
  "add %[p0b], %[p0], #1\n\t"                                    \
  "add %[xin1], %[xin], #1\n\t"                                  \
  "ld4r {v0.16b, v1.16b, v2.16b, v3.16b}, [%[kt]], #4\n\t"       \
  "ld4r {v4.16b, v5.16b, v6.16b, v7.16b}, [%[kt]], #4\n\t"       \
  "ld1r {v8.16b}, [%[kt]]\n\t"                                   \
  "add %[kt], %[kt], #8\n\t"                                     \
  "ld1r {v26.4s}, [%[bias]], #4\n\t"                             \
  "ld1r {v27.4s}, [%[q]], #4\n\t"

// One output row: the new rows' loads, the taps, the store, the count.
#define SM_ROW1(LD, MAC, OUT, KA, KB, KC) SM_LOAD(LD, xin, xin1, KC) MAC(KA, KB, KC) OUT "subs %[n], %[n], #1\n\t"
#define SM_ROW2(LD, MAC, OUT, KA, KB, KC) \
  SM_LOAD(LD, xin, xin1, KB) SM_LOAD(LD, xin, xin1, KC) MAC(KA, KB, KC) OUT "subs %[n], %[n], #1\n\t"

// The rows below the plane, in the same call: when the loop's n rows are
// done and n2 > 0, it runs n2 more from xin2 (row step st2), re-entering the
// unrolled loop at the row after the one it left (the kept windows stay).
#define SM_SWITCH                  \
  "cbz %[n2], 2f\n\t"              \
  "mov %[n], %[n2]\n\t"            \
  "mov %[n2], xzr\n\t"             \
  "mov %[xin], %[xin2]\n\t"        \
  "add %[xin1], %[xin2], #1\n\t"   \
  "ldr %[st], [%[ctl], #88]\n\t"
// Stride 1: A, B from p0, p1; then C, A, B, .. from xin (3 rows unrolled);
// np planes.
#define SM_BODY1(CONST, LD, MAC, OUT)                               \
  CONST                                                            \
  "0:\n\t"                                                         \
  SM_PLANE SM_LOAD(LD, p0, p0b, SM_A) SM_LOAD(LD, p1, p0b, SM_B)   \
  "1:\n\t"                                                         \
  SM_ROW1(LD, MAC, OUT, SM_A, SM_B, SM_C) "b.eq 11f\n\t"           \
  "4:\n\t"                                                         \
  SM_ROW1(LD, MAC, OUT, SM_B, SM_C, SM_A) "b.eq 12f\n\t"           \
  "5:\n\t"                                                         \
  SM_ROW1(LD, MAC, OUT, SM_C, SM_A, SM_B) "b.ne 1b\n\t"            \
  SM_SWITCH "b 1b\n\t"                                             \
  "11:\n\t" SM_SWITCH "b 4b\n\t"                                   \
  "12:\n\t" SM_SWITCH "b 5b\n\t"                                   \
  "2:\n\t"                                                         \
  "subs %[np], %[np], #1\n\t"                                      \
  "b.ne 0b\n\t"
// Stride 2: A from p0; then (B, C), (C, B, A), .. from xin (2 rows
// unrolled); np planes (st2 += its step per plane: the distance between the
// switched row's two input rows changes when one is the zero row).
#define SM_BODY2(CONST, LD, MAC, OUT)                               \
  CONST                                                            \
  "0:\n\t"                                                         \
  SM_PLANE SM_LOAD(LD, p0, p0b, SM_A)                              \
  "1:\n\t"                                                         \
  SM_ROW2(LD, MAC, OUT, SM_A, SM_B, SM_C) "b.eq 11f\n\t"           \
  "4:\n\t"                                                         \
  SM_ROW2(LD, MAC, OUT, SM_C, SM_B, SM_A) "b.ne 1b\n\t"            \
  SM_SWITCH "b 1b\n\t"                                             \
  "11:\n\t" SM_SWITCH "b 4b\n\t"                                   \
  "2:\n\t"                                                         \
  "ldp %[p0b], %[xin1], [%[ctl], #88]\n\t"                         \
  "add %[p0b], %[p0b], %[xin1]\n\t"                                \
  "str %[p0b], [%[ctl], #88]\n\t"                                  \
  "subs %[np], %[np], #1\n\t"                                      \
  "b.ne 0b\n\t"

// The asm statement: operands as in the register map.
#define SM_ASM(BODY)                                                                             \
  __asm__ volatile(BODY                                                                          \
                   : [kt] "+r"(kt), [bias] "+r"(bias), [q] "+r"(q), [out] "+r"(out), [np] "+r"(np), \
                     [p0] "=&r"(p0), [p1] "=&r"(p1), [p0b] "=&r"(p0b), [xin] "=&r"(xin),          \
                     [xin1] "=&r"(xin1), [xin2] "=&r"(xin2), [n] "=&r"(n), [n2] "=&r"(n2),        \
                     [st] "=&r"(st)                                                              \
                   : [ctl] "r"(ctl), [ost] "r"(ost), [mask] "r"(mask)                            \
                   : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",   \
                     "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20",   \
                     "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

// The control block of a strip call (SM_PLANE, SM_SWITCH, SM_CONST_*; byte
// offsets in the asm): the first plane's rows (pointers at the strip's first
// loaded column, or kSmullZero) and their steps to the next plane, the row
// counts and steps, the output stage's constants.
struct SmullCtl {
  const int8_t* p0;    //  0: the first output row's kept rows
  const int8_t* p1;    //  8: (stride 1)
  const int8_t* xin;   // 16: the loop's rows xin, xin + st, .. (n output rows)
  const int8_t* xin2;  // 24: then xin2, xin2 + st2, .. (n2 rows)
  int64_t dp0, dp1, dxin, dxin2;  // 32..56: steps to the next plane
  uint64_t n, n2;      // 64, 72
  int64_t st, st2;     // 80, 88
  int64_t dst2;        // 96: st2's step to the next plane (stride 2)
  uint32_t e, lo, hi;  // 104, 108, 112: int8: E, qmin, qmax; float: the bits of fmin, fmax (108, 112)
  uint32_t pad;
};
static_assert(offsetof(SmullCtl, dp0) == 32 && offsetof(SmullCtl, n) == 64 && offsetof(SmullCtl, dst2) == 96 &&
                  offsetof(SmullCtl, e) == 104 && offsetof(SmullCtl, hi) == 112,
              "SmullCtl: the asm's offsets");

// One strip call: np >= 1 planes (taps k, 16 bytes apart; bias and q (M or
// scale) 4 bytes apart; outputs from out, each plane's ho rows of ost bytes
// following the last), n >= 1 + n2 output rows each; rows as in c (modified).
template <int S, int L, int M, int O>
inline __attribute__((always_inline)) void smull_strip(const int8_t* k, const int32_t* bias_p, const void* q_p,
                                                       SmullCtl* ctl, void* out, int64_t ost, uint64_t np,
                                                       const int8_t* mask) {
  const int8_t* kt = k;
  const int32_t* bias = bias_p;
  const void* q = q_p;
  const int8_t *p0, *p1, *p0b, *xin, *xin1, *xin2;
  uint64_t n, n2;
  int64_t st;
#define SM_CASE(SS, LL, MM, OO, BODY, CONST, LD, MAC, OUT) \
  if constexpr (S == SS && L == LL && M == MM && O == OO) SM_ASM(BODY(CONST, LD, MAC, OUT));
#define SM_CASES_M(SS, LL, MM, BODY, LD, MAC, OI8, OI8S, OF32, OF32C)   \
  SM_CASE(SS, LL, MM, kOI8, BODY, SM_CONST_I8, LD, MAC, OI8)           \
  SM_CASE(SS, LL, MM, kOI8Shift, BODY, SM_CONST_I8, LD, MAC, OI8S)     \
  SM_CASE(SS, LL, MM, kOF32, BODY, SM_CONST_F32, LD, MAC, OF32)        \
  SM_CASE(SS, LL, MM, kOF32Clamp, BODY, SM_CONST_F32, LD, MAC, OF32C)
#define SM_CASES(SS, LL, BODY, MAC, LDI, LDL, LDR, LDN, OI8, OI8S, OF32, OF32C) \
  SM_CASES_M(SS, LL, kInterior, BODY, LDI, MAC, OI8, OI8S, OF32, OF32C)  \
  SM_CASES_M(SS, LL, kLeft, BODY, LDL, MAC, OI8, OI8S, OF32, OF32C)      \
  SM_CASES_M(SS, LL, kRight, BODY, LDR, MAC, OI8, OI8S, OF32, OF32C)     \
  SM_CASES_M(SS, LL, kNarrow, BODY, LDN, MAC, OI8, OI8S, OF32, OF32C)
  SM_CASES(1, 16, SM_BODY1, SM_MAC, SM_LD1_INT, SM_LD1_LEFT, SM_LD1_RIGHT, SM_LD1_NARROW, SM_OUT_I8, SM_OUT_I8S,
           SM_OUT_F32, SM_OUT_F32C)
  SM_CASES(2, 16, SM_BODY2, SM_MAC, SM_LD2_INT, SM_LD2_LEFT, SM_LD2_RIGHT, SM_LD2_NARROW, SM_OUT_I8, SM_OUT_I8S,
           SM_OUT_F32, SM_OUT_F32C)
  SM_CASES(1, 8, SM_BODY1, SM_MAC8, SM_LD1_INT8, SM_LD1_LEFT8, SM_LD1_RIGHT8, SM_LD1_NARROW8, SM_OUT8_I8,
           SM_OUT8_I8S, SM_OUT8_F32, SM_OUT8_F32C)
  SM_CASES(2, 8, SM_BODY2, SM_MAC8, SM_LD2_INT8, SM_LD2_LEFT8, SM_LD2_RIGHT8, SM_LD2_NARROW8, SM_OUT8_I8,
           SM_OUT8_I8S, SM_OUT8_F32, SM_OUT8_F32C)
#undef SM_CASES
#undef SM_CASES_M
#undef SM_CASE
  (void)p0, (void)p1, (void)p0b, (void)xin, (void)xin1, (void)xin2, (void)n, (void)n2, (void)st;
}

// Columns a strip of L lanes reads from its first (c0): (L - 1) * S + 3
// (stride 1: 18, 10; stride 2: 33, 17).
template <int S>
constexpr int64_t smull_span(int64_t lanes) {
  return (lanes - 1) * S + 3;
}

// The mode of the strip of L lanes reading columns c0 .. c0 + span - 1 of a
// w-column row, or -1 if it has none (padding on both sides, or more than 1
// column on one).
template <int S>
inline int smull_mode(int64_t c0, int64_t lanes, int64_t w) {
  const int64_t end = c0 + smull_span<S>(lanes);
  if (c0 < -1 || end > w + 1 || (c0 == -1 && end > w)) return -1;
  return c0 == -1 ? kLeft : (end == w + 1 ? kRight : kInterior);
}

// The strips of a row of wo >= 8 outputs: 16 lanes at 0, 16, .. while
// whole; the rest r = wo % 16 one 8-lane strip at wo - 8 (r <= 8) or one
// 16-lane strip at wo - 16 (overlapping: r > 8). Under 16 outputs: 8-lane
// strips at 0 and wo - 8.
inline size_t smull_strips16(size_t wo) { return wo < 16 ? 0 : wo / 16 + (wo % 16 > 8 ? 1 : 0); }
inline bool smull_tail8(size_t wo) { return wo < 16 || (wo % 16 != 0 && wo % 16 <= 8); }

// Whether this kernel takes p: every strip has a mode (the first and last
// decide: the ones between start at column >= 0 and end before the last),
// the top padding fits the row sweep (the loaded rows of the first output row
// are inside or below the plane).
template <int S>
inline bool smull_takes(const DwPlaneS8& p) {
  if (p.wo < 8 || p.pad_left > 1 || p.pad_top > (S == 1 ? 2u : 1u)) return false;
  const int64_t w = int64_t(p.w), pl = int64_t(p.pad_left), wo = int64_t(p.wo);
  const int64_t l_first = wo >= 16 ? 16 : 8, l_last = smull_tail8(p.wo) ? 8 : 16;
  return smull_mode<S>(-pl, l_first, w) >= 0 && smull_mode<S>((wo - l_last) * S - pl, l_last, w) >= 0;
}

// The row plan (neon/dwconv3x3_s8_rowplan.h): DwS8Rows, dw_s8_rows, dw_s8_row_off.

// One strip (L lanes, mode M: first loaded column c0 >= -1, first output
// column x0) on `count` planes of p: one asm call for the rows of the plan
// (n + n2 per plane) of every plane; then (stride 2: output rows past the
// switched one, bottom padding > 1) one call per plane and row.
template <int S, int L, int M, int O>
inline __attribute__((always_inline)) void smull_strip_planes(const DwPlaneS8& p, const DwS8Rows& r, int64_t c0,
                                                              size_t x0, size_t count, const int8_t* mask) {
  constexpr bool kI8 = O == kOI8 || O == kOI8Shift;
  const size_t es = kI8 ? 1 : sizeof(float);
  const int8_t* xc = p.x + (c0 < 0 ? 0 : c0);
  const int64_t hw = int64_t(p.h * p.w), ost = int64_t(p.wo * es);
  char* y = static_cast<char*>(p.y) + x0 * es;
  const void* q = kI8 ? static_cast<const void*>(p.out.mult) : static_cast<const void*>(p.out.fscale);
  SmullCtl c;
  if (kI8) {
    c.e = uint32_t(p.out.shift);
    c.lo = uint32_t(p.out.qmin);
    c.hi = uint32_t(p.out.qmax);
  } else {
    c.e = 0;
    std::memcpy(&c.lo, &p.out.fmin, 4);
    std::memcpy(&c.hi, &p.out.fmax, 4);
  }
  c.pad = 0;
  auto ptr = [](const int8_t* base, int64_t off) -> const int8_t* { return off < 0 ? kSmullZero : base + off; };
  auto step = [hw](int64_t off) -> int64_t { return off < 0 ? 0 : hw; };
  if (r.n > 0) {
    c.p0 = ptr(xc, r.p0);
    c.p1 = ptr(xc, r.p1);
    c.xin = ptr(xc, r.xin);
    c.xin2 = ptr(xc, r.xin2);
    c.dp0 = step(r.p0);
    c.dp1 = step(r.p1);
    c.dxin = step(r.xin);
    c.dxin2 = step(r.xin2);
    c.n = r.n;
    c.n2 = r.n2;
    c.st = r.st;
    c.st2 = S == 1 ? 0 : int64_t(uintptr_t(ptr(xc, r.b2)) - uintptr_t(c.xin2));
    c.dst2 = S == 1 ? 0 : step(r.b2) - step(r.xin2);
    if (S == 1 || r.more >= int64_t(p.ho)) {
      smull_strip<S, L, M, O>(p.k, p.out.bias, q, &c, y, ost, count, mask);
    } else {
      // Stride 2 with rows after the call's (bottom padding > 1): the call
      // stores fewer than ho rows per plane, so the output pointer does not
      // run on from plane to plane: one call per plane (the control block
      // steps to the next plane's rows all the same).
      for (size_t i = 0; i < count; i++)
        smull_strip<S, L, M, O>(p.k + i * kDwS8PackedBytes, p.out.bias + i, static_cast<const char*>(q) + 4 * i,
                                &c, y + int64_t(i * p.ho) * ost, ost, 1, mask);
    }
  }
  if (S == 2) {
    const int64_t pt = int64_t(p.pad_top);
    for (int64_t oy = r.more; oy < int64_t(p.ho); oy++)
      for (size_t i = 0; i < count; i++) {
        const int8_t* xi = xc + int64_t(i) * hw;
        c.p0 = ptr(xi, dw_s8_row_off(2 * oy - pt, p));
        c.p1 = kSmullZero;
        c.xin = ptr(xi, dw_s8_row_off(2 * oy - pt + 1, p));
        c.xin2 = kSmullZero;
        c.dp0 = c.dp1 = c.dxin = c.dxin2 = 0;
        c.n = 1;
        c.n2 = 0;
        c.st = int64_t(uintptr_t(ptr(xi, dw_s8_row_off(2 * oy - pt + 2, p))) - uintptr_t(c.xin));
        c.st2 = c.dst2 = 0;
        smull_strip<S, L, M, O>(p.k + i * kDwS8PackedBytes, p.out.bias + i,
                                static_cast<const char*>(q) + 4 * i, &c,
                                y + int64_t(i * p.ho + size_t(oy)) * ost, ost, 1, mask);
      }
  }
}

// The strip of L lanes at output column x0 on all planes of p, by its mode.
template <int S, int L, int O>
inline __attribute__((always_inline)) void smull_strip_at(const DwPlaneS8& p, const DwS8Rows& r, size_t x0) {
  const int64_t c0 = int64_t(x0) * S - int64_t(p.pad_left);
  switch (smull_mode<S>(c0, L, int64_t(p.w))) {
    case kLeft: smull_strip_planes<S, L, kLeft, O>(p, r, c0, x0, p.count, kSmullZero); break;
    case kRight: smull_strip_planes<S, L, kRight, O>(p, r, c0, x0, p.count, kSmullZero); break;
    default: smull_strip_planes<S, L, kInterior, O>(p, r, c0, x0, p.count, kSmullZero); break;
  }
}

// All planes of p (smull_takes), strip by strip (each strip down every
// plane: the outputs of plane i + 1 follow those of plane i, so the output
// pointer runs on; the inputs restart from the control block).
template <int S, int O>
__attribute__((noinline)) void smull_planes(const DwPlaneS8& p) {
  const DwS8Rows r = dw_s8_rows<S>(p);
  const size_t n16 = smull_strips16(p.wo);
  for (size_t s = 0; s < n16; s++) {
    size_t x0 = 16 * s;
    if (x0 + 16 > p.wo) x0 = p.wo - 16;  // the last strip, overlapping
    smull_strip_at<S, 16, O>(p, r, x0);
  }
  if (smull_tail8(p.wo)) {
    if (p.wo < 16) smull_strip_at<S, 8, O>(p, r, 0);
    if (p.wo != 8) smull_strip_at<S, 8, O>(p, r, p.wo - 8);
  }
}

// The narrow maps' masks: [S - 1][w][lane] = 0xff if the tap-2 window
// column of output lane i (i + 1, stride 1; 2i + 1, stride 2) is < w.
struct SmullMasks {
  int8_t b[2][33][16];
};
constexpr SmullMasks smull_masks() {
  SmullMasks m{};
  for (int s = 1; s <= 2; s++)
    for (int w = 0; w <= 32; w++)
      for (int i = 0; i < 16; i++) m.b[s - 1][w][i] = int8_t((s == 1 ? i + 1 : 2 * i + 1) < w ? -1 : 0);
  return m;
}
alignas(16) constexpr SmullMasks kSmullMasks = smull_masks();

// The lanes (8 or 16) of the narrow strip for p, or 0 if it does not apply:
// pad_left 1, w <= 16 (stride 2: w <= 31) (one strip of L >= wo lanes from column 0), at most one
// padding column on the right, the top padding of the row sweep, the mask's
// last lane 0 (EXT's zero), at least two planes: all but the last run here
// (their loads read up to L + 1 (stride 1) or 2L (stride 2) bytes from a
// row's start, past the plane's end into the next plane, whose h * w bytes
// cover that; their stores write L outputs from each row's start, the lanes
// past wo landing in the next row or plane, which is written after).
template <int S>
inline size_t smull_narrow_lanes(const DwPlaneS8& p) {
  if (p.count < 2 || p.pad_left != 1 || p.w > (S == 1 ? 16u : 31u) || p.wo == 0 || p.wo > 16 ||
      p.pad_top > (S == 1 ? 2u : 1u) || (p.wo - 1) * S + 1 > p.w)
    return 0;
  const size_t l = p.wo > 8 ? 16 : 8;
  const size_t read = S == 1 ? l + 1 : 2 * l;
  if ((S == 1 ? l : 2 * l - 1) < p.w || read > (p.h + 1) * p.w || l - p.wo > p.ho * p.wo) return 0;
  // Stride 2: every row in the one call that runs the planes in order (the
  // rows after the switched one, one call per plane and row after all planes'
  // first rows, would land a plane's stores past its last row on the next
  // plane's first rows, stored before them).
  if (S == 2 && dw_s8_rows<S>(p).more < int64_t(p.ho)) return 0;
  return l;
}

template <int S, int L, int O>
__attribute__((noinline)) void smull_planes_narrow(const DwPlaneS8& p) {
  smull_strip_planes<S, L, kNarrow, O>(p, dw_s8_rows<S>(p), -1, 0, p.count, kSmullMasks.b[S - 1][p.w]);
}

template <int S, int L>
void smull_narrow(const DwPlaneS8& p) {
  if (p.out.kind == S8OutKind::Int8) {
    if (p.out.shift) smull_planes_narrow<S, L, kOI8Shift>(p);
    else smull_planes_narrow<S, L, kOI8>(p);
  } else {
    if (p.out.fclamp) smull_planes_narrow<S, L, kOF32Clamp>(p);
    else smull_planes_narrow<S, L, kOF32>(p);
  }
}

// The planes of p by the strips (smull_takes), else by the intrinsics
// kernels; maps of w <= 16 always by the latter (their whole-row kernels).
template <int S>
void dw3x3_s8_smull_wide(const DwPlaneS8& p) {
  if (p.w <= 16 || !smull_takes<S>(p)) return S == 1 ? dw3x3_s8_stride1(p) : dw3x3_s8_stride2(p);
  if (p.out.kind == S8OutKind::Int8) {
    if (p.out.shift) smull_planes<S, kOI8Shift>(p);
    else smull_planes<S, kOI8>(p);
  } else {
    if (p.out.fclamp) smull_planes<S, kOF32Clamp>(p);
    else smull_planes<S, kOF32>(p);
  }
}

template <int S>
void dw3x3_s8_smull(const DwPlaneS8& p) {
  if (p.count == 0 || p.ho == 0 || p.wo == 0) return;
  // Narrow maps (w <= 16; stride 2: w <= 31, one 16-lane strip instead of
  // two 8-lane ones): the narrow strip for all planes of the run but the
  // last, which goes (with the maps it does not take) to
  // dw3x3_s8_smull_wide (w <= 16: the intrinsics' whole-row kernels, which
  // store exactly).
  if (p.w <= (S == 1 ? 16u : 31u)) {
    const size_t l = smull_narrow_lanes<S>(p);
    if (l != 0) {
      DwPlaneS8 q = p;
      q.count = p.count - 1;
      if (l == 16) smull_narrow<S, 16>(q);
      else smull_narrow<S, 8>(q);
      const size_t es = p.out.kind == S8OutKind::Int8 ? 1 : sizeof(float);
      q.x = p.x + q.count * p.h * p.w;
      q.y = static_cast<char*>(p.y) + q.count * p.ho * p.wo * es;
      q.k = p.k + q.count * kDwS8PackedBytes;
      q.out = out_from_row(p.out, q.count);
      q.count = 1;
      return dw3x3_s8_smull_wide<S>(q);
    }
  }
  dw3x3_s8_smull_wide<S>(p);
}

void dw3x3_s8_smull_s1(const DwPlaneS8& p) { dw3x3_s8_smull<1>(p); }
void dw3x3_s8_smull_s2(const DwPlaneS8& p) { dw3x3_s8_smull<2>(p); }

}  // namespace

const Dw3x3S8Kernels& dw3x3_s8_neon_kernels() {
  static const Dw3x3S8Kernels k = {"dwconv3x3_s8-aarch64-1x16-smull", dw3x3_s8_smull_s1, dw3x3_s8_smull_s2};
  return k;
}

}  // namespace detail
}  // namespace armconv
